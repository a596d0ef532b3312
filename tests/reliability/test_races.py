"""Races: several clients (each with the locks of another process) and raw aiobotocore writers
(doing their own If-Match loops) change one distribution, one policy, one store and one
Lightsail distribution at once; every change is present at the end.

No faults here: a refused write is always another writer's doing, and must be computed again
from a fresh read, never taken as landed.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

import cdnkit
from cdnkit.resources.cloudfront import single_weight
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf
from cdnkit.types import lightsail as ls

from ..lightsail.conftest import FULL_SETTINGS
from ..lightsail.conftest import origin as lightsail_origin
from .conftest import (
    DATA,
    as_other_process,
    cf_client,
    comment_counter,
    config,
    lightsail_counter,
    ls_client,
    raw_client,
)

#: Each "process" of the four-client races: its client increments this many times.
INCREMENTS = 6
CLIENTS = 4
#: Increments of each writer when raw writers join in.
MIXED_INCREMENTS = 4
#: Up to seven writers contend for one resource: a write may be refused as stale many times
#: in a row, and each refusal costs one of the policy's attempts.
RACE_RETRY = cdnkit.RetryPolicy(
    max_attempts=50, initial_backoff=0.001, max_backoff=0.02, deadline=20.0, adaptive=False
)


@contextlib.asynccontextmanager
async def cloudfront_processes(emulator: Emulator, count: int) -> AsyncIterator[list[Any]]:
    """``count`` open CloudFront clients, each with the locks of a process of its own."""
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(cf_client(emulator, retry=RACE_RETRY))
            for _ in range(count)
        ]
        for client in clients:
            await as_other_process(client)
        yield clients


@contextlib.asynccontextmanager
async def lightsail_processes(emulator: Emulator, count: int) -> AsyncIterator[list[Any]]:
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(ls_client(emulator, retry=RACE_RETRY))
            for _ in range(count)
        ]
        for client in clients:
            await as_other_process(client)
        yield clients


# -- one distribution -------------------------------------------------------------------------


def increment(distribution_config: cf.DistributionConfig) -> None:
    distribution_config.comment = f"n={comment_counter(distribution_config) + 1}"


async def new_distribution(client: cdnkit.CloudFront) -> str:
    created = await client.distributions.create(config(comment="n=0"))
    return created.distribution.id


async def distribution_counter(client: cdnkit.CloudFront, distribution_id: str) -> int:
    current = await client.distributions.get_config(distribution_id)
    return comment_counter(current.distribution_config)


async def test_a_write_between_read_and_write_of_the_same_new_value_is_not_lost(
    emulator: Emulator,
) -> None:
    """The issue's case: B increments between A's read and A's write, so A's write carries
    the value B wrote (n=1). A's write is refused (stale ETag); A must read again and apply
    its increment on B's value: 2, not 1."""
    async with cloudfront_processes(emulator, 2) as (a, b):
        distribution_id = await new_distribution(a)
        calls = 0

        async def a_increments(distribution_config: cf.DistributionConfig) -> None:
            nonlocal calls
            calls += 1
            if calls == 1:
                await b.distributions.update(distribution_id, mutate=increment)
            increment(distribution_config)

        await a.distributions.update(distribution_id, mutate=a_increments)
        assert calls == 2  # recomputed from a fresh read
        assert await distribution_counter(a, distribution_id) == 2


async def test_four_clients_times_six_increments_on_one_distribution(emulator: Emulator) -> None:
    async with cloudfront_processes(emulator, CLIENTS) as clients:
        distribution_id = await new_distribution(clients[0])

        async def increments(client: cdnkit.CloudFront) -> None:
            for _ in range(INCREMENTS):
                await client.distributions.update(distribution_id, mutate=increment)

        await asyncio.gather(*(increments(client) for client in clients))
        assert await distribution_counter(clients[0], distribution_id) == CLIENTS * INCREMENTS


async def raw_if_match_loop(
    read: Callable[[], Awaitable[tuple[dict[str, Any], str]]],
    write: Callable[[dict[str, Any], str], Awaitable[object]],
    change: Callable[[dict[str, Any]], None],
) -> int:
    """A writer outside cdnkit: read, change, write with If-Match; on 412 start again.
    Returns the number of refused writes."""
    refused = 0
    while True:
        value, etag = await read()
        change(value)
        try:
            await write(value, etag)
        except ClientError as error:
            if error.response["Error"]["Code"] not in (
                "PreconditionFailed",
                "InvalidIfMatchVersion",
            ):
                raise
            refused += 1
            await asyncio.sleep(random.uniform(0, 0.005))  # a jittered pause, as cdnkit's
            continue
        return refused


