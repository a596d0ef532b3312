"""Typed usage of the Lightsail client, checked by mypy --strict and pyright (strict).

Each ``assert_type`` fails type checking if the public types regress;
``test_typed_usage_lightsail`` runs the same code against the emulator so it stays true.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import assert_type

from pydantic_core import ErrorDetails

import cdnkit
from cdnkit.testing import Emulator, Timing
from cdnkit.types import lightsail as ls


async def distributions(kit: cdnkit.Lightsail) -> None:
    created = await kit.distributions.create(
        "site",
        origin=ls.InputOrigin(name="web-1", region_name="us-east-1"),
        default_cache_behavior=ls.CacheBehavior(behavior="cache"),
        bundle_id="small_1_0",
        cache_behavior_settings=ls.CacheSettings(default_ttl=3600, maximum_ttl=86400),
        cache_behaviors=[ls.CacheBehaviorPerPath(path="/img/*", behavior="cache")],
        wait=True,
    )
    assert_type(created, ls.CreateDistributionResult)
    assert_type(created.distribution, ls.LightsailDistribution)
    assert_type(created.operation, ls.Operation)

    distribution = await kit.distributions.get("site")
    assert_type(distribution, ls.LightsailDistribution)
    assert_type(distribution.status, str | None)
    assert_type(distribution.cache_behavior_settings, ls.CacheSettings | None)

    pages = kit.distributions.list()
    assert_type(pages, AsyncIterator[ls.LightsailDistribution])
    names = [listed.name async for listed in pages]
    assert names == ["site"]

    updated = await kit.distributions.update("site", is_enabled=False, wait=True)
    assert_type(updated, ls.Operation | None)  # None: already so, nothing sent

    def shorter_ttl(settings: ls.UpdateDistributionRequest) -> None:
        if settings.cache_behavior_settings is not None:
            settings.cache_behavior_settings.default_ttl = 60

    async def enable(settings: ls.UpdateDistributionRequest) -> ls.UpdateDistributionRequest:
        return settings.model_copy(update={"is_enabled": True})

    modified = await kit.distributions.modify("site", shorter_ttl, wait=True)
    assert_type(modified, ls.Operation | None)
    assert modified is not None
    assert await kit.distributions.modify("site", enable, wait=True) is not None

    reset = await kit.distributions.reset_cache("site", wait=True)
    assert_type(reset, ls.Operation)
    latest = await kit.distributions.latest_cache_reset("site")
    assert_type(latest, ls.GetDistributionLatestCacheResetResult)
    assert latest.status == "Completed"

    bundles = await kit.distributions.bundles()
    assert_type(bundles, list[ls.DistributionBundle])
    bundle = await kit.distributions.update_bundle("site", "medium_1_0", wait=True)
    assert_type(bundle, ls.Operation)

    requested = await kit.call(
        ls.CreateCertificateRequest(certificate_name="site-cert", domain_name="example.com"),
        ls.CreateCertificateResult,
    )
    assert_type(requested, ls.CreateCertificateResult)
    await kit.operations.wait_all(requested.operations or [])
    attached = await kit.distributions.attach_certificate("site", "site-cert", wait=True)
    assert_type(attached, ls.Operation)
    detached = await kit.distributions.detach_certificate("site", wait=True)
    assert_type(detached, ls.Operation)

    end = datetime.now(UTC)
    points = await kit.distributions.metric_data(
        "site",
        metric_name="Requests",
        start_time=end - timedelta(hours=1),
        end_time=end,
        period=3600,
        unit="None",
        statistics=["Sum"],
    )
    assert_type(points, list[ls.MetricDatapoint])

    deployed = await kit.distributions.wait_deployed("site")
    assert_type(deployed, ls.LightsailDistribution)


async def operations(kit: cdnkit.Lightsail, emulator: Emulator) -> None:
    history = await kit.operations.for_resource("site")
    assert_type(history, list[ls.Operation])
    first = history[0]
    got = await kit.operations.get(first.id)
    assert_type(got, ls.Operation)
    waited = await kit.operations.wait(first.id, timeout=5)
    assert_type(waited, ls.Operation)

    operation = await kit.distributions.reset_cache("site")
    progress = kit.operations.watch(operation)
    assert_type(progress, AsyncIterator[ls.Operation])
    statuses = [state.status async for state in progress]
    assert statuses[-1] == "Succeeded"
    finished = await kit.operations.wait_all([operation])
    assert_type(finished, list[ls.Operation])

    emulator.lightsail.fail_next_operations(1, error_code="Broken", error_details="on purpose")
    failing = await kit.distributions.reset_cache("site")
    failure: cdnkit.OperationFailedError | None = None
    try:
        await kit.operations.wait(failing)
    except cdnkit.OperationFailedError as error:
        assert_type(error.operation, ls.Operation)
        assert_type(error.error_code, str | None)
        assert_type(error.error_details, str | None)
        failure = error
    assert failure is not None
    assert failure.error_code == "Broken"


async def errors_and_policies(kit: cdnkit.Lightsail) -> None:
    assert_type(kit.retry_policy, cdnkit.RetryPolicy)
    assert_type(kit.wait_policy, cdnkit.WaitPolicy)
    patient = kit.with_options(
        retry=cdnkit.RetryPolicy(max_attempts=2, initial_backoff=0.001),
        wait=cdnkit.WaitPolicy(initial_delay=0.01, timeout=1),
    )
    assert_type(patient, cdnkit.Lightsail)

    try:
        await patient.distributions.get("missing")
    except cdnkit.NotFoundError as error:
        assert_type(error, cdnkit.NotFoundError)
        assert_type(error.service, str)
        assert_type(error.code, str)
        assert_type(error.http_status, int | None)
        assert_type(error.request_id, str | None)
    else:
        raise AssertionError("a missing distribution must raise")

    try:
        await kit.distributions.get("bad name!")
    except cdnkit.RequestValidationError as error:
        details = error.errors()
        assert_type(details, list[ErrorDetails])
        assert details[0]["loc"] == ("distribution_name",)

    caught: cdnkit.APIError | None = None
    try:
        await kit.operations.wait("no-such-operation")
    except cdnkit.APIError as error:  # any API error, whatever its meaning
        caught = error
    assert isinstance(caught, cdnkit.NotFoundError)

    deleted = await kit.distributions.delete("site", wait=True)
    assert_type(deleted, ls.Operation)


async def test_typed_usage_lightsail() -> None:
    timing = Timing(lightsail_operation=0.05, lightsail_distribution_deploy=0.05)
    async with (
        Emulator(timing=timing) as emulator,
        cdnkit.Lightsail(
            **emulator.client_kwargs(),
            retry=cdnkit.RetryPolicy(initial_backoff=0.001, max_backoff=0.01, adaptive=False),
            wait=cdnkit.WaitPolicy(initial_delay=0.01, max_delay=0.05, timeout=10),
        ) as kit,
    ):
        assert_type(kit, cdnkit.Lightsail)
        await distributions(kit)
        await operations(kit, emulator)
        await errors_and_policies(kit)
