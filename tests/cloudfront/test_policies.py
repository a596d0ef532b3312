"""``cf.continuous_deployment_policies`` and its traffic helpers."""

from __future__ import annotations

import pytest

import cdnkit
from cdnkit.resources.cloudfront import set_enabled, set_weight, single_header, single_weight
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf

from .conftest import (
    create_distribution,
    page_size,
    stage,
    staging_copy,
    stale_before,
)


def weight_of(
    config: cf.ContinuousDeploymentPolicyConfig,
) -> cf.ContinuousDeploymentSingleWeightConfig:
    assert config.traffic_config is not None
    assert config.traffic_config.single_weight_config is not None
    return config.traffic_config.single_weight_config


async def test_create_derives_quantity_and_get_returns_it(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    primary_id = await create_distribution(cf_client)
    _, domain = await staging_copy(cf_client, primary_id)
    emulator.counters.reset()

    created = await cf_client.continuous_deployment_policies.create(
        staging_distribution_dns_names=[domain],
        traffic_config=single_weight(0.05, idle_ttl=300, maximum_ttl=600),
    )

    assert emulator.counters.count("cloudfront", "CreateContinuousDeploymentPolicy") == 1
    assert created.etag
    policy_id = created.continuous_deployment_policy.id
    # The emulator refuses Quantity != len(Items) (InconsistentQuantities): it was sent right,
    # and what it stored is what get_config reads back.
    stored = await cf_client.continuous_deployment_policies.get_config(policy_id)
    assert stored.etag == created.etag
    names = stored.continuous_deployment_policy_config.staging_distribution_dns_names
    assert (names.quantity, names.items) == (1, [domain])
    weight = weight_of(stored.continuous_deployment_policy_config)
    assert weight.weight == 0.05
    assert weight.session_stickiness_config == cf.SessionStickinessConfig(
        idle_ttl=300, maximum_ttl=600
    )
    assert stored.continuous_deployment_policy_config.enabled is True

    got = await cf_client.continuous_deployment_policies.get(policy_id)
    assert got.etag == created.etag
    assert got.continuous_deployment_policy.id == policy_id
    assert (
        got.continuous_deployment_policy.continuous_deployment_policy_config
        == stored.continuous_deployment_policy_config
    )


async def test_list_returns_every_page(emulator: Emulator, cf_client: cdnkit.CloudFront) -> None:
    primary_id = await create_distribution(cf_client)
    created: set[str] = set()
    for _ in range(5):
        _, domain = await staging_copy(cf_client, primary_id)
        policy = await cf_client.continuous_deployment_policies.create(
            staging_distribution_dns_names=[domain], traffic_config=single_weight(0.01)
        )
        created.add(policy.continuous_deployment_policy.id)
    page_size(cf_client, "ListContinuousDeploymentPolicies", 2)
    emulator.counters.reset()

    listed = [policy.id async for policy in cf_client.continuous_deployment_policies.list()]

    assert sorted(listed) == sorted(created)
    assert emulator.counters.count("cloudfront", "ListContinuousDeploymentPolicies") == 3


async def test_update_with_mutate_keeps_what_it_does_not_touch(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    primary_id = await create_distribution(cf_client)
    _, domain = await staging_copy(cf_client, primary_id)
    created = await cf_client.continuous_deployment_policies.create(
        staging_distribution_dns_names=[domain],
        traffic_config=single_weight(0.05, idle_ttl=600, maximum_ttl=1200),
    )
    policy_id = created.continuous_deployment_policy.id

    updated = await cf_client.continuous_deployment_policies.update(
        policy_id, mutate=set_weight(0.15)
    )
    assert updated.etag not in (None, created.etag)
    disabled = await cf_client.continuous_deployment_policies.update(
        policy_id, mutate=set_enabled(False)
    )

    stored = await cf_client.continuous_deployment_policies.get_config(policy_id)
    assert stored.etag == disabled.etag
    config = stored.continuous_deployment_policy_config
    assert config.enabled is False
    assert weight_of(config).weight == 0.15
    assert weight_of(config).session_stickiness_config == cf.SessionStickinessConfig(
        idle_ttl=600, maximum_ttl=1200
    )
    assert config.staging_distribution_dns_names.items == [domain]


async def test_update_with_a_config_replaces_it(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client)
    replacement = cf.ContinuousDeploymentPolicyConfig(
        staging_distribution_dns_names=cf.StagingDistributionDnsNames(
            items=[staged.staging_domain]
        ),
        enabled=True,
        traffic_config=single_header("aws-cf-cd-beta", "yes"),
    )

    await cf_client.continuous_deployment_policies.update(staged.policy_id, config=replacement)

    stored = await cf_client.continuous_deployment_policies.get_config(staged.policy_id)
    assert stored.continuous_deployment_policy_config == replacement
    emulator.counters.reset()
    again = await cf_client.continuous_deployment_policies.update(
        staged.policy_id, config=replacement
    )
    assert emulator.counters.count("cloudfront", "UpdateContinuousDeploymentPolicy") == 0
    assert again.etag == stored.etag


async def test_update_needs_exactly_one_of_mutate_and_config(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client, attach=False)
    emulator.counters.reset()
    policies = cf_client.continuous_deployment_policies
    with pytest.raises(cdnkit.InvalidRequestError):
        await policies.update(staged.policy_id)  # type: ignore[call-overload]  # the run-time check is tested
    stored = await policies.get_config(staged.policy_id)
    with pytest.raises(cdnkit.InvalidRequestError):
        await policies.update(  # type: ignore[call-overload]  # the run-time check is tested
            staged.policy_id,
            mutate=set_enabled(False),
            config=stored.continuous_deployment_policy_config,
        )
    assert emulator.counters.count("cloudfront", "UpdateContinuousDeploymentPolicy") == 0


async def test_delete_rereads_a_stale_etag(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client, attach=False)
    sent = stale_before(
        cf_client, emulator, "DeleteContinuousDeploymentPolicy", staged.policy_id, times=1
    )

    await cf_client.continuous_deployment_policies.delete(staged.policy_id)

    assert len(sent) == 2
    assert sent[0] != sent[1]
    with pytest.raises(cdnkit.NotFoundError):
        await cf_client.continuous_deployment_policies.get(staged.policy_id)


def test_single_weight_builds_a_sticky_traffic_config() -> None:
    traffic = single_weight(0.1, idle_ttl=300, maximum_ttl=3600)
    assert traffic.type == "SingleWeight"
    assert traffic.single_header_config is None
    assert traffic.single_weight_config == cf.ContinuousDeploymentSingleWeightConfig(
        weight=0.1,
        session_stickiness_config=cf.SessionStickinessConfig(idle_ttl=300, maximum_ttl=3600),
    )
    plain = single_weight(0.0)
    assert plain.single_weight_config is not None
    assert plain.single_weight_config.session_stickiness_config is None
    with pytest.raises(ValueError, match="both"):
        single_weight(0.1, idle_ttl=300)


def test_single_header_builds_a_header_traffic_config() -> None:
    traffic = single_header("aws-cf-cd-canary", "1")
    assert traffic.type == "SingleHeader"
    assert traffic.single_weight_config is None
    assert traffic.single_header_config == cf.ContinuousDeploymentSingleHeaderConfig(
        header="aws-cf-cd-canary", value="1"
    )


def test_set_weight_turns_a_header_policy_into_a_weight_policy() -> None:
    config = cf.ContinuousDeploymentPolicyConfig(
        staging_distribution_dns_names=cf.StagingDistributionDnsNames(items=["d1.cloudfront.net"]),
        enabled=True,
        traffic_config=single_header("aws-cf-cd-canary", "1"),
    )
    set_weight(0.02)(config)
    assert config.traffic_config == single_weight(0.02)
