"""What a program sees of cdnkit's work besides results: per-service logs, a warning when
retries run out, wait progress, request ids."""

from __future__ import annotations

import asyncio
import logging

import pytest

import cdnkit
from cdnkit.testing import Emulator
from cdnkit.types import lightsail as ls

from .conftest import create_site, new_kit

BUNDLES = "GetDistributionBundles"


async def test_running_out_of_retries_is_a_warning_on_the_service_logger(
    caplog: pytest.LogCaptureFixture, emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    caplog.set_level(logging.DEBUG, logger="cdnkit")
    emulator.faults.throttle("lightsail", operation=BUNDLES, count=None)
    with pytest.raises(cdnkit.ThrottlingError):
        await kit.with_options(
            retry=cdnkit.RetryPolicy(max_attempts=3, initial_backoff=0.001, adaptive=False)
        ).distributions.bundles()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.name for r in warnings] == ["cdnkit.lightsail"]
    assert warnings[0].getMessage().startswith(f"{BUNDLES}: giving up after 3 attempts")
    assert "ThrottlingError" in warnings[0].getMessage()


async def test_a_call_that_succeeds_at_once_logs_nothing(
    caplog: pytest.LogCaptureFixture, kit: cdnkit.Lightsail
) -> None:
    caplog.set_level(logging.DEBUG, logger="cdnkit")
    await kit.distributions.bundles()
    assert [r for r in caplog.records if r.name.startswith("cdnkit")] == []


async def test_every_poll_of_a_wait_reports_progress(emulator: Emulator) -> None:
    seen: list[cdnkit.WaitProgress] = []

    async def record(progress: cdnkit.WaitProgress) -> None:
        seen.append(progress)

    policy = cdnkit.WaitPolicy(initial_delay=0.01, max_delay=0.02, on_progress=record)
    async with new_kit(emulator, wait=policy) as kit:
        await create_site(kit, wait=True)
    operations = [p for p in seen if isinstance(p.state, ls.Operation)]
    deployments = [p for p in seen if isinstance(p.state, ls.LightsailDistribution)]
    assert operations
    assert deployments
    assert [p.polls for p in operations] == list(range(1, len(operations) + 1))
    operation, deployment = operations[-1].state, deployments[-1].state
    assert isinstance(operation, ls.Operation)
    assert operation.status == "Succeeded"
    assert isinstance(deployment, ls.LightsailDistribution)
    assert deployment.status == "Deployed"
    assert all(p.elapsed >= 0 for p in seen)
    assert "to deploy" in deployments[0].what


async def test_a_progress_callback_that_raises_ends_the_wait(emulator: Emulator) -> None:
    class Stop(Exception):
        pass

    def stop(progress: cdnkit.WaitProgress) -> None:
        raise Stop

    emulator.timing.lightsail_operation = 5.0
    async with new_kit(emulator) as kit:
        with pytest.raises(Stop):
            await kit.with_options(
                wait=cdnkit.WaitPolicy(initial_delay=0.01, on_progress=stop)
            ).distributions.create(
                "site",
                origin=ls.InputOrigin(name="web-1", region_name="us-east-1"),
                default_cache_behavior=ls.CacheBehavior(behavior="cache"),
                bundle_id="small_1_0",
                wait=True,
            )


async def test_the_request_id_of_the_last_answered_call_is_reachable(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    assert cdnkit.last_request_id() is None
    await kit.distributions.bundles()
    first = cdnkit.last_request_id()
    assert first is not None
    assert len(first) >= 16
    await kit.distributions.bundles()
    second = cdnkit.last_request_id()
    assert second is not None
    assert second != first

    async def in_another_task() -> str | None:
        await kit.distributions.bundles()
        return cdnkit.last_request_id()

    other = await asyncio.create_task(in_another_task())
    assert other not in (None, second)
    assert cdnkit.last_request_id() == second  # each task keeps its own
