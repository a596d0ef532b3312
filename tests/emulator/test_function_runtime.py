"""TestFunction runs the function's code (QuickJS), through a raw aiobotocore client."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest
from types_aiobotocore_cloudfront import CloudFrontClient
from types_aiobotocore_cloudfront.literals import FunctionRuntimeType
from types_aiobotocore_cloudfront.type_defs import FunctionConfigTypeDef
from types_aiobotocore_cloudfront.type_defs import TestResultTypeDef as ResultTypeDef
from types_aiobotocore_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient

from cdnkit.testing import KeyValueStoreData
from cdnkit.testing._cloudfront import _runtime

VIEWER_REQUEST: dict[str, Any] = {
    "version": "1.0",
    "context": {"eventType": "viewer-request"},
    "viewer": {"ip": "198.51.100.7"},
    "request": {
        "method": "GET",
        "uri": "/docs/",
        "querystring": {},
        "headers": {"host": {"value": "www.example.com"}},
        "cookies": {},
    },
}
VIEWER_RESPONSE: dict[str, Any] = {
    "version": "1.0",
    "context": {"eventType": "viewer-response"},
    "viewer": {"ip": "198.51.100.7"},
    "request": {"method": "GET", "uri": "/", "querystring": {}, "headers": {}, "cookies": {}},
    "response": {
        "statusCode": 200,
        "statusDescription": "OK",
        "headers": {"content-type": {"value": "text/html"}},
        "cookies": {},
    },
}
ERROR_PREFIX = "The CloudFront function associated with the CloudFront distribution"

BANNER_FROM_KVS = """\
import cf from 'cloudfront';

const kvsHandle = cf.kvs();

async function handler(event) {
    const response = event.response;
    const banner = await kvsHandle.get('banner', { format: 'string' });
    response.headers['x-banner'] = { value: banner };
    return response;
}
"""


def config(
    runtime: FunctionRuntimeType = "cloudfront-js-2.0", store_arn: str | None = None
) -> FunctionConfigTypeDef:
    function_config: FunctionConfigTypeDef = {"Comment": "runtime test", "Runtime": runtime}
    if store_arn is not None:
        function_config["KeyValueStoreAssociations"] = {
            "Quantity": 1,
            "Items": [{"KeyValueStoreARN": store_arn}],
        }
    return function_config


async def create(
    cloudfront: CloudFrontClient,
    code: str,
    *,
    runtime: FunctionRuntimeType = "cloudfront-js-2.0",
    store_arn: str | None = None,
    name: str = "router",
) -> str:
    """Create the function; returns its DEVELOPMENT ETag."""
    created = await cloudfront.create_function(
        Name=name, FunctionConfig=config(runtime, store_arn), FunctionCode=code.encode()
    )
    return created["ETag"]


async def invoke(
    cloudfront: CloudFrontClient, etag: str, event: dict[str, Any], name: str = "router"
) -> ResultTypeDef:
    answer = await cloudfront.test_function(
        Name=name, IfMatch=etag, EventObject=json.dumps(event).encode()
    )
    return answer["TestResult"]


async def run(
    cloudfront: CloudFrontClient,
    code: str,
    event: dict[str, Any] = VIEWER_REQUEST,
    **options: Any,
) -> ResultTypeDef:
    name = options.get("name", "router")
    return await invoke(cloudfront, await create(cloudfront, code, **options), event, name)


def output_of(result: ResultTypeDef) -> Any:
    assert "FunctionErrorMessage" not in result, result.get("FunctionErrorMessage")
    return json.loads(result["FunctionOutput"])


def error_of(result: ResultTypeDef) -> str:
    assert "FunctionOutput" not in result
    message = result["FunctionErrorMessage"]
    assert message.startswith(ERROR_PREFIX)
    return message


async def put_key(
    kvs: CloudFrontKeyValueStoreClient, store: KeyValueStoreData, key: str, value: str
) -> None:
    etag = (await kvs.describe_key_value_store(KvsARN=store.arn))["ETag"]
    await kvs.put_key(KvsARN=store.arn, Key=key, Value=value, IfMatch=etag)


# Output ---------------------------------------------------------------------------------------


async def test_a_header_from_the_key_value_store_follows_the_key(
    cloudfront: CloudFrontClient, kvs: CloudFrontKeyValueStoreClient, store: KeyValueStoreData
) -> None:
    etag = await create(cloudfront, BANNER_FROM_KVS, store_arn=store.arn)
    await put_key(kvs, store, "banner", "spring sale")

    first = output_of(await invoke(cloudfront, etag, VIEWER_RESPONSE))
    assert first["response"]["headers"]["x-banner"] == {"value": "spring sale"}
    assert first["response"]["headers"]["content-type"] == {"value": "text/html"}
    assert first["response"]["statusCode"] == 200

    await put_key(kvs, store, "banner", "summer sale")  # through the data plane
    second = output_of(await invoke(cloudfront, etag, VIEWER_RESPONSE))
    assert second["response"]["headers"]["x-banner"] == {"value": "summer sale"}

    store.items["banner"] = "closed"  # through the shared state
    third = output_of(await invoke(cloudfront, etag, VIEWER_RESPONSE))
    assert third["response"]["headers"]["x-banner"] == {"value": "closed"}


async def test_key_value_store_formats_exists_meta_and_a_missing_key(
    cloudfront: CloudFrontClient, store: KeyValueStoreData
) -> None:
    store.items.update({"limits": '{"rps": 5}', "word": "h\u00e9"})
    code = """\
