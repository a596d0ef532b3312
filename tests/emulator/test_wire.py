"""The model-driven wire layer: routing, parsing, serialization, validation and bad input.

The round-trip tests run every operation of the three services through botocore's own
serializer and parser, so the emulator reads exactly what botocore writes and writes exactly
what botocore reads. The live tests drive the running emulator with raw aiobotocore clients and
hand-made HTTP requests.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import botocore.session
import pytest
from aiobotocore.config import AioConfig
from botocore.awsrequest import HeadersDict, prepare_request_dict
from botocore.exceptions import ClientError
from botocore.model import ServiceModel, Shape
from botocore.parsers import create_parser
from botocore.response import StreamingBody
from botocore.serialize import create_serializer
from multidict import CIMultiDict, CIMultiDictProxy
from types_aiobotocore_cloudfront import CloudFrontClient
from types_aiobotocore_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient
from types_aiobotocore_lightsail import LightsailClient

from cdnkit.testing import ClientKwargs, EmulatedErrorReply, Emulator, KeyValueStoreData
from cdnkit.testing._wire import SERVICES, TRAITS, Incoming, WireLayer
from cdnkit.testing._wire._model import ServiceSchema, compile_pattern
from cdnkit.testing._wire._protocols import make_codec

from .conftest import SESSION, RawHttp

STAMP = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
NAMESPACE = "http://cloudfront.amazonaws.com/doc/2020-05-31/"


# -- sample data for every shape ------------------------------------------------------------


def sample(
    shape: Shape, name: str = "", *, ascii_only: bool = False, stack: tuple[str, ...] = ()
) -> Any:
    """A value for ``shape`` with awkward strings (markup characters, non-ASCII, spaces)."""
    kind = shape.type_name
    if kind == "structure":
        if shape.name in stack or len(stack) > 6:
            return {}
        result: dict[str, Any] = {}
        for member_name, member in shape.members.items():  # type: ignore[attr-defined]  # StructureShape
            location = member.serialization.get("location")
            result[member_name] = sample(
                member,
                member_name,
                ascii_only=location in ("header", "uri"),
                stack=(*stack, shape.name),
            )
        return result
    if kind == "list":
        item = shape.member  # type: ignore[attr-defined]  # ListShape
        return [sample(item, name, ascii_only=ascii_only, stack=stack) for _ in range(2)]
    if kind == "map":
        value = shape.value  # type: ignore[attr-defined]  # MapShape
        return {"key-1": sample(value, name, stack=stack)}
    if kind == "string":
        enum = shape.metadata.get("enum")
        if enum:
            return enum[0]
        return f"{name}-value" if ascii_only else f" {name} <a&b> \"q\" 'é' "
    if kind in ("integer", "long"):
        return 42
    if kind in ("float", "double"):
        return 1.5
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return STAMP
    if kind == "blob":
        return b"\x00\xff blob"
    raise AssertionError(f"no sample for {kind}")


def normalized(value: Any) -> Any:
    """Comparable form: aware datetimes in UTC, blobs as bytes."""
    if isinstance(value, dict):
        return {key: normalized(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalized(item) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, str):
        return value
    return value


def operations(service: str) -> Iterator[str]:
    yield from botocore.session.get_session().get_service_model(service).operation_names


@pytest.fixture(scope="module")
def wire() -> WireLayer:
    return WireLayer()


@pytest.mark.parametrize("service", SERVICES)
def test_every_request_botocore_writes_is_routed_and_parsed_back(
    wire: WireLayer, service: str
) -> None:
    model = botocore.session.get_session().get_service_model(service)
    serializer = create_serializer(model.protocol, include_validation=False)
    codec = wire.codecs[service]
    failures: list[str] = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        params = sample(operation.input_shape) if operation.input_shape is not None else {}
        request = serializer.serialize_to_request(params, operation)
        prepare_request_dict(request, endpoint_url="https://emulator.test")
        url = urlsplit(request["url"])
        target = url.path + (f"?{url.query}" if url.query else "")
        headers = CIMultiDictProxy(CIMultiDict({k: str(v) for k, v in request["headers"].items()}))
        body = request["body"] if isinstance(request["body"], bytes) else b""
        incoming = Incoming.read(request["method"], target, headers, body)
        try:
            match = codec.route(incoming)
            parsed = codec.decode(match, incoming)
        except EmulatedErrorReply as problem:
            failures.append(f"{name}: {problem}")
            continue
        if match.plan.name != name:
            failures.append(f"{name}: routed to {match.plan.name}")
        elif normalized(parsed) != normalized(params):
            failures.append(f"{name}: parsed {parsed!r} != {params!r}")
    assert failures == []
    assert len(model.operation_names) == len(codec.schema.operations)


@pytest.mark.parametrize("service", SERVICES)
def test_every_reply_is_parsed_by_botocore_as_the_backend_wrote_it(
    wire: WireLayer, service: str
) -> None:
    model = botocore.session.get_session().get_service_model(service)
    parser = create_parser(model.protocol)
    codec = wire.codecs[service]
    failures: list[str] = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        if operation.output_shape is None:
            continue
        output = sample(operation.output_shape)
        reply = codec.reply(codec.schema.operations[name], output, "request-1")
        body: Any = reply.body
        if operation.has_streaming_output:
            # botocore hands blob payloads over unparsed, as a stream.
            body = StreamingBody(io.BytesIO(reply.body), len(reply.body))
        response = {
            "status_code": reply.status,
            "headers": HeadersDict(reply.headers),
            "body": body,
        }
        parsed = parser.parse(response, operation.output_shape)
        metadata = parsed.pop("ResponseMetadata")
        if metadata.get("RequestId") != "request-1":
            failures.append(f"{name}: no request id in {metadata}")
        expected = normalized(output)
        if service == "cloudfront" and name == "UpdateFunction":
            # The model names the header ETtag; the service (and the emulator) send ETag, so
            # botocore finds no ETag, as with the real service.
            assert reply.headers["ETag"] == expected.pop("ETag")
        for key, value in expected.items():
            got = parsed.get(key)
            if isinstance(got, StreamingBody):
                got = got.read()
            if normalized(got) != value:
                failures.append(f"{name}.{key}: {got!r} != {value!r}")
    assert failures == []


@pytest.mark.parametrize("service", SERVICES)
def test_every_modeled_error_reaches_botocore_with_its_code_and_status(
    wire: WireLayer, service: str
) -> None:
    model = botocore.session.get_session().get_service_model(service)
    parser = create_parser(model.protocol)
    codec = wire.codecs[service]
    any_output = next(
        shape
        for shape in (model.operation_model(name).output_shape for name in model.operation_names)
        if shape is not None
    )
    for spec in codec.schema.errors.values():
        reply = codec.error(EmulatedErrorReply(spec.code, "it <failed> & more", 400), "request-2")
        response = {
            "status_code": reply.status,
            "headers": HeadersDict(reply.headers),
            "body": reply.body,
        }
        parsed = parser.parse(response, any_output)
        assert parsed["Error"]["Code"] == spec.code
        assert parsed["Error"]["Message"] == "it <failed> & more"
        assert parsed["ResponseMetadata"]["RequestId"] == "request-2"
        assert reply.status == (spec.status or 400)


# -- routing --------------------------------------------------------------------------------


def _route(wire: WireLayer, method: str, target: str, service: str = "cloudfront") -> str:
    headers = CIMultiDictProxy(CIMultiDict[str]())
    incoming = Incoming.read(method, target, headers)
    codec = wire.codec_for(headers, incoming.raw_path)
    assert codec is not None
    assert codec.service == service
    return codec.route(incoming).plan.name


def test_routes_shared_paths_by_method_and_static_query_keys(wire: WireLayer) -> None:
    assert _route(wire, "POST", "/2020-05-31/distribution") == "CreateDistribution"
    assert _route(wire, "POST", "/2020-05-31/distribution?WithTags") == "CreateDistributionWithTags"
    assert _route(wire, "GET", "/2020-05-31/distribution") == "ListDistributions"
    assert _route(wire, "POST", "/2020-05-31/tagging?Operation=Tag&Resource=x") == "TagResource"
    assert _route(wire, "POST", "/2020-05-31/tagging?Operation=Untag&Resource=x") == "UntagResource"
    assert _route(wire, "GET", "/2020-05-31/tagging?Resource=x") == "ListTagsForResource"
    assert (
        _route(
            wire,
            "PUT",
            "/2020-05-31/distribution/E1/promote-staging-config?StagingDistributionId=E2",
        )
        == "UpdateDistributionWithStagingConfig"
    )
    assert _route(wire, "PUT", "/2020-05-31/distribution/E1/config") == "UpdateDistribution"
    assert _route(wire, "GET", "/2020-05-31/distribution/E1/config") == "GetDistributionConfig"
    assert _route(wire, "POST", "/2020-05-31/function/f/publish") == "PublishFunction"
    arn = "arn%3Aaws%3Acloudfront%3A%3A123456789012%3Akey-value-store%2Fid"
    assert (
        _route(wire, "GET", f"/key-value-stores/{arn}/keys", "cloudfront-keyvaluestore")
        == "ListKeys"
    )
    assert (
        _route(wire, "POST", f"/key-value-stores/{arn}/keys", "cloudfront-keyvaluestore")
        == "UpdateKeys"
    )


def test_uri_labels_are_percent_decoded(wire: WireLayer) -> None:
    codec = wire.codecs["cloudfront-keyvaluestore"]
    arn = "arn:aws:cloudfront::123456789012:key-value-store/abc"
    encoded_arn = "arn%3Aaws%3Acloudfront%3A%3A123456789012%3Akey-value-store%2Fabc"
    target = f"/key-value-stores/{encoded_arn}/keys/a%20b%2Fc"
    headers = CIMultiDictProxy(CIMultiDict({"If-Match": "KV1"}))
    incoming = Incoming.read("DELETE", target, headers)
    match = codec.route(incoming)
    assert codec.decode(match, incoming) == {"KvsARN": arn, "Key": "a b/c", "IfMatch": "KV1"}


def test_greedy_labels_take_the_rest_of_the_path() -> None:
    model = ServiceModel(
        {
            "metadata": {
                "protocol": "rest-json",
                "apiVersion": "2020-01-01",
                "endpointPrefix": "files",
                "signatureVersion": "v4",
                "serviceId": "Files",
            },
            "operations": {
                "GetObject": {
                    "name": "GetObject",
                    "http": {"method": "GET", "requestUri": "/{Bucket}/{Key+}"},
                    "input": {"shape": "GetObjectRequest"},
                },
                "GetBucket": {
                    "name": "GetBucket",
                    "http": {"method": "GET", "requestUri": "/{Bucket}"},
                    "input": {"shape": "GetBucketRequest"},
                },
            },
            "shapes": {
                "GetObjectRequest": {
                    "type": "structure",
                    "members": {
                        "Bucket": {"shape": "S", "location": "uri", "locationName": "Bucket"},
                        "Key": {"shape": "S", "location": "uri", "locationName": "Key"},
                    },
                },
                "GetBucketRequest": {
                    "type": "structure",
                    "members": {
                        "Bucket": {"shape": "S", "location": "uri", "locationName": "Bucket"}
                    },
                },
                "S": {"type": "string"},
            },
        },
        service_name="files",
    )
    codec = make_codec(ServiceSchema(model), TRAITS["cloudfront-keyvaluestore"])
    headers = CIMultiDictProxy(CIMultiDict[str]())
    incoming = Incoming.read("GET", "/b1/a/b%20c/d.txt", headers)
    match = codec.route(incoming)
    assert match.plan.name == "GetObject"
    assert codec.decode(match, incoming) == {"Bucket": "b1", "Key": "a/b c/d.txt"}
    bucket_only = Incoming.read("GET", "/b1", headers)
    assert codec.route(bucket_only).plan.name == "GetBucket"


def _demo_model(protocol: str) -> ServiceModel:
    """A small model using what the three real models leave out: flattened lists, maps,
    XML attributes, query lists, header prefix maps, unix-timestamp members, JSON blobs."""
    return ServiceModel(
        {
            "metadata": {
                "protocol": protocol,
                "apiVersion": "2021-01-01",
                "endpointPrefix": "demo",
                "signatureVersion": "v4",
                "serviceId": "Demo",
            },
            "operations": {
                "PutThing": {
                    "name": "PutThing",
                    "http": {"method": "PUT", "requestUri": "/things/{Name}?tagging"},
                    "input": {
                        "shape": "Thing",
                        "locationName": "Thing",
                        "xmlNamespace": {"uri": "urn:demo"},
                    },
                    "output": {"shape": "Thing"},
                }
            },
            "shapes": {
                "Thing": {
                    "type": "structure",
                    "required": ["Name"],
                    "members": {
                        "Name": {"shape": "S", "location": "uri", "locationName": "Name"},
                        "Labels": {
                            "shape": "Strings",
                            "location": "querystring",
                            "locationName": "label",
                        },
                        "Since": {"shape": "T", "location": "header", "locationName": "X-Since"},
                        "Meta": {
                            "shape": "Pairs",
                            "location": "headers",
                            "locationName": "x-meta-",
                        },
                        "Colors": {"shape": "Flat", "locationName": "Color"},
                        "Attributes": {"shape": "Pairs"},
                        "Owner": {"shape": "Owner"},
                        "Stamp": {"shape": "T", "timestampFormat": "unixTimestamp"},
                        "Data": {"shape": "B"},
                        "Count": {"shape": "I"},
                        "Ratio": {"shape": "D"},
                        "On": {"shape": "Bool"},
                    },
                },
                "Owner": {
                    "type": "structure",
                    "members": {
                        "Id": {"shape": "S"},
                        "Type": {"shape": "S", "xmlAttribute": True, "locationName": "type"},
                    },
                },
                "Strings": {"type": "list", "member": {"shape": "S"}},
                "Flat": {"type": "list", "member": {"shape": "S"}, "flattened": True},
                "Pairs": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}},
                "S": {"type": "string"},
                "T": {"type": "timestamp"},
                "B": {"type": "blob"},
                "I": {"type": "integer"},
                "D": {"type": "double"},
                "Bool": {"type": "boolean"},
            },
        },
        service_name="demo",
    )


@pytest.mark.parametrize("protocol", ["rest-xml", "rest-json"])
def test_generic_features_the_real_models_do_not_use_round_trip(protocol: str) -> None:
    model = _demo_model(protocol)
    operation = model.operation_model("PutThing")
    traits = TRAITS["cloudfront" if protocol == "rest-xml" else "cloudfront-keyvaluestore"]
    codec = make_codec(ServiceSchema(model), traits)
    thing: dict[str, Any] = {
        "Name": "thing one",
        "Labels": ["a b", "c&d"],
        "Since": STAMP,
        "Meta": {"color": "blue"},
        "Colors": ["red", "green"],
        "Attributes": {"size": "L", "fit": "<slim>"},
        "Owner": {"Id": "o-1", "Type": "group"},
        "Stamp": STAMP,
        "Data": b"\x00\x01binary",
        "Count": 3,
        "Ratio": 0.25,
        "On": False,
    }
    request = create_serializer(protocol, include_validation=False).serialize_to_request(
        thing, operation
    )
    prepare_request_dict(request, endpoint_url="https://demo.test")
    url = urlsplit(request["url"])
    headers = CIMultiDictProxy(CIMultiDict({k: str(v) for k, v in request["headers"].items()}))
    incoming = Incoming.read("PUT", f"{url.path}?{url.query}", headers, request["body"])
    assert codec.decode(codec.route(incoming), incoming) == thing

    reply = codec.reply(codec.schema.operations["PutThing"], thing, "request-3")
    response = {
        "status_code": reply.status,
        "headers": HeadersDict(reply.headers),
        "body": reply.body,
    }
    assert operation.output_shape is not None
    parsed = create_parser(protocol).parse(response, operation.output_shape)
    parsed.pop("ResponseMetadata")
    # URI and query members are not part of a reply.
    assert parsed == {k: v for k, v in thing.items() if k not in ("Name", "Labels")}
    if protocol == "rest-xml":
        text = reply.body.decode()
        assert "<Color>red</Color><Color>green</Color>" in text
        assert '<Owner type="group">' in text


def test_smithy_patterns_with_unicode_classes_compile_or_are_skipped() -> None:
    tag_pattern = compile_pattern(r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$")
    assert tag_pattern is not None
    assert tag_pattern.search("Équipe web 1")
    assert not tag_pattern.search("semi;colon")
    assert compile_pattern(r"(?<unterminated") is None


# -- live: replies ----------------------------------------------------------------------------


async def test_rest_xml_reply_has_status_headers_root_element_and_namespace(
    cloudfront: CloudFrontClient, raw_http: RawHttp
) -> None:
    created = await cloudfront.create_key_value_store(Name="flags", Comment="a & b")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["ETag"]
    assert created["Location"].endswith(created["KeyValueStore"]["ARN"])
    assert created["KeyValueStore"]["Comment"] == "a & b"
    assert created["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"]

    raw = await raw_http.send("GET", "/2020-05-31/key-value-store", sign_as="cloudfront")
    assert raw.status == 200
    assert raw.headers["Content-Type"] == "text/xml"
    assert raw.headers["x-amz-request-id"]
    text = raw.text()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert f'<KeyValueStoreList xmlns="{NAMESPACE}">' in text
    assert "<Comment>a &amp; b</Comment>" in text


async def test_update_function_etag_travels_in_the_etag_header_as_aws_sends_it(
    cloudfront: CloudFrontClient,
) -> None:
    created = await cloudfront.create_function(
        Name="router",
        FunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"},
        FunctionCode=b"function handler(event) { return event.request; }",
    )
    updated = await cloudfront.update_function(
        Name="router",
        IfMatch=created["ETag"],
        FunctionConfig={"Comment": "v2", "Runtime": "cloudfront-js-2.0"},
        FunctionCode=b"function handler(event) { return event.request; } // v2",
    )
    assert "ETag" not in dict(updated)  # botocore reads the model's misspelt header name
    new_etag = updated["ResponseMetadata"]["HTTPHeaders"]["etag"]
    assert new_etag
    assert new_etag != created["ETag"]
    code = await cloudfront.get_function(Name="router")
    assert (await code["FunctionCode"].read()).endswith(b"// v2")
    assert code["ETag"] == new_etag


async def test_json_replies_carry_timestamps_and_request_ids(lightsail: LightsailClient) -> None:
    bundles = await lightsail.get_distribution_bundles()
    assert bundles["bundles"]
    metadata = bundles["ResponseMetadata"]
    assert metadata["RequestId"] == metadata["HTTPHeaders"]["x-amzn-requestid"]
    assert metadata["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"


async def test_modeled_errors_raise_the_modeled_exception_classes(
    lightsail: LightsailClient,
    cloudfront: CloudFrontClient,
    kvs: CloudFrontKeyValueStoreClient,
    store: KeyValueStoreData,
) -> None:
    with pytest.raises(cloudfront.exceptions.NoSuchDistribution) as missing:
        await cloudfront.get_distribution(Id="EDOESNOTEXIST")
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert missing.value.response["ResponseMetadata"]["RequestId"]

    with pytest.raises(kvs.exceptions.ResourceNotFoundException) as no_key:
        await kvs.get_key(KvsARN=store.arn, Key="absent")
    assert no_key.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert no_key.value.response["ResponseMetadata"]["RequestId"]

    with pytest.raises(lightsail.exceptions.InvalidInputException) as invalid:
        await lightsail.create_distribution(
            distributionName="-",
            origin={"name": "web-1", "regionName": "us-east-1"},
            defaultCacheBehavior={"behavior": "cache"},
            bundleId="small_1_0",
        )
    assert "distributionName" in invalid.value.response["Error"]["Message"]
    assert invalid.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


# -- live: validation -------------------------------------------------------------------------


def _unvalidated(emulator: Emulator) -> ClientKwargs:
    """Client kwargs with botocore's own parameter validation off, to send what it refuses."""
    kwargs = emulator.client_kwargs()
    kwargs["config"] = kwargs["config"].merge(AioConfig(parameter_validation=False))
    return kwargs


