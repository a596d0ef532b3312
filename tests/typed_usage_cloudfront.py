"""Typed usage of every public method of ``cdnkit.CloudFront``, checked by mypy --strict and
pyright (strict) in CI.

Each ``assert_type`` fails type checking if a public type regresses;
``test_typed_usage_cloudfront`` runs the same code against the emulator so the examples stay
true at run time (tests/cloudfront/test_typed_usage.py collects it with that folder).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, assert_type

import cdnkit
from cdnkit.resources.cloudfront import (
    FunctionTestRun,
    KeyValueStoreFailedError,
    SyncPlan,
    distribution_config,
    set_enabled,
    set_weight,
    single_header,
    single_weight,
)
from cdnkit.testing import Emulator, Timing
from cdnkit.types import cloudfront as cf
from cdnkit.types import cloudfront_keyvaluestore as kvs

CODE = "function handler(event) { return event.request; }"
EVENT: dict[str, object] = {
    "version": "1.0",
    "context": {"eventType": "viewer-request"},
    "viewer": {"ip": "198.51.100.7"},
    "request": {"method": "GET", "uri": "/", "headers": {}, "cookies": {}, "querystring": {}},
}


def helpers() -> tuple[cf.DistributionConfig, cf.TrafficConfig]:
    origin = cf.Origin(
        id="web",
        domain_name="origin.example.com",
        custom_origin_config=cf.CustomOriginConfig(
            http_port=80, https_port=443, origin_protocol_policy="https-only"
        ),
    )
    behavior = cf.DefaultCacheBehavior(
        target_origin_id="web",
        viewer_protocol_policy="redirect-to-https",
        cache_policy_id="658327ea-f89d-4fab-a63d-7e88639e58f6",
    )
    config = distribution_config(origins=[origin], default_cache_behavior=behavior, comment="site")
    assert_type(config, cf.DistributionConfig)
    assert_type(config.caller_reference, str)
    sticky = single_weight(0.05, idle_ttl=300, maximum_ttl=600)
    assert_type(sticky, cf.TrafficConfig)
    assert_type(single_header("aws-cf-cd-beta", "on"), cf.TrafficConfig)
    policy_config = cf.ContinuousDeploymentPolicyConfig(
        staging_distribution_dns_names=cf.StagingDistributionDnsNames(items=["d1.cloudfront.net"]),
        enabled=True,
        traffic_config=single_header("aws-cf-cd-beta", "on"),
    )
    set_weight(0.1)(policy_config)
    set_enabled(False)(policy_config)
    assert policy_config.traffic_config == single_weight(0.1)
    assert policy_config.enabled is False
    return config, sticky


async def distributions(
    cf_client: cdnkit.CloudFront, config: cf.DistributionConfig
) -> tuple[str, str, str]:
    """Returns the primary's id, the staging copy's id and its domain name."""
    created = await cf_client.distributions.create(config, wait=True)
    assert_type(created, cf.CreateDistributionResult)
    primary_id = created.distribution.id
    assert_type(created.distribution.status, str)

    got = await cf_client.distributions.get(primary_id)
    assert_type(got, cf.GetDistributionResult)
    assert_type(got.etag, str)
    assert_type(got.distribution, cf.Distribution)
    got_config = await cf_client.distributions.get_config(primary_id)
    assert_type(got_config, cf.GetDistributionConfigResult)
    assert_type(got_config.distribution_config, cf.DistributionConfig)
    listing = cf_client.distributions.list()
    assert_type(listing, AsyncIterator[cf.DistributionSummary])
    assert [summary.id async for summary in listing] == [primary_id]

    def rename(distribution: cf.DistributionConfig) -> None:
        distribution.comment = "renamed"

    async def add_alias(distribution: cf.DistributionConfig) -> cf.DistributionConfig:
        return distribution.model_copy(update={"aliases": cf.Aliases(items=["www.example.com"])})

    updated = await cf_client.distributions.update(primary_id, mutate=rename)
    assert_type(updated, cf.UpdateDistributionResult)
    deployed = await cf_client.distributions.update(primary_id, mutate=add_alias, wait=True)
    assert deployed.distribution.status == "Deployed"
    await cf_client.distributions.update(
        primary_id,
        config=deployed.distribution.distribution_config,
        if_match=deployed.etag,
    )
    waited = await cf_client.distributions.wait_deployed(primary_id, timeout=5)
    assert_type(waited, cf.GetDistributionResult)

    copied = await cf_client.distributions.copy_to_staging(primary_id, wait=True)
    assert_type(copied, cf.CopyDistributionResult)
    return primary_id, copied.distribution.id, copied.distribution.domain_name


async def policies_and_promotion(
    cf_client: cdnkit.CloudFront, primary_id: str, staging_id: str, staging_domain: str
) -> None:
    policies = cf_client.continuous_deployment_policies
    created = await policies.create(
        staging_distribution_dns_names=[staging_domain], traffic_config=single_weight(0.05)
    )
    assert_type(created, cf.CreateContinuousDeploymentPolicyResult)
    policy_id = created.continuous_deployment_policy.id
    got = await policies.get(policy_id)
    assert_type(got, cf.GetContinuousDeploymentPolicyResult)
    got_config = await policies.get_config(policy_id)
    assert_type(got_config, cf.GetContinuousDeploymentPolicyConfigResult)
    listing = policies.list()
    assert_type(listing, AsyncIterator[cf.ContinuousDeploymentPolicy])
    assert [policy.id async for policy in listing] == [policy_id]
    updated = await policies.update(policy_id, mutate=set_weight(0.1))
    assert_type(updated, cf.UpdateContinuousDeploymentPolicyResult)
    await policies.update(policy_id, config=got_config.continuous_deployment_policy_config)

    attached = await cf_client.distributions.attach_continuous_deployment_policy(
        primary_id, policy_id, wait=True
    )
    assert_type(attached, cf.UpdateDistributionResult)
    promoted = await cf_client.distributions.promote_staging(primary_id, staging_id, wait=True)
    assert_type(promoted, cf.UpdateDistributionWithStagingConfigResult)

    def detach(distribution: cf.DistributionConfig) -> None:
        distribution.continuous_deployment_policy_id = ""

    await cf_client.distributions.update(primary_id, mutate=detach)
    assert_type(await policies.delete(policy_id), None)
    assert_type(await cf_client.distributions.delete(staging_id, timeout=5), None)


async def key_value_stores(cf_client: cdnkit.CloudFront) -> str:
    """Returns the store's ARN."""
    stores = cf_client.key_value_stores
    created = await stores.create(
        "flags",
        comment="feature flags",
        import_source=cf.ImportSource(source_type="S3", source_arn="arn:aws:s3:::b/flags.json"),
        wait=True,
    )
    assert_type(created, cf.CreateKeyValueStoreResult)
    assert created.key_value_store.status == "READY"
    described = await stores.describe("flags")
    assert_type(described, cf.DescribeKeyValueStoreResult)
    ready = await stores.wait_ready("flags", timeout=5)
    assert_type(ready, cf.DescribeKeyValueStoreResult)
    listing = stores.list()
    assert_type(listing, AsyncIterator[cf.KeyValueStore])
    assert [store.name async for store in listing] == ["flags"]
    updated = await stores.update("flags", comment="flags for the router")
    assert_type(updated, cf.UpdateKeyValueStoreResult)
    await stores.create("scratch")
    assert_type(await stores.delete("scratch"), None)
    assert issubclass(KeyValueStoreFailedError, cdnkit.CdnKitError)
    keys = stores.keys("flags")
    assert_type(await keys.put("beta", "on"), kvs.PutKeyResponse)
    assert_type(await keys.get("beta"), str)
    assert_type(await keys.items(), dict[str, str])
    assert_type(await keys.sync({"beta": "off"}), SyncPlan)
    assert_type(await keys.update(deletes=["beta"]), kvs.UpdateKeysResponse | None)
    assert_type(keys.list(), AsyncIterator[kvs.ListKeysResponseListItem])
    assert_type(await keys.describe(), kvs.DescribeKeyValueStoreResponse)
    return created.key_value_store.arn


