"""Shapes the three services' replies do not have today but a newer model (or a user's own
session) may bring: recursive structures, maps of converted values, renamed members, tagged
unions, documents, XML attributes, flattened lists and maps, header maps, JSON-value headers,
status codes. Each protocol gets a small model with all of them; random replies written by the
emulator's codecs parse alike with both parsers, and so do replies nested deeper than
botocore's own walk can go."""

from __future__ import annotations

import functools
import json
import random
from typing import Any

import pytest
from botocore.model import ServiceModel, StructureShape

from cdnkit.testing._wire import TRAITS, ServiceSchema
from cdnkit.testing._wire._protocols import make_codec

from . import _harness as h
from ._values import Values
from .test_generated import EXAMPLES

_CODEC_TRAITS = {
    "json": "lightsail",
    "rest-json": "cloudfront-keyvaluestore",
    "rest-xml": "cloudfront",
}


def _description(protocol: str, recursive: bool) -> dict[str, Any]:
    """A model with every unusual trait; ``recursive``: ``Node`` contains itself (else its
    ``next`` and ``children`` are leaves)."""
    scalars = {
        "S": {"type": "string"},
        "I": {"type": "integer"},
        "L": {"type": "long"},
        "F": {"type": "float"},
        "D": {"type": "double"},
        "B": {"type": "boolean"},
        "T": {"type": "timestamp"},
        "Bl": {"type": "blob"},
    }
    inner = "Node" if recursive else "Leaf"
    node: dict[str, Any] = {
        "type": "structure",
        "members": {
            "name": {"shape": "S"},
            "at": {"shape": "T"},
            "next": {"shape": inner},
            "children": {"shape": "Nodes"},
        },
    }
    leaf = {"type": "structure", "members": {"name": {"shape": "S"}, "at": {"shape": "T"}}}
    body: dict[str, Any] = {
        **{f"m{name}": {"shape": name} for name in scalars},
        "Renamed": {"shape": "S", "locationName": "Other-Name"},
        "times": {"shape": "Times"},
        "blobs": {"shape": "Blobs"},
        "node": {"shape": "Node"},
        "union": {"shape": "Union"},
        "byName": {"shape": "NodeMap"},
        "timesByName": {"shape": "TimeMap"},
    }
    shapes: dict[str, Any] = {
        **scalars,
        "Node": node,
        "Leaf": leaf,
        "Nodes": {"type": "list", "member": {"shape": inner}},
        "Times": {"type": "list", "member": {"shape": "T"}},
        "Blobs": {"type": "list", "member": {"shape": "Bl"}},
        "NodeMap": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "Node"}},
        "TimeMap": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "T"}},
        "Union": {
            "type": "structure",
            "union": True,
            "members": {"a": {"shape": "S"}, "b": {"shape": "I"}, "c": {"shape": "Node"}},
        },
    }
    if protocol != "json":
        body["header"] = {"shape": "I", "location": "header", "locationName": "X-Count"}
        body["meta"] = {"shape": "Meta", "location": "headers", "locationName": "x-meta-"}
        body["status"] = {"shape": "I", "location": "statusCode"}
        shapes["Meta"] = {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}}
    if protocol == "rest-json":
        body["jsonHeader"] = {
            "shape": "JsonText",
            "location": "header",
            "locationName": "X-Json",
            "jsonvalue": True,
        }
        shapes["JsonText"] = {"type": "string"}
        body["document"] = {"shape": "Doc"}
        shapes["Doc"] = {"type": "structure", "members": {}, "document": True}
    if protocol == "rest-xml":
        body["flat"] = {"shape": "FlatList", "flattened": True}
        body["flatNamed"] = {"shape": "FlatNamed", "flattened": True}
        body["flatMap"] = {"shape": "FlatMap", "flattened": True}
        body["withAttribute"] = {"shape": "WithAttribute"}
        body["entries"] = {"shape": "EntryList"}
        shapes["FlatList"] = {"type": "list", "member": {"shape": "S"}}
        shapes["FlatNamed"] = {"type": "list", "member": {"shape": "Node", "locationName": "N"}}
        shapes["FlatMap"] = {"type": "map", "key": {"shape": "S"}, "value": {"shape": "I"}}
        shapes["EntryList"] = {"type": "list", "member": {"shape": "S", "locationName": "Entry"}}
        shapes["WithAttribute"] = {
            "type": "structure",
            "members": {
                "id": {"shape": "S", "xmlAttribute": True, "locationName": "id"},
                "value": {"shape": "S"},
            },
        }
        # JSON-value headers are a REST-JSON trait; XML has attributes instead.
    shapes["Out"] = {"type": "structure", "members": body}
    if protocol == "json":
        metadata = {"jsonVersion": "1.1", "targetPrefix": "Synthetic_20200101"}
    else:
        metadata = {}
    return {
        "version": "2.0",
        "metadata": {
            "apiVersion": "2020-01-01",
            "endpointPrefix": "synthetic",
            "protocol": protocol,
            "serviceId": "Synthetic",
            "signatureVersion": "v4",
            **metadata,
        },
        "operations": {
            "Get": {
                "name": "Get",
                "http": {"method": "GET", "requestUri": "/get", "responseCode": 200},
                "output": {"shape": "Out"},
            }
        },
        "shapes": shapes,
    }


