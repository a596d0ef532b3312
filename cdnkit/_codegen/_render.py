"""Intermediate form -> Python source for one service's models."""

from __future__ import annotations

from ._docs import docstring
from ._ir import Constraints, MemberIR, ServiceIR, StructIR, TypeRef

COMMAND = "python -m cdnkit._codegen"

_SCALAR_TYPES = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "bytes": "bytes",
    "datetime": "_dt.datetime",
}


class _Module:
    """Collects the names the rendered code uses, so only those get imported."""

    def __init__(self) -> None:
        self.uses: set[str] = set()

    def field_constraints(self, constraints: Constraints) -> list[str]:
        args = [
            f"{name}={value!r}"
            for name, value in (
                ("ge", constraints.ge),
                ("le", constraints.le),
                ("min_length", constraints.min_length),
                ("max_length", constraints.max_length),
                ("pattern", constraints.pattern),
            )
            if value is not None
        ]
        parts = [f"_pd.Field({', '.join(args)})"] if args else []
        if constraints.max_utf8_bytes is not None:
            self.uses.add("max_utf8_bytes")
            parts.append(f"_max_utf8_bytes({constraints.max_utf8_bytes})")
        return parts

    def checked(self, base: str, constraints: Constraints) -> str:
        parts = self.field_constraints(constraints)
        if not parts:
            return base
        return f"_t.Annotated[{base}, {', '.join(parts)}]"

    def type_expr(self, ref: TypeRef) -> str:
        if ref.kind == "struct":
            return ref.shape
        if ref.kind == "enum":
            extra = ref.constraints.extra_values
            if extra:
                return f"{ref.shape} | _t.Literal[{', '.join(map(repr, extra))}]"
            return ref.shape
        if ref.kind == "scalar":
            assert ref.scalar is not None
            if ref.scalar == "datetime":
                self.uses.add("datetime")
            return self.checked(_SCALAR_TYPES[ref.scalar], ref.constraints)
        assert ref.item is not None
        if ref.kind == "list":
            return self.checked(f"list[{self.type_expr(ref.item)}]", ref.constraints)
        assert ref.key is not None
        mapping = f"dict[{self.type_expr(ref.key)}, {self.type_expr(ref.item)}]"
        return self.checked(mapping, ref.constraints)

    def member(self, member: MemberIR) -> str:
        """The field's assignment and, on the next line, its attribute docstring."""
        field = self.field(member)
        return f"{field}\n{docstring(member.doc)}" if member.doc else field

    def field(self, member: MemberIR) -> str:
        annotation = self.type_expr(member.type)
        args: list[str] = []
        if member.derived_quantity:
            self.uses.add("derive_quantity")
            args.append("default_factory=_derive_quantity")
        elif not member.required:
            annotation = f"{annotation} | None"
            args.append("default=None")
        if member.sensitive:
            # Kept out of repr() so secrets and code do not end up in logs.
            args.append("repr=False")
        if member.attr_name != member.wire_name:
            wire = repr(member.wire_name)
            args += [f"validation_alias={wire}", f"serialization_alias={wire}"]
        if not args:
            return f"    {member.attr_name}: {annotation}"
        if args == ["default=None"]:
            return f"    {member.attr_name}: {annotation} = None"
        return f"    {member.attr_name}: {annotation} = _pd.Field({', '.join(args)})"

    def struct(self, struct: StructIR, request_base: str) -> str:
        if struct.operation is None:
            lines = [f"class {struct.name}(_Model):"]
        else:
            self.uses.add("request_base")
            # The result as a string: classes are in name order, results may come later.
            result = repr(struct.result) if struct.result else "None"
            lines = [f"class {struct.name}(_Model, _{request_base}[{result}]):"]
        lines.append(docstring(struct.doc or f"The ``{struct.name}`` structure."))
        if struct.operation is not None:
            lines.append(f"    __cdnkit_operation__ = {struct.operation!r}")
            lines.append(f"    __cdnkit_result__ = {struct.result!r}")
        if struct.quantity_wrapper:
            lines.append("    __cdnkit_quantity__ = True")
        if struct.ordered:
            lines.append(f"    __cdnkit_ordered__ = {struct.ordered!r}")
        if struct.quantity_wrapper or struct.ordered:
            # Only the classes with rules across members pay for a Python validator.
            self.uses.add("check_rules")
            lines.append("    _cdnkit_rules = _pd.model_validator(mode='after')(_check_rules)")
        lines += [self.member(m) for m in struct.members]
        return "\n".join(lines)


def render(ir: ServiceIR, botocore_version: str) -> str:
    module = _Module()
    enums: list[str] = []
    for name, values in ir.enums.items():
        enums.append(f"{name}: _t.TypeAlias = _t.Literal[{', '.join(map(repr, values))}]")
        if ir.enum_docs.get(name):
            enums.append(docstring(ir.enum_docs[name], indent=0))
    classes = [module.struct(s, ir.request_base) for s in ir.structs]
    imports = ["from __future__ import annotations", ""]
    if "datetime" in module.uses:
        imports.append("import datetime as _dt")
    imports += ["import typing as _t", "", "import pydantic as _pd", ""]
    imports.append("from cdnkit._models import CdnKitModel as _Model")
    for name, alias in (
        ("check_rules", "_check_rules"),
        ("derive_quantity", "_derive_quantity"),
        ("max_utf8_bytes", "_max_utf8_bytes"),
    ):
        if name in module.uses:
            imports.append(f"from cdnkit._models import {name} as {alias}")
    if "request_base" in module.uses:
        imports.append(f"from cdnkit._operation import {ir.request_base} as _{ir.request_base}")
    exported = sorted([*ir.enums, *(s.name for s in ir.structs)])
    header = (
        f"# Generated by `{COMMAND}` from botocore {botocore_version} "
        f"({ir.service} {ir.api_version}); do not edit."
    )
    module_doc = (
        f'"""Models for every structure shape of {ir.title} '
        f"(botocore ``{ir.service}`` {ir.api_version}).\n\n"
        "Attributes are snake_case; each member's botocore name is its alias on the wire.\n"
        "Docstrings are botocore's documentation, shortened to its opening.\n"
        '"""'
    )
    parts = [
        header,
        module_doc,
        "\n".join(imports) + "\n\n__all__ = [" + ", ".join(repr(n) for n in exported) + "]",
        "\n".join(enums),
        *classes,
    ]
    return "\n\n\n".join(parts) + "\n"
