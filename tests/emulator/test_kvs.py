"""The KeyValueStore data plane end to end, through a raw aiobotocore client (SigV4A signed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from aiobotocore.config import AioConfig
from botocore.exceptions import ClientError
from types_aiobotocore_cloudfront import CloudFrontClient
from types_aiobotocore_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient

from cdnkit.testing import Emulator, KeyValueStoreData
from cdnkit.testing._kvs import STORE_MAX_BYTES

from .conftest import SESSION, add_store, drop_account_prefix


async def test_describe_reports_the_data_plane_view(
    kvs: CloudFrontKeyValueStoreClient, store: KeyValueStoreData
) -> None:
    described = await kvs.describe_key_value_store(KvsARN=store.arn)
    assert described["KvsARN"] == store.arn
    assert described["ETag"] == store.data_etag
    assert described["ETag"] != store.control_etag
    assert (described["ItemCount"], described["TotalSizeInBytes"]) == (0, 0)
    assert described["Status"] == "READY"
    assert isinstance(described["Created"], datetime)
    assert isinstance(described["LastModified"], datetime)


async def test_put_get_delete_change_the_etag_every_time(
    kvs: CloudFrontKeyValueStoreClient, store: KeyValueStoreData
) -> None:
    first = (await kvs.describe_key_value_store(KvsARN=store.arn))["ETag"]
    put = await kvs.put_key(KvsARN=store.arn, Key="beta", Value="on", IfMatch=first)
    assert put["ETag"] != first
    assert (put["ItemCount"], put["TotalSizeInBytes"]) == (1, len("beta") + len("on"))

    got = await kvs.get_key(KvsARN=store.arn, Key="beta")
    assert (got["Key"], got["Value"], got["ItemCount"]) == ("beta", "on", 1)
    assert "ETag" not in got

    replaced = await kvs.put_key(KvsARN=store.arn, Key="beta", Value="off", IfMatch=put["ETag"])
    assert replaced["ETag"] not in (first, put["ETag"])
    assert replaced["TotalSizeInBytes"] == len("beta") + len("off")

    deleted = await kvs.delete_key(KvsARN=store.arn, Key="beta", IfMatch=replaced["ETag"])
    assert (deleted["ItemCount"], deleted["TotalSizeInBytes"]) == (0, 0)
    assert deleted["ETag"] != replaced["ETag"]
    assert (await kvs.describe_key_value_store(KvsARN=store.arn))["ETag"] == deleted["ETag"]

    with pytest.raises(kvs.exceptions.ResourceNotFoundException):
        await kvs.get_key(KvsARN=store.arn, Key="beta")
    with pytest.raises(kvs.exceptions.ResourceNotFoundException):
        await kvs.delete_key(KvsARN=store.arn, Key="beta", IfMatch=deleted["ETag"])


async def test_a_stale_etag_is_a_pre_condition_validation_error(
    emulator: Emulator, kvs: CloudFrontKeyValueStoreClient, store: KeyValueStoreData
) -> None:
    etag = (await kvs.describe_key_value_store(KvsARN=store.arn))["ETag"]
    assert emulator.out_of_band_write("cloudfront-keyvaluestore", store.arn)
    with pytest.raises(kvs.exceptions.ValidationException) as stale:
        await kvs.put_key(KvsARN=store.arn, Key="a", Value="1", IfMatch=etag)
    assert "Pre-Condition failed" in stale.value.response["Error"]["Message"]
    assert store.items == {}

    emulator.kvs.stale_etag_error = "ConflictException"
    with pytest.raises(kvs.exceptions.ConflictException) as conflict:
        await kvs.delete_key(KvsARN=store.arn, Key="a", IfMatch=etag)
    assert conflict.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


async def test_out_of_band_write_finds_stores_by_arn_id_or_name(
    emulator: Emulator, store: KeyValueStoreData
) -> None:
    for handle in (store.arn, store.id, store.name, "kvs"):
        before = store.data_etag
        assert emulator.out_of_band_write("kvs", handle) is (handle != "kvs")
        assert (store.data_etag != before) is (handle != "kvs")


async def test_list_keys_pages_in_key_order(
    kvs: CloudFrontKeyValueStoreClient, store: KeyValueStoreData
) -> None:
    store.items.update({f"key-{n:02d}": f"value-{n}" for n in reversed(range(25))})
    pages: list[list[str]] = []
    token: str | None = None
    while True:
        if token is None:
            page = await kvs.list_keys(KvsARN=store.arn)
        else:
            page = await kvs.list_keys(KvsARN=store.arn, NextToken=token)
        pages.append([item["Key"] for item in page["Items"]])
        token = page.get("NextToken")
        if token is None:
            break
    assert [len(keys) for keys in pages] == [10, 10, 5]
    assert [key for keys in pages for key in keys] == sorted(store.items)

    big_page = await kvs.list_keys(KvsARN=store.arn, MaxResults=50)
    assert len(big_page["Items"]) == 25
    assert "NextToken" not in big_page
    assert big_page["Items"][0] == {"Key": "key-00", "Value": "value-0"}

    small = await kvs.list_keys(KvsARN=store.arn, MaxResults=1)
    assert [item["Key"] for item in small["Items"]] == ["key-00"]
    with pytest.raises(kvs.exceptions.ValidationException):
        await kvs.list_keys(KvsARN=store.arn, NextToken="%%% not a token")


async def test_update_keys_applies_puts_and_deletes_together(
    kvs: CloudFrontKeyValueStoreClient, store: KeyValueStoreData
) -> None:
    store.items.update({"old": "1", "keep": "2"})
    etag = store.data_etag
    result = await kvs.update_keys(
        KvsARN=store.arn,
        IfMatch=etag,
        Puts=[{"Key": "new", "Value": "3"}, {"Key": "keep", "Value": "22"}],
        Deletes=[{"Key": "old"}, {"Key": "never-existed"}],
    )
    assert store.items == {"keep": "22", "new": "3"}
    assert result["ItemCount"] == 2
    assert result["TotalSizeInBytes"] == len("keep22new3")
    assert result["ETag"] != etag


@pytest.mark.parametrize(
    ("puts", "deletes", "message"),
    [
        (
            [{"Key": f"k{n}", "Value": "v"} for n in range(40)],
            [{"Key": f"d{n}"} for n in range(11)],
            "at most 50 keys",
        ),
        (
            [{"Key": "ok", "Value": "v"}, {"Key": "big", "Value": "x" * 1025}],
            [],
            "limit is 1024 bytes",
        ),
        ([{"Key": "k" * 513, "Value": "v"}], [], "limit is 512 bytes"),
        ([{"Key": "twice", "Value": "v"}], [{"Key": "twice"}], "more than once"),
        ([], [], "at least one"),
    ],
)
async def test_update_keys_is_all_or_nothing(
    kvs: CloudFrontKeyValueStoreClient,
    store: KeyValueStoreData,
    puts: list[dict[str, str]],
    deletes: list[dict[str, str]],
    message: str,
) -> None:
    store.items["existing"] = "value"
    etag = store.data_etag
    with pytest.raises(kvs.exceptions.ValidationException) as refused:
        await kvs.update_keys(KvsARN=store.arn, IfMatch=etag, Puts=puts, Deletes=deletes)  # type: ignore[arg-type]  # TypedDict items
    assert message in refused.value.response["Error"]["Message"]
    assert store.items == {"existing": "value"}
    assert store.data_etag == etag


async def test_value_and_key_limits_on_put_key(
    kvs: CloudFrontKeyValueStoreClient, store: KeyValueStoreData
) -> None:
    etag = store.data_etag
    with pytest.raises(kvs.exceptions.ValidationException):
        await kvs.put_key(KvsARN=store.arn, Key="v", Value="é" * 513, IfMatch=etag)  # 1026 bytes
    with pytest.raises(kvs.exceptions.ValidationException):
        await kvs.put_key(KvsARN=store.arn, Key="k" * 600, Value="v", IfMatch=etag)
    accepted = await kvs.put_key(KvsARN=store.arn, Key="k" * 512, Value="x" * 1024, IfMatch=etag)
    assert accepted["TotalSizeInBytes"] == 1536


async def test_a_full_store_refuses_writes_with_service_quota_exceeded(
    kvs: CloudFrontKeyValueStoreClient, store: KeyValueStoreData
) -> None:
    filler = "x" * 1000
    count = STORE_MAX_BYTES // (1000 + 8)
    store.items.update({f"{n:08d}": filler for n in range(count)})
    room = STORE_MAX_BYTES - store.total_size()
    assert 0 <= room < 1008
    with pytest.raises(ClientError) as full:
        await kvs.put_key(KvsARN=store.arn, Key="straw", Value="x" * room, IfMatch=store.data_etag)
    assert full.value.response["Error"]["Code"] == "ServiceQuotaExceededException"
    assert full.value.response["ResponseMetadata"]["HTTPStatusCode"] == 402
    assert "straw" not in store.items
    # Replacing a value with a smaller one frees room and is accepted.
    await kvs.put_key(KvsARN=store.arn, Key="00000000", Value="y", IfMatch=store.data_etag)


async def test_unknown_and_provisioning_stores_are_not_found(
    emulator: Emulator, kvs: CloudFrontKeyValueStoreClient
) -> None:
    provisioning = add_store(emulator, "later", ready=False)
    with pytest.raises(kvs.exceptions.ResourceNotFoundException):
        await kvs.describe_key_value_store(KvsARN=provisioning.arn)
    with pytest.raises(kvs.exceptions.ResourceNotFoundException):
        await kvs.get_key(KvsARN=provisioning.arn.replace("0000-4000", "0000-4001"), Key="a")
    emulator.clock.advance(3600)
    described = await kvs.describe_key_value_store(KvsARN=provisioning.arn)
    assert described["Status"] == "READY"


@pytest.fixture
async def control_plane(emulator: Emulator) -> AsyncIterator[CloudFrontClient]:
    async with SESSION.create_client("cloudfront", **emulator.client_kwargs()) as client:
        yield client


async def test_stores_made_by_the_control_plane_serve_the_data_plane(
    emulator: Emulator, control_plane: CloudFrontClient, kvs: CloudFrontKeyValueStoreClient
) -> None:
    created = await control_plane.create_key_value_store(Name="routing")
    arn = created["KeyValueStore"]["ARN"]
    emulator.clock.advance(emulator.timing.key_value_store_provisioning + 1)
    etag = (await kvs.describe_key_value_store(KvsARN=arn))["ETag"]
    await kvs.put_key(KvsARN=arn, Key="/old", Value="/new", IfMatch=etag)
    assert emulator.state.key_value_stores[arn].items == {"/old": "/new"}


async def test_the_documented_before_sign_recipe_needs_no_resolver(
    emulator: Emulator, store: KeyValueStoreData
) -> None:
    # docs/testing.md: without LoopbackResolver, drop botocore's account prefix before signing.
    kwargs = emulator.client_kwargs()
    kwargs["endpoint_url"] = emulator.endpoint_url
    kwargs["config"] = AioConfig(retries={"total_max_attempts": 1})
    async with SESSION.create_client("cloudfront-keyvaluestore", **kwargs) as client:
        client.meta.events.register("before-sign.cloudfront-keyvaluestore", drop_account_prefix)
        described = await client.describe_key_value_store(KvsARN=store.arn)
    assert described["KvsARN"] == store.arn


async def test_the_emulator_as_an_http_proxy_needs_no_resolver(
    emulator: Emulator, store: KeyValueStoreData
) -> None:
    # A client whose proxy is the emulator sends the absolute request target
    # (http://123456789012.localhost:<port>/...) and never resolves the prefixed host.
    url = emulator.client_endpoint_url
    kwargs = emulator.client_kwargs()
    kwargs["endpoint_url"] = url
    kwargs["config"] = AioConfig(retries={"total_max_attempts": 1}, proxies={"http": url})
    async with SESSION.create_client("cloudfront-keyvaluestore", **kwargs) as client:
        etag = (await client.describe_key_value_store(KvsARN=store.arn))["ETag"]
        await client.put_key(KvsARN=store.arn, Key="beta", Value="on", IfMatch=etag)
        assert (await client.get_key(KvsARN=store.arn, Key="beta"))["Value"] == "on"
    # Control-plane calls through the proxy are SigV4-checked on their path, as when direct.
    async with SESSION.create_client("cloudfront", **kwargs) as cloudfront:
        listed = await cloudfront.list_key_value_stores()
    assert listed["KeyValueStoreList"]["Items"]
    assert emulator.counters.count("cloudfront-keyvaluestore", "PutKey") == 1
