"""The emulated Lightsail CDN: distributions, certificates, operations and tags, in memory.

Calls arrive in botocore's Python form (see :mod:`cdnkit.testing._backend`). Behaviour follows
AWS-FACTS.md; where the real service is unverified, the choice made here is written down:

* **Not found.** ``GetDistributions`` for a missing name answers InvalidInputException
  "Requested resource not found", as AWS does. Every other call naming a missing distribution,
  certificate or operation answers NotFoundException.
* **Error bodies** carry ``__type`` and ``message`` only. AWS also sends the model's ``code``
  member on some NotFoundException replies (``"DoesNotExist"``: terraform-provider-aws matches
  that text because the typed error is missing; aws-sdk-js-v3 #6606 reports the JavaScript SDK
  of the time, which read ``code`` before ``__type``, raising its base exception there). Which
  distribution calls do is unverified: :attr:`LightsailBackend.not_found_code` turns it on.
* **Operations** start ``Started`` and become ``Succeeded`` once ``timing.lightsail_operation``
  seconds have passed on the emulator's clock; statuses are computed when read, never by a timer.
* **Distribution status** is ``InProgress`` after a create, update, bundle or certificate change
  until ``timing.lightsail_distribution_deploy`` seconds have passed, then ``Deployed``.
* **Busy.** A change to a distribution is refused with the retryable "Please wait for it to
  complete before trying again" InvalidInputException while its last operation has not ended or
  it is not yet ``Deployed``. Tagging is never refused. Invalid input is reported before busy.
* **Injected failures** (:meth:`LightsailBackend.fail_next_operations`): the operation ends
  ``Failed`` with the given errorCode and errorDetails, and the change is not applied. A failed
  create shows the distribution ``InProgress`` until the operation fails, then the distribution
  is gone (its name is free again); a failed update, bundle change, certificate change, cache
  reset, delete or tag change leaves everything as it was. A failed certificate request leaves
  the certificate ``FAILED``.
* **Regions.** Distribution and bundle calls answer only in us-east-1. Certificates and
  operations belong to the region they were made in; only us-east-1 certificates attach.
"""

from __future__ import annotations

import base64
import binascii
import copy
import dataclasses
import random
import secrets
import string
import uuid
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Final, TypeVar

from cdnkit.testing._backend import (
    ACCOUNT_ID,
    REGION,
    EmulatedErrorReply,
    JsonDict,
    Request,
    SharedState,
)

_T = TypeVar("_T")

#: The only region that serves distribution APIs.
DISTRIBUTION_REGION: Final = REGION
#: Distributions report this region in their location, as AWS's own examples of global resources do.
_GLOBAL_REGION_NAME: Final = "global"
_WAIT_MESSAGE: Final = "Please wait for it to complete before trying again."
_MAX_TAGS: Final = 50
_MAX_SUBJECT_ALTERNATIVE_NAMES: Final = 9
_MAX_METRIC_DATAPOINTS: Final = 1440

_ALLOWED_METHOD_SETS: Final = frozenset(
    {"GET,HEAD", "GET,HEAD,OPTIONS", "GET,HEAD,OPTIONS,PUT,PATCH,POST,DELETE"}
)
_CACHED_METHOD_SETS: Final = frozenset({"GET,HEAD", "GET,HEAD,OPTIONS"})

#: What a distribution gets when its create names no cacheBehaviorSettings.
_DEFAULT_CACHE_SETTINGS: Final[JsonDict] = {
    "defaultTTL": 86400,
    "minimumTTL": 0,
    "maximumTTL": 31536000,
    "allowedHTTPMethods": "GET,HEAD,OPTIONS,PUT,PATCH,POST,DELETE",
    "cachedHTTPMethods": "GET,HEAD",
    "forwardedCookies": {"option": "none", "cookiesAllowList": []},
    "forwardedHeaders": {"option": "none", "headersAllowList": []},
    "forwardedQueryStrings": {"option": False, "queryStringsAllowList": []},
}

#: The unit each distribution metric is published in; another unit matches no datapoints.
_METRIC_UNITS: Final = {
    "Requests": "None",
    "BytesDownloaded": "None",
    "BytesUploaded": "None",
    "TotalErrorRate": "Percent",
    "Http4xxErrorRate": "Percent",
    "Http5xxErrorRate": "Percent",
}
#: Typical value of each metric for one minute of traffic.
_METRIC_PER_MINUTE: Final = {
    "Requests": 40.0,
    "BytesDownloaded": 900_000.0,
    "BytesUploaded": 20_000.0,
    "TotalErrorRate": 1.5,
    "Http4xxErrorRate": 1.2,
    "Http5xxErrorRate": 0.3,
}
_STATISTIC_MEMBERS: Final = {
    "Minimum": "minimum",
    "Maximum": "maximum",
    "Sum": "sum",
    "Average": "average",
    "SampleCount": "sampleCount",
}


@dataclasses.dataclass(frozen=True)
class DistributionBundle:
    """A distribution plan. Prices and quotas are plausible, not AWS's price list."""

    bundle_id: str
    name: str
    price: float
    transfer_per_month_in_gb: int
    is_active: bool = True

    def to_wire(self) -> JsonDict:
        return {
            "bundleId": self.bundle_id,
            "name": self.name,
            "price": self.price,
            "transferPerMonthInGb": self.transfer_per_month_in_gb,
            "isActive": self.is_active,
        }


BUNDLES: Final = (
    DistributionBundle("small_1_0", "Small", 2.5, 50),
    DistributionBundle("medium_1_0", "Medium", 5.0, 100),
    DistributionBundle("large_1_0", "Large", 10.0, 200),
)
_BUNDLES_BY_ID: Final = {bundle.bundle_id: bundle for bundle in BUNDLES}


@dataclasses.dataclass(frozen=True)
class _InjectedFailure:
    error_code: str
    error_details: str


