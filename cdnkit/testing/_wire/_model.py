"""botocore shapes compiled once into small, fast trees the codecs walk on every request.

A :class:`Node` is one botocore shape (type-level traits: members, constraints); a
:class:`Field` is one *reference* to a shape from a structure, list or map (reference-level
traits: wire name, location, namespace). botocore merges both kinds of trait into the member
``Shape.serialization``; splitting them lets recursive shapes compile to a finite graph.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from botocore.model import (
    ListShape,
    MapShape,
    OperationModel,
    ServiceModel,
    Shape,
    StructureShape,
)

logger = logging.getLogger("cdnkit.testing")

#: Response header names the model gets wrong, keyed by (output shape, member). The real service
#: sends ``ETag``; botocore's model says ``ETtag`` (see AWS-FACTS.md, "botocore bug").
RESPONSE_HEADER_FIXES: Final[Mapping[tuple[str, str], str]] = {
    ("UpdateFunctionResult", "ETag"): "ETag",
}

# Smithy patterns use Java's Unicode classes, which Python's ``re`` lacks. Each maps to the
# closest class ``re`` has; ``\w`` and ``\s`` are wider than the originals, so a translated
# pattern may accept a little more than the service would, never less.
_UNICODE_CLASSES: Final[Mapping[str, str]] = {
    r"\p{L}": r"\w",
    r"\p{N}": r"\d",
    r"\p{Z}": r"\s",
    r"\p{M}": r"\w",
    r"\p{P}": r"!-/:-@\[-`{-~",
    r"\p{S}": r"!-/:-@\[-`{-~",
}


def compile_pattern(pattern: str) -> re.Pattern[str] | None:
    """Compile a Smithy pattern for ``re.search``; None (no check) when ``re`` cannot."""
    translated = pattern
    for java, python in _UNICODE_CLASSES.items():
        translated = translated.replace(java, python)
    try:
        return re.compile(translated)
    except re.error:
        logger.debug("pattern %r is not supported by re; not checked", pattern)
        return None


@dataclass(eq=False, slots=True)
class Node:
    """One shape, with what validation and the codecs need precomputed."""

    name: str
    kind: str  # botocore type name: structure, list, map, string, integer, blob, ...
    fields: dict[str, Field] = field(default_factory=dict)  # structure members by member name
    json_fields: dict[str, Field] = field(default_factory=dict)  # by JSON key
    xml_fields: dict[str, Field] = field(default_factory=dict)  # by XML element name
    required: tuple[str, ...] = ()
    item: Field | None = None  # list member
    key: Field | None = None  # map key
    value: Field | None = None  # map value
    min: float | None = None  # length for strings, blobs, lists and maps; value for numbers
    max: float | None = None
    enum: frozenset[str] | None = None
    pattern: re.Pattern[str] | None = None
    pattern_source: str = ""
    payload: str | None = None  # the structure member that is the whole HTTP body
    xml_name: str | None = None  # the structure's own locationName (top-level XML body root)
    document: bool = False
    union: bool = False
    #: A CloudFront ``{Quantity, Items}`` wrapper (Quantity must equal len(Items)).
    quantity_wrapper: bool = False
    #: The structure has members bound to the body (not URI, query string or headers).
    has_body_members: bool = False
    #: Members bound to the URI, the query string, headers or the status code.
    located: tuple[Field, ...] = ()


@dataclass(eq=False, slots=True)
class Field:
    """One reference to a node, with the traits of that reference."""

    name: str  # botocore member name (the key of the Python form)
    wire: str  # JSON key, XML element, header name, query key or URI label
    node: Node
    location: str | None = None  # uri | querystring | header | headers | statusCode | None
    #: ``xmlns`` attribute text (`` xmlns="..."``) the element carries, or "".
    xml_namespace: str = ""
    xml_attribute: bool = False
    flattened: bool = False
    timestamp_format: str | None = None
    json_value: bool = False


class ShapeCompiler:
    """Compiles the shapes of one service model; nodes are shared and cached by shape name."""

    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}

    def node(self, shape: Shape) -> Node:
        existing = self._nodes.get(shape.name)
        if existing is not None:
            return existing
        metadata: Mapping[str, Any] = shape.metadata
        node = Node(name=shape.name, kind=shape.type_name)
        # Register before filling children, so recursive shapes end in a cycle, not a loop.
        self._nodes[shape.name] = node
        node.min = _number(metadata.get("min"))
        node.max = _number(metadata.get("max"))
        enum = metadata.get("enum")
        if enum:
            node.enum = frozenset(str(value) for value in enum)
        pattern = metadata.get("pattern")
        if isinstance(pattern, str):
            node.pattern = compile_pattern(pattern)
            node.pattern_source = pattern
        if isinstance(shape, StructureShape):
            self._fill_structure(node, shape)
        elif isinstance(shape, ListShape):
            # A list item's ``wire`` is the XML element of each item ("member" by default).
            node.item = self.field("member", shape.member)
        elif isinstance(shape, MapShape):
            node.key = self.field("key", shape.key)
            node.value = self.field("value", shape.value)
        return node

    def _fill_structure(self, node: Node, shape: StructureShape) -> None:
        node.document = bool(shape.metadata.get("document"))
        node.union = bool(shape.metadata.get("union"))
        node.required = tuple(shape.required_members)
        node.payload = shape.serialization.get("payload")
        node.xml_name = shape.serialization.get("name")
        for member_name, member_shape in shape.members.items():
            member = self.field(member_name, member_shape)
            node.fields[member_name] = member
            if member.location is None:
                node.has_body_members = True
                node.json_fields[member.wire] = member
                node.xml_fields[_xml_element_name(member)] = member
            else:
                node.located += (member,)
        quantity = node.fields.get("Quantity")
        items = node.fields.get("Items")
        node.quantity_wrapper = (
            quantity is not None
            and items is not None
            and quantity.node.kind == "integer"
            and items.node.kind == "list"
        )

    def field(self, name: str, shape: Shape) -> Field:
        serialization: Mapping[str, Any] = shape.serialization
        namespace = serialization.get("xmlNamespace")
        namespace_attribute = ""
        if isinstance(namespace, Mapping) and namespace.get("uri"):
            prefix = namespace.get("prefix")
            attribute = f"xmlns:{prefix}" if prefix else "xmlns"
            namespace_attribute = f' {attribute}="{namespace["uri"]}"'
        elif isinstance(namespace, str) and namespace:
            namespace_attribute = f' xmlns="{namespace}"'
        result = Field(
            name=name,
            wire=serialization.get("name", name),
            node=self.node(shape),
            location=serialization.get("location"),
            xml_namespace=namespace_attribute,
            xml_attribute=bool(serialization.get("xmlAttribute")),
            flattened=bool(serialization.get("flattened")),
            timestamp_format=serialization.get("timestampFormat"),
            json_value=bool(serialization.get("jsonvalue")),
        )
        return result


def _xml_element_name(member: Field) -> str:
    # A flattened list repeats its items directly in the parent, named after the items.
    if member.flattened and member.node.kind == "list" and member.node.item is not None:
        item_name = member.node.item.wire
        if item_name != "member":
            return item_name
    return member.wire


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


@dataclass(eq=False, slots=True)
class ErrorSpec:
    """A modeled error: its HTTP status and the shape of its extra members."""

    code: str
    status: int | None
    node: Node


class OperationPlan:
    """One operation: HTTP binding plus compiled input and output trees (compiled on first use)."""

    __slots__ = (
        "_compiler",
        "_input",
        "_model",
        "_output",
        "method",
        "name",
        "request_uri",
        "response_code",
        "service",
    )

    def __init__(self, service: str, model: OperationModel, compiler: ShapeCompiler) -> None:
        self.service = service
        self.name: str = model.name
        self.method: str = str(model.http.get("method", "POST")).upper()
        self.request_uri: str = str(model.http.get("requestUri", "/"))
        code = model.http.get("responseCode")
        self.response_code: int = int(code) if code is not None else 200
        self._model = model
        self._compiler = compiler
        self._input: Node | None = None
        self._output: Node | None = None

    @property
    def input(self) -> Node:
        if self._input is None:
            shape = self._model.input_shape
            self._input = (
                self._compiler.node(shape) if shape is not None else Node("Empty", "structure")
            )
        return self._input

    @property
    def output(self) -> Node:
        if self._output is None:
            shape = self._model.output_shape
            self._output = (
                self._compiler.node(shape) if shape is not None else Node("Empty", "structure")
            )
        return self._output


class ServiceSchema:
    """Everything the wire layer knows about one service's model."""

    def __init__(self, model: ServiceModel) -> None:
        self.model = model
        self.name: str = model.service_name
        self.protocol: str = model.protocol
        self.signing_name: str = model.signing_name
        self.target_prefix: str | None = model.metadata.get("targetPrefix")
        self.json_version: str = str(model.metadata.get("jsonVersion", "1.1"))
        self.compiler = ShapeCompiler()
        self.operations: dict[str, OperationPlan] = {
            name: OperationPlan(self.name, model.operation_model(name), self.compiler)
            for name in model.operation_names
        }
        self.errors: dict[str, ErrorSpec] = {}
        for shape in model.error_shapes:
            error = shape.metadata.get("error", {})
            code = str(error.get("code", shape.name))
            status = error.get("httpStatusCode")
            self.errors[code] = ErrorSpec(
                code=code,
                status=int(status) if status is not None else None,
                node=self.compiler.node(shape),
            )
        self.xml_namespace = _find_xml_namespace(model)

    def output_header_name(self, output: Node, member: Field) -> str:
        return RESPONSE_HEADER_FIXES.get((output.name, member.name), member.wire)


def _find_xml_namespace(model: ServiceModel) -> str | None:
    """The service's XML namespace, as its request payloads declare it."""
    if model.protocol != "rest-xml":
        return None
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        if shape is None:
            continue
        candidates = [shape, *shape.members.values()]
        for candidate in candidates:
            namespace = candidate.serialization.get("xmlNamespace")
            if isinstance(namespace, Mapping) and namespace.get("uri"):
                return str(namespace["uri"])
            if isinstance(namespace, str):
                return namespace
    return None
