"""Every method of ``kit.distributions`` against the emulator."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import cdnkit
from cdnkit._models import parse_response
from cdnkit.testing import Emulator
from cdnkit.types import lightsail as ls

from .conftest import FULL_SETTINGS, create_site, origin


def differences(before: Any, after: Any, path: str = "") -> list[str]:
    """Paths (``a.b[0].c``) where two dumped models differ."""
    if isinstance(before, dict) and isinstance(after, dict):
        return [
            found
            for key in sorted(before.keys() | after.keys())
            for found in differences(before.get(key), after.get(key), f"{path}.{key}".lstrip("."))
        ]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            found
            for index, (old, new) in enumerate(zip(before, after, strict=True))
            for found in differences(old, new, f"{path}[{index}]")
        ]
    return [] if before == after else [path]


async def test_create_waits_until_deployed(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    created = await create_site(kit, wait=True)
    assert created.operation.status == "Succeeded"
    assert created.operation.operation_type == "CreateDistribution"
    distribution = created.distribution
    assert distribution.status == "Deployed"
    assert distribution.bundle_id == "small_1_0"
    assert distribution.cache_behavior_settings == FULL_SETTINGS
    assert emulator.counters.count("lightsail", "CreateDistribution") == 1


async def test_create_without_wait_returns_at_once(kit: cdnkit.Lightsail) -> None:
    created = await create_site(kit, wait=False)
    assert created.operation.status == "Started"
    assert created.distribution.status == "InProgress"


async def test_get_returns_the_named_distribution(kit: cdnkit.Lightsail) -> None:
    await create_site(kit, "one", wait=False)
    await create_site(kit, "two", wait=False)
    two = await kit.distributions.get("two")
    assert isinstance(two, ls.LightsailDistribution)
    assert two.name == "two"
    assert two.origin is not None
    assert two.origin.name == "web-1"


async def test_get_of_a_missing_distribution_is_not_found(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    with pytest.raises(cdnkit.NotFoundError) as caught:
        await kit.distributions.get("missing")
    # Lightsail answers a missing name with InvalidInput (AWS-FACTS.md): still "not found".
    assert caught.value.code == "InvalidInputException"
    assert emulator.counters.count("lightsail", "GetDistributions") == 1


async def test_list_walks_every_page(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    emulator.lightsail.page_size = 2
    names = [f"site-{n}" for n in range(5)]
    for name in names:
        await create_site(kit, name, wait=False)
    listed = [distribution.name async for distribution in kit.distributions.list()]
    assert sorted(name for name in listed if name) == names
    assert emulator.counters.count("lightsail", "GetDistributions") == 3


async def test_list_of_nothing(kit: cdnkit.Lightsail) -> None:
    assert [d async for d in kit.distributions.list()] == []


async def test_update_changes_what_is_given_and_waits(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    await create_site(kit)
    before = await kit.distributions.get("site")
    operation = await kit.distributions.update("site", is_enabled=False, wait=True)
    assert operation is not None
    assert operation.status == "Succeeded"
    assert operation.operation_type == "UpdateDistribution"
    after = await kit.distributions.get("site")
    assert after.status == "Deployed"
    assert differences(before.model_dump(by_alias=False), after.model_dump(by_alias=False)) == [
        "is_enabled"
    ]


async def test_update_without_wait_returns_the_started_operation(kit: cdnkit.Lightsail) -> None:
    await create_site(kit)
    operation = await kit.distributions.update("site", default_root_object="home.html")
    assert operation is not None
    assert operation.status == "Started"
    finished = await kit.operations.wait(operation)
    assert finished.status == "Succeeded"
    assert (await kit.distributions.get("site")).default_root_object == "home.html"


async def test_update_changes_only_the_members_given_nested_ones_merged(
    kit: cdnkit.Lightsail,
) -> None:
    """`update` changes exactly what it is given: a nested object's other members stay."""
    await create_site(kit)
    before = (await kit.distributions.get("site")).cache_behavior_settings
    assert before is not None
    assert before.maximum_ttl is not None
    assert before.forwarded_cookies is not None
    await kit.distributions.update(
        "site", cache_behavior_settings=ls.CacheSettings(default_ttl=900), wait=True
    )
    after = (await kit.distributions.get("site")).cache_behavior_settings
    assert after is not None
    assert after.default_ttl == 900
    assert after.model_copy(update={"default_ttl": before.default_ttl}) == before


