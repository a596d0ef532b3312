"""The ETag engine (read, mutate a copy, write with If-Match, re-read and re-apply on conflict),
seen through the resources that use it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import cdnkit
from cdnkit._etag import apply_mutation
from cdnkit._models import parse_response, to_wire
from cdnkit.resources.cloudfront import set_weight
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf

from .conftest import (
    FAST_RETRY,
    add_alias,
    aliases,
    config,
    create_distribution,
    open_client,
    stage,
    stale_before,
)


def updates(emulator: Emulator) -> int:
    return emulator.counters.count("cloudfront", "UpdateDistribution")


def reads(emulator: Emulator) -> int:
    return emulator.counters.count("cloudfront", "GetDistributionConfig")


async def current_aliases(client: cdnkit.CloudFront, distribution_id: str) -> list[str]:
    got = await client.distributions.get_config(distribution_id)
    return aliases(got.distribution_config)


async def test_a_conflict_between_read_and_write_is_reread_and_reapplied(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    calls = 0

    def mutate(config: cf.DistributionConfig) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:  # another writer changes the ETag after cdnkit's first read
            assert emulator.out_of_band_write("cloudfront", distribution_id)
        add_alias("a.example.com")(config)

    emulator.counters.reset()
    result = await cf_client.distributions.update(distribution_id, mutate=mutate)

    assert calls == 2
    assert (reads(emulator), updates(emulator)) == (2, 2)
    assert aliases(result.distribution.distribution_config) == ["a.example.com"]
    assert await current_aliases(cf_client, distribution_id) == ["a.example.com"]


async def test_a_conflicting_write_of_other_content_is_kept_with_the_mutation(
    emulator: Emulator, cf_client: cdnkit.CloudFront, other_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    calls = 0

    async def mutate(config: cf.DistributionConfig) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:  # a second client (another process) writes between read and write
            await other_client.distributions.update(distribution_id, mutate=add_alias("b.test"))
        add_alias("a.test")(config)

    emulator.counters.reset()
    await cf_client.distributions.update(distribution_id, mutate=mutate)

    assert calls == 2
    # Ours: 2 reads and 2 writes (the first stale); the other client's: 1 and 1.
    assert (reads(emulator), updates(emulator)) == (3, 3)
    assert sorted(await current_aliases(cf_client, distribution_id)) == ["a.test", "b.test"]


async def test_a_policy_conflict_is_resolved_without_losing_the_mutation(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client, attach=False)
    sent = stale_before(
        cf_client, emulator, "UpdateContinuousDeploymentPolicy", staged.policy_id, times=1
    )
    emulator.counters.reset()

    updated = await cf_client.continuous_deployment_policies.update(
        staged.policy_id, mutate=set_weight(0.1)
    )

    assert emulator.counters.count("cloudfront", "GetContinuousDeploymentPolicy") == 2
    assert len(sent) == 2
    assert sent[0] != sent[1]
    traffic = updated.continuous_deployment_policy.continuous_deployment_policy_config
    assert traffic.traffic_config is not None
    assert traffic.traffic_config.single_weight_config is not None
    assert traffic.traffic_config.single_weight_config.weight == 0.1


async def test_if_match_is_sent_as_given_and_a_stale_one_is_not_retried(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    first = await cf_client.distributions.get_config(distribution_id)
    assert emulator.out_of_band_write("cloudfront", distribution_id)
    emulator.counters.reset()

    with pytest.raises(cdnkit.PreconditionFailedError):
        await cf_client.distributions.update(
            distribution_id, mutate=add_alias("a.test"), if_match=first.etag
        )
    # The fresh read had the current ETag: the failure proves the given one was sent.
    assert (reads(emulator), updates(emulator)) == (1, 1)

    fresh = await cf_client.distributions.get_config(distribution_id)
    done = await cf_client.distributions.update(
        distribution_id, mutate=add_alias("a.test"), if_match=fresh.etag
    )
    assert done.etag not in (None, fresh.etag)
    assert await current_aliases(cf_client, distribution_id) == ["a.test"]


async def test_a_stale_if_match_is_not_retried_by_any_resource(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client, attach=False)
    await cf_client.key_value_stores.create("flags")
    await cf_client.functions.create("router", code="function handler(e) { return e.request; }")
    stale = "ESTALEETAG00000"
    emulator.counters.reset()

    with pytest.raises(cdnkit.PreconditionFailedError):
        await cf_client.continuous_deployment_policies.update(
            staged.policy_id, mutate=set_weight(0.1), if_match=stale
        )
    with pytest.raises(cdnkit.PreconditionFailedError):
        await cf_client.continuous_deployment_policies.delete(staged.policy_id, if_match=stale)
    with pytest.raises(cdnkit.PreconditionFailedError):
        await cf_client.key_value_stores.update("flags", comment="new", if_match=stale)
    with pytest.raises(cdnkit.PreconditionFailedError):
        await cf_client.key_value_stores.delete("flags", if_match=stale)
    with pytest.raises(cdnkit.PreconditionFailedError):
        await cf_client.functions.update("router", comment="new", if_match=stale)
    with pytest.raises(cdnkit.PreconditionFailedError):
        await cf_client.functions.publish("router", if_match=stale)
    with pytest.raises(cdnkit.PreconditionFailedError):
        await cf_client.functions.delete("router", if_match=stale)

    count = emulator.counters.count
    for operation in (
        "UpdateContinuousDeploymentPolicy",
        "DeleteContinuousDeploymentPolicy",
        "UpdateKeyValueStore",
        "DeleteKeyValueStore",
        "UpdateFunction",
        "PublishFunction",
        "DeleteFunction",
    ):
        assert count("cloudfront", operation) == 1, operation


async def test_a_mutation_that_changes_nothing_sends_no_update(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client, comment="same")
    before = await cf_client.distributions.get(distribution_id)
    emulator.counters.reset()

    def same_comment(config: cf.DistributionConfig) -> None:
        config.comment = "same"

    result = await cf_client.distributions.update(distribution_id, mutate=same_comment)

    assert updates(emulator) == 0
    assert result.etag == before.etag
    assert result.distribution.distribution_config.comment == "same"


async def test_a_mutate_that_raises_propagates_and_sends_nothing(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    staged = await stage(cf_client, attach=False)
    emulator.counters.reset()

    class Refused(Exception):
        pass

    def refuse(config: cf.DistributionConfig) -> None:
        config.comment = "half-done"
        raise Refused

    async def refuse_policy(config: cf.ContinuousDeploymentPolicyConfig) -> None:
        raise Refused

    with pytest.raises(Refused):
        await cf_client.distributions.update(distribution_id, mutate=refuse)
    with pytest.raises(Refused):
        await cf_client.continuous_deployment_policies.update(
            staged.policy_id, mutate=refuse_policy
        )
    assert updates(emulator) == 0
    assert emulator.counters.count("cloudfront", "UpdateContinuousDeploymentPolicy") == 0
    got = await cf_client.distributions.get_config(distribution_id)
    assert got.distribution_config.comment == "site"


async def test_a_mutate_may_return_a_new_value(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)

    def renamed(config: cf.DistributionConfig) -> cf.DistributionConfig:
        return config.model_copy(update={"comment": "renamed"})

    await cf_client.distributions.update(distribution_id, mutate=renamed)
    got = await cf_client.distributions.get_config(distribution_id)
    assert got.distribution_config.comment == "renamed"


async def test_a_mutation_is_validated_before_it_is_sent(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    emulator.counters.reset()

    def too_long(config: cf.DistributionConfig) -> None:
        config.comment = "x" * 129  # attribute assignment is not validated by pydantic

    with pytest.raises(cdnkit.RequestValidationError) as caught:
        await cf_client.distributions.update(distribution_id, mutate=too_long)
    assert any(error["loc"] == ("comment",) for error in caught.value.errors())
    assert updates(emulator) == 0


async def test_twenty_concurrent_mutators_all_land(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    names = [f"www{i}.example.com" for i in range(20)]
    emulator.counters.reset()

    async def slow_add(name: str) -> None:
        async def mutate(config: cf.DistributionConfig) -> None:
            await asyncio.sleep(0)  # let the others run while this one holds its copy
            add_alias(name)(config)

        await cf_client.distributions.update(distribution_id, mutate=mutate)

    await asyncio.gather(*(slow_add(name) for name in names))

    assert sorted(await current_aliases(cf_client, distribution_id)) == sorted(names)
    # Serialized inside the process: no conflict, so no write was wasted.
    assert updates(emulator) == 20


async def test_twenty_mutators_on_two_clients_all_land(emulator: Emulator) -> None:
    # Two clients are two sets of locks, as two processes would be: they really conflict.
    # Each writer can lose a race to the other's ten writes, so attempts are not the bottleneck.
    retry = cdnkit.RetryPolicy(max_attempts=30, initial_backoff=0.001, max_backoff=0.01)
    async with open_client(emulator, retry=retry) as one, open_client(emulator, retry=retry) as two:
        distribution_id = await create_distribution(one)
        names = [f"www{i}.example.com" for i in range(20)]
        emulator.counters.reset()

        await asyncio.gather(
            *(
                (one if i % 2 else two).distributions.update(
                    distribution_id, mutate=add_alias(name)
                )
                for i, name in enumerate(names)
            )
        )

        assert sorted(await current_aliases(one, distribution_id)) == sorted(names)
        # 20 writes landed; the rest were refused as stale and re-read.
        assert updates(emulator) >= 20
        assert reads(emulator) - 1 == updates(emulator)


async def test_attempts_are_bounded_when_the_resource_is_always_stale(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    emulator.counters.reset()

    def always_stale(config: cf.DistributionConfig) -> None:
        assert emulator.out_of_band_write("cloudfront", distribution_id)
        add_alias("a.test")(config)

    with pytest.raises(cdnkit.PreconditionFailedError):
        await cf_client.distributions.update(distribution_id, mutate=always_stale)
    assert (reads(emulator), updates(emulator)) == (FAST_RETRY.max_attempts,) * 2
    assert await current_aliases(cf_client, distribution_id) == []


async def test_values_read_as_they_came_do_not_block_an_unrelated_mutation() -> None:
    # A reply may carry an enum value newer than this botocore, or a value past a documented
    # limit: it is kept as read, and only what the mutation changes is checked.
    wire = to_wire(config())
    wire["HttpVersion"] = "http4"
    read = parse_response(cf.DistributionConfig, wire)

    def disable(distribution: cf.DistributionConfig) -> None:
        distribution.enabled = False

    changed = await apply_mutation(read, disable)
    assert (changed.http_version, changed.enabled) == ("http4", False)
    assert to_wire(changed) == {**wire, "Enabled": False}

    def bad_comment(distribution: cf.DistributionConfig) -> None:
        distribution.comment = "x" * 129

    with pytest.raises(cdnkit.RequestValidationError) as caught:
        await apply_mutation(read, bad_comment)
    assert ("comment",) in [error["loc"] for error in caught.value.errors()]


async def test_a_mutate_returning_another_type_is_refused(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    emulator.counters.reset()

    def wrong(distribution: cf.DistributionConfig) -> cf.Aliases:
        return cf.Aliases(items=["a.test"])

    with pytest.raises(cdnkit.InvalidRequestError):
        await cf_client.distributions.update(
            distribution_id,
            mutate=wrong,  # type: ignore[arg-type]  # the run-time check is what is tested
        )
    assert updates(emulator) == 0


async def test_a_mutate_putting_an_object_of_another_class_in_a_member_is_refused(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    """Pydantic would dump the stray object as whatever its fields are and say nothing."""
    distribution_id = await create_distribution(cf_client)
    emulator.counters.reset()

    def stray(distribution: cf.DistributionConfig) -> None:
        aliases_in_place_of_origins: Any = cf.Aliases(items=["a.test"])
        distribution.origins = aliases_in_place_of_origins

    with pytest.raises(cdnkit.InvalidRequestError, match="origins: expected Origins, got Aliases"):
        await cf_client.distributions.update(distribution_id, mutate=stray)
    assert updates(emulator) == 0


async def test_a_mutation_works_on_a_copy_that_shares_nothing_with_the_read() -> None:
    read = config()
    before = to_wire(read)

    def change_everything_in_place(distribution: cf.DistributionConfig) -> None:
        assert distribution.origins.items is not None
        distribution.origins.items[0].domain_name = "other.example.com"
        distribution.origins.items.append(distribution.origins.items[0].model_copy())
        distribution.origins.quantity = 2
        distribution.origins.items[1].id = "second"
        distribution.comment = "changed"

    changed = await apply_mutation(read, change_everything_in_place)

    assert to_wire(read) == before  # the value read is untouched
    assert changed.origins.items is not None
    assert [origin.id for origin in changed.origins.items][1] == "second"
    assert changed.comment == "changed"
