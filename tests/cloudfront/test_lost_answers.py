"""Every CloudFront mutating method with its answer lost once, end to end: the emulator
processes the request and then resets the connection, exactly as a dropped reply looks to the
client. The call must return what it would have returned, and the service must show one
effect: ``effects`` counts the writes the emulator's backend carried out (a resend it refused,
as stale or "not found", is not one)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

import cdnkit
from cdnkit._core import Sends
from cdnkit.resources.cloudfront import set_weight, single_weight
from cdnkit.testing import Emulator
from cdnkit.testing._backend import JsonDict, Request
from cdnkit.types import cloudfront as cf

from .conftest import CODE, FAST_RETRY, before_call, config, create_distribution, stage

CODE_V2 = CODE + " // v2"


@pytest.fixture
def effects(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Operations the emulator's CloudFront backend carried out (it raised no error), by name."""
    backend = emulator.backend("cloudfront")
    handle = backend.handle
    done: Counter[str] = Counter()

    def counting(request: Request) -> JsonDict:
        output = handle(request)
        done[request.operation] += 1
        return output

    monkeypatch.setattr(backend, "handle", counting)
    return done


def lose(emulator: Emulator, operation: str) -> None:
    """The next ``operation`` request takes effect, then its connection is reset."""
    emulator.faults.reset_after_processing("cloudfront", operation=operation)


def sends(emulator: Emulator, operation: str) -> int:
    """Requests of ``operation`` that reached the emulator (the lost one included)."""
    return emulator.counters.count("cloudfront", operation)


def unanswered_then_stale(
    client: cdnkit.CloudFront, emulator: Emulator, operation: str, resource_id: str
) -> None:
    """The next ``operation`` gets no answer and does not take effect; before its resend,
    another writer makes ``resource_id`` stale: the resend's refusal is not this call's."""
    emulator.faults.reset_connection("cloudfront", operation=operation)
    seen: list[None] = []

    def handler(_: dict[str, Any]) -> None:
        seen.append(None)
        if len(seen) == 2:
            assert emulator.out_of_band_write("cloudfront", resource_id)

    before_call(client, operation, handler)


def bump(distribution: cf.DistributionConfig) -> None:
    """A mutator that is not idempotent: applied twice, the comment says so."""
    distribution.comment = f"n={int(distribution.comment.removeprefix('n=') or 0) + 1}"


# The transport -------------------------------------------------------------------------------


async def test_every_send_is_one_of_cdnkits_own(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    # aiohttp resends a GET, PUT or DELETE once by itself when the connection drops before
    # the answer. cdnkit turns that off: its retry layer makes (and counts) every send, so it
    # knows a send went unanswered when the resend is refused.
    distribution_id = await create_distribution(cf_client)
    etag = (await cf_client.distributions.get(distribution_id)).etag
    core = cf_client._core
    emulator.counters.reset()
    emulator.faults.reset_connection("cloudfront", operation="GetDistribution")
    emulator.faults.reset_connection("cloudfront", operation="DeleteDistribution")
    read, delete = Sends(), Sends()

    reply = await core.send(
        "GetDistribution", {"Id": distribution_id}, retry=FAST_RETRY, sends=read
    )
    with pytest.raises(cdnkit.ConflictError):  # DistributionNotDisabled, on the resend
        await core.send(
            "DeleteDistribution",
            {"Id": distribution_id, "IfMatch": etag},
            retry=FAST_RETRY,
            sends=delete,
        )

    assert reply["Distribution"]["Id"] == distribution_id
    assert (read.count, read.unanswered) == (2, 1)
    assert (delete.count, delete.unanswered) == (2, 1)
    assert sends(emulator, "GetDistribution") == 2
    assert sends(emulator, "DeleteDistribution") == 2


# Distributions -------------------------------------------------------------------------------


async def test_create(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str]
) -> None:
    lose(emulator, "CreateDistribution")

    created = await cf_client.distributions.create(config(comment="once"))

    assert created.distribution is not None
    assert created.distribution.distribution_config.comment == "once"
    # The retry reused the CallerReference, met DistributionAlreadyExists naming the first
    # attempt's distribution, and returned it: one distribution in all.
    assert sends(emulator, "CreateDistribution") == 2
    assert effects["CreateDistribution"] == 1
    assert [d.id async for d in cf_client.distributions.list()] == [created.distribution.id]
    assert created.etag == (await cf_client.distributions.get(created.distribution.id)).etag


