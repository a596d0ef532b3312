"""The same CloudFront control-plane calls against moto's server and the emulator: same shapes.

moto (5.2) serves, for these families: CreateKeyValueStore, DescribeKeyValueStore,
ListKeyValueStores, UpdateKeyValueStore, DeleteKeyValueStore, CreateFunction,
DescribeFunction, GetFunction, ListFunctions, DeleteFunction. It lacks UpdateFunction (500,
"not implemented"), PublishFunction and TestFunction (404): those are covered by the
emulator's own tests only. Values differ by design (ids, ETags, PROVISIONING vs READY); only
keys and value types are compared.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from aiobotocore.config import AioConfig
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer
from types_aiobotocore_cloudfront import CloudFrontClient

from cdnkit.testing import Emulator

from .conftest import SESSION

CODE = b"function handler(event) { return event.request; }"
CONFIG: Any = {"Comment": "interop", "Runtime": "cloudfront-js-2.0"}


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
async def moto_cloudfront(moto_endpoint: str) -> AsyncIterator[CloudFrontClient]:
    async with SESSION.create_client(
        "cloudfront",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=AioConfig(retries={"total_max_attempts": 1}),
    ) as client:
        yield client


def shape_of(value: Any) -> Any:
    """Keys and value types, recursively; the first item stands for a list."""
    if isinstance(value, dict):
        return {key: shape_of(item) for key, item in value.items() if key != "ResponseMetadata"}
    if isinstance(value, list):
        return [shape_of(value[0])] if value else []
    if isinstance(value, datetime):
        return "timestamp"
    return type(value).__name__


Scenario = Callable[[CloudFrontClient, Callable[[], None]], Awaitable[list[tuple[str, Any]]]]


async def key_value_stores(
    client: CloudFrontClient, settle: Callable[[], None]
) -> list[tuple[str, Any]]:
    replies: list[tuple[str, Any]] = []
    created = await client.create_key_value_store(Name="interop-flags", Comment="flags")
    replies.append(("CreateKeyValueStore", created))
    settle()
    described = await client.describe_key_value_store(Name="interop-flags")
    replies.append(("DescribeKeyValueStore", described))
    replies.append(("ListKeyValueStores", await client.list_key_value_stores()))
    updated = await client.update_key_value_store(
        Name="interop-flags", Comment="flags v2", IfMatch=described["ETag"]
    )
    replies.append(("UpdateKeyValueStore", updated))
    deleted = await client.delete_key_value_store(Name="interop-flags", IfMatch=updated["ETag"])
    replies.append(("DeleteKeyValueStore", deleted))
    return replies


async def functions(client: CloudFrontClient, settle: Callable[[], None]) -> list[tuple[str, Any]]:
    replies: list[tuple[str, Any]] = []
    created = await client.create_function(
        Name="interop-router", FunctionConfig=CONFIG, FunctionCode=CODE
    )
    replies.append(("CreateFunction", created))
    described = await client.describe_function(Name="interop-router")
    replies.append(("DescribeFunction", described))
    code = await client.get_function(Name="interop-router")
    code["FunctionCode"] = await code["FunctionCode"].read()  # type: ignore[typeddict-item]  # stream read for comparison
    replies.append(("GetFunction", code))
    replies.append(("ListFunctions", await client.list_functions()))
    deleted = await client.delete_function(Name="interop-router", IfMatch=described["ETag"])
    replies.append(("DeleteFunction", deleted))
    return replies


@pytest.mark.parametrize("scenario", [key_value_stores, functions], ids=["kvs", "functions"])
async def test_moto_and_the_emulator_answer_with_the_same_shapes(
    moto_cloudfront: CloudFrontClient,
    emulator: Emulator,
    cloudfront: CloudFrontClient,
    scenario: Scenario,
) -> None:
    def settle_emulator() -> None:
        emulator.clock.advance(emulator.timing.key_value_store_provisioning + 1)

    from_moto = await scenario(moto_cloudfront, lambda: None)
    from_emulator = await scenario(cloudfront, settle_emulator)
    assert [name for name, _ in from_moto] == [name for name, _ in from_emulator]
    for (name, moto_reply), (_, emulator_reply) in zip(from_moto, from_emulator, strict=True):
        assert shape_of(emulator_reply) == shape_of(moto_reply), name
        status = emulator_reply["ResponseMetadata"]["HTTPStatusCode"]
        assert status == moto_reply["ResponseMetadata"]["HTTPStatusCode"], name


async def test_moto_lacks_update_publish_and_test_function(
    moto_cloudfront: CloudFrontClient,
) -> None:
    created = await moto_cloudfront.create_function(
        Name="interop-missing", FunctionConfig=CONFIG, FunctionCode=CODE
    )
    etag = created["ETag"]
    try:
        calls: list[Callable[[], Awaitable[Any]]] = [
            lambda: moto_cloudfront.update_function(
                Name="interop-missing", IfMatch=etag, FunctionConfig=CONFIG, FunctionCode=CODE
            ),
            lambda: moto_cloudfront.publish_function(Name="interop-missing", IfMatch=etag),
            lambda: moto_cloudfront.test_function(
                Name="interop-missing", IfMatch=etag, EventObject=b"{}"
            ),
        ]
        for call in calls:
            with pytest.raises(ClientError) as missing:
                await call()
            assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] in (404, 500)
    finally:
        await moto_cloudfront.delete_function(Name="interop-missing", IfMatch=etag)