@functools.cache
def _model(protocol: str, recursive: bool = False) -> ServiceModel:
    return ServiceModel(_description(protocol, recursive), "synthetic")


def _output_shape(protocol: str, recursive: bool = False) -> StructureShape:
    shape = _model(protocol, recursive).operation_model("Get").output_shape
    assert shape is not None
    return shape


def _reply(protocol: str, output: dict[str, Any], recursive: bool) -> dict[str, Any]:
    schema = ServiceSchema(_model(protocol, recursive))
    codec = make_codec(schema, TRAITS[_CODEC_TRAITS[protocol]])
    reply = h.reply_response(codec.reply(schema.operations["Get"], output, h.REQUEST_ID), "Get")
    if protocol == "rest-json":
        # A JSON-value header: base64 of a JSON document.
        reply["headers"]["x-json"] = "eyJhIjogWzEsIG51bGxdfQ=="
    return reply


PROTOCOLS = ["json", "rest-json", "rest-xml"]


async def _random_replies(protocol: str, recursive: bool) -> None:
    shape = _output_shape(protocol, recursive)
    for index in range(EXAMPLES * 10):
        rng = random.Random(f"{protocol}.{index}")
        values = Values(rng, presence=(0.4, 0.8, 1.0)[index % 3], max_depth=5)
        output = values.output(shape)
        output.pop("status", None)
        reply = _reply(protocol, output, recursive)
        await h.assert_same_parse(protocol, reply, shape, f"example {index}")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_random_replies_of_unusual_shapes(protocol: str) -> None:
    await _random_replies(protocol, recursive=False)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_random_replies_of_a_recursive_shape(protocol: str) -> None:
    await _random_replies(protocol, recursive=True)


def _nested(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"name": "leaf"}
    for level in range(depth):
        node = {"name": f"n{level}", "children": [node], "at": 1700000000 + level}
    return node


def _nested_xml(depth: int) -> bytes:
    inner = b"<name>leaf</name>"
    for level in range(depth):
        inner = b"<name>n%d</name><children><member>%s</member></children>" % (level, inner)
    return b"<Out><node>" + inner + b"</node></Out>"


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("depth", [1, 30, 120])
async def test_recursive_structures(protocol: str, depth: int) -> None:
    shape = _output_shape(protocol, recursive=True)
    if protocol == "rest-xml":
        body = _nested_xml(depth)
    else:
        body = json.dumps({"node": _nested(depth)}).encode()
    reply = h.response(200, {"x-amzn-requestid": "r"}, body, "Get")
    expected = await h.assert_same_parse(protocol, reply, shape, f"depth {depth}")
    assert expected.error is None


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_nesting_beyond_botocores_recursion(protocol: str) -> None:
    """Nested deeper than botocore's walk can go within the interpreter's recursion limit
    (but not deeper than the JSON and XML readers go): botocore raises RecursionError, and
    the fast parser must not return a value there."""
    shape = _output_shape(protocol, recursive=True)
    depth = 300
    if protocol == "rest-xml":
        body = _nested_xml(depth)
    else:
        body = json.dumps({"node": _nested(depth)}).encode()
    reply = h.response(200, {"x-amzn-requestid": "r"}, body, "Get")
    expected, actual = await h.both(protocol, reply, shape)
    assert expected.error is RecursionError, expected.describe()
    h.assert_same_outcome(expected, actual, f"depth {depth}")
