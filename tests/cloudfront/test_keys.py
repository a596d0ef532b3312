"""``cf.key_value_stores.keys(name)``: the KVS data plane through cdnkit, ETags automatic."""

from __future__ import annotations

import pytest

import cdnkit
from cdnkit.testing import Emulator

from .conftest import open_client

DATA = "cloudfront-keyvaluestore"


async def _store(cf_client: cdnkit.CloudFront, name: str = "flags") -> str:
    created = await cf_client.key_value_stores.create(name, wait=True)
    assert created.key_value_store is not None
    return created.key_value_store.arn


async def test_put_get_delete_and_list(emulator: Emulator, cf_client: cdnkit.CloudFront) -> None:
    await _store(cf_client)
    keys = cf_client.key_value_stores.keys("flags")
    put = await keys.put("beta", "on")
    assert put.item_count == 1
    assert await keys.get("beta") == "on"
    assert await keys.items() == {"beta": "on"}
    deleted = await keys.delete("beta")
    assert deleted.item_count == 0
    assert deleted.etag != put.etag
    with pytest.raises(cdnkit.NotFoundError):
        await keys.get("beta")
    # One data-plane describe for the first ETag; later writes reuse the one each reply gives.
    assert emulator.counters.count(DATA, "DescribeKeyValueStore") == 1


async def test_sync_puts_what_differs_deletes_the_rest_and_batches_by_50(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    arn = await _store(cf_client)
    keys = cf_client.key_value_stores.keys(arn)  # an ARN works as well as a name
    desired = {f"key-{i:03d}": str(i) for i in range(120)}
    plan = await keys.sync(desired)
    assert plan.puts == desired
    assert plan.deletes == ()
    assert plan.size_after == sum(len(k) + len(v) for k, v in desired.items())
    assert emulator.counters.count(DATA, "UpdateKeys") == 3  # 50 + 50 + 20
    assert await keys.items() == desired
    again = await keys.sync(desired)  # already there: nothing sent
    assert (again.changes, again.unchanged) == (0, 120)
    assert emulator.counters.count(DATA, "UpdateKeys") == 3
    last = await keys.sync({"key-000": "changed"})
    assert (dict(last.puts), len(last.deletes), last.unchanged) == ({"key-000": "changed"}, 119, 0)
    assert emulator.counters.count(DATA, "UpdateKeys") == 6  # 120 changes: 50 + 50 + 20
    assert await keys.items() == {"key-000": "changed"}


@pytest.mark.parametrize("stale_error", ["ValidationException", "ConflictException"])
async def test_a_stale_etag_is_read_again_and_the_write_reapplied(stale_error: str) -> None:
    async with Emulator(kvs_stale_etag_error=stale_error) as emulator:  # type: ignore[arg-type]  # the two literal choices
        emulator.timing.key_value_store_provisioning = 0.0
        async with open_client(emulator) as cf_client:
            arn = await _store(cf_client)
            keys = cf_client.key_value_stores.keys("flags")
            await keys.put("a", "1")
            assert emulator.out_of_band_write(DATA, arn)
            await keys.put("b", "2")
            assert await keys.items() == {"a": "1", "b": "2"}
            assert emulator.counters.count(DATA, "PutKey") == 3  # one refused as stale
            assert emulator.counters.count(DATA, "DescribeKeyValueStore") == 2


async def test_bad_keys_and_values_are_refused_before_sending(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    await _store(cf_client)
    keys = cf_client.key_value_stores.keys("flags")
    with pytest.raises(cdnkit.RequestValidationError) as caught:
        await keys.put("k" * 513, "v")
    assert caught.value.errors()[0]["loc"] == ("key",)
    with pytest.raises(cdnkit.RequestValidationError) as caught:
        await keys.put("k", "v" * 1025)
    assert caught.value.errors()[0]["loc"] == ("value",)
    with pytest.raises(cdnkit.RequestValidationError):
        await keys.update(puts={"k" * 600: "v"})
    assert emulator.counters.count(DATA) == 0
