"""Reply parsing for cdnkit's aiobotocore clients: botocore's parsers, with the walk over a
reply's body compiled once per shape.

Why this exists: botocore's parsers walk every reply in generic Python, looking up each
member's traits and handler by name, for every member of every structure, present or not. That
walk costs more than everything else cdnkit does with a reply (GetOperation: about 100 us
against 9 us for cdnkit's whole pydantic parse; a 1,000-distribution GetDistributions: about
180 ms, nearly all of the raw call). Here each structure shape gets a plan once (which keys or
elements it has, which need converting: timestamps, blobs, nested structures), and a reply is
walked by its plan.

The promise, kept by tests/parsing (which compare this parser with botocore's on random and
hostile replies of every operation of the three services): the parsed dict is equal to the one
botocore's own parser returns, member for member. Only the body walk of structures is replaced;
the status, headers, metadata, payload and error handling are botocore's. Whatever a plan does
not cover (tagged unions, documents, XML attributes, flattened XML lists or maps, error shapes,
timestamps or blobs in forms other than AWS's usual ones) and whatever a reply brings that a plan
does not expect (a wrong type, a repeated XML element) goes to botocore's walk, on the same
untouched input: plans never change the values they read.

A hard choice to undo, written down: this relies on botocore's parser classes calling
``_parse_shape`` for the body (true since botocore 1.x; a change there only makes every reply
take botocore's walk again, never a different result) and on aiobotocore's endpoint holding its
parser factory in ``_response_parser_factory`` (checked when a client opens: without it, the
client keeps botocore's parsers).
"""

from __future__ import annotations

import base64
import datetime
import re
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from typing import Any

from aiobotocore.parsers import (
    AioJSONParser,
    AioResponseParserFactory,
    AioRestJSONParser,
    AioRestXMLParser,
)
from botocore.model import ListShape, MapShape, Shape, StructureShape
from botocore.parsers import DEFAULT_TIMESTAMP_PARSER, ResponseParser
from botocore.utils import ensure_boolean
from dateutil.tz import tzlocal, tzutc

__all__ = ["ReplyParserFactory", "install"]

Walk = Callable[[Any], Any]

# botocore's scalar types that its JSON walk returns as they came.
_JSON_AS_IS = frozenset(("string", "character", "integer", "long", "float", "double", "boolean"))
# AWS's usual XML timestamp; other forms go to botocore's parser.
_ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z")
# botocore gives epoch timestamps in the local zone and ISO ones ending in Z in UTC, with
# dateutil's zone objects; the same here, made once. Where the local zone has no daylight saving
# time (servers mostly run in UTC), its offset is fixed: the time is computed in C with that
# offset and given dateutil's zone after, the same value without dateutil's Python conversion.
_LOCAL = tzlocal()
_UTC = tzutc()
_LOCAL_FIXED = (
    None if time.daylight else datetime.timezone(datetime.timedelta(seconds=-time.timezone))
)
_fromtimestamp = datetime.datetime.fromtimestamp
_fromisoformat = datetime.datetime.fromisoformat


class _NoPlan(Exception):
    """A shape this module leaves to botocore's walk."""


def _timestamp(value: Any) -> datetime.datetime:
    kind = type(value)
    if kind is int or kind is float:
        if _LOCAL_FIXED is not None:
            return _fromtimestamp(value, _LOCAL_FIXED).replace(tzinfo=_LOCAL)
        return _fromtimestamp(value, _LOCAL)
    if kind is str and _ISO_UTC.fullmatch(value):
        return _fromisoformat(value).replace(tzinfo=_UTC)
    parsed: datetime.datetime = DEFAULT_TIMESTAMP_PARSER(value)
    return parsed


def _check_structure(shape: StructureShape) -> None:
    if shape.is_document_type or shape.is_tagged_union or shape.metadata.get("exception"):
        raise _NoPlan(shape.name)
    if shape.serialization.get("eventstream") or shape.event_stream_name:
        raise _NoPlan(shape.name)


