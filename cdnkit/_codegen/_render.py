"""Intermediate form -> Python source for one service's models: a package per service.

``cdnkit/types/<service>/__init__.py`` names every model (for type checkers, in an
``if TYPE_CHECKING:`` block) and imports the module defining one on its first use. Each class
lives in a small private module with the classes it refers to in a cycle (a strongly connected
group), and imports the modules of everything else its annotations name, so pydantic resolves
every forward reference when the class is first built. A program loads only the models it
touches: creating hundreds of pydantic classes is most of what importing a service cost.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from botocore import xform_name

from ._docs import docstring
from ._ir import (
    WIRE_CASES,
    WIRE_NUMBERS,
    Constraints,
    MemberIR,
    ServiceIR,
    StructIR,
    TypeRef,
    WireCase,
    derived_wire_name,
)

COMMAND = "python -m cdnkit._codegen"
#: The shared annotated types of ``cdnkit._models`` that check numbers' wire ranges.
_SHARED_NUMBERS = sorted({shared for shared, _, _ in WIRE_NUMBERS.values()})

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

    def __init__(self, local: frozenset[str] | None = None, wire_case: WireCase = "pascal") -> None:
        self.uses: set[str] = set()
        #: How the models' base derives wire names: only the members it misses get an alias.
        self.wire_case: WireCase = wire_case
        #: Classes and enum aliases the rendered annotations name.
        self.structs: set[str] = set()
        self.enums: set[str] = set()
        #: The classes defined in the same module (None: all of them, as in one module).
        self.local = local

    def field_constraints(self, constraints: Constraints, *, finite: bool = False) -> list[str]:
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
        if finite:
            args.append("allow_inf_nan=False")
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

    def wire_number(self, ref: TypeRef) -> str:
        """A number checked against its wire range too: the shared annotated type where the
        member has no bounds of its own (no object per member), else the range folded into
        the member's own ``Field``."""
        assert ref.wire_number is not None
        assert ref.scalar is not None
        shared, low, high = WIRE_NUMBERS[ref.wire_number]
        constraints = ref.constraints
        if not self.field_constraints(constraints):
            self.uses.add(shared)
            return f"_{shared}"
        if low is not None and high is not None:
            ge = low if constraints.ge is None else max(constraints.ge, low)
            le = high if constraints.le is None else min(constraints.le, high)
            return self.checked("int", dataclasses.replace(constraints, ge=ge, le=le))
        parts = self.field_constraints(constraints, finite=True)
        return f"_t.Annotated[{_SCALAR_TYPES[ref.scalar]}, {', '.join(parts)}]"

    def type_expr(self, ref: TypeRef) -> str:
        if ref.kind == "struct":
            self.structs.add(ref.shape)
            return ref.shape
        if ref.kind == "enum":
            self.enums.add(ref.shape)
            extra = ref.constraints.extra_values
            if extra:
                return f"{ref.shape} | _t.Literal[{', '.join(map(repr, extra))}]"
            return ref.shape
        if ref.kind == "scalar":
            assert ref.scalar is not None
            if ref.scalar == "datetime":
                self.uses.add("datetime")
            if ref.wire_number is not None:
                return self.wire_number(ref)
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
        if derived_wire_name(self.wire_case, member.attr_name) != member.wire_name:
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
            # The result as a string when it is defined in this module (classes are in name
            # order, it may come later); else by name, imported from its own module.
            result = "None"
            if struct.result and (self.local is None or struct.result in self.local):
                result = repr(struct.result)
            elif struct.result:
                self.structs.add(struct.result)
                result = struct.result
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


#: The aliases of ``typing`` and ``pydantic`` in rendered code (not inside a longer name).
_USES_TYPING = re.compile(r"(?<![\w.])_t\.")
_USES_PYDANTIC = re.compile(r"(?<![\w.])_pd\.")


def _header(ir: ServiceIR, botocore_version: str) -> str:
    return (
        f"# Generated by `{COMMAND}` from botocore {botocore_version} "
        f"({ir.service} {ir.api_version}); do not edit."
    )