async def test_missing_required_members_get_each_services_validation_error(
    emulator: Emulator, store: KeyValueStoreData
) -> None:
    session = SESSION
    kwargs = _unvalidated(emulator)
    async with session.create_client("lightsail", **kwargs) as lightsail:
        with pytest.raises(lightsail.exceptions.InvalidInputException) as caught:
            await lightsail.create_distribution(distributionName="site", bundleId="small_1_0")  # type: ignore[call-arg]  # sends what botocore would refuse
        message = caught.value.response["Error"]["Message"]
        assert "Value null at 'origin'" in message
        assert "Value null at 'defaultCacheBehavior'" in message
        assert message.startswith("2 validation errors detected")
    async with session.create_client("cloudfront-keyvaluestore", **kwargs) as kvs:
        with pytest.raises(kvs.exceptions.ValidationException) as kvs_caught:
            await kvs.put_key(KvsARN=store.arn, Key="a", Value="1")  # type: ignore[call-arg]  # no IfMatch
        assert "IfMatch" in kvs_caught.value.response["Error"]["Message"]
    async with session.create_client("cloudfront", **kwargs) as cloudfront:
        with pytest.raises(cloudfront.exceptions.InvalidIfMatchVersion):
            await cloudfront.delete_function(Name="router")  # type: ignore[call-arg]  # no IfMatch


