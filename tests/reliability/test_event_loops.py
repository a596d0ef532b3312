"""A client object outlives an event loop: entered again under a new loop (``asyncio.run`` per
job, pytest-asyncio's loop per test around a client made at import), it works as a new one
does. Its asyncio objects belong to the loop they were made in, so they are made on enter.

These tests run their own loops (plain test functions), with the emulator serving from a
thread of its own (its client_kwargs hold no object of a loop)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

import cdnkit
from cdnkit.testing import Emulator, Timing

FAST = Timing(key_value_store_provisioning=0.01)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """An emulator serving from another thread's event loop until the test ends."""
    emu = Emulator(timing=FAST)
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        loop.run_until_complete(emu.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield emu
    finally:
        asyncio.run_coroutine_threadsafe(emu.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_a_lightsail_client_is_entered_again_under_new_loops(emulator: Emulator) -> None:
    # Two connections for twelve concurrent calls: callers wait for a slot, in every loop.
    kit = cdnkit.Lightsail(**emulator.client_kwargs(), max_pool_connections=2)

    async def job() -> list[int]:
        async with kit:
            replies = await asyncio.gather(*(kit.distributions.bundles() for _ in range(12)))
        return [len(bundles) for bundles in replies]

    runs = [asyncio.run(job()) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert len(runs[0]) == 12
    assert runs[0][0] > 0
    # And from another thread's loop, after the first ones ended.
    done: list[list[int]] = []
    worker = threading.Thread(target=lambda: done.append(asyncio.run(job())))
    worker.start()
    worker.join(30)
    assert done == [runs[0]]


def test_a_cloudfront_client_and_its_data_plane_are_entered_again(emulator: Emulator) -> None:
    cf = cdnkit.CloudFront(**emulator.client_kwargs(), max_pool_connections=2)
    copy = cf.with_options(retry=cdnkit.RetryPolicy(max_attempts=2))

    async def job(value: str) -> list[str]:
        async with cf:
            # Reads through the client and its copy at once, contending for the data plane's
            # two connections (opened by the first of them).
            reads = [cf.key_value_stores.keys("flags").get("beta") for _ in range(6)]
            reads += [copy.key_value_stores.keys("flags").get("beta") for _ in range(6)]
            seen = list(await asyncio.gather(*reads))
            await cf.key_value_stores.keys("flags").put("beta", value)
            return seen

    async def create() -> None:
        async with cf:
            await cf.key_value_stores.create("flags", wait=True)
            await cf.key_value_stores.keys("flags").put("beta", "zero")

    asyncio.run(create())
    assert asyncio.run(job("one")) == ["zero"] * 12
    assert asyncio.run(job("two")) == ["one"] * 12
    assert asyncio.run(job("three")) == ["two"] * 12
