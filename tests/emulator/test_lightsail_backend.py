"""The Lightsail backend called directly, with botocore-form parameters."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cdnkit.testing._backend import (
    Clock,
    EmulatedErrorReply,
    JsonDict,
    Request,
    SharedState,
    Timing,
)
from cdnkit.testing._lightsail import LightsailBackend

OPERATION_SECONDS = 1.0
DEPLOY_SECONDS = 2.0
WAIT = "Please wait for it to complete before trying again"


class FrozenClock(Clock):
    """Time moves only when a test advances it, so no assertion depends on machine speed."""

    def __init__(self) -> None:
        super().__init__()
        self._start = datetime(2025, 1, 1, tzinfo=UTC)

    def monotonic(self) -> float:
        return 1000.0 + self._offset

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._offset)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def backend(clock: FrozenClock) -> LightsailBackend:
    timing = Timing(
        lightsail_operation=OPERATION_SECONDS, lightsail_distribution_deploy=DEPLOY_SECONDS
    )
    return LightsailBackend(SharedState(clock=clock, timing=timing))


def call(
    backend: LightsailBackend, operation: str, region: str = "us-east-1", **params: Any
) -> JsonDict:
    request = Request(
        service="lightsail", operation=operation, params=params, headers={}, region=region
    )
    return backend.handle(request)


def refused(
    backend: LightsailBackend, operation: str, region: str = "us-east-1", **params: Any
) -> EmulatedErrorReply:
    with pytest.raises(EmulatedErrorReply) as caught:
        call(backend, operation, region, **params)
    return caught.value


def create(backend: LightsailBackend, name: str = "site", **overrides: Any) -> JsonDict:
    params: JsonDict = {
        "distributionName": name,
        "origin": {"name": "web-1", "regionName": "us-east-1"},
        "defaultCacheBehavior": {"behavior": "cache"},
        "bundleId": "small_1_0",
    }
    params.update(overrides)
    return call(backend, "CreateDistribution", **params)


def get(backend: LightsailBackend, name: str = "site") -> JsonDict:
    distributions = call(backend, "GetDistributions", distributionName=name)["distributions"]
    assert len(distributions) == 1
    distribution: JsonDict = distributions[0]
    return distribution


def operation(backend: LightsailBackend, operation_id: str) -> JsonDict:
    result: JsonDict = call(backend, "GetOperation", operationId=operation_id)["operation"]
    return result


def settle(clock: FrozenClock) -> None:
    clock.advance(DEPLOY_SECONDS + OPERATION_SECONDS)


def issued_certificate(
    backend: LightsailBackend, clock: FrozenClock, name: str = "cert", region: str = "us-east-1"
) -> JsonDict:
    reply = call(
        backend,
        "CreateCertificate",
        region,
        certificateName=name,
        domainName="example.com",
        subjectAlternativeNames=["www.example.com"],
    )
    clock.advance(OPERATION_SECONDS)
    return reply


# -- create and read -------------------------------------------------------------------------


def test_create_returns_a_plausible_distribution_and_a_started_operation(
    backend: LightsailBackend,
) -> None:
    reply = create(backend, tags=[{"key": "team", "value": "web"}])
    distribution = reply["distribution"]
    assert distribution["name"] == "site"
    assert re.fullmatch(
        r"arn:aws:lightsail:us-east-1:123456789012:Distribution/[0-9a-f-]{36}", distribution["arn"]
    )
    assert distribution["resourceType"] == "Distribution"
    assert distribution["location"] == {"availabilityZone": "all", "regionName": "global"}
    assert distribution["status"] == "InProgress"
    assert distribution["isEnabled"] is True
    assert distribution["domainName"].endswith(".cloudfront.net")
    assert distribution["bundleId"] == "small_1_0"
    assert distribution["ableToUpdateBundle"] is True
    assert distribution["ipAddressType"] == "dualstack"
    assert distribution["origin"]["name"] == "web-1"
    assert distribution["origin"]["resourceType"] == "Instance"
    assert distribution["origin"]["regionName"] == "us-east-1"
    assert distribution["origin"]["protocolPolicy"] == "http-only"
    assert distribution["originPublicDNS"]
    assert distribution["defaultCacheBehavior"] == {"behavior": "cache"}
    assert distribution["cacheBehaviorSettings"]["defaultTTL"] == 86400
    assert distribution["tags"] == [{"key": "team", "value": "web"}]
    assert isinstance(distribution["createdAt"], datetime)
    assert distribution["supportCode"]

    op = reply["operation"]
    uuid.UUID(op["id"])
    assert op["resourceName"] == "site"
    assert op["resourceType"] == "Distribution"
    assert op["operationType"] == "CreateDistribution"
    assert op["status"] == "Started"
    assert op["isTerminal"] is False
    assert op["location"] == {"availabilityZone": "all", "regionName": "global"}


def test_operation_succeeds_after_the_operation_time(
    backend: LightsailBackend, clock: FrozenClock
) -> None:
    op_id = create(backend)["operation"]["id"]
    clock.advance(OPERATION_SECONDS / 2)
    assert operation(backend, op_id)["status"] == "Started"
    clock.advance(OPERATION_SECONDS / 2)
    done = operation(backend, op_id)
    assert done["status"] == "Succeeded"
    assert done["isTerminal"] is True
    assert done["statusChangedAt"] - done["createdAt"] == timedelta(seconds=OPERATION_SECONDS)
    assert "errorCode" not in done


def test_distribution_is_deployed_after_the_deploy_time(
    backend: LightsailBackend, clock: FrozenClock
) -> None:
    create(backend)
    clock.advance(OPERATION_SECONDS)
    assert get(backend)["status"] == "InProgress"
    clock.advance(DEPLOY_SECONDS - OPERATION_SECONDS)
    assert get(backend)["status"] == "Deployed"


def test_create_with_an_existing_name_is_refused(backend: LightsailBackend) -> None:
    create(backend)
    error = refused(
        backend,
        "CreateDistribution",
        distributionName="site",
        origin={"name": "web-2", "regionName": "us-east-1"},
        defaultCacheBehavior={"behavior": "cache"},
        bundleId="small_1_0",
    )
    assert error.code == "InvalidInputException"
    assert "already exists" in error.message


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"bundleId": "huge_9_9"}, "bundle"),
        ({"origin": {"name": "web-1"}}, "regionName"),
        ({"origin": {"name": "w", "regionName": "us-east-1", "responseTimeout": 61}}, "Timeout"),
        ({"cacheBehaviorSettings": {"minimumTTL": 10, "defaultTTL": 5}}, "minimumTTL"),
        ({"cacheBehaviorSettings": {"allowedHTTPMethods": "GET,POST"}}, "allowedHTTPMethods"),
        ({"cacheBehaviors": [{"path": "/a", "behavior": "cache"}] * 2}, "more than one"),
        ({"tags": [{"key": "a"}, {"key": "a"}]}, "unique"),
        ({"certificateName": "missing"}, "does not exist"),
    ],
)
def test_create_rejects_invalid_input(
    backend: LightsailBackend, overrides: JsonDict, fragment: str
) -> None:
    with pytest.raises(EmulatedErrorReply) as caught:
        create(backend, **overrides)
    assert fragment in caught.value.message
    assert caught.value.code in ("InvalidInputException", "NotFoundException")
    assert call(backend, "GetDistributions")["distributions"] == []


@pytest.mark.parametrize(
    ("operation_name", "params"),
    [
        ("GetDistributions", {}),
        ("GetDistributionBundles", {}),
        ("DeleteDistribution", {"distributionName": "site"}),
        ("ResetDistributionCache", {"distributionName": "site"}),
    ],
)
def test_distribution_apis_answer_only_in_us_east_1(
    backend: LightsailBackend, operation_name: str, params: JsonDict
) -> None:
    create(backend)
    error = refused(backend, operation_name, "eu-west-1", **params)
    assert error.code == "InvalidInputException"
    assert "us-east-1" in error.message


def test_create_outside_us_east_1_is_refused(backend: LightsailBackend) -> None:
    with pytest.raises(EmulatedErrorReply) as caught:
        backend.handle(
            Request(
                service="lightsail",
                operation="CreateDistribution",
                params={
                    "distributionName": "site",
                    "origin": {"name": "web-1", "regionName": "eu-west-1"},
                    "defaultCacheBehavior": {"behavior": "cache"},
                    "bundleId": "small_1_0",
                },
                headers={},
                region="eu-west-1",
            )
        )
    assert caught.value.code == "InvalidInputException"


def test_get_distributions_for_a_missing_name_is_invalid_input(backend: LightsailBackend) -> None:
    error = refused(backend, "GetDistributions", distributionName="nope")
    assert (error.code, error.message) == ("InvalidInputException", "Requested resource not found")


@pytest.mark.parametrize(
    ("operation_name", "extra"),
    [
        ("UpdateDistribution", {"isEnabled": False}),
        ("DeleteDistribution", {}),
        ("ResetDistributionCache", {}),
        ("GetDistributionLatestCacheReset", {}),
        ("UpdateDistributionBundle", {"bundleId": "medium_1_0"}),
        ("AttachCertificateToDistribution", {"certificateName": "cert"}),
        ("DetachCertificateFromDistribution", {}),
    ],
)
def test_other_calls_on_a_missing_distribution_are_not_found(
    backend: LightsailBackend, operation_name: str, extra: JsonDict
) -> None:
    error = refused(backend, operation_name, distributionName="nope", **extra)
    assert error.code == "NotFoundException"
    assert "nope" in error.message


def test_get_distributions_pages_through_all(backend: LightsailBackend) -> None:
    backend.page_size = 2
    for index in range(5):
        create(backend, f"site-{index}")
    names: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        params = {} if token is None else {"pageToken": token}
        reply = call(backend, "GetDistributions", **params)
        pages += 1
        names += [d["name"] for d in reply["distributions"]]
        token = reply.get("nextPageToken")
        if token is None:
            break
    assert pages == 3
    assert names == [f"site-{index}" for index in range(5)]


def test_a_bad_page_token_is_invalid_input(backend: LightsailBackend) -> None:
    assert refused(backend, "GetDistributions", pageToken="garbage!").code == (
        "InvalidInputException"
    )


def test_replies_are_copies_of_the_stored_state(backend: LightsailBackend) -> None:
    reply = create(backend)
    reply["distribution"]["cacheBehaviorSettings"]["defaultTTL"] = 1
    reply["distribution"]["tags"].append({"key": "x"})
    get(backend)["origin"]["name"] = "changed"
    stored = get(backend)
    assert stored["cacheBehaviorSettings"]["defaultTTL"] == 86400
    assert stored["tags"] == []
    assert stored["origin"]["name"] == "web-1"


# -- update, delete, busy --------------------------------------------------------------------


def test_a_change_while_in_progress_is_refused_with_please_wait(
    backend: LightsailBackend, clock: FrozenClock
) -> None:
    create(backend)
    changes: list[tuple[str, JsonDict]] = [
        ("UpdateDistribution", {"isEnabled": False}),
        ("DeleteDistribution", {}),
        ("ResetDistributionCache", {}),
        ("UpdateDistributionBundle", {"bundleId": "medium_1_0"}),
    ]
    for operation_name, extra in changes:
        error = refused(backend, operation_name, distributionName="site", **extra)
        assert error.code == "InvalidInputException"
        assert WAIT in error.message
    # The operation has ended but the distribution is not Deployed yet: still refused.
    clock.advance(OPERATION_SECONDS)
    assert WAIT in refused(backend, "UpdateDistribution", distributionName="site").message
    clock.advance(DEPLOY_SECONDS)
    reply = call(backend, "UpdateDistribution", distributionName="site", isEnabled=False)
    assert reply["operation"]["operationType"] == "UpdateDistribution"
    assert WAIT in refused(backend, "DeleteDistribution", distributionName="site").message


def test_invalid_input_is_reported_before_busy(backend: LightsailBackend) -> None:
    create(backend)
    error = refused(
        backend,
        "UpdateDistribution",
        distributionName="site",
        cacheBehaviorSettings={"cachedHTTPMethods": "POST"},
    )
    assert WAIT not in error.message
    assert "cachedHTTPMethods" in error.message


def test_update_replaces_cache_behavior_settings_wholesale(
    backend: LightsailBackend, clock: FrozenClock
) -> None:
    create(
        backend,
        cacheBehaviorSettings={
            "defaultTTL": 100,
            "maximumTTL": 1000,
            "forwardedQueryStrings": {"option": True},
        },
        cacheBehaviors=[{"path": "/static/*", "behavior": "cache"}],
    )
    settle(clock)
    call(
        backend,
        "UpdateDistribution",
        distributionName="site",
        cacheBehaviorSettings={"defaultTTL": 300},
    )
    updated = get(backend)
    assert updated["cacheBehaviorSettings"] == {"defaultTTL": 300}
    # Top-level members left out of the update keep their values.
    assert updated["cacheBehaviors"] == [{"path": "/static/*", "behavior": "cache"}]
    assert updated["isEnabled"] is True
    assert updated["status"] == "InProgress"


def test_update_changes_the_members_it_names(backend: LightsailBackend, clock: FrozenClock) -> None:
    create(backend)
    settle(clock)
    call(
        backend,
        "UpdateDistribution",
        distributionName="site",
        isEnabled=False,
        defaultCacheBehavior={"behavior": "dont-cache"},
        origin={"name": "web-2", "regionName": "eu-west-1", "protocolPolicy": "https-only"},
        viewerMinimumTlsProtocolVersion="TLSv1.2_2019",
        defaultRootObject="index.html",
    )
    updated = get(backend)
    assert updated["isEnabled"] is False
    assert updated["defaultCacheBehavior"] == {"behavior": "dont-cache"}
    assert updated["origin"]["name"] == "web-2"
    assert updated["origin"]["regionName"] == "eu-west-1"
    assert updated["origin"]["protocolPolicy"] == "https-only"
    assert updated["viewerMinimumTlsProtocolVersion"] == "TLSv1.2_2019"
    assert updated["defaultRootObject"] == "index.html"
    assert updated["cacheBehaviorSettings"]["defaultTTL"] == 86400


def test_delete_removes_the_distribution_and_keeps_its_operations(
    backend: LightsailBackend, clock: FrozenClock
) -> None:
    create(backend)
    settle(clock)
    op = call(backend, "DeleteDistribution", distributionName="site")["operation"]
    assert op["operationType"] == "DeleteDistribution"
    assert refused(backend, "GetDistributions", distributionName="site").code == (
        "InvalidInputException"
    )
    history = call(backend, "GetOperationsForResource", resourceName="site")["operations"]
    assert [o["operationType"] for o in history] == ["CreateDistribution", "DeleteDistribution"]
    # The name is free again.
    create(backend)


# -- cache reset -----------------------------------------------------------------------------


def test_reset_cache_progresses_and_is_reported_as_latest(
    backend: LightsailBackend, clock: FrozenClock
) -> None:
    create(backend)
    settle(clock)
    assert call(backend, "GetDistributionLatestCacheReset", distributionName="site") == {}
    reply = call(backend, "ResetDistributionCache", distributionName="site")
    assert reply["status"] == "InProgress"
    assert isinstance(reply["createTime"], datetime)
    assert reply["operation"]["operationType"] == "ResetDistributionCache"
    assert get(backend)["status"] == "Deployed"
    latest = call(backend, "GetDistributionLatestCacheReset", distributionName="site")
    assert latest == {"status": "InProgress", "createTime": reply["createTime"]}
    clock.advance(OPERATION_SECONDS)
    latest = call(backend, "GetDistributionLatestCacheReset", distributionName="site")
    assert latest["status"] == "Completed"


# -- bundles ---------------------------------------------------------------------------------


def test_bundles_are_listed_with_the_model_fields(backend: LightsailBackend) -> None:
    bundles = {b["bundleId"]: b for b in call(backend, "GetDistributionBundles")["bundles"]}
    assert {"small_1_0", "medium_1_0", "large_1_0"} <= set(bundles)
    for bundle in bundles.values():
        assert set(bundle) == {"bundleId", "name", "price", "transferPerMonthInGb", "isActive"}
        assert bundle["price"] > 0
        assert bundle["transferPerMonthInGb"] > 0


def test_the_bundle_can_be_changed_once(backend: LightsailBackend, clock: FrozenClock) -> None:
    create(backend)
    settle(clock)
    reply = call(
        backend, "UpdateDistributionBundle", distributionName="site", bundleId="medium_1_0"
    )
    assert reply["operation"]["operationType"] == "UpdateDistributionBundle"
    settle(clock)
    changed = get(backend)
    assert changed["bundleId"] == "medium_1_0"
    assert changed["ableToUpdateBundle"] is False
    error = refused(
        backend, "UpdateDistributionBundle", distributionName="site", bundleId="large_1_0"
    )
    assert error.code == "InvalidInputException"
    assert "once" in error.message
    backend.start_new_billing_cycle()
    call(backend, "UpdateDistributionBundle", distributionName="site", bundleId="large_1_0")
    assert get(backend)["bundleId"] == "large_1_0"


def test_an_unknown_bundle_is_refused(backend: LightsailBackend, clock: FrozenClock) -> None:
    create(backend)
    settle(clock)
    error = refused(
        backend, "UpdateDistributionBundle", distributionName="site", bundleId="huge_9_9"
    )
    assert error.code == "InvalidInputException"
    assert get(backend)["ableToUpdateBundle"] is True


# -- certificates ----------------------------------------------------------------------------


def test_certificate_is_pending_then_issued(backend: LightsailBackend, clock: FrozenClock) -> None:
    reply = call(backend, "CreateCertificate", certificateName="cert", domainName="example.com")
    certificate = reply["certificate"]
    assert certificate["certificateName"] == "cert"
    assert certificate["certificateArn"].startswith("arn:aws:lightsail:us-east-1:")
    assert certificate["certificateDetail"]["status"] == "PENDING_VALIDATION"
    assert reply["operations"][0]["operationType"] == "CreateCertificate"
    assert reply["operations"][0]["resourceType"] == "Certificate"
    assert reply["operations"][0]["location"]["regionName"] == "us-east-1"
    clock.advance(OPERATION_SECONDS)
    listed = call(backend, "GetCertificates", includeCertificateDetails=True)["certificates"]
    assert [c["certificateDetail"]["status"] for c in listed] == ["ISSUED"]
    summary = call(backend, "GetCertificates")["certificates"][0]
    assert "certificateDetail" not in summary


def test_certificate_rules(backend: LightsailBackend) -> None:
    call(backend, "CreateCertificate", certificateName="cert", domainName="example.com")
    duplicate = refused(
        backend, "CreateCertificate", certificateName="cert", domainName="example.org"
    )
    assert "already exists" in duplicate.message
    wildcard = refused(
        backend, "CreateCertificate", certificateName="wild", domainName="*.example.com"
    )
    assert wildcard.code == "InvalidInputException"
    too_many = refused(
        backend,
        "CreateCertificate",
        certificateName="many",
        domainName="example.com",
        subjectAlternativeNames=[f"s{i}.example.com" for i in range(10)],
    )
    assert too_many.code == "InvalidInputException"
    assert refused(backend, "DeleteCertificate", certificateName="nope").code == (
        "NotFoundException"
    )


def test_attach_needs_an_issued_certificate(backend: LightsailBackend, clock: FrozenClock) -> None:
    create(backend)
    settle(clock)
    call(backend, "CreateCertificate", certificateName="cert", domainName="example.com")
    pending = refused(
        backend, "AttachCertificateToDistribution", distributionName="site", certificateName="cert"
    )
    assert pending.code == "InvalidInputException"
    assert "ISSUED" in pending.message
    missing = refused(
        backend, "AttachCertificateToDistribution", distributionName="site", certificateName="nope"
    )
    assert missing.code == "NotFoundException"


def test_only_us_east_1_certificates_attach(backend: LightsailBackend, clock: FrozenClock) -> None:
    create(backend)
    settle(clock)
    issued_certificate(backend, clock, region="eu-west-1")
    error = refused(
        backend, "AttachCertificateToDistribution", distributionName="site", certificateName="cert"
    )
    assert error.code == "NotFoundException"
    assert "us-east-1" in error.message


def test_attach_and_detach_a_certificate(backend: LightsailBackend, clock: FrozenClock) -> None:
    create(backend)
    issued_certificate(backend, clock)
    settle(clock)
    op = call(
        backend, "AttachCertificateToDistribution", distributionName="site", certificateName="cert"
    )["operation"]
    assert op["operationType"] == "AttachCertificateToDistribution"
    attached = get(backend)
    assert attached["certificateName"] == "cert"
    assert attached["alternativeDomainNames"] == ["example.com", "www.example.com"]
    assert attached["status"] == "InProgress"
    detail = call(
        backend, "GetCertificates", certificateName="cert", includeCertificateDetails=True
    )
    assert detail["certificates"][0]["certificateDetail"]["inUseResourceCount"] == 1
    in_use = refused(backend, "DeleteCertificate", certificateName="cert")
    assert in_use.code == "InvalidInputException"
    settle(clock)
    op = call(backend, "DetachCertificateFromDistribution", distributionName="site")["operation"]
    assert op["operationType"] == "DetachCertificateFromDistribution"
    detached = get(backend)
    assert "certificateName" not in detached
    assert detached["alternativeDomainNames"] == []
    settle(clock)
    no_certificate = refused(backend, "DetachCertificateFromDistribution", distributionName="site")
    assert no_certificate.code == "InvalidInputException"
    call(backend, "DeleteCertificate", certificateName="cert")
    assert call(backend, "GetCertificates")["certificates"] == []


def test_create_and_update_can_name_a_certificate(
    backend: LightsailBackend, clock: FrozenClock
) -> None:
    issued_certificate(backend, clock)
    created = create(backend, certificateName="cert")["distribution"]
    assert created["certificateName"] == "cert"
    assert created["alternativeDomainNames"] == ["example.com", "www.example.com"]
    settle(clock)
    call(backend, "UpdateDistribution", distributionName="site", useDefaultCertificate=True)
    assert "certificateName" not in get(backend)


def test_get_certificates_filters_and_pages(backend: LightsailBackend, clock: FrozenClock) -> None:
    backend.page_size = 1
    issued_certificate(backend, clock, name="old")
    call(backend, "CreateCertificate", certificateName="new", domainName="example.org")
    pending = call(backend, "GetCertificates", certificateStatuses=["PENDING_VALIDATION"])
    assert [c["certificateName"] for c in pending["certificates"]] == ["new"]
    first = call(backend, "GetCertificates")
    second = call(backend, "GetCertificates", pageToken=first["nextPageToken"])
    assert [c["certificateName"] for c in first["certificates"] + second["certificates"]] == [
        "old",
        "new",
    ]
    assert "nextPageToken" not in second


# -- metrics ---------------------------------------------------------------------------------


def test_metric_data_is_plausible_and_stable(backend: LightsailBackend, clock: FrozenClock) -> None:
    create(backend)
    end = clock.now()
    params: JsonDict = {
        "distributionName": "site",
        "metricName": "Requests",
        "startTime": end - timedelta(hours=1),
        "endTime": end,
        "period": 300,
        "unit": "None",
        "statistics": ["Sum", "Average"],
    }
    reply = call(backend, "GetDistributionMetricData", **params)
    assert reply["metricName"] == "Requests"
    points = reply["metricData"]
    assert len(points) == 12
    assert [p["timestamp"] for p in points] == sorted(p["timestamp"] for p in points)
    for point in points:
        assert set(point) == {"timestamp", "unit", "sum", "average"}
        assert point["unit"] == "None"
        assert point["sum"] == pytest.approx(point["average"] * 5, rel=1e-3)
        assert point["sum"] > 0
    assert call(backend, "GetDistributionMetricData", **params) == reply


def test_metric_data_with_another_unit_is_empty(
    backend: LightsailBackend, clock: FrozenClock
) -> None:
    create(backend)
    end = clock.now()
    reply = call(
        backend,
        "GetDistributionMetricData",
        distributionName="site",
        metricName="Http4xxErrorRate",
        startTime=end - timedelta(hours=1),
        endTime=end,
        period=60,
        unit="Count",
        statistics=["Average"],
    )
    assert reply == {"metricName": "Http4xxErrorRate", "metricData": []}


def test_metric_data_rejects_a_reversed_interval(
    backend: LightsailBackend, clock: FrozenClock
) -> None:
    create(backend)
    end = clock.now()
    error = refused(
        backend,
        "GetDistributionMetricData",
        distributionName="site",
        metricName="Requests",
        startTime=end,
        endTime=end - timedelta(hours=1),
        period=60,
        unit="None",
        statistics=["Sum"],
    )
    assert error.code == "InvalidInputException"


# -- operations ------------------------------------------------------------------------------


def test_get_operations_pages_oldest_first_within_the_region(
    backend: LightsailBackend, clock: FrozenClock
) -> None:
    backend.operations_page_size = 2
    for index in range(3):
        create(backend, f"site-{index}")
    call(backend, "CreateCertificate", "eu-west-1", certificateName="c", domainName="a.example")
    first = call(backend, "GetOperations")
    second = call(backend, "GetOperations", pageToken=first["nextPageToken"])
    assert "nextPageToken" not in second
    names = [op["resourceName"] for op in first["operations"] + second["operations"]]
    assert names == ["site-0", "site-1", "site-2"]
    elsewhere = call(backend, "GetOperations", "eu-west-1")["operations"]
    assert [op["resourceName"] for op in elsewhere] == ["c"]


def test_operations_for_a_resource(backend: LightsailBackend, clock: FrozenClock) -> None:
    create(backend, "site-a")
    create(backend, "site-b")
    settle(clock)
    call(backend, "UpdateDistribution", distributionName="site-a", isEnabled=False)
    history = call(backend, "GetOperationsForResource", resourceName="site-a")["operations"]
    assert [op["operationType"] for op in history] == ["CreateDistribution", "UpdateDistribution"]
    assert {op["resourceName"] for op in history} == {"site-a"}
    assert refused(backend, "GetOperationsForResource", resourceName="zzz").code == (
        "NotFoundException"
    )


def test_an_unknown_operation_id_is_not_found(backend: LightsailBackend) -> None:
    assert refused(backend, "GetOperation", operationId="nope").code == "NotFoundException"


def test_an_unsupported_action_is_refused(backend: LightsailBackend) -> None:
    assert refused(backend, "GetInstances").code == "UnknownOperationException"


# -- injected failures -----------------------------------------------------------------------


def test_a_failed_create_ends_failed_and_the_distribution_disappears(
    backend: LightsailBackend, clock: FrozenClock
) -> None:
    backend.fail_next_operations(error_code="CdnFailure", error_details="origin unreachable")
    reply = create(backend)
    assert reply["operation"]["status"] == "Started"
    assert get(backend)["status"] == "InProgress"
    clock.advance(OPERATION_SECONDS)
    failed = operation(backend, reply["operation"]["id"])
    assert failed["status"] == "Failed"
    assert failed["isTerminal"] is True
    assert failed["errorCode"] == "CdnFailure"
    assert failed["errorDetails"] == "origin unreachable"
    assert refused(backend, "GetDistributions", distributionName="site").message == (
        "Requested resource not found"
    )
    # Only one failure was asked for: the retry succeeds.
    retry = create(backend)
    clock.advance(OPERATION_SECONDS)
    assert operation(backend, retry["operation"]["id"])["status"] == "Succeeded"


def test_failed_changes_leave_the_distribution_as_it_was(
    backend: LightsailBackend, clock: FrozenClock
) -> None:
    create(backend)
    settle(clock)
    backend.fail_next_operations(count=3)
    update = call(
        backend,
        "UpdateDistribution",
        distributionName="site",
        isEnabled=False,
        cacheBehaviorSettings={"defaultTTL": 5},
    )
    assert WAIT in refused(backend, "DeleteDistribution", distributionName="site").message
    assert get(backend)["status"] == "InProgress"
    settle(clock)
    bundle = call(
        backend, "UpdateDistributionBundle", distributionName="site", bundleId="medium_1_0"
    )
    settle(clock)
    delete = call(backend, "DeleteDistribution", distributionName="site")
    settle(clock)
    for op in (update, bundle, delete):
        assert operation(backend, op["operation"]["id"])["status"] == "Failed"
    unchanged = get(backend)
    assert unchanged["isEnabled"] is True
    assert unchanged["cacheBehaviorSettings"]["defaultTTL"] == 86400
    assert unchanged["bundleId"] == "small_1_0"
    assert unchanged["ableToUpdateBundle"] is True
    assert unchanged["status"] == "Deployed"


def test_a_failed_cache_reset_is_reported_failed(
    backend: LightsailBackend, clock: FrozenClock
) -> None:
    create(backend)
    settle(clock)
    backend.fail_next_operations()
    call(backend, "ResetDistributionCache", distributionName="site")
    clock.advance(OPERATION_SECONDS)
    latest = call(backend, "GetDistributionLatestCacheReset", distributionName="site")
    assert latest["status"] == "Failed"


def test_a_failed_certificate_request_leaves_it_failed(
    backend: LightsailBackend, clock: FrozenClock
) -> None:
    backend.fail_next_operations(error_details="validation timed out")
    call(backend, "CreateCertificate", certificateName="cert", domainName="example.com")
    clock.advance(OPERATION_SECONDS)
    detail = call(backend, "GetCertificates", includeCertificateDetails=True)["certificates"][0][
        "certificateDetail"
    ]
    assert detail["status"] == "FAILED"
    assert detail["requestFailureReason"] == "validation timed out"


# -- tags ------------------------------------------------------------------------------------


def test_tags_are_added_replaced_and_removed(backend: LightsailBackend, clock: FrozenClock) -> None:
    arn = create(backend, tags=[{"key": "team", "value": "web"}])["distribution"]["arn"]
    # Tagging is allowed while the distribution deploys.
    reply = call(
        backend,
        "TagResource",
        resourceName="site",
        resourceArn=arn,
        tags=[{"key": "team", "value": "cdn"}, {"key": "env"}],
    )
    assert reply["operations"][0]["operationType"] == "TagResource"
    assert reply["operations"][0]["resourceType"] == "Distribution"
    assert get(backend)["tags"] == [{"key": "team", "value": "cdn"}, {"key": "env"}]
    call(backend, "UntagResource", resourceName="site", tagKeys=["team"])
    assert get(backend)["tags"] == [{"key": "env"}]


def test_tagging_an_unknown_resource_is_not_found(backend: LightsailBackend) -> None:
    create(backend)
    assert refused(backend, "TagResource", resourceName="nope", tags=[{"key": "a"}]).code == (
        "NotFoundException"
    )
    wrong_arn = "arn:aws:lightsail:us-east-1:123456789012:Distribution/other"
    error = refused(
        backend, "TagResource", resourceName="site", resourceArn=wrong_arn, tags=[{"key": "a"}]
    )
    assert error.code == "NotFoundException"


def test_certificates_can_be_tagged(backend: LightsailBackend, clock: FrozenClock) -> None:
    issued_certificate(backend, clock)
    reply = call(backend, "TagResource", resourceName="cert", tags=[{"key": "a", "value": "1"}])
    assert reply["operations"][0]["resourceType"] == "Certificate"
    assert call(backend, "GetCertificates")["certificates"][0]["tags"] == [
        {"key": "a", "value": "1"}
    ]


# -- controls --------------------------------------------------------------------------------


def test_out_of_band_write_changes_the_distribution_and_makes_it_busy(
    backend: LightsailBackend, clock: FrozenClock
) -> None:
    arn = create(backend)["distribution"]["arn"]
    settle(clock)
    assert backend.out_of_band_write("site") is True
    changed = get(backend)
    assert changed["cacheBehaviorSettings"]["forwardedQueryStrings"]["option"] is True
    assert changed["status"] == "InProgress"
    assert WAIT in refused(backend, "UpdateDistribution", distributionName="site").message
    history = call(backend, "GetOperationsForResource", resourceName="site")["operations"]
    assert history[-1]["operationType"] == "UpdateDistribution"
    settle(clock)
    assert backend.out_of_band_write(arn) is True
    assert get(backend)["cacheBehaviorSettings"]["forwardedQueryStrings"]["option"] is False
    assert backend.out_of_band_write("nope") is False


def test_reset_forgets_everything(backend: LightsailBackend, clock: FrozenClock) -> None:
    create(backend)
    issued_certificate(backend, clock)
    backend.fail_next_operations()
    backend.reset()
    assert call(backend, "GetDistributions")["distributions"] == []
    assert call(backend, "GetCertificates")["certificates"] == []
    assert call(backend, "GetOperations")["operations"] == []
    reply = create(backend)
    clock.advance(OPERATION_SECONDS)
    assert operation(backend, reply["operation"]["id"])["status"] == "Succeeded"
