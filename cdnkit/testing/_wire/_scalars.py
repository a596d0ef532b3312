"""Scalar conversions shared by the codecs: timestamps, blobs, and text bound to HTTP parts."""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from ._model import Field, Node


class MalformedInput(Exception):
    """The request cannot be read as the operation's input (wrong type, bad encoding...)."""

    def __init__(self, message: str, path: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def under(self, name: str) -> MalformedInput:
        """The same problem, one level further from the root (paths are built on failure only)."""
        return MalformedInput(self.message, (name, *self.path))

    def describe(self) -> str:
        where = ".".join(self.path)
        return f"{self.message} at '{where}'" if where else self.message


def parse_timestamp(value: object) -> datetime:
    """Read a timestamp in any of the three wire formats (epoch seconds, ISO 8601, HTTP date)."""
    if isinstance(value, bool):
        raise MalformedInput("expected a timestamp")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise MalformedInput("expected a finite timestamp")
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            # Beyond the years a datetime holds (1e308, 2**70): a bad request, not a crash.
            raise MalformedInput(f"timestamp {value!r} is out of range") from None
    if not isinstance(value, str):
        raise MalformedInput("expected a timestamp")
    text = value.strip()
    try:
        return datetime.fromtimestamp(float(text), tz=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            raise MalformedInput(f"'{text}' is not a timestamp") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def as_datetime(value: object) -> datetime:
    """A backend's timestamp (datetime, epoch seconds or ISO text) as an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return parse_timestamp(value)


def format_timestamp(value: object, timestamp_format: str) -> str | float:
    """Write a timestamp in one of Smithy's formats (iso8601, unixTimestamp, rfc822)."""
    moment = as_datetime(value)
    fmt = timestamp_format.lower()
    if fmt == "unixtimestamp":
        # Millisecond precision, as AWS services answer.
        return round(moment.timestamp(), 3)
    if fmt == "rfc822":
        return format_datetime(moment.astimezone(UTC), usegmt=True)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def decode_base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedInput("expected base64-encoded data") from None


def encode_base64(value: object) -> str:
    if isinstance(value, str):
        data = value.encode()
    elif isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
    else:
        raise TypeError(f"a blob must be bytes or str, not {type(value).__name__}")
    return base64.b64encode(data).decode("ascii")


def text_to_value(node: Node, text: str, timestamp_format: str | None) -> Any:
    """A scalar bound to a URI label, query parameter or header, in the Python form."""
    kind = node.kind
    if kind == "string":
        return text
    if kind in ("integer", "long"):
        try:
            return int(text.strip())
        except ValueError:
            raise MalformedInput(f"'{text}' is not an integer") from None
    if kind in ("float", "double"):
        try:
            return float(text.strip())
        except ValueError:
            raise MalformedInput(f"'{text}' is not a number") from None
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        raise MalformedInput(f"'{text}' is not a boolean")
    if kind == "timestamp":
        return parse_timestamp(text)
    if kind == "blob":
        return decode_base64(text.strip())
    raise MalformedInput(f"a {kind} cannot be bound to text")


def header_to_value(member: Field, text: str) -> Any:
    """A header-bound member in the Python form (lists are comma separated)."""
    node = member.node
    if node.kind == "list" and node.item is not None:
        item = node.item
        return [
            text_to_value(item.node, part.strip(), member.timestamp_format or "rfc822")
            for part in text.split(",")
            if part.strip()
        ]
    if member.json_value:
        try:
            return json.loads(decode_base64(text))
        except ValueError:
            raise MalformedInput("expected base64-encoded JSON") from None
    return text_to_value(node, text, member.timestamp_format or "rfc822")


def value_to_text(member: Field, value: object, default_timestamp_format: str) -> str:
    """A member bound to a header (or query string), as text."""
    kind = member.node.kind
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return str(format_timestamp(value, member.timestamp_format or default_timestamp_format))
    if kind == "list" and member.node.item is not None and isinstance(value, list | tuple):
        item = member.node.item
        return ",".join(value_to_text(item, part, default_timestamp_format) for part in value)
    if kind == "blob":
        return encode_base64(value)
    if member.json_value:
        return base64.b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()
    return str(value)
