"""``cf.distributions``: reads, create (idempotent on retry), update, staging, promotion, delete
and the Deployed waiter."""

from __future__ import annotations

import pytest

import cdnkit
from cdnkit.resources.cloudfront import distribution_config
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf

from .conftest import (
    add_alias,
    config,
    create_distribution,
    page_size,
    stage,
    stale_before,
)


async def test_get_and_get_config_agree(emulator: Emulator, cf_client: cdnkit.CloudFront) -> None:
    created = await cf_client.distributions.create(config(comment="one"))
    assert created.distribution is not None
    distribution_id = created.distribution.id

    got = await cf_client.distributions.get(distribution_id)
    got_config = await cf_client.distributions.get_config(distribution_id)

    assert got.etag == got_config.etag == created.etag
    assert got.distribution is not None
    assert got.distribution.id == distribution_id
    assert got.distribution.distribution_config == got_config.distribution_config
    assert got_config.distribution_config is not None
    assert got_config.distribution_config.comment == "one"
    with pytest.raises(cdnkit.NotFoundError):
        await cf_client.distributions.get("ENOSUCHDIST0000")


async def test_list_returns_every_page(emulator: Emulator, cf_client: cdnkit.CloudFront) -> None:
    created = {await create_distribution(cf_client, comment=f"d{i}") for i in range(5)}
    page_size(cf_client, "ListDistributions", 2)
    emulator.counters.reset()

    listed = [summary.id async for summary in cf_client.distributions.list()]

    assert sorted(listed) == sorted(created)
    assert emulator.counters.count("cloudfront", "ListDistributions") == 3


def test_distribution_config_generates_a_caller_reference() -> None:
    first, second = config(), config()
    assert first.caller_reference
    assert second.caller_reference
    assert first.caller_reference != second.caller_reference
    assert config(caller_reference="mine").caller_reference == "mine"