async def functions(cf_client: cdnkit.CloudFront, store_arn: str) -> None:
    created = await cf_client.functions.create(
        "router",
        code=CODE,
        runtime="cloudfront-js-2.0",
        comment="routes",
        key_value_store_arns=[store_arn],
    )
    assert_type(created, cf.CreateFunctionResult)
    described = await cf_client.functions.describe("router", stage="DEVELOPMENT")
    assert_type(described, cf.DescribeFunctionResult)
    code = await cf_client.functions.get_code("router", stage="DEVELOPMENT")
    assert_type(code, bytes)
    listing = cf_client.functions.list(stage="DEVELOPMENT")
    assert_type(listing, AsyncIterator[cf.FunctionSummary])
    assert [function.name async for function in listing] == ["router"]
    updated = await cf_client.functions.update(
        "router", code=CODE.encode() + b"\n", comment="v2", key_value_store_arns=[store_arn]
    )
    assert_type(updated, cf.UpdateFunctionResult)
    assert_type(updated.etag, str | None)
    result = await cf_client.functions.test("router", event=EVENT, stage="DEVELOPMENT")
    assert_type(result, FunctionTestRun)
    assert_type(result.raw, cf.TestResult)
    assert_type(result.output, dict[str, Any] | None)
    assert_type(result.raw.function_output, str | None)
    published = await cf_client.functions.publish("router")
    assert_type(published, cf.PublishFunctionResult)
    assert_type(await cf_client.functions.delete("router"), None)