async def test_range_enum_and_quantity_violations(
    cloudfront: CloudFrontClient, kvs: CloudFrontKeyValueStoreClient, store: KeyValueStoreData
) -> None:
    with pytest.raises(kvs.exceptions.ValidationException) as too_many:
        await kvs.list_keys(KvsARN=store.arn, MaxResults=51)
    assert "less than or equal to 50" in too_many.value.response["Error"]["Message"]

    config: Any = {
        "CallerReference": "ref-1",
        "Comment": "",
        "Enabled": True,
        "Origins": {
            "Quantity": 2,
            "Items": [
                {
                    "Id": "o1",
                    "DomainName": "example.com",
                    "CustomOriginConfig": {
                        "HTTPPort": 80,
                        "HTTPSPort": 443,
                        "OriginProtocolPolicy": "https-only",
                    },
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "o1",
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
    }
    with pytest.raises(ClientError) as inconsistent:
        await cloudfront.create_distribution(DistributionConfig=config)
    assert inconsistent.value.response["Error"]["Code"] == "InconsistentQuantities"
    assert inconsistent.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    config["Origins"]["Quantity"] = 1
    config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] = "sometimes-https"
    with pytest.raises(cloudfront.exceptions.InvalidArgument) as bad_enum:
        await cloudfront.create_distribution(DistributionConfig=config)
    assert "enum value set" in bad_enum.value.response["Error"]["Message"]


# -- live: bad input --------------------------------------------------------------------------

LIGHTSAIL_JSON = {"Content-Type": "application/x-amz-json-1.1"}


async def test_malformed_lightsail_requests_get_json_errors(raw_http: RawHttp) -> None:
    target = {**LIGHTSAIL_JSON, "X-Amz-Target": "Lightsail_20161128.GetDistributions"}
    bad_json = await raw_http.send(
        "POST", "/", body=b"{not json", headers=target, sign_as="lightsail"
    )
    assert bad_json.status == 400
    assert json.loads(bad_json.body)["__type"] == "SerializationException"
    assert bad_json.headers["x-amzn-RequestId"]

    wrong_type = await raw_http.send(
        "POST", "/", body=b'{"distributionName": 5}', headers=target, sign_as="lightsail"
    )
    assert wrong_type.status == 400
    assert "distributionName" in json.loads(wrong_type.body)["message"]

    unknown = {**LIGHTSAIL_JSON, "X-Amz-Target": "Lightsail_20161128.StealAllTheThings"}
    unknown_reply = await raw_http.send(
        "POST", "/", body=b"{}", headers=unknown, sign_as="lightsail"
    )
    assert unknown_reply.status == 400
    assert json.loads(unknown_reply.body)["__type"] == "UnknownOperationException"

    plain = {"Content-Type": "text/plain", "X-Amz-Target": "Lightsail_20161128.GetDistributions"}
    wrong_media = await raw_http.send("POST", "/", body=b"{}", headers=plain, sign_as="lightsail")
    assert wrong_media.status == 404
    assert json.loads(wrong_media.body)["__type"] == "UnknownOperationException"


async def test_malformed_cloudfront_requests_get_xml_errors(raw_http: RawHttp) -> None:
    garbage = await raw_http.send(
        "POST",
        "/2020-05-31/key-value-store",
        body=b"<CreateKeyValueStoreRequest><Name>",
        sign_as="cloudfront",
    )
    assert garbage.status == 400
    assert "<Code>MalformedXML</Code>" in garbage.text()
    assert "<Type>Sender</Type>" in garbage.text()
    assert "<RequestId>" in garbage.text()

    unknown_element = await raw_http.send(
        "POST",
        "/2020-05-31/key-value-store",
        body=f'<CreateKeyValueStoreRequest xmlns="{NAMESPACE}"><Name>a</Name><Color>red</Color>'
        "</CreateKeyValueStoreRequest>".encode(),
        sign_as="cloudfront",
    )
    assert unknown_element.status == 400
    assert "Color" in unknown_element.text()

    entity = await raw_http.send(
        "POST",
        "/2020-05-31/key-value-store",
        body=b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CreateKeyValueStoreRequest>'
        b"<Name>&a;</Name></CreateKeyValueStoreRequest>",
        sign_as="cloudfront",
    )
    assert entity.status == 400
    assert "<Code>MalformedXML</Code>" in entity.text()

    no_route = await raw_http.send("GET", "/2020-05-31/no-such-thing", sign_as="cloudfront")
    assert no_route.status == 404
    assert "<Code>InvalidURI</Code>" in no_route.text()


async def test_malformed_kvs_requests_get_rest_json_errors(
    raw_http: RawHttp, store: KeyValueStoreData
) -> None:
    path = "/key-value-stores/" + store.arn.replace(":", "%3A").replace("/", "%2F") + "/keys"
    headers = {"Content-Type": "application/json", "If-Match": store.data_etag}
    bad = await raw_http.send(
        "POST", path, body=b"[1, 2", headers=headers, sign_as="cloudfront-keyvaluestore"
    )
    assert bad.status == 400
    assert bad.headers["x-amzn-ErrorType"] == "ValidationException"
    assert "not valid JSON" in json.loads(bad.body)["Message"]

    xml = await raw_http.send(
        "POST",
        path,
        body=b"<a/>",
        headers={**headers, "Content-Type": "application/xml"},
        sign_as="cloudfront-keyvaluestore",
    )
    assert xml.status == 415

    nowhere = await raw_http.send("GET", "/key-value-stores", sign_as="cloudfront-keyvaluestore")
    assert nowhere.status == 404
    assert nowhere.headers["x-amzn-ErrorType"] == "UnknownOperationException"


async def test_requests_no_service_serves_get_a_404(raw_http: RawHttp) -> None:
    reply = await raw_http.send("GET", "/favicon.ico")
    assert reply.status == 404
    assert json.loads(reply.body)["__type"] == "UnknownOperationException"


async def test_oversize_bodies_get_413_and_the_server_keeps_serving(
    cloudfront: CloudFrontClient, raw_http: RawHttp
) -> None:
    raw_http.emulator.max_body_bytes = 4096
    big = b"<CreateKeyValueStoreRequest>" + b" " * 100_000 + b"</CreateKeyValueStoreRequest>"
    reply = await raw_http.send(
        "POST", "/2020-05-31/key-value-store", body=big, sign_as="cloudfront"
    )
    assert reply.status == 413
    assert "<Code>RequestEntityTooLarge</Code>" in reply.text()
    listed = await cloudfront.list_key_value_stores()
    assert listed["ResponseMetadata"]["HTTPStatusCode"] == 200


async def test_a_failing_backend_becomes_a_500_in_protocol_format_and_is_logged(
    emulator: Emulator,
    kvs: CloudFrontKeyValueStoreClient,
    store: KeyValueStoreData,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def explode(request: object) -> dict[str, Any]:
        raise RuntimeError("backend bug")

    monkeypatch.setattr(emulator.kvs, "handle", explode)
    with (
        caplog.at_level(logging.ERROR, logger="cdnkit.testing"),
        pytest.raises(kvs.exceptions.InternalServerException) as caught,
    ):
        await kvs.describe_key_value_store(KvsARN=store.arn)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert any("backend bug" in (record.exc_text or "") for record in caplog.records)
    monkeypatch.undo()
    described = await kvs.describe_key_value_store(KvsARN=store.arn)
    assert described["KvsARN"] == store.arn
