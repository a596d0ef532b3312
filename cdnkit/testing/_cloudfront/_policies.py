"""Continuous deployment policies, with the documented limits the model does not carry."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from typing import Final

from cdnkit.testing._backend import EmulatedErrorReply, JsonDict, Request

from ._common import API_BASE_URL, invalid_argument, new_etag, paginate, require_if_match
from ._state import CloudFrontState, PolicyRecord

#: Account quota on continuous deployment policies.
MAX_POLICIES: Final = 20
MAX_WEIGHT: Final = 0.15
MIN_STICKINESS_TTL: Final = 300
MAX_STICKINESS_TTL: Final = 3600
HEADER_PREFIX: Final = "aws-cf-cd-"


def _validate_traffic_config(traffic: JsonDict) -> None:
    kind = traffic["Type"]
    weight_config = traffic.get("SingleWeightConfig")
    header_config = traffic.get("SingleHeaderConfig")
    if kind == "SingleWeight":
        if weight_config is None or header_config is not None:
            raise invalid_argument(
                "TrafficConfig of Type SingleWeight needs SingleWeightConfig and no "
                "SingleHeaderConfig."
            )
        weight = float(weight_config["Weight"])
        if not 0.0 <= weight <= MAX_WEIGHT:
            raise invalid_argument(f"Weight must be between 0 and {MAX_WEIGHT}, not {weight}.")
        stickiness = weight_config.get("SessionStickinessConfig")
        if stickiness is not None:
            idle, maximum = int(stickiness["IdleTTL"]), int(stickiness["MaximumTTL"])
            for name, value in (("IdleTTL", idle), ("MaximumTTL", maximum)):
                if not MIN_STICKINESS_TTL <= value <= MAX_STICKINESS_TTL:
                    raise invalid_argument(
                        f"{name} must be between {MIN_STICKINESS_TTL} and "
                        f"{MAX_STICKINESS_TTL} seconds, not {value}."
                    )
            if idle > maximum:
                raise invalid_argument(
                    f"IdleTTL ({idle}) must not be greater than MaximumTTL ({maximum})."
                )
    elif kind == "SingleHeader":
        if header_config is None or weight_config is not None:
            raise invalid_argument(
                "TrafficConfig of Type SingleHeader needs SingleHeaderConfig and no "
                "SingleWeightConfig."
            )
        header = str(header_config["Header"])
        if not header.lower().startswith(HEADER_PREFIX):
            raise invalid_argument(f"The header name must start with {HEADER_PREFIX}: {header!r}.")
    else:  # The wire layer checks the enum; a direct caller may not have.
        raise invalid_argument(f"Unknown TrafficConfig Type {kind!r}.")


class PolicyOperations:
    def __init__(self, state: CloudFrontState) -> None:
        self._state = state

    def handlers(self) -> dict[str, Callable[[Request], JsonDict]]:
        return {
            "CreateContinuousDeploymentPolicy": self.create,
            "GetContinuousDeploymentPolicy": self.get,
            "GetContinuousDeploymentPolicyConfig": self.get_config,
            "UpdateContinuousDeploymentPolicy": self.update,
            "DeleteContinuousDeploymentPolicy": self.delete,
            "ListContinuousDeploymentPolicies": self.list_policies,
        }

    def _lookup(self, policy_id: str) -> PolicyRecord:
        record = self._state.policies.get(policy_id)
        if record is None:
            raise EmulatedErrorReply(
                "NoSuchContinuousDeploymentPolicy",
                f"The continuous deployment policy does not exist: {policy_id}",
                404,
            )
        return record

    def _describe(self, record: PolicyRecord) -> JsonDict:
        return {
            "Id": record.id,
            "LastModifiedTime": record.last_modified,
            "ContinuousDeploymentPolicyConfig": copy.deepcopy(record.config),
        }

    def _validate(self, config: JsonDict, current: PolicyRecord | None) -> None:
        traffic = config.get("TrafficConfig")
        if traffic is not None:
            _validate_traffic_config(traffic)
        for dns_name in config["StagingDistributionDnsNames"].get("Items") or []:
            if self._state.staging_distribution_by_domain(dns_name) is None:
                raise invalid_argument(f"{dns_name} is not the domain of a staging distribution.")
            for other in self._state.policies.values():
                if other is not current and dns_name in other.staging_dns_names:
                    raise EmulatedErrorReply(
                        "StagingDistributionInUse",
                        f"A continuous deployment policy for staging distribution {dns_name} "
                        f"already exists: {other.id}",
                        409,
                    )

    def create(self, request: Request) -> JsonDict:
        if len(self._state.policies) >= MAX_POLICIES:
            raise EmulatedErrorReply(
                "TooManyContinuousDeploymentPolicies",
                f"You have reached the maximum number of continuous deployment policies "
                f"({MAX_POLICIES}) for this account.",
                400,
            )
        config = copy.deepcopy(request.params["ContinuousDeploymentPolicyConfig"])
        self._validate(config, current=None)
        record = PolicyRecord(
            id=str(uuid.uuid4()), config=config, etag=new_etag(), last_modified=self._state.now()
        )
        self._state.policies[record.id] = record
        return {
            "ContinuousDeploymentPolicy": self._describe(record),
            "ETag": record.etag,
            "Location": f"{API_BASE_URL}/continuous-deployment-policy/{record.id}",
        }

    def get(self, request: Request) -> JsonDict:
        record = self._lookup(request.params["Id"])
        return {"ContinuousDeploymentPolicy": self._describe(record), "ETag": record.etag}

    def get_config(self, request: Request) -> JsonDict:
        record = self._lookup(request.params["Id"])
        return {
            "ContinuousDeploymentPolicyConfig": copy.deepcopy(record.config),
            "ETag": record.etag,
        }

    def update(self, request: Request) -> JsonDict:
        record = self._lookup(request.params["Id"])
        require_if_match(request.params.get("IfMatch"), record.etag)
        config = copy.deepcopy(request.params["ContinuousDeploymentPolicyConfig"])
        self._validate(config, current=record)
        record.config = config
        record.etag = new_etag(record.etag)
        record.last_modified = self._state.now()
        # CloudFront redeploys the primary distribution that uses a changed policy.
        primary = self._state.distribution_using_policy(record.id)
        if primary is not None:
            self._state.redeploy(primary)
        return {"ContinuousDeploymentPolicy": self._describe(record), "ETag": record.etag}

    def delete(self, request: Request) -> JsonDict:
        record = self._lookup(request.params["Id"])
        require_if_match(request.params.get("IfMatch"), record.etag)
        primary = self._state.distribution_using_policy(record.id)
        if primary is not None:
            raise EmulatedErrorReply(
                "ContinuousDeploymentPolicyInUse",
                f"The continuous deployment policy {record.id} is associated with primary "
                f"distribution {primary.id}.",
                409,
            )
        del self._state.policies[record.id]
        return {}

    def list_policies(self, request: Request) -> JsonDict:
        ordered = sorted(self._state.policies.values(), key=lambda record: record.id)
        page = paginate(ordered, lambda record: record.id, request.params)
        listing: JsonDict = {
            "MaxItems": page.max_items,
            "Quantity": len(page.items),
            "Items": [{"ContinuousDeploymentPolicy": self._describe(r)} for r in page.items],
        }
        if page.next_marker is not None:
            listing["NextMarker"] = page.next_marker
        return {"ContinuousDeploymentPolicyList": listing}
