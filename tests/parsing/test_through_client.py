"""Whole cdnkit clients against the emulator: every reply a call receives is recorded as it
reached the parser; the model the call returned equals the model built from botocore's own
parse of the same bytes, and both parsers agree on every recorded reply (errors included)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiobotocore.session import AioSession, get_session
from botocore.awsrequest import HeadersDict
from botocore.model import OperationModel

import cdnkit
from cdnkit._models import CdnKitModel, parse_response
from cdnkit.resources.cloudfront import distribution_config, single_weight
from cdnkit.testing import Emulator, Timing
from cdnkit.types import cloudfront as cf
from cdnkit.types import lightsail as ls

from . import _harness as h

SESSION: AioSession = get_session()
TIMING = Timing(
    lightsail_operation=0.05,
    lightsail_distribution_deploy=0.05,
    cloudfront_distribution_deploy=0.05,
    invalidation=0.05,
    key_value_store_provisioning=0.05,
)
OPTIONS: dict[str, Any] = {
    "session": SESSION,
    "retry": cdnkit.RetryPolicy(initial_backoff=0.001, max_backoff=0.01),
    "wait": cdnkit.WaitPolicy(initial_delay=0.01, max_delay=0.05, timeout=5),
}


@dataclasses.dataclass
class Recorded:
    operation: OperationModel
    reply: dict[str, Any]


class Recorder:
    """Keeps each reply of an aiobotocore client as its endpoint hands it to the parser."""

    def __init__(self) -> None:
        self.replies: list[Recorded] = []

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-parse", self._record)

    def _record(
        self, operation_model: OperationModel, response_dict: dict[str, Any], **_: Any
    ) -> None:
        body = response_dict["body"]
        if not isinstance(body, bytes):
            return  # a streaming payload, unread here: nothing to parse twice
        reply = {
            "status_code": response_dict["status_code"],
            "headers": HeadersDict(dict(response_dict["headers"].items())),
            "body": body,
            "context": dict(response_dict.get("context", {})),
        }
        self.replies.append(Recorded(operation_model, reply))

    def last(self, operation: str) -> Recorded:
        for recorded in reversed(self.replies):
            if recorded.operation.name == operation:
                return recorded
        raise AssertionError(f"no {operation} reply was recorded")

    async def assert_all_parse_alike(self) -> int:
        """Both parsers, as the endpoint drives them, on every reply recorded; returns how
        many (each test checks it saw what it meant to)."""
        for recorded in self.replies:
            service = recorded.operation.service_model.service_name
            await h.assert_same_endpoint_parse(
                service, recorded.operation.name, recorded.reply, f"recorded {service}"
            )
        return len(self.replies)


async def botocore_model(recorded: Recorded, result: type[CdnKitModel]) -> CdnKitModel:
    """The model cdnkit would have built from botocore's own parse of the recorded reply."""
    protocol = recorded.operation.service_model.protocol
    parser = h.reference_parser(protocol)
    parsed = await parser.parse(dict(recorded.reply), recorded.operation.output_shape)
    parsed.pop("ResponseMetadata", None)
    return parse_response(result, parsed)


async def assert_same_model(recorder: Recorder, operation: str, returned: CdnKitModel) -> None:
    expected = await botocore_model(recorder.last(operation), type(returned))
    assert returned == expected, operation
    # Which members were given matters too (updates send what was set).
    dumped = returned.model_dump(exclude_unset=True, by_alias=True)
    assert dumped == expected.model_dump(exclude_unset=True, by_alias=True), operation


def uses_fast_parser(client: Any) -> bool:
    return isinstance(client._endpoint._response_parser_factory, h.FAST_FACTORY_TYPE)


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(timing=dataclasses.replace(TIMING)) as emu:
        yield emu


async def test_lightsail_calls(emulator: Emulator) -> None:
    recorder = Recorder()
    async with cdnkit.Lightsail(**emulator.client_kwargs(), **OPTIONS) as kit:
        client = kit._core.client
        assert uses_fast_parser(client), "cdnkit's Lightsail client does not use its parser"
        recorder.attach(client)

        await kit.distributions.create(
            "site",
            origin=ls.InputOrigin(name="web-1", region_name="us-east-1"),
            default_cache_behavior=ls.CacheBehavior(behavior="cache"),
            cache_behaviors=[ls.CacheBehaviorPerPath(path="/img/*", behavior="dont-cache")],
            bundle_id="small_1_0",
            tags=[ls.Tag(key="team", value="web")],
            wait=True,
        )
        distributions = await kit.api.get_distributions(distribution_name="site")
        await assert_same_model(recorder, "GetDistributions", distributions)
        assert distributions.distributions
        assert distributions.distributions[0].created_at

        bundles = await kit.api.get_distribution_bundles()
        await assert_same_model(recorder, "GetDistributionBundles", bundles)

        reset = await kit.api.reset_distribution_cache(distribution_name="site")
        await assert_same_model(recorder, "ResetDistributionCache", reset)
        assert reset.operation is not None
        assert reset.operation.id is not None
        operation = await kit.api.get_operation(operation_id=reset.operation.id)
        await assert_same_model(recorder, "GetOperation", operation)

        now = datetime.now(UTC)
        metrics = await kit.api.get_distribution_metric_data(
            distribution_name="site",
            metric_name="Requests",
            start_time=now - timedelta(hours=1),
            end_time=now,
            period=300,
            unit="None",
            statistics=["Sum", "Average"],
        )
        await assert_same_model(recorder, "GetDistributionMetricData", metrics)
        assert metrics.metric_data, "the emulator sent no data points"

        with pytest.raises(cdnkit.CdnKitError):
            await kit.api.get_distributions(distribution_name="missing")
    assert recorder.last("GetDistributions").reply["status_code"] == 400
    assert await recorder.assert_all_parse_alike() >= 8


