"""Injected faults and request counters, seen from raw aiobotocore clients."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiobotocore.config import AioConfig
from botocore.exceptions import ClientError, ConnectionClosedError
from types_aiobotocore_cloudfront import CloudFrontClient
from types_aiobotocore_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient
from types_aiobotocore_lightsail import LightsailClient

from cdnkit.testing import Clock, Emulator, FaultKind, KeyValueStoreData

from .conftest import SESSION


def code_and_status(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


async def test_each_service_throttles_with_its_own_error(
    emulator: Emulator,
    lightsail: LightsailClient,
    cloudfront: CloudFrontClient,
    kvs: CloudFrontKeyValueStoreClient,
    store: KeyValueStoreData,
) -> None:
    for service in ("lightsail", "cloudfront", "kvs"):
        emulator.faults.throttle(service)
    with pytest.raises(ClientError) as lightsail_throttled:
        await lightsail.get_distribution_bundles()
    assert code_and_status(lightsail_throttled) == ("ThrottlingException", 400)
    with pytest.raises(ClientError) as cloudfront_throttled:
        await cloudfront.list_distributions()
    assert code_and_status(cloudfront_throttled) == ("Throttling", 400)
    assert cloudfront_throttled.value.response["Error"]["Message"] == "Rate exceeded"
    with pytest.raises(ClientError) as kvs_throttled:
        await kvs.describe_key_value_store(KvsARN=store.arn)
    assert code_and_status(kvs_throttled) == ("ThrottlingException", 429)
    # count=1 by default: the next calls go through.
    await lightsail.get_distribution_bundles()
    await cloudfront.list_distributions()
    await kvs.describe_key_value_store(KvsARN=store.arn)
    assert emulator.counters.count("lightsail", "GetDistributionBundles") == 2
    assert emulator.counters.count("kvs") == 2


@pytest.mark.parametrize(
    ("status", "codes"),
    [
        (500, ("ServiceException", "InternalFailure")),
        (503, ("ServiceUnavailableException", "ServiceUnavailable")),
    ],
)
async def test_server_errors_use_each_services_codes(
    emulator: Emulator,
    lightsail: LightsailClient,
    cloudfront: CloudFrontClient,
    status: int,
    codes: tuple[str, str],
) -> None:
    emulator.faults.server_error("lightsail", status=status)
    emulator.faults.server_error("cloudfront", status=status)
    with pytest.raises(ClientError) as lightsail_failed:
        await lightsail.get_distribution_bundles()
    assert code_and_status(lightsail_failed) == (codes[0], status)
    with pytest.raises(ClientError) as cloudfront_failed:
        await cloudfront.list_distributions()
    assert code_and_status(cloudfront_failed) == (codes[1], status)


async def test_faults_scoped_to_an_operation_leave_the_others_alone(
    emulator: Emulator, cloudfront: CloudFrontClient
) -> None:
    rule = emulator.faults.throttle("cloudfront", operation="ListFunctions", count=2)
    await cloudfront.list_distributions()
    for _ in range(2):
        with pytest.raises(ClientError):
            await cloudfront.list_functions()
    await cloudfront.list_functions()
    assert rule.hits == 2
    assert not rule.active
    assert emulator.faults.rules == ()
    assert emulator.counters.count("cloudfront", "ListFunctions") == 3
    assert emulator.counters.count("cloudfront") == 4


async def test_a_connection_reset_drops_the_request_without_an_answer(
    emulator: Emulator, lightsail: LightsailClient
) -> None:
    emulator.faults.reset_connection("lightsail", operation="GetDistributionBundles")
    with pytest.raises(ConnectionClosedError):
        await lightsail.get_distribution_bundles()
    assert (await lightsail.get_distribution_bundles())["bundles"]
    assert emulator.counters.count("lightsail", "GetDistributionBundles") == 2


async def test_latency_delays_then_answers(emulator: Emulator, lightsail: LightsailClient) -> None:
    rule = emulator.faults.latency("lightsail", 0.01, count=2)
    for _ in range(3):
        assert (await lightsail.get_distribution_bundles())["bundles"]
    assert rule.hits == 2


@pytest.fixture
async def retrying_lightsail(emulator: Emulator) -> AsyncIterator[LightsailClient]:
    kwargs = emulator.client_kwargs()
    kwargs["config"] = kwargs["config"].merge(
        AioConfig(retries={"mode": "standard", "total_max_attempts": 2})
    )
    async with SESSION.create_client("lightsail", **kwargs) as client:
        yield client


async def test_counters_show_botocore_retries(
    emulator: Emulator, retrying_lightsail: LightsailClient
) -> None:
    emulator.faults.server_error("lightsail", status=503, count=1)
    reply = await retrying_lightsail.get_distribution_bundles()
    assert reply["ResponseMetadata"]["RetryAttempts"] == 1
    assert emulator.counters.count("lightsail", "GetDistributionBundles") == 2


async def _outcomes(seed: int, calls: int) -> list[bool]:
    async with Emulator(seed=seed) as emu:
        emu.faults.throttle("lightsail", count=None, probability=0.5)
        async with SESSION.create_client("lightsail", **emu.client_kwargs()) as client:
            outcomes = []
            for _ in range(calls):
                try:
                    await client.get_distribution_bundles()
                    outcomes.append(True)
                except ClientError:
                    outcomes.append(False)
            assert emu.counters.count("lightsail") == calls
            return outcomes


async def test_probabilistic_faults_are_reproducible_with_a_seed() -> None:
    first = await _outcomes(seed=7, calls=16)
    assert first == await _outcomes(seed=7, calls=16)
    assert True in first
    assert False in first


class FrozenClock(Clock):
    """A clock that only moves when told to."""

    def __init__(self) -> None:
        super().__init__()
        self._now = 1000.0

    def monotonic(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        super().advance(seconds)
        self._now += seconds


async def test_a_rate_limit_throttles_above_its_rate_and_refills_with_time() -> None:
    clock = FrozenClock()
    async with Emulator(clock=clock) as emu:
        emu.faults.rate_limit("cloudfront", per_second=2, burst=3)
        async with SESSION.create_client("cloudfront", **emu.client_kwargs()) as client:
            for _ in range(3):
                await client.list_distributions()
            with pytest.raises(ClientError) as throttled:
                await client.list_distributions()
            assert code_and_status(throttled) == ("Throttling", 400)
            clock.advance(0.5)  # one token back
            await client.list_distributions()
            with pytest.raises(ClientError):
                await client.list_distributions()
            emu.faults.remove_rate_limit("cloudfront")
            await client.list_distributions()
        assert emu.counters.count("cloudfront", "ListDistributions") == 7


async def test_clear_and_reset_forget_faults_and_counts(
    emulator: Emulator, lightsail: LightsailClient
) -> None:
    emulator.faults.inject("lightsail", FaultKind.THROTTLE)  # every request until cleared
    for _ in range(2):
        with pytest.raises(ClientError):
            await lightsail.get_distribution_bundles()
    emulator.faults.clear()
    await lightsail.get_distribution_bundles()
    assert emulator.counters.count("lightsail") == 3
    emulator.faults.rate_limit("lightsail", per_second=1)
    emulator.reset()
    assert emulator.counters.count("lightsail") == 0
    await lightsail.get_distribution_bundles()
    await lightsail.get_distribution_bundles()  # no rate limit any more


def test_fault_rules_are_checked_when_made(emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="no operation"):
        emulator.faults.throttle("cloudfront", operation="ListDistribution")
    with pytest.raises(ValueError, match="unknown service"):
        emulator.faults.throttle("route53")
    with pytest.raises(ValueError, match="probability"):
        emulator.faults.throttle("kvs", probability=1.5)
    with pytest.raises(ValueError, match="500 or 503"):
        emulator.faults.server_error("kvs", status=502)
    with pytest.raises(ValueError, match="latency"):
        emulator.faults.inject("kvs", "latency")
    rule = emulator.faults.throttle("kvs", operation="GetKey")
    rule.cancel()
    assert emulator.faults.rules == ()
