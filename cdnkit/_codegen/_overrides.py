"""Constraints AWS documents but botocore's models lack, and renames of member attributes.

Every row names its source. The generator fails if a row no longer matches a shape or member
of the installed botocore, so a rename upstream cannot silently drop a rule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Final


@dataclasses.dataclass(frozen=True)
class Constraint:
    """Bounds on one value; ``None`` leaves the model's own bound (if any) in force."""

    ge: float | None = None
    le: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    #: Replaces the model's pattern. Smithy patterns are unanchored searches; anchor here.
    pattern: str | None = None
    #: A length limit counted in UTF-8 bytes rather than characters.
    max_utf8_bytes: int | None = None
    #: Enum values AWS sends that the model's enum lacks (accepted as well).
    extra_values: tuple[str, ...] | None = None


@dataclasses.dataclass(frozen=True)
class ShapeOverride:
    """Applies wherever the (scalar or list) shape is used."""

    service: str
    shape: str
    constraint: Constraint
    source: str


@dataclasses.dataclass(frozen=True)
class MemberOverride:
    """Applies to one member of one structure (with ``items``: to each item of that list
    member, for lists of a shape as general as ``string``)."""

    service: str
    shape: str
    member: str
    constraint: Constraint
    source: str
    items: bool = False


@dataclasses.dataclass(frozen=True)
class OrderOverride:
    """Member ``lesser`` must not exceed member ``greater`` when both are set."""

    service: str
    shape: str
    lesser: str
    greater: str
    source: str


@dataclasses.dataclass(frozen=True)
class ReplyRequired:
    """Members of a reply-only structure that AWS always sends: typed as required.

    botocore marks almost no member of an operation's result required, so every result read
    would need a ``None`` check for members that are the point of the call. A row makes them
    required attributes. The generator refuses a row whose structure any request reaches (a
    request would then demand them), and parsing stays lenient otherwise: a reply without such
    a member raises ``cdnkit.UnexpectedResponseError`` naming it, when it is parsed.
    """

    service: str
    shape: str
    members: tuple[str, ...]
    source: str


Override = ShapeOverride | MemberOverride | OrderOverride

_FACTS = "shared/AWS-FACTS.md"
_CD = f"{_FACTS}, 'CloudFront constraints': continuous deployment"
_NAME_RULE = Constraint(pattern=r"^[a-zA-Z0-9_-]{1,64}$")
_STICKY_TTL = Constraint(ge=300, le=3600)

