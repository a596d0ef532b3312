"""Distributions: create, read, update, delete, list, copy to staging and promote."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Final

from cdnkit.testing._backend import EmulatedErrorReply, JsonDict, Request

from ._common import (
    API_BASE_URL,
    invalid_argument,
    new_distribution_domain_name,
    new_etag,
    new_resource_id,
    paginate,
    require_if_match,
    split_if_match,
)
from ._state import DEPLOYED, CloudFrontState, DistributionRecord, function_arns

#: Account quota on staging distributions.
MAX_STAGING_DISTRIBUTIONS: Final = 20
#: Documented limit the model does not carry.
MAX_COMMENT_LENGTH: Final = 128

#: What CloudFront fills in when a DistributionConfig leaves these out.
_CONFIG_DEFAULTS: Final[JsonDict] = {
    "Aliases": {"Quantity": 0},
    "DefaultRootObject": "",
    "OriginGroups": {"Quantity": 0},
    "CacheBehaviors": {"Quantity": 0},
    "CustomErrorResponses": {"Quantity": 0},
    "Logging": {"Enabled": False, "IncludeCookies": False, "Bucket": "", "Prefix": ""},
    "PriceClass": "PriceClass_All",
    "ViewerCertificate": {
        "CloudFrontDefaultCertificate": True,
        "SSLSupportMethod": "vip",
        "MinimumProtocolVersion": "TLSv1",
        "CertificateSource": "cloudfront",
    },
    "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
    "WebACLId": "",
    "HttpVersion": "http2",
    # AWS's example of the CLI's create-distribution output shows true for a config without it.
    "IsIPV6Enabled": True,
    "ContinuousDeploymentPolicyId": "",
    "Staging": False,
}

_NONE: Final[JsonDict] = {"Quantity": 0}
_GET_HEAD: Final[JsonDict] = {"Quantity": 2, "Items": ["HEAD", "GET"]}
#: What CloudFront fills in for each cache behavior (the default one too) that leaves these out,
#: as AWS's examples of the CLI's own output show them (awscli's cloudfront examples).
_BEHAVIOR_DEFAULTS: Final[JsonDict] = {
    "TrustedSigners": {"Enabled": False, "Quantity": 0},
    "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
    "AllowedMethods": {**_GET_HEAD, "CachedMethods": _GET_HEAD},
    "SmoothStreaming": False,
    "Compress": False,
    "LambdaFunctionAssociations": _NONE,
    "FunctionAssociations": _NONE,
    "FieldLevelEncryptionId": "",
}
#: With the legacy ForwardedValues (no cache policy): the TTLs the Developer Guide names.
_LEGACY_BEHAVIOR_DEFAULTS: Final[JsonDict] = {
    "MinTTL": 0,
    "DefaultTTL": 86400,
    "MaxTTL": 31536000,
}
_FORWARDED_VALUES_DEFAULTS: Final[JsonDict] = {"Headers": _NONE, "QueryStringCacheKeys": _NONE}
#: Origin defaults: the two timeouts are in the model's documentation, the rest in AWS's examples.
_ORIGIN_DEFAULTS: Final[JsonDict] = {
    "OriginPath": "",
    "CustomHeaders": _NONE,
    "ConnectionAttempts": 3,
    "ConnectionTimeout": 10,
    "OriginShield": {"Enabled": False},
    "OriginAccessControlId": "",
}
_CUSTOM_ORIGIN_DEFAULTS: Final[JsonDict] = {"OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5}

#: DistributionSummary members copied from the config; the others come from the record.
SUMMARY_CONFIG_MEMBERS: Final = (
    "Aliases",
    "Origins",
    "OriginGroups",
    "DefaultCacheBehavior",
    "CacheBehaviors",
    "CustomErrorResponses",
    "Comment",
    "PriceClass",
    "Enabled",
    "ViewerCertificate",
    "Restrictions",
    "WebACLId",
    "HttpVersion",
    "IsIPV6Enabled",
    "Staging",
    "ConnectionMode",
    "AnycastIpListId",
    "ViewerMtlsConfig",
    "ConnectionFunctionAssociation",
)


#: What may change while continuous deployment is on (AWS-FACTS.md): the rest is IllegalUpdate.
_CHANGEABLE_IN_CONTINUOUS_DEPLOYMENT: Final = frozenset(
    {
        "CacheBehaviors",
        "DefaultCacheBehavior",
        "Origins",
        "OriginGroups",
        "CustomErrorResponses",
        "Restrictions",
        "DefaultRootObject",
        "Logging",
        "Comment",
        "ContinuousDeploymentPolicyId",
    }
)
_HTTP3_VERSIONS: Final = frozenset({"http3", "http2and3"})


def _empty(value: object) -> bool:
    """None, "", False and an empty list wrapper all mean "nothing"."""
    if value is None or value == "" or value is False:
        return True
    if isinstance(value, dict):
        return set(value) <= {"Quantity", "Items"} and not value.get("Items")
    return False


def _frozen_changes(before: JsonDict, after: JsonDict) -> list[str]:
    """Top-level members changed that continuous deployment does not let change."""
    changed = [
        name
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
        and not (_empty(before.get(name)) and _empty(after.get(name)))
    ]
    return [name for name in changed if name not in _CHANGEABLE_IN_CONTINUOUS_DEPLOYMENT]


def _uses_http3(config: JsonDict) -> bool:
    return str(config.get("HttpVersion") or "").lower() in _HTTP3_VERSIONS


def _fill(target: JsonDict, defaults: JsonDict) -> None:
    for member, default in defaults.items():
        if target.get(member) is None:
            target[member] = copy.deepcopy(default)


def _with_defaults(config: JsonDict) -> JsonDict:
    """The config as CloudFront stores and returns it: members left out get their defaults,
    down to each origin and cache behavior (a config made by the AWS CLI's
    ``--origin-domain-name`` leaves most of them out)."""
    _fill(config, _CONFIG_DEFAULTS)
    behaviors: list[JsonDict] = [config["DefaultCacheBehavior"]]
    behaviors.extend(config["CacheBehaviors"].get("Items") or [])
    for behavior in behaviors:
        _fill(behavior, _BEHAVIOR_DEFAULTS)
        if behavior.get("ForwardedValues") is not None:
            _fill(behavior, _LEGACY_BEHAVIOR_DEFAULTS)
            _fill(behavior["ForwardedValues"], _FORWARDED_VALUES_DEFAULTS)
    for origin in config["Origins"].get("Items") or []:
        _fill(origin, _ORIGIN_DEFAULTS)
        if origin.get("CustomOriginConfig") is not None:
            _fill(origin["CustomOriginConfig"], _CUSTOM_ORIGIN_DEFAULTS)
    return config


def _aliases(config: JsonDict) -> list[str]:
    items: list[str] = (config.get("Aliases") or {}).get("Items") or []
    return items


def no_such_distribution(distribution_id: str) -> EmulatedErrorReply:
    return EmulatedErrorReply(
        "NoSuchDistribution", f"The specified distribution does not exist: {distribution_id}", 404
    )


class DistributionOperations:
    def __init__(self, state: CloudFrontState) -> None:
        self._state = state

    def handlers(self) -> dict[str, Callable[[Request], JsonDict]]:
        return {
            "CreateDistribution": self.create,
            "GetDistribution": self.get,
            "GetDistributionConfig": self.get_config,
            "UpdateDistribution": self.update,
            "DeleteDistribution": self.delete,
            "ListDistributions": self.list_distributions,
            "CopyDistribution": self.copy_distribution,
            "UpdateDistributionWithStagingConfig": self.promote,
        }

    # Views ----------------------------------------------------------------------------------

    def lookup(self, distribution_id: str) -> DistributionRecord:
        record = self._state.distributions.get(distribution_id)
        if record is None:
            raise no_such_distribution(distribution_id)
        return record

    def describe(self, record: DistributionRecord) -> JsonDict:
        return {
            "Id": record.id,
            "ARN": record.arn,
            "Status": self._state.distribution_status(record),
            "LastModifiedTime": record.last_modified,
            "InProgressInvalidationBatches": self._state.in_progress_invalidations(record),
            "DomainName": record.domain_name,
            "ActiveTrustedSigners": {"Enabled": False, "Quantity": 0},
            "ActiveTrustedKeyGroups": {"Enabled": False, "Quantity": 0},
            "DistributionConfig": copy.deepcopy(record.config),
        }

    def _summary(self, record: DistributionRecord) -> JsonDict:
        summary: JsonDict = {
            "Id": record.id,
            "ARN": record.arn,
            "ETag": record.etag,
            "Status": self._state.distribution_status(record),
            "LastModifiedTime": record.last_modified,
            "DomainName": record.domain_name,
        }
        for member in SUMMARY_CONFIG_MEMBERS:
            if member in record.config:
                summary[member] = copy.deepcopy(record.config[member])
        return summary

    def _reply(self, record: DistributionRecord, *, location: bool = False) -> JsonDict:
        reply: JsonDict = {"Distribution": self.describe(record), "ETag": record.etag}
        if location:
            reply["Location"] = f"{API_BASE_URL}/distribution/{record.id}"
        return reply

    # Validation -----------------------------------------------------------------------------

    def _check_caller_reference_unused(self, caller_reference: str) -> None:
        for record in self._state.distributions.values():
            if record.config["CallerReference"] == caller_reference:
                raise EmulatedErrorReply(
                    "DistributionAlreadyExists",
                    "The caller reference that you are using to create a distribution is "
                    f"associated with another distribution. Already exists: {record.id}",
                    409,
                )

    def _validate_config(self, config: JsonDict, current: DistributionRecord | None) -> None:
        """The service-side checks the wire layer's model validation cannot do."""
        if len(config.get("Comment") or "") > MAX_COMMENT_LENGTH:
            raise invalid_argument(
                f"The parameter Comment is too long: at most {MAX_COMMENT_LENGTH} characters."
            )
        self._validate_origin_references(config)
        self._validate_aliases(config, current)
        self._validate_function_associations(config)
        self._validate_policy_reference(config, current)

    def _validate_origin_references(self, config: JsonDict) -> None:
        known = {origin["Id"] for origin in (config.get("Origins") or {}).get("Items") or []}
        known.update(group["Id"] for group in (config.get("OriginGroups") or {}).get("Items") or [])
        behaviors: list[JsonDict] = [config["DefaultCacheBehavior"]]
        behaviors.extend((config.get("CacheBehaviors") or {}).get("Items") or [])
        for behavior in behaviors:
            if behavior["TargetOriginId"] not in known:
                raise EmulatedErrorReply(
                    "NoSuchOrigin",
                    f"No origin exists with the specified Origin Id: {behavior['TargetOriginId']}",
                    404,
                )

    def _validate_aliases(self, config: JsonDict, current: DistributionRecord | None) -> None:
        aliases = _aliases(config)
        if aliases and config.get("Staging"):
            raise invalid_argument("A staging distribution cannot have alternate domain names.")
        wanted = {alias.lower() for alias in aliases}
        for record in self._state.distributions.values():
            if record is current:
                continue
            taken = wanted.intersection(alias.lower() for alias in _aliases(record.config))
            if taken:
                raise EmulatedErrorReply(
                    "CNAMEAlreadyExists",
                    f"One or more of the CNAMEs you provided are already associated with a "
                    f"different resource: {', '.join(sorted(taken))}",
                    409,
                )

    def _validate_function_associations(self, config: JsonDict) -> None:
        for arn in sorted(function_arns(config)):
            function = self._state.function_by_arn(arn)
            if function is None or function.live is None:
                raise EmulatedErrorReply(
                    "InvalidFunctionAssociation",
                    f"The function {arn} does not exist or is not published to the LIVE stage.",
                    400,
                )

    def _validate_policy_reference(
        self, config: JsonDict, current: DistributionRecord | None
    ) -> None:
        policy_id = str(config.get("ContinuousDeploymentPolicyId") or "")
        if not policy_id:
            return
        if config.get("Staging"):
            raise invalid_argument(
                "A staging distribution cannot have a continuous deployment policy."
            )
        if policy_id not in self._state.policies:
            raise EmulatedErrorReply(
                "NoSuchContinuousDeploymentPolicy",
                f"The continuous deployment policy does not exist: {policy_id}",
                404,
            )
        holder = self._state.distribution_using_policy(policy_id)
        if holder is not None and holder is not current:
            raise EmulatedErrorReply(
                "ContinuousDeploymentPolicyInUse",
                f"The continuous deployment policy {policy_id} is already associated with "
                f"distribution {holder.id}.",
                409,
            )

    # Operations -----------------------------------------------------------------------------

    def _store(self, request: Request, config: JsonDict) -> DistributionRecord:
        distribution_id = new_resource_id("E")
        while distribution_id in self._state.distributions:
            distribution_id = new_resource_id("E")
        record = DistributionRecord(
            id=distribution_id,
            arn=f"arn:aws:cloudfront::{request.account_id}:distribution/{distribution_id}",
            domain_name=new_distribution_domain_name(),
            config=config,
            etag=new_etag(),
            last_modified=self._state.now(),
            deployed_at=0.0,
        )
        self._state.redeploy(record)
        self._state.distributions[distribution_id] = record
        return record

    def create(self, request: Request) -> JsonDict:
        config = copy.deepcopy(request.params["DistributionConfig"])
        self._check_caller_reference_unused(config["CallerReference"])
        if config.get("Staging"):
            raise invalid_argument(
                "Create a staging distribution with CopyDistribution, not CreateDistribution."
            )
        self._validate_config(config, current=None)
        record = self._store(request, _with_defaults(config))
        return self._reply(record, location=True)

    def get(self, request: Request) -> JsonDict:
        return self._reply(self.lookup(request.params["Id"]))

    def get_config(self, request: Request) -> JsonDict:
        record = self.lookup(request.params["Id"])
        return {"DistributionConfig": copy.deepcopy(record.config), "ETag": record.etag}

    def update(self, request: Request) -> JsonDict:
        record = self.lookup(request.params["Id"])
        require_if_match(request.params.get("IfMatch"), record.etag)
        config = copy.deepcopy(request.params["DistributionConfig"])
        if config["CallerReference"] != record.config["CallerReference"]:
            raise EmulatedErrorReply(
                "IllegalUpdate", "The CallerReference of a distribution cannot be updated.", 400
            )
        if bool(config.get("Staging")) != record.is_staging:
            raise EmulatedErrorReply(
                "IllegalUpdate", "The Staging flag of a distribution cannot be updated.", 400
            )
        self._validate_config(config, current=record)
        config = _with_defaults(config)
        self._check_continuous_deployment(record, config)
        record.config = config
        self._state.redeploy(record)
        return self._reply(record)

    def in_continuous_deployment(self, record: DistributionRecord) -> bool:
        """A primary with a policy attached, or a staging distribution named by a policy that
        is attached to a primary."""
        if record.policy_id:
            return True
        if not record.is_staging:
            return False
        return any(
            record.domain_name in policy.staging_dns_names
            and self._state.distribution_using_policy(policy.id) is not None
            for policy in self._state.policies.values()
        )

    def _check_continuous_deployment(self, record: DistributionRecord, config: JsonDict) -> None:
        """What CloudFront refuses while continuous deployment is on."""
        if not (
            self.in_continuous_deployment(record) or config.get("ContinuousDeploymentPolicyId")
        ):
            return
        frozen = _frozen_changes(record.config, config)
        if frozen:
            raise EmulatedErrorReply(
                "IllegalUpdate",
                "One or more fields updated are not supported for continuous deployment: "
                f"{', '.join(frozen)}.",
                400,
            )
        if _uses_http3(config):
            raise invalid_argument(
                "Continuous deployment is not supported for distributions that use HTTP/3 "
                f"(HttpVersion {config.get('HttpVersion')})."
            )

    def delete(self, request: Request) -> JsonDict:
        record = self.lookup(request.params["Id"])
        require_if_match(request.params.get("IfMatch"), record.etag)
        if record.policy_id:
            raise EmulatedErrorReply(
                "ResourceInUse",
                f"Distribution {record.id} has continuous deployment policy "
                f"{record.policy_id} attached; detach it before deleting the distribution.",
                409,
            )
        if record.is_staging:
            for policy in self._state.policies.values():
                primary = self._state.distribution_using_policy(policy.id)
                if primary is not None and record.domain_name in policy.staging_dns_names:
                    raise EmulatedErrorReply(
                        "ResourceInUse",
                        f"Staging distribution {record.id} is used by continuous deployment "
                        f"policy {policy.id} of distribution {primary.id}.",
                        409,
                    )
        if record.config.get("Enabled") or self._state.distribution_status(record) != DEPLOYED:
            raise EmulatedErrorReply(
                "DistributionNotDisabled",
                "The distribution you are trying to delete has not been disabled and deployed.",
                409,
            )
        del self._state.distributions[record.id]
        return {}

    def list_distributions(self, request: Request) -> JsonDict:
        ordered = sorted(self._state.distributions.values(), key=lambda record: record.id)
        page = paginate(ordered, lambda record: record.id, request.params)
        listing: JsonDict = {
            "Marker": page.marker,
            "MaxItems": page.max_items,
            "IsTruncated": page.next_marker is not None,
            "Quantity": len(page.items),
            "Items": [self._summary(record) for record in page.items],
        }
        if page.next_marker is not None:
            listing["NextMarker"] = page.next_marker
        return {"DistributionList": listing}

    def copy_distribution(self, request: Request) -> JsonDict:
        params = request.params
        primary = self.lookup(params["PrimaryDistributionId"])
        require_if_match(params.get("IfMatch"), primary.etag)
        self._check_caller_reference_unused(params["CallerReference"])
        staging = bool(params.get("Staging", False))
        if staging:
            staging_count = sum(1 for d in self._state.distributions.values() if d.is_staging)
            if staging_count >= MAX_STAGING_DISTRIBUTIONS:
                raise EmulatedErrorReply(
                    "TooManyDistributions",
                    "You have reached the maximum number of staging distributions "
                    f"({MAX_STAGING_DISTRIBUTIONS}) for this account.",
                    400,
                )
        if _uses_http3(primary.config):
            raise invalid_argument(
                "Continuous deployment is not supported for distributions that use HTTP/3 "
                f"(HttpVersion {primary.config.get('HttpVersion')}): cannot copy {primary.id}."
            )
        config = copy.deepcopy(primary.config)
        config["CallerReference"] = params["CallerReference"]
        # Alternate domain names belong to one distribution only; a copy starts without them.
        config["Aliases"] = {"Quantity": 0}
        config["ContinuousDeploymentPolicyId"] = ""
        config["Staging"] = staging
        config["Enabled"] = bool(params.get("Enabled", True))
        record = self._store(request, config)
        return self._reply(record, location=True)

    def promote(self, request: Request) -> JsonDict:
        params = request.params
        primary = self.lookup(params["Id"])
        staging_id = params.get("StagingDistributionId")
        if not staging_id:
            raise invalid_argument("StagingDistributionId is required.")
        staging = self.lookup(staging_id)
        primary_etag, staging_etag = split_if_match(params.get("IfMatch"), 2)
        require_if_match(primary_etag, primary.etag)
        require_if_match(staging_etag, staging.etag)
        if not staging.is_staging:
            raise invalid_argument(f"Distribution {staging.id} is not a staging distribution.")
        policy = self._state.policies.get(primary.policy_id)
        if policy is None or staging.domain_name not in policy.staging_dns_names:
            raise invalid_argument(
                f"Distribution {staging.id} is not the staging distribution of {primary.id}'s "
                "continuous deployment policy."
            )
        config = copy.deepcopy(staging.config)
        for kept in ("CallerReference", "Aliases", "ContinuousDeploymentPolicyId"):
            config[kept] = copy.deepcopy(primary.config[kept])
        config["Staging"] = False
        primary.config = config
        self._state.redeploy(primary)
        # Promotion sends all traffic back to the primary: the policy is switched off.
        policy.config["Enabled"] = False
        policy.etag = new_etag(policy.etag)
        policy.last_modified = self._state.now()
        return self._reply(primary)