async def test_update_with_a_mutator(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str]
) -> None:
    distribution_id = await create_distribution(cf_client, comment="n=0")
    lose(emulator, "UpdateDistribution")

    updated = await cf_client.distributions.update(distribution_id, mutate=bump)

    assert effects["UpdateDistribution"] == 1
    current = await cf_client.distributions.get_config(distribution_id)
    assert current.distribution_config is not None
    assert current.distribution_config.comment == "n=1"
    assert updated.etag == current.etag
    assert updated.distribution is not None
    assert updated.distribution.distribution_config.comment == "n=1"


@pytest.mark.parametrize("manual", [False, True], ids=["auto", "if_match"])
async def test_update_with_a_whole_config(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str], manual: bool
) -> None:
    # A config built by the caller leaves out members CloudFront fills in (defaults): what
    # the service holds after the write is more than what was sent, and still this write.
    created = await cf_client.distributions.create(config(caller_reference="ref", comment="a"))
    assert created.distribution is not None
    distribution_id = created.distribution.id
    lose(emulator, "UpdateDistribution")

    updated = await cf_client.distributions.update(
        distribution_id,
        config=config(caller_reference="ref", comment="b"),
        if_match=created.etag if manual else None,
    )

    assert effects["UpdateDistribution"] == 1
    current = await cf_client.distributions.get_config(distribution_id)
    assert current.distribution_config is not None
    assert current.distribution_config.comment == "b"
    assert updated.etag == current.etag


async def test_update_with_a_manual_etag_whose_own_write_landed(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str]
) -> None:
    distribution_id = await create_distribution(cf_client, comment="n=0")
    etag = (await cf_client.distributions.get_config(distribution_id)).etag
    lose(emulator, "UpdateDistribution")

    # The resend carries the same If-Match and is refused as stale: by this call's own write,
    # which is no PreconditionFailedError for the caller.
    updated = await cf_client.distributions.update(distribution_id, mutate=bump, if_match=etag)

    assert sends(emulator, "UpdateDistribution") == 2
    assert effects["UpdateDistribution"] == 1
    current = await cf_client.distributions.get_config(distribution_id)
    assert current.distribution_config is not None
    assert current.distribution_config.comment == "n=1"
    assert updated.etag == current.etag != etag


async def test_a_manual_etag_made_stale_by_another_writer_is_still_a_conflict(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str]
) -> None:
    distribution_id = await create_distribution(cf_client, comment="n=0")
    etag = (await cf_client.distributions.get_config(distribution_id)).etag
    assert emulator.out_of_band_write("cloudfront", distribution_id)
    # The send fails before CloudFront acts (no answer): the resend's refusal is not ours.
    emulator.faults.reset_connection("cloudfront", operation="UpdateDistribution")

    with pytest.raises(cdnkit.PreconditionFailedError):
        await cf_client.distributions.update(distribution_id, mutate=bump, if_match=etag)
    assert effects["UpdateDistribution"] == 0


async def test_copy_to_staging(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str]
) -> None:
    primary_id = await create_distribution(cf_client)
    lose(emulator, "CopyDistribution")

    copied = await cf_client.distributions.copy_to_staging(primary_id)

    assert copied.distribution is not None
    assert copied.distribution.distribution_config.staging is True
    assert effects["CopyDistribution"] == 1
    listed = sorted([d.id async for d in cf_client.distributions.list()])
    assert listed == sorted([primary_id, copied.distribution.id])
    assert copied.etag == (await cf_client.distributions.get(copied.distribution.id)).etag


async def test_attach_continuous_deployment_policy(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str]
) -> None:
    staged = await stage(cf_client, attach=False)
    lose(emulator, "UpdateDistribution")
    effects.clear()

    attached = await cf_client.distributions.attach_continuous_deployment_policy(
        staged.primary_id, staged.policy_id
    )

    assert effects["UpdateDistribution"] == 1
    assert attached.distribution is not None
    config_now = attached.distribution.distribution_config
    assert config_now.continuous_deployment_policy_id == staged.policy_id
    assert attached.etag == (await cf_client.distributions.get(staged.primary_id)).etag


