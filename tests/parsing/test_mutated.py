"""Valid replies of every operation, changed at random places the way a newer service, a broken
proxy or a bug would (nulls, wrong types, unknown, missing, repeated, emptied or reordered
members, numbers as text, whitespace), parsed by both parsers: equal values, or the same
exception type.

``CDNKIT_PARITY_EXAMPLES`` sets the examples per operation here too (default 6).
"""

from __future__ import annotations

import copy
import json
import random
import zlib
from typing import Any
from xml.etree import ElementTree

import pytest

from . import _harness as h
from .test_generated import EXAMPLES, OPERATIONS, SEED, example

_JSON_VALUES: list[Any] = [None, "", "x", "1", "1.5", "true", 0, 7, -1.5, True, False, [], {}]
_JSON_VALUES += [[None], {"k": None}, "2024-01-02T03:04:05Z", 1704164645.5, 2**64, "NaN"]
_XML_TEXTS = ["", " ", "x", "1", " 2 ", "-3", "1.5", "true", "True", "false", "NaN"]
_XML_TEXTS += ["2024-01-02T03:04:05Z", "1704164645", "\n\t", "&", "\u00e9\U0001f600"]


def _json_nodes(value: Any, found: list[Any]) -> None:
    if isinstance(value, dict | list):
        found.append(value)
        for item in value.values() if isinstance(value, dict) else value:
            _json_nodes(item, found)


def mutate_json(document: Any, rng: random.Random) -> Any:
    """One random change somewhere in a decoded JSON document."""
    document = copy.deepcopy(document)
    nodes: list[Any] = []
    _json_nodes(document, nodes)
    if not nodes:
        return rng.choice(_JSON_VALUES)
    node = rng.choice(nodes)
    roll = rng.random()
    if isinstance(node, dict):
        keys = list(node)
        if keys and roll < 0.45:
            key = rng.choice(keys)
            old = node[key]
            if isinstance(old, int | float) and not isinstance(old, bool) and rng.random() < 0.5:
                node[key] = str(old)  # a number as text
            else:
                node[key] = rng.choice(_JSON_VALUES)
        elif keys and roll < 0.6:
            del node[rng.choice(keys)]
        else:
            node[rng.choice(["future", "Future", "x" * 3, *keys[:1]]) + "_new"] = rng.choice(
                _JSON_VALUES
            )
    else:
        if node and roll < 0.4:
            node[rng.randrange(len(node))] = rng.choice(_JSON_VALUES)
        elif node and roll < 0.6:
            node.insert(rng.randrange(len(node) + 1), copy.deepcopy(rng.choice(node)))
        else:
            node.append(rng.choice(_JSON_VALUES))
    return document


def mutate_xml(body: bytes, rng: random.Random) -> bytes:
    """One random change somewhere in an XML document (written again by ElementTree, which
    also changes the namespace's form)."""
    root = ElementTree.fromstring(body)
    parents = {child: parent for parent in root.iter() for child in parent}
    element = rng.choice(list(root.iter()))
    parent = parents.get(element)
    roll = rng.random()
    if parent is not None and roll < 0.15:
        index = list(parent).index(element)
        parent.insert(index + 1, copy.deepcopy(element))  # repeated
    elif parent is not None and roll < 0.25:
        parent.remove(element)
    elif roll < 0.4:
        for child in list(element):
            element.remove(child)
        element.text = None  # emptied
    elif roll < 0.6 and len(element) == 0:
        element.text = rng.choice(_XML_TEXTS)
    elif roll < 0.7:
        unknown = ElementTree.SubElement(element, rng.choice(["Future", "Items", "member"]))
        unknown.text = rng.choice(_XML_TEXTS)
    elif roll < 0.8:
        element[:] = list(reversed(element))
    elif roll < 0.9:
        element.set(rng.choice(["id", "xmlns:x", "Quantity"]), "1")
        element.tail = "\n  "
        if len(element):
            element.text = "\n    "
    else:
        element.tag = element.tag.rsplit("}", 1)[-1] + "X"  # renamed, out of the namespace
    declaration = rng.random() < 0.5
    written: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=declaration)
    return written


@pytest.mark.parametrize(
    ("service", "name"), [pytest.param(*op, id=f"{op[0]}.{op[1]}") for op in OPERATIONS]
)
async def test_mutated_replies_parse_alike(service: str, name: str) -> None:
    model = h.operation(service, name)
    protocol = h.service_model(service).protocol
    for index in range(EXAMPLES):
        _, reply = example(service, name, index)
        body = reply["body"]
        if not isinstance(body, bytes) or not body:
            continue  # a streaming payload or an empty body: nothing to change
        rng = random.Random(zlib.crc32(f"mutate.{service}.{name}.{index}.{SEED}".encode()))
        for _ in range(1 + index % 3):
            if protocol == "rest-xml":
                body = mutate_xml(body, rng)
            else:
                body = json.dumps(mutate_json(json.loads(body), rng)).encode()
        changed = dict(reply, body=body)
        await h.assert_same_parse(
            protocol, changed, model.output_shape, f"{service}.{name} mutated example {index}"
        )