async def invalidations(cf_client: cdnkit.CloudFront, distribution_id: str) -> None:
    created = await cf_client.invalidations.create(distribution_id, ["/*"], caller_reference="r1")
    assert_type(created, cf.Invalidation)
    got = await cf_client.invalidations.get(distribution_id, created.id)
    assert_type(got, cf.Invalidation)
    listing = cf_client.invalidations.list(distribution_id)
    assert_type(listing, AsyncIterator[cf.InvalidationSummary])
    assert [item.id async for item in listing] == [created.id]
    done = await cf_client.invalidations.wait(distribution_id, created.id, timeout=5)
    assert_type(done, cf.Invalidation)
    assert done.status == "Completed"
    waited = await cf_client.invalidations.create(distribution_id, ["/index.html"], wait=True)
    assert_type(waited.status, str)


async def client_options(cf_client: cdnkit.CloudFront, distribution_id: str) -> None:
    patient = cf_client.with_options(
        retry=cdnkit.RetryPolicy(max_attempts=10), wait=cdnkit.WaitPolicy(timeout=60)
    )
    assert_type(patient, cdnkit.CloudFront)
    assert_type(patient.retry_policy, cdnkit.RetryPolicy)
    assert_type(patient.wait_policy, cdnkit.WaitPolicy)
    raw = await patient.call(
        cf.GetDistributionRequest(id=distribution_id), cf.GetDistributionResult
    )
    assert_type(raw, cf.GetDistributionResult)
    assert_type(await cf_client.distributions.delete(distribution_id), None)


async def test_typed_usage_cloudfront() -> None:
    timing = Timing(
        cloudfront_distribution_deploy=0.05, invalidation=0.05, key_value_store_provisioning=0.05
    )
    async with Emulator(timing=timing) as emulator:
        client = cdnkit.CloudFront(
            **emulator.client_kwargs(),
            retry=cdnkit.RetryPolicy(initial_backoff=0.001, max_backoff=0.01),
            wait=cdnkit.WaitPolicy(initial_delay=0.01, max_delay=0.05, timeout=5),
        )
        async with client as cf_client:
            assert_type(cf_client, cdnkit.CloudFront)
            config, _ = helpers()
            primary_id, staging_id, staging_domain = await distributions(cf_client, config)
            await policies_and_promotion(cf_client, primary_id, staging_id, staging_domain)
            store_arn = await key_value_stores(cf_client)
            await functions(cf_client, store_arn)
            await invalidations(cf_client, primary_id)
            await client_options(cf_client, primary_id)
