"""Every operation of the three services: random valid outputs, written to the wire by the
emulator's codecs as the service writes them, parse to the same value with both parsers.

``CDNKIT_PARITY_EXAMPLES`` sets the examples per operation (default 6: about three seconds for
the three services); ``CDNKIT_PARITY_SEED`` shifts every seed, for a fresh run.
"""

from __future__ import annotations

import io
import os
import random
import zlib
from typing import Any

import pytest
from botocore.model import StructureShape
from botocore.parsers import BaseJSONParser, BaseXMLResponseParser

from cdnkit.testing._backend import EmulatedErrorReply
from cdnkit.testing._wire import load_schemas

from . import _harness as h
from ._values import Values

EXAMPLES = int(os.environ.get("CDNKIT_PARITY_EXAMPLES", "6"))
SEED = int(os.environ.get("CDNKIT_PARITY_SEED", "0"))

OPERATIONS = [
    (service, name)
    for service in h.SERVICES
    for name in h.service_model(service).operation_names
    if h.operation(service, name).output_shape is not None
]

#: Known divergences, each a strict xfail (see the report in the reason).
KNOWN: dict[tuple[str, str], str] = {}


def _params() -> list[Any]:
    params = []
    for service, name in OPERATIONS:
        marks = []
        reason = KNOWN.get((service, name))
        if reason:
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        params.append(pytest.param(service, name, id=f"{service}.{name}", marks=marks))
    return params


def example_values(service: str, name: str, index: int) -> Values:
    """The generator of example ``index`` of an operation: its seed names it exactly, and the
    examples sweep from sparse to full (every member set) outputs."""
    seed = zlib.crc32(f"{service}.{name}.{index}.{SEED}".encode())
    presence = (0.3, 0.7, 1.0)[index % 3]
    return Values(random.Random(seed), presence=presence, max_items=1 + index % 4)