async def test_create_sends_the_generated_caller_reference(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    wanted = config()
    created = await cf_client.distributions.create(wanted)
    assert created.distribution is not None
    assert created.distribution.distribution_config.caller_reference == wanted.caller_reference
    assert created.distribution.status == "InProgress"
    assert created.location
    assert created.distribution.id in created.location


async def test_a_reused_caller_reference_on_a_first_attempt_is_a_conflict(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    # Not a retry: the distribution with that reference may be someone else's.
    await cf_client.distributions.create(config(caller_reference="shared"))
    with pytest.raises(cdnkit.ConflictError) as caught:
        await cf_client.distributions.create(config(caller_reference="shared"))
    assert caught.value.code == "DistributionAlreadyExists"


async def test_update_with_wait_returns_the_deployed_distribution(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)

    quick = await cf_client.distributions.update(distribution_id, mutate=add_alias("a.test"))
    assert quick.distribution is not None
    assert quick.distribution.status == "InProgress"

    deployed = await cf_client.distributions.update(
        distribution_id, mutate=add_alias("b.test"), wait=True
    )
    assert deployed.distribution is not None
    assert deployed.distribution.status == "Deployed"
    assert deployed.distribution.distribution_config.aliases == cf.Aliases(
        items=["a.test", "b.test"]
    )
    assert deployed.etag == (await cf_client.distributions.get(distribution_id)).etag


async def test_update_with_a_config_replaces_it(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    current = await cf_client.distributions.get_config(distribution_id)
    assert current.distribution_config is not None
    replacement = current.distribution_config.model_copy(update={"comment": "replaced"})

    await cf_client.distributions.update(distribution_id, config=replacement)

    stored = await cf_client.distributions.get_config(distribution_id)
    assert stored.distribution_config is not None
    assert stored.distribution_config.comment == "replaced"
    with pytest.raises(cdnkit.InvalidRequestError):
        await cf_client.distributions.update(distribution_id)  # type: ignore[call-overload]  # the run-time check is tested


async def test_wait_deployed_and_its_timeout(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    deployed = await cf_client.distributions.wait_deployed(distribution_id)
    assert deployed.distribution is not None
    assert deployed.distribution.status == "Deployed"

    emulator.timing.cloudfront_distribution_deploy = 3600  # the next change never deploys
    await cf_client.distributions.update(distribution_id, mutate=add_alias("a.test"))
    with pytest.raises(cdnkit.WaiterTimeoutError) as caught:
        await cf_client.distributions.wait_deployed(distribution_id, timeout=0.1)
    last = caught.value.last
    assert isinstance(last, cf.GetDistributionResult)
    assert last.distribution is not None
    assert last.distribution.status == "InProgress"


async def test_copy_to_staging_makes_a_staging_copy(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    primary_id = await create_distribution(cf_client, comment="primary")
    await cf_client.distributions.update(primary_id, mutate=add_alias("www.example.com"))
    sent = stale_before(cf_client, emulator, "CopyDistribution", primary_id, times=1)

    copied = await cf_client.distributions.copy_to_staging(primary_id, wait=True)

    # The first copy was refused as stale and the primary's ETag read again.
    assert len(sent) == 2
    assert sent[0] != sent[1]
    assert emulator.counters.count("cloudfront", "CopyDistribution") == 2
    assert copied.distribution is not None
    assert copied.distribution.id != primary_id
    assert copied.distribution.status == "Deployed"
    staging = copied.distribution.distribution_config
    assert staging.staging is True
    assert staging.comment == "primary"
    assert not staging.aliases or not staging.aliases.items  # aliases stay with the primary
    assert len([d async for d in cf_client.distributions.list()]) == 2


async def test_attach_a_policy(emulator: Emulator, cf_client: cdnkit.CloudFront) -> None:
    staged = await stage(cf_client, attach=False)

    attached = await cf_client.distributions.attach_continuous_deployment_policy(
        staged.primary_id, staged.policy_id, wait=True
    )

    assert attached.distribution is not None
    assert attached.distribution.status == "Deployed"
    stored = await cf_client.distributions.get_config(staged.primary_id)
    assert stored.distribution_config is not None
    assert stored.distribution_config.continuous_deployment_policy_id == staged.policy_id


async def test_promote_sends_both_etags_and_rereads_a_stale_staging_etag(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    # Aliases cannot change while the policy is attached: added before the attach.
    staged = await stage(cf_client, attach=False)
    await cf_client.distributions.update(staged.primary_id, mutate=add_alias("www.example.com"))
    await cf_client.distributions.attach_continuous_deployment_policy(
        staged.primary_id, staged.policy_id, wait=True
    )

    def new_comment(distribution: cf.DistributionConfig) -> None:
        distribution.comment = "release 2"

    # Promotion wants both distributions deployed.
    await cf_client.distributions.update(staged.staging_id, mutate=new_comment, wait=True)
    primary_etag = (await cf_client.distributions.get_config(staged.primary_id)).etag
    staging_etag = (await cf_client.distributions.get_config(staged.staging_id)).etag
    # Another writer touches the staging distribution between cdnkit's reads and its promote.
    sent = stale_before(
        cf_client, emulator, "UpdateDistributionWithStagingConfig", staged.staging_id, times=1
    )
    emulator.counters.reset()

    promoted = await cf_client.distributions.promote_staging(
        staged.primary_id, staged.staging_id, wait=True
    )

    assert sent[0] == f"{primary_etag}, {staging_etag}"
    new_staging_etag = (await cf_client.distributions.get_config(staged.staging_id)).etag
    assert sent[1] == f"{primary_etag}, {new_staging_etag}"
    assert new_staging_etag != staging_etag
    assert emulator.counters.count("cloudfront", "UpdateDistributionWithStagingConfig") == 2
    assert promoted.distribution is not None
    assert promoted.distribution.status == "Deployed"
    primary = promoted.distribution.distribution_config
    assert primary.comment == "release 2"  # from staging
    assert primary.aliases == cf.Aliases(items=["www.example.com"])  # kept by the primary
    assert primary.continuous_deployment_policy_id == staged.policy_id
    assert primary.staging is False
    policy = await cf_client.continuous_deployment_policies.get_config(staged.policy_id)
    assert policy.continuous_deployment_policy_config is not None
    assert policy.continuous_deployment_policy_config.enabled is False


async def test_delete_disables_waits_and_deletes(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    emulator.counters.reset()

    await cf_client.distributions.delete(distribution_id)

    count = emulator.counters.count
    assert count("cloudfront", "UpdateDistribution") == 1
    assert count("cloudfront", "DeleteDistribution") == 1
    with pytest.raises(cdnkit.NotFoundError):
        await cf_client.distributions.get(distribution_id)


async def test_delete_of_a_disabled_distribution_sends_no_update(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    created = await cf_client.distributions.create(
        distribution_config(
            origins=config().origins.items,
            default_cache_behavior=config().default_cache_behavior,
            enabled=False,
        ),
        wait=True,
    )
    assert created.distribution is not None
    emulator.counters.reset()

    await cf_client.distributions.delete(created.distribution.id)

    assert emulator.counters.count("cloudfront", "UpdateDistribution") == 0
    assert emulator.counters.count("cloudfront", "DeleteDistribution") == 1
    assert [d async for d in cf_client.distributions.list()] == []


async def test_the_full_staging_cycle_cleans_up(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client)
    await cf_client.distributions.wait_deployed(staged.primary_id)
    await cf_client.distributions.wait_deployed(staged.staging_id)
    await cf_client.distributions.promote_staging(staged.primary_id, staged.staging_id)

    def detach(distribution: cf.DistributionConfig) -> None:
        distribution.continuous_deployment_policy_id = ""

    await cf_client.distributions.update(staged.primary_id, mutate=detach)
    await cf_client.continuous_deployment_policies.delete(staged.policy_id)
    await cf_client.distributions.delete(staged.staging_id)
    await cf_client.distributions.delete(staged.primary_id)

    assert [d async for d in cf_client.distributions.list()] == []
    assert [p async for p in cf_client.continuous_deployment_policies.list()] == []