async def test_clients_and_raw_writers_on_one_distribution_keep_every_increment(
    emulator: Emulator,
) -> None:
    async with (
        cloudfront_processes(emulator, 3) as clients,
        raw_client(emulator, "cloudfront") as raw_a,
        raw_client(emulator, "cloudfront") as raw_b,
    ):
        distribution_id = await new_distribution(clients[0])

        def raw_increment(distribution_config: dict[str, Any]) -> None:
            distribution_config["Comment"] = f"n={int(distribution_config['Comment'][2:]) + 1}"

        async def raw_increments(raw: Any) -> None:
            async def read() -> tuple[dict[str, Any], str]:
                got = await raw.get_distribution_config(Id=distribution_id)
                return got["DistributionConfig"], got["ETag"]

            async def write(value: dict[str, Any], etag: str) -> object:
                return await raw.update_distribution(
                    Id=distribution_id, IfMatch=etag, DistributionConfig=value
                )

            for _ in range(MIXED_INCREMENTS):
                await raw_if_match_loop(read, write, raw_increment)

        async def increments(client: cdnkit.CloudFront) -> None:
            for _ in range(MIXED_INCREMENTS):
                await client.distributions.update(distribution_id, mutate=increment)

        await asyncio.gather(
            *(increments(client) for client in clients),
            raw_increments(raw_a),
            raw_increments(raw_b),
        )
        assert await distribution_counter(clients[0], distribution_id) == 5 * MIXED_INCREMENTS


# -- one policy -------------------------------------------------------------------------------

#: Weights step by 0.001: 24 steps stay under the 0.15 limit.
STEP = 0.001


def weight_of(policy: cf.ContinuousDeploymentPolicyConfig) -> float:
    assert policy.traffic_config is not None
    assert policy.traffic_config.single_weight_config is not None
    return policy.traffic_config.single_weight_config.weight


def step(policy: cf.ContinuousDeploymentPolicyConfig) -> None:
    assert policy.traffic_config is not None
    assert policy.traffic_config.single_weight_config is not None
    policy.traffic_config.single_weight_config.weight = round(weight_of(policy) + STEP, 6)


async def new_policy(client: cdnkit.CloudFront) -> str:
    primary_id = await new_distribution(client)
    copied = await client.distributions.copy_to_staging(primary_id)
    created = await client.continuous_deployment_policies.create(
        staging_distribution_dns_names=[copied.distribution.domain_name],
        traffic_config=single_weight(0.0),
    )
    return created.continuous_deployment_policy.id


async def policy_steps(client: cdnkit.CloudFront, policy_id: str) -> int:
    got = await client.continuous_deployment_policies.get(policy_id)
    return round(
        weight_of(got.continuous_deployment_policy.continuous_deployment_policy_config) / STEP
    )


async def test_a_policy_step_between_read_and_write_is_not_lost(emulator: Emulator) -> None:
    async with cloudfront_processes(emulator, 2) as (a, b):
        policy_id = await new_policy(a)
        calls = 0

        async def a_steps(policy: cf.ContinuousDeploymentPolicyConfig) -> None:
            nonlocal calls
            calls += 1
            if calls == 1:
                await b.continuous_deployment_policies.update(policy_id, mutate=step)
            step(policy)

        await a.continuous_deployment_policies.update(policy_id, mutate=a_steps)
        assert calls == 2
        assert await policy_steps(a, policy_id) == 2