@dataclasses.dataclass
class _Operation:
    id: str
    resource_name: str
    resource_type: str
    operation_type: str
    #: Region whose GetOperations lists it.
    region: str
    #: Region written in its location ("global" for distributions).
    location_region: str
    details: str
    created_at: datetime
    #: Monotonic time at which it becomes terminal.
    ends_at: float
    ended_at: datetime
    failure: _InjectedFailure | None

    @property
    def succeeds(self) -> bool:
        return self.failure is None

    def to_wire(self, now: float) -> JsonDict:
        ended = now >= self.ends_at
        wire: JsonDict = {
            "id": self.id,
            "resourceName": self.resource_name,
            "resourceType": self.resource_type,
            "createdAt": self.created_at,
            "location": {"availabilityZone": "all", "regionName": self.location_region},
            "isTerminal": ended,
            "operationDetails": self.details,
            "operationType": self.operation_type,
            "status": "Started",
            "statusChangedAt": self.created_at,
        }
        if ended:
            wire["statusChangedAt"] = self.ended_at
            if self.failure is None:
                wire["status"] = "Succeeded"
            else:
                wire["status"] = "Failed"
                wire["errorCode"] = self.failure.error_code
                wire["errorDetails"] = self.failure.error_details
        return wire


@dataclasses.dataclass
class _CacheReset:
    created_at: datetime
    ends_at: float
    failed: bool

    def status(self, now: float) -> str:
        if now < self.ends_at:
            return "InProgress"
        return "Failed" if self.failed else "Completed"


@dataclasses.dataclass
class _Distribution:
    name: str
    arn: str
    support_code: str
    created_at: datetime
    domain_name: str
    bundle_id: str
    origin: JsonDict
    origin_public_dns: str
    default_cache_behavior: JsonDict
    cache_behavior_settings: JsonDict
    cache_behaviors: list[JsonDict]
    ip_address_type: str
    viewer_minimum_tls_protocol_version: str
    tags: list[JsonDict]
    #: Monotonic time at which the status turns Deployed.
    deployed_at: float
    #: Monotonic time at which its last operation ends.
    busy_until: float
    is_enabled: bool = True
    certificate_name: str | None = None
    alternative_domain_names: list[str] = dataclasses.field(default_factory=list)
    default_root_object: str | None = None
    custom_error_responses: list[JsonDict] = dataclasses.field(default_factory=list)
    able_to_update_bundle: bool = True
    #: A failed create: the distribution vanishes at this monotonic time.
    discard_at: float | None = None
    latest_cache_reset: _CacheReset | None = None

    def status(self, now: float) -> str:
        return "Deployed" if now >= self.deployed_at else "InProgress"

    def busy(self, now: float) -> bool:
        return now < max(self.busy_until, self.deployed_at)

    def to_wire(self, now: float) -> JsonDict:
        wire: JsonDict = {
            "name": self.name,
            "arn": self.arn,
            "supportCode": self.support_code,
            "createdAt": self.created_at,
            "location": {"availabilityZone": "all", "regionName": _GLOBAL_REGION_NAME},
            "resourceType": "Distribution",
            "alternativeDomainNames": list(self.alternative_domain_names),
            "status": self.status(now),
            "isEnabled": self.is_enabled,
            "domainName": self.domain_name,
            "bundleId": self.bundle_id,
            "origin": copy.deepcopy(self.origin),
            "originPublicDNS": self.origin_public_dns,
            "defaultCacheBehavior": copy.deepcopy(self.default_cache_behavior),
            "cacheBehaviorSettings": copy.deepcopy(self.cache_behavior_settings),
            "cacheBehaviors": copy.deepcopy(self.cache_behaviors),
            "ableToUpdateBundle": self.able_to_update_bundle,
            "ipAddressType": self.ip_address_type,
            "tags": copy.deepcopy(self.tags),
            "viewerMinimumTlsProtocolVersion": self.viewer_minimum_tls_protocol_version,
            "customErrorResponses": copy.deepcopy(self.custom_error_responses),
        }
        if self.certificate_name is not None:
            wire["certificateName"] = self.certificate_name
        if self.default_root_object is not None:
            wire["defaultRootObject"] = self.default_root_object
        return wire


@dataclasses.dataclass
class _Certificate:
    name: str
    arn: str
    region: str
    domain_name: str
    #: The primary domain first, then the alternative names, as ACM lists them.
    subject_alternative_names: list[str]
    tags: list[JsonDict]
    support_code: str
    serial_number: str
    created_at: datetime
    #: Monotonic time at which PENDING_VALIDATION turns ISSUED (or FAILED).
    issued_from: float
    issued_at: datetime
    failure: _InjectedFailure | None
    validation_tokens: dict[str, str]

    def status(self, now: float) -> str:
        if now < self.issued_from:
            return "PENDING_VALIDATION"
        return "FAILED" if self.failure is not None else "ISSUED"

    def summary(self, now: float, *, in_use: int, with_detail: bool) -> JsonDict:
        summary: JsonDict = {
            "certificateArn": self.arn,
            "certificateName": self.name,
            "domainName": self.domain_name,
            "tags": copy.deepcopy(self.tags),
        }
        if with_detail:
            summary["certificateDetail"] = self._detail(now, in_use)
        return summary

    def _detail(self, now: float, in_use: int) -> JsonDict:
        status = self.status(now)
        validation = {"ISSUED": "SUCCESS", "FAILED": "FAILED"}.get(status, "PENDING_VALIDATION")
        detail: JsonDict = {
            "arn": self.arn,
            "name": self.name,
            "domainName": self.domain_name,
            "status": status,
            "serialNumber": self.serial_number,
            "subjectAlternativeNames": list(self.subject_alternative_names),
            "domainValidationRecords": [
                {
                    "domainName": domain,
                    "resourceRecord": {
                        "name": f"_{token}.{domain}.",
                        "type": "CNAME",
                        "value": f"_{token[::-1]}.acm-validations.aws.",
                    },
                    "dnsRecordCreationState": {"code": "SUCCEEDED"},
                    "validationStatus": validation,
                }
                for domain, token in self.validation_tokens.items()
            ],
            "inUseResourceCount": in_use,
            "keyAlgorithm": "RSA-2048",
            "createdAt": self.created_at,
            "eligibleToRenew": "INELIGIBLE",
            "tags": copy.deepcopy(self.tags),
            "supportCode": self.support_code,
        }
        if status == "ISSUED":
            detail["issuedAt"] = self.issued_at
            detail["issuerCA"] = "Amazon"
            detail["notBefore"] = self.issued_at
            detail["notAfter"] = self.issued_at + timedelta(days=395)
        elif status == "FAILED" and self.failure is not None:
            detail["requestFailureReason"] = self.failure.error_details
        return detail