import cf from 'cloudfront';
const byId = cf.kvs('STORE_ID');
async function handler(event) {
    const kvsHandle = cf.kvs();
    const limits = await kvsHandle.get('limits', { format: 'json' });
    const bytes = await byId.get('word', { format: 'bytes' });
    const meta = await kvsHandle.meta();
    let missing;
    try {
        await kvsHandle.get('nope');
        missing = 'resolved';
    } catch (error) {
        missing = 'rejected';
    }
    const request = event.request;
    request.headers['x-kvs'] = { value: [limits.rps, bytes.length, await kvsHandle.exists('word'),
        await kvsHandle.exists('nope'), meta.keyCount, missing].join(',') };
    return request;
}
""".replace("STORE_ID", store.id)
    result = await run(cloudfront, code, store_arn=store.arn)
    # "hé" is 3 UTF-8 bytes; two keys in the store.
    assert output_of(result)["request"]["headers"]["x-kvs"] == {
        "value": "5,3,true,false,2,rejected"
    }


async def test_get_of_a_missing_key_rejects(
    cloudfront: CloudFrontClient, store: KeyValueStoreData
) -> None:
    result = await run(cloudfront, BANNER_FROM_KVS, VIEWER_RESPONSE, store_arn=store.arn)
    assert "banner" in error_of(result)


async def test_a_viewer_request_function_that_redirects(cloudfront: CloudFrontClient) -> None:
    code = """\
function handler(event) {
    var host = event.request.headers.host.value;
    return {
        statusCode: 302,
        statusDescription: 'Found',
        headers: { location: { value: 'https://' + host + '/new' + event.request.uri } }
    };
}
"""
    result = await run(cloudfront, code)
    assert output_of(result) == {
        "response": {
            "statusCode": 302,
            "statusDescription": "Found",
            "headers": {"location": {"value": "https://www.example.com/new/docs/"}},
        }
    }
    assert result["FunctionExecutionLogs"] == []
    assert 1 <= int(result["ComputeUtilization"]) <= 100


async def test_a_viewer_request_function_that_rewrites_the_uri(
    cloudfront: CloudFrontClient,
) -> None:
    code = """\
function handler(event) {
    var request = event.request;
    if (request.uri.endsWith('/')) {
        request.uri += 'index.html';
    }
    return request;
}
"""
    result = await run(cloudfront, code)
    expected = {**VIEWER_REQUEST["request"], "uri": "/docs/index.html"}
    assert output_of(result) == {"request": expected}


async def test_console_log_lines_are_the_execution_logs(cloudfront: CloudFrontClient) -> None:
    code = """\
function handler(event) {
    console.log('uri', event.request.uri);
    console.log({ method: event.request.method }, 42, true);
    return event.request;
}
"""
    result = await run(cloudfront, code)
    assert result["FunctionExecutionLogs"] == ["uri /docs/", '{"method":"GET"} 42 true']
    assert output_of(result) == {"request": VIEWER_REQUEST["request"]}


# Errors and limits --------------------------------------------------------------------------


async def test_a_thrown_error_is_the_error_message(cloudfront: CloudFrontClient) -> None:
    code = """\
