"""Cancellation at random points, and closing clients with calls in flight.

After ``__aexit__`` every call has ended, with its result or a cdnkit error (ClientClosedError
for those the close ended), never a bare CancelledError unless the test cancelled that task
itself; nothing is left open (aiohttp sessions and connectors of both CloudFront cores, the
KeyValueStore data plane included), and a later call raises ClientClosedError without opening
anything. ResourceWarning is an error throughout (see ``leak_reports``).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
import pytest

import cdnkit
from cdnkit.resources.cloudfront import set_weight, single_weight
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf
from cdnkit.types import lightsail as ls

from ..lightsail.conftest import origin as lightsail_origin
from .conftest import (
    DATA,
    cf_client,
    comment_counter,
    config,
    leak_reports,
    ls_client,
)


def http_sessions(core: Any) -> list[aiohttp.ClientSession]:
    """The aiohttp sessions behind an open core's aiobotocore client (made on first use)."""
    if core._client is None:
        return []
    sessions = core._client._endpoint.http_session._sessions
    return list((sessions or {}).values())


def increment(distribution_config: cf.DistributionConfig) -> None:
    distribution_config.comment = f"n={comment_counter(distribution_config) + 1}"


class World:
    """One distribution (counter in its comment), one policy and one store, made before any
    fault or slow timing is set."""

    def __init__(self, distribution_id: str, policy_id: str) -> None:
        self.distribution_id = distribution_id
        self.policy_id = policy_id


async def make_world(client: cdnkit.CloudFront) -> World:
    created = await client.distributions.create(config(comment="n=0"), wait=True)
    distribution_id = created.distribution.id
    copied = await client.distributions.copy_to_staging(distribution_id)
    policy = await client.continuous_deployment_policies.create(
        staging_distribution_dns_names=[copied.distribution.domain_name],
        traffic_config=single_weight(0.01),
    )
    await client.key_value_stores.create("flags", wait=True)
    return World(distribution_id, policy.continuous_deployment_policy.id)


def in_flight_calls(
    client: cdnkit.CloudFront, world: World, rng: random.Random
) -> dict[str, Callable[[], Coroutine[Any, Any, object]]]:
    """Calls of every kind: waits (polls), read-modify-writes, data-plane reads and writes."""
    keys = client.key_value_stores.keys("flags")
    suffix = rng.randrange(1_000_000)
    return {
        "wait_deployed": lambda: client.distributions.wait_deployed(world.distribution_id),
        "update": lambda: client.distributions.update(world.distribution_id, mutate=increment),
        "update_wait": lambda: client.distributions.update(
            world.distribution_id, mutate=increment, wait=True
        ),
        "policy": lambda: client.continuous_deployment_policies.update(
            world.policy_id, mutate=set_weight(rng.choice([0.02, 0.03]))
        ),
        "invalidate_wait": lambda: client.invalidations.create(
            world.distribution_id, [f"/{suffix}"], wait=True
        ),
        "store_wait": lambda: client.key_value_stores.create(f"new-{suffix}", wait=True),
        "put": lambda: keys.put(f"k{suffix}", "v"),
        "sync": lambda: keys.sync({"a": "1", f"k{suffix}": "2"}),
        "items": lambda: keys.items(),
        "function": lambda: client.functions.create(
            f"fn-{suffix}", code="function handler(e) { return e.request; }"
        ),
    }


def slow_everything(emulator: Emulator) -> None:
    """Changes take long to settle and answers come late: calls stay in flight."""
    emulator.timing.cloudfront_distribution_deploy = 30
    emulator.timing.invalidation = 30
    emulator.timing.key_value_store_provisioning = 30
    emulator.timing.lightsail_operation = 30
    emulator.timing.lightsail_distribution_deploy = 30
    for service in ("cloudfront", DATA, "lightsail"):
        emulator.faults.latency(service, 0.05, probability=0.5)


