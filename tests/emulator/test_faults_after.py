"""Faults that fire after the backend: the change is made, the answer is lost (raw aiobotocore)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiobotocore.config import AioConfig
from botocore.exceptions import ClientError, ConnectionClosedError
from types_aiobotocore_cloudfront import CloudFrontClient
from types_aiobotocore_lightsail import LightsailClient

from cdnkit.testing import Emulator, FaultKind

from .conftest import SESSION, distribution_config


async def create_lightsail(lightsail: LightsailClient, name: str) -> None:
    await lightsail.create_distribution(
        distributionName=name,
        origin={"name": "web-1", "regionName": "us-east-1"},
        defaultCacheBehavior={"behavior": "cache"},
        bundleId="small_1_0",
    )


async def lightsail_names(lightsail: LightsailClient) -> list[str]:
    reply = await lightsail.get_distributions()
    return sorted(item["name"] for item in reply["distributions"])


def batch(reference: str) -> Any:
    return {"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": reference}


async def invalidation_ids(cloudfront: CloudFrontClient, distribution_id: str) -> list[str]:
    listed = await cloudfront.list_invalidations(DistributionId=distribution_id)
    return [item["Id"] for item in listed["InvalidationList"].get("Items", [])]


async def test_a_lost_create_answer_still_creates_the_lightsail_distribution(
    emulator: Emulator, lightsail: LightsailClient
) -> None:
    rule = emulator.faults.reset_after_processing("lightsail", operation="CreateDistribution")
    with pytest.raises(ConnectionClosedError):
        await create_lightsail(lightsail, "site")
    assert await lightsail_names(lightsail) == ["site"]
    # A blind retry is refused: the caller has to look for what the first attempt made.
    with pytest.raises(lightsail.exceptions.InvalidInputException, match="already exists"):
        await create_lightsail(lightsail, "site")
    assert (rule.hits, rule.active, emulator.faults.rules) == (1, False, ())
    assert emulator.counters.count("lightsail", "CreateDistribution") == 2
    assert emulator.counters.count("lightsail", "GetDistributions") == 1


async def test_a_lost_invalidation_answer_still_creates_the_invalidation(
    emulator: Emulator, cloudfront: CloudFrontClient
) -> None:
    created = await cloudfront.create_distribution(DistributionConfig=distribution_config("d1"))
    distribution_id = created["Distribution"]["Id"]
    emulator.faults.reset_after_processing("cloudfront", operation="CreateInvalidation")
    with pytest.raises(ConnectionClosedError):
        await cloudfront.create_invalidation(
            DistributionId=distribution_id, InvalidationBatch=batch("r1")
        )
    [made] = await invalidation_ids(cloudfront, distribution_id)
    # CloudFront reconciles a retry with the same CallerReference to the invalidation it made.
    again = await cloudfront.create_invalidation(
        DistributionId=distribution_id, InvalidationBatch=batch("r1")
    )
    assert again["Invalidation"]["Id"] == made
    assert await invalidation_ids(cloudfront, distribution_id) == [made]
    assert emulator.counters.count("cloudfront", "CreateInvalidation") == 2


@pytest.fixture
async def retrying_cloudfront(emulator: Emulator) -> AsyncIterator[CloudFrontClient]:
    kwargs = emulator.client_kwargs()
    kwargs["config"] = kwargs["config"].merge(
        AioConfig(retries={"mode": "standard", "total_max_attempts": 2})
    )
    async with SESSION.create_client("cloudfront", **kwargs) as client:
        yield client


async def test_botocore_retries_a_lost_answer_onto_what_the_first_attempt_made(
    emulator: Emulator, retrying_cloudfront: CloudFrontClient
) -> None:
    created = await retrying_cloudfront.create_distribution(
        DistributionConfig=distribution_config("d1")
    )
    distribution_id = created["Distribution"]["Id"]
    emulator.faults.reset_after_processing("cloudfront", operation="CreateInvalidation")
    reply = await retrying_cloudfront.create_invalidation(
        DistributionId=distribution_id, InvalidationBatch=batch("r1")
    )
    assert reply["ResponseMetadata"]["RetryAttempts"] == 1
    assert await invalidation_ids(retrying_cloudfront, distribution_id) == [
        reply["Invalidation"]["Id"]
    ]
    # The reset request is counted once, its retry once.
    assert emulator.counters.count("cloudfront", "CreateInvalidation") == 2


async def test_a_lost_create_distribution_answer_on_cloudfront(
    emulator: Emulator, cloudfront: CloudFrontClient
) -> None:
    emulator.faults.inject(
        "cloudfront", "reset_after_processing", operation="CreateDistribution", count=1
    )
    with pytest.raises(ConnectionClosedError):
        await cloudfront.create_distribution(DistributionConfig=distribution_config("d1"))
    listed = (await cloudfront.list_distributions())["DistributionList"]
    assert listed["Quantity"] == 1
    with pytest.raises(ClientError) as retried:
        await cloudfront.create_distribution(DistributionConfig=distribution_config("d1"))
    assert retried.value.response["Error"]["Code"] == "DistributionAlreadyExists"


async def test_only_the_requested_number_of_answers_is_lost(
    emulator: Emulator, lightsail: LightsailClient
) -> None:
    rule = emulator.faults.inject(
        "lightsail", FaultKind.RESET_AFTER_PROCESSING, operation="CreateDistribution", count=2
    )
    for name in ("site-a", "site-b"):
        with pytest.raises(ConnectionClosedError):
            await create_lightsail(lightsail, name)
        # Scoped to CreateDistribution: the listing in between is answered.
        assert name in await lightsail_names(lightsail)
    await create_lightsail(lightsail, "site-c")
    assert await lightsail_names(lightsail) == ["site-a", "site-b", "site-c"]
    assert (rule.hits, rule.remaining, emulator.faults.rules) == (2, 0, ())
    assert emulator.counters.count("lightsail", "CreateDistribution") == 3


async def test_an_error_answer_is_lost_too(emulator: Emulator, lightsail: LightsailClient) -> None:
    emulator.faults.reset_after_processing("lightsail", operation="GetDistributions")
    with pytest.raises(ConnectionClosedError):
        await lightsail.get_distributions(distributionName="missing")
    with pytest.raises(lightsail.exceptions.InvalidInputException):
        await lightsail.get_distributions(distributionName="missing")


async def _lost_answers(seed: int, calls: int) -> list[bool]:
    """Which of ``calls`` creates lost their answer, checking each was made either way."""
    async with Emulator(seed=seed) as emu:
        emu.faults.reset_after_processing("lightsail", count=None, probability=0.5)
        async with SESSION.create_client("lightsail", **emu.client_kwargs()) as client:
            lost = []
            for n in range(calls):
                try:
                    await create_lightsail(client, f"site-{n:02d}")
                    lost.append(False)
                except ConnectionClosedError:
                    lost.append(True)
            emu.faults.clear()
            assert await lightsail_names(client) == [f"site-{n:02d}" for n in range(calls)]
            assert emu.counters.count("lightsail", "CreateDistribution") == calls
            return lost


async def test_probabilistic_lost_answers_are_reproducible_with_a_seed() -> None:
    first = await _lost_answers(seed=7, calls=12)
    assert first == await _lost_answers(seed=7, calls=12)
    assert True in first
    assert False in first
