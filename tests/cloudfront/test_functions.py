"""``cf.functions``: stages, per-stage ETags, the UpdateFunction ETag header, test and publish."""

from __future__ import annotations

import json

import pytest

import cdnkit
from cdnkit.resources.cloudfront import FunctionTestRun
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf

from .conftest import CODE, VIEWER_REQUEST, page_size

CODE_V2 = CODE + " // v2"


def count(emulator: Emulator, operation: str) -> int:
    return emulator.counters.count("cloudfront", operation)


async def test_create_describe_and_get_code(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    created = await cf_client.functions.create("router", code=CODE, comment="routes")

    assert created.etag
    assert created.function_summary.function_config == cf.FunctionConfig(
        comment="routes", runtime="cloudfront-js-2.0"
    )
    described = await cf_client.functions.describe("router", stage="DEVELOPMENT")
    assert described.etag == created.etag
    assert described.function_summary.status == "UNPUBLISHED"
    assert described.function_summary.function_metadata.stage == "DEVELOPMENT"
    assert await cf_client.functions.get_code("router") == CODE.encode()
    with pytest.raises(cdnkit.NotFoundError):
        await cf_client.functions.describe("router", stage="LIVE")
    with pytest.raises(cdnkit.NotFoundError):
        await cf_client.functions.get_code("router", stage="LIVE")


async def test_create_with_bytes_runtime_and_store(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    store = await cf_client.key_value_stores.create("flags")
    arn = store.key_value_store.arn

    created = await cf_client.functions.create(
        "router", code=CODE.encode(), runtime="cloudfront-js-2.0", key_value_store_arns=[arn]
    )

    associations = created.function_summary.function_config.key_value_store_associations
    assert associations == cf.KeyValueStoreAssociations(
        items=[cf.KeyValueStoreAssociation(key_value_store_arn=arn)]
    )
    assert associations is not None
    assert associations.quantity == 1


async def test_list_by_stage_returns_every_page(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    for name in ("a", "b", "c"):
        await cf_client.functions.create(name, code=CODE)
    await cf_client.functions.publish("b")
    page_size(cf_client, "ListFunctions", 2)
    emulator.counters.reset()

    development = [f.name async for f in cf_client.functions.list(stage="DEVELOPMENT")]
    live = [f.name async for f in cf_client.functions.list(stage="LIVE")]
    every = [(f.name, f.function_metadata.stage) async for f in cf_client.functions.list()]

    assert sorted(development) == ["a", "b", "c"]
    assert live == ["b"]
    assert sorted(every) == [
        ("a", "DEVELOPMENT"),
        ("b", "DEVELOPMENT"),
        ("b", "LIVE"),
        ("c", "DEVELOPMENT"),
    ]
    assert count(emulator, "ListFunctions") == 2 + 1 + 2


async def test_update_then_publish_needs_no_extra_describe(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    await cf_client.functions.create("router", code=CODE, comment="keep me")
    emulator.counters.reset()

    updated = await cf_client.functions.update("router", code=CODE_V2)
    published = await cf_client.functions.publish("router")

    assert count(emulator, "DescribeFunction") == 1  # update's read of the current config
    assert count(emulator, "UpdateFunction") == 1
    assert count(emulator, "PublishFunction") == 1
    assert count(emulator, "GetFunction") == 0  # new code given: the old is not fetched
    # botocore drops UpdateFunction's ETag; cdnkit read it from the HTTP header.
    assert updated.etag is not None
    assert updated.etag == (await cf_client.functions.describe("router")).etag
    assert published.function_summary.function_metadata.stage == "LIVE"
    assert await cf_client.functions.get_code("router", stage="LIVE") == CODE_V2.encode()
    live = await cf_client.functions.describe("router", stage="LIVE")
    assert live.function_summary.function_config.comment == "keep me"


async def test_a_stale_remembered_etag_is_recovered_by_one_describe(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    await cf_client.functions.create("router", code=CODE)
    await cf_client.functions.update("router", code=CODE_V2)
    assert emulator.out_of_band_write("cloudfront", "router")
    emulator.counters.reset()

    await cf_client.functions.publish("router")

    assert count(emulator, "PublishFunction") == 2
    assert count(emulator, "DescribeFunction") == 1
    assert await cf_client.functions.get_code("router", stage="LIVE") == CODE_V2.encode()


async def test_publish_without_a_remembered_etag_describes_once(
    emulator: Emulator, cf_client: cdnkit.CloudFront, other_client: cdnkit.CloudFront
) -> None:
    await other_client.functions.create("router", code=CODE)
    emulator.counters.reset()

    await cf_client.functions.publish("router")

    assert (count(emulator, "DescribeFunction"), count(emulator, "PublishFunction")) == (1, 1)


async def test_partial_updates_keep_the_rest(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    store = await cf_client.key_value_stores.create("flags")
    arn = store.key_value_store.arn
    await cf_client.functions.create("router", code=CODE, comment="first")

    await cf_client.functions.update("router", comment="second")
    assert await cf_client.functions.get_code("router") == CODE.encode()

    await cf_client.functions.update("router", key_value_store_arns=[arn])
    await cf_client.functions.update("router", code=CODE_V2)

    described = await cf_client.functions.describe("router")
    config = described.function_summary.function_config
    assert config.comment == "second"
    assert config.key_value_store_associations == cf.KeyValueStoreAssociations(
        items=[cf.KeyValueStoreAssociation(key_value_store_arn=arn)]
    )
    assert await cf_client.functions.get_code("router") == CODE_V2.encode()

    await cf_client.functions.update("router", key_value_store_arns=[])
    described = await cf_client.functions.describe("router")
    associations = described.function_summary.function_config.key_value_store_associations
    assert associations is None or not associations.items


async def test_an_update_that_changes_nothing_sends_nothing(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    created = await cf_client.functions.create("router", code=CODE, comment="same")
    emulator.counters.reset()

    result = await cf_client.functions.update("router", comment="same")

    assert count(emulator, "UpdateFunction") == 0
    assert result.etag == created.etag


async def test_test_returns_a_typed_result(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    await cf_client.functions.create("router", code=CODE)

    result = await cf_client.functions.test("router", event=VIEWER_REQUEST)

    assert isinstance(result, FunctionTestRun)
    assert isinstance(result.raw, cf.TestResult)
    assert result.error is None
    assert result.raw.function_output is not None
    assert json.loads(result.raw.function_output) == {"request": VIEWER_REQUEST["request"]}
    assert (result.output, result.output_kind) == (VIEWER_REQUEST["request"], "request")
    assert result.utilization > 0
    raw = await cf_client.functions.test("router", event=json.dumps(VIEWER_REQUEST))
    assert raw.raw.function_output == result.raw.function_output


async def test_test_of_the_live_stage(emulator: Emulator, cf_client: cdnkit.CloudFront) -> None:
    await cf_client.functions.create("router", code=CODE)
    await cf_client.functions.publish("router")
    result = await cf_client.functions.test("router", event=VIEWER_REQUEST, stage="LIVE")
    assert result.raw.function_summary is not None
    assert result.raw.function_summary.function_metadata.stage == "LIVE"


async def test_a_failed_test_raises_at_once_and_is_not_retried(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    await cf_client.functions.create("router", code=CODE)
    emulator.cloudfront.fail_function_tests(3)
    emulator.counters.reset()

    with pytest.raises(cdnkit.FunctionTestFailedError) as caught:
        await cf_client.functions.test("router", event=VIEWER_REQUEST)

    assert caught.value.code == "TestFunctionFailed"
    assert caught.value.http_status == 500
    assert count(emulator, "TestFunction") == 1


async def test_delete(emulator: Emulator, cf_client: cdnkit.CloudFront) -> None:
    await cf_client.functions.create("router", code=CODE)
    assert emulator.out_of_band_write("cloudfront", "router")  # the remembered ETag is stale

    await cf_client.functions.delete("router")

    with pytest.raises(cdnkit.NotFoundError):
        await cf_client.functions.describe("router")
    assert [f async for f in cf_client.functions.list()] == []
    # A new function of the same name starts with its own ETag, not the deleted one's.
    await cf_client.functions.create("router", code=CODE)
    emulator.counters.reset()
    await cf_client.functions.publish("router")
    assert (count(emulator, "DescribeFunction"), count(emulator, "PublishFunction")) == (0, 1)
