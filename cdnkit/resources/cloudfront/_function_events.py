"""Test events for CloudFront Functions, the typed result of a test run, and the comparisons
behind ``expect=``, ``diff`` and ``publish(expect_code=...)``.

The event structure is CloudFront's (the Developer Guide's "CloudFront Functions event
structure"): ``version`` "1.0", a ``context`` with the ``eventType``, a ``viewer`` with its
``ip``, a ``request`` (``method``, ``uri``, ``querystring``, ``headers``, ``cookies``) and, for a
viewer-response event, a ``response`` (``statusCode``, ``statusDescription``, ``headers``,
``cookies``). Query-string parameters, headers and cookies are objects ``{"value": ...}``; one
given several values also carries ``multiValue``, a list of such objects. Header names are
lowercase, as CloudFront always passes them.
"""

from __future__ import annotations

import dataclasses
import difflib
import http
import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import parse_qsl

from ..._exceptions import CdnKitError, InvalidRequestError
from ...types import cloudfront as cf

__all__ = [
    "FunctionCodeMismatchError",
    "FunctionOutputMismatchError",
    "FunctionTestRun",
    "ViewerRequestEvent",
    "ViewerResponseEvent",
]

#: A query-string parameter, header or cookie: one value or several.
Values = str | Sequence[str]
#: A documentation address (RFC 5737), the viewer of a test event unless one is given.
_VIEWER_IP = "198.51.100.7"


class FunctionOutputMismatchError(CdnKitError, AssertionError):
    """A function's test output differs from ``expect=``; the message is a readable diff
    (the paths that differ, then a unified diff of the expected and actual JSON). ``result``
    is the test run."""

    def __init__(self, message: str, *, result: FunctionTestRun) -> None:
        super().__init__(message)
        self.result = result


class FunctionCodeMismatchError(CdnKitError):
    """``publish(expect_code=...)`` refused: the DEVELOPMENT code is not the expected code.
    Nothing was published; the message holds a unified diff."""


def _values(values: object, field: str) -> list[str]:
    if isinstance(values, str):
        return [values]
    if isinstance(values, Sequence) and values and all(isinstance(v, str) for v in values):
        return list(values)
    raise InvalidRequestError(
        f"{field}: a value must be a str or a non-empty sequence of str, not {values!r}"
    )


def _entries(items: object, field: str, *, lowercase: bool = False) -> dict[str, Any]:
    """``{"name": {"value": ..., "multiValue": [...]}}`` from ``{"name": "v" or ["v1", ...]}``."""
    if not isinstance(items, Mapping):
        raise InvalidRequestError(f"{field}: expected a mapping, not {type(items).__name__}")
    entries: dict[str, Any] = {}
    for name, values in items.items():
        if not isinstance(name, str) or not name:
            raise InvalidRequestError(f"{field}: names must be non-empty str, not {name!r}")
        key = name.lower() if lowercase else name
        if key in entries:
            raise InvalidRequestError(f"{field}: {name!r} is given twice (names are lowercase)")
        found = _values(values, f"{field}[{name!r}]")
        entry: dict[str, Any] = {"value": found[0]}
        if len(found) > 1:
            entry["multiValue"] = [{"value": value} for value in found]
        entries[key] = entry
    return entries


def _querystring(query: object) -> dict[str, Any]:
    if isinstance(query, str):
        grouped: dict[str, list[str]] = {}
        for name, value in parse_qsl(query.removeprefix("?"), keep_blank_values=True):
            grouped.setdefault(name, []).append(value)
        return _entries(grouped, "querystring")
    return _entries(query, "querystring")


