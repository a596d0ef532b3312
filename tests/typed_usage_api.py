"""Typed usage of the generated operations (``kit.api``, ``cf.api``, ``cf.kvs_api``) and of
``call(request)``, checked by mypy --strict and pyright (strict) in CI.

Each ``assert_type`` fails type checking if the generated types regress;
``test_typed_usage_api`` runs the same code against the emulator. Calls with wrong types are
checked to fail in tests/api/test_typing.py.
"""

from __future__ import annotations

import uuid
from typing import assert_type

import cdnkit
from cdnkit._api._runtime import Page, Paginator
from cdnkit.resources.cloudfront import distribution_config
from cdnkit.testing import Emulator, Timing
from cdnkit.types import cloudfront as cf
from cdnkit.types import cloudfront_keyvaluestore as kvs
from cdnkit.types import lightsail as ls


async def lightsail_api(kit: cdnkit.Lightsail) -> None:
    created = await kit.api.create_distribution(
        distribution_name="site",
        origin=ls.InputOrigin(name="web-1", region_name="us-east-1"),
        default_cache_behavior=ls.CacheBehavior(behavior="cache"),
        bundle_id="small_1_0",
    )
    assert_type(created, ls.CreateDistributionResult)
    listed = await kit.api.get_distributions(distribution_name="site")
    assert_type(listed.distributions, list[ls.LightsailDistribution] | None)
    operations = kit.api.paginate_get_operations()
    assert_type(operations, Paginator[ls.GetOperationsResult, ls.Operation])
    async for page in operations.pages():
        assert_type(page, Page[ls.GetOperationsResult, ls.Operation])
        assert_type(page.next_token, str | None)
        assert_type(page.items, list[ls.Operation])
    names = [operation.resource_name async for operation in operations]
    assert "site" in names
    bundles = await kit.call(ls.GetDistributionBundlesRequest())
    assert_type(bundles, ls.GetDistributionBundlesResult)
    deleted = await kit.call(ls.DeleteDistributionRequest(distribution_name="site"))
    assert_type(deleted, ls.DeleteDistributionResult)


async def cloudfront_api(cf_client: cdnkit.CloudFront) -> None:
    config = distribution_config(
        origins=[
            cf.Origin(
                id="web",
                domain_name="origin.example.com",
                custom_origin_config=cf.CustomOriginConfig(
                    http_port=80, https_port=443, origin_protocol_policy="https-only"
                ),
            )
        ],
        default_cache_behavior=cf.DefaultCacheBehavior(
            target_origin_id="web", viewer_protocol_policy="allow-all"
        ),
    )
    created = await cf_client.api.create_distribution(distribution_config=config)
    assert_type(created, cf.CreateDistributionResult)
    distribution_id = created.distribution.id
    deployed = await cf_client.api.wait_distribution_deployed(id=distribution_id, timeout=5)
    assert_type(deployed, cf.GetDistributionResult)
    batch = cf.InvalidationBatch(paths=cf.Paths(items=["/*"]), caller_reference=str(uuid.uuid4()))
    invalidation = await cf_client.api.create_invalidation(
        distribution_id=distribution_id, invalidation_batch=batch
    )
    done = await cf_client.api.wait_invalidation_completed(
        distribution_id=distribution_id, id=invalidation.invalidation.id
    )
    assert_type(done, cf.GetInvalidationResult)
    summaries = cf_client.api.paginate_list_distributions(max_items="10")
    assert_type(summaries, Paginator[cf.ListDistributionsResult, cf.DistributionSummary])
    assert [summary.id async for summary in summaries] == [distribution_id]
    config_reply = await cf_client.call(cf.GetDistributionConfigRequest(id=distribution_id))
    assert_type(config_reply, cf.GetDistributionConfigResult)
    store = await cf_client.key_value_stores.create("flags", wait=True)
    arn = store.key_value_store.arn
    described = await cf_client.kvs_api.describe_key_value_store(kvs_arn=arn)
    assert_type(described, kvs.DescribeKeyValueStoreResponse)
    put = await cf_client.kvs_api.put_key(
        kvs_arn=arn, key="beta", value="on", if_match=described.etag
    )
    assert_type(put, kvs.PutKeyResponse)
    got = await cf_client.call(kvs.GetKeyRequest(kvs_arn=arn, key="beta"))
    assert_type(got, kvs.GetKeyResponse)
    keys = cf_client.kvs_api.paginate_list_keys(kvs_arn=arn)
    assert_type(keys, Paginator[kvs.ListKeysResponse, kvs.ListKeysResponseListItem])
    assert [item.key async for item in keys] == ["beta"]
    assert_type(await cf_client.api.delete_key_value_store(name="flags", if_match=store.etag), None)


async def test_typed_usage_api() -> None:
    timing = Timing(
        lightsail_operation=0.05,
        lightsail_distribution_deploy=0.05,
        cloudfront_distribution_deploy=0.05,
        invalidation=0.05,
        key_value_store_provisioning=0.05,
    )
    retry = cdnkit.RetryPolicy(initial_backoff=0.001, max_backoff=0.01, adaptive=False)
    wait = cdnkit.WaitPolicy(initial_delay=0.01, max_delay=0.05, timeout=5)
    async with Emulator(timing=timing) as emulator:
        async with cdnkit.Lightsail(**emulator.client_kwargs(), retry=retry, wait=wait) as kit:
            await lightsail_api(kit)
        async with cdnkit.CloudFront(
            **emulator.client_kwargs(), retry=retry, wait=wait
        ) as cf_client:
            await cloudfront_api(cf_client)
