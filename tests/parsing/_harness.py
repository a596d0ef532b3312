"""Both parsers side by side: build a reply as aiobotocore hands it to a parser, parse it with
botocore's own parser and with cdnkit's, and compare the outcomes exactly."""

from __future__ import annotations

import asyncio
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, cast
from xml.etree.ElementTree import Element

import botocore.session
from aiobotocore.parsers import AioResponseParserFactory
from botocore.awsrequest import HeadersDict
from botocore.model import OperationModel, ServiceModel, Shape

from cdnkit._parsing import ReplyParserFactory
from cdnkit.testing._wire import TRAITS, Codec, Reply, load_schemas
from cdnkit.testing._wire._protocols import make_codec

SERVICES = ("lightsail", "cloudfront", "cloudfront-keyvaluestore")
REQUEST_ID = "2b6c7a4e-5a1c-4f7e-9d51-3c0f1e2d4a5b"


class Parser(Protocol):
    async def parse(self, response: Mapping[str, Any], shape: Shape | None) -> Any: ...


@functools.cache
def service_model(service: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(service)


def operation(service: str, name: str) -> OperationModel:
    return service_model(service).operation_model(name)


@functools.cache
def codec(service: str) -> Codec:
    """The emulator's codec of ``service``: it writes replies as the service does."""
    return make_codec(load_schemas()[service], TRAITS[service])


def reference_parser(protocol: str) -> Parser:
    """aiobotocore's own parser (a new one per reply, as its endpoint makes them)."""
    return cast(Parser, AioResponseParserFactory().create_parser(protocol))


_FAST = ReplyParserFactory()
#: The class of cdnkit's factory, which cdnkit's clients must be using.
FAST_FACTORY_TYPE = ReplyParserFactory


def fast_parser(protocol: str) -> Parser:
    """cdnkit's parser, from one factory for the whole run (plans are compiled once)."""
    return cast(Parser, _FAST.create_parser(protocol))


def response(
    status: int,
    headers: Mapping[str, str],
    body: Any,
    operation_name: str = "",
) -> dict[str, Any]:
    """The dict aiobotocore's endpoint gives a parser: header names lower-cased in a
    HeadersDict, the body as bytes (or a stream for streaming payloads)."""
    return {
        "status_code": status,
        "headers": HeadersDict({name.lower(): value for name, value in headers.items()}),
        "body": body,
        "context": {"operation_name": operation_name},
    }


def reply_response(reply: Reply, operation_name: str) -> dict[str, Any]:
    return response(reply.status, reply.headers, reply.body, operation_name)


def encode(service: str, name: str, output: dict[str, Any]) -> dict[str, Any]:
    """``output`` (botocore's Python form) as the service would send it, as a response dict."""
    plan = load_schemas()[service].operations[name]
    return reply_response(codec(service).reply(plan, output, REQUEST_ID), name)


@dataclass(frozen=True)
class Outcome:
    """What a parse gave: a value, or the type (and text) of what it raised."""

    value: Any = None
    error: type[BaseException] | None = None
    message: str = ""

    def describe(self) -> str:
        if self.error is not None:
            return f"raised {self.error.__name__}: {self.message[:300]}"
        return f"returned {self.value!r}"[:2000]


async def outcome(parser: Parser, response_dict: Mapping[str, Any], shape: Shape | None) -> Outcome:
    # Each parser gets its own copy of the dict: a parser that changed its input must not
    # change what the other one sees.
    copied = dict(response_dict)
    copied["context"] = dict(response_dict.get("context", {}))
    try:
        return Outcome(value=await parser.parse(copied, shape))
    except Exception as problem:  # the type is what is compared
        return Outcome(error=type(problem), message=str(problem))


async def both(
    protocol: str, response_dict: Mapping[str, Any], shape: Shape | None
) -> tuple[Outcome, Outcome]:
    """(botocore's outcome, cdnkit's outcome) for the same reply."""
    expected = await outcome(reference_parser(protocol), response_dict, shape)
    actual = await outcome(fast_parser(protocol), response_dict, shape)
    return expected, actual


async def assert_same_parse(
    protocol: str, response_dict: Mapping[str, Any], shape: Shape | None, label: str = ""
) -> Outcome:
    """Both parsers agree on ``response_dict``: equal values, or the same exception type."""
    expected, actual = await both(protocol, response_dict, shape)
    assert_same_outcome(expected, actual, label)
    return expected


def assert_same_outcome(expected: Outcome, actual: Outcome, label: str = "") -> None:
    if expected.error is not None or actual.error is not None:
        assert expected.error is actual.error, (
            f"{label}: botocore {expected.describe()}; cdnkit {actual.describe()}"
        )
        return
    difference = first_difference(expected.value, actual.value)
    assert difference is None, f"{label}: {difference}"


def parse_both_sync(
    protocol: str, response_dict: Mapping[str, Any], shape: Shape | None
) -> tuple[Outcome, Outcome]:
    return asyncio.run(both(protocol, response_dict, shape))


def first_difference(expected: Any, actual: Any, path: str = "$") -> str | None:
    """Where ``actual`` differs from ``expected``, or None: same keys, same types (a bool is
    not an int, an int is not a float), same values; datetimes equal as instants, both aware
    or both naive; NaN equals NaN; XML elements compared by content."""
    if isinstance(expected, datetime) and isinstance(actual, datetime):
        if (expected.tzinfo is None) != (actual.tzinfo is None):
            return f"{path}: botocore {expected!r}, cdnkit {actual!r} (naive against aware)"
        # As instants: ``==`` between zones is False for any time in a fold (PEP 495), even
        # for two equal values.
        if expected.tzinfo is not None:
            same = expected.astimezone(UTC) == actual.astimezone(UTC)
        else:
            same = expected == actual and expected.fold == actual.fold
        if not same:
            return f"{path}: botocore {expected!r}, cdnkit {actual!r}"
        return None
    if type(expected) is not type(actual):
        return (
            f"{path}: botocore {type(expected).__name__} {expected!r:.200}, "
            f"cdnkit {type(actual).__name__} {actual!r:.200}"
        )
    if isinstance(expected, dict):
        if list(expected) != list(actual) and set(expected) != set(actual):
            missing = sorted(map(str, set(expected) - set(actual)))
            extra = sorted(map(str, set(actual) - set(expected)))
            return f"{path}: keys differ: cdnkit lacks {missing}, has extra {extra}"
        for key in expected:
            found = first_difference(expected[key], actual[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list | tuple):
        if len(expected) != len(actual):
            return f"{path}: {len(expected)} items from botocore, {len(actual)} from cdnkit"
        for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
            found = first_difference(left, right, f"{path}[{index}]")
            if found:
                return found
        return None
    if isinstance(expected, float):
        if math.isnan(expected) and math.isnan(actual):
            return None
        if expected != actual or math.copysign(1, expected) != math.copysign(1, actual):
            return f"{path}: botocore {expected!r}, cdnkit {actual!r}"
        return None
    if isinstance(expected, Element):
        return _element_difference(expected, actual, path)
    if expected != actual:
        return f"{path}: botocore {expected!r:.300}, cdnkit {actual!r:.300}"
    return None


def _element_difference(expected: Element, actual: Element, path: str) -> str | None:
    left = (expected.tag, expected.text, expected.tail, dict(expected.attrib), len(expected))
    right = (actual.tag, actual.text, actual.tail, dict(actual.attrib), len(actual))
    if left != right:
        return f"{path}: botocore element {left!r}, cdnkit element {right!r}"
    for index, (a, b) in enumerate(zip(expected, actual, strict=True)):
        found = _element_difference(a, b, f"{path}/{index}")
        if found:
            return found
    return None


async def endpoint_outcome(
    make: Any, service: str, name: str, response_dict: Mapping[str, Any]
) -> Outcome:
    """What aiobotocore's endpoint makes of a reply with the parsers ``make`` creates: the
    output (or generic error) parse, then for an error the modeled error shape's members."""
    model = operation(service, name)
    protocol = service_model(service).protocol
    copied = dict(response_dict)
    copied["context"] = dict(response_dict.get("context", {}))
    try:
        parser = make(protocol)
        parsed = await parser.parse(copied, model.output_shape)
        if copied["status_code"] >= 300:
            code = parsed.get("Error", {}).get("Code")
            error_shape = service_model(service).shape_for_error_code(code) if code else None
            if error_shape is not None:
                parsed.update(await parser.parse(copied, error_shape))
        return Outcome(value=parsed)
    except Exception as problem:  # the type is what is compared
        return Outcome(error=type(problem), message=str(problem))


async def assert_same_endpoint_parse(
    service: str, name: str, response_dict: Mapping[str, Any], label: str = ""
) -> Outcome:
    """Both parsers, as aiobotocore's endpoint drives them, agree on ``response_dict``."""
    expected = await endpoint_outcome(reference_parser, service, name, response_dict)
    actual = await endpoint_outcome(fast_parser, service, name, response_dict)
    assert_same_outcome(expected, actual, label or f"{service}.{name}")
    return expected