def _struct_refs(ref: TypeRef) -> Iterator[str]:
    if ref.kind == "struct":
        yield ref.shape
    for inner in (ref.item, ref.key):
        if inner is not None:
            yield from _struct_refs(inner)


def _edges(struct: StructIR) -> set[str]:
    """The classes ``struct``'s module must import: its members' and its result's."""
    found = {name for m in struct.members for name in _struct_refs(m.type)}
    if struct.operation is not None and struct.result:
        found.add(struct.result)
    return found


def groups(ir: ServiceIR) -> list[tuple[str, ...]]:
    """The strongly connected groups of classes (Tarjan's algorithm, iterative: reference
    chains can be deeper than Python's recursion limit), each in name order."""
    edges = {s.name: sorted(_edges(s)) for s in ir.structs}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[str, ...]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = edges[node]
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                found.append(tuple(sorted(group)))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(found)


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """ruff's isort order: digit runs compare as numbers."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part
    )


def _member_key(name: str) -> tuple[object, ...]:
    """How ruff's isort orders names in one ``from`` import (constants, classes, others)."""
    kind = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
    return (kind, _natural(name.lower()), _natural(name))


def module_names(ir: ServiceIR) -> dict[tuple[str, ...], str]:
    """Each group's private module: its first class's name in snake_case."""
    taken = {"_enums"}
    names: dict[tuple[str, ...], str] = {}
    for group in groups(ir):
        base = f"_{xform_name(group[0]).lower()}"
        name, number = base, 1
        while name in taken:
            number += 1
            name = f"{base}_{number}"
        taken.add(name)
        names[group] = name
    return names


def _from_import(module: str, names: set[str]) -> str:
    return f"from {module} import {', '.join(sorted(names, key=_member_key))}"


def _render_group(
    ir: ServiceIR,
    group: tuple[str, ...],
    where: dict[str, str],
    botocore_version: str,
) -> str:
    structs = {s.name: s for s in ir.structs}
    module = _Module(frozenset(group), ir.wire_case)
    classes = [module.struct(structs[name], ir.request_base) for name in group]
    body = "\n\n\n".join(classes)
    # Annotations stay strings (postponed) only where a class of the group names one of the
    # group (a cycle, or one defined further down). Elsewhere they are evaluated as the class
    # is created: pydantic then has no string to compile and evaluate for each field, which
    # was about a fifth of creating a class.
    imports = ["from __future__ import annotations", ""] if module.structs & set(group) else []
    standard = []
    if "datetime" in module.uses:
        standard.append("import datetime as _dt")
    if _USES_TYPING.search(body):
        standard.append("import typing as _t")
    if standard:
        imports += [*standard, ""]
    if _USES_PYDANTIC.search(body):
        imports += ["import pydantic as _pd", ""]
    runtime = {WIRE_CASES[ir.wire_case][1]: "_Model"}
    for name in ("check_rules", "derive_quantity", "max_utf8_bytes", *_SHARED_NUMBERS):
        if name in module.uses:
            runtime[name] = f"_{name}"
    # One line per name (as ruff's isort keeps "import X as Y"), in its order.
    imports += [
        f"from cdnkit._models import {name} as {runtime[name]}"
        for name in sorted(runtime, key=_member_key)
    ]
    if "request_base" in module.uses:
        imports.append(f"from cdnkit._operation import {ir.request_base} as _{ir.request_base}")
    local: dict[str, set[str]] = {}
    for name in module.enums:
        local.setdefault("._enums", set()).add(name)
    for name in module.structs - set(group):
        local.setdefault(f".{where[name]}", set()).add(name)
    if local:
        imports.append("")
        imports += [_from_import(m, local[m]) for m in sorted(local, key=_natural)]
    names = ", ".join(f"``{name}``" for name in group)
    module_doc = docstring(
        f"{ir.title} models: {names}.\n\n"
        f"Import from ``cdnkit.types.{ir.module}``, which loads this module on first use.",
        indent=0,
    )
    exported = ", ".join(repr(n) for n in group)
    return (
        "\n\n\n".join(
            [
                _header(ir, botocore_version),
                module_doc,
                "\n".join(imports) + f"\n\n__all__ = [{exported}]",
                body,
            ]
        )
        + "\n"
    )


