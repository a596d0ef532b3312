"""Hypothesis strategies for valid botocore-form ("wire") dicts of any shape, built from the
generator's intermediate form (botocore's model merged with the override table)."""

from __future__ import annotations

import functools
import re
from datetime import UTC
from typing import Any

from hypothesis import strategies as st

from cdnkit._codegen import build_service
from cdnkit._codegen._ir import Constraints, ServiceIR, StructIR, TypeRef

# Python's re lacks Unicode property classes; for generating examples, ASCII stand-ins do.
_PROPERTY_CLASSES = {r"\p{L}": "a-zA-Z", r"\p{Z}": " ", r"\p{N}": "0-9"}
_MAX_TEXT = 8
_MAX_ITEMS = 2
_MAX_DEPTH = 5


def _python_pattern(pattern: str) -> str:
    for prop, ascii_class in _PROPERTY_CLASSES.items():
        pattern = pattern.replace(prop, ascii_class)
    return pattern


def _sizes(c: Constraints, cap: int) -> tuple[int, int]:
    low = c.min_length or 0
    high = c.max_length if c.max_length is not None else cap
    return low, max(low, min(high, cap))


def _text(c: Constraints) -> st.SearchStrategy[str]:
    low, high = _sizes(c, _MAX_TEXT)
    if c.pattern is not None:
        # ASCII only: Java's classes (AWS) and Rust's (pydantic) agree there; beyond it,
        # \w, \s and \S differ between the engines.
        regex = re.compile(_python_pattern(c.pattern), re.ASCII)
        strategy = st.from_regex(regex, fullmatch=True, alphabet=st.characters(codec="ascii"))
        upper = c.max_length
        return strategy.filter(lambda s: low <= len(s) <= (upper if upper is not None else 10**9))
    return st.text(st.characters(codec="utf-8"), min_size=low, max_size=high)


def _number(c: Constraints, integer: bool) -> st.SearchStrategy[Any]:
    if integer:
        low = int(c.ge) if c.ge is not None else -(2**31)
        high = int(c.le) if c.le is not None else 2**31 - 1
        return st.integers(low, high)
    return st.floats(c.ge, c.le, allow_nan=False, allow_infinity=False)


class _Service:
    def __init__(self, ir: ServiceIR) -> None:
        self.structs = {s.name: s for s in ir.structs}

    def value(self, ref: TypeRef, depth: int) -> st.SearchStrategy[Any]:
        c = ref.constraints
        if ref.kind == "struct":
            return self.struct(ref.shape, depth + 1)
        if ref.kind == "enum":
            return st.sampled_from(ref.enum)
        if ref.kind == "list":
            assert ref.item is not None
            low, high = _sizes(c, _MAX_ITEMS)
            return st.lists(self.value(ref.item, depth), min_size=low, max_size=high)
        if ref.kind == "map":
            assert ref.item is not None
            assert ref.key is not None
            low, high = _sizes(c, _MAX_ITEMS)
            return st.dictionaries(
                self.value(ref.key, depth), self.value(ref.item, depth), min_size=low, max_size=high
            )
        scalar = ref.scalar
        if scalar == "str":
            return _text(c)
        if scalar in ("int", "float"):
            return _number(c, scalar == "int")
        if scalar == "bool":
            return st.booleans()
        if scalar == "bytes":
            low, high = _sizes(c, _MAX_TEXT)
            return st.binary(min_size=low, max_size=high)
        assert scalar == "datetime"
        return st.datetimes(timezones=st.just(UTC))

    @functools.cache  # noqa: B019 - one instance per service, kept for the whole run
    def struct(self, name: str, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
        spec = self.structs[name]
        required = {m.wire_name: self.value(m.type, depth) for m in spec.members if m.required}
        optional = {
            m.wire_name: self.value(m.type, depth)
            for m in spec.members
            if not m.required and depth < _MAX_DEPTH
        }
        strategy = st.fixed_dictionaries(required, optional=optional)
        return strategy.map(functools.partial(_make_consistent, spec))


def _make_consistent(spec: StructIR, wire: dict[str, Any]) -> dict[str, Any]:
    """Apply the cross-member rules a valid request satisfies."""
    if spec.quantity_wrapper:
        wire["Quantity"] = len(wire.get("Items", []))
    for lesser, greater in spec.ordered:
        wire_low = next(m.wire_name for m in spec.members if m.attr_name == lesser)
        wire_high = next(m.wire_name for m in spec.members if m.attr_name == greater)
        if wire.get(wire_low) is not None and wire.get(wire_high) is not None:
            low, high = sorted((wire[wire_low], wire[wire_high]))
            wire[wire_low], wire[wire_high] = low, high
    return wire


@functools.cache
def service(name: str) -> _Service:
    return _Service(build_service(name))


def wire_dicts(service_name: str, shape: str) -> st.SearchStrategy[dict[str, Any]]:
    return service(service_name).struct(shape)
