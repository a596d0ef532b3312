"""The retry layer against injected faults, with attempts counted by the emulator."""

from __future__ import annotations

import asyncio
import logging

import pytest

import cdnkit
from cdnkit._retry import OperationRate
from cdnkit.testing import DEFAULT_SECRET_ACCESS_KEY, Emulator
from cdnkit.types import lightsail as ls

from .conftest import FAST_RETRY, create_site, new_kit, origin

BUNDLES = "GetDistributionBundles"
FAST_RETRY_ADAPTIVE = cdnkit.RetryPolicy(
    initial_backoff=FAST_RETRY.initial_backoff, max_backoff=FAST_RETRY.max_backoff, adaptive=True
)


async def test_throttling_is_retried(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    emulator.faults.throttle("lightsail", operation=BUNDLES, count=2)
    assert await kit.distributions.bundles()
    assert emulator.counters.count("lightsail", BUNDLES) == 3


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_retried(
    emulator: Emulator, kit: cdnkit.Lightsail, status: int
) -> None:
    emulator.faults.server_error("lightsail", status=status, operation=BUNDLES, count=2)
    assert await kit.distributions.bundles()
    assert emulator.counters.count("lightsail", BUNDLES) == 3


async def test_connection_resets_are_retried(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    emulator.faults.reset_connection("lightsail", operation=BUNDLES, count=2)
    assert await kit.distributions.bundles()
    assert emulator.counters.count("lightsail", BUNDLES) == 3


async def test_a_read_timeout_is_retried(emulator: Emulator) -> None:
    emulator.faults.latency("lightsail", 0.4, operation=BUNDLES, count=1)
    async with new_kit(emulator, read_timeout=0.1) as kit:
        assert await kit.distributions.bundles()
    assert emulator.counters.count("lightsail", BUNDLES) == 2


async def test_a_mutating_call_is_retried_and_applied_once(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    await create_site(kit)
    emulator.faults.throttle("lightsail", operation="UpdateDistribution", count=1)
    emulator.faults.server_error("lightsail", operation="UpdateDistribution", count=1)
    operation = await kit.distributions.update("site", is_enabled=False, wait=True)
    assert operation is not None
    assert operation.status == "Succeeded"
    assert emulator.counters.count("lightsail", "UpdateDistribution") == 3
    updates = [
        op
        for op in await kit.operations.for_resource("site")
        if op.operation_type == "UpdateDistribution"
    ]
    assert len(updates) == 1


async def test_a_create_lost_in_transit_is_reconciled_by_name(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    emulator.faults.reset_connection("lightsail", operation="CreateDistribution", count=1)
    created = await create_site(kit, wait=False)
    assert created.distribution.name == "site"
    assert emulator.counters.count("lightsail", "CreateDistribution") == 2
    # Before the second attempt, the name was looked up (not there: the reset came first).
    assert emulator.counters.count("lightsail", "GetDistributions") == 1


async def test_server_side_validation_is_not_retried(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    with pytest.raises(cdnkit.ServerValidationError, match="huge_9_9"):
        await kit.distributions.create(
            "site",
            origin=origin(),
            default_cache_behavior=ls.CacheBehavior(behavior="cache"),
            bundle_id="huge_9_9",
        )
    assert emulator.counters.count("lightsail", "CreateDistribution") == 1
    assert emulator.counters.count("lightsail", "GetDistributions") == 0


async def test_not_found_is_not_retried(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    with pytest.raises(cdnkit.NotFoundError):
        await kit.distributions.reset_cache("missing")
    assert emulator.counters.count("lightsail", "ResetDistributionCache") == 1


async def test_wrong_credentials_raise_access_denied_after_one_request(
    emulator: Emulator,
) -> None:
    async with new_kit(
        emulator, aws_access_key_id="AKIAWRONGWRONGWRONG0", aws_secret_access_key="wrong"
    ) as kit:
        with pytest.raises(cdnkit.AccessDeniedError) as caught:
            await kit.distributions.bundles()
    assert caught.value.code == "UnrecognizedClientException"
    assert emulator.counters.count("lightsail", BUNDLES) == 1


async def test_max_attempts_is_honoured(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    emulator.faults.server_error("lightsail", operation=BUNDLES, count=None)
    three = kit.with_options(retry=cdnkit.RetryPolicy(max_attempts=3, initial_backoff=0.001))
    with pytest.raises(cdnkit.ServiceError) as caught:
        await three.distributions.bundles()
    assert caught.value.http_status == 500
    assert emulator.counters.count("lightsail", BUNDLES) == 3


async def test_the_deadline_is_honoured(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    # A first call opens the connection, so the deadline below measures retries only (on a
    # loaded machine, connecting alone could otherwise use up a short deadline).
    await kit.distributions.bundles()
    before = emulator.counters.count("lightsail", BUNDLES)
    emulator.faults.throttle("lightsail", operation=BUNDLES, count=None)
    policy = cdnkit.RetryPolicy(
        max_attempts=10_000,
        initial_backoff=0.02,
        max_backoff=0.02,
        deadline=1.0,
        adaptive=False,
    )
    # The last throttle when no backoff fits before the deadline; DeadlineExceededError when
    # the deadline cuts an attempt in flight.
    with pytest.raises((cdnkit.ThrottlingError, cdnkit.DeadlineExceededError)):
        await kit.with_options(retry=policy).distributions.bundles()
    attempts = emulator.counters.count("lightsail", BUNDLES) - before
    # Retried (more than one attempt), and stopped by the deadline, not by max_attempts.
    assert 1 < attempts < 10_000


async def test_each_retry_is_logged_at_debug_without_credentials(
    caplog: pytest.LogCaptureFixture, emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    caplog.set_level(logging.DEBUG, logger="cdnkit")
    emulator.faults.throttle("lightsail", operation=BUNDLES, count=1)
    emulator.faults.reset_connection("lightsail", operation=BUNDLES, count=1)
    assert await kit.distributions.bundles()
    retries = [
        r for r in caplog.records if r.name == "cdnkit.lightsail" and "retrying" in r.getMessage()
    ]
    assert len(retries) == 2
    assert all(r.levelno == logging.DEBUG for r in retries)
    assert "GetDistributionBundles: ThrottlingError ThrottlingException" in retries[0].getMessage()
    assert "TransportError" in retries[1].getMessage()
    for record in caplog.records:
        text = record.getMessage() + repr(record.args) + str(record.exc_text)
        assert emulator.access_key_id not in text
        assert DEFAULT_SECRET_ACCESS_KEY not in text


async def test_please_wait_is_retried_until_the_change_goes_through(
    emulator: Emulator,
) -> None:
    emulator.timing.lightsail_operation = 0.3  # busy for 0.3 s after each change
    # max_attempts does not count "please wait" refusals; backoff is capped at 10 ms.
    policy = cdnkit.RetryPolicy(
        max_attempts=3, initial_backoff=0.001, max_backoff=0.01, deadline=10.0, adaptive=False
    )
    async with new_kit(emulator, retry=policy) as kit:
        await create_site(kit, wait=False)
        operation = await kit.distributions.update("site", is_enabled=False, wait=True)
        assert operation is not None
        assert operation.status == "Succeeded"
        assert (await kit.distributions.get("site")).is_enabled is False
    assert emulator.counters.count("lightsail", "UpdateDistribution") > 3


async def test_please_wait_without_a_deadline_counts_as_an_attempt(emulator: Emulator) -> None:
    emulator.timing.lightsail_operation = 3600.0
    policy = cdnkit.RetryPolicy(max_attempts=3, initial_backoff=0.001, deadline=None)
    async with new_kit(emulator, retry=policy) as kit:
        await create_site(kit, wait=False)
        with pytest.raises(cdnkit.ResourceBusyError) as caught:
            await kit.distributions.update("site", is_enabled=False)
    assert caught.value.code == "InvalidInputException"
    assert "Please wait" in caught.value.message
    assert emulator.counters.count("lightsail", "UpdateDistribution") == 3


async def test_waits_retry_their_polls(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    created = await create_site(kit, wait=False)
    emulator.faults.throttle("lightsail", operation="GetOperation", count=2)
    emulator.faults.server_error("lightsail", operation="GetOperation", count=1)
    assert (await kit.operations.wait(created.operation)).status == "Succeeded"


# -- client-side rate adaptation ----------------------------------------------------------


async def burst(emulator: Emulator, *, adaptive: bool, calls: int) -> int:
    """``calls`` concurrent bundle reads; the number of throttled responses."""
    emulator.counters.reset()
    policy = cdnkit.RetryPolicy(
        max_attempts=1000,
        initial_backoff=0.001,
        max_backoff=0.01,
        deadline=60.0,
        adaptive=adaptive,
    )
    async with new_kit(emulator, retry=policy) as kit:
        results = await asyncio.gather(*(kit.distributions.bundles() for _ in range(calls)))
    assert len(results) == calls
    assert all(results)  # every call succeeded
    return emulator.counters.count("lightsail", BUNDLES) - calls


async def test_a_burst_of_1000_calls_adapts_to_the_rate_limit(emulator: Emulator) -> None:
    # The limit is set under what this machine sends in the same burst, so that it bites
    # anywhere and each burst takes about 1000 / (0.35 * throughput) seconds: a few seconds. (A
    # smaller burst, measured before, ran faster than 1,000 concurrent calls can: the limit
    # then sometimes never bit.)
    loop = asyncio.get_running_loop()
    await burst(emulator, adaptive=False, calls=20)  # warm up: models, validators, pool
    start = loop.time()
    assert await burst(emulator, adaptive=False, calls=1000) == 0
    throughput = 1000 / (loop.time() - start)
    per_second = 0.35 * throughput
    bucket = max(1.0, per_second / 10)
    emulator.faults.rate_limit("lightsail", per_second=per_second, burst=bucket)

    without = await burst(emulator, adaptive=False, calls=1000)
    emulator.faults.rate_limit("lightsail", per_second=per_second, burst=bucket)  # full again
    adapted = await burst(emulator, adaptive=True, calls=1000)
    assert without > 100  # the limit bites
    assert adapted < without / 2
    assert adapted < 100  # few throttled responses in all


def rate(state: OperationRate) -> float | None:
    # A call, not the attribute: mypy would carry one assert's narrowing over to the next read.
    return state.rate


async def test_the_limiter_slows_down_on_frequent_throttles_and_recovers() -> None:
    state = OperationRate(ceiling=1000.0, recovery=100.0)
    assert rate(state) is None
    for _ in range(20):
        await state.acquire()
        state.on_success()
    sent_at = await state.acquire()
    state.on_throttle(sent_at)
    assert rate(state) is None  # one throttle among 20 answers: isolated, no slow-down
    state.on_throttle(sent_at)
    state.on_throttle(sent_at)
    state.on_throttle(sent_at)
    slowed = rate(state)
    assert slowed is not None  # frequent now: slowed down
    state.on_throttle(sent_at)  # sent before that decrease: already answered
    assert rate(state) == slowed
    sent_later = await state.acquire()
    state.on_throttle(sent_later)  # sent at the slower rate and still throttled
    slower = rate(state)
    assert slower is not None
    assert slower < slowed
    for _ in range(10):  # successes over time lift the limit again
        await asyncio.sleep(0.02)
        state.on_success()
    assert rate(state) is None


async def test_isolated_throttles_cost_little() -> None:
    """AWS throttles a small share of calls whatever the rate: that must not drag the client
    down to a crawl (it dropped from ~600 to 25 calls/s with 6% of calls throttled)."""
    state = OperationRate()
    for number in range(2000):
        sent_at = await state.acquire()
        if number % 17 == 0:  # ~6 %, spread evenly
            state.on_throttle(sent_at)
        else:
            state.on_success()
    assert rate(state) is None


async def test_rate_state_is_per_operation_and_shared_by_clients_of_one_account(
    emulator: Emulator,
) -> None:
    other_account = emulator.client_kwargs()
    other_account["aws_access_key_id"] = "AKIAOTHERACCOUNT0001"
    async with (
        cdnkit.Lightsail(**emulator.client_kwargs(), retry=FAST_RETRY) as one,
        cdnkit.Lightsail(**emulator.client_kwargs(), retry=FAST_RETRY) as two,
        cdnkit.Lightsail(**other_account, retry=FAST_RETRY) as other,
    ):
        assert one._core.rate("GetOperation") is two._core.rate("GetOperation")
        assert one._core.rate("GetOperation") is not one._core.rate("GetDistributions")
        assert other._core.rate("GetOperation") is not one._core.rate("GetOperation")