async def test_four_clients_times_six_steps_and_raw_writers_on_one_policy(
    emulator: Emulator,
) -> None:
    async with (
        cloudfront_processes(emulator, CLIENTS) as clients,
        raw_client(emulator, "cloudfront") as raw,
    ):
        policy_id = await new_policy(clients[0])

        async def steps(client: cdnkit.CloudFront, count: int = INCREMENTS) -> None:
            for _ in range(count):
                await client.continuous_deployment_policies.update(policy_id, mutate=step)

        def raw_step(policy: dict[str, Any]) -> None:
            single = policy["TrafficConfig"]["SingleWeightConfig"]
            single["Weight"] = round(single["Weight"] + STEP, 6)

        async def raw_steps() -> None:
            async def read() -> tuple[dict[str, Any], str]:
                got = await raw.get_continuous_deployment_policy_config(Id=policy_id)
                return got["ContinuousDeploymentPolicyConfig"], got["ETag"]

            async def write(value: dict[str, Any], etag: str) -> object:
                return await raw.update_continuous_deployment_policy(
                    Id=policy_id, IfMatch=etag, ContinuousDeploymentPolicyConfig=value
                )

            for _ in range(MIXED_INCREMENTS):
                await raw_if_match_loop(read, write, raw_step)

        await asyncio.gather(*(steps(client) for client in clients))
        assert await policy_steps(clients[0], policy_id) == CLIENTS * INCREMENTS
        await asyncio.gather(
            *(steps(client, MIXED_INCREMENTS) for client in clients[:2]), raw_steps()
        )
        assert await policy_steps(clients[0], policy_id) == CLIENTS * INCREMENTS + 3 * (
            MIXED_INCREMENTS
        )


# -- one store --------------------------------------------------------------------------------


async def test_clients_and_raw_writers_on_one_store_keep_every_change(emulator: Emulator) -> None:
    """Two clients put and sync keys under prefixes of their own; two raw writers increment
    counters with their own If-Match loop (ETag of the whole store: compare-and-swap). Every
    client's last state and every increment is in the store at the end."""
    async with (
        cloudfront_processes(emulator, 2) as clients,
        raw_client(emulator, DATA) as raw,
    ):
        created = await clients[0].key_value_stores.create("shared", wait=True)
        arn = created.key_value_store.arn
        await raw.put_key(
            KvsARN=arn,
            Key="counter",
            Value="0",
            IfMatch=(await raw.describe_key_value_store(KvsARN=arn))["ETag"],
        )
        expected: dict[str, str] = {}

        async def client_writes(number: int, client: cdnkit.CloudFront) -> None:
            keys = client.key_value_stores.keys("shared")
            prefix = f"c{number}/"
            for round_ in range(3):
                await keys.put(f"{prefix}put-{round_}", str(round_))
                await keys.update(puts={f"{prefix}upd-{round_}": "u"}, deletes=[])
                await keys.sync(
                    {f"{prefix}put-{round_}": str(round_), f"{prefix}sync": str(round_)},
                    prefix=prefix,
                )
            expected.update({f"{prefix}put-2": "2", f"{prefix}sync": "2"})

        async def raw_increments() -> None:
            async def read() -> tuple[dict[str, Any], str]:
                etag = (await raw.describe_key_value_store(KvsARN=arn))["ETag"]
                value = (await raw.get_key(KvsARN=arn, Key="counter"))["Value"]
                return {"value": value}, etag

            async def write(value: dict[str, Any], etag: str) -> object:
                return await raw.put_key(
                    KvsARN=arn, Key="counter", Value=value["value"], IfMatch=etag
                )

            def bump(value: dict[str, Any]) -> None:
                value["value"] = str(int(value["value"]) + 1)

            for _ in range(MIXED_INCREMENTS):
                await kvs_cas(read, write, bump)

        await asyncio.gather(
            *(client_writes(number, client) for number, client in enumerate(clients)),
            raw_increments(),
            raw_increments(),
        )
        items = await clients[0].key_value_stores.keys("shared").items()
        assert items == {**expected, "counter": str(2 * MIXED_INCREMENTS)}


async def kvs_cas(
    read: Callable[[], Awaitable[tuple[dict[str, Any], str]]],
    write: Callable[[dict[str, Any], str], Awaitable[object]],
    change: Callable[[dict[str, Any]], None],
) -> None:
    """The data plane answers a stale ETag with ValidationException "Pre-Condition failed"
    (or ConflictException): read again."""
    while True:
        value, etag = await read()
        change(value)
        try:
            await write(value, etag)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code not in ("ValidationException", "ConflictException"):
                raise
            await asyncio.sleep(random.uniform(0, 0.005))
            continue
        return