OVERRIDES: Final[tuple[Override, ...]] = (
    MemberOverride(
        "lightsail",
        "ResourceLocation",
        "regionName",
        Constraint(extra_values=("global",)),
        "Lightsail distributions (and their operations) are located in regionName 'global', "
        "which the RegionName enum lacks: GetDistributions in the Lightsail API reference "
        "(location: availabilityZone 'all', regionName 'global')",
    ),
    ShapeOverride(
        "lightsail",
        "ResourceName",
        Constraint(pattern=r"^\w[\w\-]*\w$"),
        "Lightsail resource names: letters, digits, _ and -, starting and ending with a letter "
        "or digit (the model's pattern is an unanchored search, which accepts 'bad name!')",
    ),
    MemberOverride(
        "cloudfront",
        "ContinuousDeploymentSingleWeightConfig",
        "Weight",
        Constraint(ge=0.0, le=0.15),
        f"{_CD}: Weight 0 to 0.15",
    ),
    MemberOverride(
        "cloudfront",
        "SessionStickinessConfig",
        "IdleTTL",
        _STICKY_TTL,
        f"{_CD}: IdleTTL 300 to 3600",
    ),
    MemberOverride(
        "cloudfront",
        "SessionStickinessConfig",
        "MaximumTTL",
        _STICKY_TTL,
        f"{_CD}: MaximumTTL 300 to 3600",
    ),
    OrderOverride(
        "cloudfront",
        "SessionStickinessConfig",
        "IdleTTL",
        "MaximumTTL",
        f"{_CD}: IdleTTL <= MaximumTTL",
    ),
    MemberOverride(
        "cloudfront",
        "ContinuousDeploymentSingleHeaderConfig",
        "Header",
        Constraint(pattern=r"^aws-cf-cd-"),
        f"{_CD}: header name must start with aws-cf-cd-",
    ),
    ShapeOverride(
        "cloudfront",
        "KeyValueStoreName",
        _NAME_RULE,
        f"{_FACTS}: KVS name 1-64 of [a-zA-Z0-9-_] (the model's pattern is unanchored)",
    ),
    ShapeOverride(
        "cloudfront",
        "FunctionName",
        _NAME_RULE,
        f"{_FACTS}: function name 1-64 of [a-zA-Z0-9-_] (the model's pattern is unanchored)",
    ),
    ShapeOverride(
        "cloudfront",
        "FunctionBlob",
        Constraint(max_length=10 * 1024),
        f"{_FACTS}: function code quota 10 KB (the model allows 40960 bytes)",
    ),
    MemberOverride(
        "cloudfront",
        "DistributionConfig",
        "Comment",
        Constraint(max_length=128),
        f"{_FACTS}: distribution Comment at most 128",
    ),
    ShapeOverride(
        "cloudfront-keyvaluestore",
        "Key",
        Constraint(max_utf8_bytes=512),
        f"{_FACTS}, 'KeyValueStore data plane': key 512 bytes (the model allows 1024)",
    ),
    ShapeOverride(
        "cloudfront-keyvaluestore",
        "Value",
        Constraint(max_utf8_bytes=1024),
        f"{_FACTS}, 'KeyValueStore data plane': value 1 KB",
    ),
    ShapeOverride(
        "cloudfront-keyvaluestore",
        "PutKeyRequestsList",
        Constraint(max_length=50),
        f"{_FACTS}, 'KeyValueStore data plane': UpdateKeys at most 50 keys",
    ),
    ShapeOverride(
        "cloudfront-keyvaluestore",
        "DeleteKeyRequestsList",
        Constraint(max_length=50),
        f"{_FACTS}, 'KeyValueStore data plane': UpdateKeys at most 50 keys",
    ),
    MemberOverride(
        "cloudfront",
        "Paths",
        "Items",
        # A path starts with / and has a * only at its end; a tag item starts with # and has
        # no *; at most 4,000 characters each. The same rules as invalidations.invalidate,
        # for requests built by hand (cf.api.create_invalidation, call).
        Constraint(max_length=4000, pattern=r"^(?:/[^*]*\*?|#[^*]+)$"),
        f"{_FACTS}, 'Invalidations'",
        items=True,
    ),
)

_ALWAYS = (
    "the point of the call: the resource it creates, reads or changes is the response body in "
    "the CloudFront API reference"
)
_ETAG = f"{_FACTS}, 'CloudFront ETags': every read and write of a versioned resource has one"
_LS_OP = (
    "Lightsail API reference: the call starts an operation and returns it (the point of the "
    "call; the caller follows it by id)"
)


def _cf(shape: str, *members: str) -> ReplyRequired:
    why = f"{_ALWAYS}; {_ETAG}" if "ETag" in members else _ALWAYS
    return ReplyRequired("cloudfront", shape, members, why)


