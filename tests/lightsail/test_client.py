"""The client's lifetime: one aiobotocore client, closed on every way out; copies; `call`."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import pytest
from aiobotocore.session import AioSession

import cdnkit
from cdnkit.testing import Emulator
from cdnkit.types import lightsail as ls

from .conftest import FAST_RETRY, SESSION, new_kit


class CountingSession(AioSession):
    """An AioSession that counts the clients it creates."""

    def __init__(self) -> None:
        super().__init__()
        self.clients_created = 0

    def create_client(self, *args: Any, **kwargs: Any) -> Any:
        self.clients_created += 1
        return super().create_client(*args, **kwargs)


def http_sessions(kit: cdnkit.Lightsail) -> list[aiohttp.ClientSession]:
    """The aiohttp sessions behind the open aiobotocore client (created on the first call)."""
    sessions = kit._core.client._endpoint.http_session._sessions
    return list(sessions.values())


@contextmanager
def no_leak_reports(loop: asyncio.AbstractEventLoop) -> Iterator[list[str]]:
    """Collect ResourceWarnings and the loop's "Unclosed ..." reports raised meanwhile."""
    reports: list[str] = []
    # Garbage of earlier tests (a subprocess's pipes...) is collected first, so that only what
    # this block leaves behind is reported.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: reports.append(str(context.get("message"))))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield reports
            gc.collect()
        reports.extend(
            str(w.message)
            for w in caught
            if issubclass(w.category, ResourceWarning) or "Unclosed" in str(w.message)
        )
    finally:
        loop.set_exception_handler(previous)


async def test_one_client_opened_and_closed_on_exit(emulator: Emulator) -> None:
    session = CountingSession()
    loop = asyncio.get_running_loop()
    with no_leak_reports(loop) as reports:
        async with new_kit(emulator, session=session) as kit:
            client = kit._core.client
            await kit.distributions.bundles()
            copy = kit.with_options(retry=FAST_RETRY)
            await copy.distributions.bundles()
            assert copy._core.client is client
            sessions = http_sessions(kit)
            assert sessions
            assert not any(s.closed for s in sessions)
        assert all(s.closed for s in sessions)
        del kit, copy, client, sessions
    assert session.clients_created == 1
    assert reports == []


async def test_closed_on_exception_inside_the_block(emulator: Emulator) -> None:
    loop = asyncio.get_running_loop()
    kit = new_kit(emulator)
    sessions: list[aiohttp.ClientSession] = []

    async def fail_inside() -> None:
        async with kit:
            await kit.distributions.bundles()
            sessions.extend(http_sessions(kit))
            raise KeyError("boom")

    with no_leak_reports(loop) as reports:
        with pytest.raises(KeyError, match="boom"):
            await fail_inside()
        assert sessions
        assert all(s.closed for s in sessions)
        with pytest.raises(cdnkit.CdnKitError, match="async with"):
            await kit.distributions.bundles()
        sessions.clear()
    assert reports == []


async def test_closed_when_the_task_is_cancelled_mid_request(emulator: Emulator) -> None:
    loop = asyncio.get_running_loop()
    kit = new_kit(emulator)
    sessions: list[aiohttp.ClientSession] = []
    in_flight = asyncio.Event()

    async def use() -> None:
        async with kit:
            await kit.distributions.bundles()  # opens the aiohttp session
            sessions.extend(http_sessions(kit))
            emulator.faults.latency("lightsail", 0.3, count=1)
            in_flight.set()
            await kit.distributions.bundles()  # answered after 0.3 s: cancelled before that

    with no_leak_reports(loop) as reports:
        task = asyncio.create_task(use())
        await in_flight.wait()
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert kit._core._client is None
        assert sessions
        assert all(s.closed for s in sessions)
        sessions.clear()
        del task
    assert reports == []


async def test_methods_outside_async_with_raise_a_clear_error(emulator: Emulator) -> None:
    kit = new_kit(emulator)
    with pytest.raises(cdnkit.CdnKitError, match="not open: use `async with`"):
        await kit.distributions.get("site")
    with pytest.raises(cdnkit.CdnKitError, match="not open"):
        await kit.operations.get("op")
    with pytest.raises(cdnkit.CdnKitError, match="not open"):
        await kit.call(ls.GetDistributionBundlesRequest(), ls.GetDistributionBundlesResult)
    assert emulator.counters.total() == 0


async def test_a_client_cannot_be_entered_twice(kit: cdnkit.Lightsail) -> None:
    with pytest.raises(cdnkit.CdnKitError, match="already open"):
        await kit.__aenter__()


async def test_with_options_shares_the_connection_and_has_its_own_policy(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    strict = kit.with_options(retry=cdnkit.RetryPolicy(max_attempts=1))
    assert strict._core is kit._core
    assert strict.retry_policy.max_attempts == 1
    assert kit.retry_policy is FAST_RETRY
    assert strict.wait_policy is kit.wait_policy

    emulator.faults.throttle("lightsail", operation="GetDistributionBundles", count=1)
    with pytest.raises(cdnkit.ThrottlingError):
        await strict.distributions.bundles()
    assert emulator.counters.count("lightsail", "GetDistributionBundles") == 1

    emulator.faults.throttle("lightsail", operation="GetDistributionBundles", count=1)
    assert await kit.distributions.bundles()  # the original still retries
    assert emulator.counters.count("lightsail", "GetDistributionBundles") == 3


async def test_call_reaches_any_operation_by_its_request_model(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    result = await kit.call(ls.GetDistributionBundlesRequest(), ls.GetDistributionBundlesResult)
    assert isinstance(result, ls.GetDistributionBundlesResult)
    assert "small_1_0" in {bundle.bundle_id for bundle in result.bundles or ()}
    assert emulator.counters.count("lightsail", "GetDistributionBundles") == 1


async def test_call_with_a_mismatched_result_raises_before_sending(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    with pytest.raises(cdnkit.InvalidRequestError, match="GetDistributionBundlesResult"):
        await kit.call(ls.GetDistributionBundlesRequest(), ls.GetDistributionsResult)
    with pytest.raises(cdnkit.InvalidRequestError, match="no lightsail operation takes"):
        # Refused by the type checkers too: only a Lightsail request model is accepted.
        await kit.call(ls.CacheSettings(), ls.GetDistributionsResult)  # type: ignore[call-overload]
    assert emulator.counters.total() == 0


def test_a_lightsail_program_loads_no_cloudfront_model_and_the_reverse() -> None:
    """Each client loads its own service's models only (cold start, memory)."""
    program = (
        "import sys, cdnkit\n"
        "cdnkit.{client}()\n"
        "print(sorted(m for m in sys.modules if m.startswith('cdnkit.types.')))\n"
    )
    for client, expected in (
        ("Lightsail", ["cdnkit.types.lightsail"]),
        # The KeyValueStore data plane's 21 models come with the control plane's.
        ("CloudFront", ["cdnkit.types.cloudfront", "cdnkit.types.cloudfront_keyvaluestore"]),
    ):
        shown = subprocess.run(
            [sys.executable, "-c", program.format(client=client)],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout.strip()
        assert shown == repr(expected), client


async def test_parse_turns_a_raw_aiobotocore_reply_into_its_model(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    async with SESSION.create_client("lightsail", **emulator.client_kwargs()) as raw:
        reply = await raw.get_distribution_bundles()
    assert "ResponseMetadata" in reply
    parsed = cdnkit.parse(ls.GetDistributionBundlesResult, reply)
    assert [bundle.bundle_id for bundle in parsed.bundles or []] == [
        bundle.bundle_id for bundle in await kit.distributions.bundles()
    ]