async def test_sync_returns_only_once_the_store_holds_what_was_asked(
    emulator: Emulator,
) -> None:
    """Another writer adds a key under the sync's prefix between the sync's read and its
    write: the write is stale, and the sync plans again from a fresh read (deleting the
    newcomer) rather than re-sending the first plan."""
    async with cloudfront_processes(emulator, 1) as (client,):
        created = await client.key_value_stores.create("flags", wait=True)
        store = emulator.state.key_value_stores[created.key_value_store.arn]
        keys = client.key_value_stores.keys("flags")
        await keys.sync({"app/a": "1", "app/b": "2"}, prefix="app/")
        backend = emulator.backend(DATA)
        handle = backend.handle
        intruded: list[str] = []

        def intrude(request: Any) -> Any:
            if request.operation == "UpdateKeys" and not intruded:
                store.items["app/intruder"] = "x"  # another writer, just before this write
                assert emulator.out_of_band_write(DATA, store.arn)
                intruded.append("app/intruder")
            return handle(request)

        backend.handle = intrude  # type: ignore[method-assign]
        plan = await keys.sync({"app/a": "1", "app/c": "3"}, prefix="app/")
        assert intruded
        assert await keys.items() == {"app/a": "1", "app/c": "3"}
        assert "app/intruder" in plan.deletes


# -- one Lightsail distribution ----------------------------------------------------------------

#: Eight changes to eight different settings, none of which resets another.
CHANGES: dict[str, Callable[[ls.UpdateDistributionRequest], None]] = {}


def change(name: str) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    def register(function: Callable[[Any], None]) -> Callable[[Any], None]:
        CHANGES[name] = function
        return function

    return register


def cache(settings: ls.UpdateDistributionRequest) -> ls.CacheSettings:
    assert settings.cache_behavior_settings is not None
    return settings.cache_behavior_settings


@change("root object")
def _root(settings: ls.UpdateDistributionRequest) -> None:
    settings.default_root_object = "home.html"


@change("default TTL")
def _default_ttl(settings: ls.UpdateDistributionRequest) -> None:
    cache(settings).default_ttl = 1234


@change("minimum TTL")
def _minimum_ttl(settings: ls.UpdateDistributionRequest) -> None:
    cache(settings).minimum_ttl = 30


@change("maximum TTL")
def _maximum_ttl(settings: ls.UpdateDistributionRequest) -> None:
    cache(settings).maximum_ttl = 99_999


@change("cookies")
def _cookies(settings: ls.UpdateDistributionRequest) -> None:
    cache(settings).forwarded_cookies = ls.CookieObject(option="none")


@change("default behavior")
def _behavior(settings: ls.UpdateDistributionRequest) -> None:
    settings.default_cache_behavior = ls.CacheBehavior(behavior="cache")


@change("path behaviors")
def _paths(settings: ls.UpdateDistributionRequest) -> None:
    settings.cache_behaviors = [ls.CacheBehaviorPerPath(path="/static/*", behavior="cache")]


@change("TLS")
def _tls(settings: ls.UpdateDistributionRequest) -> None:
    settings.viewer_minimum_tls_protocol_version = "TLSv1.2_2021"


def holds(distribution: ls.LightsailDistribution) -> dict[str, bool]:
    settings = distribution.cache_behavior_settings
    assert settings is not None
    assert distribution.default_cache_behavior is not None
    return {
        "root object": distribution.default_root_object == "home.html",
        "default TTL": settings.default_ttl == 1234,
        "minimum TTL": settings.minimum_ttl == 30,
        "maximum TTL": settings.maximum_ttl == 99_999,
        "cookies": settings.forwarded_cookies is not None
        and settings.forwarded_cookies.option == "none",
        "default behavior": distribution.default_cache_behavior.behavior == "cache",
        "path behaviors": [b.path for b in distribution.cache_behaviors or ()] == ["/static/*"],
        "TLS": distribution.viewer_minimum_tls_protocol_version == "TLSv1.2_2021",
    }


async def new_site(kit: cdnkit.Lightsail) -> None:
    await kit.distributions.create(
        "site",
        origin=lightsail_origin(),
        default_cache_behavior=ls.CacheBehavior(behavior="dont-cache"),
        bundle_id="small_1_0",
        cache_behavior_settings=FULL_SETTINGS,
        wait=True,
    )


def lightsail_changes_take_a_while(emulator: Emulator) -> None:
    """A change keeps the distribution busy for 0.2 s. Across processes Lightsail has no
    conditional write: a writer whose read and write straddle another writer's whole change
    (read before it, write once it has settled) replaces it, the window cdnkit documents.
    A busy time far above a read-to-write gap keeps these races inside the promise."""
    emulator.timing.lightsail_operation = 0.1
    emulator.timing.lightsail_distribution_deploy = 0.1


