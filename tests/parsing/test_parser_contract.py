"""What the fast parser must keep beyond single replies: plans compiled once are not shared
wrongly (between results, shapes of one name in other services or models, concurrent first
uses), the factory's options and other protocols behave as botocore's, and the reply dict's
other forms (header containers, checksum context) give the same result."""

from __future__ import annotations

import asyncio
import copy
import json
import random
from datetime import datetime
from typing import Any

import pytest
from aiobotocore.parsers import PROTOCOL_PARSERS, AioResponseParserFactory
from botocore.awsrequest import HeadersDict
from botocore.compat import HTTPHeaders
from botocore.model import ServiceModel, StructureShape

from . import _harness as h
from ._values import Values
from .test_adversarial_json import BASE
from .test_adversarial_xml import DISTRIBUTION, HEADERS
from .test_generated import OPERATIONS, example


def _lightsail_reply(document: Any = BASE) -> dict[str, Any]:
    headers = {"x-amzn-requestid": h.REQUEST_ID, "content-type": "application/x-amz-json-1.1"}
    return h.response(200, headers, json.dumps(document).encode(), "GetDistributions")


def _cloudfront_reply(body: bytes = DISTRIBUTION) -> dict[str, Any]:
    return h.response(200, {"x-amz-request-id": h.REQUEST_ID, **HEADERS}, body, "GetDistribution")


def _output(service: str, name: str) -> StructureShape:
    shape = h.operation(service, name).output_shape
    assert shape is not None
    return shape


def _mutate(value: Any) -> None:
    """Change every dict and list inside ``value`` in place."""
    if isinstance(value, dict):
        for item in list(value.values()):
            _mutate(item)
        value["__mutated__"] = True
    elif isinstance(value, list):
        for item in value:
            _mutate(item)
        value.append("__mutated__")


@pytest.mark.parametrize(
    ("service", "name", "reply"),
    [
        ("lightsail", "GetDistributions", _lightsail_reply),
        ("cloudfront", "GetDistribution", _cloudfront_reply),
    ],
)
async def test_results_share_nothing_mutable(service: str, name: str, reply: Any) -> None:
    """A caller may change a result (cdnkit pops ResponseMetadata): the next parse of the
    same shape must not see it."""
    protocol = h.service_model(service).protocol
    shape = _output(service, name)
    parser = h.fast_parser(protocol)
    first = await parser.parse(reply(), shape)
    _mutate(first)
    second = await parser.parse(reply(), shape)
    expected = await h.reference_parser(protocol).parse(reply(), shape)
    assert h.first_difference(expected, second) is None


async def test_one_parser_instance_for_every_operation() -> None:
    """One parser reused for replies of every operation of a service, interleaved, as a
    caller holding a parser would."""
    for service in h.SERVICES:
        protocol = h.service_model(service).protocol
        parser = h.fast_parser(protocol)
        names = [name for s, name in OPERATIONS if s == service]
        random.Random(7).shuffle(names)
        for index, name in enumerate(names * 2):
            _, reply = example(service, name, index % 5)
            shape = _output(service, name)
            expected = await h.reference_parser(protocol).parse(reply, shape)
            actual = await parser.parse(reply, shape)
            assert h.first_difference(expected, actual) is None, f"{service}.{name}"


async def test_concurrent_first_uses_of_a_new_factory() -> None:
    """Plans compiled for the first time by many parses at once (a fresh factory)."""
    fresh = h.FAST_FACTORY_TYPE()
    jobs = []
    for service, name in OPERATIONS[::3]:
        _, reply = example(service, name, 1)
        protocol = h.service_model(service).protocol
        jobs.append((service, name, protocol, reply))

    async def parse(protocol: str, reply: dict[str, Any], shape: StructureShape) -> Any:
        await asyncio.sleep(0)
        return await fresh.create_parser(protocol).parse(reply, shape)

    results = await asyncio.gather(
        *(parse(protocol, reply, _output(s, n)) for s, n, protocol, reply in jobs)
    )
    for (service, name, protocol, reply), actual in zip(jobs, results, strict=True):
        expected = await h.reference_parser(protocol).parse(reply, _output(service, name))
        assert h.first_difference(expected, actual) is None, f"{service}.{name}"


