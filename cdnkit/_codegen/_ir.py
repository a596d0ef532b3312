"""botocore service model -> a small intermediate form the renderer (and tests) walk."""

from __future__ import annotations

import dataclasses
import hashlib
import keyword
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, cast

from botocore import xform_name
from botocore.loaders import Loader

from cdnkit._models import camel_case, pascal_case

from ._docs import summarize
from ._overrides import (
    NAME_OVERRIDES,
    OVERRIDES,
    REPLY_REQUIRED,
    Constraint,
    MemberOverride,
    OrderOverride,
    ShapeOverride,
)

ScalarKind = Literal["str", "int", "float", "bool", "bytes", "datetime"]

_SCALARS: dict[str, ScalarKind] = {
    "string": "str",
    "integer": "int",
    "long": "int",
    "float": "float",
    "double": "float",
    "boolean": "bool",
    "blob": "bytes",
    "timestamp": "datetime",
}

# Names a generated field may not take: they would shadow pydantic's BaseModel API.
_RESERVED = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
        "fields",
    }
)


#: Checks on one value. The override table's type serves the intermediate form too: a merged
#: value is the model's bounds with the override's wherever it sets one.
Constraints = Constraint


def _merged(base: Constraint, override: Constraint) -> Constraint:
    """The override wins wherever it sets a bound."""
    changes = {
        field.name: getattr(override, field.name)
        for field in dataclasses.fields(override)
        if getattr(override, field.name) is not None
    }
    return dataclasses.replace(base, **changes)


#: botocore's number types whose values the wire cannot carry beyond a range: integers are
#: 32-bit and longs 64-bit signed (AWS parses them so), and no JSON or XML number is NaN or
#: infinite. Each is checked by one shared annotated type of ``cdnkit._models`` (named here)
#: where the member has no bounds of its own, else by bounds folded into its own ``Field``.
WireNumber = Literal["integer", "long", "float", "double"]
WIRE_NUMBERS: dict[WireNumber, tuple[str, int | None, int | None]] = {
    "integer": ("Int32", -(2**31), 2**31 - 1),
    "long": ("Int64", -(2**63), 2**63 - 1),
    "float": ("FiniteFloat", None, None),
    "double": ("FiniteFloat", None, None),
}


@dataclasses.dataclass(frozen=True)
class TypeRef:
    """The type of a member, list item or map value."""

    kind: Literal["scalar", "enum", "struct", "list", "map"]
    shape: str
    scalar: ScalarKind | None = None
    enum: tuple[str, ...] = ()
    item: TypeRef | None = None
    key: TypeRef | None = None
    constraints: Constraints = dataclasses.field(default_factory=Constraints)
    #: A number's botocore type, whose wire range requests are checked against (None: not a
    #: number, or only replies use it).
    wire_number: WireNumber | None = None


@dataclasses.dataclass(frozen=True)
class MemberIR:
    wire_name: str
    attr_name: str
    type: TypeRef
    required: bool
    sensitive: bool
    #: Set on a CloudFront ``Quantity`` next to ``Items``: defaults to ``len(Items)``.
    derived_quantity: bool = False
    #: Plain text for the attribute docstring (see ``_docs.summarize``).
    doc: str = ""


@dataclasses.dataclass(frozen=True)
class StructIR:
    name: str
    #: Plain text for the class docstring (see ``_docs.summarize``).
    doc: str
    members: tuple[MemberIR, ...]
    ordered: tuple[tuple[str, str], ...] = ()
    quantity_wrapper: bool = False
    #: Set on the input shape of exactly one operation: that operation's name. The class then
    #: derives from its service's ``OperationRequest`` base (see ``cdnkit._operation``).
    operation: str | None = None
    #: With ``operation``: the name of the operation's output shape (None: it has none).
    result: str | None = None


@dataclasses.dataclass(frozen=True)
class ServiceIR:
    service: str
    module: str
    api_version: str
    title: str
    model_file: str
    model_sha256: str
    enums: dict[str, tuple[str, ...]]
    structs: tuple[StructIR, ...]
    #: Plain text for the docstring of each enum alias.
    enum_docs: dict[str, str] = dataclasses.field(default_factory=dict)
    #: The ``cdnkit._operation`` base of this service's request models.
    request_base: str = "OperationRequest"
    #: How most of the service's member names follow from the attributes' (see ``WIRE_CASES``).
    wire_case: WireCase = "pascal"


SERVICES: tuple[str, ...] = ("lightsail", "cloudfront", "cloudfront-keyvaluestore")

