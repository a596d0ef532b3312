"""The Lightsail backend through raw aiobotocore clients against the running emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiobotocore.session import get_session
from botocore.exceptions import ClientError
from types_aiobotocore_lightsail import LightsailClient

from cdnkit.testing import Emulator, Timing

# Long enough that no call finishes an operation by itself: only clock.advance moves them on.
OPERATION_SECONDS = 30.0
DEPLOY_SECONDS = 60.0
WAIT = "Please wait for it to complete before trying again"


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """Overrides the suite's emulator (and so its ``lightsail`` client) with slow operations."""
    timing = Timing(
        lightsail_operation=OPERATION_SECONDS, lightsail_distribution_deploy=DEPLOY_SECONDS
    )
    async with Emulator(timing=timing) as emu:
        yield emu


def settle(emulator: Emulator) -> None:
    emulator.clock.advance(OPERATION_SECONDS + DEPLOY_SECONDS)


async def create(lightsail: LightsailClient, name: str = "site") -> str:
    reply = await lightsail.create_distribution(
        distributionName=name,
        origin={"name": "web-1", "regionName": "us-east-1"},
        defaultCacheBehavior={"behavior": "cache"},
        cacheBehaviorSettings={"defaultTTL": 100, "maximumTTL": 1000},
        bundleId="small_1_0",
        tags=[{"key": "team", "value": "web"}],
    )
    return reply["operation"]["id"]