def _key(shape: Shape) -> Any:
    """A structure's key among the plans: botocore makes a new Shape object for every
    reference to a shape, so the shape's name within its service model (its resolver, kept
    alive by the key so its id cannot be reused) is what identifies it. A shape that contains
    itself is then found while it is being compiled."""
    resolver = getattr(shape, "_shape_resolver", None)
    return shape if resolver is None else (resolver, shape.name)


class _Plans:
    """The compiled walks of one protocol, by structure (see :func:`_key`)."""

    def __init__(self, compile_structure: Callable[[StructureShape, dict[Any, Any]], Walk]) -> None:
        self._compile = compile_structure
        self._walks: dict[Any, Any] = {}

    def walk_for(self, shape: StructureShape) -> Walk | None:
        key = _key(shape)
        found: Walk | None = self._walks.get(key, _MISSING)
        if found is not _MISSING and found is not _COMPILING:
            return found
        try:
            walk: Walk | None = _structure(shape, self._walks, self._compile)
        except Exception:
            walk = None  # a shape left to botocore (_NoPlan), or a model too deep to compile
        self._walks[key] = walk
        return walk


def _late(shape: Shape, walks: dict[Any, Any]) -> Walk:
    """The walk of a shape still being compiled when a member of its own needs it."""
    key = _key(shape)

    def walk(value: Any) -> Any:
        found = walks.get(key)
        if found is None or found is _COMPILING:
            raise _NoPlan(shape.name)
        return found(value)

    return walk


_MISSING: Any = object()


# -- JSON (Lightsail's "json" protocol, the KeyValueStore data plane's "rest-json") ----------------

_COMPILING: Any = object()


def _structure(
    shape: StructureShape,
    walks: dict[Any, Any],
    compile_walk: Callable[[StructureShape, dict[Any, Any]], Walk],
) -> Walk:
    """The walk of a structure, compiled once (a shape that contains itself binds late)."""
    key = _key(shape)
    found = walks.get(key, _MISSING)
    if found is _COMPILING:
        return _late(shape, walks)
    if found is None:
        raise _NoPlan(shape.name)
    if found is not _MISSING:
        return found  # type: ignore[no-any-return]  # a walk
    _check_structure(shape)
    walks[key] = _COMPILING
    try:
        walk = compile_walk(shape, walks)
    except _NoPlan:
        walks[key] = None
        raise
    except BaseException:
        del walks[key]
        raise
    walks[key] = walk
    return walk


def _exact(kind: type, convert: Callable[[Any], Any]) -> Walk:
    def walk(value: Any) -> Any:
        return value if type(value) is kind else convert(value)

    return walk


