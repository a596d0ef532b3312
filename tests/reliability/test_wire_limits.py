"""What the request check refuses because AWS's wire cannot carry it (session 6): numbers beyond
their botocore type's range (an 'integer' is 32-bit signed, a 'long' 64-bit), NaN and infinity,
and strings without a UTF-8 form (a lone surrogate) wherever they are: members, list items, map
keys and values, headers, page tokens, a wait's parameters. Each is refused with a
:class:`cdnkit.RequestValidationError` naming the member, and nothing is sent (counted at the
emulator); the edges of each range are still sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

import pytest

import cdnkit
from cdnkit._core import build_request, checked_wire
from cdnkit._etag import mutate_copy
from cdnkit._models import unencodable_text
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf
from cdnkit.types import lightsail as ls

from .conftest import cf_client, config, ls_client

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
ALARM: dict[str, Any] = {
    "alarm_name": "cpu",
    "metric_name": "CPUUtilization",
    "monitored_resource_name": "web-1",
    "comparison_operator": "GreaterThanThreshold",
    "evaluation_periods": 1,
    "threshold": 1.0,
}


def refused(model: type[cdnkit.CdnKitModel], member: str, **members: Any) -> str:
    with pytest.raises(cdnkit.RequestValidationError) as caught:
        build_request(model, **members)
    assert member in str(caught.value)
    return str(caught.value)


# --- numbers: the edges pass, one beyond is refused, by every way a request is built ---------


def test_integer_members_take_32_bits_and_no_more() -> None:
    for edge in INT32:
        request = build_request(ls.PutAlarmRequest, **{**ALARM, "evaluation_periods": edge})
        assert checked_wire(request)["evaluationPeriods"] == edge
    for beyond in (INT32[0] - 1, INT32[1] + 1, 2**70):
        refused(ls.PutAlarmRequest, "evaluation_periods", **{**ALARM, "evaluation_periods": beyond})
    # Items of a list of integers, and a CloudFront Quantity.
    assert cf.StatusCodes(items=[INT32[1]]).items == [INT32[1]]
    refused(cf.StatusCodes, "items.0", items=[2**31])
    refused(cf.Aliases, "quantity", items=[], quantity=2**32)


def test_long_members_take_64_bits_and_no_more() -> None:
    for edge in INT64:
        assert ls.CacheSettings(default_ttl=edge).default_ttl == edge
    for beyond in (INT64[0] - 1, INT64[1] + 1):
        refused(ls.CacheSettings, "default_ttl", default_ttl=beyond)


def test_members_with_bounds_of_their_own_keep_them() -> None:
    # A Port is -1..65535 in botocore's model: the wire range does not widen it.
    refused(ls.PortInfo, "from_port", from_port=-2)
    refused(ls.PortInfo, "from_port", from_port=65536)
    assert ls.PortInfo(from_port=65535).from_port == 65535


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_floats_are_finite(value: float) -> None:
    refused(ls.PutAlarmRequest, "threshold", **{**ALARM, "threshold": value})
    # A bounded double (0..100) refuses them as well.
    refused(cf.RealtimeLogConfig, "sampling_rate", **_realtime_log(value))


def _realtime_log(rate: float) -> dict[str, Any]:
    return {
        "arn": "arn:aws:cloudfront::1:realtime-log-config/x",
        "name": "x",
        "sampling_rate": rate,
        "end_points": [],
        "fields": [],
    }


async def test_numbers_beyond_range_are_never_sent(emulator: Emulator) -> None:
    async with ls_client(emulator) as kit:
        constructed = ls.PutAlarmRequest.model_construct(**{**ALARM, "threshold": float("nan")})
        with pytest.raises(cdnkit.RequestValidationError) as caught:
            await kit.call(constructed)
        assert "threshold" in str(caught.value)
        assigned = ls.CacheSettings(default_ttl=60)
        assigned.default_ttl = 2**63
        with pytest.raises(cdnkit.RequestValidationError):
            await kit.api.update_distribution(
                distribution_name="site", cache_behavior_settings=assigned
            )
        with pytest.raises(cdnkit.RequestValidationError):
            await kit.api.put_alarm(**{**ALARM, "datapoints_to_alarm": -(2**31) - 1})
    assert emulator.counters.total() == 0


# --- strings without a UTF-8 form ---------------------------------------------------------------


async def test_lone_surrogates_anywhere_in_a_request_are_refused_by_name(
    emulator: Emulator,
) -> None:
    async with ls_client(emulator) as kit:
        api = kit.api
        cases: list[tuple[str, Callable[[], Awaitable[object]]]] = [
            (
                "tags.0.value",
                lambda: api.tag_resource(
                    resource_name="site", tags=[ls.Tag(key="k", value="\ud800")]
                ),
            ),
            (
                "containers.web.environment.A",
                lambda: api.create_container_service_deployment(
                    service_name="svc",
                    containers={"web": ls.Container(image="nginx", environment={"A": "x\udfff"})},
                ),
            ),
            (
                "default_root_object",
                lambda: api.update_distribution(
                    distribution_name="site", default_root_object="\ud800"
                ),
            ),
        ]
        for where, call in cases:
            with pytest.raises(cdnkit.RequestValidationError) as caught:
                await call()
            assert where in str(caught.value), str(caught.value)
            assert "lone surrogate" in str(caught.value)
            assert caught.value.errors()[0]["type"] == "string_not_utf8"
        # A map key: refused by the model itself (strict str keys), before the wire check.
        with pytest.raises(cdnkit.RequestValidationError) as caught:
            await api.create_container_service_deployment(
                service_name="svc", containers={"\ud800": ls.Container(image="nginx")}
            )
        assert "containers" in str(caught.value)
    assert emulator.counters.total() == 0


async def test_sensitive_members_are_named_not_shown(emulator: Emulator) -> None:
    async with ls_client(emulator) as kit:
        with pytest.raises(cdnkit.RequestValidationError) as caught:
            await kit.api.create_relational_database(
                relational_database_name="db",
                relational_database_blueprint_id="mysql_8_0",
                relational_database_bundle_id="micro_2_0",
                master_database_name="main",
                master_username="admin",
                master_user_password="secret\ud800",
            )
    assert "master_user_password" in str(caught.value)
    assert "secret" not in str(caught.value)
    assert "secret" not in repr(caught.value.errors())
    assert emulator.counters.total() == 0


async def test_cloudfront_headers_waits_and_pages_refuse_lone_surrogates(
    emulator: Emulator,
) -> None:
    async with cf_client(emulator) as client:
        made = await client.distributions.create(config())
        ident = made.distribution.id
        before = emulator.counters.total()
        with pytest.raises(cdnkit.RequestValidationError) as caught:
            await client.api.update_distribution(
                id=ident, if_match="\ud800", distribution_config=config()
            )
        assert "if_match" in str(caught.value)
        with pytest.raises(cdnkit.RequestValidationError) as caught:
            await client.api.wait_distribution_deployed(id="E\ud800")
        assert "id" in str(caught.value)
        pages = client.api.paginate_list_distributions().resume("\ud800")
        with pytest.raises(cdnkit.RequestValidationError) as caught:
            [item async for item in pages]
        assert "marker" in str(caught.value)
        assert emulator.counters.total() == before


def test_the_walk_names_only_strings_without_utf8() -> None:
    # Bytes that are not UTF-8 (a function's code may be any bytes) fail the fast encode but
    # are sent as they are: the walk finds nothing to refuse.
    assert unencodable_text(cf.CreateFunctionRequest, {"FunctionCode": b"\xff\xfe"}) is None
    assert unencodable_text(None, {"A": ["ok", {"B": "\udc80"}]}) == (("A", 1, "B"), "\udc80", 0)
    found = unencodable_text(ls.TagResourceRequest, {"tags": [{"key": "k", "value": "ab\ud800"}]})
    assert found == (("tags", 0, "value"), "ab\ud800", 2)


# --- read-modify-write: a list item replaced in place by an equal value of another type ---------


@pytest.mark.parametrize("replacement", [500.0, True])
async def test_in_place_list_edit_to_an_equal_value_of_another_type_is_checked(
    replacement: object,
) -> None:
    codes = cf.StatusCodes(items=[500, 502] if replacement != 1 else [1, 502])
    assert codes.items is not None

    def edit(value: cf.StatusCodes) -> None:
        assert value.items is not None
        value.items[0] = cast(int, replacement)  # equal to what was there, not an int

    with pytest.raises(cdnkit.RequestValidationError) as caught:
        await mutate_copy(codes, edit)
    assert "items.0" in str(caught.value)

    def same(value: cf.StatusCodes) -> None:
        assert value.items is not None
        value.items[0] = value.items[0]

    assert not (await mutate_copy(codes, same)).changed


def test_the_generator_marks_request_numbers_only() -> None:
    from cdnkit._codegen._ir import build_service

    def member(structs: dict[str, Any], struct: str, name: str) -> Any:
        return next(m for m in structs[struct].members if m.attr_name == name).type

    lightsail = {s.name: s for s in build_service("lightsail").structs}
    assert member(lightsail, "PutAlarmRequest", "evaluation_periods").wire_number == "integer"
    assert member(lightsail, "PutAlarmRequest", "threshold").wire_number == "double"
    assert member(lightsail, "CacheSettings", "default_ttl").wire_number == "long"
    # Reply-only shapes are never checked against limits: no cost for them.
    assert member(lightsail, "Alarm", "evaluation_periods").wire_number is None
    cloudfront = {s.name: s for s in build_service("cloudfront").structs}
    # A Quantity must equal len(Items) (its class's rule), which no list can push out of range.
    assert member(cloudfront, "Aliases", "quantity").wire_number is None
    assert member(cloudfront, "StatusCodes", "items").item.wire_number == "integer"
