"""XML bodies (REST-XML) to and from botocore's Python form."""

from __future__ import annotations

import math
from typing import Any
from xml.etree.ElementTree import Element, ParseError, XMLParser

from ._model import Field, Node
from ._scalars import (
    MalformedInput,
    decode_base64,
    encode_base64,
    format_timestamp,
    parse_timestamp,
)

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def local_name(tag: str) -> str:
    """An element's tag without its ``{namespace}``."""
    return tag.rsplit("}", 1)[1] if tag[:1] == "{" else tag


def parse_document(body: bytes) -> Element:
    """Parse an XML body; DTDs are refused, so no entity expansion can blow up."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise MalformedInput("document type declarations are not allowed")
    parser = XMLParser()
    try:
        parser.feed(body)
        return parser.close()
    except ParseError as problem:
        raise MalformedInput(f"the XML is not well-formed ({problem})") from None


def from_xml(node: Node, element: Element) -> Any:
    """An element as the Python form of ``node``; unknown elements are refused, as CloudFront's
    schema validation does."""
    kind = node.kind
    if kind == "structure":
        return _structure_from_xml(node, element)
    if kind == "list":
        assert node.item is not None
        item = node.item
        items: list[Any] = []
        for index, child in enumerate(element):
            if local_name(child.tag) != item.wire:
                raise MalformedInput(f"unexpected element <{local_name(child.tag)}>").under(
                    f"[{index}]"
                )
            try:
                items.append(from_xml(item.node, child))
            except MalformedInput as problem:
                raise problem.under(f"[{index}]") from None
        return items
    if kind == "map":
        return _map_from_xml(node, list(element))
    return _scalar_from_text(node, element.text or "")


def _structure_from_xml(node: Node, element: Element) -> dict[str, Any]:
    result: dict[str, Any] = {}
    flattened: dict[str, list[Element]] = {}
    fields = node.xml_fields
    for child in element:
        name = local_name(child.tag)
        member = fields.get(name)
        if member is None:
            raise MalformedInput(f"unexpected element <{name}>")
        if member.flattened:
            flattened.setdefault(member.name, []).append(child)
            continue
        if member.name in result:
            raise MalformedInput(f"element <{name}> appears more than once")
        try:
            result[member.name] = from_xml(member.node, child)
        except MalformedInput as problem:
            raise problem.under(member.name) from None
    for member_name, children in flattened.items():
        member = node.fields[member_name]
        try:
            if member.node.kind == "map":
                result[member_name] = _map_from_xml(member.node, children, entries=True)
            else:
                assert member.node.item is not None
                result[member_name] = [from_xml(member.node.item.node, c) for c in children]
        except MalformedInput as problem:
            raise problem.under(member_name) from None
    if element.attrib:
        for member in node.fields.values():
            if member.xml_attribute and member.wire in element.attrib:
                result[member.name] = _scalar_from_text(member.node, element.attrib[member.wire])
    return result


def _map_from_xml(node: Node, children: list[Element], entries: bool = False) -> dict[str, Any]:
    assert node.key is not None
    assert node.value is not None
    mapped: dict[str, Any] = {}
    for entry in children:
        if not entries and local_name(entry.tag) != "entry":
            raise MalformedInput(f"unexpected element <{local_name(entry.tag)}>")
        key: Any = None
        value: Any = None
        for part in entry:
            name = local_name(part.tag)
            if name == node.key.wire:
                key = _scalar_from_text(node.key.node, part.text or "")
            elif name == node.value.wire:
                value = from_xml(node.value.node, part)
            else:
                raise MalformedInput(f"unexpected element <{name}>")
        if key is None:
            raise MalformedInput("a map entry has no key")
        mapped[str(key)] = value
    return mapped


def _scalar_from_text(node: Node, text: str) -> Any:
    kind = node.kind
    if kind == "string":
        return text
    stripped = text.strip()
    if kind in ("integer", "long"):
        try:
            return int(stripped)
        except ValueError:
            raise MalformedInput(f"'{stripped}' is not an integer") from None
    if kind == "boolean":
        if stripped in ("true", "false"):
            return stripped == "true"
        raise MalformedInput(f"'{stripped}' is not a boolean")
    if kind in ("float", "double"):
        try:
            return float(stripped)
        except ValueError:
            raise MalformedInput(f"'{stripped}' is not a number") from None
    if kind == "timestamp":
        return parse_timestamp(stripped)
    if kind == "blob":
        return decode_base64("".join(stripped.split()))
    raise MalformedInput(f"unexpected text for a {kind}")


def escape_text(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "\r" in text:
        # A bare CR would be normalised away by the reader's XML parser.
        text = text.replace("\r", "&#13;")
    return text


def _escape_attribute(text: str) -> str:
    return escape_text(text).replace('"', "&quot;")


def namespace_attribute(uri: str | None, prefix: str | None = None) -> str:
    if not uri:
        return ""
    name = f"xmlns:{prefix}" if prefix else "xmlns"
    return f' {name}="{_escape_attribute(uri)}"'


def write_xml(parts: list[str], node: Node, value: Any, name: str, attributes: str = "") -> None:
    """Append ``value`` as the element ``name`` to ``parts``; members bound to HTTP parts are
    left out."""
    kind = node.kind
    if kind == "structure":
        opening = len(parts)
        parts.append("")
        fields = node.fields
        for member_name, item in value.items():
            if item is None:
                continue
            member = fields.get(member_name)
            if member is None:
                raise ValueError(f"{node.name} has no member {member_name!r}")
            if member.location is not None:
                continue
            if member.xml_attribute:
                attributes += f' {member.wire}="{_escape_attribute(_scalar_text(member, item))}"'
                continue
            _write_member(parts, member, item)
        parts[opening] = f"<{name}{attributes}>"
        parts.append(f"</{name}>")
        return
    if kind == "list":
        assert node.item is not None
        item_field = node.item
        parts.append(f"<{name}{attributes}>")
        for item in value:
            _write_member(parts, item_field, item)
        parts.append(f"</{name}>")
        return
    if kind == "map":
        assert node.key is not None
        assert node.value is not None
        parts.append(f"<{name}{attributes}>")
        for key, item in value.items():
            parts.append("<entry>")
            _write_member(parts, node.key, key)
            _write_member(parts, node.value, item)
            parts.append("</entry>")
        parts.append(f"</{name}>")
        return
    parts.append(f"<{name}{attributes}>{_scalar_text_of(node, value, None)}</{name}>")


def _write_member(parts: list[str], member: Field, value: Any) -> None:
    attributes = member.xml_namespace
    node = member.node
    if node.kind == "string":
        text = escape_text(value if isinstance(value, str) else str(value))
        parts.append(f"<{member.wire}{attributes}>{text}</{member.wire}>")
        return
    if member.flattened and node.kind == "list":
        assert node.item is not None
        item_name = node.item.wire if node.item.wire != "member" else member.wire
        for item in value:
            write_xml(parts, node.item.node, item, item_name, attributes)
        return
    if member.flattened and node.kind == "map":
        assert node.key is not None
        assert node.value is not None
        for key, item in value.items():
            parts.append(f"<{member.wire}{attributes}>")
            _write_member(parts, node.key, key)
            _write_member(parts, node.value, item)
            parts.append(f"</{member.wire}>")
        return
    if node.kind in ("structure", "list", "map"):
        write_xml(parts, node, value, member.wire, attributes)
        return
    parts.append(
        f"<{member.wire}{attributes}>"
        f"{_scalar_text_of(node, value, member.timestamp_format)}</{member.wire}>"
    )


def _scalar_text(member: Field, value: Any) -> str:
    return _scalar_text_of(member.node, value, member.timestamp_format)


def _scalar_text_of(node: Node, value: Any, timestamp_format: str | None) -> str:
    kind = node.kind
    if kind == "string":
        return escape_text(value if isinstance(value, str) else str(value))
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("integer", "long"):
        return str(int(value))
    if kind == "timestamp":
        return str(format_timestamp(value, timestamp_format or "iso8601"))
    if kind == "blob":
        return encode_base64(value)
    if kind in ("float", "double"):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        return repr(number)
    return escape_text(str(value))
