"""The CloudFront backend through raw aiobotocore clients against the running emulator."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiobotocore.session import get_session
from botocore.exceptions import ClientError
from types_aiobotocore_cloudfront import CloudFrontClient

from cdnkit.testing import Emulator, Timing

from .conftest import distribution_config

# Long enough that nothing finishes by itself during a test: only clock.advance moves it on.
DEPLOY_SECONDS = 60.0
INVALIDATION_SECONDS = 30.0
PROVISIONING_SECONDS = 30.0
SETTLE = DEPLOY_SECONDS + INVALIDATION_SECONDS + PROVISIONING_SECONDS


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    timing = Timing(
        cloudfront_distribution_deploy=DEPLOY_SECONDS,
        invalidation=INVALIDATION_SECONDS,
        key_value_store_provisioning=PROVISIONING_SECONDS,
    )
    async with Emulator(timing=timing) as emulator:
        yield emulator


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[CloudFrontClient]:
    kwargs: dict[str, Any] = {**emu.client_kwargs(), "region_name": "us-east-1"}
    async with get_session().create_client("cloudfront", **kwargs) as cloudfront:
        yield cloudfront


def error_code(caught: pytest.ExceptionInfo[ClientError]) -> str:
    return str(caught.value.response.get("Error", {}).get("Code", ""))


def http_status(caught: pytest.ExceptionInfo[ClientError]) -> int:
    return int(caught.value.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def weight_policy(staging_domain: str, weight: float = 0.1) -> Any:
    return {
        "StagingDistributionDnsNames": {"Quantity": 1, "Items": [staging_domain]},
        "Enabled": True,
        "TrafficConfig": {"Type": "SingleWeight", "SingleWeightConfig": {"Weight": weight}},
    }


# Distributions ------------------------------------------------------------------------------


async def test_distribution_etags_and_status_over_the_wire(
    emu: Emulator, client: CloudFrontClient
) -> None:
    created = await client.create_distribution(DistributionConfig=distribution_config())
    distribution_id = created["Distribution"]["Id"]
    assert created["Distribution"]["Status"] == "InProgress"
    assert created["Location"].endswith(distribution_id)
    got = await client.get_distribution_config(Id=distribution_id)
    assert got["ETag"] == created["ETag"]

    config = got["DistributionConfig"]
    config["Comment"] = "changed"
    with pytest.raises(ClientError) as missing:
        await client.update_distribution(Id=distribution_id, DistributionConfig=config)
    assert (error_code(missing), http_status(missing)) == ("InvalidIfMatchVersion", 400)
    with pytest.raises(client.exceptions.PreconditionFailed):
        await client.update_distribution(
            Id=distribution_id, DistributionConfig=config, IfMatch="ESTALE0000000"
        )
    updated = await client.update_distribution(
        Id=distribution_id, DistributionConfig=config, IfMatch=got["ETag"]
    )
    assert updated["ETag"] != got["ETag"]
    assert updated["Distribution"]["DistributionConfig"]["Comment"] == "changed"

    emu.clock.advance(DEPLOY_SECONDS)
    waiter = client.get_waiter("distribution_deployed")
    await waiter.wait(Id=distribution_id, WaiterConfig={"Delay": 1, "MaxAttempts": 1})


async def test_reused_caller_reference_over_the_wire(client: CloudFrontClient) -> None:
    created = await client.create_distribution(DistributionConfig=distribution_config("same"))
    with pytest.raises(client.exceptions.DistributionAlreadyExists) as caught:
        await client.create_distribution(DistributionConfig=distribution_config("same"))
    assert created["Distribution"]["Id"] in caught.value.response["Error"]["Message"]


async def test_delete_distribution_over_the_wire(emu: Emulator, client: CloudFrontClient) -> None:
    created = await client.create_distribution(DistributionConfig=distribution_config())
    distribution_id = created["Distribution"]["Id"]
    with pytest.raises(client.exceptions.DistributionNotDisabled):
        await client.delete_distribution(Id=distribution_id, IfMatch=created["ETag"])
    disabled = await client.update_distribution(
        Id=distribution_id,
        DistributionConfig=distribution_config(Enabled=False),
        IfMatch=created["ETag"],
    )
    emu.clock.advance(DEPLOY_SECONDS)
    await client.delete_distribution(Id=distribution_id, IfMatch=disabled["ETag"])
    with pytest.raises(client.exceptions.NoSuchDistribution):
        await client.get_distribution(Id=distribution_id)


async def test_list_distributions_pages_over_the_wire(client: CloudFrontClient) -> None:
    for n in range(3):
        await client.create_distribution(DistributionConfig=distribution_config(f"ref-{n}"))
    first = (await client.list_distributions(MaxItems="2"))["DistributionList"]
    assert (first["Quantity"], first["IsTruncated"]) == (2, True)
    second = (await client.list_distributions(MaxItems="2", Marker=first["NextMarker"]))[
        "DistributionList"
    ]
    assert (second["Quantity"], second["IsTruncated"]) == (1, False)
    assert "ETag" in first["Items"][0]
    paginator = client.get_paginator("list_distributions")
    ids = [
        item["Id"]
        async for page in paginator.paginate(PaginationConfig={"PageSize": 1})
        for item in page["DistributionList"].get("Items", [])
    ]
    assert len(set(ids)) == 3


# Continuous deployment -----------------------------------------------------------------------


async def test_staging_policy_and_promotion_over_the_wire(client: CloudFrontClient) -> None:
    primary = await client.create_distribution(
        DistributionConfig=distribution_config(
            Aliases={"Quantity": 1, "Items": ["www.example.com"]}
        )
    )
    primary_id = primary["Distribution"]["Id"]
    staging = await client.copy_distribution(
        PrimaryDistributionId=primary_id,
        IfMatch=primary["ETag"],
        CallerReference="staging-1",
        Staging=True,
    )
    staging_id = staging["Distribution"]["Id"]
    assert staging["Distribution"]["DistributionConfig"]["Staging"] is True

    with pytest.raises(ClientError) as too_heavy:
        await client.create_continuous_deployment_policy(
            ContinuousDeploymentPolicyConfig=weight_policy(
                staging["Distribution"]["DomainName"], 0.5
            )
        )
    assert error_code(too_heavy) == "InvalidArgument"
    policy = await client.create_continuous_deployment_policy(
        ContinuousDeploymentPolicyConfig=weight_policy(staging["Distribution"]["DomainName"])
    )
    policy_id = policy["ContinuousDeploymentPolicy"]["Id"]

    config = await client.get_distribution_config(Id=primary_id)
    attached = await client.update_distribution(
        Id=primary_id,
        IfMatch=config["ETag"],
        DistributionConfig={
            **config["DistributionConfig"],
            "ContinuousDeploymentPolicyId": policy_id,
        },
    )
    with pytest.raises(client.exceptions.ContinuousDeploymentPolicyInUse):
        await client.delete_continuous_deployment_policy(Id=policy_id, IfMatch=policy["ETag"])

    staging_config = await client.get_distribution_config(Id=staging_id)
    staged = await client.update_distribution(
        Id=staging_id,
        IfMatch=staging_config["ETag"],
        DistributionConfig={**staging_config["DistributionConfig"], "Comment": "next"},
    )
    with pytest.raises(client.exceptions.PreconditionFailed):
        await client.update_distribution_with_staging_config(
            Id=primary_id,
            StagingDistributionId=staging_id,
            IfMatch=f"{attached['ETag']}, {staging_config['ETag']}",
        )
    promoted = await client.update_distribution_with_staging_config(
        Id=primary_id,
        StagingDistributionId=staging_id,
        IfMatch=f"{attached['ETag']}, {staged['ETag']}",
    )
    promoted_config = promoted["Distribution"]["DistributionConfig"]
    assert promoted["ETag"] != attached["ETag"]
    assert promoted_config["Comment"] == "next"
    assert promoted_config["Aliases"]["Items"] == ["www.example.com"]
    assert promoted_config["ContinuousDeploymentPolicyId"] == policy_id
    disabled = await client.get_continuous_deployment_policy_config(Id=policy_id)
    assert disabled["ContinuousDeploymentPolicyConfig"]["Enabled"] is False
    assert disabled["ETag"] != policy["ETag"]


# KeyValueStores ------------------------------------------------------------------------------


async def test_key_value_store_control_plane_over_the_wire(
    emu: Emulator, client: CloudFrontClient
) -> None:
    created = await client.create_key_value_store(Name="flags", Comment="feature flags")
    assert created["KeyValueStore"]["Status"] == "PROVISIONING"
    arn = created["KeyValueStore"]["ARN"]
    assert arn in emu.state.key_value_stores
    with pytest.raises(client.exceptions.EntityAlreadyExists):
        await client.create_key_value_store(Name="flags")
    with pytest.raises(client.exceptions.InvalidArgument):
        await client.create_key_value_store(Name="has.dot")

    emu.clock.advance(PROVISIONING_SECONDS)
    described = await client.describe_key_value_store(Name="flags")
    assert (described["KeyValueStore"]["Status"], described["ETag"]) == ("READY", created["ETag"])
    with pytest.raises(client.exceptions.PreconditionFailed):
        await client.update_key_value_store(Name="flags", Comment="x", IfMatch="ESTALE")
    updated = await client.update_key_value_store(
        Name="flags", Comment="new", IfMatch=created["ETag"]
    )
    assert updated["ETag"] != created["ETag"]
    listed = (await client.list_key_value_stores())["KeyValueStoreList"]
    assert [item["Comment"] for item in listed.get("Items", [])] == ["new"]

    await client.create_function(
        Name="router",
        FunctionConfig={
            "Comment": "",
            "Runtime": "cloudfront-js-2.0",
            "KeyValueStoreAssociations": {"Quantity": 1, "Items": [{"KeyValueStoreARN": arn}]},
        },
        FunctionCode=b"function handler(event) { return event.request; }",
    )
    with pytest.raises(client.exceptions.CannotDeleteEntityWhileInUse):
        await client.delete_key_value_store(Name="flags", IfMatch=updated["ETag"])
    function_etag = (await client.describe_function(Name="router"))["ETag"]
    await client.delete_function(Name="router", IfMatch=function_etag)
    await client.delete_key_value_store(Name="flags", IfMatch=updated["ETag"])
    with pytest.raises(client.exceptions.EntityNotFound):
        await client.describe_key_value_store(Name="flags")


# Functions -----------------------------------------------------------------------------------

CODE = b"function handler(event) { return event.request; }"
FUNCTION_CONFIG: Any = {"Comment": "routes", "Runtime": "cloudfront-js-2.0"}


async def test_function_stages_over_the_wire(emu: Emulator, client: CloudFrontClient) -> None:
    created = await client.create_function(
        Name="router", FunctionConfig=FUNCTION_CONFIG, FunctionCode=CODE
    )
    assert created["FunctionSummary"]["Status"] == "UNPUBLISHED"
    with pytest.raises(client.exceptions.FunctionAlreadyExists):
        await client.create_function(
            Name="router", FunctionConfig=FUNCTION_CONFIG, FunctionCode=CODE
        )
    with pytest.raises(client.exceptions.FunctionSizeLimitExceeded):
        await client.create_function(
            Name="big", FunctionConfig=FUNCTION_CONFIG, FunctionCode=b"x" * 10241
        )
    got = await client.get_function(Name="router")
    assert await got["FunctionCode"].read() == CODE
    assert got["ETag"] == created["ETag"]

    updated = await client.update_function(
        Name="router", IfMatch=created["ETag"], FunctionConfig=FUNCTION_CONFIG, FunctionCode=b"v2"
    )
    # botocore cannot read UpdateFunction's ETag (its model says "ETtag"); the header is there.
    new_etag = updated["ResponseMetadata"]["HTTPHeaders"]["etag"]
    assert new_etag != created["ETag"]
    assert (await client.describe_function(Name="router"))["ETag"] == new_etag

    with pytest.raises(client.exceptions.PreconditionFailed):
        await client.publish_function(Name="router", IfMatch=created["ETag"])
    published = await client.publish_function(Name="router", IfMatch=new_etag)
    assert published["FunctionSummary"]["FunctionMetadata"]["Stage"] == "LIVE"
    live = await client.get_function(Name="router", Stage="LIVE")
    assert await live["FunctionCode"].read() == b"v2"
    listed = (await client.list_functions(Stage="LIVE"))["FunctionList"]
    assert [item["Name"] for item in listed.get("Items", [])] == ["router"]


async def test_publish_changes_distribution_etags_over_the_wire(
    emu: Emulator, client: CloudFrontClient
) -> None:
    created = await client.create_function(
        Name="router", FunctionConfig=FUNCTION_CONFIG, FunctionCode=CODE
    )
    arn = created["FunctionSummary"]["FunctionMetadata"]["FunctionARN"]
    await client.publish_function(Name="router", IfMatch=created["ETag"])
    behavior: Any = {
        **distribution_config()["DefaultCacheBehavior"],
        "FunctionAssociations": {
            "Quantity": 1,
            "Items": [{"FunctionARN": arn, "EventType": "viewer-request"}],
        },
    }
    distribution = await client.create_distribution(
        DistributionConfig=distribution_config(DefaultCacheBehavior=behavior)
    )
    emu.clock.advance(DEPLOY_SECONDS)
    await client.publish_function(Name="router", IfMatch=created["ETag"])
    after = await client.get_distribution(Id=distribution["Distribution"]["Id"])
    assert after["ETag"] != distribution["ETag"]
    assert after["Distribution"]["Status"] == "InProgress"
    with pytest.raises(client.exceptions.FunctionInUse):
        await client.delete_function(Name="router", IfMatch=created["ETag"])


async def test_test_function_over_the_wire(emu: Emulator, client: CloudFrontClient) -> None:
    created = await client.create_function(
        Name="router", FunctionConfig=FUNCTION_CONFIG, FunctionCode=CODE
    )
    event = {"version": "1.0", "context": {"eventType": "viewer-request"}, "request": {"uri": "/"}}
    result = (
        await client.test_function(
            Name="router", IfMatch=created["ETag"], EventObject=json.dumps(event).encode()
        )
    )["TestResult"]
    assert json.loads(result["FunctionOutput"]) == {"request": {"uri": "/"}}
    assert result["ComputeUtilization"].isdigit()
    assert result["FunctionSummary"]["Name"] == "router"

    emu.cloudfront.fail_function_tests(count=1)
    with pytest.raises(client.exceptions.TestFunctionFailed) as failed:
        await client.test_function(Name="router", IfMatch=created["ETag"], EventObject=b"{}")
    assert http_status(failed) == 500


# Invalidations -------------------------------------------------------------------------------


async def test_invalidations_over_the_wire(emu: Emulator, client: CloudFrontClient) -> None:
    distribution = await client.create_distribution(DistributionConfig=distribution_config())
    distribution_id = distribution["Distribution"]["Id"]
    batch: Any = {"Paths": {"Quantity": 2, "Items": ["/a", "/b"]}, "CallerReference": "r1"}
    created = await client.create_invalidation(
        DistributionId=distribution_id, InvalidationBatch=batch
    )
    invalidation_id = created["Invalidation"]["Id"]
    assert created["Invalidation"]["Status"] == "InProgress"
    again = await client.create_invalidation(
        DistributionId=distribution_id, InvalidationBatch=batch
    )
    assert again["Invalidation"]["Id"] == invalidation_id
    with pytest.raises(ClientError) as conflict:
        await client.create_invalidation(
            DistributionId=distribution_id,
            InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/c"]}, "CallerReference": "r1"},
        )
    assert (error_code(conflict), http_status(conflict)) == ("InvalidationBatchAlreadyExists", 409)
    with pytest.raises(client.exceptions.NoSuchInvalidation):
        await client.get_invalidation(DistributionId=distribution_id, Id="I000000000000")

    emu.clock.advance(INVALIDATION_SECONDS)
    waiter = client.get_waiter("invalidation_completed")
    await waiter.wait(
        DistributionId=distribution_id,
        Id=invalidation_id,
        WaiterConfig={"Delay": 1, "MaxAttempts": 1},
    )
    listed = (await client.list_invalidations(DistributionId=distribution_id))["InvalidationList"]
    assert [item["Id"] for item in listed.get("Items", [])] == [invalidation_id]


# Out-of-band writes --------------------------------------------------------------------------


async def test_out_of_band_write_makes_the_next_if_match_stale(
    emu: Emulator, client: CloudFrontClient
) -> None:
    created = await client.create_distribution(DistributionConfig=distribution_config())
    distribution_id = created["Distribution"]["Id"]
    assert emu.cloudfront.out_of_band_write(distribution_id)
    with pytest.raises(client.exceptions.PreconditionFailed):
        await client.update_distribution(
            Id=distribution_id, DistributionConfig=distribution_config(), IfMatch=created["ETag"]
        )
    fresh = await client.get_distribution(Id=distribution_id)
    await client.update_distribution(
        Id=distribution_id, DistributionConfig=distribution_config(), IfMatch=fresh["ETag"]
    )