class _Json:
    """Plans for botocore's JSON walk: the "json" protocol keeps scalars as they came, the
    "rest-json" one converts numbers and booleans (``int(value)``, ``ensure_boolean``)."""

    def __init__(self, rest: bool) -> None:
        self.rest = rest

    def member(self, shape: Shape, walks: dict[Any, Any]) -> Walk | None:
        """How botocore converts a member's value (None: it keeps it as it came)."""
        kind = shape.type_name
        if shape.serialization.get("jsonvalue"):
            raise _NoPlan(shape.name)
        if kind in _JSON_AS_IS:
            if self.rest:
                if kind in ("integer", "long"):
                    return _exact(int, int)
                if kind in ("float", "double"):
                    return _exact(float, float)
                if kind == "boolean":
                    return _exact(bool, ensure_boolean)
            return None
        if kind == "timestamp":
            return _timestamp
        if kind == "blob":
            return base64.b64decode
        if kind == "structure":
            assert isinstance(shape, StructureShape)
            return _structure(shape, walks, self.structure)
        if kind == "list":
            assert isinstance(shape, ListShape)
            return self._list(shape, self.member(shape.member, walks))
        if kind == "map":
            assert isinstance(shape, MapShape)
            if self.member(shape.key, walks) is not None:
                raise _NoPlan(shape.name)
            return self._map(shape, self.member(shape.value, walks))
        raise _NoPlan(shape.name)

    @staticmethod
    def _list(shape: Shape, item: Walk | None) -> Walk:
        name = shape.name
        if item is None:

            def as_is_list(value: Any) -> Any:
                if type(value) is not list:
                    raise _NoPlan(name)
                return value

            return as_is_list

        def convert_list(value: Any) -> Any:
            if type(value) is not list:
                raise _NoPlan(name)
            # botocore keeps null items as they are.
            return [None if each is None else item(each) for each in value]

        return convert_list

    @staticmethod
    def _map(shape: Shape, entry: Walk | None) -> Walk:
        name = shape.name
        if entry is None:

            def as_is_map(value: Any) -> Any:
                if type(value) is not dict:
                    raise _NoPlan(name)
                return value

            return as_is_map

        def convert_map(value: Any) -> Any:
            if type(value) is not dict or None in value.values():
                raise _NoPlan(name)
            return {key: entry(each) for key, each in value.items()}

        return convert_map

    def structure(self, shape: StructureShape, walks: dict[Any, Any]) -> Walk:
        members: list[tuple[str, str, Any]] = []
        for name, member in shape.members.items():
            members.append(
                (member.serialization.get("name", name), name, self.member(member, walks))
            )
        renamed = any(wire != name for wire, name, _ in members)
        known = frozenset(wire for wire, _, _ in members)
        converted = tuple((name, convert) for _, name, convert in members if convert is not None)
        name_of_shape = shape.name

        def walk(value: Any) -> Any:
            if type(value) is not dict:
                if value is None:
                    return None  # botocore returns a null structure as it came
                raise _NoPlan(name_of_shape)
            if not renamed and value.keys() <= known and None not in value.values():
                # The usual reply: known members only, none null. botocore builds an equal
                # dict; members needing no conversion are taken as they are.
                if not converted:
                    return value
                parsed = dict(value)
                for name, convert in converted:
                    found = parsed.get(name)
                    if found is not None:
                        parsed[name] = convert(found)
                return parsed
            parsed = {}
            get = value.get
            for wire_name, name, convert in members:
                found = get(wire_name)
                if found is not None:
                    parsed[name] = found if convert is None else convert(found)
            return parsed

        return walk


# -- XML (CloudFront's "rest-xml" protocol) ----------------------------------------------------


def _text(node: Any) -> str:
    text: str | None = node.text
    return "" if text is None else text


def _xml_member(shape: Shape, walks: dict[Any, Any]) -> Walk:
    """How botocore's XML walk converts a member's element."""
    kind = shape.type_name
    if kind in ("string", "character"):
        return _text
    if kind in ("integer", "long"):
        return lambda node: int(_text(node))
    if kind in ("float", "double"):
        return lambda node: float(_text(node))
    if kind == "boolean":
        return lambda node: _text(node) == "true"
    if kind == "timestamp":
        return lambda node: _timestamp(_text(node))
    if kind == "blob":
        return lambda node: base64.b64decode(_text(node))
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        return _structure(shape, walks, _compile_xml_structure)
    if kind == "list":
        assert isinstance(shape, ListShape)
        if shape.serialization.get("flattened"):
            raise _NoPlan(shape.name)
        item = _xml_member(shape.member, walks)
        return lambda node: [item(each) for each in node]
    raise _NoPlan(shape.name)  # maps: none in CloudFront's replies; botocore's walk has them