def outcome_problems(
    outcomes: dict[str, BaseException | object], *, cancelled_by_test: frozenset[str] = frozenset()
) -> dict[str, str]:
    """Calls that ended otherwise than with a result or a cdnkit error."""
    problems: dict[str, str] = {}
    for name, outcome in outcomes.items():
        if isinstance(outcome, asyncio.CancelledError) and name in cancelled_by_test:
            continue
        if isinstance(outcome, BaseException) and not isinstance(outcome, cdnkit.CdnKitError):
            problems[name] = f"{type(outcome).__name__}: {outcome}"
    return problems


async def settle(tasks: dict[str, asyncio.Task[object]]) -> dict[str, BaseException | object]:
    """Outcomes of tasks that have all ended."""
    outcomes: dict[str, BaseException | object] = {}
    for name, task in tasks.items():
        assert task.done(), f"{name} had not ended"
        if task.cancelled():
            outcomes[name] = asyncio.CancelledError()
        else:
            outcomes[name] = task.exception() or task.result()
    return outcomes


@pytest.mark.parametrize("seed", range(3))
async def test_closing_with_calls_in_flight_ends_each_cleanly_and_leaves_nothing_open(
    emulator: Emulator, seed: int
) -> None:
    rng = random.Random(seed)

    async def scenario() -> None:
        client = cf_client(emulator)
        await client.__aenter__()
        world = await make_world(client)
        await client.key_value_stores.keys("flags").describe()  # the data plane is open
        slow_everything(emulator)
        calls = in_flight_calls(client, world, rng)
        tasks = {name: asyncio.create_task(call()) for name, call in calls.items()}
        await asyncio.sleep(rng.uniform(0.0, 0.08))  # close at a random point
        sessions = http_sessions(client._core) + http_sessions(client._data_plane)
        assert sessions
        await client.__aexit__(None, None, None)

        # Every call has ended by the time __aexit__ returns.
        outcomes = await settle(tasks)
        assert outcome_problems(outcomes) == {}
        closed = {name for name, o in outcomes.items() if isinstance(o, cdnkit.ClientClosedError)}
        assert closed, outcomes  # the close ended some of them
        # Nothing is left open, the data plane included.
        assert all(session.closed for session in sessions)
        assert client._core._client is None
        assert client._data_plane._client is None
        # A later call raises ClientClosedError and opens nothing.
        emulator.counters.reset()
        emulator.faults.clear()
        for name, call in in_flight_calls(client, world, rng).items():
            with pytest.raises(cdnkit.ClientClosedError):
                await call()
            assert client._data_plane._client is None, name
        assert emulator.counters.total() == 0

    with leak_reports(asyncio.get_running_loop()) as reports:
        await scenario()  # its objects are unreachable once it returns
    assert reports == []


async def test_closing_while_the_data_plane_opens_closes_it_too(emulator: Emulator) -> None:
    """The first data-plane call opens the data plane; a close at that moment must not leave
    it open (nor let the call open it afterwards)."""
    async with cf_client(emulator) as setup:
        await setup.key_value_stores.create("flags", wait=True)

    async def scenario(spins: int) -> None:
        client = cf_client(emulator)
        await client.__aenter__()
        put = asyncio.create_task(client.key_value_stores.keys("flags").put("k", "v"))
        for _ in range(spins):
            await asyncio.sleep(0)
        await client.__aexit__(None, None, None)
        outcome = (await settle({"put": put}))["put"]
        assert not isinstance(outcome, BaseException) or isinstance(
            outcome, cdnkit.ClientClosedError
        ), outcome
        assert client._data_plane._client is None, spins

    with leak_reports(asyncio.get_running_loop()) as reports:
        for spins in range(8):
            await scenario(spins)
    assert reports == []