async def test_promote_staging(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str]
) -> None:
    staged = await stage(cf_client)

    def retitle(distribution: cf.DistributionConfig) -> None:
        distribution.comment = "candidate"

    await cf_client.distributions.update(staged.staging_id, mutate=retitle, wait=True)
    await cf_client.distributions.wait_deployed(staged.primary_id)
    policy_etag = (await cf_client.continuous_deployment_policies.get(staged.policy_id)).etag
    lose(emulator, "UpdateDistributionWithStagingConfig")

    promoted = await cf_client.distributions.promote_staging(staged.primary_id, staged.staging_id)

    # The resend carried the primary's old ETag and was refused as stale; the primary holds
    # the staging config: the first send's work.
    assert sends(emulator, "UpdateDistributionWithStagingConfig") == 2
    assert effects["UpdateDistributionWithStagingConfig"] == 1
    assert promoted.distribution is not None
    assert promoted.distribution.id == staged.primary_id
    assert promoted.distribution.distribution_config.comment == "candidate"
    assert promoted.etag == (await cf_client.distributions.get(staged.primary_id)).etag
    policy = await cf_client.continuous_deployment_policies.get(staged.policy_id)
    assert policy.etag != policy_etag
    assert policy.continuous_deployment_policy is not None
    assert policy.continuous_deployment_policy.continuous_deployment_policy_config.enabled is False


async def test_promote_staging_after_a_send_that_did_not_land(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str]
) -> None:
    # The staging copy is unchanged, so the primary already holds its config; the resend is
    # refused because another writer touched the primary. The policy is still on: this is no
    # promotion of ours, and the call promotes.
    staged = await stage(cf_client)
    await cf_client.distributions.wait_deployed(staged.primary_id)
    await cf_client.distributions.wait_deployed(staged.staging_id)
    unanswered_then_stale(
        cf_client, emulator, "UpdateDistributionWithStagingConfig", staged.primary_id
    )

    promoted = await cf_client.distributions.promote_staging(staged.primary_id, staged.staging_id)

    assert sends(emulator, "UpdateDistributionWithStagingConfig") == 3
    assert effects["UpdateDistributionWithStagingConfig"] == 1
    assert promoted.etag == (await cf_client.distributions.get(staged.primary_id)).etag
    policy = await cf_client.continuous_deployment_policies.get(staged.policy_id)
    assert policy.continuous_deployment_policy is not None
    assert policy.continuous_deployment_policy.continuous_deployment_policy_config.enabled is False


async def test_delete(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str]
) -> None:
    distribution_id = await create_distribution(cf_client)
    lose(emulator, "UpdateDistribution")  # the disable
    lose(emulator, "DeleteDistribution")

    await cf_client.distributions.delete(distribution_id)

    assert effects["UpdateDistribution"] == 1
    assert effects["DeleteDistribution"] == 1
    assert [d async for d in cf_client.distributions.list()] == []


async def test_delete_with_a_policy_attached_is_refused_before_anything_changes(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client)
    emulator.counters.reset()

    with pytest.raises(cdnkit.ConflictError) as caught:
        await cf_client.distributions.delete(staged.primary_id)

    assert staged.policy_id in str(caught.value)
    assert sends(emulator, "UpdateDistribution") == 0
    assert sends(emulator, "DeleteDistribution") == 0
    current = await cf_client.distributions.get_config(staged.primary_id)
    assert current.distribution_config is not None
    assert current.distribution_config.enabled is True


# Continuous deployment policies --------------------------------------------------------------


async def test_policy_create(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str]
) -> None:
    staged = await stage(cf_client, attach=False)
    await cf_client.continuous_deployment_policies.delete(staged.policy_id)
    lose(emulator, "CreateContinuousDeploymentPolicy")
    effects.clear()

    created = await cf_client.continuous_deployment_policies.create(
        staging_distribution_dns_names=[staged.staging_domain], traffic_config=single_weight(0.05)
    )

    assert effects["CreateContinuousDeploymentPolicy"] == 1
    assert created.continuous_deployment_policy is not None
    policy_id = created.continuous_deployment_policy.id
    listed = [p.id async for p in cf_client.continuous_deployment_policies.list()]
    assert listed == [policy_id]
    assert created.etag == (await cf_client.continuous_deployment_policies.get(policy_id)).etag


@pytest.mark.parametrize("how", ["mutate", "config", "if_match"])
async def test_policy_update(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str], how: str
) -> None:
    staged = await stage(cf_client)
    policies = cf_client.continuous_deployment_policies
    before = await policies.get(staged.policy_id)
    lose(emulator, "UpdateContinuousDeploymentPolicy")

    if how == "mutate":
        updated = await policies.update(staged.policy_id, mutate=set_weight(0.1))
    else:
        replacement = cf.ContinuousDeploymentPolicyConfig(
            staging_distribution_dns_names=cf.StagingDistributionDnsNames(
                items=[staged.staging_domain]
            ),
            enabled=True,
            traffic_config=single_weight(0.1),
        )
        updated = await policies.update(
            staged.policy_id,
            config=replacement,
            if_match=before.etag if how == "if_match" else None,
        )

    assert effects["UpdateContinuousDeploymentPolicy"] == 1
    current = await policies.get(staged.policy_id)
    assert current.continuous_deployment_policy is not None
    now = current.continuous_deployment_policy.continuous_deployment_policy_config
    assert now.traffic_config == single_weight(0.1)
    assert updated.etag == current.etag != before.etag
    assert updated.continuous_deployment_policy == current.continuous_deployment_policy


