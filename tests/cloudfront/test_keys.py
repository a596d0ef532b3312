"""``cf.key_value_stores.keys(name)``: the KVS data plane through cdnkit, ETags automatic."""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path
from typing import Any

import pytest

import cdnkit
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf

from .conftest import open_client

DATA = "cloudfront-keyvaluestore"


async def _store(cf_client: cdnkit.CloudFront, name: str = "flags") -> str:
    created = await cf_client.key_value_stores.create(name, wait=True)
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


# Workflows: files, plans, several owners, seeding, bad input ---------------------------------


def import_file(tmp_path: Path, items: dict[str, str], name: str = "data.json") -> Path:
    path = tmp_path / name
    path.write_text(
        json.dumps({"data": [{"key": key, "value": value} for key, value in items.items()]}),
        encoding="utf-8",
    )
    return path


async def test_a_thousand_keys_from_a_file_in_the_fewest_calls(
    emulator: Emulator, cf_client: cdnkit.CloudFront, tmp_path: Path
) -> None:
    await _store(cf_client)
    keys = cf_client.key_value_stores.keys("flags")
    await keys.update(puts={f"/r/{n:04d}": "old" for n in range(0, 1000, 10)})  # 100 keys
    await keys.put("stale", "x")
    desired = {f"/r/{n:04d}": f"/new/{n}" for n in range(1000)}
    path = import_file(tmp_path, desired)
    emulator.counters.reset()

    plan = await keys.sync(path)

    assert (len(plan.puts), plan.deletes, plan.unchanged) == (1000, ("stale",), 0)
    assert emulator.counters.count(DATA, "UpdateKeys") == math.ceil(plan.changes / 50) == 21
    assert await keys.items() == desired
    again = await keys.sync(str(path))
    assert (again.changes, again.unchanged) == (0, 1000)
    assert emulator.counters.count(DATA, "UpdateKeys") == 21


async def test_a_dry_run_writes_nothing_and_plans_what_the_real_run_does(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    await _store(cf_client)
    keys = cf_client.key_value_stores.keys("flags")
    await keys.update(puts={f"k{n}": "1" for n in range(80)})
    desired = {f"k{n}": "2" if n % 2 else "1" for n in range(40, 130)}
    emulator.counters.reset()

    dry = await keys.sync(desired, dry_run=True)

    assert emulator.counters.count(DATA, "UpdateKeys") == 0
    assert dry.dry_run
    real = await keys.sync(desired)
    assert not real.dry_run
    assert (dict(real.puts), real.deletes, real.unchanged, real.size_after) == (
        dict(dry.puts),
        dry.deletes,
        dry.unchanged,
        dry.size_after,
    )
    assert emulator.counters.count(DATA, "UpdateKeys") == math.ceil(dry.changes / 50)
    assert (await keys.describe()).total_size_in_bytes == dry.size_after
    assert await keys.items() == desired


async def test_prefixed_syncs_of_two_owners_leave_every_other_key_as_it_was(
    emulator: Emulator, cf_client: cdnkit.CloudFront, other_client: cdnkit.CloudFront
) -> None:
    await _store(cf_client)
    shared = {"global/theme": "dark", "team-a/old": "x", "team-b/old": "y", "zzz": "1"}
    await cf_client.key_value_stores.keys("flags").update(puts=shared)
    team_a = {f"team-a/{n}": str(n) for n in range(120)}
    team_b = {f"team-b/{n}": str(-n) for n in range(120)}

    plans = await asyncio.gather(
        cf_client.key_value_stores.keys("flags").sync(team_a, prefix="team-a/"),
        other_client.key_value_stores.keys("flags").sync(team_b, prefix="team-b/"),
    )

    assert [plan.deletes for plan in plans] == [("team-a/old",), ("team-b/old",)]
    items = await cf_client.key_value_stores.keys("flags").items()
    assert items == {"global/theme": "dark", "zzz": "1", **team_a, **team_b}
    with pytest.raises(cdnkit.InvalidRequestError, match="does not start with the prefix"):
        await cf_client.key_value_stores.keys("flags").sync({"team-b/1": "x"}, prefix="team-a/")


async def test_seed_a_store_in_one_call(
    emulator: Emulator, cf_client: cdnkit.CloudFront, tmp_path: Path
) -> None:
    redirects = {f"/old/{n}": f"/new/{n}" for n in range(120)}

    created = await cf_client.key_value_stores.create("redirects", data=redirects)

    assert created.key_value_store.status == "READY"
    assert created.etag
    assert emulator.counters.count(DATA, "UpdateKeys") == 3
    assert await cf_client.key_value_stores.keys("redirects").items() == redirects
    from_file = await cf_client.key_value_stores.create(
        "flags", comment="from a file", data=import_file(tmp_path, {"beta": "on"})
    )
    assert from_file.key_value_store.comment == "from a file"
    assert await cf_client.key_value_stores.keys("flags").items() == {"beta": "on"}
    empty = await cf_client.key_value_stores.create("empty", data={})
    assert empty.key_value_store.status == "READY"


def _bad_inputs(tmp_path: Path) -> list[tuple[Any, str]]:
    malformed = tmp_path / "malformed.json"
    malformed.write_text('{"data": [', encoding="utf-8")
    wrong_shape = tmp_path / "shape.json"
    wrong_shape.write_text('{"data": [{"key": "a"}]}', encoding="utf-8")
    duplicate = tmp_path / "duplicate.json"
    duplicate.write_text(
        json.dumps({"data": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]}),
        encoding="utf-8",
    )
    big = {f"k{n:05d}": "v" * 1000 for n in range(5300)}  # about 5.1 MB
    return [
        (tmp_path / "missing.json", "cannot read the file"),
        (malformed, "not valid JSON"),
        (wrong_shape, 'exactly "key" and "value"'),
        (duplicate, "duplicate key 'a'"),
        ({"k" * 513: "v"}, "key"),
        ({"k": "v" * 1025}, "value"),
        ({"k": 1}, "valid string"),
        (big, "a store holds at most 5242880"),
    ]


async def test_bad_input_sends_zero_requests(
    emulator: Emulator, cf_client: cdnkit.CloudFront, tmp_path: Path
) -> None:
    await _store(cf_client)
    emulator.counters.reset()
    keys = cf_client.key_value_stores.keys("flags")
    for data, rule in _bad_inputs(tmp_path):
        with pytest.raises(cdnkit.CdnKitError) as caught:
            await keys.sync(data)
        assert rule in str(caught.value)
        with pytest.raises(cdnkit.CdnKitError) as caught:
            await cf_client.key_value_stores.create("seeded", data=data)
        assert rule in str(caught.value)
    source = cf.ImportSource(source_type="S3", source_arn="arn:aws:s3:::bucket/data.json")
    with pytest.raises(cdnkit.InvalidRequestError, match=r"^data: cannot be combined"):
        await cf_client.key_value_stores.create("seeded", data={"a": "1"}, import_source=source)
    assert emulator.counters.count(DATA) == 0
    assert emulator.counters.count("cloudfront") == 0


async def test_seeding_after_a_lost_create_answer_creates_one_store_and_loads_it(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    emulator.faults.reset_after_processing("cloudfront", operation="CreateKeyValueStore")

    created = await cf_client.key_value_stores.create("flags", data={"beta": "on"})

    assert created.key_value_store.status == "READY"
    assert emulator.counters.count("cloudfront", "CreateKeyValueStore") == 2
    assert [store.name async for store in cf_client.key_value_stores.list()] == ["flags"]
    assert await cf_client.key_value_stores.keys("flags").items() == {"beta": "on"}