def _check_request(method: object, uri: object, viewer_ip: object) -> None:
    if not isinstance(method, str) or not method.isalpha() or not method.isupper():
        raise InvalidRequestError(f"method: an uppercase HTTP method such as 'GET', not {method!r}")
    if not isinstance(uri, str) or not uri.startswith("/") or "?" in uri:
        raise InvalidRequestError(
            f"uri: a path starting with '/' (the query string goes in querystring), not {uri!r}"
        )
    if not isinstance(viewer_ip, str) or not viewer_ip:
        raise InvalidRequestError(f"viewer_ip: expected an IP address, not {viewer_ip!r}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class ViewerRequestEvent:
    """A viewer-request test event. ``querystring`` is a mapping or a query string
    (``"a=1&b=2"``); a name given several values becomes ``multiValue``. Header names are
    lowercased. Checked when built: bad input raises :class:`cdnkit.InvalidRequestError`."""

    method: str = "GET"
    uri: str = "/"
    headers: Mapping[str, Values] = dataclasses.field(default_factory=dict)
    cookies: Mapping[str, Values] = dataclasses.field(default_factory=dict)
    querystring: Mapping[str, Values] | str = dataclasses.field(default_factory=dict)
    viewer_ip: str = _VIEWER_IP

    def __post_init__(self) -> None:
        _check_request(self.method, self.uri, self.viewer_ip)
        self._request()

    def _request(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "uri": self.uri,
            "querystring": _querystring(self.querystring),
            "headers": _entries(self.headers, "headers", lowercase=True),
            "cookies": _entries(self.cookies, "cookies"),
        }

    def to_event(self) -> dict[str, Any]:
        """The event object, as CloudFront passes it to the function."""
        return {
            "version": "1.0",
            "context": {"eventType": "viewer-request"},
            "viewer": {"ip": self.viewer_ip},
            "request": self._request(),
        }


@dataclasses.dataclass(frozen=True, kw_only=True)
class ViewerResponseEvent(ViewerRequestEvent):
    """A viewer-response test event: the viewer's request (as :class:`ViewerRequestEvent`)
    and the response CloudFront is about to send. ``status_description`` defaults to the
    status code's reason phrase."""

    status_code: int = 200
    status_description: str | None = None
    response_headers: Mapping[str, Values] = dataclasses.field(default_factory=dict)
    response_cookies: Mapping[str, Values] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        code = self.status_code
        if isinstance(code, bool) or not isinstance(code, int) or not 100 <= code <= 599:
            raise InvalidRequestError(f"status_code: an HTTP status from 100 to 599, not {code!r}")
        self._response()

    def _response(self) -> dict[str, Any]:
        description = self.status_description
        if description is None:
            try:
                description = http.HTTPStatus(self.status_code).phrase
            except ValueError:
                description = ""
        return {
            "statusCode": self.status_code,
            "statusDescription": description,
            "headers": _entries(self.response_headers, "response_headers", lowercase=True),
            "cookies": _entries(self.response_cookies, "response_cookies"),
        }

    def to_event(self) -> dict[str, Any]:
        """The event object of a viewer response, as CloudFront passes it to the function."""
        event = super().to_event()
        event["context"] = {"eventType": "viewer-response"}
        event["response"] = self._response()
        return event


@dataclasses.dataclass(frozen=True, kw_only=True)
class FunctionTestRun:
    """What a test run of a function gave.

    ``output`` is the request or response the function returned (``output_kind`` says
    which), None when it failed; ``error`` is the function's error (it threw, or broke a
    limit), None when it ran; ``logs`` are its ``console.log`` lines; ``utilization`` is the
    compute time used, in percent of the allowed time. ``raw`` is TestFunction's result.
    """

    output: dict[str, Any] | None
    output_kind: Literal["request", "response"] | None
    logs: tuple[str, ...]
    error: str | None
    utilization: int
    raw: cf.TestResult = dataclasses.field(repr=False)

    @classmethod
    def from_result(cls, raw: cf.TestResult) -> FunctionTestRun:
        """Read TestFunction's result: the output parsed from JSON (and whether it is a
        request or a response), the log lines, the error message and the compute use."""
        output: dict[str, Any] | None = None
        kind: Literal["request", "response"] | None = None
        if raw.function_output:
            try:
                parsed = json.loads(raw.function_output)
            except json.JSONDecodeError:
                parsed = None
            if isinstance(parsed, dict) and len(parsed) == 1 and "response" in parsed:
                output, kind = parsed["response"], "response"
            elif isinstance(parsed, dict) and len(parsed) == 1 and "request" in parsed:
                output, kind = parsed["request"], "request"
            elif isinstance(parsed, dict):
                output = parsed
        try:
            utilization = int(raw.compute_utilization or 0)
        except ValueError:
            utilization = 0
        return cls(
            output=output,
            output_kind=kind,
            logs=tuple(raw.function_execution_logs or ()),
            error=raw.function_error_message or None,
            utilization=utilization,
            raw=raw,
        )


def event_bytes(event: object) -> bytes:
    """The event object's JSON: from a builder, a mapping, or bytes or str as they are."""
    if isinstance(event, ViewerRequestEvent):
        event = event.to_event()
    if isinstance(event, Mapping):
        try:
            return json.dumps(event).encode("utf-8")
        except (TypeError, ValueError) as error:
            raise InvalidRequestError(f"event: not JSON-serializable: {error}") from None
    if isinstance(event, str):
        return event.encode("utf-8")
    if isinstance(event, bytes | bytearray):
        return bytes(event)
    raise InvalidRequestError(
        f"event: a ViewerRequestEvent, ViewerResponseEvent, mapping, str or bytes, "
        f"not {type(event).__name__}"
    )


# Comparisons ---------------------------------------------------------------------------------


def _differences(expected: object, actual: object, path: str) -> list[str]:
    """Where ``actual`` differs from ``expected``: a mapping compares only its keys, the rest
    by equality."""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return [f"{path or '.'}: expected an object, got {json.dumps(actual)}"]
        found: list[str] = []
        for key, value in expected.items():
            where = f"{path}.{key}" if path else str(key)
            if key not in actual:
                found.append(f"{where}: missing (expected {json.dumps(value)})")
            else:
                found.extend(_differences(value, actual[key], where))
        return found
    if expected != actual:
        return [f"{path or '.'}: expected {json.dumps(expected)}, got {json.dumps(actual)}"]
    return []


def _projection(expected: object, actual: object) -> object:
    """``actual`` cut down to the keys ``expected`` names (so a diff shows only those)."""
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        return {
            key: _projection(value, actual[key]) for key, value in expected.items() if key in actual
        }
    return actual


def _pretty(value: object) -> list[str]:
    return json.dumps(value, indent=2, sort_keys=True, default=str).splitlines(keepends=True)


def check_output(what: str, run: FunctionTestRun, expect: Mapping[str, Any]) -> None:
    """Raise :class:`FunctionOutputMismatchError` when ``run``'s output differs from
    ``expect`` (only the keys it gives, recursively)."""
    if not isinstance(expect, Mapping):
        raise InvalidRequestError(f"expect: a mapping, not {type(expect).__name__}")
    if run.error is not None or run.output is None:
        raise FunctionOutputMismatchError(
            f"{what}: expected an output, but the function failed: {run.error}", result=run
        )
    differences = _differences(expect, run.output, "")
    if not differences:
        return
    diff = difflib.unified_diff(
        _pretty(dict(expect)),
        _pretty(_projection(expect, run.output)),
        fromfile="expected",
        tofile="actual",
    )
    listed = "\n".join(f"  {line}" for line in differences)
    raise FunctionOutputMismatchError(
        f"{what}: the output differs from expect= at {len(differences)} path(s):\n{listed}\n\n"
        + "".join(diff),
        result=run,
    )


def code_diff(old: bytes, new: bytes, *, fromfile: str, tofile: str) -> str:
    """A unified diff of two codes (UTF-8, undecodable bytes replaced); empty when equal."""
    if old == new:
        return ""
    lines = difflib.unified_diff(
        old.decode("utf-8", "replace").splitlines(keepends=True),
        new.decode("utf-8", "replace").splitlines(keepends=True),
        fromfile=fromfile,
        tofile=tofile,
    )
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    return text or f"--- {fromfile}\n+++ {tofile}\n(the codes differ in their line endings)\n"
