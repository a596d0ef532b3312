"""JSON bodies (JSON 1.1 and REST-JSON) to and from botocore's Python form."""

from __future__ import annotations

import math
from typing import Any

from ._model import Node
from ._scalars import (
    MalformedInput,
    decode_base64,
    encode_base64,
    format_timestamp,
    parse_timestamp,
)


def from_json(node: Node, value: Any) -> Any:
    """A decoded JSON value as the Python form of ``node``; unknown members are ignored."""
    kind = node.kind
    if kind == "structure":
        if node.document:
            return value
        if not isinstance(value, dict):
            raise MalformedInput("expected a JSON object")
        result: dict[str, Any] = {}
        fields = node.json_fields
        for key, item in value.items():
            member = fields.get(key)
            if member is None or item is None:
                continue
            try:
                result[member.name] = from_json(member.node, item)
            except MalformedInput as problem:
                raise problem.under(member.name) from None
        return result
    if kind == "string":
        if not isinstance(value, str):
            raise MalformedInput("expected a string")
        return value
    if kind == "list":
        if not isinstance(value, list):
            raise MalformedInput("expected a JSON array")
        assert node.item is not None
        item_node = node.item.node
        items: list[Any] = []
        for index, item in enumerate(value):
            try:
                items.append(None if item is None else from_json(item_node, item))
            except MalformedInput as problem:
                raise problem.under(f"[{index}]") from None
        return items
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise MalformedInput("expected an integer")
        if isinstance(value, float):
            if not value.is_integer():
                raise MalformedInput("expected an integer")
            return int(value)
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise MalformedInput("expected a boolean")
        return value
    if kind in ("float", "double"):
        if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
            return float(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise MalformedInput("expected a number")
        return float(value)
    if kind == "timestamp":
        return parse_timestamp(value)
    if kind == "blob":
        if not isinstance(value, str):
            raise MalformedInput("expected a base64 string")
        return decode_base64(value)
    if kind == "map":
        if not isinstance(value, dict):
            raise MalformedInput("expected a JSON object")
        assert node.key is not None
        assert node.value is not None
        value_node = node.value.node
        mapped: dict[str, Any] = {}
        for key, item in value.items():
            try:
                mapped[key] = None if item is None else from_json(value_node, item)
            except MalformedInput as problem:
                raise problem.under(key) from None
        return mapped
    return value


def to_json(node: Node, value: Any, timestamp_format: str = "unixTimestamp") -> Any:
    """The Python form of ``node`` as JSON-ready data; members bound to HTTP parts are left out."""
    kind = node.kind
    if kind == "structure":
        if node.document:
            return value
        result: dict[str, Any] = {}
        fields = node.fields
        for name, item in value.items():
            if item is None:
                continue
            member = fields.get(name)
            if member is None:
                raise ValueError(f"{node.name} has no member {name!r}")
            if member.location is not None:
                continue
            result[member.wire] = to_json(
                member.node, item, member.timestamp_format or timestamp_format
            )
        return result
    if kind == "string":
        return value if isinstance(value, str) else str(value)
    if kind == "list":
        assert node.item is not None
        item_node = node.item.node
        return [to_json(item_node, item, timestamp_format) for item in value]
    if kind in ("integer", "long"):
        return int(value)
    if kind == "boolean":
        return bool(value)
    if kind in ("float", "double"):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        return number
    if kind == "timestamp":
        return format_timestamp(value, timestamp_format)
    if kind == "blob":
        return encode_base64(value)
    if kind == "map":
        assert node.value is not None
        value_node = node.value.node
        return {
            str(key): to_json(value_node, item, timestamp_format) for key, item in value.items()
        }
    return value
