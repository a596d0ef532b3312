"""Retries after an answer lost on the wire, end to end: the emulator processes the request
and then resets the connection, exactly as a dropped reply looks to the client."""

from __future__ import annotations

import cdnkit
from cdnkit.testing import Emulator

from .conftest import config


async def test_a_distribution_create_whose_answer_was_lost_returns_the_one_it_made(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    emulator.faults.reset_after_processing("cloudfront", operation="CreateDistribution")
    created = await cf_client.distributions.create(config())
    assert created.distribution is not None
    # The retry reused the CallerReference, met DistributionAlreadyExists naming the first
    # attempt's distribution, and returned it: one distribution in all.
    assert emulator.counters.count("cloudfront", "CreateDistribution") == 2
    assert [d.id async for d in cf_client.distributions.list()] == [created.distribution.id]


async def test_an_invalidation_whose_answer_was_lost_is_not_made_twice(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    created = await cf_client.distributions.create(config())
    assert created.distribution is not None
    distribution_id = created.distribution.id
    emulator.faults.reset_after_processing("cloudfront", operation="CreateInvalidation")
    invalidation = await cf_client.invalidations.create(distribution_id, ["/index.html"])
    assert emulator.counters.count("cloudfront", "CreateInvalidation") == 2
    listed = [i.id async for i in cf_client.invalidations.list(distribution_id)]
    assert listed == [invalidation.id]