async def test_closing_lightsail_with_waits_and_writes_in_flight(emulator: Emulator) -> None:
    async def scenario() -> None:
        kit = ls_client(emulator)
        await kit.__aenter__()
        await kit.distributions.create(
            "site",
            origin=lightsail_origin(),
            default_cache_behavior=ls.CacheBehavior(behavior="cache"),
            bundle_id="small_1_0",
            wait=True,
        )
        slow_everything(emulator)
        calls: dict[str, Callable[[], Coroutine[Any, Any, object]]] = {
            "create_wait": lambda: kit.distributions.create(
                "other",
                origin=lightsail_origin(),
                default_cache_behavior=ls.CacheBehavior(behavior="cache"),
                bundle_id="small_1_0",
                wait=True,
            ),
            "modify_wait": lambda: kit.distributions.modify(
                "site", lambda s: setattr(s, "default_root_object", "a.html"), wait=True
            ),
            "update_busy": lambda: kit.distributions.update("site", is_enabled=False),
            "reset": lambda: kit.distributions.reset_cache("site", wait=True),
            "list": lambda: kit.distributions.bundles(),
        }
        tasks = {name: asyncio.create_task(call()) for name, call in calls.items()}
        await asyncio.sleep(0.1)
        sessions = http_sessions(kit._core)
        await kit.__aexit__(None, None, None)
        outcomes = await settle(tasks)
        assert outcome_problems(outcomes) == {}
        assert isinstance(outcomes["create_wait"], cdnkit.ClientClosedError)
        assert all(session.closed for session in sessions)
        emulator.counters.reset()
        with pytest.raises(cdnkit.ClientClosedError):
            await kit.distributions.get("site")
        assert emulator.counters.total() == 0

    with leak_reports(asyncio.get_running_loop()) as reports:
        await scenario()
    assert reports == []


async def test_cancellation_at_random_points_leaves_the_client_usable_and_consistent(
    emulator: Emulator,
) -> None:
    """Calls cancelled at random points (``wait_for`` with tiny timeouts, ``task.cancel()``)
    end with the cancellation and nothing else; afterwards the client still works (no lock
    left held), each increment landed at most once, and closing leaves nothing open."""
    rng = random.Random(7)
    loop = asyncio.get_running_loop()
    with leak_reports(loop) as reports:
        async with cf_client(emulator) as client:
            world = await make_world(client)
            emulator.faults.latency("cloudfront", 0.01, probability=0.5)
            emulator.faults.latency(DATA, 0.01, probability=0.5)
            succeeded = cancelled = 0
            problems: list[str] = []
            for round_ in range(30):
                name, call = rng.choice(sorted(in_flight_calls(client, world, rng).items()))
                if name in ("store_wait", "function"):
                    continue  # creates: not counted below
                if round_ % 2:
                    try:
                        await asyncio.wait_for(call(), rng.uniform(0.0, 0.03))
                    except TimeoutError as error:
                        if isinstance(error, cdnkit.CdnKitError):
                            problems.append(f"{name}: {error!r}")
                        cancelled += name.startswith("update")
                        continue
                    except Exception as error:
                        problems.append(f"{name}: {error!r}")
                        continue
                else:
                    task = asyncio.ensure_future(call())
                    await asyncio.sleep(rng.uniform(0.0, 0.03))
                    task.cancel()
                    try:
                        await task
                    except asyncio.CancelledError:
                        cancelled += name.startswith("update")
                        continue
                    except Exception as error:
                        problems.append(f"{name}: {error!r}")
                        continue
                succeeded += name.startswith("update")
            assert problems == []
            emulator.faults.clear()
            # No lock is left held: one more increment goes through at once.
            await asyncio.wait_for(
                client.distributions.update(world.distribution_id, mutate=increment), 10
            )
            current = await client.distributions.get_config(world.distribution_id)
            counter = comment_counter(current.distribution_config)
            # Each finished increment is there once; a cancelled one at most once.
            assert succeeded + 1 <= counter <= succeeded + 1 + cancelled
            await asyncio.wait_for(client.key_value_stores.keys("flags").put("after", "1"), 10)
    assert reports == []
