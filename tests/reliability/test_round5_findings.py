"""Round 5 review (issue 9) tried from outside: botocore's parameter validation is off on
cdnkit's clients (cdnkit's own check is the only one), the hot reads and Lightsail's plain
update send ``plain_wire``'s checked dict, and replies go through ``cdnkit._parsing``.

The tests say what was tried and works. The defects this review found (input cdnkit's check let
through to the wire: lone surrogates, NaN and infinity, numbers beyond their wire range) are
fixed in session 6 and their tests hold; botocore's validator, now off, never caught them either
(it checks types and minimums only), so cdnkit's check is the whole promise.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession

import cdnkit
from cdnkit._core import build_request, plain_wire
from cdnkit._models import to_wire
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf
from cdnkit.types import cloudfront_keyvaluestore as kvs
from cdnkit.types import lightsail as ls

from ..lightsail.conftest import FULL_SETTINGS
from ..lightsail.conftest import origin as lightsail_origin
from .conftest import CODE, cf_client, config, ls_client

UPDATE = "UpdateDistribution"
ALARM: dict[str, Any] = {
    "alarm_name": "cpu",
    "metric_name": "CPUUtilization",
    "monitored_resource_name": "web-1",
    "comparison_operator": "GreaterThanThreshold",
    "evaluation_periods": 1,
}


async def _site(kit: cdnkit.Lightsail) -> None:
    await kit.distributions.create(
        "site",
        origin=lightsail_origin(),
        default_cache_behavior=ls.CacheBehavior(behavior="cache"),
        bundle_id="small_1_0",
        cache_behavior_settings=FULL_SETTINGS,
        wait=True,
    )


@pytest.fixture
async def kit(emulator: Emulator) -> AsyncIterator[cdnkit.Lightsail]:
    async with ls_client(emulator) as opened:
        await _site(opened)
        yield opened


def sent(emulator: Emulator) -> int:
    return emulator.counters.total()


# --- plain_wire against the model's way --------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "members"),
    [
        (ls.GetDistributionsRequest, {"distribution_name": "site"}),
        (ls.GetDistributionsRequest, {"distribution_name": None}),
        (ls.GetOperationRequest, {"operation_id": "0f1e-op"}),
        (cf.GetDistributionRequest, {"id": "E2QWRUHEXAMPLE"}),
        (cf.GetDistributionConfigRequest, {"id": "E2QWRUHEXAMPLE"}),
        (kvs.GetKeyRequest, {"kvs_arn": "arn:aws:cloudfront::1:key-value-store/x", "key": "k"}),
        (
            ls.UpdateDistributionRequest,
            {
                "distribution_name": "site",
                "is_enabled": False,
                "certificate_name": None,
                "use_default_certificate": True,
                "default_root_object": "index.html",
            },
        ),
    ],
)
def test_plain_wire_is_what_the_model_would_send(
    model: type[cdnkit.CdnKitModel], members: dict[str, Any]
) -> None:
    assert plain_wire(model, **members) == to_wire(build_request(model, **members))


@pytest.mark.parametrize(
    "members",
    [
        {"distribution_name": "site", "is_enabled": 1},
        {"distribution_name": "site", "is_enabled": 1.0},
        {"distribution_name": 5},
        {"distribution_name": "a b"},
        {"distribution_name": "\ud800"},
        {"distribution_name": "site", "unknown_member": "x"},
    ],
)
def test_plain_wire_refuses_what_the_model_refuses(members: dict[str, Any]) -> None:
    with pytest.raises(cdnkit.RequestValidationError):
        build_request(ls.UpdateDistributionRequest, **members)
    with pytest.raises(cdnkit.RequestValidationError):
        plain_wire(ls.UpdateDistributionRequest, **members)


# --- bad input through the public entry points: refused, nothing sent ---------------------------


async def test_hot_reads_refuse_bad_input_before_sending(
    kit: cdnkit.Lightsail, emulator: Emulator
) -> None:
    before = sent(emulator)
    bad: list[Any] = [5, True, None, b"site", "", "a b", "\ud800", 1.5]
    for value in bad:
        with pytest.raises(cdnkit.RequestValidationError):
            await kit.distributions.get(value)
        if value != "a b":  # an operation id only needs a non-space character
            with pytest.raises(cdnkit.RequestValidationError):
                await kit.operations.get(value)
            with pytest.raises(cdnkit.RequestValidationError):
                await kit.api.get_operation(operation_id=value)
    flags: list[Any] = [1, 0, "yes", 1.0]
    for flag in flags:
        with pytest.raises(cdnkit.RequestValidationError) as caught:
            await kit.distributions.update("site", is_enabled=flag)
        assert "is_enabled" in str(caught.value)
    assert sent(emulator) == before


async def test_str_subclasses_and_str_enums_send_their_value(
    kit: cdnkit.Lightsail, emulator: Emulator
) -> None:
    class Name(str):
        def __str__(self) -> str:
            return "other"

    # str() of this enum is "Site.SITE", not its value (StrEnum would hide that case).
    class Site(str, enum.Enum):  # noqa: UP042
        SITE = "site"

    plain = await kit.distributions.get("site")
    assert await kit.distributions.get(Name("site")) == plain
    assert await kit.distributions.get(Site.SITE) == plain
    assert (
        plain_wire(ls.GetDistributionsRequest, distribution_name=Name("site"))
        == to_wire(build_request(ls.GetDistributionsRequest, distribution_name="site"))
        == {"distributionName": "site"}
    )


async def test_models_changed_after_construction_never_reach_the_wire(
    kit: cdnkit.Lightsail, emulator: Emulator
) -> None:
    before = sent(emulator)
    assigned = ls.CacheSettings(default_ttl=60)
    assigned.default_ttl = "60"  # type: ignore[assignment]  # the wrong type on purpose
    with pytest.raises(cdnkit.CdnKitError):
        await kit.api.update_distribution(
            distribution_name="site", cache_behavior_settings=assigned
        )
    with pytest.raises(cdnkit.CdnKitError):
        await kit.distributions.update("site", cache_behavior_settings=assigned, merge=False)
    constructed = ls.InputOrigin.model_construct(name=cast(str, 7), region_name="us-east-1")
    with pytest.raises(cdnkit.CdnKitError):
        await kit.distributions.update("site", origin=constructed, merge=False)
    with pytest.raises(cdnkit.CdnKitError):
        await kit.call(ls.GetOperationRequest.model_construct(operation_id=cast(str, 5)))
    with pytest.raises(cdnkit.CdnKitError):
        await kit.call(ls.GetOperationRequest.model_construct(operation_id="\ud800"))
    request = ls.UpdateDistributionRequest(
        distribution_name="site",
        cache_behaviors=[ls.CacheBehaviorPerPath(path="/a", behavior="cache")],
    )
    assert request.cache_behaviors is not None
    request.cache_behaviors.append("not a behavior")  # type: ignore[arg-type]  # on purpose
    with pytest.raises(cdnkit.CdnKitError):
        await kit.call(request)
    assert sent(emulator) == before


async def test_cloudfront_hot_reads_refuse_bad_ids(emulator: Emulator) -> None:
    async with cf_client(emulator) as client:
        before = sent(emulator)
        for value in ("", "\ud800", 5, None, b"E1"):
            with pytest.raises(cdnkit.RequestValidationError):
                await client.distributions.get(value)  # type: ignore[arg-type]
            with pytest.raises(cdnkit.RequestValidationError):
                await client.distributions.get_config(value)  # type: ignore[arg-type]
        store = client.key_value_stores.keys("flags")
        for key in ("", "\ud800"):
            with pytest.raises(cdnkit.InvalidRequestError):
                await store.get(key)
        assert sent(emulator) == before


# --- the parser under concurrency, cancellation, faults; clients sharing a session ----------


async def test_many_clients_sharing_a_session_parse_the_same_replies(
    emulator: Emulator,
) -> None:
    async with ls_client(emulator) as first, ls_client(emulator) as second:
        await _site(first)
        operation = await first.distributions.update("site", is_enabled=False, wait=True)
        assert operation is not None
        expected = await first.distributions.get("site")
        expected_op = await first.operations.get(operation.id)
        copies = [first, second, first.with_options(), second.with_options()]

        async def read(i: int) -> None:
            client = copies[i % len(copies)]
            assert await client.distributions.get("site") == expected
            assert await client.operations.get(operation.id) == expected_op

        await asyncio.gather(*(read(i) for i in range(40)))
    # A new client of the same session after both closed parses the same, and so does the
    # first client opened again (a new aiobotocore client, given the compiled parsers again).
    async with ls_client(emulator) as again:
        assert await again.distributions.get("site") == expected
    async with first:
        endpoint = first._core.client._endpoint
        assert type(endpoint._response_parser_factory).__name__ == "ReplyParserFactory"
        assert await first.distributions.get("site") == expected
        assert await first.operations.get(operation.id) == expected_op


async def test_cancelled_and_lost_answers_leave_parsing_intact(emulator: Emulator) -> None:
    async with cf_client(emulator) as client:
        made = await client.distributions.create(config())
        ident = made.distribution.id
        expected = await client.distributions.get_config(ident)
        emulator.faults.latency("cloudfront", 0.05, operation="GetDistributionConfig", count=10)
        tasks = [asyncio.ensure_future(client.distributions.get_config(ident)) for _ in range(10)]
        await asyncio.sleep(0.01)
        for task in tasks[::2]:
            task.cancel()
        done = await asyncio.gather(*tasks, return_exceptions=True)
        for i, outcome in enumerate(done):
            if i % 2:
                assert outcome == expected
            else:
                assert isinstance(outcome, asyncio.CancelledError)
        emulator.faults.reset_after_processing(
            "cloudfront", operation="GetDistributionConfig", count=2
        )
        assert await client.distributions.get_config(ident) == expected
        got = await client.distributions.get(ident)
        assert got.distribution.distribution_config == expected.distribution_config


async def test_both_services_on_one_session_parse_right_under_faults(emulator: Emulator) -> None:
    """Lightsail (json), CloudFront (rest-xml) and the KeyValueStore data plane (rest-json)
    clients made from one session, their with_options copies, 90 reads at once while a third
    of the requests are throttled, fail with 5xx, lose their connection or their answer:
    every read returns what a quiet read returned."""
    session = AioSession()
    # Enough attempts that a read failing every one (0.3 ** 30) does not happen.
    patient = cdnkit.RetryPolicy(
        max_attempts=30, initial_backoff=0.001, max_backoff=0.005, adaptive=False
    )
    async with (
        ls_client(emulator, session=session, retry=patient) as kit,
        cf_client(emulator, session=session, retry=patient) as client,
        cf_client(emulator, session=session, retry=patient) as other,
    ):
        await _site(kit)
        ident = (await client.distributions.create(config())).distribution.id
        await client.key_value_stores.create("flags", wait=True)
        await client.key_value_stores.keys("flags").put("k", "v")
        site = await kit.distributions.get("site")
        distribution = await client.distributions.get(ident)
        settings = await client.distributions.get_config(ident)
        for service in ("lightsail", "cloudfront", "cloudfront-keyvaluestore"):
            emulator.faults.throttle(service, count=None, probability=0.1)
            emulator.faults.server_error(service, count=None, probability=0.1)
            emulator.faults.reset_connection(service, count=None, probability=0.05)
            emulator.faults.reset_after_processing(service, count=None, probability=0.05)
        fronts = [client, other, client.with_options(), other.with_options()]

        async def read(i: int) -> None:
            front = fronts[i % len(fronts)]
            if i % 3 == 0:
                assert await kit.with_options().distributions.get("site") == site
            elif i % 3 == 1:
                assert await front.distributions.get(ident) == distribution
                assert await front.distributions.get_config(ident) == settings
            else:
                assert await front.key_value_stores.keys("flags").get("k") == "v"

        await asyncio.gather(*(read(i) for i in range(90)))


async def test_a_client_with_botocore_validation_on_still_works(emulator: Emulator) -> None:
    # The emulator's own config (its loopback resolver) with botocore's validation on.
    checking = emulator.client_kwargs()["config"].merge(AioConfig(parameter_validation=True))
    async with ls_client(emulator, config=checking) as kit:
        assert kit._core.client.meta.config.parameter_validation is True
        await _site(kit)
        operation = await kit.distributions.update("site", is_enabled=False, wait=True)
        assert operation is not None
        assert (await kit.operations.get(operation.id)).id == operation.id
        assert (await kit.distributions.get("site")).is_enabled is False
        before = sent(emulator)
        with pytest.raises(cdnkit.RequestValidationError):
            await kit.distributions.get("a b")
        assert sent(emulator) == before
    async with cf_client(emulator, config=checking) as client:
        assert client._core.client.meta.config.parameter_validation is True
        made = await client.distributions.create(config())
        ident = made.distribution.id
        got = await client.distributions.get_config(ident)
        assert got.distribution_config.comment == made.distribution.distribution_config.comment

        def comment(settings: cf.DistributionConfig) -> None:
            settings.comment = "checked twice"

        await client.distributions.update(ident, mutate=comment)
        assert (await client.distributions.get_config(ident)).distribution_config.comment == (
            "checked twice"
        )
        assert [d.id async for d in client.distributions.list()] == [ident]
        await client.key_value_stores.create("flags", wait=True)
        keys = client.key_value_stores.keys("flags")
        await keys.put("k", "v")
        assert await keys.get("k") == "v"


# --- defects: input cdnkit's check lets through to the wire ---------------------------------


async def test_lone_surrogate_in_a_free_lightsail_string_is_refused(
    kit: cdnkit.Lightsail, emulator: Emulator
) -> None:
    before = sent(emulator)
    with pytest.raises(cdnkit.RequestValidationError) as caught:
        await kit.distributions.update("site", default_root_object="\ud800")
    assert "default_root_object" in str(caught.value)
    with pytest.raises(cdnkit.RequestValidationError):
        await kit.api.update_distribution(distribution_name="site", default_root_object="\ud800")
    assert sent(emulator) == before


@pytest.mark.parametrize("threshold", [float("nan"), float("inf"), float("-inf")])
async def test_nan_and_infinity_are_refused(
    kit: cdnkit.Lightsail, emulator: Emulator, threshold: float
) -> None:
    before = sent(emulator)
    with pytest.raises(cdnkit.RequestValidationError) as caught:
        await kit.api.put_alarm(threshold=threshold, **ALARM)
    assert "threshold" in str(caught.value)
    assert sent(emulator) == before


async def test_integer_beyond_32_bits_is_refused(kit: cdnkit.Lightsail, emulator: Emulator) -> None:
    before = sent(emulator)
    with pytest.raises(cdnkit.RequestValidationError) as caught:
        await kit.api.put_alarm(threshold=1.0, **{**ALARM, "evaluation_periods": 2**70})
    assert "evaluation_periods" in str(caught.value)
    assert sent(emulator) == before


async def test_long_beyond_64_bits_is_refused(kit: cdnkit.Lightsail, emulator: Emulator) -> None:
    before = sent(emulator)
    with pytest.raises(cdnkit.RequestValidationError) as caught:
        await kit.distributions.update(
            "site", cache_behavior_settings=ls.CacheSettings(default_ttl=2**70), merge=False
        )
    assert "default_ttl" in str(caught.value)
    with pytest.raises(cdnkit.CdnKitError):
        await kit.api.update_distribution(
            distribution_name="site",
            cache_behavior_settings=ls.CacheSettings.model_construct(default_ttl=2**70),
        )
    assert sent(emulator) == before


async def test_cloudfront_read_modify_write_refuses_what_mutate_breaks(
    emulator: Emulator,
) -> None:
    """Edits a mutate makes by assignment, in place or through model_construct are checked
    whole: nothing but the read is sent."""

    def aliases_constructed(settings: cf.DistributionConfig) -> None:
        settings.aliases = cf.Aliases.model_construct(quantity=5, items=["a.example.com"])

    def aliases_appended(settings: cf.DistributionConfig) -> None:
        settings.aliases = cf.Aliases(items=["a.example.com"])
        assert settings.aliases.items is not None
        settings.aliases.items.append("b.example.com")

    def disabled_by_int(settings: cf.DistributionConfig) -> None:
        settings.enabled = cast(bool, 0)

    def float_ttl(settings: cf.DistributionConfig) -> None:
        settings.default_cache_behavior.min_ttl = cast(int, 1.0)

    def unknown_policy(settings: cf.DistributionConfig) -> None:
        settings.default_cache_behavior.viewer_protocol_policy = cast(Any, "sometimes")

    def surrogate_comment(settings: cf.DistributionConfig) -> None:
        settings.comment = "\ud800"

    async with cf_client(emulator) as client:
        ident = (await client.distributions.create(config())).distribution.id
        for mutate in (
            aliases_constructed,
            aliases_appended,
            disabled_by_int,
            float_ttl,
            unknown_policy,
            surrogate_comment,
        ):
            with pytest.raises(cdnkit.RequestValidationError):
                await client.distributions.update(ident, mutate=mutate)
        assert emulator.counters.count("cloudfront", UPDATE) == 0


async def test_dicts_for_nested_models_are_checked_like_models(
    kit: cdnkit.Lightsail, emulator: Emulator
) -> None:
    before = sent(emulator)
    wrong: list[Any] = [{"default_ttl": "5"}, {"bogus": 1}, {"defaultTTL": True}, ["x"]]
    for settings in wrong:
        with pytest.raises(cdnkit.RequestValidationError):
            await kit.api.update_distribution(
                distribution_name="site", cache_behavior_settings=settings
            )
    assert sent(emulator) == before
    right: Any = {"defaultTTL": 7}
    await kit.api.update_distribution(distribution_name="site", cache_behavior_settings=right)
    await kit.operations.wait((await kit.operations.for_resource("site"))[0].id)
    settings = (await kit.distributions.get("site")).cache_behavior_settings
    assert settings is not None
    assert settings.default_ttl == 7


async def test_lone_surrogate_in_a_free_cloudfront_string_is_refused(emulator: Emulator) -> None:
    def surrogate_root(settings: cf.DistributionConfig) -> None:
        settings.default_root_object = "\ud800"

    async with cf_client(emulator) as client:
        ident = (await client.distributions.create(config())).distribution.id
        with pytest.raises(cdnkit.RequestValidationError):
            await client.distributions.update(ident, mutate=surrogate_root)
        assert emulator.counters.count("cloudfront", UPDATE) == 0
        with pytest.raises(cdnkit.RequestValidationError):
            await client.functions.create("fn", code=CODE, comment="\ud800")
        assert emulator.counters.count("cloudfront", "CreateFunction") == 0


async def test_cloudfront_long_beyond_64_bits_is_refused(emulator: Emulator) -> None:
    def huge_ttl(settings: cf.DistributionConfig) -> None:
        settings.default_cache_behavior.min_ttl = 2**70

    async with cf_client(emulator) as client:
        ident = (await client.distributions.create(config())).distribution.id
        with pytest.raises(cdnkit.RequestValidationError):
            await client.distributions.update(ident, mutate=huge_ttl)
        assert emulator.counters.count("cloudfront", UPDATE) == 0


@pytest.mark.parametrize("case", ["cloudfront enabled", "lightsail enabled", "lightsail ttl"])
async def test_wrong_type_equal_to_current_value_is_refused(emulator: Emulator, case: str) -> None:
    def enabled_by_int(settings: cf.DistributionConfig) -> None:
        settings.enabled = cast(bool, 1)

    def ls_enabled_by_int(settings: ls.UpdateDistributionRequest) -> None:
        settings.is_enabled = cast(bool, 1)

    def ls_ttl_by_float(settings: ls.UpdateDistributionRequest) -> None:
        assert settings.cache_behavior_settings is not None
        settings.cache_behavior_settings.default_ttl = cast(int, 3600.0)

    if case.startswith("cloudfront"):
        async with cf_client(emulator) as client:
            made = await client.distributions.create(config())
            assert made.distribution.distribution_config.enabled is True
            with pytest.raises(cdnkit.RequestValidationError):
                await client.distributions.update(made.distribution.id, mutate=enabled_by_int)
        return
    async with ls_client(emulator) as kit:
        await _site(kit)
        current = await kit.distributions.get("site")
        assert current.is_enabled is True
        assert current.cache_behavior_settings is not None
        assert current.cache_behavior_settings.default_ttl == 3600
        mutate = ls_enabled_by_int if case == "lightsail enabled" else ls_ttl_by_float
        with pytest.raises(cdnkit.RequestValidationError):
            await kit.distributions.modify("site", mutate)


@pytest.mark.parametrize(
    "where",
    [
        "marker",
        "resume",
        "code",
    ],
)
async def test_lone_surrogate_raises_a_cdnkit_error(emulator: Emulator, where: str) -> None:
    async with cf_client(emulator) as client:

        async def send() -> object:
            if where == "marker":
                return await client.api.list_distributions(marker="\ud800")
            if where == "resume":
                pages = client.api.paginate_list_distributions().resume("\ud800")
                return [item async for item in pages]
            return await client.functions.create("fn", code="\ud800")

        with pytest.raises(cdnkit.CdnKitError) as raised:
            await send()
        assert sent(emulator) == 0
        if where == "code":
            assert "code" in str(raised.value)
            assert "\ud800" not in str(raised.value)


async def test_waits_and_paginators_refuse_bad_arguments(emulator: Emulator) -> None:
    async with cf_client(emulator) as client:
        ident = (await client.distributions.create(config())).distribution.id
        before = sent(emulator)
        timeouts: list[Any] = [float("nan"), float("inf"), -1.0, 0, True, "5"]
        for timeout in timeouts:
            with pytest.raises(cdnkit.CdnKitError):
                await client.api.wait_distribution_deployed(id=ident, timeout=timeout)
            with pytest.raises(cdnkit.CdnKitError):
                await client.distributions.wait_deployed(ident, timeout=timeout)
        wrong = client.api.paginate_list_distributions().resume(cast(str, 5))
        with pytest.raises(cdnkit.InvalidRequestError):
            [item async for item in wrong]
        assert sent(emulator) == before


async def test_call_refuses_another_services_request(emulator: Emulator) -> None:
    """Both services have an UpdateDistribution: with botocore's check off, a request model of
    the other service must still never reach the wire."""
    async with ls_client(emulator) as kit, cf_client(emulator) as client:
        with pytest.raises(cdnkit.InvalidRequestError):
            await kit.call(cast(Any, cf.GetDistributionRequest(id="E1")))
        with pytest.raises(cdnkit.InvalidRequestError):
            await client.call(
                cast(Any, ls.UpdateDistributionRequest(distribution_name="site", is_enabled=False))
            )
        with pytest.raises(cdnkit.InvalidRequestError):
            await client.call(kvs.GetKeyRequest.model_construct(kvs_arn="a", key=cast(str, 5)))
        with pytest.raises(cdnkit.InvalidRequestError):
            await kit.call(cast(Any, {"operationId": "x"}))
        assert sent(emulator) == 0
