"""What a user sees: snake_case in, botocore names out, bad input rejected before sending,
replies parsed leniently."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from cdnkit._models import parse_response, to_wire, validate_request
from cdnkit.types import cloudfront as cf
from cdnkit.types import cloudfront_keyvaluestore as kvs
from cdnkit.types import lightsail as ls


def _error_fields(error: ValidationError) -> set[str]:
    return {".".join(map(str, e["loc"])) for e in error.errors()}


def test_snake_case_in_botocore_names_out() -> None:
    request = ls.CreateDistributionRequest(
        distribution_name="site",
        origin=ls.InputOrigin(name="web-1", region_name="us-east-1"),
        default_cache_behavior=ls.CacheBehavior(behavior="cache"),
        cache_behavior_settings=ls.CacheSettings(default_ttl=60),
        bundle_id="small_1_0",
    )
    assert to_wire(request) == {
        "distributionName": "site",
        "origin": {"name": "web-1", "regionName": "us-east-1"},
        "defaultCacheBehavior": {"behavior": "cache"},
        "cacheBehaviorSettings": {"defaultTTL": 60},
        "bundleId": "small_1_0",
    }
    assert validate_request(ls.CreateDistributionRequest, to_wire(request)) == request


@pytest.mark.parametrize(
    ("build", "field", "rule"),
    [
        (lambda: ls.InputOrigin(name="!"), "name", "string_pattern_mismatch"),
        (lambda: ls.InputOrigin(region_name="mars-1"), "region_name", "literal_error"),  # type: ignore[arg-type]  # the bad literal is the point
        (lambda: ls.CacheSettings(default_ttl="60"), "default_ttl", "int_type"),  # type: ignore[arg-type]  # a TTL of the wrong type
        (lambda: ls.UpdateDistributionRequest(), "distribution_name", "missing"),  # type: ignore[call-arg]  # the missing member is the point
        (
            lambda: ls.GetDistributionsRequest(distribution_name="a b"),
            "distribution_name",
            "string_pattern_mismatch",
        ),
    ],
)
def test_bad_lightsail_input_names_field_and_rule(build: object, field: str, rule: str) -> None:
    with pytest.raises(ValidationError) as caught:
        build()  # type: ignore[operator]  # parametrized callables
    errors = caught.value.errors()
    assert [e["type"] for e in errors] == [rule]
    assert _error_fields(caught.value) == {field}


def test_documented_continuous_deployment_limits() -> None:
    cf.ContinuousDeploymentSingleWeightConfig(weight=0.15)
    with pytest.raises(ValidationError) as caught:
        cf.ContinuousDeploymentSingleWeightConfig(weight=0.2)
    assert _error_fields(caught.value) == {"weight"}
    assert "less than or equal to 0.15" in str(caught.value)

    with pytest.raises(ValidationError, match=r"idle_ttl .* must not exceed maximum_ttl"):
        cf.SessionStickinessConfig(idle_ttl=900, maximum_ttl=600)
    with pytest.raises(ValidationError) as caught:
        cf.SessionStickinessConfig(idle_ttl=299, maximum_ttl=600)
    assert _error_fields(caught.value) == {"idle_ttl"}

    cf.ContinuousDeploymentSingleHeaderConfig(header="aws-cf-cd-stage", value="1")
    with pytest.raises(ValidationError) as caught:
        cf.ContinuousDeploymentSingleHeaderConfig(header="x-stage", value="1")
    assert _error_fields(caught.value) == {"header"}


def test_documented_function_and_store_limits() -> None:
    config = cf.FunctionConfig(comment="", runtime="cloudfront-js-2.0")
    cf.CreateFunctionRequest(name="router", function_config=config, function_code=b"x" * 10240)
    with pytest.raises(ValidationError) as caught:
        cf.CreateFunctionRequest(name="router", function_config=config, function_code=b"x" * 10241)
    assert _error_fields(caught.value) == {"function_code"}
    with pytest.raises(ValidationError) as caught:
        cf.CreateKeyValueStoreRequest(name="my.store")
    assert _error_fields(caught.value) == {"name"}
    with pytest.raises(ValidationError) as caught:
        cf.DistributionConfig.model_validate(
            {**_minimal_distribution_config(), "Comment": "c" * 129}
        )
    assert _error_fields(caught.value) == {"comment"}


def test_key_value_limits_count_utf8_bytes() -> None:
    kvs.PutKeyRequestListItem(key="k" * 512, value="v" * 1024)
    with pytest.raises(ValidationError) as caught:
        kvs.PutKeyRequestListItem(key="é" * 257, value="v")  # 514 bytes, 257 characters
    assert [e["type"] for e in caught.value.errors()] == ["utf8_too_long"]
    with pytest.raises(ValidationError) as caught:
        kvs.PutKeyRequestListItem(key="k", value="v" * 1025)
    assert _error_fields(caught.value) == {"value"}
    puts = [kvs.PutKeyRequestListItem(key=f"k{i}", value="v") for i in range(51)]
    with pytest.raises(ValidationError) as caught:
        kvs.UpdateKeysRequest(kvs_arn="arn", if_match="e", puts=puts)
    assert _error_fields(caught.value) == {"puts"}


def test_quantity_is_derived_and_checked() -> None:
    aliases = cf.Aliases(items=["a.example.com", "b.example.com"])
    assert aliases.quantity == 2
    assert to_wire(aliases) == {"Items": ["a.example.com", "b.example.com"], "Quantity": 2}
    assert cf.Aliases().quantity == 0
    with pytest.raises(ValidationError, match="quantity \\(Quantity\\) is 3 but items"):
        cf.Aliases(items=["a.example.com"], quantity=3)
    with pytest.raises(ValidationError, match="Quantity"):
        validate_request(cf.Aliases, {"Quantity": 1})


def test_unknown_members_are_rejected_in_requests() -> None:
    with pytest.raises(ValidationError, match="regoin_name: Extra inputs are not permitted"):
        validate_request(ls.InputOrigin, {"name": "web", "regoin_name": "us-east-1"})


def test_replies_tolerate_new_members_enum_values_and_constraint_drift() -> None:
    reply = {
        "Id": "E123",
        "ARN": "arn:aws:cloudfront::123456789012:distribution/E123",
        "Status": "Deployed",
        "LastModifiedTime": datetime(2026, 1, 1, tzinfo=UTC),
        "DomainName": "d1.cloudfront.net",
        "Aliases": {"Quantity": 5, "Items": ["a"]},  # inconsistent: still parsed as sent
        "PriceClass": "PriceClass_Everywhere",  # an enum value this botocore does not know
        "FutureMember": {"Nested": [1, 2]},
    }
    summary = parse_response(cf.StagingDistributionDnsNames, {"Quantity": 0})
    assert summary.quantity == 0
    parsed = parse_response(cf.DistributionSummary, _with_summary_defaults(reply))
    # Typed as the Literal botocore knows (for completion); holds the new value at run time.
    price_class: str | None = parsed.price_class
    assert price_class == "PriceClass_Everywhere"
    assert parsed.aliases.quantity == 5
    # Ignored: botocore refuses members its model lacks, so it could never be sent back.
    assert "FutureMember" not in to_wire(parsed)
    # A value kept as it came is given like any other: a dump of the given members (or a
    # merge of them into another model) keeps it.
    config = parse_response(
        cf.DistributionConfig,
        {**_minimal_distribution_config(), "PriceClass": "PriceClass_Everywhere"},
    )
    assert "price_class" in config.model_fields_set
    given = config.model_dump(by_alias=True, exclude_unset=True)
    assert given["PriceClass"] == "PriceClass_Everywhere"
    with pytest.raises(ValidationError):
        validate_request(cf.DistributionSummary, _with_summary_defaults(reply))


def test_sensitive_members_stay_out_of_repr() -> None:
    item = kvs.PutKeyRequestListItem(key="flag", value="s3cr3t-value")
    assert "s3cr3t-value" not in repr(item)
    assert item.value == "s3cr3t-value"


def test_importing_cdnkit_builds_no_models() -> None:
    code = (
        "import sys, cdnkit, cdnkit.types; "
        "print(sorted(m for m in sys.modules if m.startswith('cdnkit.types.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _minimal_distribution_config() -> dict[str, object]:
    return {
        "CallerReference": "ref",
        "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "example.com"}]},
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all"},
        "Comment": "",
        "Enabled": True,
    }


def _with_summary_defaults(reply: dict[str, object]) -> dict[str, object]:
    """The other members DistributionSummary requires, with plausible values."""
    empty = {"Quantity": 0}
    return {
        "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "example.com"}]},
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all"},
        "CacheBehaviors": empty,
        "CustomErrorResponses": empty,
        "Comment": "",
        "Enabled": True,
        "ViewerCertificate": {},
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
        "WebACLId": "",
        "HttpVersion": "http2",
        "IsIPV6Enabled": True,
        "Staging": False,
        **reply,
    }


class _NotAModel:
    pass


def _config_with_origin() -> cf.Origins:
    origin = cf.Origin(id="o1", domain_name="example.com", s3_origin_config=None)
    return cf.Origins(quantity=1, items=[origin])


@pytest.mark.parametrize(
    ("break_it", "where"),
    [
        pytest.param(
            lambda s: setattr(s, "forwarded_cookies", _NotAModel()),
            "CacheSettings.forwarded_cookies: expected CookieObject, got _NotAModel",
            id="member",
        ),
        pytest.param(
            lambda s: setattr(s, "forwarded_cookies", ls.CacheSettings()),
            "CacheSettings.forwarded_cookies: expected CookieObject, got CacheSettings",
            id="another model",
        ),
    ],
)
def test_a_member_assigned_an_object_of_the_wrong_type_is_refused_before_sending(
    break_it: object, where: str
) -> None:
    from cdnkit import InvalidRequestError
    from cdnkit._core import checked_wire

    settings = ls.CacheSettings(default_ttl=60)
    assert callable(break_it)
    break_it(settings)
    with pytest.raises(InvalidRequestError) as raised:
        checked_wire(settings)
    assert str(raised.value) == where


def test_a_list_item_of_the_wrong_type_is_named_with_its_index() -> None:
    from cdnkit import InvalidRequestError
    from cdnkit._core import checked_wire

    origins = _config_with_origin()
    assert checked_wire(origins)["Items"][0]["Id"] == "o1"
    origins.items.append(_NotAModel())  # type: ignore[arg-type]  # the mistake under test
    with pytest.raises(InvalidRequestError, match=r"^Origins\.items\[1\]: expected Origin"):
        checked_wire(origins)
