"""Lightsail writes that are retried or checked again: each call has exactly its own effect.

Lightsail has no client token and no conditional write. After a send that may have landed
(no answer, or a 5xx), cdnkit looks for the operation that send started before sending again;
after ``modify(..., wait=True)`` it reads the settings again and re-applies the mutation if
another writer replaced it. Neither may take another call's work for this call's own.
(Lost answers proper are in tests/lightsail/test_lost_answers.py.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

import pytest

import cdnkit
from cdnkit.resources.lightsail.distributions import Distributions
from cdnkit.testing import Emulator
from cdnkit.types import lightsail as ls

from ..lightsail.conftest import FULL_SETTINGS
from ..lightsail.conftest import origin as lightsail_origin
from .conftest import lightsail_counter, ls_client, operations_of


@pytest.fixture
async def kit(emulator: Emulator) -> AsyncIterator[cdnkit.Lightsail]:
    async with ls_client(emulator) as opened:
        await opened.distributions.create(
            "site",
            origin=lightsail_origin(),
            default_cache_behavior=ls.CacheBehavior(behavior="cache"),
            bundle_id="small_1_0",
            cache_behavior_settings=FULL_SETTINGS,
            wait=True,
        )
        yield opened


def increment_ttl(settings: ls.UpdateDistributionRequest) -> None:
    assert settings.cache_behavior_settings is not None
    assert settings.cache_behavior_settings.default_ttl is not None
    settings.cache_behavior_settings.default_ttl += 1


async def test_a_retry_after_a_5xx_is_sent_again_when_nothing_landed(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    """The control case: no earlier operation of the type exists, the 5xx'd send did not
    land, and the retry sends it again."""
    emulator.faults.server_error("lightsail", operation="ResetDistributionCache", count=1)
    operation = await kit.distributions.reset_cache("site")
    assert await operations_of(kit, "ResetDistributionCache") == [operation.id]


async def test_a_second_cache_reset_after_a_5xx_starts_its_own_operation(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    first = await kit.distributions.reset_cache("site", wait=True)
    emulator.faults.server_error("lightsail", status=503, operation="ResetDistributionCache")
    second = await kit.distributions.reset_cache("site", wait=True)
    assert second.id != first.id  # seen: the same operation returned twice
    assert sorted(await operations_of(kit, "ResetDistributionCache")) == sorted(
        [first.id, second.id]
    )


async def test_a_second_increment_after_a_5xx_is_applied(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    before = lightsail_counter(await kit.distributions.get("site"))
    await kit.distributions.modify("site", increment_ttl)
    emulator.faults.server_error("lightsail", operation="UpdateDistribution")
    await kit.distributions.modify("site", increment_ttl)
    after = lightsail_counter(await kit.distributions.wait_deployed("site"))
    assert after - before == 2  # seen: 1, both calls reporting success


async def test_an_update_after_a_5xx_is_applied(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    await kit.distributions.update("site", default_root_object="a.html")
    emulator.faults.server_error("lightsail", operation="UpdateDistribution")
    await kit.distributions.update("site", default_root_object="b.html")
    distribution = await kit.distributions.wait_deployed("site")
    assert distribution.default_root_object == "b.html"  # seen: a.html


async def test_a_checked_increment_is_not_applied_again_on_top_of_a_later_one(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    before = lightsail_counter(await kit.distributions.get("site"))
    # The first poll of A's operation comes late, after B's increment has landed.
    slow = kit.with_options(wait=cdnkit.WaitPolicy(initial_delay=0.3, max_delay=0.3, timeout=5))
    sent = asyncio.Event()

    def a_sent(**_: object) -> None:
        sent.set()

    kit._core.client.meta.events.register("after-call.lightsail.UpdateDistribution", a_sent)
    a = asyncio.create_task(slow.distributions.modify("site", increment_ttl, wait=True))
    await sent.wait()
    await kit.distributions.modify("site", increment_ttl)  # B, same process: takes its turn
    await a
    after = lightsail_counter(await kit.distributions.wait_deployed("site"))
    assert after - before == 2  # seen: 3


async def test_a_checked_increment_sees_a_later_turn_whose_answer_is_still_missing(
    emulator: Emulator, kit: cdnkit.Lightsail, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A waits on its increment; B (same process) reads A's result and sends its own, which
    lands but whose answer is lost. While B still looks for its operation, A's check reads a
    value that is neither A's nor another process's: B's, built on A's. A must not apply its
    increment again (seen: the counter one above the calls, 1 soak run in 4)."""
    before = lightsail_counter(await kit.distributions.get("site"))
    a_checked = asyncio.Event()
    distributions = Distributions
    wait_deployed = distributions.wait_deployed
    started_since = distributions._started_since

    async def wait_deployed_then_signal(
        self: Distributions, name: str, *, timeout: float | None = None
    ) -> ls.LightsailDistribution:
        state = await wait_deployed(self, name, timeout=timeout)
        a_checked.set()
        return state

    async def started_since_after_a(
        self: Distributions, name: str, operation_type: str, since: datetime
    ) -> ls.Operation | None:
        # B's reconcile: the settings already hold B's change; A checks them now.
        await asyncio.wait_for(a_checked.wait(), 5)
        return await started_since(self, name, operation_type, since)

    monkeypatch.setattr(distributions, "wait_deployed", wait_deployed_then_signal)
    monkeypatch.setattr(distributions, "_started_since", started_since_after_a)
    a_sent = asyncio.Event()

    def on_a_sent(**_: object) -> None:
        a_sent.set()

    kit._core.client.meta.events.register("after-call.lightsail.UpdateDistribution", on_a_sent)
    a = asyncio.create_task(kit.distributions.modify("site", increment_ttl, wait=True))
    await a_sent.wait()
    kit._core.client.meta.events.unregister("after-call.lightsail.UpdateDistribution", on_a_sent)
    emulator.faults.reset_after_processing("lightsail", operation="UpdateDistribution")
    await kit.distributions.modify("site", increment_ttl)  # B
    await a
    monkeypatch.undo()
    after = lightsail_counter(await kit.distributions.wait_deployed("site"))
    assert after - before == 2  # seen: 3
