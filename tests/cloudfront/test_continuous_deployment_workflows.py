"""Detached changes, teardown, staging reset and promotion checks, under faults too."""

from __future__ import annotations

import functools
from typing import Any, Literal

import pytest

import cdnkit
from cdnkit.resources.cloudfront import set_enabled
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf

from .conftest import Staged, before_call, create_distribution, stage, staging_copy

CF = "cloudfront"


PriceClass = Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"]


def price_class(value: PriceClass) -> Any:
    def mutate(distribution: cf.DistributionConfig) -> None:
        distribution.price_class = value

    return mutate


def comment(value: str) -> Any:
    def mutate(distribution: cf.DistributionConfig) -> None:
        distribution.comment = value

    return mutate


async def deployed_stage(client: cdnkit.CloudFront) -> Staged:
    staged = await stage(client)
    await client.distributions.wait_deployed(staged.primary_id)
    await client.distributions.wait_deployed(staged.staging_id)
    return staged


async def config_of(client: cdnkit.CloudFront, distribution_id: str) -> cf.DistributionConfig:
    current = await client.distributions.get_config(distribution_id)
    return current.distribution_config


async def exists(client: cdnkit.CloudFront, kind: str, resource_id: str) -> bool:
    try:
        if kind == "policy":
            await client.continuous_deployment_policies.get(resource_id)
        else:
            await client.distributions.get(resource_id)
    except cdnkit.NotFoundError:
        return False
    return True


# update_detached ---------------------------------------------------------------------------


async def test_update_detached_detaches_changes_waits_and_reattaches(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client)
    emulator.counters.reset()

    result = await cf_client.distributions.update_detached(
        staged.primary_id, mutate=price_class("PriceClass_100"), wait=True
    )

    assert result.distribution.status == "Deployed"
    stored = result.distribution.distribution_config
    assert stored.price_class == "PriceClass_100"
    assert stored.continuous_deployment_policy_id == staged.policy_id
    # detach, change, reattach: three writes.
    assert emulator.counters.count(CF, "UpdateDistribution") == 3


async def test_update_detached_refuses_a_change_the_reattach_would_fail_before_detaching(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client)
    emulator.counters.reset()

    def http3(distribution: cf.DistributionConfig) -> None:
        distribution.http_version = "http3"

    with pytest.raises(cdnkit.ContinuousDeploymentChangeError) as caught:
        await cf_client.distributions.update_detached(staged.primary_id, mutate=http3)

    assert caught.value.field == "HttpVersion"
    assert emulator.counters.count(CF, "UpdateDistribution") == 0
    assert (await config_of(cf_client, staged.primary_id)).continuous_deployment_policy_id