def _invalid(message: str) -> EmulatedErrorReply:
    return EmulatedErrorReply("InvalidInputException", message, 400)


def _not_found(message: str) -> EmulatedErrorReply:
    return EmulatedErrorReply("NotFoundException", message, 400)


def _optional(params: JsonDict, key: str, kind: type[_T]) -> _T | None:
    """``params[key]`` when present, checked against ``kind`` (a bool is not an int here)."""
    value = params.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _invalid(f"Invalid value for {key}.")
    return value


def _required(params: JsonDict, key: str, kind: type[_T]) -> _T:
    value = _optional(params, key, kind)
    if value is None or value == "":
        raise _invalid(f"The {key} parameter is required.")
    return value


def _dicts(params: JsonDict, key: str) -> list[JsonDict] | None:
    items = _optional(params, key, list)
    if items is None:
        return None
    if not all(isinstance(item, dict) for item in items):
        raise _invalid(f"Invalid value for {key}.")
    return [dict(item) for item in items]


def _strings(params: JsonDict, key: str) -> list[str] | None:
    items = _optional(params, key, list)
    if items is None:
        return None
    if not all(isinstance(item, str) for item in items):
        raise _invalid(f"Invalid value for {key}.")
    return [str(item) for item in items]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _random_text(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _encode_page_token(kind: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{offset}".encode()).decode()


def _page(
    items: Sequence[_T], kind: str, token: str | None, size: int
) -> tuple[list[_T], str | None]:
    """One page of ``items`` and the token of the next page (None on the last page)."""
    offset = 0
    if token:
        try:
            token_kind, _, raw_offset = base64.urlsafe_b64decode(token).decode().partition(":")
            offset = int(raw_offset)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise _invalid("The page token is not valid.") from None
        if token_kind != kind or offset < 0:
            raise _invalid("The page token is not valid.")
    end = offset + max(size, 1)
    next_token = _encode_page_token(kind, end) if end < len(items) else None
    return list(items[offset:end]), next_token


def _validate_tags(tags: Iterable[JsonDict]) -> list[JsonDict]:
    """Tags as stored: ``key`` required, ``value`` optional, keys unique, at most 50."""
    result: list[JsonDict] = []
    seen: set[str] = set()
    for tag in tags:
        key = tag.get("key")
        value = tag.get("value")
        if not isinstance(key, str) or not key:
            raise _invalid("Every tag needs a key.")
        if value is not None and not isinstance(value, str):
            raise _invalid(f"The value of tag {key!r} must be a string.")
        if key in seen:
            raise _invalid(f"Tag keys must be unique; {key!r} appears more than once.")
        seen.add(key)
        result.append({"key": key} if value is None else {"key": key, "value": value})
    if len(result) > _MAX_TAGS:
        raise _invalid(f"A resource can have at most {_MAX_TAGS} tags.")
    return result


def _merge_tags(current: list[JsonDict], added: list[JsonDict]) -> list[JsonDict]:
    merged = {str(tag["key"]): tag for tag in current}
    merged.update({str(tag["key"]): tag for tag in added})
    if len(merged) > _MAX_TAGS:
        raise _invalid(f"A resource can have at most {_MAX_TAGS} tags.")
    return list(merged.values())


def _origin(given: JsonDict) -> JsonDict:
    """The stored Origin for an InputOrigin; AWS fills the members a caller leaves out."""
    name = given.get("name")
    region = given.get("regionName")
    if not isinstance(name, str) or not name:
        raise _invalid("The origin needs a name.")
    if not isinstance(region, str) or not region:
        raise _invalid("The origin needs a regionName.")
    timeout = given.get("responseTimeout", 30)
    if not isinstance(timeout, int) or isinstance(timeout, bool) or not 1 <= timeout <= 60:
        raise _invalid("The origin responseTimeout must be between 1 and 60 seconds.")
    return {
        "name": name,
        # No Lightsail instances are emulated: every origin counts as an instance.
        "resourceType": "Instance",
        "regionName": region,
        "protocolPolicy": given.get("protocolPolicy", "http-only"),
        "responseTimeout": timeout,
        "ipAddressType": given.get("ipAddressType", "ipv4"),
        "isPrivateOriginAccessEnabled": False,
    }


def _origin_public_dns(origin_name: str) -> str:
    # A documentation address (TEST-NET-1), stable per origin name.
    return f"192.0.2.{zlib.crc32(origin_name.encode()) % 254 + 1}"


def _validate_cache_settings(settings: JsonDict) -> JsonDict:
    """Check the documented constraints; the object is stored exactly as given."""
    ttls: dict[str, int] = {}
    for key in ("minimumTTL", "defaultTTL", "maximumTTL"):
        value = settings.get(key)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise _invalid(f"{key} must be a number of seconds, zero or more.")
        ttls[key] = value
    ordered = [ttls[key] for key in ("minimumTTL", "defaultTTL", "maximumTTL") if key in ttls]
    if ordered != sorted(ordered):
        raise _invalid("The TTLs must satisfy minimumTTL <= defaultTTL <= maximumTTL.")
    for key, allowed in (
        ("allowedHTTPMethods", _ALLOWED_METHOD_SETS),
        ("cachedHTTPMethods", _CACHED_METHOD_SETS),
    ):
        methods = settings.get(key)
        if methods is not None and str(methods).replace(" ", "").upper() not in allowed:
            raise _invalid(f"{key} must be one of: {', '.join(sorted(allowed))}.")
    headers = settings.get("forwardedHeaders")
    if isinstance(headers, dict) and headers.get("option") == "all" and ttls.get("minimumTTL", 0):
        raise _invalid("minimumTTL must be 0 when the distribution forwards all headers.")
    return copy.deepcopy(settings)


def _validate_cache_behaviors(behaviors: list[JsonDict]) -> list[JsonDict]:
    paths: set[str] = set()
    for behavior in behaviors:
        path = behavior.get("path")
        if not isinstance(path, str) or not path:
            raise _invalid("Every cache behavior needs a path.")
        if behavior.get("behavior") not in ("cache", "dont-cache"):
            raise _invalid(f"The cache behavior for {path!r} must be cache or dont-cache.")
        if path in paths:
            raise _invalid(f"The path {path!r} has more than one cache behavior.")
        paths.add(path)
    return copy.deepcopy(behaviors)


def _validate_default_cache_behavior(behavior: JsonDict) -> JsonDict:
    if behavior.get("behavior") not in ("cache", "dont-cache"):
        raise _invalid("defaultCacheBehavior.behavior must be cache or dont-cache.")
    return copy.deepcopy(behavior)


class LightsailBackend:
    """The Lightsail state machine behind the emulator's wire layer.

    Public knobs for tests: :attr:`page_size` (distributions and certificates per page),
    :attr:`operations_page_size`, :attr:`not_found_code`, :meth:`fail_next_operations`,
    :meth:`start_new_billing_cycle` and :meth:`out_of_band_write`.
    """

    service: ClassVar[str] = "lightsail"

    def __init__(self, state: SharedState) -> None:
        self._state = state
        #: Distributions or certificates per page of GetDistributions / GetCertificates.
        self.page_size = 25
        #: Operations per page; AWS documents at most 200.
        self.operations_page_size = 200
        #: When set, NotFoundException bodies also carry this ``code`` member (the model's
        #: ``code``; AWS was seen sending ``"DoesNotExist"`` for some operations). A client that
        #: reads ``code`` before ``__type`` then names the error after it (older JavaScript SDK
        #: v3 releases did, aws-sdk-js-v3 #6606; the current one and botocore read ``__type``
        #: first). Unverified for the distribution APIs, so off by default.
        self.not_found_code: str | None = None
        self._distributions: dict[str, _Distribution] = {}
        self._certificates: dict[tuple[str, str], _Certificate] = {}
        self._operations: dict[str, _Operation] = {}
        self._failures: deque[_InjectedFailure] = deque()
        self._handlers: dict[str, Callable[[Request], JsonDict]] = {
            "CreateDistribution": self._create_distribution,
            "GetDistributions": self._get_distributions,
            "UpdateDistribution": self._update_distribution,
            "DeleteDistribution": self._delete_distribution,
            "ResetDistributionCache": self._reset_distribution_cache,
            "GetDistributionLatestCacheReset": self._get_distribution_latest_cache_reset,
            "GetDistributionBundles": self._get_distribution_bundles,
            "UpdateDistributionBundle": self._update_distribution_bundle,
            "AttachCertificateToDistribution": self._attach_certificate,
            "DetachCertificateFromDistribution": self._detach_certificate,
            "GetDistributionMetricData": self._get_distribution_metric_data,
            "CreateCertificate": self._create_certificate,
            "GetCertificates": self._get_certificates,
            "DeleteCertificate": self._delete_certificate,
            "GetOperation": self._get_operation,
            "GetOperations": self._get_operations,
            "GetOperationsForResource": self._get_operations_for_resource,
            "TagResource": self._tag_resource,
            "UntagResource": self._untag_resource,
        }

    # -- Backend protocol and test controls ------------------------------------------------

    def handle(self, request: Request) -> JsonDict:
        handler = self._handlers.get(request.operation)
        if handler is None:
            raise EmulatedErrorReply(
                "UnknownOperationException",
                f"The Lightsail emulator does not support {request.operation}.",
                400,
            )
        self._forget_failed_creates()
        try:
            return handler(request)
        except EmulatedErrorReply as problem:
            if self.not_found_code is not None and problem.code == "NotFoundException":
                problem.fields.setdefault("code", self.not_found_code)
            raise

    def reset(self) -> None:
        self._distributions.clear()
        self._certificates.clear()
        self._operations.clear()
        self._failures.clear()

    def out_of_band_write(self, resource_id: str) -> bool:
        """Another writer flips the query-string forwarding of a distribution (name or ARN).

        Starts an UpdateDistribution operation that always succeeds, so the distribution is
        InProgress (and refuses changes) for a while, as after any update.
        """
        self._forget_failed_creates()
        distribution = self._distributions.get(resource_id) or next(
            (d for d in self._distributions.values() if d.arn == resource_id), None
        )
        if distribution is None:
            return False
        settings = distribution.cache_behavior_settings
        query_strings = settings.get("forwardedQueryStrings")
        if not isinstance(query_strings, dict):
            query_strings = {"option": False, "queryStringsAllowList": []}
        settings["forwardedQueryStrings"] = {
            **query_strings,
            "option": not bool(query_strings.get("option")),
        }
        operation = self._start_distribution_operation(
            distribution.name, "UpdateDistribution", may_fail=False
        )
        self._mark_changing(distribution, operation, redeploys=True)
        return True

    def fail_next_operations(
        self,
        count: int = 1,
        error_code: str = "InternalFailure",
        error_details: str = "The operation failed (failure injected by the emulator).",
    ) -> None:
        """Make the next ``count`` operations end Failed; their changes are not applied."""
        self._failures.extend([_InjectedFailure(error_code, error_details)] * count)

    def start_new_billing_cycle(self) -> None:
        """Let every distribution change its bundle once more."""
        for distribution in self._distributions.values():
            distribution.able_to_update_bundle = True

    # -- helpers -----------------------------------------------------------------------------

    def _now(self) -> float:
        return self._state.clock.monotonic()

    def _forget_failed_creates(self) -> None:
        now = self._now()
        for name in [
            name
            for name, distribution in self._distributions.items()
            if distribution.discard_at is not None and now >= distribution.discard_at
        ]:
            del self._distributions[name]

    def _start_operation(
        self,
        *,
        resource_name: str,
        resource_type: str,
        operation_type: str,
        region: str,
        location_region: str,
        details: str = "",
        may_fail: bool = True,
    ) -> _Operation:
        duration = self._state.timing.lightsail_operation
        created_at = self._state.clock.now()
        failure = self._failures.popleft() if may_fail and self._failures else None
        operation = _Operation(
            id=str(uuid.uuid4()),
            resource_name=resource_name,
            resource_type=resource_type,
            operation_type=operation_type,
            region=region,
            location_region=location_region,
            details=details,
            created_at=created_at,
            ends_at=self._now() + duration,
            ended_at=created_at + timedelta(seconds=duration),
            failure=failure,
        )
        self._operations[operation.id] = operation
        return operation

    def _start_distribution_operation(
        self, name: str, operation_type: str, *, details: str = "", may_fail: bool = True
    ) -> _Operation:
        return self._start_operation(
            resource_name=name,
            resource_type="Distribution",
            operation_type=operation_type,
            region=DISTRIBUTION_REGION,
            location_region=_GLOBAL_REGION_NAME,
            details=details,
            may_fail=may_fail,
        )

    def _mark_changing(
        self, distribution: _Distribution, operation: _Operation, *, redeploys: bool
    ) -> None:
        """The distribution is busy until the operation ends and, for a change, redeploys.

        A failing change shows InProgress until its operation fails, then Deployed as before.
        """
        distribution.busy_until = operation.ends_at
        if redeploys:
            deployed_at = (
                self._now() + self._state.timing.lightsail_distribution_deploy
                if operation.succeeds
                else operation.ends_at
            )
            distribution.deployed_at = max(distribution.deployed_at, deployed_at)

    def _operation_reply(self, operation: _Operation) -> JsonDict:
        return operation.to_wire(self._now())

    @staticmethod
    def _require_distribution_region(request: Request) -> None:
        if request.region != DISTRIBUTION_REGION:
            raise _invalid(
                "Distribution APIs are only available in the US East (N. Virginia) Region, "
                f"us-east-1; this request was made in {request.region}. Set the client's "
                "region to us-east-1 to create, view or edit distributions."
            )

    def _distribution(self, name: str) -> _Distribution:
        distribution = self._distributions.get(name)
        if distribution is None:
            raise _not_found(f"The Distribution {name!r} does not exist.")
        return distribution

    def _refuse_if_busy(self, distribution: _Distribution) -> None:
        now = self._now()
        if distribution.busy(now):
            raise _invalid(
                f"The Distribution {distribution.name!r} has an update in progress "
                f"(status {distribution.status(now)}). {_WAIT_MESSAGE}"
            )

    def _issued_certificate(self, name: str) -> _Certificate:
        """An ISSUED us-east-1 certificate that can be attached to a distribution."""
        certificate = self._certificates.get((DISTRIBUTION_REGION, name))
        if certificate is None:
            raise _not_found(
                f"The Certificate {name!r} does not exist in us-east-1; only certificates "
                "created in us-east-1 can be attached to distributions."
            )
        status = certificate.status(self._now())
        if status != "ISSUED":
            raise _invalid(
                f"The Certificate {name!r} is {status}; only an ISSUED certificate can be "
                "attached to a distribution."
            )
        return certificate

    def _certificate_in_use(self, certificate: _Certificate) -> int:
        if certificate.region != DISTRIBUTION_REGION:
            return 0
        return sum(d.certificate_name == certificate.name for d in self._distributions.values())

    # -- distributions ---------------------------------------------------------------------

    def _create_distribution(self, request: Request) -> JsonDict:
        self._require_distribution_region(request)
        params = request.params
        name = _required(params, "distributionName", str)
        origin = _origin(_required(params, "origin", dict))
        default_behavior = _validate_default_cache_behavior(
            _required(params, "defaultCacheBehavior", dict)
        )
        bundle_id = _required(params, "bundleId", str)
        bundle = _BUNDLES_BY_ID.get(bundle_id)
        if bundle is None or not bundle.is_active:
            raise _invalid(
                f"The bundle {bundle_id!r} is not valid; GetDistributionBundles lists the "
                "bundles that can be used."
            )
        given_settings = _optional(params, "cacheBehaviorSettings", dict)
        settings = (
            copy.deepcopy(_DEFAULT_CACHE_SETTINGS)
            if given_settings is None
            else _validate_cache_settings(given_settings)
        )
        behaviors = _validate_cache_behaviors(_dicts(params, "cacheBehaviors") or [])
        tags = _validate_tags(_dicts(params, "tags") or [])
        certificate_name = _optional(params, "certificateName", str)
        certificate = (
            None if certificate_name is None else self._issued_certificate(certificate_name)
        )
        if name in self._distributions:
            raise _invalid(f"A Distribution named {name!r} already exists.")

        operation = self._start_distribution_operation(name, "CreateDistribution")
        domain_name = f"d{_random_text(string.ascii_lowercase + string.digits, 13)}.cloudfront.net"
        distribution = _Distribution(
            name=name,
            arn=f"arn:aws:lightsail:{DISTRIBUTION_REGION}:{ACCOUNT_ID}:Distribution/{uuid.uuid4()}",
            support_code=f"{_random_text(string.digits, 12)}/{domain_name}",
            created_at=operation.created_at,
            domain_name=domain_name,
            bundle_id=bundle_id,
            origin=origin,
            origin_public_dns=_origin_public_dns(str(origin["name"])),
            default_cache_behavior=default_behavior,
            cache_behavior_settings=settings,
            cache_behaviors=behaviors,
            ip_address_type=_optional(params, "ipAddressType", str) or "dualstack",
            viewer_minimum_tls_protocol_version=(
                _optional(params, "viewerMinimumTlsProtocolVersion", str) or "TLSv1.2_2021"
            ),
            tags=tags,
            deployed_at=self._now() + self._state.timing.lightsail_distribution_deploy,
            busy_until=operation.ends_at,
            default_root_object=_optional(params, "defaultRootObject", str),
            custom_error_responses=copy.deepcopy(_dicts(params, "customErrorResponses") or []),
        )
        if certificate is not None:
            distribution.certificate_name = certificate.name
            distribution.alternative_domain_names = list(certificate.subject_alternative_names)
        if not operation.succeeds:
            distribution.discard_at = operation.ends_at
        self._distributions[name] = distribution
        return {
            "distribution": distribution.to_wire(self._now()),
            "operation": self._operation_reply(operation),
        }

    def _get_distributions(self, request: Request) -> JsonDict:
        self._require_distribution_region(request)
        name = _optional(request.params, "distributionName", str)
        now = self._now()
        if name:
            distribution = self._distributions.get(name)
            if distribution is None:
                # AWS answers this case with InvalidInput, not NotFound (AWS-FACTS.md).
                raise _invalid("Requested resource not found")
            return {"distributions": [distribution.to_wire(now)]}
        page, next_token = _page(
            list(self._distributions.values()),
            "distributions",
            _optional(request.params, "pageToken", str),
            self.page_size,
        )
        reply: JsonDict = {"distributions": [d.to_wire(now) for d in page]}
        if next_token is not None:
            reply["nextPageToken"] = next_token
        return reply

    def _update_distribution(self, request: Request) -> JsonDict:
        self._require_distribution_region(request)
        params = request.params
        distribution = self._distribution(_required(params, "distributionName", str))

        changes: dict[str, object] = {}
        given_origin = _optional(params, "origin", dict)
        private_access = _optional(params, "enablePrivateOriginAccess", bool)
        if private_access is not None and given_origin is None:
            raise _invalid("enablePrivateOriginAccess needs the origin parameter too.")
        if given_origin is not None:
            origin = _origin(given_origin)
            origin["isPrivateOriginAccessEnabled"] = (
                private_access
                if private_access is not None
                else bool(distribution.origin.get("isPrivateOriginAccessEnabled"))
            )
            changes["origin"] = origin
            changes["origin_public_dns"] = _origin_public_dns(str(origin["name"]))
        default_behavior = _optional(params, "defaultCacheBehavior", dict)
        if default_behavior is not None:
            changes["default_cache_behavior"] = _validate_default_cache_behavior(default_behavior)
        settings = _optional(params, "cacheBehaviorSettings", dict)
        if settings is not None:
            # Wholesale: members left out of the new object are gone, as on AWS.
            changes["cache_behavior_settings"] = _validate_cache_settings(settings)
        behaviors = _dicts(params, "cacheBehaviors")
        if behaviors is not None:
            changes["cache_behaviors"] = _validate_cache_behaviors(behaviors)
        for member, attribute, kind in (
            ("isEnabled", "is_enabled", bool),
            ("viewerMinimumTlsProtocolVersion", "viewer_minimum_tls_protocol_version", str),
            ("defaultRootObject", "default_root_object", str),
        ):
            value = _optional(params, member, kind)
            if value is not None:
                changes[attribute] = value
        error_responses = _dicts(params, "customErrorResponses")
        if error_responses is not None:
            changes["custom_error_responses"] = copy.deepcopy(error_responses)
        certificate_name = _optional(params, "certificateName", str)
        use_default = _optional(params, "useDefaultCertificate", bool)
        if certificate_name is not None and use_default:
            raise _invalid("Name a certificate or use the default certificate, not both.")
        if certificate_name is not None:
            certificate = self._issued_certificate(certificate_name)
            changes["certificate_name"] = certificate.name
            changes["alternative_domain_names"] = list(certificate.subject_alternative_names)
        elif use_default:
            changes["certificate_name"] = None
            changes["alternative_domain_names"] = []
        self._refuse_if_busy(distribution)

        operation = self._start_distribution_operation(distribution.name, "UpdateDistribution")
        if operation.succeeds:
            for attribute, value in changes.items():
                setattr(distribution, attribute, value)
        self._mark_changing(distribution, operation, redeploys=True)
        return {"operation": self._operation_reply(operation)}

    def _delete_distribution(self, request: Request) -> JsonDict:
        self._require_distribution_region(request)
        distribution = self._distribution(_required(request.params, "distributionName", str))
        self._refuse_if_busy(distribution)
        operation = self._start_distribution_operation(distribution.name, "DeleteDistribution")
        if operation.succeeds:
            del self._distributions[distribution.name]
        else:
            self._mark_changing(distribution, operation, redeploys=False)
        return {"operation": self._operation_reply(operation)}

    def _reset_distribution_cache(self, request: Request) -> JsonDict:
        self._require_distribution_region(request)
        distribution = self._distribution(_required(request.params, "distributionName", str))
        self._refuse_if_busy(distribution)
        operation = self._start_distribution_operation(distribution.name, "ResetDistributionCache")
        # A cache reset is an invalidation: the distribution stays Deployed meanwhile.
        self._mark_changing(distribution, operation, redeploys=False)
        distribution.latest_cache_reset = _CacheReset(
            created_at=operation.created_at,
            ends_at=operation.ends_at,
            failed=not operation.succeeds,
        )
        return {
            "status": distribution.latest_cache_reset.status(self._now()),
            "createTime": operation.created_at,
            "operation": self._operation_reply(operation),
        }

    def _get_distribution_latest_cache_reset(self, request: Request) -> JsonDict:
        self._require_distribution_region(request)
        distribution = self._distribution(_required(request.params, "distributionName", str))
        reset = distribution.latest_cache_reset
        if reset is None:
            return {}
        return {"status": reset.status(self._now()), "createTime": reset.created_at}

    def _get_distribution_bundles(self, request: Request) -> JsonDict:
        self._require_distribution_region(request)
        return {"bundles": [bundle.to_wire() for bundle in BUNDLES]}

    def _update_distribution_bundle(self, request: Request) -> JsonDict:
        self._require_distribution_region(request)
        distribution = self._distribution(_required(request.params, "distributionName", str))
        bundle_id = _required(request.params, "bundleId", str)
        bundle = _BUNDLES_BY_ID.get(bundle_id)
        if bundle is None or not bundle.is_active:
            raise _invalid(f"The bundle {bundle_id!r} is not valid.")
        if bundle_id == distribution.bundle_id:
            raise _invalid(f"The Distribution {distribution.name!r} already uses {bundle_id}.")
        if not distribution.able_to_update_bundle:
            raise _invalid(
                f"The bundle of Distribution {distribution.name!r} can be changed only once "
                "per billing cycle."
            )
        self._refuse_if_busy(distribution)
        operation = self._start_distribution_operation(
            distribution.name, "UpdateDistributionBundle", details=bundle_id
        )
        if operation.succeeds:
            distribution.bundle_id = bundle_id
            distribution.able_to_update_bundle = False
        self._mark_changing(distribution, operation, redeploys=True)
        return {"operation": self._operation_reply(operation)}

    def _attach_certificate(self, request: Request) -> JsonDict:
        self._require_distribution_region(request)
        distribution = self._distribution(_required(request.params, "distributionName", str))
        certificate = self._issued_certificate(_required(request.params, "certificateName", str))
        self._refuse_if_busy(distribution)
        operation = self._start_distribution_operation(
            distribution.name, "AttachCertificateToDistribution", details=certificate.name
        )
        if operation.succeeds:
            distribution.certificate_name = certificate.name
            distribution.alternative_domain_names = list(certificate.subject_alternative_names)
        self._mark_changing(distribution, operation, redeploys=True)
        return {"operation": self._operation_reply(operation)}

    def _detach_certificate(self, request: Request) -> JsonDict:
        self._require_distribution_region(request)
        distribution = self._distribution(_required(request.params, "distributionName", str))
        if distribution.certificate_name is None:
            raise _invalid(f"The Distribution {distribution.name!r} has no certificate attached.")
        self._refuse_if_busy(distribution)
        operation = self._start_distribution_operation(
            distribution.name,
            "DetachCertificateFromDistribution",
            details=distribution.certificate_name,
        )
        if operation.succeeds:
            distribution.certificate_name = None
            distribution.alternative_domain_names = []
        self._mark_changing(distribution, operation, redeploys=True)
        return {"operation": self._operation_reply(operation)}

    def _get_distribution_metric_data(self, request: Request) -> JsonDict:
        """Deterministic, plausible datapoints: the same query always gives the same data."""
        self._require_distribution_region(request)
        params = request.params
        distribution = self._distribution(_required(params, "distributionName", str))
        metric = _required(params, "metricName", str)
        start = _utc(_required(params, "startTime", datetime))
        end = _utc(_required(params, "endTime", datetime))
        period = _required(params, "period", int)
        unit = _required(params, "unit", str)
        statistics = _strings(params, "statistics") or []
        if metric not in _METRIC_UNITS:
            raise _invalid(f"{metric!r} is not a distribution metric.")
        if not statistics:
            raise _invalid("Name at least one statistic.")
        if period < 60 or period % 60:
            raise _invalid("The period must be a multiple of 60 seconds.")
        if end <= start:
            raise _invalid("The endTime must be later than the startTime.")
        if (end - start).total_seconds() / period > _MAX_METRIC_DATAPOINTS:
            raise _invalid(
                f"The request would return more than {_MAX_METRIC_DATAPOINTS} datapoints; "
                "use a longer period or a shorter interval."
            )
        reply: JsonDict = {"metricName": metric, "metricData": []}
        if unit != _METRIC_UNITS[metric]:
            return reply  # as in CloudWatch, a unit filter that matches nothing
        now = self._state.clock.now()
        moment = start
        while moment < end and moment <= now:
            reply["metricData"].append(
                _datapoint(distribution.arn, metric, moment, period, unit, statistics)
            )
            moment += timedelta(seconds=period)
        return reply

    # -- certificates ----------------------------------------------------------------------

    def _create_certificate(self, request: Request) -> JsonDict:
        params = request.params
        name = _required(params, "certificateName", str)
        domain_name = _required(params, "domainName", str)
        alternatives = _strings(params, "subjectAlternativeNames") or []
        tags = _validate_tags(_dicts(params, "tags") or [])
        if len(alternatives) > _MAX_SUBJECT_ALTERNATIVE_NAMES:
            raise _invalid(
                f"A certificate can have at most {_MAX_SUBJECT_ALTERNATIVE_NAMES} alternative "
                "domain names."
            )
        domains = list(dict.fromkeys([domain_name, *alternatives]))
        if any(domain.startswith("*") for domain in domains):
            raise _invalid("Wildcard domain names are not supported.")
        key = (request.region, name)
        if key in self._certificates:
            raise _invalid(f"A Certificate named {name!r} already exists.")
        operation = self._start_operation(
            resource_name=name,
            resource_type="Certificate",
            operation_type="CreateCertificate",
            region=request.region,
            location_region=request.region,
        )
        certificate = _Certificate(
            name=name,
            arn=f"arn:aws:lightsail:{request.region}:{ACCOUNT_ID}:Certificate/{uuid.uuid4()}",
            region=request.region,
            domain_name=domain_name,
            subject_alternative_names=domains,
            tags=tags,
            support_code=f"{_random_text(string.digits, 12)}/{name}",
            serial_number=":".join(secrets.token_hex(1) for _ in range(16)),
            created_at=operation.created_at,
            issued_from=operation.ends_at,
            issued_at=operation.ended_at,
            failure=operation.failure,
            validation_tokens={domain: secrets.token_hex(16) for domain in domains},
        )
        self._certificates[key] = certificate
        return {
            "certificate": certificate.summary(self._now(), in_use=0, with_detail=True),
            "operations": [self._operation_reply(operation)],
        }

    def _get_certificates(self, request: Request) -> JsonDict:
        """All certificates of the region, or the named one (an unknown name lists nothing)."""
        params = request.params
        now = self._now()
        name = _optional(params, "certificateName", str)
        statuses = _strings(params, "certificateStatuses")
        with_detail = bool(_optional(params, "includeCertificateDetails", bool))
        matching = [
            certificate
            for (region, certificate_name), certificate in self._certificates.items()
            if region == request.region
            and (name is None or certificate_name == name)
            and (not statuses or certificate.status(now) in statuses)
        ]
        page, next_token = _page(
            matching, "certificates", _optional(params, "pageToken", str), self.page_size
        )
        reply: JsonDict = {
            "certificates": [
                certificate.summary(
                    now, in_use=self._certificate_in_use(certificate), with_detail=with_detail
                )
                for certificate in page
            ]
        }
        if next_token is not None:
            reply["nextPageToken"] = next_token
        return reply

    def _delete_certificate(self, request: Request) -> JsonDict:
        name = _required(request.params, "certificateName", str)
        certificate = self._certificates.get((request.region, name))
        if certificate is None:
            raise _not_found(f"The Certificate {name!r} does not exist.")
        if self._certificate_in_use(certificate):
            raise _invalid(
                f"The Certificate {name!r} is attached to a distribution; detach it first."
            )
        operation = self._start_operation(
            resource_name=name,
            resource_type="Certificate",
            operation_type="DeleteCertificate",
            region=request.region,
            location_region=request.region,
        )
        if operation.succeeds:
            del self._certificates[(request.region, name)]
        return {"operations": [self._operation_reply(operation)]}

    # -- operations ------------------------------------------------------------------------

    def _get_operation(self, request: Request) -> JsonDict:
        operation_id = _required(request.params, "operationId", str)
        operation = self._operations.get(operation_id)
        if operation is None:
            raise _not_found(f"The Operation {operation_id!r} does not exist.")
        return {"operation": self._operation_reply(operation)}

    def _get_operations(self, request: Request) -> JsonDict:
        """Operations of the request's region, oldest first, as AWS documents."""
        operations = [op for op in self._operations.values() if op.region == request.region]
        return self._operations_page(operations, "operations", request)

    def _get_operations_for_resource(self, request: Request) -> JsonDict:
        name = _required(request.params, "resourceName", str)
        operations = [
            op
            for op in self._operations.values()
            if op.region == request.region and op.resource_name == name
        ]
        exists = (request.region == DISTRIBUTION_REGION and name in self._distributions) or (
            (request.region, name) in self._certificates
        )
        if not operations and not exists:
            raise _not_found(f"The resource {name!r} does not exist.")
        return self._operations_page(operations, f"operations/{name}", request)

    def _operations_page(
        self, operations: list[_Operation], kind: str, request: Request
    ) -> JsonDict:
        page, next_token = _page(
            operations,
            kind,
            _optional(request.params, "pageToken", str),
            self.operations_page_size,
        )
        now = self._now()
        reply: JsonDict = {"operations": [op.to_wire(now) for op in page]}
        if next_token is not None:
            reply["nextPageToken"] = next_token
        return reply

    # -- tags ------------------------------------------------------------------------------

    def _tag_target(self, request: Request) -> _Distribution | _Certificate:
        name = _required(request.params, "resourceName", str)
        arn = _optional(request.params, "resourceArn", str)
        candidates: list[_Distribution | _Certificate] = []
        if request.region == DISTRIBUTION_REGION and name in self._distributions:
            candidates.append(self._distributions[name])
        if (request.region, name) in self._certificates:
            candidates.append(self._certificates[(request.region, name)])
        if arn is not None:
            candidates = [candidate for candidate in candidates if candidate.arn == arn]
        if not candidates:
            raise _not_found(f"The resource {name!r} does not exist.")
        return candidates[0]

    def _tag_operation(
        self, target: _Distribution | _Certificate, operation_type: str
    ) -> _Operation:
        if isinstance(target, _Distribution):
            return self._start_distribution_operation(target.name, operation_type)
        return self._start_operation(
            resource_name=target.name,
            resource_type="Certificate",
            operation_type=operation_type,
            region=target.region,
            location_region=target.region,
        )

    def _tag_resource(self, request: Request) -> JsonDict:
        target = self._tag_target(request)
        merged = _merge_tags(target.tags, _validate_tags(_dicts(request.params, "tags") or []))
        operation = self._tag_operation(target, "TagResource")
        if operation.succeeds:
            target.tags = merged
        return {"operations": [self._operation_reply(operation)]}

    def _untag_resource(self, request: Request) -> JsonDict:
        target = self._tag_target(request)
        removed = set(_strings(request.params, "tagKeys") or [])
        operation = self._tag_operation(target, "UntagResource")
        if operation.succeeds:
            target.tags = [tag for tag in target.tags if tag["key"] not in removed]
        return {"operations": [self._operation_reply(operation)]}


def _datapoint(
    seed: str, metric: str, moment: datetime, period: int, unit: str, statistics: list[str]
) -> JsonDict:
    """One datapoint whose values depend only on the distribution, metric and time."""
    rng = random.Random(zlib.crc32(f"{seed}|{metric}|{moment.timestamp()}".encode()))
    samples = period // 60
    average = _METRIC_PER_MINUTE[metric] * rng.uniform(0.5, 1.5)
    values = {
        "average": average,
        "minimum": average * rng.uniform(0.1, 0.9),
        "maximum": average * rng.uniform(1.1, 2.0),
        "sum": average * samples,
        "sampleCount": float(samples),
    }
    point: JsonDict = {"timestamp": moment, "unit": unit}
    for statistic in statistics:
        member = _STATISTIC_MEMBERS.get(statistic)
        if member is not None:
            point[member] = round(values[member], 3)
    return point