@pytest.mark.parametrize("manual", [False, True], ids=["auto", "if_match"])
async def test_policy_delete(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str], manual: bool
) -> None:
    staged = await stage(cf_client, attach=False)
    policies = cf_client.continuous_deployment_policies
    etag = (await policies.get(staged.policy_id)).etag
    lose(emulator, "DeleteContinuousDeploymentPolicy")

    await policies.delete(staged.policy_id, if_match=etag if manual else None)

    assert effects["DeleteContinuousDeploymentPolicy"] == 1
    assert [p async for p in policies.list()] == []


# KeyValueStores (control plane) --------------------------------------------------------------


async def test_store_create(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str]
) -> None:
    lose(emulator, "CreateKeyValueStore")

    created = await cf_client.key_value_stores.create("flags", comment="c", wait=True)

    assert effects["CreateKeyValueStore"] == 1
    assert created.key_value_store is not None
    assert created.key_value_store.status == "READY"
    assert [s.name async for s in cf_client.key_value_stores.list()] == ["flags"]
    assert created.etag == (await cf_client.key_value_stores.describe("flags")).etag
    # On a first attempt the name is someone else's store: that stays a conflict.
    with pytest.raises(cdnkit.ConflictError):
        await cf_client.key_value_stores.create("flags", comment="c")


@pytest.mark.parametrize("manual", [False, True], ids=["auto", "if_match"])
async def test_store_update(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str], manual: bool
) -> None:
    created = await cf_client.key_value_stores.create("flags", comment="old")
    lose(emulator, "UpdateKeyValueStore")

    updated = await cf_client.key_value_stores.update(
        "flags", comment="new", if_match=created.etag if manual else None
    )

    assert effects["UpdateKeyValueStore"] == 1
    current = await cf_client.key_value_stores.describe("flags")
    assert current.key_value_store is not None
    assert current.key_value_store.comment == "new"
    assert updated.etag == current.etag != created.etag
    assert updated.key_value_store is not None
    assert updated.key_value_store.comment == "new"


async def test_store_update_with_a_manual_etag_made_stale_by_another_writer(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str]
) -> None:
    created = await cf_client.key_value_stores.create("flags", comment="old")
    unanswered_then_stale(cf_client, emulator, "UpdateKeyValueStore", "flags")

    with pytest.raises(cdnkit.PreconditionFailedError):
        await cf_client.key_value_stores.update("flags", comment="new", if_match=created.etag)
    assert effects["UpdateKeyValueStore"] == 0


@pytest.mark.parametrize("manual", [False, True], ids=["auto", "if_match"])
async def test_store_delete(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str], manual: bool
) -> None:
    created = await cf_client.key_value_stores.create("flags")
    lose(emulator, "DeleteKeyValueStore")

    await cf_client.key_value_stores.delete("flags", if_match=created.etag if manual else None)

    assert effects["DeleteKeyValueStore"] == 1
    assert [s async for s in cf_client.key_value_stores.list()] == []
    with pytest.raises(cdnkit.NotFoundError):  # gone before the call: not hidden
        await cf_client.key_value_stores.delete("flags")


# Functions -----------------------------------------------------------------------------------


async def test_function_create(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str]
) -> None:
    lose(emulator, "CreateFunction")

    created = await cf_client.functions.create("router", code=CODE, comment="c")

    assert effects["CreateFunction"] == 1
    assert created.etag == (await cf_client.functions.describe("router")).etag
    assert created.function_summary is not None
    assert created.function_summary.function_config.comment == "c"
    assert [f.name async for f in cf_client.functions.list()] == ["router"]
    # The reconciled ETag was remembered: publish needs no describe.
    emulator.counters.reset()
    await cf_client.functions.publish("router")
    assert (sends(emulator, "DescribeFunction"), sends(emulator, "PublishFunction")) == (0, 1)


