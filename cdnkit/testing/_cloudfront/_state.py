"""The CloudFront emulator's records and the queries that cross resource families."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime

from cdnkit.testing._backend import JsonDict, KeyValueStoreData, SharedState

from ._common import new_etag

DEPLOYED = "Deployed"
IN_PROGRESS = "InProgress"


@dataclasses.dataclass
class InvalidationRecord:
    id: str
    caller_reference: str
    paths: list[str]
    create_time: datetime
    #: Monotonic time at which InProgress turns Completed.
    completed_at: float


@dataclasses.dataclass
class DistributionRecord:
    id: str
    arn: str
    domain_name: str
    #: The DistributionConfig in botocore form, defaults filled in.
    config: JsonDict
    etag: str
    last_modified: datetime
    #: Monotonic time at which InProgress turns Deployed.
    deployed_at: float
    #: By id, in creation order.
    invalidations: dict[str, InvalidationRecord] = dataclasses.field(default_factory=dict)

    @property
    def is_staging(self) -> bool:
        return bool(self.config.get("Staging"))

    @property
    def policy_id(self) -> str:
        return str(self.config.get("ContinuousDeploymentPolicyId") or "")


@dataclasses.dataclass
class PolicyRecord:
    id: str
    config: JsonDict
    etag: str
    last_modified: datetime

    @property
    def staging_dns_names(self) -> list[str]:
        names: list[str] = self.config["StagingDistributionDnsNames"].get("Items") or []
        return names


@dataclasses.dataclass
class FunctionStageRecord:
    config: JsonDict
    code: bytes
    etag: str
    last_modified: datetime


@dataclasses.dataclass
class FunctionRecord:
    name: str
    arn: str
    created: datetime
    development: FunctionStageRecord
    live: FunctionStageRecord | None = None
    #: The DEVELOPMENT ETag that was last published, to tell whether DEVELOPMENT moved on.
    published_development_etag: str | None = None

    def stages(self) -> Iterator[tuple[str, FunctionStageRecord]]:
        yield "DEVELOPMENT", self.development
        if self.live is not None:
            yield "LIVE", self.live


def key_value_store_arns(function_config: JsonDict) -> list[str]:
    associations = function_config.get("KeyValueStoreAssociations") or {}
    return [item["KeyValueStoreARN"] for item in associations.get("Items") or []]


def function_arns(distribution_config: JsonDict) -> set[str]:
    """Every function ARN the config's cache behaviors associate."""
    behaviors: list[JsonDict] = [distribution_config.get("DefaultCacheBehavior") or {}]
    behaviors.extend((distribution_config.get("CacheBehaviors") or {}).get("Items") or [])
    arns: set[str] = set()
    for behavior in behaviors:
        for association in (behavior.get("FunctionAssociations") or {}).get("Items") or []:
            arns.add(association["FunctionARN"])
    return arns


class CloudFrontState:
    """Everything the CloudFront backend remembers; KeyValueStores live in the shared state."""

    def __init__(self, shared: SharedState) -> None:
        self.shared = shared
        self.distributions: dict[str, DistributionRecord] = {}
        self.policies: dict[str, PolicyRecord] = {}
        self.functions: dict[str, FunctionRecord] = {}
        #: CreateKeyValueStore's ImportSource by store ARN; the shared record has no field for it.
        self.key_value_store_import_sources: dict[str, JsonDict] = {}
        #: How many coming TestFunction calls answer TestFunctionFailed.
        self.pending_test_failures = 0

    def reset(self) -> None:
        self.distributions.clear()
        self.policies.clear()
        self.functions.clear()
        self.key_value_store_import_sources.clear()
        self.pending_test_failures = 0
        self.shared.key_value_stores.clear()

    # Time -----------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.shared.clock.now()

    def monotonic(self) -> float:
        return self.shared.clock.monotonic()

    # Distributions --------------------------------------------------------------------------

    def distribution_status(self, record: DistributionRecord) -> str:
        return DEPLOYED if self.monotonic() >= record.deployed_at else IN_PROGRESS

    def redeploy(self, record: DistributionRecord) -> None:
        """A change reached the distribution: new ETag, InProgress until deployed again."""
        record.etag = new_etag(record.etag)
        record.last_modified = self.now()
        record.deployed_at = self.monotonic() + self.shared.timing.cloudfront_distribution_deploy

    def in_progress_invalidations(self, record: DistributionRecord) -> int:
        now = self.monotonic()
        return sum(1 for item in record.invalidations.values() if now < item.completed_at)

    def distributions_using_function(self, arn: str) -> list[DistributionRecord]:
        return [d for d in self.distributions.values() if arn in function_arns(d.config)]

    def distribution_using_policy(self, policy_id: str) -> DistributionRecord | None:
        for record in self.distributions.values():
            if record.policy_id == policy_id:
                return record
        return None

    def staging_distribution_by_domain(self, domain_name: str) -> DistributionRecord | None:
        for record in self.distributions.values():
            if record.is_staging and record.domain_name == domain_name:
                return record
        return None

    # Functions and KeyValueStores -----------------------------------------------------------

    def function_by_arn(self, arn: str) -> FunctionRecord | None:
        for record in self.functions.values():
            if record.arn == arn:
                return record
        return None

    def functions_using_key_value_store(self, arn: str) -> list[FunctionRecord]:
        return [
            function
            for function in self.functions.values()
            if any(arn in key_value_store_arns(stage.config) for _, stage in function.stages())
        ]

    def key_value_store_by_name(self, name: str) -> KeyValueStoreData | None:
        for store in self.shared.key_value_stores.values():
            if store.name == name:
                return store
        return None