def example(
    service: str, name: str, index: int, *, special_floats: bool = True
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(generated output, the reply that carries it)."""
    model = h.operation(service, name)
    shape = model.output_shape
    assert isinstance(shape, StructureShape)
    values = example_values(service, name, index)
    values.special_floats = special_floats
    output = values.output(shape)
    reply = h.encode(service, name, output)
    if model.has_streaming_output:
        # aiobotocore hands a streaming payload to the parser unread.
        reply["body"] = io.BytesIO(reply["body"])
    return output, reply


def test_every_operation_with_an_output_is_covered() -> None:
    counts = {service: sum(1 for s, _ in OPERATIONS if s == service) for service in h.SERVICES}
    # botocore 1.43.117: Lightsail 162, CloudFront 143 (24 have no output), KVS 6.
    assert counts["lightsail"] >= 150
    assert counts["cloudfront"] >= 130
    assert counts["cloudfront-keyvaluestore"] == 6


@pytest.mark.parametrize(("service", "name"), _params())
async def test_generated_replies_parse_alike(service: str, name: str) -> None:
    model = h.operation(service, name)
    protocol = h.service_model(service).protocol
    for index in range(EXAMPLES):
        _, reply = example(service, name, index)
        await h.assert_same_parse(
            protocol, reply, model.output_shape, f"{service}.{name} example {index}"
        )


def _expected(service: str, name: str, output: dict[str, Any]) -> dict[str, Any]:
    """What botocore reads back from a generated output: members bound to a header the model
    names wrongly are not read (UpdateFunction's ``ETtag``, see AWS-FACTS.md)."""
    shape = h.operation(service, name).output_shape
    assert isinstance(shape, StructureShape)
    schema = load_schemas()[service]
    node = schema.operations[name].output
    expected = dict(output)
    for member_name, member in shape.members.items():
        if member.serialization.get("location") == "header":
            written = schema.output_header_name(node, node.fields[member_name])
            if written != member.serialization.get("name", member_name):
                expected.pop(member_name, None)
    return expected


@pytest.mark.parametrize(
    ("service", "name"), [pytest.param(*op, id=".".join(op)) for op in OPERATIONS]
)
async def test_replies_carry_the_generated_values(service: str, name: str) -> None:
    """The harness itself: botocore reads back every generated value (so the comparisons
    above compare real content, not empty bodies)."""
    model = h.operation(service, name)
    protocol = h.service_model(service).protocol
    for index in (0, 2):  # sparse and full
        # botocore's JSON 1.1 parser keeps "NaN" and "Infinity" as the strings they are sent as.
        output, reply = example(service, name, index, special_floats=False)
        parsed = await h.reference_parser(protocol).parse(reply, model.output_shape)
        parsed.pop("ResponseMetadata")
        if model.has_streaming_output:
            assert model.output_shape is not None
            payload = model.output_shape.serialization["payload"]
            assert parsed.pop(payload) is reply["body"]
            output = {k: v for k, v in output.items() if k != payload}
            # The codec names the payload's type when the output does not.
            output.setdefault("ContentType", reply["headers"]["content-type"])
        difference = h.first_difference(_expected(service, name, output), parsed)
        assert difference is None, f"example {index}: {difference}"


ERROR_CODES = [(service, code) for service in h.SERVICES for code in load_schemas()[service].errors]


@pytest.mark.parametrize("service", h.SERVICES)
async def test_generated_error_replies_parse_alike(service: str) -> None:
    """Every modeled error of the service, with random members, as the service writes it:
    the generic error parse and then the modeled shape's members, as the endpoint does."""
    schema = load_schemas()[service]
    name = next(n for s, n in OPERATIONS if s == service)
    model = h.service_model(service)
    codes = [code for s, code in ERROR_CODES if s == service]
    assert codes
    for code in codes:
        # The stubs type the code as an int; botocore takes the code's name.
        shape = model.shape_for_error_code(code)  # type: ignore[arg-type]  # see above
        assert isinstance(shape, StructureShape)
        for index in range(max(1, EXAMPLES // 2)):
            values = example_values(service, code, index)
            fields = values.structure(shape, 0)
            # The codec writes the message member itself, from the error's message.
            message = str(fields.pop("message", None) or fields.pop("Message", None) or "")
            spec = schema.errors[code]
            problem = EmulatedErrorReply(code, message, spec.status or 400, fields=fields)
            reply = h.reply_response(h.codec(service).error(problem, h.REQUEST_ID), name)
            expected = await h.endpoint_outcome(h.reference_parser, service, name, reply)
            assert expected.error is None
            assert expected.value["Error"]["Code"] == code
            actual = await h.endpoint_outcome(h.fast_parser, service, name, reply)
            h.assert_same_outcome(expected, actual, f"{service} {code} example {index}")


async def test_valid_replies_take_the_compiled_walks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparisons above are not botocore against itself: on valid replies of every
    operation the fast parser never falls back to botocore's walk of a structure."""
    for protocol in ("json", "rest-json", "rest-xml"):
        parser = h.fast_parser(protocol)
        assert type(parser).__module__.startswith("cdnkit."), type(parser)
    fallbacks: list[str] = []
    for cls in (BaseJSONParser, BaseXMLResponseParser):
        original: Any = vars(cls)["_handle_structure"]

        def spy(self: Any, shape: Any, node: Any, _original: Any = original) -> Any:
            if type(self).__module__.startswith("cdnkit."):
                fallbacks.append(shape.name)
            return _original(self, shape, node)

        monkeypatch.setattr(cls, "_handle_structure", spy)
    replies = 0
    for service, name in OPERATIONS:
        protocol = h.service_model(service).protocol
        for index in range(3):
            _, reply = example(service, name, index)
            await h.fast_parser(protocol).parse(reply, h.operation(service, name).output_shape)
            replies += 1
    assert replies > 900
    assert not fallbacks, f"botocore's walk ran for {sorted(set(fallbacks))[:20]}"
