"""The generated operations end to end against the emulator: calls, bad input that sends
nothing, paginators that cross pages and resume, waiters, and ``call(request)``."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

import pytest

import cdnkit
from cdnkit._api._runtime import Acceptor, wait
from cdnkit.resources.cloudfront import distribution_config
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf
from cdnkit.types import cloudfront_keyvaluestore as kvs
from cdnkit.types import lightsail as ls

from .conftest import FAST_RETRY, FAST_WAIT

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CODE = b"function handler(event) { return event.request; }"


def site_config(comment: str = "site") -> cf.DistributionConfig:
    return distribution_config(
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
            target_origin_id="web",
            viewer_protocol_policy="redirect-to-https",
            cache_policy_id=CACHING_OPTIMIZED,
        ),
        comment=comment,
    )


async def create_site(cf_client: cdnkit.CloudFront, comment: str = "site") -> str:
    created = await cf_client.api.create_distribution(distribution_config=site_config(comment))
    return created.distribution.id


# -- Lightsail -------------------------------------------------------------------------------


async def test_lightsail_operations_end_to_end(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    created = await kit.api.create_distribution(
        distribution_name="site",
        origin=ls.InputOrigin(name="web-1", region_name="us-east-1"),
        default_cache_behavior=ls.CacheBehavior(behavior="cache"),
        bundle_id="small_1_0",
    )
    assert isinstance(created, ls.CreateDistributionResult)
    assert created.operation.id
    assert emulator.counters.count("lightsail", "CreateDistribution") == 1

    listed = await kit.api.get_distributions(distribution_name="site")
    assert [d.name for d in listed.distributions or ()] == ["site"]
    operation = await kit.api.get_operation(operation_id=created.operation.id)
    assert operation.operation.resource_name == "site"
    bundles = await kit.api.get_distribution_bundles()
    assert "small_1_0" in {b.bundle_id for b in bundles.bundles or ()}
    await kit.distributions.wait_deployed("site")
    deleted = await kit.api.delete_distribution(distribution_name="site")
    assert isinstance(deleted, ls.DeleteDistributionResult)
    assert deleted.operation.operation_type == "DeleteDistribution"
    assert emulator.counters.count("lightsail", "DeleteDistribution") == 1


async def test_bad_input_raises_before_anything_is_sent(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    emulator.counters.reset()
    with pytest.raises(cdnkit.RequestValidationError, match="distribution_name"):
        await kit.api.get_distributions(distribution_name=7)  # type: ignore[arg-type]  # the point
    with pytest.raises(cdnkit.RequestValidationError, match="behavior"):
        await kit.api.create_distribution(
            distribution_name="site",
            origin=ls.InputOrigin(name="web-1", region_name="us-east-1"),
            default_cache_behavior=ls.CacheBehavior.model_construct(
                behavior="sometimes"  # type: ignore[arg-type]  # a value the model refuses
            ),
            bundle_id="small_1_0",
        )
    with pytest.raises(cdnkit.RequestValidationError, match="page_token"):
        kit.api.paginate_get_operations(page_token=b"x")  # type: ignore[arg-type]  # the point
    assert emulator.counters.total() == 0


async def test_a_lightsail_paginator_crosses_pages_and_resumes(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    for name in ("site-a", "site-b", "site-c"):
        await kit.api.create_distribution(
            distribution_name=name,
            origin=ls.InputOrigin(name="web-1", region_name="us-east-1"),
            default_cache_behavior=ls.CacheBehavior(behavior="cache"),
            bundle_id="small_1_0",
        )
    emulator.lightsail.operations_page_size = 1
    emulator.counters.reset()

    pages = [page async for page in kit.api.paginate_get_operations().pages()]
    assert [len(page.items) for page in pages] == [1, 1, 1]
    assert pages[0].token is None
    assert pages[-1].next_token is None
    assert pages[1].token == pages[0].next_token
    assert emulator.counters.count("lightsail", "GetOperations") == 3
    every = [op.id async for op in kit.api.paginate_get_operations()]
    assert every == [page.items[0].id for page in pages]

    # Resume after the first page, from its token: the two pages left.
    token = pages[0].next_token
    assert token is not None
    resumed = [op.id async for op in kit.api.paginate_get_operations(page_token=token)]
    assert resumed == every[1:]
    again = kit.api.paginate_get_operations().resume(token)
    assert again.starting_token == token
    assert [op.id async for op in again.items()] == every[1:]


async def test_writes_are_resent_only_when_refused_before_taking_effect(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    origin = ls.InputOrigin(name="web-1", region_name="us-east-1")
    behavior = ls.CacheBehavior(behavior="cache")
    # Throttled: refused before any effect, so sent again, and created once.
    emulator.faults.throttle("lightsail", operation="CreateDistribution")
    await kit.api.create_distribution(
        distribution_name="site-a", origin=origin, default_cache_behavior=behavior,
        bundle_id="small_1_0",
    )  # fmt: skip
    assert emulator.counters.count("lightsail", "CreateDistribution") == 2
    # The answer lost after the create landed: not resent (a resend would be refused as a
    # duplicate, or apply twice elsewhere); the caller learns that the answer was lost.
    emulator.counters.reset()
    emulator.faults.reset_after_processing("lightsail", operation="CreateDistribution")
    with pytest.raises(cdnkit.TransportError):
        await kit.api.create_distribution(
            distribution_name="site-b", origin=origin, default_cache_behavior=behavior,
            bundle_id="small_1_0",
        )  # fmt: skip
    assert emulator.counters.count("lightsail", "CreateDistribution") == 1
    listed = await kit.api.get_distributions()
    assert sorted(str(d.name) for d in listed.distributions or ()) == ["site-a", "site-b"]
    # The same through call(request).
    emulator.counters.reset()
    emulator.faults.server_error("lightsail", operation="DeleteDistribution")
    with pytest.raises(cdnkit.ServiceError):
        await kit.call(ls.DeleteDistributionRequest(distribution_name="site-a"))
    assert emulator.counters.count("lightsail", "DeleteDistribution") == 1
    # Reads are resent after a lost answer: nothing can apply twice.
    emulator.counters.reset()
    emulator.faults.reset_after_processing("lightsail", operation="GetDistributions")
    again = await kit.api.get_distributions(distribution_name="site-b")
    assert [d.name for d in again.distributions or ()] == ["site-b"]
    assert emulator.counters.count("lightsail", "GetDistributions") == 2
    emulator.faults.reset_after_processing("lightsail", operation="GetDistributionBundles")
    await kit.call(ls.GetDistributionBundlesRequest())
    assert emulator.counters.count("lightsail", "GetDistributionBundles") == 2


async def test_call_returns_the_operations_own_result(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    bundles = await kit.call(ls.GetDistributionBundlesRequest())
    assert isinstance(bundles, ls.GetDistributionBundlesResult)
    # The earlier form, with the result model, still works.
    same = await kit.call(ls.GetDistributionBundlesRequest(), ls.GetDistributionBundlesResult)
    assert same == bundles
    emulator.counters.reset()
    with pytest.raises(cdnkit.InvalidRequestError, match="no lightsail operation takes"):
        await kit.call(cf.ListDistributionsRequest())  # type: ignore[call-overload]  # the point
    assert emulator.counters.total() == 0


# -- CloudFront ------------------------------------------------------------------------------


async def test_cloudfront_distribution_deployed_waiter(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_site(cf_client)
    emulator.counters.reset()
    progress: list[cdnkit.WaitProgress] = []
    watched = cf_client.with_options(
        wait=dataclasses.replace(cf_client.wait_policy, on_progress=progress.append)
    )

    deployed = await watched.api.wait_distribution_deployed(id=distribution_id)

    assert isinstance(deployed, cf.GetDistributionResult)
    assert deployed.distribution.status == "Deployed"
    assert emulator.counters.count("cloudfront", "GetDistribution") >= 1
    assert emulator.counters.total() == emulator.counters.count("cloudfront", "GetDistribution")
    # Every poll is reported with the reply model it read; the last one is the deployed one.
    assert len(progress) == emulator.counters.count("cloudfront", "GetDistribution")
    assert all(isinstance(p.state, cf.GetDistributionResult) for p in progress)
    assert progress[-1].state == deployed
    assert progress[-1].what == "DistributionDeployed"


async def test_cloudfront_invalidation_completed_waiter(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_site(cf_client)
    created = await cf_client.api.create_invalidation(
        distribution_id=distribution_id,
        invalidation_batch=cf.InvalidationBatch(
            paths=cf.Paths(items=["/index.html"]), caller_reference=str(uuid.uuid4())
        ),
    )
    assert created.invalidation.status == "InProgress"

    done = await cf_client.api.wait_invalidation_completed(
        distribution_id=distribution_id, id=created.invalidation.id
    )

    assert done.invalidation.status == "Completed"
    assert emulator.counters.count("cloudfront", "GetInvalidation") >= 1


async def test_a_waiter_times_out_with_the_last_reply(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    emulator.timing.cloudfront_distribution_deploy = 3600
    distribution_id = await create_site(cf_client)

    with pytest.raises(cdnkit.WaiterTimeoutError) as raised:
        await cf_client.api.wait_distribution_deployed(id=distribution_id, timeout=0.1)

    last = raised.value.last
    assert isinstance(last, cf.GetDistributionResult)
    assert last.distribution.status == "InProgress"


async def test_waiter_acceptors_failure_error_and_retry_states(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    emulator.timing.cloudfront_distribution_deploy = 3600
    distribution_id = await create_site(cf_client)
    core, retry, policy = cf_client._core, cf_client.retry_policy, cf_client.wait_policy
    request = cf.GetDistributionRequest(id=distribution_id)

    # A failure state ends the wait at once.
    failing = (Acceptor("failure", "path", "InProgress", argument="Distribution.Status"),)
    with pytest.raises(cdnkit.WaiterFailedError) as failed:
        await wait(
            core,
            retry,
            policy,
            "GetDistribution",
            request,
            cf.GetDistributionResult,
            failing,
            timeout=5,
            what="test",
        )
    assert isinstance(failed.value.last, cf.GetDistributionResult)

    # An error state: waiting for a distribution to be gone succeeds on NoSuchDistribution.
    emulator.counters.reset()
    gone = (
        Acceptor("success", "error", "NoSuchDistribution"),
        Acceptor("retry", "status", 200),
    )
    missing = cf.GetDistributionRequest(id="EDFDVBD6EXAMPLE")
    assert (
        await wait(
            core,
            retry,
            policy,
            "GetDistribution",
            missing,
            cf.GetDistributionResult,
            gone,
            timeout=5,
            what="test",
        )
        is None
    )
    assert emulator.counters.count("cloudfront", "GetDistribution") == 1

    # An error no acceptor names ends the wait with that error (it is not transient).
    with pytest.raises(cdnkit.NotFoundError):
        await wait(
            core,
            retry,
            policy,
            "GetDistribution",
            missing,
            cf.GetDistributionResult,
            failing,
            timeout=5,
            what="test",
        )

    # pathAny / pathAll over a list.
    two = await create_site(cf_client, "two")
    listing = cf.ListDistributionsRequest()
    any_in_progress = (
        Acceptor("success", "pathAny", "InProgress", argument="DistributionList.Items[].Status"),
    )
    found = await wait(
        core,
        retry,
        policy,
        "ListDistributions",
        listing,
        cf.ListDistributionsResult,
        any_in_progress,
        timeout=5,
        what="t",
    )
    assert found is not None
    assert {d.id for d in found.distribution_list.items or ()} == {distribution_id, two}
    all_deployed = (
        Acceptor("success", "pathAll", "Deployed", argument="DistributionList.Items[].Status"),
    )
    with pytest.raises(cdnkit.WaiterTimeoutError):
        await wait(
            core,
            retry,
            policy,
            "ListDistributions",
            listing,
            cf.ListDistributionsResult,
            all_deployed,
            timeout=0.1,
            what="t",
        )


async def test_a_cloudfront_paginator_crosses_pages_and_resumes_from_a_marker(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    ids = [await create_site(cf_client, f"site {n}") for n in range(3)]
    emulator.counters.reset()

    paginator = cf_client.api.paginate_list_distributions(max_items="1")
    pages = [page async for page in paginator.pages()]

    assert [len(page.items) for page in pages] == [1, 1, 1]
    assert sorted(d.id for page in pages for d in page.items) == sorted(ids)
    assert all(isinstance(page.result, cf.ListDistributionsResult) for page in pages)
    assert pages[-1].next_token is None
    assert emulator.counters.count("cloudfront", "ListDistributions") == 3
    marker = pages[0].next_token
    assert marker is not None
    resumed = cf_client.api.paginate_list_distributions(max_items="1", marker=marker)
    assert [d.id async for d in resumed] == [page.items[0].id for page in pages[1:]]
    everything = [d.id async for d in cf_client.api.paginate_list_distributions()]
    assert sorted(everything) == sorted(ids)


async def test_operations_without_output_and_with_a_streamed_reply(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    created = await cf_client.api.create_function(
        name="router",
        function_config=cf.FunctionConfig(comment="", runtime="cloudfront-js-2.0"),
        function_code=CODE,
    )
    assert created.function_summary.name == "router"
    fetched = await cf_client.api.get_function(name="router")
    assert fetched.function_code == CODE
    assert fetched.etag
    same = await cf_client.call(cf.GetFunctionRequest(name="router"))
    assert same.function_code == CODE
    # botocore reads UpdateFunction's ETag from a misspelt header: read from the real one.
    updated = await cf_client.api.update_function(
        name="router",
        if_match=fetched.etag,
        function_config=cf.FunctionConfig(comment="v2", runtime="cloudfront-js-2.0"),
        function_code=CODE,
    )
    described = await cf_client.api.describe_function(name="router")
    assert updated.etag is not None
    assert updated.etag == described.etag != fetched.etag
    again = await cf_client.call(
        cf.UpdateFunctionRequest(
            name="router",
            if_match=updated.etag,
            function_config=cf.FunctionConfig(comment="v3", runtime="cloudfront-js-2.0"),
            function_code=CODE,
        )
    )
    assert again.etag is not None
    assert again.etag != updated.etag

    store = await cf_client.key_value_stores.create("flags", wait=True)
    await cf_client.api.delete_key_value_store(name="flags", if_match=store.etag)
    assert emulator.counters.count("cloudfront", "DeleteKeyValueStore") == 1
    with pytest.raises(cdnkit.NotFoundError):
        await cf_client.api.describe_key_value_store(name="flags")


async def test_with_options_gives_an_api_with_the_new_policies(
    cf_client: cdnkit.CloudFront,
) -> None:
    patient = cdnkit.RetryPolicy(max_attempts=9)
    other = cf_client.with_options(retry=patient)
    assert other.api is not cf_client.api
    assert other.api._retry is patient
    assert cf_client.api is cf_client.api  # made once per client
    assert cf_client.api._retry is cf_client.retry_policy


async def test_closing_the_client_ends_a_waiter_and_a_paginator(emulator: Emulator) -> None:
    emulator.timing.cloudfront_distribution_deploy = 3600
    polled = asyncio.Event()

    def on_progress(progress: cdnkit.WaitProgress) -> None:
        if progress.polls >= 2:
            polled.set()

    wait_policy = dataclasses.replace(FAST_WAIT, on_progress=on_progress)
    client = cdnkit.CloudFront(**emulator.client_kwargs(), retry=FAST_RETRY, wait=wait_policy)
    async with client:
        distribution_id = await create_site(client)
        await create_site(client, "two")
        waiting = asyncio.create_task(
            client.api.wait_distribution_deployed(id=distribution_id, timeout=60)
        )
        pages = client.api.paginate_list_distributions(max_items="1").pages()
        first = await anext(pages)
        assert first.next_token is not None
        await polled.wait()
    with pytest.raises(cdnkit.ClientClosedError):
        await waiting
    with pytest.raises(cdnkit.ClientClosedError):
        await anext(pages)


async def test_a_closed_client_refuses_api_calls(emulator: Emulator) -> None:
    client = cdnkit.CloudFront(**emulator.client_kwargs())
    async with client:
        api, data_plane = client.api, client.kvs_api
    emulator.counters.reset()
    with pytest.raises(cdnkit.ClientClosedError):
        await api.list_distributions()
    with pytest.raises(cdnkit.ClientClosedError):
        await data_plane.get_key(
            kvs_arn="arn:aws:cloudfront::123456789012:key-value-store/x", key="k"
        )
    assert emulator.counters.total() == 0


async def test_sensitive_arguments_never_appear_in_errors(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    emulator.counters.reset()
    with pytest.raises(cdnkit.RequestValidationError) as code_error:
        await cf_client.api.create_function(
            name="router",
            function_config=cf.FunctionConfig(comment="", runtime="cloudfront-js-2.0"),
            function_code="SECRET-CODE",  # type: ignore[arg-type]  # the point
        )
    with pytest.raises(cdnkit.RequestValidationError) as value_error:
        await cf_client.kvs_api.put_key(
            kvs_arn="arn:aws:cloudfront::123456789012:key-value-store/x",
            key="k",
            value=b"SECRET-VALUE",  # type: ignore[arg-type]  # the point
            if_match="etag",
        )
    for raised in (code_error.value, value_error.value):
        assert "SECRET" not in str(raised)
        assert "SECRET" not in repr(raised)
    assert "function_code" in str(code_error.value)
    assert "value" in str(value_error.value)
    assert emulator.counters.total() == 0


# -- KeyValueStore data plane ----------------------------------------------------------------


async def test_key_value_store_data_plane(emulator: Emulator, cf_client: cdnkit.CloudFront) -> None:
    store = await cf_client.key_value_stores.create("flags", wait=True)
    arn = store.key_value_store.arn

    described = await cf_client.kvs_api.describe_key_value_store(kvs_arn=arn)
    assert isinstance(described, kvs.DescribeKeyValueStoreResponse)
    etag = described.etag
    for key in ("a", "b", "c"):
        put = await cf_client.kvs_api.put_key(kvs_arn=arn, key=key, value=key * 2, if_match=etag)
        etag = put.etag
    got = await cf_client.kvs_api.get_key(kvs_arn=arn, key="b")
    assert got.value == "bb"
    typed = await cf_client.call(kvs.GetKeyRequest(kvs_arn=arn, key="c"))
    assert typed.value == "cc"

    emulator.counters.reset()
    pages = [
        p async for p in cf_client.kvs_api.paginate_list_keys(kvs_arn=arn, max_results=1).pages()
    ]
    assert [[item.key for item in page.items] for page in pages] == [["a"], ["b"], ["c"]]
    assert emulator.counters.count("cloudfront-keyvaluestore", "ListKeys") == 3
    token = pages[1].next_token
    assert token is not None
    rest = cf_client.kvs_api.paginate_list_keys(kvs_arn=arn, max_results=1, next_token=token)
    assert [item.key async for item in rest] == ["c"]

    emulator.counters.reset()
    with pytest.raises(cdnkit.RequestValidationError, match="key"):
        await cf_client.kvs_api.get_key(kvs_arn=arn, key="")
    assert emulator.counters.total() == 0


@pytest.mark.parametrize(
    "path", ["no-leading-slash", "/a*b", "#tag*", "/" + "x" * 4000], ids=lambda p: p[:16]
)
async def test_an_invalidation_path_breaking_the_rules_is_refused_by_the_generated_method(
    emulator: Emulator, cf_client: cdnkit.CloudFront, path: str
) -> None:
    """The rules invalidations.invalidate checks hold for a request built by hand too (the
    override table puts them on Paths.Items)."""
    emulator.counters.reset()
    with pytest.raises(cdnkit.RequestValidationError, match=r"items\.0"):
        await cf_client.api.create_invalidation(
            distribution_id="E123",
            invalidation_batch=cf.InvalidationBatch(
                paths=cf.Paths(items=[path]), caller_reference="ref"
            ),
        )
    assert emulator.counters.total() == 0


async def test_bad_input_to_the_data_plane_is_refused_before_its_connection_opens(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    """Without awscrt the data plane cannot even open: a bad argument must still be the
    RequestValidationError it is, and nothing may be opened or sent for it."""
    emulator.counters.reset()
    with pytest.raises(cdnkit.RequestValidationError, match="key"):
        await cf_client.kvs_api.get_key(kvs_arn="arn:aws:cloudfront::1:key-value-store/x", key="")
    with pytest.raises(cdnkit.RequestValidationError, match="key"):
        await cf_client.call(kvs.GetKeyRequest.model_construct(kvs_arn="arn", key=""))
    assert not cf_client._data_plane.is_open
    assert emulator.counters.total() == 0
