"""Generic input validation against the model: required, length, range, enum and pattern.

Messages follow the wording AWS services use for model constraint failures
("1 validation error detected: Value ... at '...' failed to satisfy constraint: ...").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._model import Node

#: Violations reported in one message at most; AWS truncates long lists the same way.
_MAX_REPORTED = 10


@dataclass(slots=True)
class Findings:
    """What validation found; empty lists mean the input is valid."""

    violations: list[str] = field(default_factory=list)
    inconsistent_quantities: list[str] = field(default_factory=list)

    def message(self) -> str:
        count = len(self.violations)
        noun = "error" if count == 1 else "errors"
        shown = "; ".join(self.violations[:_MAX_REPORTED])
        return f"{count} validation {noun} detected: {shown}"


def validate(node: Node, params: dict[str, Any], check_quantities: bool) -> Findings:
    findings = Findings()
    _check(node, params, [], findings, check_quantities)
    return findings


def _where(path: list[str]) -> str:
    text = ""
    for part in path:
        if part.startswith("["):
            text += part
        elif text:
            text += "." + part
        else:
            text = part
    return text


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 64 else text[:61] + "..."


def _check(
    node: Node, value: Any, path: list[str], findings: Findings, check_quantities: bool
) -> None:
    kind = node.kind
    if kind == "structure":
        if node.document or not isinstance(value, dict):
            return
        for name in node.required:
            if value.get(name) is None:
                path.append(name)
                findings.violations.append(
                    f"Value null at '{_where(path)}' failed to satisfy constraint: "
                    "Member must not be null"
                )
                path.pop()
        fields = node.fields
        for name, item in value.items():
            member = fields.get(name)
            if member is None or item is None:
                continue
            path.append(name)
            _check(member.node, item, path, findings, check_quantities)
            path.pop()
        if check_quantities and node.quantity_wrapper:
            quantity = value.get("Quantity")
            items = value.get("Items")
            count = len(items) if isinstance(items, list) else 0
            if isinstance(quantity, int) and quantity != count:
                where = _where(path) or node.name
                findings.inconsistent_quantities.append(
                    f"The value of Quantity ({quantity}) at '{where}' does not match the "
                    f"number of Items ({count})"
                )
        return
    if kind == "string":
        if not isinstance(value, str):
            return
        _check_length(node, value, len(value), path, findings)
        if node.enum is not None and value not in node.enum:
            findings.violations.append(
                f"Value '{_shown(value)}' at '{_where(path)}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(sorted(node.enum))}]"
            )
        if node.pattern is not None and node.pattern.search(value) is None:
            findings.violations.append(
                f"Value '{_shown(value)}' at '{_where(path)}' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {node.pattern_source}"
            )
        return
    if kind == "list":
        if not isinstance(value, list):
            return
        _check_length(node, value, len(value), path, findings)
        assert node.item is not None
        item_node = node.item.node
        for index, item in enumerate(value):
            if item is None:
                continue
            path.append(f"[{index}]")
            _check(item_node, item, path, findings, check_quantities)
            path.pop()
        return
    if kind == "map":
        if not isinstance(value, dict):
            return
        _check_length(node, value, len(value), path, findings)
        assert node.key is not None
        assert node.value is not None
        for key, item in value.items():
            path.append(str(key))
            _check(node.key.node, key, path, findings, check_quantities)
            if item is not None:
                _check(node.value.node, item, path, findings, check_quantities)
            path.pop()
        return
    if kind == "blob":
        if isinstance(value, bytes | bytearray):
            _check_length(node, value, len(value), path, findings)
        return
    if kind in ("integer", "long", "float", "double"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return
        if node.min is not None and value < node.min:
            findings.violations.append(
                f"Value '{value}' at '{_where(path)}' failed to satisfy constraint: "
                f"Member must have value greater than or equal to {_number(node.min)}"
            )
        if node.max is not None and value > node.max:
            findings.violations.append(
                f"Value '{value}' at '{_where(path)}' failed to satisfy constraint: "
                f"Member must have value less than or equal to {_number(node.max)}"
            )


def _check_length(node: Node, value: Any, length: int, path: list[str], findings: Findings) -> None:
    if node.min is not None and length < node.min:
        findings.violations.append(
            f"Value '{_shown(value)}' at '{_where(path)}' failed to satisfy constraint: "
            f"Member must have length greater than or equal to {_number(node.min)}"
        )
    if node.max is not None and length > node.max:
        findings.violations.append(
            f"Value '{_shown(value)}' at '{_where(path)}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {_number(node.max)}"
        )


def _number(limit: float) -> str:
    return str(int(limit)) if float(limit).is_integer() else str(limit)
