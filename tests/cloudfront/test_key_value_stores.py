"""``cf.key_value_stores``: the control plane of KeyValueStores, ETags automatic."""

from __future__ import annotations

import pytest

import cdnkit
from cdnkit.resources.cloudfront import KeyValueStoreFailedError
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf

from .conftest import before_call, page_size, stale_before

SOURCE = "arn:aws:s3:::flags-bucket/flags.json"


async def test_create_with_wait_returns_a_ready_store(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    bodies: list[bytes] = []
    before_call(cf_client, "CreateKeyValueStore", lambda request: bodies.append(request["body"]))

    created = await cf_client.key_value_stores.create(
        "flags",
        comment="feature flags",
        import_source=cf.ImportSource(source_type="S3", source_arn=SOURCE),
        wait=True,
    )

    assert created.key_value_store.status == "READY"
    assert created.key_value_store.comment == "feature flags"
    assert created.location
    assert created.key_value_store.arn in created.location
    assert emulator.counters.count("cloudfront", "CreateKeyValueStore") == 1
    assert emulator.counters.count("cloudfront", "DescribeKeyValueStore") >= 1
    assert SOURCE.encode() in bodies[0]
    described = await cf_client.key_value_stores.describe("flags")
    assert described.etag == created.etag
    assert described.key_value_store == created.key_value_store


async def test_create_without_wait_returns_at_once(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    created = await cf_client.key_value_stores.create("flags")
    assert created.key_value_store.status == "PROVISIONING"
    assert emulator.counters.count("cloudfront", "DescribeKeyValueStore") == 0
    ready = await cf_client.key_value_stores.wait_ready("flags")
    assert ready.key_value_store.status == "READY"


async def test_wait_ready_raises_for_a_failed_store(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    created = await cf_client.key_value_stores.create("flags")
    emulator.state.key_value_stores[created.key_value_store.arn].failure_reason = "bad import"
    with pytest.raises(KeyValueStoreFailedError):
        await cf_client.key_value_stores.wait_ready("flags")


async def test_list_returns_every_page(emulator: Emulator, cf_client: cdnkit.CloudFront) -> None:
    names = [f"store-{i}" for i in range(5)]
    for name in names:
        await cf_client.key_value_stores.create(name)
    page_size(cf_client, "ListKeyValueStores", 2)
    emulator.counters.reset()

    listed = [store.name async for store in cf_client.key_value_stores.list()]

    assert sorted(listed) == names
    assert emulator.counters.count("cloudfront", "ListKeyValueStores") == 3


async def test_update_changes_the_comment_and_skips_a_same_comment(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    created = await cf_client.key_value_stores.create("flags", comment="old")
    sent = stale_before(cf_client, emulator, "UpdateKeyValueStore", "flags", times=1)

    updated = await cf_client.key_value_stores.update("flags", comment="new")

    assert len(sent) == 2
    assert sent[0] != sent[1]
    assert updated.key_value_store.comment == "new"
    assert updated.etag not in (None, created.etag)
    emulator.counters.reset()

    same = await cf_client.key_value_stores.update("flags", comment="new")

    assert emulator.counters.count("cloudfront", "UpdateKeyValueStore") == 0
    assert same.etag == updated.etag
    assert same.key_value_store.comment == "new"


async def test_delete_reads_the_etag_itself(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    await cf_client.key_value_stores.create("flags")
    sent = stale_before(cf_client, emulator, "DeleteKeyValueStore", "flags", times=1)

    await cf_client.key_value_stores.delete("flags")

    assert len(sent) == 2
    assert all(sent)
    with pytest.raises(cdnkit.NotFoundError):
        await cf_client.key_value_stores.describe("flags")
    assert [store async for store in cf_client.key_value_stores.list()] == []


async def test_a_comment_too_long_is_refused_before_any_request(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    await cf_client.key_value_stores.create("flags")
    emulator.counters.reset()
    with pytest.raises(cdnkit.RequestValidationError) as caught:
        await cf_client.key_value_stores.update("flags", comment="x" * 129)
    assert any(error["loc"] == ("comment",) for error in caught.value.errors())
    assert emulator.counters.total() == 0