def error_of(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = caught.value.response.get("Error", {})
    return error.get("Code", ""), error.get("Message", "")


async def test_create_then_operation_and_distribution_progress(
    emulator: Emulator, lightsail: LightsailClient
) -> None:
    reply = await lightsail.create_distribution(
        distributionName="site",
        origin={"name": "web-1", "regionName": "us-east-1"},
        defaultCacheBehavior={"behavior": "cache"},
        bundleId="small_1_0",
    )
    distribution = reply["distribution"]
    assert distribution["name"] == "site"
    assert distribution["status"] == "InProgress"
    assert distribution["bundleId"] == "small_1_0"
    assert isinstance(distribution["createdAt"], datetime)
    operation = reply["operation"]
    assert (operation["status"], operation["isTerminal"]) == ("Started", False)

    emulator.clock.advance(OPERATION_SECONDS)
    done = (await lightsail.get_operation(operationId=operation["id"]))["operation"]
    assert (done["status"], done["isTerminal"]) == ("Succeeded", True)
    assert done["operationType"] == "CreateDistribution"
    listed = (await lightsail.get_distributions(distributionName="site"))["distributions"]
    assert listed[0]["status"] == "InProgress"
    emulator.clock.advance(DEPLOY_SECONDS)
    listed = (await lightsail.get_distributions(distributionName="site"))["distributions"]
    assert listed[0]["status"] == "Deployed"
    assert listed[0]["tags"] == []


async def test_errors_arrive_as_modeled_exceptions(lightsail: LightsailClient) -> None:
    await create(lightsail)
    with pytest.raises(lightsail.exceptions.InvalidInputException) as missing:
        await lightsail.get_distributions(distributionName="nope")
    assert error_of(missing) == ("InvalidInputException", "Requested resource not found")
    with pytest.raises(lightsail.exceptions.NotFoundException):
        await lightsail.delete_distribution(distributionName="nope")
    with pytest.raises(lightsail.exceptions.InvalidInputException) as duplicate:
        await create(lightsail)
    assert "already exists" in error_of(duplicate)[1]
    with pytest.raises(lightsail.exceptions.InvalidInputException) as busy:
        await lightsail.update_distribution(distributionName="site", isEnabled=False)
    assert WAIT in error_of(busy)[1]


async def test_other_regions_are_refused(emulator: Emulator) -> None:
    kwargs: dict[str, Any] = {**emulator.client_kwargs(), "region_name": "eu-west-1"}
    async with get_session().create_client("lightsail", **kwargs) as elsewhere:
        with pytest.raises(elsewhere.exceptions.InvalidInputException) as caught:
            await elsewhere.get_distributions()
    assert "us-east-1" in error_of(caught)[1]


async def test_update_replaces_cache_settings_wholesale(
    emulator: Emulator, lightsail: LightsailClient
) -> None:
    await create(lightsail)
    settle(emulator)
    reply = await lightsail.update_distribution(
        distributionName="site", cacheBehaviorSettings={"defaultTTL": 300}
    )
    assert reply["operation"]["operationType"] == "UpdateDistribution"
    distribution = (await lightsail.get_distributions(distributionName="site"))["distributions"][0]
    assert distribution["cacheBehaviorSettings"] == {"defaultTTL": 300}
    assert distribution["isEnabled"] is True


async def test_get_distributions_paginates(emulator: Emulator, lightsail: LightsailClient) -> None:
    emulator.lightsail.page_size = 2
    for index in range(3):
        await create(lightsail, f"site-{index}")
    first = await lightsail.get_distributions()
    second = await lightsail.get_distributions(pageToken=first["nextPageToken"])
    names = [d["name"] for d in first["distributions"] + second["distributions"]]
    assert names == ["site-0", "site-1", "site-2"]
    assert "nextPageToken" not in second


async def test_bundle_changes_once(emulator: Emulator, lightsail: LightsailClient) -> None:
    bundles = {b["bundleId"] for b in (await lightsail.get_distribution_bundles())["bundles"]}
    assert {"small_1_0", "medium_1_0", "large_1_0"} <= bundles
    await create(lightsail)
    settle(emulator)
    await lightsail.update_distribution_bundle(distributionName="site", bundleId="medium_1_0")
    settle(emulator)
    distribution = (await lightsail.get_distributions(distributionName="site"))["distributions"][0]
    assert (distribution["bundleId"], distribution["ableToUpdateBundle"]) == ("medium_1_0", False)
    with pytest.raises(lightsail.exceptions.InvalidInputException):
        await lightsail.update_distribution_bundle(distributionName="site", bundleId="large_1_0")


async def test_cache_reset(emulator: Emulator, lightsail: LightsailClient) -> None:
    await create(lightsail)
    settle(emulator)
    reply = await lightsail.reset_distribution_cache(distributionName="site")
    assert reply["status"] == "InProgress"
    assert isinstance(reply["createTime"], datetime)
    assert reply["operation"]["operationType"] == "ResetDistributionCache"
    emulator.clock.advance(OPERATION_SECONDS)
    latest = await lightsail.get_distribution_latest_cache_reset(distributionName="site")
    assert latest["status"] == "Completed"


async def test_certificate_attach_and_detach(
    emulator: Emulator, lightsail: LightsailClient
) -> None:
    await create(lightsail)
    created = await lightsail.create_certificate(
        certificateName="cert",
        domainName="example.com",
        subjectAlternativeNames=["www.example.com"],
    )
    assert created["certificate"]["certificateDetail"]["status"] == "PENDING_VALIDATION"
    settle(emulator)
    await lightsail.attach_certificate_to_distribution(
        distributionName="site", certificateName="cert"
    )
    distribution = (await lightsail.get_distributions(distributionName="site"))["distributions"][0]
    assert distribution["certificateName"] == "cert"
    assert distribution["alternativeDomainNames"] == ["example.com", "www.example.com"]
    with pytest.raises(lightsail.exceptions.InvalidInputException):
        await lightsail.delete_certificate(certificateName="cert")
    settle(emulator)
    await lightsail.detach_certificate_from_distribution(distributionName="site")
    await lightsail.delete_certificate(certificateName="cert")
    assert (await lightsail.get_certificates())["certificates"] == []


async def test_metric_data(emulator: Emulator, lightsail: LightsailClient) -> None:
    await create(lightsail)
    end = emulator.clock.now()
    reply = await lightsail.get_distribution_metric_data(
        distributionName="site",
        metricName="Requests",
        startTime=end - timedelta(hours=1),
        endTime=end,
        period=600,
        unit="None",
        statistics=["Sum"],
    )
    assert reply["metricName"] == "Requests"
    points = reply["metricData"]
    assert len(points) == 6
    assert all(point["sum"] > 0 and "average" not in point for point in points)


async def test_operations_listing_and_tags(emulator: Emulator, lightsail: LightsailClient) -> None:
    emulator.lightsail.operations_page_size = 1
    await create(lightsail, "site-a")
    await lightsail.tag_resource(resourceName="site-a", tags=[{"key": "env", "value": "prod"}])
    await lightsail.untag_resource(resourceName="site-a", tagKeys=["team"])
    distribution = (await lightsail.get_distributions(distributionName="site-a"))["distributions"][
        0
    ]
    assert distribution["tags"] == [{"key": "env", "value": "prod"}]
    first = await lightsail.get_operations()
    second = await lightsail.get_operations(pageToken=first["nextPageToken"])
    assert [op["operationType"] for op in first["operations"] + second["operations"]] == [
        "CreateDistribution",
        "TagResource",
    ]
    emulator.lightsail.operations_page_size = 200
    history = await lightsail.get_operations_for_resource(resourceName="site-a")
    assert len(history["operations"]) == 3


async def test_injected_failure_and_out_of_band_write(
    emulator: Emulator, lightsail: LightsailClient
) -> None:
    emulator.lightsail.fail_next_operations(error_code="CdnFailure", error_details="boom")
    operation_id = await create(lightsail)
    emulator.clock.advance(OPERATION_SECONDS)
    failed = (await lightsail.get_operation(operationId=operation_id))["operation"]
    assert (failed["status"], failed["errorCode"], failed["errorDetails"]) == (
        "Failed",
        "CdnFailure",
        "boom",
    )
    with pytest.raises(lightsail.exceptions.InvalidInputException):
        await lightsail.get_distributions(distributionName="site")

    await create(lightsail)
    settle(emulator)
    assert emulator.lightsail.out_of_band_write("site") is True
    with pytest.raises(lightsail.exceptions.InvalidInputException) as busy:
        await lightsail.update_distribution(distributionName="site", isEnabled=False)
    assert WAIT in error_of(busy)[1]
