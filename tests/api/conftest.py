"""Fixtures for the generated operations: one fast emulator, a client of each service."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiobotocore.session import AioSession

import cdnkit
from cdnkit.testing import Emulator, Timing

#: Deployments, operations, invalidations and store provisioning finish in 50 ms.
FAST_TIMING = Timing(
    lightsail_operation=0.05,
    lightsail_distribution_deploy=0.05,
    cloudfront_distribution_deploy=0.05,
    invalidation=0.05,
    key_value_store_provisioning=0.05,
)
FAST_WAIT = cdnkit.WaitPolicy(initial_delay=0.01, max_delay=0.05, timeout=5)
FAST_RETRY = cdnkit.RetryPolicy(initial_backoff=0.001, max_backoff=0.01, adaptive=False)
#: One botocore session: its loader caches the service models between clients.
SESSION = AioSession()


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(timing=Timing(**vars(FAST_TIMING))) as emu:
        yield emu


@pytest.fixture
async def kit(emulator: Emulator) -> AsyncIterator[cdnkit.Lightsail]:
    client = cdnkit.Lightsail(
        **emulator.client_kwargs(), retry=FAST_RETRY, wait=FAST_WAIT, session=SESSION
    )
    async with client:
        yield client


@pytest.fixture
async def cf_client(emulator: Emulator) -> AsyncIterator[cdnkit.CloudFront]:
    client = cdnkit.CloudFront(
        **emulator.client_kwargs(), retry=FAST_RETRY, wait=FAST_WAIT, session=SESSION
    )
    async with client:
        yield client