async def test_update_detached_needs_a_policy(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    primary_id = await create_distribution(cf_client)
    emulator.counters.reset()

    with pytest.raises(cdnkit.InvalidRequestError, match="policy_id"):
        await cf_client.distributions.update_detached(primary_id, mutate=comment("x"))

    assert emulator.counters.count(CF, "UpdateDistribution") == 0


async def test_update_detached_failing_midway_says_so_and_a_rerun_converges(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client)
    writes: list[int] = []

    def second_write_fails(_: dict[str, Any]) -> None:
        writes.append(1)
        if len(writes) == 2:  # after the detach: every UpdateDistribution fails from now on
            emulator.faults.server_error(CF, operation="UpdateDistribution", count=None)

    before_call(cf_client, "UpdateDistribution", second_write_fails)

    with pytest.raises(cdnkit.ContinuousDeploymentStepError) as caught:
        await cf_client.distributions.update_detached(
            staged.primary_id, mutate=price_class("PriceClass_100")
        )

    assert caught.value.step == "change"
    assert caught.value.done == ["detach"]
    assert "detached" in caught.value.state
    assert isinstance(caught.value.__cause__, cdnkit.ServiceError)
    left = await config_of(cf_client, staged.primary_id)
    assert not left.continuous_deployment_policy_id
    assert left.price_class != "PriceClass_100"

    emulator.faults.clear()
    await cf_client.distributions.update_detached(
        staged.primary_id, mutate=price_class("PriceClass_100"), policy_id=staged.policy_id
    )

    now = await config_of(cf_client, staged.primary_id)
    assert now.price_class == "PriceClass_100"
    assert now.continuous_deployment_policy_id == staged.policy_id


async def test_update_detached_with_every_write_answer_lost_applies_each_once(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client)
    lost = emulator.faults.reset_after_processing(CF, operation="UpdateDistribution", count=3)

    await cf_client.distributions.update_detached(
        staged.primary_id, mutate=price_class("PriceClass_200")
    )

    assert lost.hits == 3
    now = await config_of(cf_client, staged.primary_id)
    assert now.price_class == "PriceClass_200"
    assert now.continuous_deployment_policy_id == staged.policy_id


# reset_staging -------------------------------------------------------------------------------


async def test_reset_staging_copies_the_changeable_members_from_the_primary(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client)
    await cf_client.distributions.update(staged.staging_id, mutate=comment("candidate"))

    await cf_client.distributions.reset_staging(staged.staging_id, primary_id=staged.primary_id)

    staging = await config_of(cf_client, staged.staging_id)
    primary = await config_of(cf_client, staged.primary_id)
    assert staging.comment == primary.comment == "primary"
    assert staging.staging is True
    emulator.counters.reset()
    await cf_client.distributions.reset_staging(staged.staging_id, primary_id=staged.primary_id)
    assert emulator.counters.count(CF, "UpdateDistribution") == 0


async def test_reset_staging_refuses_a_distribution_that_is_not_staging(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    first = await create_distribution(cf_client)
    second = await create_distribution(cf_client, comment="other")
    emulator.counters.reset()

    with pytest.raises(cdnkit.InvalidRequestError, match="not a staging"):
        await cf_client.distributions.reset_staging(second, primary_id=first)

    assert emulator.counters.count(CF, "UpdateDistribution") == 0


# promotion checks ----------------------------------------------------------------------------


async def test_promote_with_reset_staging_leaves_both_alike(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client)
    await cf_client.distributions.update(staged.staging_id, mutate=comment("release 2"))
    await cf_client.distributions.wait_deployed(staged.staging_id)
    await cf_client.distributions.wait_deployed(staged.primary_id)

    promoted = await cf_client.distributions.promote_staging(
        staged.primary_id, staged.staging_id, wait=True, reset_staging=True
    )

    assert promoted.distribution.distribution_config.comment == "release 2"
    assert (await config_of(cf_client, staged.staging_id)).comment == "release 2"


async def test_promote_refuses_distributions_not_yet_deployed(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await deployed_stage(cf_client)
    await cf_client.distributions.update(staged.staging_id, mutate=comment("release 2"))
    emulator.counters.reset()

    with pytest.raises(cdnkit.PromotionNotReadyError) as caught:
        await cf_client.distributions.promote_staging(staged.primary_id, staged.staging_id)

    assert caught.value.problems == [
        f"staging distribution {staged.staging_id} is InProgress, not Deployed "
        "(wait_deployed first)"
    ]
    assert emulator.counters.count(CF, "UpdateDistributionWithStagingConfig") == 0


async def test_promote_refuses_a_disabled_policy(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client)
    await cf_client.continuous_deployment_policies.update(
        staged.policy_id, mutate=set_enabled(False)
    )
    await cf_client.distributions.wait_deployed(staged.primary_id)
    await cf_client.distributions.wait_deployed(staged.staging_id)
    emulator.counters.reset()

    with pytest.raises(cdnkit.PromotionNotReadyError, match="disabled"):
        await cf_client.distributions.promote_staging(staged.primary_id, staged.staging_id)

    assert emulator.counters.count(CF, "UpdateDistributionWithStagingConfig") == 0


async def test_promote_refuses_a_primary_without_a_policy(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client, attach=False)
    await cf_client.distributions.wait_deployed(staged.primary_id)
    await cf_client.distributions.wait_deployed(staged.staging_id)
    emulator.counters.reset()

    with pytest.raises(cdnkit.PromotionNotReadyError, match="no continuous deployment policy"):
        await cf_client.distributions.promote_staging(staged.primary_id, staged.staging_id)

    assert emulator.counters.count(CF, "UpdateDistributionWithStagingConfig") == 0


async def test_promote_refuses_a_staging_distribution_the_policy_does_not_name(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await deployed_stage(cf_client)
    other_id, other_domain = await staging_copy(cf_client, staged.primary_id)
    await cf_client.distributions.wait_deployed(other_id)
    emulator.counters.reset()

    with pytest.raises(cdnkit.PromotionNotReadyError) as caught:
        await cf_client.distributions.promote_staging(staged.primary_id, other_id)

    assert len(caught.value.problems) == 1
    assert other_domain in caught.value.problems[0]
    assert emulator.counters.count(CF, "UpdateDistributionWithStagingConfig") == 0


async def test_promote_refuses_the_primary_as_its_own_staging_before_any_request(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await deployed_stage(cf_client)
    emulator.counters.reset()

    with pytest.raises(cdnkit.PromotionNotReadyError):
        await cf_client.distributions.promote_staging(staged.primary_id, staged.primary_id)

    assert emulator.counters.total() == 0


async def test_promote_lists_every_problem_at_once(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    # Deployments that outlast the test, so "InProgress" is one of the problems however slow
    # the machine (seen: deployed before the checks read it, on a loaded machine).
    emulator.timing.cloudfront_distribution_deploy = 3600
    primary_id = await create_distribution(cf_client)
    other_id = await create_distribution(cf_client, comment="not staging")

    with pytest.raises(cdnkit.PromotionNotReadyError) as caught:
        await cf_client.distributions.promote_staging(primary_id, other_id)

    problems = "\n".join(caught.value.problems)
    assert "InProgress" in problems
    assert "not a staging distribution" in problems
    assert "no continuous deployment policy" in problems


# teardown ------------------------------------------------------------------------------------


def record(into: list[str], name: str, _: dict[str, Any]) -> None:
    into.append(name)


async def test_teardown_removes_everything_in_order(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client)
    order: list[str] = []
    for operation in (
        "UpdateContinuousDeploymentPolicy",
        "UpdateDistribution",
        "DeleteContinuousDeploymentPolicy",
        "DeleteDistribution",
    ):
        before_call(cf_client, operation, functools.partial(record, order, operation))

    await cf_client.continuous_deployment_policies.teardown(
        staged.policy_id, primary_id=staged.primary_id, staging_id=staged.staging_id
    )

    assert order == [
        "UpdateContinuousDeploymentPolicy",  # disable
        "UpdateDistribution",  # detach
        "DeleteContinuousDeploymentPolicy",
        "UpdateDistribution",  # disable staging
        "DeleteDistribution",
    ]
    assert not await exists(cf_client, "policy", staged.policy_id)
    assert not await exists(cf_client, "distribution", staged.staging_id)
    primary = await config_of(cf_client, staged.primary_id)
    assert not primary.continuous_deployment_policy_id
    assert primary.enabled is True


FAILING_STEPS = [
    ("UpdateContinuousDeploymentPolicy", "disable policy"),
    ("UpdateDistribution", "detach policy"),
    ("DeleteContinuousDeploymentPolicy", "delete policy"),
    ("DeleteDistribution", "delete staging"),
]


@pytest.mark.parametrize(("operation", "step"), FAILING_STEPS, ids=[s for _, s in FAILING_STEPS])
async def test_teardown_failing_at_a_step_says_which_and_a_rerun_finishes(
    emulator: Emulator, cf_client: cdnkit.CloudFront, operation: str, step: str
) -> None:
    staged = await stage(cf_client)
    emulator.faults.server_error(CF, operation=operation, count=None)

    with pytest.raises(cdnkit.ContinuousDeploymentStepError) as caught:
        await cf_client.continuous_deployment_policies.teardown(
            staged.policy_id, primary_id=staged.primary_id, staging_id=staged.staging_id
        )

    assert caught.value.step == step
    assert step not in caught.value.done
    assert isinstance(caught.value.__cause__, cdnkit.CdnKitError)
    emulator.faults.clear()
    await cf_client.continuous_deployment_policies.teardown(
        staged.policy_id, primary_id=staged.primary_id, staging_id=staged.staging_id
    )
    assert not await exists(cf_client, "policy", staged.policy_id)
    assert not await exists(cf_client, "distribution", staged.staging_id)
    assert not (await config_of(cf_client, staged.primary_id)).continuous_deployment_policy_id
    emulator.counters.reset()
    # Once done, a third run only reads.
    await cf_client.continuous_deployment_policies.teardown(
        staged.policy_id, primary_id=staged.primary_id, staging_id=staged.staging_id
    )
    writes = [op for (_, op) in emulator.counters.snapshot() if not op.startswith(("Get", "List"))]
    assert writes == []


@pytest.mark.parametrize("operation", [op for op, _ in FAILING_STEPS])
async def test_teardown_with_a_lost_answer_finishes_in_one_call(
    emulator: Emulator, cf_client: cdnkit.CloudFront, operation: str
) -> None:
    staged = await stage(cf_client)
    lost = emulator.faults.reset_after_processing(CF, operation=operation, count=1)

    await cf_client.continuous_deployment_policies.teardown(
        staged.policy_id, primary_id=staged.primary_id, staging_id=staged.staging_id
    )

    assert lost.hits == 1
    assert not await exists(cf_client, "policy", staged.policy_id)
    assert not await exists(cf_client, "distribution", staged.staging_id)


async def test_teardown_refuses_ids_that_do_not_belong_together(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client)
    other_id = await create_distribution(cf_client, comment="not staging")
    emulator.counters.reset()

    with pytest.raises(cdnkit.InvalidRequestError, match="not a staging"):
        await cf_client.continuous_deployment_policies.teardown(
            staged.policy_id, primary_id=staged.primary_id, staging_id=other_id
        )
    with pytest.raises(cdnkit.InvalidRequestError, match="is the primary"):
        await cf_client.continuous_deployment_policies.teardown(
            staged.policy_id, primary_id=staged.primary_id, staging_id=staged.primary_id
        )

    writes = [op for (_, op) in emulator.counters.snapshot() if not op.startswith(("Get", "List"))]
    assert writes == []
    assert await exists(cf_client, "policy", staged.policy_id)
