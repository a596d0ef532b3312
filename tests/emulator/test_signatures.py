"""Signature checks: SigV4 recomputed, SigV4A checked for shape and access key."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from cdnkit.testing import Emulator, KeyValueStoreData
from cdnkit.testing._backend import JsonDict, Request

from .conftest import SESSION, RawHttp


def _kwargs(emulator: Emulator, **overrides: Any) -> dict[str, Any]:
    return {**emulator.client_kwargs(), **overrides}


def code_and_status(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize(
    ("service", "call", "wrong_secret", "unknown_key"),
    [
        (
            "lightsail",
            "get_distribution_bundles",
            ("InvalidSignatureException", 400),
            ("UnrecognizedClientException", 400),
        ),
        (
            "cloudfront",
            "list_distributions",
            ("SignatureDoesNotMatch", 403),
            ("InvalidClientTokenId", 403),
        ),
    ],
)
async def test_sigv4_with_other_credentials_gets_the_services_auth_error(
    emulator: Emulator,
    service: str,
    call: str,
    wrong_secret: tuple[str, int],
    unknown_key: tuple[str, int],
) -> None:
    kwargs = _kwargs(emulator, aws_secret_access_key="not-the-secret")
    async with SESSION.create_client(service, **kwargs) as client:  # type: ignore[call-overload]  # service is a parameter
        with pytest.raises(ClientError) as bad_secret:
            await getattr(client, call)()
    assert code_and_status(bad_secret) == wrong_secret
    assert bad_secret.value.response["ResponseMetadata"]["RequestId"]

    kwargs = _kwargs(emulator, aws_access_key_id="AKIAOTHERACCOUNT0000")
    async with SESSION.create_client(service, **kwargs) as client:  # type: ignore[call-overload]  # service is a parameter
        with pytest.raises(ClientError) as bad_key:
            await getattr(client, call)()
    assert code_and_status(bad_key) == unknown_key


async def test_sigv4a_from_an_unknown_access_key_is_refused(
    emulator: Emulator, store: KeyValueStoreData
) -> None:
    kwargs = _kwargs(emulator, aws_access_key_id="AKIAOTHERACCOUNT0000")
    async with SESSION.create_client("cloudfront-keyvaluestore", **kwargs) as kvs:
        with pytest.raises(ClientError) as refused:
            await kvs.describe_key_value_store(KvsARN=store.arn)
    assert code_and_status(refused) == ("UnrecognizedClientException", 403)


async def test_a_malformed_sigv4a_header_is_refused(
    raw_http: RawHttp, store: KeyValueStoreData
) -> None:
    path = "/key-value-stores/" + store.arn.replace(":", "%3A").replace("/", "%2F")
    key = raw_http.emulator.access_key_id
    headers = {
        "X-Amz-Date": "20250101T000000Z",
        "X-Amz-Region-Set": "*",
        "Authorization": f"AWS4-ECDSA-P256-SHA256 Credential={key}/20250101/"
        "cloudfront-keyvaluestore/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, "
        "Signature=not-hex",
    }
    reply = await raw_http.send("GET", path, headers=headers)
    assert reply.status == 403
    assert reply.headers["x-amzn-ErrorType"] == "InvalidSignatureException"

    good_shape = {**headers, "Authorization": headers["Authorization"].replace("not-hex", "3045ab")}
    accepted = await raw_http.send("GET", path, headers=good_shape)
    assert accepted.status == 200


async def test_unsigned_and_tampered_requests_are_refused(raw_http: RawHttp) -> None:
    unsigned = await raw_http.send("GET", "/2020-05-31/distribution")
    assert unsigned.status == 403
    assert "<Code>MissingAuthenticationToken</Code>" in unsigned.text()

    signed = await raw_http.send("GET", "/2020-05-31/distribution", sign_as="cloudfront")
    assert signed.status == 200

    wrong_service = await raw_http.send("GET", "/2020-05-31/distribution", sign_as="lightsail")
    assert wrong_service.status == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in wrong_service.text()


async def test_a_body_changed_after_signing_is_refused(
    emulator: Emulator, raw_http: RawHttp
) -> None:
    sent: dict[str, bytes] = {}

    original = raw_http.session.request

    def swap_body(method: str, url: Any, **kwargs: Any) -> Any:
        sent["body"] = kwargs["data"]
        kwargs["data"] = kwargs["data"].replace(b"small", b"large")
        return original(method, url, **kwargs)

    raw_http.session.request = swap_body  # type: ignore[method-assign]  # tamper in transit
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "Lightsail_20161128.GetDistributionBundles",
    }
    reply = await raw_http.send(
        "POST", "/", body=b'{"x": "small"}', headers=headers, sign_as="lightsail"
    )
    assert sent["body"] == b'{"x": "small"}'
    assert reply.status == 400
    assert b"InvalidSignatureException" in reply.body


async def test_signed_query_strings_are_canonicalized_like_botocore(
    emulator: Emulator, raw_http: RawHttp, store: KeyValueStoreData
) -> None:
    # Keys out of order, reserved characters encoded: the signer sorts, the server must too.
    query = "Resource=arn%3Aaws%3Acloudfront%3A%3A123456789012%3Adistribution%2FE1&Operation=Tag"
    body = b'<Tags xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Items/></Tags>'
    path = f"/2020-05-31/tagging?{query}"
    reply = await raw_http.send("POST", path, body=body, sign_as="cloudfront")
    assert b"Signature" not in reply.body
    assert reply.status != 403
    forged = await raw_http.send("POST", path, body=body, sign_as="cloudfront", secret="guess")
    assert forged.status == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in forged.body


async def test_checks_off_accepts_any_credentials() -> None:
    async with Emulator(check_signatures=False) as emu:
        kwargs = _kwargs(emu, aws_access_key_id="AKIAANYONE0000000000", aws_secret_access_key="x")
        async with SESSION.create_client("lightsail", **kwargs) as lightsail:
            assert (await lightsail.get_distribution_bundles())["bundles"]


async def test_the_signed_region_reaches_the_backend(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Request] = []

    def record(request: Request) -> JsonDict:
        seen.append(request)
        return {"distributions": []}

    monkeypatch.setattr(emulator.lightsail, "handle", record)
    kwargs = _kwargs(emulator, region_name="eu-west-1")
    async with SESSION.create_client("lightsail", **kwargs) as lightsail:
        await lightsail.get_distributions(distributionName="site")
    assert [(r.region, r.operation, r.params) for r in seen] == [
        ("eu-west-1", "GetDistributions", {"distributionName": "site"})
    ]