async def test_cloudfront_calls(emulator: Emulator) -> None:
    recorder = Recorder()
    async with cdnkit.CloudFront(**emulator.client_kwargs(), **OPTIONS) as client:
        aio = client._core.client
        assert uses_fast_parser(aio), "cdnkit's CloudFront client does not use its parser"
        recorder.attach(aio)

        config = distribution_config(
            origins=[
                cf.Origin(
                    id="web",
                    domain_name="origin.example.com",
                    custom_origin_config=cf.CustomOriginConfig(
                        http_port=80, https_port=443, origin_protocol_policy="https-only"
                    ),
                )
            ],
            default_cache_behavior=cf.DefaultCacheBehavior(
                target_origin_id="web",
                viewer_protocol_policy="redirect-to-https",
                cache_policy_id="658327ea-f89d-4fab-a63d-7e88639e58f6",
            ),
            comment="site & <parity>",
        )
        created = await client.distributions.create(config, wait=True)
        distribution_id = created.distribution.id

        got = await client.api.get_distribution(id=distribution_id)
        await assert_same_model(recorder, "GetDistribution", got)
        assert got.distribution is not None
        assert got.etag

        got_config = await client.api.get_distribution_config(id=distribution_id)
        await assert_same_model(recorder, "GetDistributionConfig", got_config)
        assert got_config.distribution_config is not None
        assert got_config.distribution_config.comment == "site & <parity>"

        listed = await client.api.list_distributions()
        await assert_same_model(recorder, "ListDistributions", listed)

        invalidation = await client.api.create_invalidation(
            distribution_id=distribution_id,
            invalidation_batch=cf.InvalidationBatch(
                paths=cf.Paths(quantity=2, items=["/a", "/b/*"]), caller_reference="ref-1"
            ),
        )
        await assert_same_model(recorder, "CreateInvalidation", invalidation)
        assert invalidation.location

        copied = await client.distributions.copy_to_staging(distribution_id)
        policy = await client.continuous_deployment_policies.create(
            staging_distribution_dns_names=[copied.distribution.domain_name],
            traffic_config=single_weight(0.05),
        )
        got_policy = await client.api.get_continuous_deployment_policy(
            id=policy.continuous_deployment_policy.id
        )
        await assert_same_model(recorder, "GetContinuousDeploymentPolicy", got_policy)

        store = await client.key_value_stores.create("flags", comment="parity", wait=True)
        described = await client.api.describe_key_value_store(name="flags")
        await assert_same_model(recorder, "DescribeKeyValueStore", described)
        assert store.key_value_store is not None

        code = b"function handler(event) { return event.request; }"
        await client.functions.create("router", code=code.decode())
        function = await client.api.describe_function(name="router")
        await assert_same_model(recorder, "DescribeFunction", function)

        with pytest.raises(cdnkit.CdnKitError):
            await client.api.get_distribution(id="EMISSING")
    assert recorder.last("GetDistribution").reply["status_code"] == 404
    assert await recorder.assert_all_parse_alike() >= 12


async def test_key_value_store_data_plane_calls(emulator: Emulator) -> None:
    recorder = Recorder()
    async with cdnkit.CloudFront(**emulator.client_kwargs(), **OPTIONS) as client:
        created = await client.key_value_stores.create("flags", wait=True)
        assert created.key_value_store is not None
        arn = created.key_value_store.arn
        keys = client.key_value_stores.keys("flags")
        await keys.put("beta", "on")
        data_plane = client._data_plane.client
        assert uses_fast_parser(data_plane), "cdnkit's KVS client does not use its parser"
        recorder.attach(data_plane)

        await keys.put("gamma", "")
        for number in range(60):
            await client.kvs_api.put_key(
                kvs_arn=arn,
                key=f"k{number:02}",
                value="v" * number,
                if_match=(await client.kvs_api.describe_key_value_store(kvs_arn=arn)).etag,
            )
        described = await client.kvs_api.describe_key_value_store(kvs_arn=arn)
        await assert_same_model(recorder, "DescribeKeyValueStore", described)
        got = await client.kvs_api.get_key(kvs_arn=arn, key="gamma")
        await assert_same_model(recorder, "GetKey", got)
        assert got.value == ""
        listed = await client.kvs_api.list_keys(kvs_arn=arn, max_results=50)
        await assert_same_model(recorder, "ListKeys", listed)
        assert listed.items
        assert len(listed.items) == 50

        with pytest.raises(cdnkit.CdnKitError):
            await client.kvs_api.get_key(kvs_arn=arn, key="missing")
    assert recorder.last("GetKey").reply["status_code"] >= 400
    assert await recorder.assert_all_parse_alike() >= 120


async def test_a_sessions_own_parser_defaults_are_kept(emulator: Emulator) -> None:
    """A session whose parser factory was given other defaults (timestamps kept as text, as
    the AWS CLI does) keeps botocore's parsers: the fast ones would ignore those defaults."""
    session = AioSession()
    factory: Any = session.get_component("response_parser_factory")
    factory.set_parser_defaults(timestamp_parser=str)
    options = {**OPTIONS, "session": session}
    async with cdnkit.Lightsail(**emulator.client_kwargs(), **options) as kit:
        assert not uses_fast_parser(kit._core.client)
        assert kit._core.client._endpoint._response_parser_factory is factory