function handler(event) {
    console.log('before');
    throw new TypeError('no such tenant');
}
"""
    result = await run(cloudfront, code)
    assert error_of(result).endswith("TypeError: no such tenant")
    assert result["FunctionExecutionLogs"] == ["before"]


async def test_a_syntax_error_is_reported_with_its_line(cloudfront: CloudFrontClient) -> None:
    result = await run(cloudfront, "function handler(event) {\n    return event.request\n")
    message = error_of(result)
    assert "SyntaxError" in message
    assert "(line 3," in message


async def test_code_without_a_handler_is_reported(cloudfront: CloudFrontClient) -> None:
    result = await run(cloudfront, "function main(event) { return event.request; }")
    assert "ReferenceError: handler is not defined" in error_of(result)


async def test_an_endless_loop_is_stopped_by_the_time_limit(cloudfront: CloudFrontClient) -> None:
    code = """\
function handler(event) {
    console.log('looping');
    while (true) {}
}
"""
    etag = await create(cloudfront, code)
    started = time.monotonic()
    result = await invoke(cloudfront, etag, VIEWER_REQUEST)
    assert time.monotonic() - started < 10
    assert "maximum allowed execution time" in error_of(result)
    assert result["FunctionExecutionLogs"] == ["looping"]
    assert result["ComputeUtilization"] == "100"


async def test_an_endless_promise_chain_is_stopped_too(cloudfront: CloudFrontClient) -> None:
    code = """\
async function handler(event) {
    while (true) {
        await null;
    }
}
"""
    started = time.monotonic()
    result = await run(cloudfront, code)
    assert time.monotonic() - started < 10
    assert "maximum allowed execution time" in error_of(result)


async def test_the_memory_limit_is_enforced(cloudfront: CloudFrontClient) -> None:
    code = """\
function handler(event) {
    var chunks = [];
    while (true) {
        chunks.push(new Array(1024).fill(chunks.length));
    }
}
"""
    assert "maximum allowed memory" in error_of(await run(cloudfront, code))


# Runtimes --------------------------------------------------------------------------------------


async def test_cloudfront_js_1_0_code_runs(cloudfront: CloudFrontClient) -> None:
    code = """\
function handler(event) {
    var request = event.request;
    var parts = request.uri.split('/');
    request.headers['x-depth'] = { value: String(parts.length - 2) };
    return request;
}
"""
    result = await run(cloudfront, code, runtime="cloudfront-js-1.0")
    assert output_of(result)["request"]["headers"]["x-depth"] == {"value": "1"}


async def test_cloudfront_js_1_0_has_no_cloudfront_module(cloudfront: CloudFrontClient) -> None:
    code = "import cf from 'cloudfront';\nfunction handler(event) { return event.request; }\n"
    message = error_of(await run(cloudfront, code, runtime="cloudfront-js-1.0"))
    assert "SyntaxError" in message
    assert "cloudfront-js-2.0" in message
    # The same code runs under 2.0.
    result = await run(cloudfront, code, runtime="cloudfront-js-2.0", name="router-2")
    assert output_of(result) == {"request": VIEWER_REQUEST["request"]}


async def test_modules_the_emulator_lacks_are_named(cloudfront: CloudFrontClient) -> None:
    code = "import crypto from 'crypto';\nfunction handler(event) { return event.request; }\n"
    assert "module 'crypto'" in error_of(await run(cloudfront, code))


# Without the engine -----------------------------------------------------------------------------


@pytest.fixture
def no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runtime as it is where the engine is not installed: its import fails."""
    monkeypatch.setattr(_runtime.SETTINGS, "engine_module", "cdnkit_tests_no_such_engine")
    monkeypatch.setattr(_runtime, "_warned_missing", set())


@pytest.mark.usefixtures("no_engine")
async def test_without_the_engine_the_event_is_echoed_and_says_so(
    cloudfront: CloudFrontClient, caplog: pytest.LogCaptureFixture
) -> None:
    code = "function handler(event) { event.request.uri = '/changed'; return event.request; }"
    etag = await create(cloudfront, code)
    with caplog.at_level(logging.WARNING, logger="cdnkit.testing"):
        first = await invoke(cloudfront, etag, VIEWER_REQUEST)
        second = await invoke(cloudfront, etag, VIEWER_RESPONSE)
    assert output_of(first) == {"request": VIEWER_REQUEST["request"]}
    assert output_of(second) == {"response": VIEWER_RESPONSE["response"]}
    assert first["FunctionExecutionLogs"] == [_runtime.NO_ENGINE_LOG]
    assert "not installed" in _runtime.NO_ENGINE_LOG
    warnings = [r for r in caplog.records if "not installed" in r.getMessage()]
    assert len(warnings) == 1  # once, not per call
    assert not _runtime.engine_available()
