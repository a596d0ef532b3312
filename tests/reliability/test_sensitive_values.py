"""Sensitive values (KeyValueStore values, function code: members botocore marks sensitive)
never show in a RequestValidationError's str(), repr() or errors(), nor in any log line.

Each case raises for a reason that involves the secret's model, through the public API (a
resource method, a model constructor, or ``call`` with a model made with ``model_construct``);
logs are captured at DEBUG from every logger.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Final

import pytest

import cdnkit
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf
from cdnkit.types import cloudfront_keyvaluestore as kvs

from .conftest import cf_client

SECRET: Final = "S3CR3T-do-not-log-7f9a"
ARN: Final = "arn:aws:cloudfront::123456789012:key-value-store/" + "0" * 36
BIG_VALUE: Final = SECRET * 60  # over a KVS value's 1,024 bytes
BIG_CODE: Final = SECRET * 500  # over a function's 10 KB


def shown(error: BaseException, caplog: pytest.LogCaptureFixture) -> list[str]:
    """Where the secret shows: in the message, the repr, the structured errors or the logs."""
    places = {"str": str(error), "repr": repr(error), "logs": caplog.text}
    details = getattr(error, "errors", None)
    if callable(details):
        places["errors()"] = json.dumps(details(), default=repr)
    return sorted(where for where, text in places.items() if SECRET in text)


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[cdnkit.CloudFront]:
    async with cf_client(emulator) as opened:
        await opened.key_value_stores.create("flags", wait=True)
        await opened.functions.create("router", code="function handler(e) { return e.request; }")
        emulator.counters.reset()
        yield opened


CALLS: dict[str, Callable[[cdnkit.CloudFront], Awaitable[object]]] = {
    "keys.put value": lambda c: c.key_value_stores.keys("flags").put("k", BIG_VALUE),
    "keys.update puts": lambda c: c.key_value_stores.keys("flags").update(puts={"k": BIG_VALUE}),
    "keys.sync desired": lambda c: c.key_value_stores.keys("flags").sync({"k": BIG_VALUE}),
    "functions.create code": lambda c: c.functions.create("other", code=BIG_CODE),
    "functions.update code": lambda c: c.functions.update("router", code=BIG_CODE),
    "functions.update code and bad comment": lambda c: c.functions.update(
        "router",
        code=SECRET,
        comment=5,  # type: ignore[arg-type]
    ),
}


@pytest.mark.parametrize("call", sorted(CALLS))
async def test_a_resource_method_refusing_a_sensitive_value_never_shows_it(
    emulator: Emulator,
    client: cdnkit.CloudFront,
    caplog: pytest.LogCaptureFixture,
    call: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(cdnkit.RequestValidationError) as caught:
        await CALLS[call](client)
    assert shown(caught.value, caplog) == []
    assert emulator.counters.total() == 0
    # The errors still say where the problem is.
    assert caught.value.errors()


def valid_function_config() -> cf.FunctionConfig:
    return cf.FunctionConfig(comment="", runtime="cloudfront-js-2.0")


CONSTRUCTORS_HIDING: dict[str, Callable[[], object]] = {
    "oversize value": lambda: kvs.PutKeyRequest(
        kvs_arn=ARN, key="k", value=BIG_VALUE, if_match="e"
    ),
    "value of a wrong type": lambda: kvs.PutKeyRequest(
        kvs_arn=ARN,
        key="k",
        value=SECRET.encode(),  # type: ignore[arg-type]
        if_match="e",
    ),
    "oversize value in a batch": lambda: kvs.UpdateKeysRequest(
        kvs_arn=ARN, if_match="e", puts=[kvs.PutKeyRequestListItem(key="k", value=BIG_VALUE)]
    ),
    "oversize code": lambda: cf.CreateFunctionRequest(
        name="f", function_config=valid_function_config(), function_code=BIG_CODE.encode()
    ),
    "code of a wrong type": lambda: cf.CreateFunctionRequest(
        name="f",
        function_config=valid_function_config(),
        function_code=SECRET,  # type: ignore[arg-type]
    ),
}

ERRORS_ABOUT_THE_WHOLE_MODEL: Final = (
    "RequestValidationError hides an input only when the error's location is at or inside a "
    "sensitive member (_is_sensitive in cdnkit/_exceptions.py); an error located at the model "
    "that holds one (an unknown member, a missing member, a batch item of the wrong type) "
    "carries the whole input dict, sensitive value included, into str() and errors()"
)

CONSTRUCTORS_LEAKING: dict[str, Callable[[], object]] = {
    "an unknown member beside a value": lambda: kvs.PutKeyRequest(
        kvs_arn=ARN,
        key="k",
        value=SECRET,
        if_match="e",
        bogus=1,  # type: ignore[call-arg]
    ),
    "a missing member beside a value": lambda: kvs.PutKeyRequest(  # type: ignore[call-arg]
        key="k", value=SECRET, if_match="e"
    ),
    "an unknown member beside code": lambda: cf.CreateFunctionRequest(
        name="f",
        function_config=valid_function_config(),
        function_code=SECRET.encode(),
        bogus=1,  # type: ignore[call-arg]
    ),
    "a batch item with an unknown member": lambda: kvs.UpdateKeysRequest(
        kvs_arn=ARN,
        if_match="e",
        puts=[{"Key": "k", "Value": SECRET, "Bogus": 1}],  # type: ignore[list-item]
    ),
}


@pytest.mark.parametrize(
    "case",
    [
        *sorted(CONSTRUCTORS_HIDING),
        *sorted(CONSTRUCTORS_LEAKING),
    ],
)
def test_a_model_refusing_input_never_shows_its_sensitive_values(
    caplog: pytest.LogCaptureFixture, case: str
) -> None:
    caplog.set_level(logging.DEBUG)
    make = {**CONSTRUCTORS_HIDING, **CONSTRUCTORS_LEAKING}[case]
    with pytest.raises(cdnkit.RequestValidationError) as caught:
        make()
    assert shown(caught.value, caplog) == []


def function_request_without_a_name() -> Any:
    values: dict[str, Any] = {
        "function_config": valid_function_config(),
        "function_code": SECRET.encode(),
    }
    return cf.CreateFunctionRequest.model_construct(**values)


def function_request_with_code_assigned() -> Any:
    request = cf.CreateFunctionRequest(
        name="f", function_config=valid_function_config(), function_code=b"ok"
    )
    request.function_code = BIG_CODE.encode()
    return request


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(function_request_with_code_assigned, id="code assigned after construction"),
        pytest.param(function_request_without_a_name, id="model_construct without a name"),
    ],
)
async def test_a_request_checked_before_sending_never_shows_its_sensitive_values(
    emulator: Emulator,
    client: cdnkit.CloudFront,
    caplog: pytest.LogCaptureFixture,
    make: Callable[[], Any],
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(cdnkit.RequestValidationError) as caught:
        await client.call(make(), cf.CreateFunctionResult)
    assert shown(caught.value, caplog) == []
    assert emulator.counters.total() == 0
