"""Every mutating CloudFront method with its answer lost once: the emulator carries the request
out, then resets the connection instead of answering (``reset_after_processing``).

Each method must return what it would have returned (checked against the state read
afterwards) and the service must show one effect: the write carried out once (counted at the
emulator's backend), content as after one application (a counter incremented once, one
resource created). Lightsail's methods are covered in tests/lightsail/test_lost_answers.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest

import cdnkit
from cdnkit.resources.cloudfront import set_weight, single_weight
from cdnkit.resources.cloudfront.keys import Keys
from cdnkit.testing import Emulator, Fault
from cdnkit.types import cloudfront as cf

from .conftest import CODE, DATA, Effects, cf_client, comment_counter, config

CF = "cloudfront"

#: aiohttp resends an idempotent-method request (PUT, DELETE) once, silently, when a reused
#: keep-alive connection drops before the answer (aiohttp ClientSession._retry_connection,
#: on by default; aiobotocore leaves it on). cdnkit never sees the lost answer: Sends.unanswered
#: stays 0, and the 412 that aiohttp's resend gets looks like another writer's change.
HIDDEN_RETRY = (
    "aiohttp's hidden resend of a PUT on a dropped keep-alive connection (ClientSession."
    "_retry_connection, left on by aiobotocore and cdnkit's ServiceCore.open) is invisible to "
    "Sends: the resend's 412 is taken for another writer's change"
)


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[cdnkit.CloudFront]:
    async with cf_client(emulator) as opened:
        yield opened


def lose_once(emulator: Emulator, service: str, operation: str) -> Fault:
    """The next ``operation`` is carried out and its answer lost."""
    return emulator.faults.reset_after_processing(service, operation=operation, count=1)


def increment(distribution_config: cf.DistributionConfig) -> None:
    distribution_config.comment = f"n={comment_counter(distribution_config) + 1}"


async def new_distribution(client: cdnkit.CloudFront) -> str:
    created = await client.distributions.create(config(comment="n=0"))
    assert created.distribution is not None
    return created.distribution.id


async def counter_of(client: cdnkit.CloudFront, distribution_id: str) -> tuple[int, str]:
    current = await client.distributions.get_config(distribution_id)
    assert current.distribution_config is not None
    assert current.etag is not None
    return comment_counter(current.distribution_config), current.etag


async def staged(client: cdnkit.CloudFront) -> tuple[str, str, str]:
    """A primary, its staging copy and a 5 % policy attached to the primary."""
    primary_id = await new_distribution(client)
    copied = await client.distributions.copy_to_staging(primary_id)
    assert copied.distribution is not None
    policy = await client.continuous_deployment_policies.create(
        staging_distribution_dns_names=[copied.distribution.domain_name],
        traffic_config=single_weight(0.05),
    )
    assert policy.continuous_deployment_policy is not None
    policy_id = policy.continuous_deployment_policy.id
    await client.distributions.attach_continuous_deployment_policy(primary_id, policy_id)
    return primary_id, copied.distribution.id, policy_id


# -- the transport ------------------------------------------------------------------------------


async def test_every_request_the_service_sees_was_sent_by_cdnkit_retry_layer(
    emulator: Emulator, client: cdnkit.CloudFront
) -> None:
    """The minimal reproduction of the hidden resend: one botocore send (``before-send``
    fires once per attempt cdnkit makes), one lost answer, two requests at the service."""
    distribution_id = await new_distribution(client)
    sent: list[str] = []

    def count(**_: object) -> None:
        sent.append("UpdateDistribution")

    client._core.client.meta.events.register("before-send.cloudfront.UpdateDistribution", count)
    emulator.counters.reset()
    lose_once(emulator, CF, "UpdateDistribution")
    with contextlib.suppress(cdnkit.CdnKitError):
        await client.distributions.update(distribution_id, mutate=increment)
    assert emulator.counters.count(CF, "UpdateDistribution") == len(sent)


# -- distributions -----------------------------------------------------------------------------


async def test_distribution_create(
    emulator: Emulator, client: cdnkit.CloudFront, effects: Effects
) -> None:
    lost = lose_once(emulator, CF, "CreateDistribution")
    created = await client.distributions.create(config(comment="n=0"))
    assert lost.hits == 1
    assert created.distribution is not None
    current = await client.distributions.get(created.distribution.id)
    assert created.etag == current.etag
    assert current.distribution is not None
    assert created.distribution.distribution_config == current.distribution.distribution_config
    assert [d.id async for d in client.distributions.list()] == [created.distribution.id]
    assert effects(CF, "CreateDistribution") == 1


@pytest.mark.parametrize(
    "manual_if_match",
    [
        pytest.param(False, id="etag-read"),
        pytest.param(True, id="if_match-given"),
    ],
)
async def test_distribution_update(
    emulator: Emulator, client: cdnkit.CloudFront, effects: Effects, manual_if_match: bool
) -> None:
    distribution_id = await new_distribution(client)
    _, etag = await counter_of(client, distribution_id)
    lost = lose_once(emulator, CF, "UpdateDistribution")
    updated = await client.distributions.update(
        distribution_id, mutate=increment, if_match=etag if manual_if_match else None
    )
    assert lost.hits == 1
    counter, current_etag = await counter_of(client, distribution_id)
    assert counter == 1  # applied once, not twice
    assert updated.etag == current_etag
    assert updated.distribution is not None
    assert comment_counter(updated.distribution.distribution_config) == 1
    assert effects(CF, "UpdateDistribution") == 1


async def test_distribution_copy_to_staging(
    emulator: Emulator, client: cdnkit.CloudFront, effects: Effects
) -> None:
    primary_id = await new_distribution(client)
    lost = lose_once(emulator, CF, "CopyDistribution")
    copied = await client.distributions.copy_to_staging(primary_id)
    assert lost.hits == 1
    assert copied.distribution is not None
    assert copied.distribution.distribution_config.staging is True
    current = await client.distributions.get(copied.distribution.id)
    assert copied.etag == current.etag
    assert sorted([d.id async for d in client.distributions.list()]) == sorted(
        [primary_id, copied.distribution.id]
    )
    assert effects(CF, "CopyDistribution") == 1


async def test_distribution_promote_staging(
    emulator: Emulator, client: cdnkit.CloudFront, effects: Effects
) -> None:
    primary_id, staging_id, _ = await staged(client)

    def promoted(distribution_config: cf.DistributionConfig) -> None:
        distribution_config.default_root_object = "promoted.html"

    # Promotion wants both distributions deployed.
    await client.distributions.update(staging_id, mutate=promoted, wait=True)
    await client.distributions.wait_deployed(primary_id)
    lost = lose_once(emulator, CF, "UpdateDistributionWithStagingConfig")
    result = await client.distributions.promote_staging(primary_id, staging_id)
    assert lost.hits == 1
    current = await client.distributions.get(primary_id)
    assert current.distribution is not None
    assert current.distribution.distribution_config.default_root_object == "promoted.html"
    assert result.etag == current.etag
    assert effects(CF, "UpdateDistributionWithStagingConfig") == 1


async def test_distribution_delete(
    emulator: Emulator, client: cdnkit.CloudFront, effects: Effects
) -> None:
    distribution_id = await new_distribution(client)
    lost = lose_once(emulator, CF, "DeleteDistribution")
    await client.distributions.delete(distribution_id)
    assert lost.hits == 1
    assert [d.id async for d in client.distributions.list()] == []
    assert effects(CF, "DeleteDistribution") == 1


# -- continuous deployment policies ------------------------------------------------------------


def weight_of(policy: cf.ContinuousDeploymentPolicyConfig) -> float:
    assert policy.traffic_config is not None
    assert policy.traffic_config.single_weight_config is not None
    return policy.traffic_config.single_weight_config.weight


async def test_policy_create(
    emulator: Emulator, client: cdnkit.CloudFront, effects: Effects
) -> None:
    primary_id = await new_distribution(client)
    copied = await client.distributions.copy_to_staging(primary_id)
    assert copied.distribution is not None
    lost = lose_once(emulator, CF, "CreateContinuousDeploymentPolicy")
    created = await client.continuous_deployment_policies.create(
        staging_distribution_dns_names=[copied.distribution.domain_name],
        traffic_config=single_weight(0.05),
    )
    assert lost.hits == 1
    assert created.continuous_deployment_policy is not None
    policy_id = created.continuous_deployment_policy.id
    current = await client.continuous_deployment_policies.get(policy_id)
    assert created.etag == current.etag
    assert [p.id async for p in client.continuous_deployment_policies.list()] == [policy_id]
    assert effects(CF, "CreateContinuousDeploymentPolicy") == 1


async def test_policy_update(
    emulator: Emulator, client: cdnkit.CloudFront, effects: Effects
) -> None:
    _, _, policy_id = await staged(client)

    def step(policy: cf.ContinuousDeploymentPolicyConfig) -> None:
        set_weight(round(weight_of(policy) + 0.01, 4))(policy)

    lost = lose_once(emulator, CF, "UpdateContinuousDeploymentPolicy")
    updated = await client.continuous_deployment_policies.update(policy_id, mutate=step)
    assert lost.hits == 1
    current = await client.continuous_deployment_policies.get(policy_id)
    assert current.continuous_deployment_policy is not None
    config_now = current.continuous_deployment_policy.continuous_deployment_policy_config
    assert weight_of(config_now) == 0.06  # stepped once, not twice
    assert updated.etag == current.etag
    assert updated.continuous_deployment_policy is not None
    assert weight_of(updated.continuous_deployment_policy.continuous_deployment_policy_config) == (
        0.06
    )
    assert effects(CF, "UpdateContinuousDeploymentPolicy") == 1


async def test_policy_delete(
    emulator: Emulator, client: cdnkit.CloudFront, effects: Effects
) -> None:
    primary_id = await new_distribution(client)
    copied = await client.distributions.copy_to_staging(primary_id)
    assert copied.distribution is not None
    created = await client.continuous_deployment_policies.create(
        staging_distribution_dns_names=[copied.distribution.domain_name],
        traffic_config=single_weight(0.05),
    )
    assert created.continuous_deployment_policy is not None
    lost = lose_once(emulator, CF, "DeleteContinuousDeploymentPolicy")
    await client.continuous_deployment_policies.delete(created.continuous_deployment_policy.id)
    assert lost.hits == 1
    assert [p.id async for p in client.continuous_deployment_policies.list()] == []
    assert effects(CF, "DeleteContinuousDeploymentPolicy") == 1


# -- key value stores (control plane) ----------------------------------------------------------


async def test_key_value_store_create(
    emulator: Emulator, client: cdnkit.CloudFront, effects: Effects
) -> None:
    lost = lose_once(emulator, CF, "CreateKeyValueStore")
    created = await client.key_value_stores.create("flags", comment="feature flags")
    assert lost.hits == 1
    assert created.key_value_store is not None
    current = await client.key_value_stores.describe("flags")
    assert created.etag == current.etag
    assert current.key_value_store is not None
    assert created.key_value_store.arn == current.key_value_store.arn
    assert [s.name async for s in client.key_value_stores.list()] == ["flags"]
    assert effects(CF, "CreateKeyValueStore") == 1


async def test_key_value_store_update(
    emulator: Emulator, client: cdnkit.CloudFront, effects: Effects
) -> None:
    await client.key_value_stores.create("flags", comment="before", wait=True)
    lost = lose_once(emulator, CF, "UpdateKeyValueStore")
    updated = await client.key_value_stores.update("flags", comment="after")
    assert lost.hits == 1
    current = await client.key_value_stores.describe("flags")
    assert current.key_value_store is not None
    assert current.key_value_store.comment == "after"
    assert updated.etag == current.etag
    assert updated.key_value_store is not None
    assert updated.key_value_store.comment == "after"
    assert effects(CF, "UpdateKeyValueStore") == 1


async def test_key_value_store_delete(
    emulator: Emulator, client: cdnkit.CloudFront, effects: Effects
) -> None:
    await client.key_value_stores.create("flags", wait=True)
    lost = lose_once(emulator, CF, "DeleteKeyValueStore")
    await client.key_value_stores.delete("flags")
    assert lost.hits == 1
    assert [s.name async for s in client.key_value_stores.list()] == []
    assert effects(CF, "DeleteKeyValueStore") == 1


# -- keys (data plane) ------------------------------------------------------------------------


async def keys_with(client: cdnkit.CloudFront, items: dict[str, str]) -> Keys:
    await client.key_value_stores.create("flags", wait=True)
    keys = client.key_value_stores.keys("flags")
    if items:
        await keys.update(puts=items)
    return keys


async def test_keys_put(emulator: Emulator, client: cdnkit.CloudFront, effects: Effects) -> None:
    keys = await keys_with(client, {})
    lost = lose_once(emulator, DATA, "PutKey")
    put = await keys.put("beta", "on")
    assert lost.hits == 1
    assert await keys.items() == {"beta": "on"}
    described = await keys.describe()
    assert (put.etag, put.item_count) == (described.etag, 1)
    assert effects(DATA, "PutKey") == 1


async def test_keys_delete(emulator: Emulator, client: cdnkit.CloudFront, effects: Effects) -> None:
    keys = await keys_with(client, {"beta": "on", "keep": "1"})
    lost = lose_once(emulator, DATA, "DeleteKey")
    deleted = await keys.delete("beta")
    assert lost.hits == 1
    assert await keys.items() == {"keep": "1"}
    described = await keys.describe()
    assert (deleted.etag, deleted.item_count) == (described.etag, 1)
    assert effects(DATA, "DeleteKey") == 1


async def test_keys_update(emulator: Emulator, client: cdnkit.CloudFront, effects: Effects) -> None:
    keys = await keys_with(client, {"old": "1", "keep": "2"})
    effects.reset()
    lost = lose_once(emulator, DATA, "UpdateKeys")
    updated = await keys.update(puts={"new": "3"}, deletes=["old"])
    assert lost.hits == 1
    assert await keys.items() == {"keep": "2", "new": "3"}
    described = await keys.describe()
    assert updated is not None
    assert (updated.etag, updated.item_count) == (described.etag, 2)
    assert effects(DATA, "UpdateKeys") == 1


async def test_keys_sync(emulator: Emulator, client: cdnkit.CloudFront, effects: Effects) -> None:
    keys = await keys_with(client, {"old": "1", "keep": "2"})
    effects.reset()
    lost = lose_once(emulator, DATA, "UpdateKeys")
    plan = await keys.sync({"keep": "2", "new": "3"})
    assert lost.hits == 1
    assert await keys.items() == {"keep": "2", "new": "3"}
    assert effects(DATA, "UpdateKeys") == 1
    # What the same sync returns when its answer arrives:
    assert (dict(plan.puts), plan.deletes, plan.unchanged) == ({"new": "3"}, ("old",), 1)


# -- functions --------------------------------------------------------------------------------


async def test_function_create(
    emulator: Emulator, client: cdnkit.CloudFront, effects: Effects
) -> None:
    lost = lose_once(emulator, CF, "CreateFunction")
    created = await client.functions.create("router", code=CODE, comment="v1")
    assert lost.hits == 1
    assert created.function_summary is not None
    current = await client.functions.describe("router", stage="DEVELOPMENT")
    assert created.etag == current.etag
    assert created.function_summary == current.function_summary
    assert [f.name async for f in client.functions.list()] == ["router"]
    assert effects(CF, "CreateFunction") == 1


@pytest.mark.parametrize(
    "change",
    [
        pytest.param("comment", id="comment"),
        pytest.param("code", id="code"),
    ],
)
async def test_function_update(
    emulator: Emulator, client: cdnkit.CloudFront, effects: Effects, change: str
) -> None:
    await client.functions.create("router", code=CODE, comment="v1")
    new_code = CODE.replace("return", "/* v2 */ return")
    lost = lose_once(emulator, CF, "UpdateFunction")
    if change == "code":
        updated = await client.functions.update("router", code=new_code)
    else:
        updated = await client.functions.update("router", comment="v2")
    assert lost.hits == 1
    current = await client.functions.describe("router", stage="DEVELOPMENT")
    assert updated.etag == current.etag
    assert current.function_summary is not None
    if change == "code":
        assert await client.functions.get_code("router") == new_code.encode()
    else:
        assert current.function_summary.function_config.comment == "v2"
    assert effects(CF, "UpdateFunction") == 1


async def test_function_publish(
    emulator: Emulator, client: cdnkit.CloudFront, effects: Effects
) -> None:
    await client.functions.create("router", code=CODE)
    lost = lose_once(emulator, CF, "PublishFunction")
    published = await client.functions.publish("router")
    assert lost.hits == 1
    live = await client.functions.describe("router", stage="LIVE")
    assert live.function_summary is not None
    assert published.function_summary is not None
    assert published.function_summary.function_metadata.stage == "LIVE"
    assert effects(CF, "PublishFunction") == 1


async def test_function_delete(
    emulator: Emulator, client: cdnkit.CloudFront, effects: Effects
) -> None:
    await client.functions.create("router", code=CODE)
    lost = lose_once(emulator, CF, "DeleteFunction")
    await client.functions.delete("router")
    assert lost.hits == 1
    assert [f.name async for f in client.functions.list()] == []
    assert effects(CF, "DeleteFunction") == 1


# -- invalidations ----------------------------------------------------------------------------


async def test_invalidation_create(
    emulator: Emulator, client: cdnkit.CloudFront, effects: Effects
) -> None:
    distribution_id = await new_distribution(client)
    lost = lose_once(emulator, CF, "CreateInvalidation")
    invalidation = await client.invalidations.create(distribution_id, ["/index.html", "/app.js"])
    assert lost.hits == 1
    current = await client.invalidations.get(distribution_id, invalidation.id)
    assert invalidation.invalidation_batch == current.invalidation_batch
    assert [i.id async for i in client.invalidations.list(distribution_id)] == [invalidation.id]
    # A resend with the same CallerReference is answered with the original: no second batch.
    assert len([i async for i in client.invalidations.list(distribution_id)]) == 1