@pytest.mark.parametrize("processes", [1, 3])
async def test_eight_concurrent_modifies_of_different_settings_all_hold(
    emulator: Emulator, processes: int
) -> None:
    """In one process writers take turns; across processes each checks, once its change has
    settled, that it holds (wait=True), and applies it again if another writer replaced it."""
    async with lightsail_processes(emulator, processes) as kits:
        await new_site(kits[0])
        across_processes = processes > 1
        if across_processes:
            lightsail_changes_take_a_while(emulator)
        await asyncio.gather(
            *(
                kits[number % processes].distributions.modify("site", mutate, wait=across_processes)
                for number, mutate in enumerate(CHANGES.values())
            )
        )
        distribution = await kits[0].distributions.wait_deployed("site")
        assert holds(distribution) == dict.fromkeys(CHANGES, True)
        # Settings nobody changed kept their values.
        settings = distribution.cache_behavior_settings
        assert settings is not None
        assert settings.allowed_http_methods == FULL_SETTINGS.allowed_http_methods
        assert settings.forwarded_headers == FULL_SETTINGS.forwarded_headers


async def test_modifies_and_a_raw_writer_on_one_lightsail_distribution_all_hold(
    emulator: Emulator,
) -> None:
    """Two "processes" modify with wait=True (their changes are checked once their operation
    ended, and re-applied if another writer replaced them); a raw writer does its own
    read-modify-write, retried on "please wait", and checks its change the same way."""
    async with (
        lightsail_processes(emulator, 2) as kits,
        raw_client(emulator, "lightsail") as raw,
    ):
        await new_site(kits[0])
        lightsail_changes_take_a_while(emulator)

        async def raw_writer() -> None:
            for _ in range(20):
                got = (await raw.get_distributions(distributionName="site"))["distributions"][0]
                settings = dict(got["cacheBehaviorSettings"])
                settings["allowedHTTPMethods"] = "GET,HEAD"
                try:
                    await raw.update_distribution(
                        distributionName="site",
                        origin={
                            k: got["origin"][k] for k in ("name", "regionName", "protocolPolicy")
                        },
                        defaultCacheBehavior=got["defaultCacheBehavior"],
                        cacheBehaviorSettings=settings,
                        cacheBehaviors=got.get("cacheBehaviors", []),
                        defaultRootObject=got.get("defaultRootObject", ""),
                        viewerMinimumTlsProtocolVersion=got["viewerMinimumTlsProtocolVersion"],
                    )
                except ClientError as error:
                    if "wait" not in error.response["Error"]["Message"].lower():
                        raise
                await asyncio.sleep(0.05)
                again = (await raw.get_distributions(distributionName="site"))["distributions"][0]
                held = again["cacheBehaviorSettings"]["allowedHTTPMethods"] == "GET,HEAD"
                if held and again["status"] == "Deployed":
                    return
            raise AssertionError("the raw writer's change never held")

        await asyncio.gather(
            *(
                kits[number % 2].distributions.modify("site", mutate, wait=True)
                for number, mutate in enumerate(CHANGES.values())
            ),
            raw_writer(),
        )
        distribution = await kits[0].distributions.wait_deployed("site")
        assert holds(distribution) == dict.fromkeys(CHANGES, True)
        settings = distribution.cache_behavior_settings
        assert settings is not None
        assert settings.allowed_http_methods == "GET,HEAD"


def increment_ttl(settings: ls.UpdateDistributionRequest) -> None:
    cache(settings).default_ttl = (cache(settings).default_ttl or 0) + 1


async def test_concurrent_lightsail_increments_in_one_process_are_each_applied_once(
    emulator: Emulator,
) -> None:
    """Two clients of one process: writers of one distribution take turns, and a "please
    wait" is followed by a fresh read. (Across processes an increment has no safe path:
    see test_lightsail_writes for what modify(wait=True) does to one.)"""
    async with ls_client(emulator) as a, ls_client(emulator) as b:
        await new_site(a)
        before = lightsail_counter(await a.distributions.get("site"))
        await asyncio.gather(
            *((a, b)[number % 2].distributions.modify("site", increment_ttl) for number in range(8))
        )
        after = lightsail_counter(await a.distributions.wait_deployed("site"))
        assert after - before == 8
