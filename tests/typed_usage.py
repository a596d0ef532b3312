"""Typed usage of the public API, checked by mypy --strict and pyright (strict) in CI.

Each ``assert_type`` fails type checking if the public types regress; ``test_typed_usage``
also runs the code so the examples stay true at run time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, assert_type

from cdnkit._models import parse_response, to_wire
from cdnkit.types import cloudfront as cf
from cdnkit.types import cloudfront_keyvaluestore as kvs
from cdnkit.types import lightsail as ls


def lightsail_models() -> None:
    origin = ls.InputOrigin(name="web-1", region_name="us-east-1", protocol_policy="https-only")
    assert_type(origin.name, str | None)
    assert_type(origin.region_name, ls.RegionName | None)
    request = ls.UpdateDistributionRequest(
        distribution_name="site",
        origin=origin,
        cache_behavior_settings=ls.CacheSettings(default_ttl=60, maximum_ttl=3600),
        cache_behaviors=[ls.CacheBehaviorPerPath(path="/img/*", behavior="cache")],
        is_enabled=True,
    )
    assert_type(request.distribution_name, str)
    assert_type(request.cache_behaviors, list[ls.CacheBehaviorPerPath] | None)
    assert_type(request.is_enabled, bool | None)
    operation = parse_response(
        ls.Operation, {"id": "op-1", "status": "Succeeded", "createdAt": datetime.now()}
    )
    assert_type(operation, ls.Operation)
    assert_type(operation.created_at, datetime | None)
    status: Literal["NotStarted", "Started", "Failed", "Completed", "Succeeded"] | None
    status = operation.status
    assert status == "Succeeded"


def cloudfront_models() -> None:
    weight = cf.ContinuousDeploymentSingleWeightConfig(
        weight=0.05,
        session_stickiness_config=cf.SessionStickinessConfig(idle_ttl=300, maximum_ttl=600),
    )
    traffic = cf.TrafficConfig(type="SingleWeight", single_weight_config=weight)
    names = cf.StagingDistributionDnsNames(items=["d111111abcdef8.cloudfront.net"])
    assert_type(names.quantity, int)
    config = cf.ContinuousDeploymentPolicyConfig(
        staging_distribution_dns_names=names, enabled=True, traffic_config=traffic
    )
    assert_type(config.traffic_config, cf.TrafficConfig | None)
    assert to_wire(config)["StagingDistributionDnsNames"]["Quantity"] == 1
    function = cf.CreateFunctionRequest(
        name="router",
        function_config=cf.FunctionConfig(comment="", runtime="cloudfront-js-2.0"),
        function_code=b"function handler(event) { return event.request; }",
    )
    assert_type(function.function_code, bytes)
    # botocore reads UpdateFunction's ETag from a misspelt header: it stays optional, while
    # the members AWS always sends (override table REPLY_REQUIRED) are not Optional.
    summary = cf.FunctionSummary(
        name="router",
        function_config=function.function_config,
        function_metadata=cf.FunctionMetadata(
            function_arn="arn:aws:cloudfront::123456789012:function/router",
            last_modified_time=datetime(2026, 1, 1),
        ),
    )
    result = cf.UpdateFunctionResult(function_summary=summary, etag="E1")
    assert_type(result.etag, str | None)
    assert_type(result.function_summary, cf.FunctionSummary)


def key_value_models() -> None:
    put = kvs.PutKeyRequestListItem(key="beta", value="on")
    request = kvs.UpdateKeysRequest(kvs_arn="arn", if_match="E1", puts=[put])
    assert_type(request.puts, list[kvs.PutKeyRequestListItem] | None)
    assert_type(put.value, str)


def test_typed_usage() -> None:
    lightsail_models()
    cloudfront_models()
    key_value_models()
