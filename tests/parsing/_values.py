"""Seeded random outputs, valid by botocore's model, in botocore's Python form.

Plain ``random.Random`` rather than hypothesis: a seed names an example exactly, and a run of
thousands of replies stays within seconds.
"""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

# Characters a reply may carry: XML's special ones, whitespace, accents, CJK and beyond the BMP.
_ALPHABET = string.ascii_letters + string.digits + " -_./:*?&<>\"'=;,#%+@!()[]{}|\\^`~"
_EXOTIC = ["é", "ß", "中", "文", "😀", "\u00a0", "\t", "\n", "\r\n", "  ", "]]>", "&amp;"]
# Header values are visible ASCII (a real HTTP stack allows no line breaks there).
_HEADER_ALPHABET = string.ascii_letters + string.digits + '-_."/:=+'
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INT_EDGES = [0, 1, -1, 2**31 - 1, -(2**31), 7, 100, 86400]
_LONG_EDGES = [0, -1, 2**53 + 1, 2**63 - 1, -(2**63), 1_700_000_000_000, 5 * 2**20]
_FLOAT_EDGES = [0.0, 1.0, -1.0, 0.1, 0.15, 1e-7, 1.5e300, -2.5e-300, 3.0, 1e16, 123456.789]


class Values:
    """Random values for any output shape; ``presence`` is the chance an optional member is
    set, ``max_items`` bounds lists and maps, ``max_depth`` nested structures."""

    def __init__(
        self,
        rng: random.Random,
        *,
        presence: float = 0.7,
        max_items: int = 3,
        max_depth: int = 7,
        special_floats: bool = True,
    ) -> None:
        self.rng = rng
        self.presence = presence
        self.max_items = max_items
        self.max_depth = max_depth
        self.special_floats = special_floats

    def output(self, shape: StructureShape) -> dict[str, Any]:
        """An operation's output; its payload member (the whole body) is always set."""
        payload = shape.serialization.get("payload")
        return self.structure(shape, 0, always={payload} if payload else set())

    def value(self, shape: Shape, depth: int, header: bool = False) -> Any:
        kind = shape.type_name
        rng = self.rng
        if isinstance(shape, StructureShape):
            return self.structure(shape, depth + 1)
        if isinstance(shape, ListShape):
            count = self._count(depth)
            return [self.value(shape.member, depth + 1) for _ in range(count)]
        if isinstance(shape, MapShape):
            count = self._count(depth)
            return {
                self.text(shape.key, header=False, non_empty=True): self.value(
                    shape.value, depth + 1
                )
                for _ in range(count)
            }
        if kind == "string":
            return self.text(shape, header=header)
        if kind == "integer":
            return rng.choice(_INT_EDGES) if rng.random() < 0.3 else rng.randint(-1000, 10**6)
        if kind == "long":
            return rng.choice(_LONG_EDGES) if rng.random() < 0.3 else rng.randint(-(10**9), 10**12)
        if kind == "boolean":
            return rng.random() < 0.5
        if kind in ("float", "double"):
            roll = rng.random()
            if self.special_floats and roll < 0.03:
                return rng.choice([float("nan"), float("inf"), float("-inf")])
            if roll < 0.3:
                return rng.choice(_FLOAT_EDGES)
            return rng.uniform(-1e6, 1e6)
        if kind == "timestamp":
            # Milliseconds: what the wire carries (the codecs write no finer).
            millis = rng.randint(0, 4_102_444_800_000)
            return _EPOCH + timedelta(milliseconds=millis)
        if kind == "blob":
            return rng.randbytes(rng.choice([0, 1, 2, 3, 16, 64]))
        raise AssertionError(f"no generator for {kind} ({shape.name})")

    def structure(
        self, shape: StructureShape, depth: int, always: set[str] | None = None
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if shape.is_document_type:
            return {"k": [1, "x", None, {"n": 1.5}], "t": True}
        required = set(shape.required_members) | (always or set())
        members = list(shape.members.items())
        if shape.is_tagged_union and members:
            members = [self.rng.choice(members)]  # exactly one member set
            required |= {members[0][0]}
        for name, member in members:
            nested = member.type_name in ("structure", "list", "map")
            if nested and depth >= self.max_depth:
                continue
            if name not in required and self.rng.random() > self.presence:
                continue
            if member.serialization.get("location") == "statusCode":
                continue
            header = member.serialization.get("location") in ("header", "headers")
            result[name] = self.value(member, depth, header=header)
        # CloudFront's {Quantity, Items} wrappers count their items.
        if "Quantity" in shape.members and "Items" in shape.members:
            if "Items" in result:
                result["Quantity"] = len(result["Items"])
            elif "Quantity" in result:
                result["Quantity"] = 0
        return result

    def text(self, shape: Shape, *, header: bool, non_empty: bool = False) -> str:
        rng = self.rng
        enum = shape.metadata.get("enum")
        if enum and rng.random() < 0.9:
            return str(rng.choice(enum))
        if header:
            length = rng.randint(1, 24)
            return "".join(rng.choice(_HEADER_ALPHABET) for _ in range(length))
        roll = rng.random()
        if roll < 0.08 and not non_empty:
            return ""
        length = rng.choice([1, 2, 5, 12, 40])
        parts = [
            rng.choice(_EXOTIC) if rng.random() < 0.1 else rng.choice(_ALPHABET)
            for _ in range(length)
        ]
        return "".join(parts)

    def _count(self, depth: int) -> int:
        if depth >= self.max_depth:
            return 0
        roll = self.rng.random()
        if roll < 0.15:
            return 0
        return self.rng.randint(1, self.max_items)
