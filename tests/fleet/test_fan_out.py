"""``cdnkit.fan_out``: bounded concurrency, progress, one result per item, failures kept
apart, cancellation that leaves nothing running."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest

import cdnkit
from cdnkit.resources.cloudfront.invalidations import Invalidations
from cdnkit.testing import Emulator
from tests.cloudfront.conftest import FAST_TIMING, create_distribution, open_client


class Gauge:
    """How many calls run at once, and the most seen."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0

    async def run(self, item: int) -> int:
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            for _ in range(3):  # let the others interleave
                await asyncio.sleep(0)
            if item % 4 == 3:
                raise ValueError(f"item {item} failed")
            return item * 10
        finally:
            self.running -= 1


async def test_results_come_in_order_within_the_cap_with_failures_kept_apart() -> None:
    gauge = Gauge()
    progress: list[tuple[int, int, int]] = []

    results = await cdnkit.fan_out(
        range(10),
        gauge.run,
        concurrency=3,
        on_progress=lambda result, done, total: progress.append((result.item, done, total)),
    )

    assert gauge.most == 3
    assert [r.item for r in results] == list(range(10))
    assert [r.index for r in results] == list(range(10))
    assert [r.ok for r in results] == [n % 4 != 3 for n in range(10)]
    assert [r.result() for r in results if r.ok] == [0, 10, 20, 40, 50, 60, 80, 90]
    failed = results[3]
    assert isinstance(failed.error, ValueError)
    with pytest.raises(ValueError, match="item 3 failed"):
        failed.result()
    assert [done for _, done, _ in progress] == list(range(1, 11))
    assert {total for _, _, total in progress} == {10}
    assert sorted(item for item, _, _ in progress) == list(range(10))


async def test_no_items_and_bad_concurrency() -> None:
    async def never(item: int) -> int:
        raise AssertionError("not called")

    assert await cdnkit.fan_out([], never) == []
    for bad in (0, -1, 1.5, True):
        with pytest.raises(cdnkit.InvalidRequestError, match="concurrency"):
            await cdnkit.fan_out([1], never, concurrency=bad)  # type: ignore[arg-type]  # bad


async def test_cancelling_the_call_cancels_every_item_still_running() -> None:
    started: list[int] = []
    cancelled: list[int] = []
    gate = asyncio.Event()
    two_started = asyncio.Event()

    async def slow(item: int) -> int:
        started.append(item)
        if len(started) == 2:
            two_started.set()
        try:
            await gate.wait()
        except asyncio.CancelledError:
            cancelled.append(item)
            raise
        return item

    before = asyncio.all_tasks()
    call = asyncio.create_task(cdnkit.fan_out(range(6), slow, concurrency=2))
    await two_started.wait()
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call

    assert started == [0, 1]  # nothing new started after the cancel
    assert sorted(cancelled) == [0, 1]
    assert asyncio.all_tasks() == before  # nothing left running


async def test_a_failing_progress_callback_stops_the_rest_and_propagates() -> None:
    finished: list[int] = []

    async def work(item: int) -> int:
        await asyncio.sleep(0)
        finished.append(item)
        return item

    def progress(result: cdnkit.FanOutResult[int, int], done: int, total: int) -> None:
        if done == 2:
            raise RuntimeError("progress broke")

    with pytest.raises(RuntimeError, match="progress broke"):
        await cdnkit.fan_out(range(20), work, concurrency=2, on_progress=progress)
    assert len(finished) < 20


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(timing=dataclasses.replace(FAST_TIMING)) as emu:
        yield emu


async def test_invalidating_a_fleet_one_missing_distribution_fails_alone(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Invalidations, "create_rate", None)
    async with open_client(emulator) as cf:
        fleet = [await create_distribution(cf) for _ in range(4)]
        fleet.insert(2, "E0MISSING00000")
        emulator.counters.reset()

        async def invalidate(distribution_id: str) -> tuple[str, ...]:
            return (await cf.invalidations.invalidate(distribution_id, ["/*"])).ids

        results = await cdnkit.fan_out(fleet, invalidate, concurrency=2)

    assert [r.ok for r in results] == [True, True, False, True, True]
    assert isinstance(results[2].error, cdnkit.NotFoundError)
    assert all(len(r.result()) == 1 for r in results if r.ok)
    assert emulator.counters.count("cloudfront", "CreateInvalidation") == 5
