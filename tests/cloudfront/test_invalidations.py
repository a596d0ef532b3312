"""``cf.invalidations``: create (idempotent through its CallerReference), get, list, wait."""

from __future__ import annotations

import pytest

import cdnkit
from cdnkit.testing import Emulator

from .conftest import create_distribution, page_size


async def test_create_get_and_wait(emulator: Emulator, cf_client: cdnkit.CloudFront) -> None:
    distribution_id = await create_distribution(cf_client)

    created = await cf_client.invalidations.create(distribution_id, ["/index.html", "/img/*"])

    assert created.status == "InProgress"
    batch = created.invalidation_batch
    assert batch.caller_reference  # generated
    assert (batch.paths.quantity, batch.paths.items) == (2, ["/index.html", "/img/*"])
    got = await cf_client.invalidations.get(distribution_id, created.id)
    assert got.id == created.id
    assert got.invalidation_batch == batch
    done = await cf_client.invalidations.wait(distribution_id, created.id)
    assert done.status == "Completed"
    assert done.id == created.id
    waited = await cf_client.invalidations.create(distribution_id, ["/*"], wait=True)
    assert waited.status == "Completed"
    assert waited.invalidation_batch.caller_reference != batch.caller_reference


async def test_the_same_caller_reference_returns_the_same_invalidation(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)

    first = await cf_client.invalidations.create(distribution_id, ["/*"], caller_reference="r1")
    again = await cf_client.invalidations.create(distribution_id, ["/*"], caller_reference="r1")

    assert again.id == first.id
    assert emulator.counters.count("cloudfront", "CreateInvalidation") == 2
    assert [i.id async for i in cf_client.invalidations.list(distribution_id)] == [first.id]


async def test_list_returns_every_page(emulator: Emulator, cf_client: cdnkit.CloudFront) -> None:
    distribution_id = await create_distribution(cf_client)
    created = [
        (await cf_client.invalidations.create(distribution_id, [f"/{i}"])).id for i in range(5)
    ]
    page_size(cf_client, "ListInvalidations", 2)
    emulator.counters.reset()

    listed = [i.id async for i in cf_client.invalidations.list(distribution_id)]

    assert listed == list(reversed(created))  # newest first, as CloudFront lists them
    assert emulator.counters.count("cloudfront", "ListInvalidations") == 3


async def test_wait_times_out(emulator: Emulator, cf_client: cdnkit.CloudFront) -> None:
    distribution_id = await create_distribution(cf_client)
    emulator.timing.invalidation = 3600
    created = await cf_client.invalidations.create(distribution_id, ["/*"])
    with pytest.raises(cdnkit.WaiterTimeoutError):
        await cf_client.invalidations.wait(distribution_id, created.id, timeout=0.05)
