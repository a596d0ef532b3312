"""Retries after an answer lost on the wire, end to end: the emulator processes the request
and then resets the connection, exactly as a dropped reply looks to the client."""

from __future__ import annotations

import pytest

import cdnkit
from cdnkit.testing import Emulator
from cdnkit.types import lightsail as ls

from .conftest import create_site, new_kit, origin


async def test_a_create_whose_answer_was_lost_returns_the_distribution_it_made(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    emulator.faults.reset_after_processing("lightsail", operation="CreateDistribution")
    created = await create_site(kit)
    assert created.distribution.name == "site"
    # Sent once (its answer lost); the retry found the distribution by name instead of sending
    # a second create that would fail with "already exists".
    assert emulator.counters.count("lightsail", "CreateDistribution") == 1
    assert [d.name async for d in kit.distributions.list()] == ["site"]
    assert created.operation.operation_type == "CreateDistribution"


def _operations_of(emulator: Emulator, operation_type: str) -> int:
    return emulator.counters.count("lightsail", operation_type)


async def test_every_mutating_method_with_its_answer_lost_returns_its_result_with_one_effect(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    """Each change is processed, then its answer is lost: the method returns what it would
    have returned, and the service shows exactly one operation of that type."""
    await create_site(kit)
    distributions = kit.distributions

    async def start_and_count(operation_type: str, call: object) -> None:
        assert callable(call)
        before = [
            op
            for op in await kit.operations.for_resource("site")
            if op.operation_type == operation_type
        ]
        emulator.faults.reset_after_processing("lightsail", operation=operation_type)
        result = await call()
        assert isinstance(result, ls.Operation), operation_type
        assert result.operation_type == operation_type
        after = [
            op
            for op in await kit.operations.for_resource("site")
            if op.operation_type == operation_type
        ]
        assert len(after) == len(before) + 1, operation_type  # one effect, not two
        assert result.id in {op.id for op in after}

    await start_and_count(
        "UpdateDistribution", lambda: distributions.update("site", is_enabled=False, wait=True)
    )
    await start_and_count(
        "UpdateDistribution",
        lambda: distributions.modify(
            "site", lambda s: setattr(s, "default_root_object", "home.html"), wait=True
        ),
    )
    await start_and_count(
        "UpdateDistribution",
        lambda: distributions.update(
            "site", cache_behavior_settings=ls.CacheSettings(default_ttl=5), merge=False, wait=True
        ),
    )
    await start_and_count("ResetDistributionCache", lambda: distributions.reset_cache("site"))
    await start_and_count(
        "UpdateDistributionBundle", lambda: distributions.update_bundle("site", "medium_1_0")
    )
    distribution = await distributions.get("site")
    assert distribution.bundle_id == "medium_1_0"
    assert distribution.is_enabled is False
    assert distribution.default_root_object == "home.html"
    await distributions.wait_deployed("site")
    await start_and_count("DeleteDistribution", lambda: distributions.delete("site", wait=True))
    assert [d.name async for d in kit.distributions.list()] == []


async def test_a_create_retried_over_another_writers_distribution_does_not_adopt_it(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    """The create's first send fails with a 503; meanwhile another writer creates the same
    name with another origin and bundle: the retry must not return that one as its own."""
    async with new_kit(emulator) as other:
        await other.distributions.create(
            "site",
            origin=origin("web-2"),
            default_cache_behavior=ls.CacheBehavior(behavior="cache"),
            bundle_id="medium_1_0",
        )
        emulator.faults.server_error("lightsail", operation="CreateDistribution", status=503)
        with pytest.raises(cdnkit.ConflictError, match="already exists"):
            await create_site(kit, wait=False)
    distribution = await kit.distributions.get("site")
    assert distribution.bundle_id == "medium_1_0"  # the other writer's, untouched
