"""The CloudFront backend's state machine, called directly with botocore-form parameters."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import botocore.session
import pytest
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape

from cdnkit.testing._backend import Clock, JsonDict, Request, ServiceError, SharedState, Timing
from cdnkit.testing._cloudfront import CloudFrontBackend
from cdnkit.testing._cloudfront._distributions import SUMMARY_CONFIG_MEMBERS

from .conftest import distribution_config

MODEL: ServiceModel = botocore.session.get_session().get_service_model("cloudfront")
DEPLOY = Timing().cloudfront_distribution_deploy


# Helpers ------------------------------------------------------------------------------------


def _conforms(shape: Shape, value: Any, path: str) -> None:
    """Fail unless ``value`` is a valid botocore-form value of ``shape``."""
    if isinstance(shape, StructureShape):
        assert isinstance(value, dict), path
        unknown = set(value) - set(shape.members)
        assert not unknown, f"{path}: members not in {shape.name}: {unknown}"
        missing = set(shape.required_members) - set(value)
        assert not missing, f"{path}: required members of {shape.name} missing: {missing}"
        for name, member_value in value.items():
            _conforms(shape.members[name], member_value, f"{path}.{name}")
    elif isinstance(shape, ListShape):
        assert isinstance(value, list), path
        for index, item in enumerate(value):
            _conforms(shape.member, item, f"{path}[{index}]")
    elif isinstance(shape, MapShape):
        assert isinstance(value, dict), path
    else:
        expected: dict[str, tuple[type, ...]] = {
            "string": (str,),
            "integer": (int,),
            "long": (int,),
            "boolean": (bool,),
            "float": (float, int),
            "double": (float, int),
            "timestamp": (datetime,),
            "blob": (bytes,),
        }
        assert isinstance(value, expected[shape.type_name]), f"{path}: {value!r}"
        if shape.type_name in ("integer", "long"):
            assert not isinstance(value, bool), path


def assert_output_conforms(operation: str, reply: JsonDict) -> None:
    output = MODEL.operation_model(operation).output_shape
    if output is None:
        assert reply == {}
        return
    _conforms(output, reply, operation)


class Harness:
    def __init__(self) -> None:
        self.state = SharedState(clock=Clock(), timing=Timing())
        self.backend = CloudFrontBackend(self.state)

    def call(self, operation: str, **params: Any) -> JsonDict:
        reply = self.backend.handle(
            Request(service="cloudfront", operation=operation, params=params, headers={})
        )
        assert_output_conforms(operation, reply)
        return reply

    def fails(self, code: str, status: int, operation: str, **params: Any) -> ServiceError:
        with pytest.raises(ServiceError) as caught:
            self.call(operation, **params)
        assert (caught.value.code, caught.value.status) == (code, status), caught.value
        return caught.value

    def advance(self, seconds: float = 10.0) -> None:
        self.state.clock.advance(seconds)

    # Builders -------------------------------------------------------------------------------

    def create_distribution(self, reference: str = "ref-1", **overrides: Any) -> JsonDict:
        return self.call(
            "CreateDistribution", DistributionConfig=distribution_config(reference, **overrides)
        )

    def config_of(self, distribution_id: str) -> tuple[JsonDict, str]:
        reply = self.call("GetDistributionConfig", Id=distribution_id)
        return reply["DistributionConfig"], reply["ETag"]

    def update_distribution(self, distribution_id: str, **changes: Any) -> JsonDict:
        config, etag = self.config_of(distribution_id)
        config.update(changes)
        return self.call(
            "UpdateDistribution", Id=distribution_id, IfMatch=etag, DistributionConfig=config
        )

    def copy_to_staging(self, primary: JsonDict, reference: str = "staging-1") -> JsonDict:
        return self.call(
            "CopyDistribution",
            PrimaryDistributionId=primary["Distribution"]["Id"],
            IfMatch=primary["ETag"],
            CallerReference=reference,
            Staging=True,
        )

    def create_policy(self, *staging_domains: str, **traffic: Any) -> JsonDict:
        return self.call(
            "CreateContinuousDeploymentPolicy",
            ContinuousDeploymentPolicyConfig=policy_config(*staging_domains, **traffic),
        )

    def continuous_deployment_pair(self) -> tuple[str, str, str]:
        """A primary with an attached policy and its staging distribution: their ids."""
        primary = self.create_distribution(Aliases={"Quantity": 1, "Items": ["www.example.com"]})
        staging = self.copy_to_staging(primary)
        policy = self.create_policy(staging["Distribution"]["DomainName"])
        primary_id = primary["Distribution"]["Id"]
        policy_id = policy["ContinuousDeploymentPolicy"]["Id"]
        self.update_distribution(primary_id, ContinuousDeploymentPolicyId=policy_id)
        return primary_id, staging["Distribution"]["Id"], policy_id

    def create_store(self, name: str = "flags", **params: Any) -> JsonDict:
        return self.call("CreateKeyValueStore", Name=name, **params)

    def create_function(
        self,
        name: str = "router",
        code: bytes = b"function handler(event) { return event.request; }",
        runtime: str = "cloudfront-js-2.0",
        store_arns: tuple[str, ...] = (),
    ) -> JsonDict:
        return self.call(
            "CreateFunction",
            Name=name,
            FunctionConfig=function_config(runtime, store_arns),
            FunctionCode=code,
        )

    def publish(self, name: str = "router") -> JsonDict:
        etag = self.call("DescribeFunction", Name=name)["ETag"]
        return self.call("PublishFunction", Name=name, IfMatch=etag)


def policy_config(*staging_domains: str, **traffic: Any) -> JsonDict:
    config: JsonDict = {
        "StagingDistributionDnsNames": {
            "Quantity": len(staging_domains),
            "Items": list(staging_domains),
        },
        "Enabled": True,
        "TrafficConfig": traffic or {"Type": "SingleWeight", "SingleWeightConfig": {"Weight": 0.1}},
    }
    return config


def function_config(
    runtime: str = "cloudfront-js-2.0", store_arns: tuple[str, ...] = ()
) -> JsonDict:
    config: JsonDict = {"Comment": "routes requests", "Runtime": runtime}
    if store_arns:
        config["KeyValueStoreAssociations"] = {
            "Quantity": len(store_arns),
            "Items": [{"KeyValueStoreARN": arn} for arn in store_arns],
        }
    return config


def viewer_request_association(function_arn: str) -> JsonDict:
    return {"Quantity": 1, "Items": [{"FunctionARN": function_arn, "EventType": "viewer-request"}]}


@pytest.fixture
def cf() -> Harness:
    return Harness()


# Distributions ------------------------------------------------------------------------------


def test_create_distribution_answers_like_cloudfront(cf: Harness) -> None:
    created = cf.create_distribution()
    distribution = created["Distribution"]
    assert re.fullmatch(r"E[A-Z0-9]{13}", distribution["Id"])
    assert (
        distribution["ARN"] == f"arn:aws:cloudfront::123456789012:distribution/{distribution['Id']}"
    )
    assert re.fullmatch(r"d[a-z0-9]+\.cloudfront\.net", distribution["DomainName"])
    assert distribution["Status"] == "InProgress"
    assert created["Location"].endswith(f"/distribution/{distribution['Id']}")
    config = distribution["DistributionConfig"]
    assert config["Comment"] == "site"
    # Defaults the service fills in, so the config can be sent back unchanged.
    assert config["Aliases"] == {"Quantity": 0}
    assert config["Staging"] is False
    assert config["ContinuousDeploymentPolicyId"] == ""


def test_distribution_deploys_after_the_configured_time(cf: Harness) -> None:
    distribution_id = cf.create_distribution()["Distribution"]["Id"]
    cf.advance(DEPLOY / 2)
    assert cf.call("GetDistribution", Id=distribution_id)["Distribution"]["Status"] == "InProgress"
    cf.advance(DEPLOY)
    assert cf.call("GetDistribution", Id=distribution_id)["Distribution"]["Status"] == "Deployed"


def test_get_and_get_config_return_the_same_etag_as_create(cf: Harness) -> None:
    created = cf.create_distribution()
    distribution_id = created["Distribution"]["Id"]
    assert cf.call("GetDistribution", Id=distribution_id)["ETag"] == created["ETag"]
    assert cf.config_of(distribution_id)[1] == created["ETag"]


def test_reused_caller_reference_names_the_existing_distribution(cf: Harness) -> None:
    existing = cf.create_distribution("same")["Distribution"]["Id"]
    error = cf.fails(
        "DistributionAlreadyExists",
        409,
        "CreateDistribution",
        DistributionConfig=distribution_config("same"),
    )
    assert existing in error.message


@pytest.mark.parametrize(
    ("overrides", "code", "status"),
    [
        ({"Comment": "x" * 129}, "InvalidArgument", 400),
        ({"Staging": True}, "InvalidArgument", 400),
        (
            {
                "DefaultCacheBehavior": {
                    "TargetOriginId": "nope",
                    "ViewerProtocolPolicy": "allow-all",
                }
            },
            "NoSuchOrigin",
            404,
        ),
        (
            {"ContinuousDeploymentPolicyId": "no-such-policy"},
            "NoSuchContinuousDeploymentPolicy",
            404,
        ),
    ],
)
def test_create_distribution_refuses_invalid_configs(
    cf: Harness, overrides: JsonDict, code: str, status: int
) -> None:
    cf.fails(
        code, status, "CreateDistribution", DistributionConfig=distribution_config("r", **overrides)
    )


def test_an_alias_belongs_to_one_distribution(cf: Harness) -> None:
    aliases = {"Quantity": 1, "Items": ["www.example.com"]}
    cf.create_distribution("a", Aliases=aliases)
    cf.fails(
        "CNAMEAlreadyExists",
        409,
        "CreateDistribution",
        DistributionConfig=distribution_config(
            "b", Aliases={"Quantity": 1, "Items": ["WWW.example.com"]}
        ),
    )


def test_get_unknown_distribution(cf: Harness) -> None:
    cf.fails("NoSuchDistribution", 404, "GetDistribution", Id="E000000000000")
    cf.fails("NoSuchDistribution", 404, "GetDistributionConfig", Id="E000000000000")


def test_update_distribution_needs_the_current_etag(cf: Harness) -> None:
    created = cf.create_distribution()
    distribution_id = created["Distribution"]["Id"]
    config = distribution_config("ref-1", Comment="changed")
    cf.fails(
        "InvalidIfMatchVersion",
        400,
        "UpdateDistribution",
        Id=distribution_id,
        DistributionConfig=config,
    )
    cf.fails(
        "PreconditionFailed",
        412,
        "UpdateDistribution",
        Id=distribution_id,
        IfMatch="ESTALE0000000",
        DistributionConfig=config,
    )
    cf.advance()
    updated = cf.call(
        "UpdateDistribution", Id=distribution_id, IfMatch=created["ETag"], DistributionConfig=config
    )
    assert updated["ETag"] != created["ETag"]
    assert updated["Distribution"]["Status"] == "InProgress"
    assert updated["Distribution"]["DistributionConfig"]["Comment"] == "changed"
    # The ETag the caller held before the write is now stale.
    cf.fails(
        "PreconditionFailed",
        412,
        "UpdateDistribution",
        Id=distribution_id,
        IfMatch=created["ETag"],
        DistributionConfig=config,
    )


def test_update_accepts_a_quoted_etag(cf: Harness) -> None:
    created = cf.create_distribution()
    cf.call(
        "UpdateDistribution",
        Id=created["Distribution"]["Id"],
        IfMatch=f'"{created["ETag"]}"',
        DistributionConfig=distribution_config("ref-1"),
    )


@pytest.mark.parametrize("changes", [{"CallerReference": "other"}, {"Staging": True}])
def test_update_cannot_change_caller_reference_or_staging(cf: Harness, changes: JsonDict) -> None:
    created = cf.create_distribution()
    config = {**created["Distribution"]["DistributionConfig"], **changes}
    cf.fails(
        "IllegalUpdate",
        400,
        "UpdateDistribution",
        Id=created["Distribution"]["Id"],
        IfMatch=created["ETag"],
        DistributionConfig=config,
    )


def test_delete_distribution_only_when_disabled_and_deployed(cf: Harness) -> None:
    distribution_id = cf.create_distribution()["Distribution"]["Id"]
    cf.advance()
    etag = cf.config_of(distribution_id)[1]
    cf.fails("InvalidIfMatchVersion", 400, "DeleteDistribution", Id=distribution_id)
    cf.fails("PreconditionFailed", 412, "DeleteDistribution", Id=distribution_id, IfMatch="E0")
    cf.fails("DistributionNotDisabled", 409, "DeleteDistribution", Id=distribution_id, IfMatch=etag)
    etag = cf.update_distribution(distribution_id, Enabled=False)["ETag"]
    # Disabled, but the change has not deployed yet.
    cf.fails("DistributionNotDisabled", 409, "DeleteDistribution", Id=distribution_id, IfMatch=etag)
    cf.advance()
    assert cf.call("DeleteDistribution", Id=distribution_id, IfMatch=etag) == {}
    cf.fails("NoSuchDistribution", 404, "GetDistribution", Id=distribution_id)


def test_list_distributions_paginates(cf: Harness) -> None:
    ids = {cf.create_distribution(f"ref-{n}")["Distribution"]["Id"] for n in range(3)}
    first = cf.call("ListDistributions", MaxItems="2")["DistributionList"]
    assert (first["Quantity"], first["IsTruncated"], first["MaxItems"]) == (2, True, 2)
    assert first["Marker"] == ""
    second = cf.call("ListDistributions", MaxItems="2", Marker=first["NextMarker"])[
        "DistributionList"
    ]
    assert (second["Quantity"], second["IsTruncated"]) == (1, False)
    assert "NextMarker" not in second
    listed = {item["Id"] for item in first["Items"] + second["Items"]}
    assert listed == ids
    summary = first["Items"][0]
    assert summary["ETag"] == cf.call("GetDistribution", Id=summary["Id"])["ETag"]


def test_list_distributions_refuses_a_bad_max_items(cf: Harness) -> None:
    cf.fails("InvalidArgument", 400, "ListDistributions", MaxItems="many")
    cf.fails("InvalidArgument", 400, "ListDistributions", MaxItems="0")


def test_summary_members_follow_the_model() -> None:
    summary = MODEL.shape_for("DistributionSummary")
    config = MODEL.shape_for("DistributionConfig")
    assert isinstance(summary, StructureShape)
    assert isinstance(config, StructureShape)
    from_record = {
        "Id",
        "ARN",
        "ETag",
        "Status",
        "LastModifiedTime",
        "DomainName",
        "AliasICPRecordals",
    }
    assert set(SUMMARY_CONFIG_MEMBERS) == set(summary.members) - from_record
    assert set(SUMMARY_CONFIG_MEMBERS) <= set(config.members)


def test_returned_configs_are_copies(cf: Harness) -> None:
    created = cf.create_distribution()
    created["Distribution"]["DistributionConfig"]["Comment"] = "mutated by the caller"
    config, _ = cf.config_of(created["Distribution"]["Id"])
    assert config["Comment"] == "site"


# Staging distributions and continuous deployment ---------------------------------------------


def test_copy_distribution_makes_a_staging_copy(cf: Harness) -> None:
    primary = cf.create_distribution(Aliases={"Quantity": 1, "Items": ["www.example.com"]})
    primary_id = primary["Distribution"]["Id"]
    cf.fails(
        "InvalidIfMatchVersion",
        400,
        "CopyDistribution",
        PrimaryDistributionId=primary_id,
        CallerReference="c",
    )
    cf.fails(
        "PreconditionFailed",
        412,
        "CopyDistribution",
        PrimaryDistributionId=primary_id,
        CallerReference="c",
        IfMatch="ESTALE",
    )
    staging = cf.copy_to_staging(primary)
    assert staging["Location"].endswith(staging["Distribution"]["Id"])
    copied = staging["Distribution"]["DistributionConfig"]
    assert staging["Distribution"]["Id"] != primary_id
    assert copied["Staging"] is True
    assert copied["Enabled"] is True
    assert copied["Aliases"] == {"Quantity": 0}
    assert copied["CallerReference"] == "staging-1"
    assert copied["Origins"] == primary["Distribution"]["DistributionConfig"]["Origins"]
    cf.fails(
        "DistributionAlreadyExists",
        409,
        "CopyDistribution",
        PrimaryDistributionId=primary_id,
        IfMatch=primary["ETag"],
        CallerReference="staging-1",
        Staging=True,
    )
    cf.fails(
        "NoSuchDistribution",
        404,
        "CopyDistribution",
        PrimaryDistributionId="E1",
        CallerReference="x",
        IfMatch="E",
    )


def test_staging_distribution_quota(cf: Harness) -> None:
    primary = cf.create_distribution()
    for n in range(20):
        cf.copy_to_staging(primary, f"staging-{n}")
    cf.fails(
        "TooManyDistributions",
        400,
        "CopyDistribution",
        PrimaryDistributionId=primary["Distribution"]["Id"],
        IfMatch=primary["ETag"],
        CallerReference="staging-20",
        Staging=True,
    )


def test_policy_lifecycle_and_etags(cf: Harness) -> None:
    staging = cf.copy_to_staging(cf.create_distribution())
    created = cf.create_policy(staging["Distribution"]["DomainName"])
    policy_id = created["ContinuousDeploymentPolicy"]["Id"]
    assert re.fullmatch(r"[0-9a-f-]{36}", policy_id)
    assert created["Location"].endswith(policy_id)
    assert cf.call("GetContinuousDeploymentPolicy", Id=policy_id)["ETag"] == created["ETag"]
    got = cf.call("GetContinuousDeploymentPolicyConfig", Id=policy_id)
    assert got["ETag"] == created["ETag"]
    config = got["ContinuousDeploymentPolicyConfig"]
    config["TrafficConfig"]["SingleWeightConfig"]["Weight"] = 0.05
    cf.fails(
        "InvalidIfMatchVersion",
        400,
        "UpdateContinuousDeploymentPolicy",
        Id=policy_id,
        ContinuousDeploymentPolicyConfig=config,
    )
    cf.fails(
        "PreconditionFailed",
        412,
        "UpdateContinuousDeploymentPolicy",
        Id=policy_id,
        IfMatch="ESTALE",
        ContinuousDeploymentPolicyConfig=config,
    )
    updated = cf.call(
        "UpdateContinuousDeploymentPolicy",
        Id=policy_id,
        IfMatch=created["ETag"],
        ContinuousDeploymentPolicyConfig=config,
    )
    assert updated["ETag"] != created["ETag"]
    weight = updated["ContinuousDeploymentPolicy"]["ContinuousDeploymentPolicyConfig"][
        "TrafficConfig"
    ]
    assert weight["SingleWeightConfig"]["Weight"] == 0.05
    cf.fails("InvalidIfMatchVersion", 400, "DeleteContinuousDeploymentPolicy", Id=policy_id)
    cf.fails(
        "PreconditionFailed",
        412,
        "DeleteContinuousDeploymentPolicy",
        Id=policy_id,
        IfMatch=created["ETag"],
    )
    cf.call("DeleteContinuousDeploymentPolicy", Id=policy_id, IfMatch=updated["ETag"])
    cf.fails("NoSuchContinuousDeploymentPolicy", 404, "GetContinuousDeploymentPolicy", Id=policy_id)
    cf.fails(
        "NoSuchContinuousDeploymentPolicy", 404, "GetContinuousDeploymentPolicyConfig", Id=policy_id
    )


@pytest.mark.parametrize(
    "traffic",
    [
        {"Type": "SingleWeight", "SingleWeightConfig": {"Weight": 0.16}},
        {"Type": "SingleWeight", "SingleWeightConfig": {"Weight": -0.01}},
        {
            "Type": "SingleWeight",
            "SingleWeightConfig": {
                "Weight": 0.1,
                "SessionStickinessConfig": {"IdleTTL": 299, "MaximumTTL": 600},
            },
        },
        {
            "Type": "SingleWeight",
            "SingleWeightConfig": {
                "Weight": 0.1,
                "SessionStickinessConfig": {"IdleTTL": 300, "MaximumTTL": 3601},
            },
        },
        {
            "Type": "SingleWeight",
            "SingleWeightConfig": {
                "Weight": 0.1,
                "SessionStickinessConfig": {"IdleTTL": 900, "MaximumTTL": 600},
            },
        },
        {"Type": "SingleHeader", "SingleHeaderConfig": {"Header": "x-canary", "Value": "1"}},
        {
            "Type": "SingleWeight",
            "SingleHeaderConfig": {"Header": "aws-cf-cd-canary", "Value": "1"},
        },
        {"Type": "SingleHeader", "SingleWeightConfig": {"Weight": 0.1}},
    ],
)
def test_policy_documented_constraints(cf: Harness, traffic: JsonDict) -> None:
    cf.fails(
        "InvalidArgument",
        400,
        "CreateContinuousDeploymentPolicy",
        ContinuousDeploymentPolicyConfig=policy_config(**traffic),
    )


@pytest.mark.parametrize(
    "traffic",
    [
        {"Type": "SingleWeight", "SingleWeightConfig": {"Weight": 0.15}},
        {
            "Type": "SingleWeight",
            "SingleWeightConfig": {
                "Weight": 0,
                "SessionStickinessConfig": {"IdleTTL": 300, "MaximumTTL": 3600},
            },
        },
        {
            "Type": "SingleHeader",
            "SingleHeaderConfig": {"Header": "aws-cf-cd-canary", "Value": "1"},
        },
    ],
)
def test_policy_limits_are_inclusive(cf: Harness, traffic: JsonDict) -> None:
    cf.create_policy(**traffic)


def test_policy_must_name_an_unused_staging_distribution(cf: Harness) -> None:
    primary = cf.create_distribution()
    cf.fails(
        "InvalidArgument",
        400,
        "CreateContinuousDeploymentPolicy",
        ContinuousDeploymentPolicyConfig=policy_config(primary["Distribution"]["DomainName"]),
    )
    staging_domain = cf.copy_to_staging(primary)["Distribution"]["DomainName"]
    cf.create_policy(staging_domain)
    cf.fails(
        "StagingDistributionInUse",
        409,
        "CreateContinuousDeploymentPolicy",
        ContinuousDeploymentPolicyConfig=policy_config(staging_domain),
    )


def test_policy_quota(cf: Harness) -> None:
    for _ in range(20):
        cf.create_policy()
    cf.fails(
        "TooManyContinuousDeploymentPolicies",
        400,
        "CreateContinuousDeploymentPolicy",
        ContinuousDeploymentPolicyConfig=policy_config(),
    )


def test_list_policies_paginates(cf: Harness) -> None:
    ids = {cf.create_policy()["ContinuousDeploymentPolicy"]["Id"] for _ in range(3)}
    first = cf.call("ListContinuousDeploymentPolicies", MaxItems="2")[
        "ContinuousDeploymentPolicyList"
    ]
    second = cf.call("ListContinuousDeploymentPolicies", Marker=first["NextMarker"])[
        "ContinuousDeploymentPolicyList"
    ]
    assert first["Quantity"] == 2
    assert "NextMarker" not in second
    listed = {item["ContinuousDeploymentPolicy"]["Id"] for item in first["Items"] + second["Items"]}
    assert listed == ids


def test_attached_policy_and_staging_are_in_use(cf: Harness) -> None:
    primary_id, staging_id, policy_id = cf.continuous_deployment_pair()
    policy_etag = cf.call("GetContinuousDeploymentPolicy", Id=policy_id)["ETag"]
    cf.fails(
        "ContinuousDeploymentPolicyInUse",
        409,
        "DeleteContinuousDeploymentPolicy",
        Id=policy_id,
        IfMatch=policy_etag,
    )
    # (Enabled cannot change while continuous deployment is on: the in-use check comes first.)
    cf.fails(
        "ResourceInUse",
        409,
        "DeleteDistribution",
        Id=primary_id,
        IfMatch=cf.config_of(primary_id)[1],
    )
    cf.fails(
        "ResourceInUse",
        409,
        "DeleteDistribution",
        Id=staging_id,
        IfMatch=cf.config_of(staging_id)[1],
    )
    # Another primary cannot take the same policy.
    other = distribution_config("other", ContinuousDeploymentPolicyId=policy_id)
    cf.fails("ContinuousDeploymentPolicyInUse", 409, "CreateDistribution", DistributionConfig=other)
    # Detached, everything can go.
    cf.update_distribution(primary_id, ContinuousDeploymentPolicyId="")
    cf.advance()
    cf.call("DeleteContinuousDeploymentPolicy", Id=policy_id, IfMatch=policy_etag)
    cf.update_distribution(primary_id, Enabled=False)
    cf.update_distribution(staging_id, Enabled=False)
    cf.advance()
    cf.call("DeleteDistribution", Id=staging_id, IfMatch=cf.config_of(staging_id)[1])
    cf.call("DeleteDistribution", Id=primary_id, IfMatch=cf.config_of(primary_id)[1])


def test_staging_distribution_cannot_take_aliases_or_a_policy(cf: Harness) -> None:
    _, staging_id, policy_id = cf.continuous_deployment_pair()
    config, etag = cf.config_of(staging_id)
    for change in (
        {"Aliases": {"Quantity": 1, "Items": ["beta.example.com"]}},
        {"ContinuousDeploymentPolicyId": policy_id},
    ):
        cf.fails(
            "InvalidArgument",
            400,
            "UpdateDistribution",
            Id=staging_id,
            IfMatch=etag,
            DistributionConfig={**config, **change},
        )


def test_policy_update_redeploys_the_primary(cf: Harness) -> None:
    primary_id, _, policy_id = cf.continuous_deployment_pair()
    cf.advance()
    before = cf.call("GetDistribution", Id=primary_id)
    assert before["Distribution"]["Status"] == "Deployed"
    got = cf.call("GetContinuousDeploymentPolicyConfig", Id=policy_id)
    cf.call(
        "UpdateContinuousDeploymentPolicy",
        Id=policy_id,
        IfMatch=got["ETag"],
        ContinuousDeploymentPolicyConfig=got["ContinuousDeploymentPolicyConfig"],
    )
    after = cf.call("GetDistribution", Id=primary_id)
    assert after["ETag"] != before["ETag"]
    assert after["Distribution"]["Status"] == "InProgress"


def test_promote_needs_both_etags(cf: Harness) -> None:
    primary_id, staging_id, _ = cf.continuous_deployment_pair()
    primary_etag = cf.config_of(primary_id)[1]
    staging_etag = cf.config_of(staging_id)[1]
    promote = {"Id": primary_id, "StagingDistributionId": staging_id}
    cf.fails("InvalidIfMatchVersion", 400, "UpdateDistributionWithStagingConfig", **promote)
    cf.fails(
        "InvalidIfMatchVersion",
        400,
        "UpdateDistributionWithStagingConfig",
        IfMatch=primary_etag,
        **promote,
    )
    cf.fails(
        "PreconditionFailed",
        412,
        "UpdateDistributionWithStagingConfig",
        IfMatch=f"ESTALE, {staging_etag}",
        **promote,
    )
    cf.fails(
        "PreconditionFailed",
        412,
        "UpdateDistributionWithStagingConfig",
        IfMatch=f"{primary_etag}, ESTALE",
        **promote,
    )
    cf.fails(
        "InvalidArgument",
        400,
        "UpdateDistributionWithStagingConfig",
        Id=primary_id,
        IfMatch=f"{primary_etag}, {staging_etag}",
    )


def test_promote_copies_staging_onto_primary_and_disables_the_policy(cf: Harness) -> None:
    primary_id, staging_id, policy_id = cf.continuous_deployment_pair()
    cf.update_distribution(staging_id, Comment="from staging", DefaultRootObject="index.html")
    primary_etag = cf.config_of(primary_id)[1]
    staging_etag = cf.config_of(staging_id)[1]
    policy_etag = cf.call("GetContinuousDeploymentPolicy", Id=policy_id)["ETag"]
    promoted = cf.call(
        "UpdateDistributionWithStagingConfig",
        Id=primary_id,
        StagingDistributionId=staging_id,
        IfMatch=f"{primary_etag}, {staging_etag}",
    )
    assert promoted["ETag"] != primary_etag
    assert promoted["Distribution"]["Status"] == "InProgress"
    config = promoted["Distribution"]["DistributionConfig"]
    assert (config["Comment"], config["DefaultRootObject"]) == ("from staging", "index.html")
    assert config["Aliases"] == {"Quantity": 1, "Items": ["www.example.com"]}
    assert config["ContinuousDeploymentPolicyId"] == policy_id
    assert (config["CallerReference"], config["Staging"]) == ("ref-1", False)
    policy = cf.call("GetContinuousDeploymentPolicy", Id=policy_id)
    assert (
        policy["ContinuousDeploymentPolicy"]["ContinuousDeploymentPolicyConfig"]["Enabled"] is False
    )
    assert policy["ETag"] != policy_etag
    # The staging distribution is left as it was.
    assert cf.config_of(staging_id)[1] == staging_etag


def test_promote_refuses_a_distribution_that_is_not_the_policy_staging(cf: Harness) -> None:
    primary_id, _, _ = cf.continuous_deployment_pair()
    stranger = cf.create_distribution("stranger")
    cf.fails(
        "InvalidArgument",
        400,
        "UpdateDistributionWithStagingConfig",
        Id=primary_id,
        StagingDistributionId=stranger["Distribution"]["Id"],
        IfMatch=f"{cf.config_of(primary_id)[1]}, {stranger['ETag']}",
    )


# KeyValueStores ------------------------------------------------------------------------------


def test_create_key_value_store_is_shared_with_the_data_plane(cf: Harness) -> None:
    created = cf.create_store(Comment="feature flags")
    store = created["KeyValueStore"]
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", store["Id"]
    )
    assert store["ARN"] == f"arn:aws:cloudfront::123456789012:key-value-store/{store['Id']}"
    assert store["Status"] == "PROVISIONING"
    shared = cf.state.key_value_stores[store["ARN"]]
    assert (shared.name, shared.comment, shared.control_etag) == (
        "flags",
        "feature flags",
        created["ETag"],
    )
    cf.advance(Timing().key_value_store_provisioning)
    assert cf.call("DescribeKeyValueStore", Name="flags")["KeyValueStore"]["Status"] == "READY"


def test_key_value_store_records_its_import_source(cf: Harness) -> None:
    source = {"SourceType": "S3", "SourceARN": "arn:aws:s3:::bucket/flags.json"}
    arn = cf.create_store(ImportSource=source)["KeyValueStore"]["ARN"]
    assert cf.backend._state.key_value_store_import_sources[arn] == source


@pytest.mark.parametrize(
    ("params", "code", "status"),
    [
        ({"Name": "has.dot"}, "InvalidArgument", 400),
        ({"Name": "x" * 65}, "InvalidArgument", 400),
        ({"Name": "ok", "Comment": "c" * 129}, "InvalidArgument", 400),
        ({"Name": "flags"}, "EntityAlreadyExists", 409),
    ],
)
def test_create_key_value_store_errors(
    cf: Harness, params: JsonDict, code: str, status: int
) -> None:
    cf.create_store("flags")
    cf.fails(code, status, "CreateKeyValueStore", **params)


def test_update_and_delete_key_value_store_need_the_control_etag(cf: Harness) -> None:
    created = cf.create_store()
    shared = cf.state.key_value_stores[created["KeyValueStore"]["ARN"]]
    data_etag = shared.data_etag
    cf.fails(
        "InvalidIfMatchVersion", 400, "UpdateKeyValueStore", Name="flags", Comment="x", IfMatch=""
    )
    cf.fails(
        "PreconditionFailed",
        412,
        "UpdateKeyValueStore",
        Name="flags",
        Comment="x",
        IfMatch="ESTALE",
    )
    cf.fails(
        "InvalidArgument",
        400,
        "UpdateKeyValueStore",
        Name="flags",
        Comment="c" * 129,
        IfMatch=created["ETag"],
    )
    updated = cf.call("UpdateKeyValueStore", Name="flags", Comment="new", IfMatch=created["ETag"])
    assert updated["ETag"] != created["ETag"]
    assert updated["KeyValueStore"]["Comment"] == "new"
    assert cf.call("DescribeKeyValueStore", Name="flags")["ETag"] == updated["ETag"]
    assert shared.data_etag == data_etag  # the data plane's ETag is a separate one
    cf.fails(
        "PreconditionFailed", 412, "DeleteKeyValueStore", Name="flags", IfMatch=created["ETag"]
    )
    cf.call("DeleteKeyValueStore", Name="flags", IfMatch=updated["ETag"])
    assert cf.state.key_value_stores == {}
    cf.fails("EntityNotFound", 404, "DescribeKeyValueStore", Name="flags")
    cf.fails("EntityNotFound", 404, "UpdateKeyValueStore", Name="flags", Comment="x", IfMatch="E")
    cf.fails("EntityNotFound", 404, "DeleteKeyValueStore", Name="flags", IfMatch="E")


def test_key_value_store_in_use_by_a_function_cannot_be_deleted(cf: Harness) -> None:
    created = cf.create_store()
    cf.create_function(store_arns=(created["KeyValueStore"]["ARN"],))
    cf.fails(
        "CannotDeleteEntityWhileInUse",
        409,
        "DeleteKeyValueStore",
        Name="flags",
        IfMatch=created["ETag"],
    )


def test_list_key_value_stores_filters_and_paginates(cf: Harness) -> None:
    cf.create_store("a")
    cf.create_store("b")
    cf.advance()
    cf.create_store("c")
    ready = cf.call("ListKeyValueStores", Status="READY")["KeyValueStoreList"]
    assert [store["Name"] for store in ready["Items"]] == ["a", "b"]
    first = cf.call("ListKeyValueStores", MaxItems="2")["KeyValueStoreList"]
    second = cf.call("ListKeyValueStores", MaxItems="2", Marker=first["NextMarker"])[
        "KeyValueStoreList"
    ]
    assert [s["Name"] for s in first["Items"] + second["Items"]] == ["a", "b", "c"]
    assert "NextMarker" not in second


# Functions -----------------------------------------------------------------------------------


def test_create_function_and_read_it_back(cf: Harness) -> None:
    created = cf.create_function()
    summary = created["FunctionSummary"]
    assert summary["Status"] == "UNPUBLISHED"
    assert (
        summary["FunctionMetadata"]["FunctionARN"]
        == "arn:aws:cloudfront::123456789012:function/router"
    )
    assert summary["FunctionMetadata"]["Stage"] == "DEVELOPMENT"
    described = cf.call("DescribeFunction", Name="router")
    assert described["ETag"] == created["ETag"]
    got = cf.call("GetFunction", Name="router")
    assert got["FunctionCode"] == b"function handler(event) { return event.request; }"
    assert (got["ETag"], got["ContentType"]) == (created["ETag"], "application/octet-stream")
    cf.fails("NoSuchFunctionExists", 404, "DescribeFunction", Name="router", Stage="LIVE")
    cf.fails("NoSuchFunctionExists", 404, "GetFunction", Name="router", Stage="LIVE")
    cf.fails("NoSuchFunctionExists", 404, "DescribeFunction", Name="nobody")


def test_create_function_errors(cf: Harness) -> None:
    cf.create_function()
    cf.fails(
        "FunctionAlreadyExists",
        409,
        "CreateFunction",
        Name="router",
        FunctionConfig=function_config(),
        FunctionCode=b"x",
    )
    cf.fails(
        "InvalidArgument",
        400,
        "CreateFunction",
        Name="bad.name",
        FunctionConfig=function_config(),
        FunctionCode=b"x",
    )
    cf.fails(
        "FunctionSizeLimitExceeded",
        413,
        "CreateFunction",
        Name="big",
        FunctionConfig=function_config(),
        FunctionCode=b"x" * 10241,
    )
    cf.create_function("just-fits", code=b"x" * 10240)


def test_function_key_value_store_associations_are_checked(cf: Harness) -> None:
    first = cf.create_store("one")["KeyValueStore"]["ARN"]
    second = cf.create_store("two")["KeyValueStore"]["ARN"]
    missing = (
        "arn:aws:cloudfront::123456789012:key-value-store/00000000-0000-0000-0000-000000000000"
    )
    for runtime, arns in [
        ("cloudfront-js-2.0", (first, second)),
        ("cloudfront-js-2.0", (missing,)),
        ("cloudfront-js-1.0", (first,)),
    ]:
        cf.fails(
            "InvalidArgument",
            400,
            "CreateFunction",
            Name="f",
            FunctionConfig=function_config(runtime, arns),
            FunctionCode=b"x",
        )
    created = cf.create_function(store_arns=(first,))
    associations = created["FunctionSummary"]["FunctionConfig"]["KeyValueStoreAssociations"]
    assert associations["Items"] == [{"KeyValueStoreARN": first}]


def test_function_quota(cf: Harness) -> None:
    for n in range(100):
        cf.create_function(f"f{n}")
    cf.fails(
        "TooManyFunctions",
        400,
        "CreateFunction",
        Name="one-more",
        FunctionConfig=function_config(),
        FunctionCode=b"x",
    )


def test_update_function_changes_the_development_etag(cf: Harness) -> None:
    created = cf.create_function()
    params = {"Name": "router", "FunctionConfig": function_config(), "FunctionCode": b"v2"}
    cf.fails("InvalidIfMatchVersion", 400, "UpdateFunction", IfMatch="", **params)
    cf.fails("PreconditionFailed", 412, "UpdateFunction", IfMatch="ESTALE", **params)
    cf.fails(
        "FunctionSizeLimitExceeded",
        413,
        "UpdateFunction",
        IfMatch=created["ETag"],
        **{**params, "FunctionCode": b"x" * 10241},
    )
    updated = cf.call("UpdateFunction", IfMatch=created["ETag"], **params)
    assert updated["ETag"] != created["ETag"]
    assert cf.call("DescribeFunction", Name="router")["ETag"] == updated["ETag"]
    assert cf.call("GetFunction", Name="router")["FunctionCode"] == b"v2"
    cf.fails(
        "NoSuchFunctionExists", 404, "UpdateFunction", IfMatch="E", **{**params, "Name": "nobody"}
    )


def test_publish_copies_development_to_live(cf: Harness) -> None:
    created = cf.create_function()
    cf.fails("InvalidIfMatchVersion", 400, "PublishFunction", Name="router", IfMatch="")
    cf.fails("PreconditionFailed", 412, "PublishFunction", Name="router", IfMatch="ESTALE")
    published = cf.call("PublishFunction", Name="router", IfMatch=created["ETag"])
    assert published["FunctionSummary"]["FunctionMetadata"]["Stage"] == "LIVE"
    assert published["FunctionSummary"]["Status"] == "UNASSOCIATED"
    live = cf.call("DescribeFunction", Name="router", Stage="LIVE")
    development = cf.call("DescribeFunction", Name="router")
    assert development["ETag"] == created["ETag"]
    assert live["ETag"] != created["ETag"]
    assert development["FunctionSummary"]["Status"] != "UNPUBLISHED"
    updated = cf.call(
        "UpdateFunction",
        Name="router",
        IfMatch=created["ETag"],
        FunctionConfig=function_config(),
        FunctionCode=b"v2",
    )
    assert cf.call("GetFunction", Name="router", Stage="LIVE")["FunctionCode"] != b"v2"
    assert cf.call("DescribeFunction", Name="router")["FunctionSummary"]["Status"] == "UNPUBLISHED"
    cf.call("PublishFunction", Name="router", IfMatch=updated["ETag"])
    relive = cf.call("GetFunction", Name="router", Stage="LIVE")
    assert relive["FunctionCode"] == b"v2"
    assert relive["ETag"] != live["ETag"]


def test_publish_redeploys_distributions_using_the_function(cf: Harness) -> None:
    arn = cf.create_function()["FunctionSummary"]["FunctionMetadata"]["FunctionARN"]
    cf.create_function("other")
    behavior = {
        "TargetOriginId": "web",
        "ViewerProtocolPolicy": "allow-all",
        "FunctionAssociations": viewer_request_association(arn),
    }
    # A function must be published before a distribution can use it.
    cf.fails(
        "InvalidFunctionAssociation",
        400,
        "CreateDistribution",
        DistributionConfig=distribution_config("u", DefaultCacheBehavior=behavior),
    )
    cf.publish()
    cf.publish("other")
    user = cf.create_distribution("user", DefaultCacheBehavior=behavior)["Distribution"]["Id"]
    bystander = cf.create_distribution("bystander")["Distribution"]["Id"]
    assert (
        cf.call("DescribeFunction", Name="router", Stage="LIVE")["FunctionSummary"]["Status"]
        == "DEPLOYED"
    )
    cf.advance()
    user_etag = cf.config_of(user)[1]
    bystander_etag = cf.config_of(bystander)[1]
    cf.publish()
    assert cf.config_of(user)[1] != user_etag
    assert cf.call("GetDistribution", Id=user)["Distribution"]["Status"] == "InProgress"
    assert cf.config_of(bystander)[1] == bystander_etag
    assert cf.call("GetDistribution", Id=bystander)["Distribution"]["Status"] == "Deployed"


def test_function_in_use_cannot_be_deleted(cf: Harness) -> None:
    arn = cf.create_function()["FunctionSummary"]["FunctionMetadata"]["FunctionARN"]
    cf.publish()
    cache_behavior = {
        "PathPattern": "/api/*",
        "TargetOriginId": "web",
        "ViewerProtocolPolicy": "allow-all",
        "FunctionAssociations": viewer_request_association(arn),
    }
    distribution_id = cf.create_distribution(
        CacheBehaviors={"Quantity": 1, "Items": [cache_behavior]}
    )["Distribution"]["Id"]
    etag = cf.call("DescribeFunction", Name="router")["ETag"]
    cf.fails("FunctionInUse", 409, "DeleteFunction", Name="router", IfMatch=etag)
    cf.update_distribution(distribution_id, CacheBehaviors={"Quantity": 0})
    cf.fails("InvalidIfMatchVersion", 400, "DeleteFunction", Name="router", IfMatch="")
    cf.fails("PreconditionFailed", 412, "DeleteFunction", Name="router", IfMatch="ESTALE")
    assert cf.call("DeleteFunction", Name="router", IfMatch=etag) == {}
    cf.fails("NoSuchFunctionExists", 404, "DeleteFunction", Name="router", IfMatch=etag)


def test_list_functions_by_stage_and_page(cf: Harness) -> None:
    for name in ("a", "b", "c"):
        cf.create_function(name)
    cf.publish("b")
    live = cf.call("ListFunctions", Stage="LIVE")["FunctionList"]
    assert [item["Name"] for item in live["Items"]] == ["b"]
    development = cf.call("ListFunctions", Stage="DEVELOPMENT")["FunctionList"]
    assert [item["Name"] for item in development["Items"]] == ["a", "b", "c"]
    everything: list[tuple[str, str]] = []
    marker: str | None = None
    while True:
        params: JsonDict = {"MaxItems": "2"} | ({"Marker": marker} if marker else {})
        page = cf.call("ListFunctions", **params)["FunctionList"]
        everything += [(item["Name"], item["FunctionMetadata"]["Stage"]) for item in page["Items"]]
        marker = page.get("NextMarker")
        if marker is None:
            break
    assert everything == [
        ("a", "DEVELOPMENT"),
        ("b", "DEVELOPMENT"),
        ("b", "LIVE"),
        ("c", "DEVELOPMENT"),
    ]


VIEWER_REQUEST_EVENT = {
    "version": "1.0",
    "context": {"eventType": "viewer-request"},
    "viewer": {"ip": "198.51.100.11"},
    "request": {
        "method": "GET",
        "uri": "/index.html",
        "querystring": {},
        "headers": {},
        "cookies": {},
    },
}


def test_test_function_returns_a_test_result(cf: Harness) -> None:
    etag = cf.create_function()["ETag"]
    event = json.dumps(VIEWER_REQUEST_EVENT).encode()
    cf.fails(
        "InvalidIfMatchVersion", 400, "TestFunction", Name="router", IfMatch="", EventObject=event
    )
    cf.fails(
        "PreconditionFailed",
        412,
        "TestFunction",
        Name="router",
        IfMatch="ESTALE",
        EventObject=event,
    )
    cf.fails(
        "NoSuchFunctionExists",
        404,
        "TestFunction",
        Name="router",
        IfMatch=etag,
        Stage="LIVE",
        EventObject=event,
    )
    result = cf.call("TestFunction", Name="router", IfMatch=etag, EventObject=event)["TestResult"]
    assert result["FunctionSummary"]["Name"] == "router"
    assert result["ComputeUtilization"].isdigit()
    assert 0 <= int(result["ComputeUtilization"]) <= 100
    assert json.loads(result["FunctionOutput"]) == {"request": VIEWER_REQUEST_EVENT["request"]}
    assert "FunctionErrorMessage" not in result


def test_test_function_reports_a_bad_event(cf: Harness) -> None:
    etag = cf.create_function()["ETag"]
    result = cf.call("TestFunction", Name="router", IfMatch=etag, EventObject=b"{not json")[
        "TestResult"
    ]
    assert "not valid JSON" in result["FunctionErrorMessage"]
    assert "FunctionOutput" not in result


def test_test_function_uses_the_live_etag_for_the_live_stage(cf: Harness) -> None:
    development_etag = cf.create_function()["ETag"]
    cf.publish()
    live_etag = cf.call("DescribeFunction", Name="router", Stage="LIVE")["ETag"]
    event = json.dumps(VIEWER_REQUEST_EVENT).encode()
    cf.fails(
        "PreconditionFailed",
        412,
        "TestFunction",
        Name="router",
        IfMatch=development_etag,
        Stage="LIVE",
        EventObject=event,
    )
    result = cf.call(
        "TestFunction", Name="router", IfMatch=live_etag, Stage="LIVE", EventObject=event
    )
    assert result["TestResult"]["FunctionSummary"]["FunctionMetadata"]["Stage"] == "LIVE"


def test_injected_test_failures(cf: Harness) -> None:
    etag = cf.create_function()["ETag"]
    event = json.dumps(VIEWER_REQUEST_EVENT).encode()
    cf.backend.fail_function_tests(count=2)
    cf.fails(
        "TestFunctionFailed", 500, "TestFunction", Name="router", IfMatch=etag, EventObject=event
    )
    cf.fails(
        "TestFunctionFailed", 500, "TestFunction", Name="router", IfMatch=etag, EventObject=event
    )
    cf.call("TestFunction", Name="router", IfMatch=etag, EventObject=event)


# Invalidations -------------------------------------------------------------------------------


def invalidation_batch(reference: str, *paths: str) -> JsonDict:
    return {"Paths": {"Quantity": len(paths), "Items": list(paths)}, "CallerReference": reference}


def test_invalidation_progresses_and_counts_on_the_distribution(cf: Harness) -> None:
    distribution_id = cf.create_distribution()["Distribution"]["Id"]
    created = cf.call(
        "CreateInvalidation",
        DistributionId=distribution_id,
        InvalidationBatch=invalidation_batch("r1", "/*"),
    )
    invalidation = created["Invalidation"]
    assert re.fullmatch(r"I[A-Z0-9]{13}", invalidation["Id"])
    assert invalidation["Status"] == "InProgress"
    assert created["Location"].endswith(
        f"/distribution/{distribution_id}/invalidation/{invalidation['Id']}"
    )
    assert (
        cf.call("GetDistribution", Id=distribution_id)["Distribution"][
            "InProgressInvalidationBatches"
        ]
        == 1
    )
    cf.advance(Timing().invalidation)
    got = cf.call("GetInvalidation", DistributionId=distribution_id, Id=invalidation["Id"])
    assert got["Invalidation"]["Status"] == "Completed"
    assert got["Invalidation"]["InvalidationBatch"] == invalidation_batch("r1", "/*")
    assert (
        cf.call("GetDistribution", Id=distribution_id)["Distribution"][
            "InProgressInvalidationBatches"
        ]
        == 0
    )


def test_invalidation_caller_reference_idempotency(cf: Harness) -> None:
    distribution_id = cf.create_distribution()["Distribution"]["Id"]
    first = cf.call(
        "CreateInvalidation",
        DistributionId=distribution_id,
        InvalidationBatch=invalidation_batch("r1", "/a", "/b"),
    )
    again = cf.call(
        "CreateInvalidation",
        DistributionId=distribution_id,
        InvalidationBatch=invalidation_batch("r1", "/b", "/a"),
    )
    assert again["Invalidation"]["Id"] == first["Invalidation"]["Id"]
    cf.fails(
        "InvalidationBatchAlreadyExists",
        409,
        "CreateInvalidation",
        DistributionId=distribution_id,
        InvalidationBatch=invalidation_batch("r1", "/c"),
    )
    listed = cf.call("ListInvalidations", DistributionId=distribution_id)["InvalidationList"]
    assert listed["Quantity"] == 1


def test_invalidation_errors(cf: Harness) -> None:
    distribution_id = cf.create_distribution()["Distribution"]["Id"]
    cf.fails(
        "NoSuchDistribution",
        404,
        "CreateInvalidation",
        DistributionId="E404",
        InvalidationBatch=invalidation_batch("r", "/a"),
    )
    cf.fails(
        "InvalidArgument",
        400,
        "CreateInvalidation",
        DistributionId=distribution_id,
        InvalidationBatch=invalidation_batch("r", "no-slash"),
    )
    cf.fails(
        "InvalidArgument",
        400,
        "CreateInvalidation",
        DistributionId=distribution_id,
        InvalidationBatch=invalidation_batch("r"),
    )
    too_many = [f"/{n}" for n in range(3001)]
    cf.fails(
        "BatchTooLarge",
        413,
        "CreateInvalidation",
        DistributionId=distribution_id,
        InvalidationBatch=invalidation_batch("r", *too_many),
    )
    cf.fails(
        "NoSuchInvalidation", 404, "GetInvalidation", DistributionId=distribution_id, Id="I404"
    )
    cf.fails("NoSuchDistribution", 404, "GetInvalidation", DistributionId="E404", Id="I404")
    cf.fails("NoSuchDistribution", 404, "ListInvalidations", DistributionId="E404")


def test_list_invalidations_newest_first_with_pages(cf: Harness) -> None:
    distribution_id = cf.create_distribution()["Distribution"]["Id"]
    ids = [
        cf.call(
            "CreateInvalidation",
            DistributionId=distribution_id,
            InvalidationBatch=invalidation_batch(f"r{n}", "/a"),
        )["Invalidation"]["Id"]
        for n in range(3)
    ]
    first = cf.call("ListInvalidations", DistributionId=distribution_id, MaxItems="2")[
        "InvalidationList"
    ]
    assert first["IsTruncated"] is True
    second = cf.call(
        "ListInvalidations",
        DistributionId=distribution_id,
        MaxItems="2",
        Marker=first["NextMarker"],
    )["InvalidationList"]
    assert second["IsTruncated"] is False
    assert [item["Id"] for item in first["Items"] + second["Items"]] == ids[::-1]


# Out-of-band writes, reset, unknown operations ----------------------------------------------


def test_out_of_band_write_makes_every_kind_of_etag_stale(cf: Harness) -> None:
    distribution = cf.create_distribution()
    policy = cf.create_policy()
    store = cf.create_store()
    function = cf.create_function()
    distribution_id = distribution["Distribution"]["Id"]
    policy_id = policy["ContinuousDeploymentPolicy"]["Id"]
    assert cf.backend.out_of_band_write(distribution_id)
    assert cf.backend.out_of_band_write(policy_id)
    assert cf.backend.out_of_band_write("flags")
    assert cf.backend.out_of_band_write("router")
    assert not cf.backend.out_of_band_write("nothing-by-this-name")
    cf.fails(
        "PreconditionFailed",
        412,
        "UpdateDistribution",
        Id=distribution_id,
        IfMatch=distribution["ETag"],
        DistributionConfig=distribution_config("ref-1"),
    )
    cf.fails(
        "PreconditionFailed",
        412,
        "UpdateContinuousDeploymentPolicy",
        Id=policy_id,
        IfMatch=policy["ETag"],
        ContinuousDeploymentPolicyConfig=policy_config(),
    )
    cf.fails(
        "PreconditionFailed",
        412,
        "UpdateKeyValueStore",
        Name="flags",
        Comment="",
        IfMatch=store["ETag"],
    )
    cf.fails("PreconditionFailed", 412, "PublishFunction", Name="router", IfMatch=function["ETag"])


def test_out_of_band_write_finds_resources_by_arn(cf: Harness) -> None:
    distribution_arn = cf.create_distribution()["Distribution"]["ARN"]
    store_arn = cf.create_store()["KeyValueStore"]["ARN"]
    function_arn = cf.create_function()["FunctionSummary"]["FunctionMetadata"]["FunctionARN"]
    for arn in (distribution_arn, store_arn, function_arn):
        assert cf.backend.out_of_band_write(arn)


def test_reset_forgets_everything(cf: Harness) -> None:
    cf.create_distribution()
    cf.create_policy()
    cf.create_store()
    cf.create_function()
    cf.backend.reset()
    assert cf.state.key_value_stores == {}
    assert cf.call("ListDistributions")["DistributionList"]["Quantity"] == 0
    assert (
        cf.call("ListContinuousDeploymentPolicies")["ContinuousDeploymentPolicyList"]["Quantity"]
        == 0
    )
    assert cf.call("ListKeyValueStores")["KeyValueStoreList"]["Quantity"] == 0
    assert cf.call("ListFunctions")["FunctionList"]["Quantity"] == 0


def test_unknown_operation(cf: Harness) -> None:
    cf.fails("InvalidAction", 400, "CreateOriginAccessControl")


def test_every_operation_of_the_brief_is_answered(cf: Harness) -> None:
    expected = (
        {f"{verb}Distribution" for verb in ("Create", "Get", "Update", "Delete", "Copy")}
        | {
            "GetDistributionConfig",
            "ListDistributions",
            "UpdateDistributionWithStagingConfig",
            "ListContinuousDeploymentPolicies",
            "GetContinuousDeploymentPolicyConfig",
            "ListKeyValueStores",
            "ListFunctions",
            "ListInvalidations",
        }
        | {f"{verb}ContinuousDeploymentPolicy" for verb in ("Create", "Get", "Update", "Delete")}
        | {f"{verb}KeyValueStore" for verb in ("Create", "Describe", "Update", "Delete")}
        | {
            f"{verb}Function"
            for verb in ("Create", "Describe", "Get", "Update", "Publish", "Test", "Delete")
        }
        | {"CreateInvalidation", "GetInvalidation"}
    )
    assert cf.backend.operations == expected
    assert expected <= set(MODEL.operation_names)
