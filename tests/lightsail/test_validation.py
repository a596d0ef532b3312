"""Bad input is refused before anything is sent, with an error naming the field."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pydantic
import pytest

import cdnkit
from cdnkit.testing import Emulator
from cdnkit.types import lightsail as ls

from .conftest import create_site, origin


def loc_of(error: cdnkit.RequestValidationError) -> list[tuple[str | int, ...]]:
    return [tuple(detail["loc"]) for detail in error.errors()]


Call = Callable[[cdnkit.Lightsail], Awaitable[object]]


async def _wrong_name_get(kit: cdnkit.Lightsail) -> object:
    return await kit.distributions.get("bad name!")


async def _wrong_name_update(kit: cdnkit.Lightsail) -> object:
    return await kit.distributions.update("-site", is_enabled=False)


async def _wrong_name_for_resource(kit: cdnkit.Lightsail) -> object:
    return await kit.operations.for_resource("site/../x")


async def _wrong_certificate_name(kit: cdnkit.Lightsail) -> object:
    return await kit.distributions.attach_certificate("site", "my cert")


async def _unknown_region(kit: cdnkit.Lightsail) -> object:
    bad_origin: Any = {"name": "web-1", "regionName": "mars-north-1"}
    return await kit.distributions.create(
        "site",
        origin=bad_origin,
        default_cache_behavior=ls.CacheBehavior(behavior="cache"),
        bundle_id="small_1_0",
    )


async def _bundle_not_a_string(kit: cdnkit.Lightsail) -> object:
    bundle: Any = 5
    return await kit.distributions.update_bundle("site", bundle)


async def _create_bundle_not_a_string(kit: cdnkit.Lightsail) -> object:
    bundle: Any = 1.0
    return await kit.distributions.create(
        "site",
        origin=origin(),
        default_cache_behavior=ls.CacheBehavior(behavior="cache"),
        bundle_id=bundle,
    )


async def _ttl_of_the_wrong_type(kit: cdnkit.Lightsail) -> object:
    settings: Any = {"defaultTTL": "3600"}
    return await kit.distributions.update("site", cache_behavior_settings=settings)


async def _unknown_behavior(kit: cdnkit.Lightsail) -> object:
    behavior: Any = {"behavior": "maybe-cache"}
    return await kit.distributions.update("site", default_cache_behavior=behavior)


async def _unknown_metric(kit: cdnkit.Lightsail) -> object:
    metric: Any = "Visitors"
    now = datetime.now(UTC)
    return await kit.distributions.metric_data(
        "site",
        metric_name=metric,
        start_time=now,
        end_time=now,
        period=60,
        unit="Count",
        statistics=["Sum"],
    )


@pytest.mark.parametrize(
    ("call", "loc"),
    [
        (_wrong_name_get, ("distribution_name",)),
        (_wrong_name_update, ("distribution_name",)),
        (_wrong_name_for_resource, ("resource_name",)),
        (_wrong_certificate_name, ("certificate_name",)),
        (_unknown_region, ("origin", "region_name")),
        (_bundle_not_a_string, ("bundle_id",)),
        (_create_bundle_not_a_string, ("bundle_id",)),
        (_ttl_of_the_wrong_type, ("cache_behavior_settings", "default_ttl")),
        (_unknown_behavior, ("default_cache_behavior", "behavior")),
        (_unknown_metric, ("metric_name",)),
    ],
)
async def test_refused_before_sending(
    emulator: Emulator, kit: cdnkit.Lightsail, call: Call, loc: tuple[str, ...]
) -> None:
    with pytest.raises(cdnkit.RequestValidationError) as caught:
        await call(kit)
    error = caught.value
    assert loc_of(error) == [loc]
    assert ".".join(loc) in str(error)
    assert isinstance(error, cdnkit.InvalidRequestError)
    assert isinstance(error, ValueError)
    # pydantic's own error is not chained: its message would repeat every input, sensitive
    # ones included. errors() carries its structured details.
    assert error.__cause__ is None
    assert emulator.counters.total() == 0


def test_models_refuse_bad_values_when_built() -> None:
    """Typed construction fails at once, naming the field, with an error of cdnkit's tree
    (also a ValueError, as pydantic's is)."""
    ttl: Any = "60"
    with pytest.raises(cdnkit.RequestValidationError, match="default_ttl"):
        ls.CacheSettings(default_ttl=ttl)
    region: Any = "mars-north-1"
    with pytest.raises(pydantic.ValidationError, match="region_name"):
        ls.InputOrigin(name="web-1", region_name=region)


async def test_modify_revalidates_what_the_mutator_changed(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    await create_site(kit)

    def wrong_ttl(settings: ls.UpdateDistributionRequest) -> None:
        assert settings.cache_behavior_settings is not None
        ttl: Any = "120"  # as an untyped caller would; assignment is not validated
        settings.cache_behavior_settings.default_ttl = ttl

    with pytest.raises(cdnkit.RequestValidationError) as caught:
        await kit.distributions.modify("site", wrong_ttl)
    assert loc_of(caught.value) == [("cache_behavior_settings", "default_ttl")]
    assert emulator.counters.count("lightsail", "UpdateDistribution") == 0


async def test_modify_refuses_a_mutator_returning_something_else(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    await create_site(kit)

    def returns_a_dict(settings: ls.UpdateDistributionRequest) -> Any:
        return {"isEnabled": False}

    with pytest.raises(cdnkit.InvalidRequestError, match="returned dict"):
        await kit.distributions.modify("site", returns_a_dict)
    assert emulator.counters.count("lightsail", "UpdateDistribution") == 0


async def test_a_good_name_with_hyphens_and_underscores_passes(kit: cdnkit.Lightsail) -> None:
    created = await create_site(kit, "my-site_2", wait=False)
    assert created.distribution.name == "my-site_2"


async def _call(kit: cdnkit.Lightsail, method: str, *args: Any, **kwargs: Any) -> object:
    bound: Any = getattr(kit.distributions, method)
    return await bound(*args, **kwargs)


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "loc"),
    [
        # Each passes no type check of the common path and goes to pydantic, which names it.
        ("get", (), {}, ("name",)),  # a required argument left out
        ("get", ("site", "extra"), {}, (2,)),  # one positional too many
        ("get", ("site",), {"name": "site"}, ("name",)),  # given twice
        ("update", ("site",), {"is_enabled": "yes"}, ("is_enabled",)),  # not taken as true
        ("update", ("site",), {"is_enabled": 1}, ("is_enabled",)),
        ("update", ("site",), {"nonsense": True}, ("nonsense",)),
        ("update", ("site", True), {}, ()),  # keyword-only given by position
        ("update_bundle", ("site",), {"bundle_id": b"small_1_0"}, ("bundle_id",)),
        (
            "update",
            ("site",),
            {"viewer_minimum_tls_protocol_version": "TLSv9"},
            ("viewer_minimum_tls_protocol_version",),
        ),
    ],
)
async def test_arguments_the_common_path_cannot_vouch_for_go_to_pydantic(
    emulator: Emulator,
    kit: cdnkit.Lightsail,
    method: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    loc: tuple[str | int, ...],
) -> None:
    with pytest.raises(cdnkit.RequestValidationError) as caught:
        await _call(kit, method, *args, **kwargs)
    assert loc_of(caught.value)[0][: len(loc)] == loc
    assert emulator.counters.total() == 0


async def test_arguments_of_exact_types_take_the_common_path_and_reach_aws(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    await create_site(kit)
    emulator.counters.reset()

    await _call(kit, "get", "site")
    await _call(kit, "get", name="site")
    await _call(
        kit, "update", "site", is_enabled=False, viewer_minimum_tls_protocol_version="TLSv1.2_2021"
    )

    assert emulator.counters.count("lightsail", "GetDistributions") == 2
    assert emulator.counters.count("lightsail", "UpdateDistribution") == 1