async def test_update_sends_nothing_when_nothing_would_change(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    await create_site(kit)
    current = (await kit.distributions.get("site")).cache_behavior_settings
    assert current is not None
    sent = emulator.counters.count("lightsail", "UpdateDistribution")
    result = await kit.distributions.update(
        "site", cache_behavior_settings=ls.CacheSettings(default_ttl=current.default_ttl)
    )
    assert result is None
    assert emulator.counters.count("lightsail", "UpdateDistribution") == sent


async def test_update_of_plain_values_is_one_request_without_a_read(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    """Plain members and lists need no read: one UpdateDistribution, as raw boto3 sends."""
    await create_site(kit)
    emulator.counters.reset()

    operation = await kit.distributions.update(
        "site", is_enabled=False, default_root_object="home.html", cache_behaviors=[]
    )

    assert operation is not None
    assert emulator.counters.total() == 1
    assert emulator.counters.count("lightsail", "UpdateDistribution") == 1
    await kit.operations.wait(operation)
    distribution = await kit.distributions.get("site")
    assert distribution.is_enabled is False
    assert distribution.default_root_object == "home.html"
    assert distribution.cache_behavior_settings is not None  # untouched: not sent


async def test_an_update_given_nothing_sends_nothing(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    await create_site(kit)
    emulator.counters.reset()

    assert await kit.distributions.update("site") is None
    assert await kit.distributions.update("site", merge=False) is None
    assert emulator.counters.total() == 0


async def test_a_plain_update_takes_its_turn_with_a_read_modify_write(
    kit: cdnkit.Lightsail,
) -> None:
    """A modify that has read the settings keeps the distribution's turn until its send: a
    plain update of the same process waits, so neither change is lost (Lightsail has no
    conditional write)."""
    await create_site(kit)
    read = asyncio.Event()
    release = asyncio.Event()

    async def slow_ttl(settings: ls.UpdateDistributionRequest) -> None:
        read.set()
        await release.wait()
        assert settings.cache_behavior_settings is not None
        settings.cache_behavior_settings.default_ttl = 900

    modify = asyncio.create_task(kit.distributions.modify("site", slow_ttl, wait=True))
    await read.wait()
    update = asyncio.create_task(kit.distributions.update("site", is_enabled=False, wait=True))
    await asyncio.sleep(0.05)
    assert not update.done()  # waiting for the modify's turn
    release.set()
    await asyncio.gather(modify, update)

    distribution = await kit.distributions.get("site")
    assert distribution.is_enabled is False
    assert distribution.cache_behavior_settings is not None
    assert distribution.cache_behavior_settings.default_ttl == 900


async def test_update_with_merge_false_replaces_the_settings_whole(kit: cdnkit.Lightsail) -> None:
    """AWS's own semantics, chosen explicitly: the settings object is replaced whole."""
    await create_site(kit)
    await kit.distributions.update(
        "site", cache_behavior_settings=ls.CacheSettings(default_ttl=60), merge=False, wait=True
    )
    settings = (await kit.distributions.get("site")).cache_behavior_settings
    assert settings == ls.CacheSettings(default_ttl=60)
    assert settings is not None
    assert settings.forwarded_headers is None


async def test_modify_keeps_every_setting_it_did_not_touch(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    await create_site(kit)
    before = await kit.distributions.get("site")

    def shorter_ttl(settings: ls.UpdateDistributionRequest) -> None:
        assert settings.cache_behavior_settings is not None
        settings.cache_behavior_settings.default_ttl = 120

    operation = await kit.distributions.modify("site", shorter_ttl, wait=True)
    assert operation is not None
    assert operation.status == "Succeeded"
    after = await kit.distributions.get("site")
    assert differences(before.model_dump(by_alias=False), after.model_dump(by_alias=False)) == [
        "cache_behavior_settings.default_ttl"
    ]
    assert after.cache_behavior_settings is not None
    assert after.cache_behavior_settings.default_ttl == 120
    assert emulator.counters.count("lightsail", "UpdateDistribution") == 1


async def test_update_with_mutate_is_modify(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    # The same verb as the CloudFront families: update(..., mutate=...) is read-modify-write.
    await create_site(kit)
    before = await kit.distributions.get("site")

    def shorter_ttl(settings: ls.UpdateDistributionRequest) -> None:
        assert settings.cache_behavior_settings is not None
        settings.cache_behavior_settings.default_ttl = 90

    operation = await kit.distributions.update("site", mutate=shorter_ttl, wait=True)
    assert operation is not None
    assert operation.status == "Succeeded"
    after = await kit.distributions.get("site")
    assert differences(before.model_dump(by_alias=False), after.model_dump(by_alias=False)) == [
        "cache_behavior_settings.default_ttl"
    ]
    assert emulator.counters.count("lightsail", "UpdateDistribution") == 1


async def test_update_refuses_mutate_with_members_before_sending(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    await create_site(kit)
    sent = emulator.counters.total()
    with pytest.raises(cdnkit.InvalidRequestError, match="mutate"):
        await kit.distributions.update("site", is_enabled=False, mutate=lambda settings: None)
    with pytest.raises(cdnkit.InvalidRequestError, match="mutate"):
        await kit.distributions.update("site", merge=False, mutate=lambda settings: None)
    assert emulator.counters.total() == sent


async def test_modify_accepts_async_mutators_returning_a_new_request(
    kit: cdnkit.Lightsail,
) -> None:
    await create_site(kit)
    before = await kit.distributions.get("site")

    async def add_path(settings: ls.UpdateDistributionRequest) -> ls.UpdateDistributionRequest:
        behaviors = [
            *(settings.cache_behaviors or []),
            ls.CacheBehaviorPerPath(path="/css/*", behavior="cache"),
        ]
        return settings.model_copy(update={"cache_behaviors": behaviors})

    await kit.distributions.modify("site", add_path, wait=True)
    after = await kit.distributions.get("site")
    assert [b.path for b in after.cache_behaviors or []] == ["/img/*", "/api/*", "/css/*"]
    assert after.cache_behavior_settings == before.cache_behavior_settings
    assert after.default_cache_behavior == before.default_cache_behavior


async def test_modify_sends_nothing_when_nothing_changed(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    await create_site(kit)

    def same_ttl(settings: ls.UpdateDistributionRequest) -> None:
        assert settings.cache_behavior_settings is not None
        settings.cache_behavior_settings.default_ttl = FULL_SETTINGS.default_ttl

    assert await kit.distributions.modify("site", same_ttl) is None
    assert await kit.distributions.modify("site", lambda settings: None) is None
    assert emulator.counters.count("lightsail", "UpdateDistribution") == 0


async def test_modify_propagates_the_mutators_exception_and_sends_nothing(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    await create_site(kit)

    def broken(settings: ls.UpdateDistributionRequest) -> None:
        settings.is_enabled = False
        raise LookupError("no such setting")

    with pytest.raises(LookupError, match="no such setting"):
        await kit.distributions.modify("site", broken)
    assert emulator.counters.count("lightsail", "UpdateDistribution") == 0
    assert (await kit.distributions.get("site")).is_enabled is True


async def test_modify_cannot_rename(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    await create_site(kit)

    def rename(settings: ls.UpdateDistributionRequest) -> None:
        settings.distribution_name = "other"

    with pytest.raises(cdnkit.InvalidRequestError, match="rename"):
        await kit.distributions.modify("site", rename)
    assert emulator.counters.count("lightsail", "UpdateDistribution") == 0


async def test_modify_leaves_out_members_added_after_this_botocore(
    monkeypatch: pytest.MonkeyPatch, emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    """A member AWS adds later is ignored when parsed; botocore could not send it back."""
    await create_site(kit)
    current = await kit.distributions.get("site")
    wire = current.model_dump(by_alias=True, exclude_none=True)
    wire["cacheBehaviorSettings"]["compressionFormat"] = "zstd"
    wire["defaultCacheBehavior"]["brandNewMember"] = 1
    newer = parse_response(ls.LightsailDistribution, wire)
    assert newer.cache_behavior_settings is not None
    assert "compressionFormat" not in newer.cache_behavior_settings.model_dump(by_alias=True)

    async def get(name: str) -> ls.LightsailDistribution:
        return newer

    monkeypatch.setattr(kit.distributions, "get", get)

    def disable(settings: ls.UpdateDistributionRequest) -> None:
        settings.is_enabled = False

    operation = await kit.distributions.modify("site", disable, wait=True)
    assert operation is not None
    assert operation.status == "Succeeded"
    monkeypatch.undo()
    assert (await kit.distributions.get("site")).is_enabled is False


async def test_delete_with_wait(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    await create_site(kit)
    operation = await kit.distributions.delete("site", wait=True)
    assert operation.operation_type == "DeleteDistribution"
    assert operation.status == "Succeeded"
    with pytest.raises(cdnkit.NotFoundError):
        await kit.distributions.get("site")


async def test_delete_of_a_missing_distribution(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    with pytest.raises(cdnkit.NotFoundError) as caught:
        await kit.distributions.delete("missing")
    assert caught.value.code == "NotFoundException"
    assert emulator.counters.count("lightsail", "DeleteDistribution") == 1


async def test_reset_cache_and_latest_cache_reset(kit: cdnkit.Lightsail) -> None:
    await create_site(kit)
    never = await kit.distributions.latest_cache_reset("site")
    assert never.status is None
    assert never.create_time is None

    started = await kit.distributions.reset_cache("site")
    assert started.operation_type == "ResetDistributionCache"
    assert (await kit.distributions.latest_cache_reset("site")).status == "InProgress"
    finished = await kit.operations.wait(started)
    assert finished.status == "Succeeded"
    latest = await kit.distributions.latest_cache_reset("site")
    assert latest.status == "Completed"
    assert latest.create_time is not None

    again = await kit.distributions.reset_cache("site", wait=True)
    assert again.status == "Succeeded"


async def test_bundles(kit: cdnkit.Lightsail) -> None:
    bundles = await kit.distributions.bundles()
    assert all(isinstance(bundle, ls.DistributionBundle) for bundle in bundles)
    assert {"small_1_0", "medium_1_0"} <= {bundle.bundle_id for bundle in bundles}


async def test_update_bundle(kit: cdnkit.Lightsail) -> None:
    await create_site(kit)
    operation = await kit.distributions.update_bundle("site", "medium_1_0", wait=True)
    assert operation.operation_type == "UpdateDistributionBundle"
    assert operation.status == "Succeeded"
    distribution = await kit.distributions.get("site")
    assert distribution.bundle_id == "medium_1_0"
    assert distribution.able_to_update_bundle is False
    assert distribution.status == "Deployed"


async def test_attach_and_detach_certificate(kit: cdnkit.Lightsail) -> None:
    await create_site(kit)
    requested = await kit.call(
        ls.CreateCertificateRequest(
            certificate_name="site-cert",
            domain_name="example.com",
            subject_alternative_names=["www.example.com"],
        ),
        ls.CreateCertificateResult,
    )
    await kit.operations.wait_all(requested.operations or [])  # until ISSUED

    attached = await kit.distributions.attach_certificate("site", "site-cert", wait=True)
    assert attached.operation_type == "AttachCertificateToDistribution"
    assert attached.status == "Succeeded"
    distribution = await kit.distributions.get("site")
    assert distribution.certificate_name == "site-cert"
    assert set(distribution.alternative_domain_names or ()) == {"example.com", "www.example.com"}

    detached = await kit.distributions.detach_certificate("site", wait=True)
    assert detached.operation_type == "DetachCertificateFromDistribution"
    distribution = await kit.distributions.get("site")
    assert distribution.certificate_name is None
    assert distribution.alternative_domain_names == []


async def test_attach_a_missing_certificate_is_not_found(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    await create_site(kit)
    with pytest.raises(cdnkit.NotFoundError):
        await kit.distributions.attach_certificate("site", "no-such-cert")
    assert emulator.counters.count("lightsail", "AttachCertificateToDistribution") == 1


async def test_metric_data(kit: cdnkit.Lightsail) -> None:
    await create_site(kit)
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    points = await kit.distributions.metric_data(
        "site",
        metric_name="Requests",
        start_time=end - timedelta(hours=1),
        end_time=end,
        period=300,
        unit="None",
        statistics=["Sum", "Average"],
    )
    assert len(points) == 12
    assert all(isinstance(point, ls.MetricDatapoint) for point in points)
    assert all(point.sum is not None and point.average is not None for point in points)
    assert all(point.maximum is None for point in points)  # not asked for
    assert points == sorted(points, key=lambda point: point.timestamp or end)


async def test_wait_deployed(kit: cdnkit.Lightsail) -> None:
    await create_site(kit, wait=False)
    distribution = await kit.distributions.wait_deployed("site")
    assert distribution.status == "Deployed"


async def test_a_created_distribution_round_trips_its_origin(kit: cdnkit.Lightsail) -> None:
    created = await create_site(kit, wait=False)
    got = created.distribution.origin
    assert got is not None
    assert (got.name, got.region_name, got.protocol_policy) == (
        origin().name,
        origin().region_name,
        origin().protocol_policy,
    )


async def test_modify_does_not_refuse_an_enum_value_newer_than_botocore_it_did_not_touch(
    monkeypatch: pytest.MonkeyPatch, emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    """Only what the mutator changed is checked client-side; what was read goes back as read."""
    await create_site(kit)
    current = await kit.distributions.get("site")
    wire = current.model_dump(by_alias=True, exclude_none=True)
    wire["defaultCacheBehavior"]["behavior"] = "stale-while-revalidate"  # not in this botocore
    newer = parse_response(ls.LightsailDistribution, wire)

    async def get(name: str) -> ls.LightsailDistribution:
        return newer

    monkeypatch.setattr(kit.distributions, "get", get)

    def disable(settings: ls.UpdateDistributionRequest) -> None:
        settings.is_enabled = False

    # The emulator knows only this botocore's values and refuses it, as an older service
    # would; the point is that the request was sent rather than refused client-side.
    with pytest.raises(cdnkit.ServerValidationError):
        await kit.distributions.modify("site", disable)
    assert emulator.counters.count("lightsail", "UpdateDistribution") == 1

    def bogus_behavior(settings: ls.UpdateDistributionRequest) -> None:
        # model_construct skips validation, like a plain attribute assignment does.
        settings.default_cache_behavior = ls.CacheBehavior.model_construct(behavior="bogus")  # type: ignore[arg-type]  # the bad value is the point

    with pytest.raises(cdnkit.RequestValidationError):
        await kit.distributions.modify("site", bogus_behavior)
    assert emulator.counters.count("lightsail", "UpdateDistribution") == 1