#: Scope: the results of the operations cdnkit's resources wrap (lists of other operations
#: keep botocore's Optional).
#: UpdateFunctionResult.ETag stays optional: botocore reads it from a misspelt header
#: (``ETtag``), so it is never there (see AWS-FACTS, 'CloudFront ETags').
REPLY_REQUIRED: Final[tuple[ReplyRequired, ...]] = (
    ReplyRequired(
        "lightsail",
        "CreateDistributionResult",
        ("distribution", "operation"),
        f"{_FACTS}, 'Lightsail': create returns {{distribution, operation}}",
    ),
    *(
        ReplyRequired("lightsail", shape, ("operation",), f"{_LS_OP}; {_FACTS}, 'Lightsail'")
        for shape in (
            "UpdateDistributionResult",
            "DeleteDistributionResult",
            "UpdateDistributionBundleResult",
            "AttachCertificateToDistributionResult",
            "DetachCertificateFromDistributionResult",
            "ResetDistributionCacheResult",
        )
    ),
    ReplyRequired(
        "lightsail",
        "GetOperationResult",
        ("operation",),
        "the operation asked for is the point of the call (a missing one is NotFound)",
    ),
    ReplyRequired(
        "lightsail",
        "Operation",
        ("id",),
        "an operation is identified and followed by its id (GetOperation takes operationId)",
    ),
    _cf("CreateDistributionResult", "Distribution", "ETag"),
    _cf("CopyDistributionResult", "Distribution", "ETag"),
    _cf("GetDistributionResult", "Distribution", "ETag"),
    _cf("GetDistributionConfigResult", "DistributionConfig", "ETag"),
    _cf("UpdateDistributionResult", "Distribution", "ETag"),
    _cf("UpdateDistributionWithStagingConfigResult", "Distribution", "ETag"),
    _cf("ListDistributionsResult", "DistributionList"),
    _cf("CreateInvalidationResult", "Invalidation"),
    _cf("GetInvalidationResult", "Invalidation"),
    _cf("ListInvalidationsResult", "InvalidationList"),
    _cf("CreateContinuousDeploymentPolicyResult", "ContinuousDeploymentPolicy", "ETag"),
    _cf("GetContinuousDeploymentPolicyResult", "ContinuousDeploymentPolicy", "ETag"),
    _cf("GetContinuousDeploymentPolicyConfigResult", "ContinuousDeploymentPolicyConfig", "ETag"),
    _cf("UpdateContinuousDeploymentPolicyResult", "ContinuousDeploymentPolicy", "ETag"),
    _cf("ListContinuousDeploymentPoliciesResult", "ContinuousDeploymentPolicyList"),
    _cf("CreateKeyValueStoreResult", "KeyValueStore", "ETag"),
    _cf("DescribeKeyValueStoreResult", "KeyValueStore", "ETag"),
    _cf("UpdateKeyValueStoreResult", "KeyValueStore", "ETag"),
    _cf("ListKeyValueStoresResult", "KeyValueStoreList"),
    _cf("CreateFunctionResult", "FunctionSummary", "ETag"),
    _cf("DescribeFunctionResult", "FunctionSummary", "ETag"),
    _cf("GetFunctionResult", "FunctionCode", "ETag"),
    _cf("UpdateFunctionResult", "FunctionSummary"),
    _cf("PublishFunctionResult", "FunctionSummary"),
    _cf("TestFunctionResult", "TestResult"),
    _cf("ListFunctionsResult", "FunctionList"),
)

#: Attribute names where botocore's ``xform_name`` reads badly (``ETag`` -> ``e_tag``).
NAME_OVERRIDES: Final[Mapping[str, str]] = {"ETag": "etag"}


@dataclasses.dataclass(frozen=True)
class ReplyHeader:
    """A reply member botocore fails to fill from its HTTP header: the generated method reads
    the header itself when botocore's parse left the member out."""

    service: str
    #: The operation's output shape.
    shape: str
    member: str
    #: The header's name as botocore's HTTPHeaders holds it (lower case).
    header: str
    source: str


REPLY_HEADERS: Final[tuple[ReplyHeader, ...]] = (
    ReplyHeader(
        "cloudfront",
        "UpdateFunctionResult",
        "ETag",
        "etag",
        f"{_FACTS}, 'CloudFront ETags': botocore's locationName for this ETag is 'ETtag'",
    ),
)