WireCase = Literal["pascal", "camel"]

#: Each way of deriving a member's wire name from its attribute name: the rule (the alias
#: generator of the models' base, None where the wire name is the attribute's) and that base
#: in ``cdnkit._models``. A member the rule does not give keeps an explicit alias.
WIRE_CASES: dict[WireCase, tuple[Callable[[str], str | None], str]] = {
    "pascal": (pascal_case, "PascalCaseModel"),
    "camel": (camel_case, "CamelCaseModel"),
}


def derived_wire_name(case: WireCase, attr_name: str) -> str:
    """The wire name the models' alias generator gives ``attr_name``."""
    return WIRE_CASES[case][0](attr_name) or attr_name


def _wire_case(structs: Iterable[StructIR]) -> WireCase:
    """The rule that derives the most member names (botocore services keep to one)."""
    members = [m for s in structs for m in s.members]
    return max(
        WIRE_CASES,
        key=lambda case: sum(derived_wire_name(case, m.attr_name) == m.wire_name for m in members),
    )


#: Each service's base of its request models, in ``cdnkit._operation``.
REQUEST_BASES: dict[str, str] = {
    "lightsail": "LightsailRequest",
    "cloudfront": "CloudFrontRequest",
    "cloudfront-keyvaluestore": "KeyValueStoreRequest",
}


def module_name(service: str) -> str:
    return service.replace("-", "_")


#: What every enum alias's docstring says after botocore's own documentation, if any.
ENUM_NOTE = (
    "Values botocore knows; a request must use one, a reply may hold a newer one as it came."
)


def _member_doc(wire: str, spec: dict[str, Any], target: dict[str, Any]) -> str:
    """The member's documentation, else its target shape's, else a note naming the member."""
    doc = summarize(spec.get("documentation")) or summarize(target.get("documentation"))
    return doc or f"Not documented in botocore's model (member ``{wire}``)."


def _attr_name(wire: str) -> str:
    name = NAME_OVERRIDES.get(wire) or xform_name(wire)
    if keyword.iskeyword(name) or name in _RESERVED or name.startswith("model_"):
        name += "_"
    return name