def _compile_xml_structure(shape: StructureShape, walks: dict[Any, Any]) -> Walk:
    by_tag: dict[str, tuple[str, Walk]] = {}
    for name, member in shape.members.items():
        serialization = member.serialization
        if serialization.get("xmlAttribute"):
            raise _NoPlan(shape.name)
        if serialization.get("location") or serialization.get("eventheader"):
            continue  # botocore reads these from the headers, never from the body
        by_tag[serialization.get("name", name)] = (name, _xml_member(member, walks))
    # Elements by their tag as it comes (with the reply's namespace), learnt from the bare tag.
    seen: dict[str, tuple[str, Walk] | None] = {}
    name_of_shape = shape.name

    def walk(node: Any) -> Any:
        if type(node) is not _ELEMENT:
            raise _NoPlan(name_of_shape)
        parsed: dict[str, Any] = {}
        for child in node:
            tag = child.tag
            try:
                entry = seen[tag]
            except KeyError:
                entry = by_tag.get(_bare(tag)) if type(tag) is str else None
                if len(seen) < 256:
                    seen[tag] = entry
            if entry is None:
                continue  # an element this botocore does not know: botocore drops it too
            name, convert = entry
            if name in parsed:
                raise _NoPlan(name_of_shape)  # repeated: botocore's own rules apply
            parsed[name] = convert(child)
        return parsed

    return walk


_ELEMENT = ElementTree.Element
_NAMESPACE = re.compile("{.*}")


def _bare(tag: str) -> str:
    return _NAMESPACE.sub("", tag) if "{" in tag else tag


# -- the parsers and their factory -------------------------------------------------------------


class _CompiledWalks(ResponseParser):
    """Mixed into botocore's parsers: structures are walked by their plans."""

    plans: _Plans | None = None

    def _parse_shape(self, shape: Shape, node: Any) -> Any:
        plans = self.plans
        if plans is not None and isinstance(shape, StructureShape):
            walk = plans.walk_for(shape)
            if walk is not None:
                try:
                    return walk(node)
                except Exception:
                    pass  # unexpected input: botocore's walk decides, on the same input
        return super()._parse_shape(shape, node)  # type: ignore[misc]  # untyped in the stubs


class _JSONParser(_CompiledWalks, AioJSONParser):
    pass


class _RestJSONParser(_CompiledWalks, AioRestJSONParser):
    pass


class _RestXMLParser(_CompiledWalks, AioRestXMLParser):
    pass


_PARSERS: dict[str, tuple[type[_CompiledWalks], Callable[[StructureShape, dict[Any, Any]], Walk]]]
_PARSERS = {
    "json": (_JSONParser, _Json(rest=False).structure),
    "rest-json": (_RestJSONParser, _Json(rest=True).structure),
    "rest-xml": (_RestXMLParser, _compile_xml_structure),
}


class ReplyParserFactory(AioResponseParserFactory):
    """aiobotocore's parser factory, giving parsers with compiled walks for the JSON and XML
    protocols (one parser per protocol, reused: botocore's parsers keep no state per reply).
    The walks reproduce botocore's default timestamp and blob parsing: once
    ``set_parser_defaults`` gives other ones, the factory gives botocore's own parsers."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, ResponseParser] = {}

    def create_parser(self, protocol_name: str) -> ResponseParser:
        if getattr(self, "_defaults", None):
            # A timestamp or blob parser of the caller's (set_parser_defaults): botocore's
            # parsers with them, as its own factory gives.
            return super().create_parser(protocol_name)
        made = self._made.get(protocol_name)
        if made is not None:
            return made
        known = _PARSERS.get(protocol_name)
        if known is None:
            return super().create_parser(protocol_name)
        cls, compile_walk = known
        parser = cls()
        parser.plans = _Plans(compile_walk)
        self._made[protocol_name] = parser
        return parser


def install(client: object) -> bool:
    """Give an aiobotocore client's endpoint this module's parsers, if it has botocore's default
    factory without changed defaults (a client built otherwise keeps its own). True when
    installed."""
    endpoint = getattr(client, "_endpoint", None)
    factory = getattr(endpoint, "_response_parser_factory", None)
    if type(factory) is not AioResponseParserFactory or getattr(factory, "_defaults", None):
        return False
    setattr(endpoint, "_response_parser_factory", ReplyParserFactory())  # noqa: B010
    return True