async def test_shapes_of_one_name_in_other_services() -> None:
    """Lightsail and CloudFront both have an ``Origin`` and a ``Tag`` shape, with other
    members: each reply is read with its own service's shapes, whichever came first."""
    lightsail = h.service_model("lightsail").shape_for("Origin")
    cloudfront = h.service_model("cloudfront").shape_for("Origin")
    assert set(lightsail.members) != set(cloudfront.members)  # type: ignore[attr-defined]  # structures
    fresh = h.FAST_FACTORY_TYPE()
    for order in (("cloudfront", "lightsail"), ("lightsail", "cloudfront")):
        for service in order:
            reply, name = (
                (_cloudfront_reply(), "GetDistribution")
                if service == "cloudfront"
                else (_lightsail_reply(), "GetDistributions")
            )
            protocol = h.service_model(service).protocol
            actual = await fresh.create_parser(protocol).parse(reply, _output(service, name))
            expected = await h.reference_parser(protocol).parse(reply, _output(service, name))
            assert h.first_difference(expected, actual) is None, service


async def test_a_newer_model_of_the_same_service() -> None:
    """A session with its own (newer) model: a member the installed model lacks is read by
    botocore from that model; the fast parser must not reuse the plan of the installed one."""
    document = h.service_model("lightsail")._service_description  # type: ignore[attr-defined]  # botocore's raw model
    newer_description = copy.deepcopy(document)
    shapes = newer_description["shapes"]
    shapes["LightsailDistribution"]["members"]["parityExtra"] = {"shape": "string"}
    newer = ServiceModel(newer_description, "lightsail")
    reply = _lightsail_reply({"distributions": [{"name": "a", "parityExtra": "x"}]})

    installed_shape = _output("lightsail", "GetDistributions")
    newer_shape = newer.operation_model("GetDistributions").output_shape
    parser = h.fast_parser("json")
    # The installed model first, so a plan cached by shape name would be found.
    installed = await parser.parse(reply, installed_shape)
    assert "parityExtra" not in installed["distributions"][0]
    expected = await h.reference_parser("json").parse(reply, newer_shape)
    assert expected["distributions"][0]["parityExtra"] == "x"
    actual = await parser.parse(reply, newer_shape)
    assert h.first_difference(expected, actual) is None


@pytest.mark.parametrize("protocol", ["query", "ec2", "smithy-rpc-v2-cbor"])
def test_other_protocols_get_botocores_parsers(protocol: str) -> None:
    parser = h.FAST_FACTORY_TYPE().create_parser(protocol)
    # The stubs type the table's values as instances; they are classes.
    expected: type = PROTOCOL_PARSERS[protocol]  # type: ignore[assignment]  # see above
    assert isinstance(parser, expected)


async def test_parser_defaults_of_the_factory() -> None:
    """botocore's factory takes a timestamp and a blob parser (the AWS CLI keeps timestamps as
    text that way): the fast factory either honours them as botocore does or refuses them."""
    reference = AioResponseParserFactory()
    reference.set_parser_defaults(timestamp_parser=str, blob_parser=bytes.fromhex)
    fast = h.FAST_FACTORY_TYPE()
    fast.set_parser_defaults(timestamp_parser=str, blob_parser=bytes.fromhex)
    for service, name in [("lightsail", "GetDistributions"), ("cloudfront", "GetDistribution")]:
        protocol = h.service_model(service).protocol
        reply = _lightsail_reply() if service == "lightsail" else _cloudfront_reply()
        shape = _output(service, name)
        expected = await reference.create_parser(protocol).parse(reply, shape)
        actual = await fast.create_parser(protocol).parse(reply, shape)
        assert h.first_difference(expected, actual) is None, service
        flat = json.dumps(expected, default=repr)
        assert "datetime" not in flat, "the custom timestamp parser was not used"