class _Builder:
    def __init__(self, service: str, model: dict[str, Any]) -> None:
        self.service = service
        self.shapes: dict[str, Any] = model["shapes"]
        #: Shape name -> (operation, "Request" or "Reply"): its class docstring names the operation.
        self.roles: dict[str, tuple[str, str]] = {}
        self.operation_docs: dict[str, str] = {}
        for op_name, op in model["operations"].items():
            self.operation_docs[op_name] = op.get("documentation", "")
            for key, role in (("input", "Request"), ("output", "Reply")):
                if key in op:
                    self.roles.setdefault(op[key]["shape"], (op_name, role))
        inputs = [op["input"]["shape"] for op in model["operations"].values() if "input" in op]
        #: Input shape -> (operation, output shape or None), for shapes that are the input of
        #: exactly one operation. A shape serving two operations would not say which one a
        #: ``call`` means: it gets no operation base, and ``call`` refuses it by name.
        self.requests: dict[str, tuple[str, str | None]] = {}
        for op_name, op in model["operations"].items():
            if "input" in op and inputs.count(op["input"]["shape"]) == 1:
                output = op["output"]["shape"] if "output" in op else None
                self.requests[op["input"]["shape"]] = (op_name, output)
        #: Shapes only replies use: checks that run Python code (UTF-8 byte limits) are left
        #: off them, since replies are never checked against limits anyway.
        self.reply_only = self._reachable(
            op["output"]["shape"] for op in model["operations"].values() if "output" in op
        ) - self._reachable(inputs)
        self.shape_overrides: dict[str, Constraint] = {}
        self.member_overrides: dict[tuple[str, str], MemberOverride] = {}
        self.orders: dict[str, list[tuple[str, str]]] = {}
        for row in OVERRIDES:
            if row.service != service:
                continue
            self._check_row(row)
            if isinstance(row, ShapeOverride):
                self.shape_overrides[row.shape] = row.constraint
            elif isinstance(row, MemberOverride):
                self.member_overrides[(row.shape, row.member)] = row
            else:
                self.orders.setdefault(row.shape, []).append((row.lesser, row.greater))
        #: Members AWS always sends on reply-only structures (override table): required.
        self.reply_required: dict[str, set[str]] = {}
        for always in REPLY_REQUIRED:
            if always.service != service:
                continue
            members = self.shapes.get(always.shape, {}).get("members", {})
            unknown = [m for m in always.members if m not in members]
            if always.shape not in self.shapes or unknown:
                raise LookupError(f"REPLY_REQUIRED names unknown {always.shape} {unknown}")
            if always.shape not in self.reply_only:
                raise ValueError(f"{always.shape} is used in a request: cannot require members")
            self.reply_required.setdefault(always.shape, set()).update(always.members)

    def _reachable(self, roots: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        pending = list(roots)
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            shape = self.shapes[name]
            if shape["type"] == "structure":
                pending += [spec["shape"] for spec in shape.get("members", {}).values()]
            elif shape["type"] == "list":
                pending.append(shape["member"]["shape"])
            elif shape["type"] == "map":
                pending += [shape["key"]["shape"], shape["value"]["shape"]]
        return seen

    def _check_row(self, row: ShapeOverride | MemberOverride | OrderOverride) -> None:
        shape = self.shapes.get(row.shape)
        if shape is None:
            raise LookupError(f"override names unknown shape {self.service}.{row.shape}")
        members: list[str] = []
        if isinstance(row, MemberOverride):
            members = [row.member]
        elif isinstance(row, OrderOverride):
            members = [row.lesser, row.greater]
        for member in members:
            if member not in shape.get("members", {}):
                raise LookupError(f"override names unknown member {row.shape}.{member}")

    def constraints(self, shape_name: str) -> Constraints:
        shape = self.shapes[shape_name]
        lo, hi = shape.get("min"), shape.get("max")
        if shape["type"] in {"integer", "long", "float", "double"}:
            base = Constraints(ge=lo, le=hi)
        elif shape["type"] in {"string", "blob", "list", "map"}:
            base = Constraints(min_length=lo, max_length=hi, pattern=shape.get("pattern"))
        else:
            base = Constraints()
        if shape_name in self.shape_overrides:
            base = _merged(base, self.shape_overrides[shape_name])
        return base

    def type_ref(self, shape_name: str) -> TypeRef:
        shape = self.shapes[shape_name]
        kind = shape["type"]
        constraints = self.constraints(shape_name)
        if kind == "structure":
            return TypeRef("struct", shape_name)
        if kind == "list":
            item = self.type_ref(shape["member"]["shape"])
            return TypeRef("list", shape_name, item=item, constraints=constraints)
        if kind == "map":
            key = self.type_ref(shape["key"]["shape"])
            value = self.type_ref(shape["value"]["shape"])
            return TypeRef("map", shape_name, key=key, item=value, constraints=constraints)
        if kind == "string" and "enum" in shape:
            return TypeRef("enum", shape_name, scalar="str", enum=tuple(shape["enum"]))
        if kind in _SCALARS:
            number = cast(WireNumber, kind) if kind in WIRE_NUMBERS else None
            return TypeRef(
                "scalar",
                shape_name,
                scalar=_SCALARS[kind],
                constraints=constraints,
                wire_number=number,
            )
        raise TypeError(f"{self.service}.{shape_name}: unsupported shape type {kind!r}")

    def struct_doc(self, name: str) -> str:
        """The shape's documentation; an operation's request or reply first names the operation.

        botocore documents few of those (CloudFront's replies say only "The returned result of
        the corresponding request."), so the operation's documentation stands in when the shape
        has none.
        """
        doc = summarize(self.shapes[name].get("documentation"))
        if name not in self.roles:
            return doc or f"The ``{name}`` structure."
        operation, role = self.roles[name]
        about = doc or summarize(self.operation_docs[operation])
        return "\n\n".join(filter(None, [f"{role} of the ``{operation}`` operation.", about]))

    def struct(self, name: str) -> StructIR:
        shape = self.shapes[name]
        required = set(shape.get("required", ())) | self.reply_required.get(name, set())
        wire_members: dict[str, Any] = shape["members"]
        is_wrapper = "Quantity" in wire_members and "Items" in wire_members
        members: list[MemberIR] = []
        for wire, spec in wire_members.items():
            ref = self.type_ref(spec["shape"])
            if (
                spec.get("location") == "uri"
                and ref.kind == "scalar"
                and not (ref.constraints.min_length)
            ):
                # An empty URI label makes another URI (GET /distribution/ lists instead of
                # reading one): refused before sending, as botocore's model does not.
                ref = dataclasses.replace(
                    ref, constraints=_merged(ref.constraints, Constraint(min_length=1))
                )
            if (
                spec.get("location") == "header"
                and name not in self.reply_only
                and ref.kind == "scalar"
                and ref.scalar == "str"
                and ref.constraints.pattern is None
            ):
                # A header value (If-Match) must be printable ASCII (spaces included: staging
                # updates send "primary-ETag, staging-ETag"): a CR/LF is refused by the HTTP
                # client after signing (taken for a lost answer) and a lone surrogate breaks
                # the signer. Refused before sending instead.
                ref = dataclasses.replace(
                    ref, constraints=_merged(ref.constraints, Constraint(pattern="^[ -~]+$"))
                )
            override = self.member_overrides.get((name, wire))
            if override is not None and override.items:
                if ref.kind != "list" or ref.item is None:
                    raise TypeError(f"override of the items of {name}.{wire}: not a list")
                item = dataclasses.replace(
                    ref.item, constraints=_merged(ref.item.constraints, override.constraint)
                )
                ref = dataclasses.replace(ref, item=item)
            elif override is not None:
                ref = dataclasses.replace(
                    ref, constraints=_merged(ref.constraints, override.constraint)
                )
            if name in self.reply_only:
                ref = _reply_only(ref)
            elif is_wrapper and wire == "Quantity":
                # Must equal len(Items) (a rule of the class): no list is long enough to break
                # the wire range, and one less checked member is a cheaper class to build.
                ref = dataclasses.replace(ref, wire_number=None)
            target = self.shapes[spec["shape"]]
            members.append(
                MemberIR(
                    wire_name=wire,
                    attr_name=_attr_name(wire),
                    type=ref,
                    required=wire in required,
                    sensitive=bool(target.get("sensitive") or spec.get("sensitive")),
                    derived_quantity=is_wrapper and wire == "Quantity",
                    doc=_member_doc(wire, spec, target),
                )
            )
        if is_wrapper:
            # Quantity's default is computed from Items, which pydantic must validate first.
            quantity = next(m for m in members if m.derived_quantity)
            members.remove(quantity)
            items_at = next(i for i, m in enumerate(members) if m.wire_name == "Items")
            members.insert(items_at + 1, quantity)
        names = [m.attr_name for m in members]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.service}.{name}: member names collide: {names}")
        ordered = tuple(
            (_attr_name(lesser), _attr_name(greater))
            for lesser, greater in self.orders.get(name, ())
        )
        operation, result = self.requests.get(name, (None, None))
        return StructIR(
            name=name,
            doc=self.struct_doc(name),
            members=tuple(members),
            ordered=ordered,
            quantity_wrapper=is_wrapper,
            operation=operation,
            result=result,
        )


