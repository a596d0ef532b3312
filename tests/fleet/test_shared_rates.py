"""Rate-limit state is per service, operation and account, shared by every client of the
process for that account (AWS throttles per operation and account)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest

import cdnkit
from cdnkit.testing import Emulator
from tests.cloudfront.conftest import FAST_TIMING, create_distribution, open_client


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(timing=dataclasses.replace(FAST_TIMING)) as emu:
        yield emu


async def test_a_throttled_create_invalidation_slows_every_client_of_the_account_and_only_it(
    emulator: Emulator,
) -> None:
    other_account = emulator.client_kwargs()
    other_account["aws_access_key_id"] = "AKIAOTHERACCOUNT0001"
    async with (
        open_client(emulator) as one,
        open_client(emulator) as two,
        cdnkit.CloudFront(**other_account) as other,
    ):
        distribution_id = await create_distribution(one)
        for client in (one, two, other):
            assert client._core.rate("CreateInvalidation").rate is None
        emulator.faults.throttle("cloudfront", operation="CreateInvalidation", count=4)
        no_retries = one.with_options(retry=cdnkit.RetryPolicy(max_attempts=1))

        outcomes = await asyncio.gather(
            *(no_retries.invalidations.create(distribution_id, [f"/{n}"]) for n in range(4)),
            return_exceptions=True,
        )

        assert all(isinstance(o, cdnkit.ThrottlingError) for o in outcomes)
        # Frequent throttles slowed CreateInvalidation down, for the second client too...
        assert one._core.rate("CreateInvalidation") is two._core.rate("CreateInvalidation")
        assert two._core.rate("CreateInvalidation").rate is not None
        # ...and for nothing else: GetDistributionConfig goes out unlimited, at once.
        assert two._core.rate("GetDistributionConfig").rate is None
        emulator.counters.reset()
        await two.distributions.get_config(distribution_id)
        assert emulator.counters.count("cloudfront", "GetDistributionConfig") == 1
        # Another account has its own quota.
        assert other._core.rate("CreateInvalidation").rate is None