@pytest.mark.parametrize("form", ["original-case", "http-headers", "plain-dict"])
async def test_header_containers(form: str) -> None:
    """The parser reads headers from whatever mapping the HTTP layer gives."""
    raw = {"x-amz-request-id": h.REQUEST_ID, "ETag": "E1", "Content-Type": "text/xml"}
    headers: Any
    if form == "http-headers":
        headers = HTTPHeaders()
        for key, value in raw.items():
            headers[key] = value
    elif form == "plain-dict":
        headers = {key.lower(): value for key, value in raw.items()}
    else:
        headers = HeadersDict(raw)
    reply = {"status_code": 200, "headers": headers, "body": DISTRIBUTION, "context": {}}
    shape = _output("cloudfront", "GetDistribution")
    expected = await h.assert_same_parse("rest-xml", reply, shape)
    # A plain dict is case-sensitive: botocore then misses the "ETag" header member.
    assert ("ETag" in expected.value) is (form != "plain-dict")


async def test_checksum_context_and_missing_context() -> None:
    shape = _output("cloudfront", "GetDistribution")
    reply = _cloudfront_reply()
    reply["context"] = {
        "operation_name": "GetDistribution",
        "checksum": {"response_algorithm": "crc32"},
    }
    expected = await h.assert_same_parse("rest-xml", reply, shape)
    assert expected.value["ResponseMetadata"]["ChecksumAlgorithm"] == "crc32"
    del reply["context"]
    await h.assert_same_parse("rest-xml", reply, shape)


async def test_generated_replies_with_many_items() -> None:
    """Long lists everywhere (the 1,000-item replies of issue 9 and beyond) in random shapes."""
    for service, name in [
        ("lightsail", "GetDistributions"),
        ("lightsail", "GetOperations"),
        ("cloudfront", "ListDistributions"),
        ("cloudfront", "ListInvalidations"),
        ("cloudfront-keyvaluestore", "ListKeys"),
    ]:
        values = Values(random.Random(name), presence=0.7, max_items=1, max_depth=3)
        shape = _output(service, name)
        output = values.output(shape)
        # One long list at the top: the item list of the page, 1,000 items.
        outer = next(m for m in shape.members.values() if m.type_name in ("list", "structure"))
        member = next(n for n, m in shape.members.items() if m is outer)
        if outer.type_name == "list":
            output[member] = [values.value(outer.member, 1) for _ in range(1000)]  # type: ignore[attr-defined]  # a ListShape
        else:
            items = outer.members["Items"]  # type: ignore[attr-defined]  # a {Quantity, Items} wrapper
            output[member]["Items"] = [values.value(items.member, 2) for _ in range(1000)]
            output[member]["Quantity"] = 1000
        reply = h.encode(service, name, output)
        expected = await h.assert_same_parse(
            h.service_model(service).protocol, reply, shape, f"{service}.{name}"
        )
        assert len(json.dumps(expected.value, default=str)) > 50_000


def test_compare_is_strict() -> None:
    """The comparison the whole folder relies on tells apart what ``==`` does not."""
    assert h.first_difference(1, 1.0) is not None
    assert h.first_difference(True, 1) is not None
    assert h.first_difference({"a": 1}, {"a": 1, "b": None}) is not None
    assert h.first_difference([None], []) is not None
    assert h.first_difference(0.0, -0.0) is not None
    assert h.first_difference(float("nan"), float("nan")) is None
    naive = datetime(2024, 1, 2, 3, 4, 5)
    assert h.first_difference(naive, naive.astimezone()) is not None
    aware = datetime.fromisoformat("2024-01-02T03:04:05+00:00")
    assert h.first_difference(aware, aware.astimezone()) is None
    assert h.first_difference(b"x", "x") is not None
