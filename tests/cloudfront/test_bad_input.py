"""Bad input fails with a validation error naming the field, before any request is sent.

Two paths: where cdnkit builds the model (a resource method or a helper) the error is
:class:`cdnkit.RequestValidationError`; where the caller builds the model it is pydantic's own
``ValidationError``, raised by the constructor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydantic
import pytest

import cdnkit
from cdnkit.resources.cloudfront import set_weight, single_header, single_weight
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf

from .conftest import CODE, config, stage

TOO_BIG = b"x" * (10 * 1024 + 1)


def fields(error: cdnkit.RequestValidationError | pydantic.ValidationError) -> list[str]:
    """Every snake_case name in the errors' locations."""
    details: list[Any] = list(error.errors())
    return [str(part) for detail in details for part in detail["loc"]]


# -- weight 0.2 (at most 0.15) ---------------------------------------------------------------


def test_request_validation_error_for_a_weight_of_0_2_in_the_helpers() -> None:
    for build in (lambda: single_weight(0.2), lambda: set_weight(0.2)):
        with pytest.raises(cdnkit.RequestValidationError) as caught:
            build()
        assert "weight" in fields(caught.value)


def test_pydantic_error_for_a_weight_of_0_2_built_by_the_caller() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        cf.ContinuousDeploymentSingleWeightConfig(weight=0.2)
    assert fields(caught.value) == ["weight"]


async def test_request_validation_error_for_a_weight_of_0_2_set_by_a_mutation(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client, attach=False)
    emulator.counters.reset()

    def too_much(policy: cf.ContinuousDeploymentPolicyConfig) -> None:
        assert policy.traffic_config is not None
        assert policy.traffic_config.single_weight_config is not None
        policy.traffic_config.single_weight_config.weight = 0.2  # assignment is not validated

    with pytest.raises(cdnkit.RequestValidationError) as caught:
        await cf_client.continuous_deployment_policies.update(staged.policy_id, mutate=too_much)
    assert fields(caught.value)[-1] == "weight"
    # The read is needed to run the mutation; nothing was written.
    assert emulator.counters.count("cloudfront", "UpdateContinuousDeploymentPolicy") == 0
    emulator.counters.reset()
    with pytest.raises(cdnkit.RequestValidationError):
        await cf_client.continuous_deployment_policies.update(
            staged.policy_id, mutate=set_weight(0.2)
        )
    assert emulator.counters.total() == 0


# -- idle TTL above the maximum TTL ------------------------------------------------------------


def test_request_validation_error_for_an_idle_ttl_above_the_maximum_in_the_helper() -> None:
    with pytest.raises(cdnkit.RequestValidationError, match="idle_ttl") as caught:
        single_weight(0.1, idle_ttl=1200, maximum_ttl=600)
    assert "maximum_ttl" in str(caught.value)
    with pytest.raises(cdnkit.RequestValidationError) as out_of_range:
        single_weight(0.1, idle_ttl=100, maximum_ttl=600)
    assert "idle_ttl" in fields(out_of_range.value)


def test_pydantic_error_for_an_idle_ttl_above_the_maximum_built_by_the_caller() -> None:
    with pytest.raises(pydantic.ValidationError, match="idle_ttl"):
        cf.SessionStickinessConfig(idle_ttl=1200, maximum_ttl=600)


# -- a header without the aws-cf-cd- prefix ----------------------------------------------------


def test_request_validation_error_for_a_header_without_the_prefix_in_the_helper() -> None:
    with pytest.raises(cdnkit.RequestValidationError) as caught:
        single_header("x-canary", "1")
    assert "header" in fields(caught.value)


def test_pydantic_error_for_a_header_without_the_prefix_built_by_the_caller() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        cf.ContinuousDeploymentSingleHeaderConfig(header="x-canary", value="1")
    assert fields(caught.value) == ["header"]


# -- a function over 10 KB ---------------------------------------------------------------------


async def test_request_validation_error_for_a_function_over_10_kb(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    await cf_client.functions.create("router", code=CODE)
    emulator.counters.reset()

    with pytest.raises(cdnkit.RequestValidationError) as created:
        await cf_client.functions.create("big", code=TOO_BIG)
    assert "function_code" in fields(created.value)
    with pytest.raises(cdnkit.RequestValidationError) as updated:
        await cf_client.functions.update("router", code=TOO_BIG.decode())
    assert "function_code" in fields(updated.value)
    assert emulator.counters.total() == 0

    # The limit itself is allowed.
    await cf_client.functions.update("router", code=TOO_BIG[:-1])
    assert await cf_client.functions.get_code("router") == TOO_BIG[:-1]


def test_pydantic_error_for_a_function_over_10_kb_built_by_the_caller() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        cf.CreateFunctionRequest(
            name="big",
            function_config=cf.FunctionConfig(comment="", runtime="cloudfront-js-2.0"),
            function_code=TOO_BIG,
        )
    assert fields(caught.value) == ["function_code"]


# -- a KeyValueStore name with a dot -----------------------------------------------------------


async def test_request_validation_error_for_a_store_name_with_a_dot(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    stores = cf_client.key_value_stores
    calls: list[Callable[[], Any]] = [
        lambda: stores.create("feature.flags"),
        lambda: stores.describe("feature.flags"),
        lambda: stores.update("feature.flags", comment="c"),
        lambda: stores.delete("feature.flags"),
    ]
    for call in calls:
        with pytest.raises(cdnkit.RequestValidationError) as caught:
            await call()
        assert fields(caught.value) == ["name"]
    assert emulator.counters.total() == 0


def test_pydantic_error_for_a_store_name_with_a_dot_built_by_the_caller() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        cf.CreateKeyValueStoreRequest(name="feature.flags")
    assert fields(caught.value) == ["name"]


# -- more of the same kind ---------------------------------------------------------------------


async def test_request_validation_error_for_a_function_name_with_a_dot(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    with pytest.raises(cdnkit.RequestValidationError) as created:
        await cf_client.functions.create("my.router", code=CODE)
    assert fields(created.value) == ["name"]
    with pytest.raises(cdnkit.RequestValidationError):
        await cf_client.functions.update("my.router", comment="c")
    assert emulator.counters.total() == 0


def test_request_validation_error_for_a_distribution_comment_over_128() -> None:
    with pytest.raises(cdnkit.RequestValidationError) as caught:
        config(comment="x" * 129)
    assert fields(caught.value) == ["comment"]


def test_pydantic_error_for_a_distribution_comment_over_128_built_by_the_caller() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        cf.DistributionConfig(
            caller_reference="r",
            origins=config().origins,
            default_cache_behavior=config().default_cache_behavior,
            comment="x" * 129,
            enabled=True,
        )
    assert fields(caught.value) == ["comment"]