@pytest.mark.parametrize(
    "change",
    ["code", "comment", "associations", "code and comment", "code, if_match", "comment, if_match"],
)
async def test_function_update(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str], change: str
) -> None:
    store = await cf_client.key_value_stores.create("flags")
    assert store.key_value_store is not None
    arn = store.key_value_store.arn
    created = await cf_client.functions.create("router", code=CODE, comment="old")
    lose(emulator, "UpdateFunction")

    updated = await cf_client.functions.update(
        "router",
        code=CODE_V2 if "code" in change else None,
        comment="new" if "comment" in change else None,
        key_value_store_arns=[arn] if "associations" in change else None,
        if_match=created.etag if "if_match" in change else None,
    )

    assert effects["UpdateFunction"] == 1
    current = await cf_client.functions.describe("router", stage="DEVELOPMENT")
    assert updated.etag == current.etag != created.etag
    assert updated.function_summary is not None
    assert current.function_summary is not None
    assert updated.function_summary.function_config == current.function_summary.function_config
    wanted_code = CODE_V2 if "code" in change else CODE
    assert await cf_client.functions.get_code("router") == wanted_code.encode()
    assert current.function_summary.function_config.comment == (
        "new" if "comment" in change else "old"
    )
    # The ETag remembered for publish is the one the call returned: no describe, no conflict.
    emulator.counters.reset()
    await cf_client.functions.publish("router")
    assert sends(emulator, "DescribeFunction") == 0
    assert sends(emulator, "PublishFunction") == 1


async def test_function_update_after_a_send_that_did_not_land(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str]
) -> None:
    await cf_client.functions.create("router", code=CODE)
    unanswered_then_stale(cf_client, emulator, "UpdateFunction", "router")

    updated = await cf_client.functions.update("router", code=CODE_V2)

    # DEVELOPMENT does not hold the code sent: the refusal was another writer's; re-applied.
    assert sends(emulator, "UpdateFunction") == 3
    assert effects["UpdateFunction"] == 1
    assert await cf_client.functions.get_code("router") == CODE_V2.encode()
    assert updated.etag == (await cf_client.functions.describe("router")).etag


async def test_function_publish_after_a_send_that_did_not_land(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str]
) -> None:
    await cf_client.functions.create("router", code=CODE)
    await cf_client.functions.publish("router")
    await cf_client.functions.update("router", code=CODE_V2)
    effects.clear()
    emulator.counters.reset()
    emulator.faults.reset_connection("cloudfront", operation="PublishFunction")

    await cf_client.functions.publish("router")

    # LIVE did not hold DEVELOPMENT: the first send had not landed, so the retry publishes.
    assert sends(emulator, "PublishFunction") == 2
    assert effects["PublishFunction"] == 1
    assert await cf_client.functions.get_code("router", stage="LIVE") == CODE_V2.encode()


@pytest.mark.parametrize("manual", [False, True], ids=["auto", "if_match"])
async def test_function_publish(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str], manual: bool
) -> None:
    await cf_client.functions.create("router", code=CODE)
    await cf_client.functions.publish("router")
    updated = await cf_client.functions.update("router", code=CODE_V2)
    live_before = (await cf_client.functions.describe("router", stage="LIVE")).etag
    effects.clear()
    lose(emulator, "PublishFunction")

    published = await cf_client.functions.publish(
        "router", if_match=updated.etag if manual else None
    )

    assert effects["PublishFunction"] == 1
    live = await cf_client.functions.describe("router", stage="LIVE")
    assert live.etag != live_before
    assert await cf_client.functions.get_code("router", stage="LIVE") == CODE_V2.encode()
    assert published.function_summary is not None
    assert published.function_summary.function_metadata.stage == "LIVE"
    assert live.function_summary is not None
    assert published.function_summary.function_config == live.function_summary.function_config


@pytest.mark.parametrize("manual", [False, True], ids=["auto", "if_match"])
async def test_function_delete(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str], manual: bool
) -> None:
    created = await cf_client.functions.create("router", code=CODE)
    lose(emulator, "DeleteFunction")

    await cf_client.functions.delete("router", if_match=created.etag if manual else None)

    assert effects["DeleteFunction"] == 1
    assert [f async for f in cf_client.functions.list()] == []


# Invalidations -------------------------------------------------------------------------------


async def test_invalidation_create(
    emulator: Emulator, cf_client: cdnkit.CloudFront, effects: Counter[str]
) -> None:
    distribution_id = await create_distribution(cf_client)
    lose(emulator, "CreateInvalidation")

    invalidation = await cf_client.invalidations.create(distribution_id, ["/index.html"])

    # The resend carried the same CallerReference: CloudFront answered with the first one.
    assert sends(emulator, "CreateInvalidation") == 2
    listed = [i.id async for i in cf_client.invalidations.list(distribution_id)]
    assert listed == [invalidation.id]
    assert invalidation.invalidation_batch.paths.items == ["/index.html"]