def _render_enums(ir: ServiceIR, botocore_version: str) -> str:
    enums: list[str] = []
    for name, values in ir.enums.items():
        enums.append(f"{name}: _t.TypeAlias = _t.Literal[{', '.join(map(repr, values))}]")
        if ir.enum_docs.get(name):
            enums.append(docstring(ir.enum_docs[name], indent=0))
    module_doc = docstring(
        f"The enumerations of {ir.title}, as ``Literal`` aliases.\n\n"
        f"Import from ``cdnkit.types.{ir.module}``, which loads this module on first use.",
        indent=0,
    )
    exported = ", ".join(repr(n) for n in sorted(ir.enums))
    imports = "from __future__ import annotations\n\nimport typing as _t"
    parts = [
        _header(ir, botocore_version),
        module_doc,
        f"{imports}\n\n__all__ = [{exported}]",
        "\n".join(enums),
    ]
    return "\n\n\n".join(parts) + "\n"


def _render_package(ir: ServiceIR, where: dict[str, str], botocore_version: str) -> str:
    by_module: dict[str, set[str]] = {}
    for name, module in where.items():
        by_module.setdefault(module, set()).add(name)
    checking = [
        f"    {_from_import(f'.{m}', by_module[m])}" for m in sorted(by_module, key=_natural)
    ]
    exported = sorted(where)
    module_doc = (
        f'"""Models for every structure shape of {ir.title} '
        f"(botocore ``{ir.service}`` {ir.api_version}).\n\n"
        "Attributes are snake_case; each member's botocore name is its alias on the wire.\n"
        "Docstrings are botocore's documentation, shortened to its opening.\n\n"
        "Every model is named here, and type checkers see each one exactly; a model's module\n"
        "loads on its first use (with the models it refers to), so a program pays only for\n"
        "the models it touches.\n"
        '"""'
    )
    table = ",\n".join(f"    {name!r}: {where[name]!r}" for name in exported)
    lazy = (
        "if not _t.TYPE_CHECKING:\n"
        "    # Outside type checkers' view: to them an unknown name must stay an error.\n\n"
        "    def __getattr__(name: str) -> object:\n"
        "        module = _WHERE.get(name)\n"
        "        if module is None:\n"
        '            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")\n'
        '        value = getattr(_importlib.import_module(f"{__name__}.{module}"), name)\n'
        "        globals()[name] = value  # later lookups skip this function\n"
        "        return value\n\n"
        "    def __dir__() -> list[str]:\n"
        "        return sorted({*globals(), *__all__})"
    )
    parts = [
        _header(ir, botocore_version),
        module_doc,
        "from __future__ import annotations\n\n"
        "import importlib as _importlib\nimport typing as _t\n\n"
        "if _t.TYPE_CHECKING:\n" + "\n".join(checking),
        "__all__ = [" + ", ".join(repr(n) for n in exported) + "]\n\n"
        "#: The private module that defines each name.\n"
        f"_WHERE: dict[str, str] = {{\n{table},\n}}",
        lazy,
    ]
    return "\n\n\n".join(parts) + "\n"


def render(ir: ServiceIR, botocore_version: str) -> dict[str, str]:
    """The service's model package: file name (inside ``cdnkit/types/<service>/``) -> source."""
    names = module_names(ir)
    where = {name: module for group, module in names.items() for name in group}
    files = {
        f"{module}.py": _render_group(ir, group, where, botocore_version)
        for group, module in names.items()
    }
    if ir.enums:
        files["_enums.py"] = _render_enums(ir, botocore_version)
        where.update(dict.fromkeys(ir.enums, "_enums"))
    files["__init__.py"] = _render_package(ir, where, botocore_version)
    return files
