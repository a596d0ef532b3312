"""A call's scope ends it at its deadline or at the client's close, and leaves the caller's own
cancellations alone: whichever comes first decides, and the client stays usable (issue 9 made
the scope lighter; these pin what it must still do)."""

from __future__ import annotations

import asyncio

import pytest

import cdnkit
from cdnkit.testing import Emulator

from ..lightsail.conftest import new_kit

BUNDLES = "GetDistributionBundles"


async def test_the_callers_cancellation_is_a_cancellation_and_the_client_goes_on(
    emulator: Emulator,
) -> None:
    async with new_kit(emulator) as kit:
        emulator.faults.latency("lightsail", 2.5, operation=BUNDLES, count=1)
        call = asyncio.create_task(kit.distributions.bundles())
        await asyncio.sleep(0.1)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        assert await kit.distributions.bundles()  # usable


async def test_a_deadline_ends_the_call_with_a_deadline_error_and_no_pending_cancel(
    emulator: Emulator,
) -> None:
    retry = cdnkit.RetryPolicy(deadline=1.0, adaptive=False)
    async with new_kit(emulator, retry=retry) as kit:
        await kit.distributions.bundles()  # connected: the deadline is spent waiting
        emulator.faults.latency("lightsail", 2.5, operation=BUNDLES, count=1)
        with pytest.raises(cdnkit.DeadlineExceededError):
            await kit.distributions.bundles()
        assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]  # a task
        await asyncio.sleep(0)  # no cancellation left over for the next await
        assert await kit.distributions.bundles()


async def test_a_cancellation_that_meets_the_deadline_still_propagates(
    emulator: Emulator,
) -> None:
    """The deadline and the caller's cancel land in the same step: the scope takes back only
    its own cancellation, so the caller's still ends the call as a cancellation."""
    retry = cdnkit.RetryPolicy(deadline=30.0, adaptive=False)
    async with new_kit(emulator, retry=retry) as kit:
        await kit.distributions.bundles()
        emulator.faults.latency("lightsail", 2.5, operation=BUNDLES, count=1)
        call = asyncio.create_task(kit.distributions.bundles())
        await asyncio.sleep(0.1)
        (scope,) = kit._core._scopes
        scope.end()  # what the client's timer does when the deadline comes
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call


async def test_the_deadline_alone_is_a_deadline_error(emulator: Emulator) -> None:
    """The control of the test above: the same end without the caller's cancel."""
    retry = cdnkit.RetryPolicy(deadline=30.0, adaptive=False)
    async with new_kit(emulator, retry=retry) as kit:
        await kit.distributions.bundles()
        emulator.faults.latency("lightsail", 2.5, operation=BUNDLES, count=1)
        call = asyncio.create_task(kit.distributions.bundles())
        await asyncio.sleep(0.1)
        (scope,) = kit._core._scopes
        scope.end()
        with pytest.raises(cdnkit.DeadlineExceededError):
            await call


@pytest.mark.parametrize("deadline", [None, 30.0])
async def test_closing_ends_a_call_in_flight_with_client_closed(
    emulator: Emulator, deadline: float | None
) -> None:
    retry = cdnkit.RetryPolicy(deadline=deadline, adaptive=False)
    kit = new_kit(emulator, retry=retry)
    await kit.__aenter__()
    await kit.distributions.bundles()
    emulator.faults.latency("lightsail", 2.5, operation=BUNDLES, count=1)
    call = asyncio.create_task(kit.distributions.bundles())
    await asyncio.sleep(0.1)
    await kit.__aexit__(None, None, None)  # what leaving `async with` does
    with pytest.raises(cdnkit.ClientClosedError):
        await call
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]  # a task


async def test_an_enclosing_deadline_bounds_the_calls_inside(emulator: Emulator) -> None:
    async with new_kit(emulator) as kit:
        await kit.distributions.bundles()
        emulator.faults.latency("lightsail", 2.5, operation=BUNDLES, count=1)
        loop = asyncio.get_running_loop()
        started = loop.time()
        with cdnkit._core.within(1.0), pytest.raises(cdnkit.DeadlineExceededError):
            await kit.distributions.bundles()
        assert loop.time() - started < 3


async def test_each_call_ends_at_its_own_deadline_whatever_order_they_started(
    emulator: Emulator,
) -> None:
    """One timer serves every deadline of a client's calls in flight: a call started later
    with an earlier deadline still ends at its own, and the others go on to theirs."""
    async with new_kit(emulator) as kit:
        await kit.distributions.bundles()
        emulator.faults.latency("lightsail", 3.5, operation=BUNDLES, count=3)
        loop = asyncio.get_running_loop()
        ended: dict[float, float] = {}

        async def call(deadline: float) -> None:
            started = loop.time()
            with pytest.raises(cdnkit.DeadlineExceededError):
                await kit.with_options(
                    retry=cdnkit.RetryPolicy(deadline=deadline, adaptive=False)
                ).distributions.bundles()
            ended[deadline] = loop.time() - started

        late = asyncio.create_task(call(2.4))
        await asyncio.sleep(0.05)
        early = asyncio.create_task(call(0.6))
        middle = asyncio.create_task(call(1.5))
        await asyncio.gather(late, early, middle)

    assert sorted(ended, key=ended.__getitem__) == [0.6, 1.5, 2.4]
    for deadline, took in ended.items():
        assert deadline <= took < deadline + 0.8, (deadline, took)
