"""Wire details found by driving the emulator with the AWS SDK for JavaScript v3
(``test_interop_js.py``), kept here as node-free regression tests with requests shaped as the
JS SDK sends them."""

from __future__ import annotations

import json
import re

import botocore.exceptions
import pytest
from types_aiobotocore_cloudfront import CloudFrontClient
from types_aiobotocore_lightsail import LightsailClient

from cdnkit.testing import Emulator
from cdnkit.testing._cloudfront._service import _without_empty_items

from .conftest import RawHttp, distribution_config

#: CreateDistribution as the JS SDK writes it: ``application/xml``, the XML declaration, an
#: empty list as a self-closing ``<Items/>``.
JS_CREATE_DISTRIBUTION = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
    "<CallerReference>js-1</CallerReference><Origins><Quantity>1</Quantity><Items><Origin>"
    "<Id>web</Id><DomainName>origin.example.com</DomainName><CustomOriginConfig>"
    "<HTTPPort>80</HTTPPort><HTTPSPort>443</HTTPSPort>"
    "<OriginProtocolPolicy>https-only</OriginProtocolPolicy></CustomOriginConfig></Origin>"
    "</Items></Origins><DefaultCacheBehavior><TargetOriginId>web</TargetOriginId>"
    "<ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy>"
    "<CachePolicyId>658327ea-f89d-4fab-a63d-7e88639e58f6</CachePolicyId>"
    "</DefaultCacheBehavior><Comment></Comment><Enabled>true</Enabled>"
    "<Aliases><Quantity>0</Quantity><Items/></Aliases></DistributionConfig>"
)
JS_XML = {"Content-Type": "application/xml"}


async def test_an_empty_listing_has_no_items_element(raw_http: RawHttp) -> None:
    # CloudFront leaves Items out of an empty list (SDKs then read it as absent, not []); the
    # emulator wrote <Items></Items>, which the JS SDK read as Items: [].
    for path in (
        "/2020-05-31/key-value-store",
        "/2020-05-31/continuous-deployment-policy",
        "/2020-05-31/distribution",
        "/2020-05-31/function",
    ):
        reply = await raw_http.send("GET", path, sign_as="cloudfront")
        assert reply.status == 200, reply.text()
        assert "<Quantity>0</Quantity>" in reply.text()
        assert "<Items" not in reply.text(), (path, reply.text())


async def test_an_empty_wrapper_sent_with_items_comes_back_without(raw_http: RawHttp) -> None:
    created = await raw_http.send(
        "POST",
        "/2020-05-31/distribution",
        body=JS_CREATE_DISTRIBUTION.encode(),
        headers=JS_XML,
        sign_as="cloudfront",
    )
    assert created.status == 201, created.text()
    assert "<Aliases><Quantity>0</Quantity></Aliases>" in created.text()
    found = re.search(r"<Id>(E[A-Z0-9]+)</Id>", created.text())
    assert found is not None
    config = await raw_http.send(
        "GET", f"/2020-05-31/distribution/{found.group(1)}/config", sign_as="cloudfront"
    )
    assert config.status == 200, config.text()
    assert "<Aliases><Quantity>0</Quantity></Aliases>" in config.text()
    # A list that has items is still written in full.
    assert "<Origins><Quantity>1</Quantity><Items><Origin>" in config.text()


async def test_botocore_reads_an_empty_wrapper_as_absent_items(
    cloudfront: CloudFrontClient,
) -> None:
    assert "Items" not in (await cloudfront.list_distributions())["DistributionList"]
    created = await cloudfront.create_distribution(
        DistributionConfig=distribution_config("r", Aliases={"Quantity": 0, "Items": []})
    )
    config = created["Distribution"]["DistributionConfig"]
    assert config["Aliases"] == {"Quantity": 0}
    assert config["Origins"]["Items"][0]["Id"] == "web"
    listed = (await cloudfront.list_distributions())["DistributionList"]
    assert [item["Id"] for item in listed["Items"]] == [created["Distribution"]["Id"]]


LIGHTSAIL_JSON = {
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Target": "Lightsail_20161128.GetOperation",
}
UNKNOWN_OPERATION = b'{"operationId":"00000000-0000-4000-8000-000000000000"}'


async def test_a_lightsail_not_found_body_has_no_code_by_default(raw_http: RawHttp) -> None:
    reply = await raw_http.send(
        "POST", "/", body=UNKNOWN_OPERATION, headers=LIGHTSAIL_JSON, sign_as="lightsail"
    )
    assert reply.status == 400
    body = json.loads(reply.body)
    assert body["__type"] == "NotFoundException"
    # Older JS SDK releases read `code` before `__type`; without it, every SDK reads the type.
    assert "code" not in body


async def test_a_lightsail_not_found_code_can_be_sent_as_aws_does(
    emulator: Emulator, raw_http: RawHttp, lightsail: LightsailClient
) -> None:
    emulator.lightsail.not_found_code = "DoesNotExist"
    reply = await raw_http.send(
        "POST", "/", body=UNKNOWN_OPERATION, headers=LIGHTSAIL_JSON, sign_as="lightsail"
    )
    body = json.loads(reply.body)
    assert (reply.status, body["__type"], body["code"]) == (
        400,
        "NotFoundException",
        "DoesNotExist",
    )
    # botocore reads __type first: still the modeled exception, with the member parsed.
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        await lightsail.get_operation(operationId="00000000-0000-4000-8000-000000000000")
    assert caught.value.response["Error"]["Code"] == "NotFoundException"
    # Other errors are unchanged.
    invalid = await raw_http.send(
        "POST",
        "/",
        body=b'{"distributionName":"nope"}',
        headers={**LIGHTSAIL_JSON, "X-Amz-Target": "Lightsail_20161128.GetDistributions"},
        sign_as="lightsail",
    )
    assert json.loads(invalid.body) == {
        "__type": "InvalidInputException",
        "message": "Requested resource not found",
    }


def test_leaving_empty_items_out_copies_and_never_modifies_the_stored_value() -> None:
    stored = {
        "Aliases": {"Quantity": 0, "Items": []},
        "Origins": {"Quantity": 1, "Items": [{"Id": "web", "Tags": {"Items": []}}]},
        "Comment": "",
    }
    answered = _without_empty_items(stored)
    assert answered == {
        "Aliases": {"Quantity": 0},
        # Only a wrapper with a Quantity loses its empty Items.
        "Origins": {"Quantity": 1, "Items": [{"Id": "web", "Tags": {"Items": []}}]},
        "Comment": "",
    }
    assert stored["Aliases"] == {"Quantity": 0, "Items": []}
    assert answered["Origins"] is stored["Origins"]  # nothing changed there: not copied