def _reply_only(ref: TypeRef) -> TypeRef:
    """``ref`` without the checks only requests need that would cost each class more to
    build (UTF-8 byte limits run Python code; wire ranges add to every number)."""
    changes: dict[str, Any] = {}
    if ref.constraints.max_utf8_bytes is not None:
        changes["constraints"] = dataclasses.replace(ref.constraints, max_utf8_bytes=None)
    if ref.wire_number is not None:
        changes["wire_number"] = None
    if ref.item is not None:
        changes["item"] = _reply_only(ref.item)
    if ref.key is not None:
        changes["key"] = _reply_only(ref.key)
    return dataclasses.replace(ref, **changes) if changes else ref


def build_service(service: str, loader: Loader | None = None) -> ServiceIR:
    loader = loader or Loader()
    api_version = loader.determine_latest_version(service, "service-2")
    model, path = loader.load_data_with_path(f"{service}/{api_version}/service-2")
    builder = _Builder(service, model)
    structs = tuple(
        builder.struct(name)
        for name in sorted(model["shapes"])
        if model["shapes"][name]["type"] == "structure"
    )
    enums = {
        name: tuple(shape["enum"])
        for name, shape in sorted(model["shapes"].items())
        if shape["type"] == "string" and "enum" in shape
    }
    enum_docs = {
        name: "\n\n".join(
            filter(None, [summarize(model["shapes"][name].get("documentation")), ENUM_NOTE])
        )
        for name in enums
    }
    file = Path(path)
    # botocore may hand back the path without the compression suffix it read.
    if not file.exists():
        file = next(file.parent.glob(file.name + "*"))
    metadata = model["metadata"]
    return ServiceIR(
        service=service,
        module=module_name(service),
        api_version=api_version,
        title=metadata.get("serviceFullName", service),
        model_file=f"{service}/{api_version}/{file.name}",
        model_sha256=hashlib.sha256(file.read_bytes()).hexdigest(),
        enums=enums,
        structs=structs,
        enum_docs=enum_docs,
        request_base=REQUEST_BASES[service],
        wire_case=_wire_case(structs),
    )
