"""Functions tested on their real behaviour (the emulator runs the code): typed events and
results, ``expect=``, a diff against a stage, and a publish gated on the code."""

from __future__ import annotations

from typing import Any

import pytest

import cdnkit
from cdnkit.resources.cloudfront import (
    FunctionCodeMismatchError,
    FunctionOutputMismatchError,
    ViewerRequestEvent,
    ViewerResponseEvent,
)
from cdnkit.testing import Emulator

from .conftest import CODE, before_call

BANNER = """\
import cf from 'cloudfront';
const kvsHandle = cf.kvs();
async function handler(event) {
    const response = event.response;
    const banner = await kvsHandle.get('banner');
    response.headers['x-banner'] = { value: banner };
    console.log('banner is ' + banner);
    return response;
}
"""
THROWS = """\
function handler(event) {
    console.log('about to fail');
    throw new Error('no route for ' + event.request.uri);
}
"""
ROUTER = """\
function handler(event) {
    var request = event.request;
    if (request.uri === '/') {
        request.uri = '/index.html';
    }
    return request;
}
"""


def count(emulator: Emulator, operation: str) -> int:
    return emulator.counters.count("cloudfront", operation)


def test_the_builders_make_cloudfronts_event_structure() -> None:
    request = ViewerRequestEvent(
        method="POST",
        uri="/cart",
        headers={"Host": "www.example.com", "Accept": ["text/html", "*/*"]},
        cookies={"session": "abc"},
        querystring="a=1&b=2&b=3",
    )
    assert request.to_event() == {
        "version": "1.0",
        "context": {"eventType": "viewer-request"},
        "viewer": {"ip": "198.51.100.7"},
        "request": {
            "method": "POST",
            "uri": "/cart",
            "querystring": {
                "a": {"value": "1"},
                "b": {"value": "2", "multiValue": [{"value": "2"}, {"value": "3"}]},
            },
            "headers": {
                "host": {"value": "www.example.com"},
                "accept": {
                    "value": "text/html",
                    "multiValue": [{"value": "text/html"}, {"value": "*/*"}],
                },
            },
            "cookies": {"session": {"value": "abc"}},
        },
    }
    response = ViewerResponseEvent(uri="/", status_code=404, response_headers={"X-A": "1"})
    event = response.to_event()
    assert event["context"] == {"eventType": "viewer-response"}
    assert event["response"] == {
        "statusCode": 404,
        "statusDescription": "Not Found",
        "headers": {"x-a": {"value": "1"}},
        "cookies": {},
    }


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"method": "get"}, "method"),
        ({"uri": "index.html"}, "uri"),
        ({"uri": "/a?b=1"}, "uri"),
        ({"headers": {"Host": "a", "host": "b"}}, "headers"),
        ({"cookies": {"a": 1}}, "cookies"),
        ({"querystring": {"a": []}}, "querystring"),
        ({"status_code": 99}, "status_code"),
    ],
)
def test_bad_events_are_refused_naming_the_field(options: dict[str, Any], field: str) -> None:
    with pytest.raises(cdnkit.InvalidRequestError, match=rf"^{field}"):
        ViewerResponseEvent(**options)


async def test_a_header_from_the_store_changes_with_the_key(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    store = await cf_client.key_value_stores.create("flags", data={"banner": "spring sale"})
    await cf_client.functions.create(
        "banner", code=BANNER, key_value_store_arns=[store.key_value_store.arn]
    )
    event = ViewerResponseEvent(uri="/", response_headers={"content-type": "text/html"})

    run = await cf_client.functions.test("banner", event)

    assert run.error is None
    assert run.output_kind == "response"
    assert run.output is not None
    assert run.output["headers"]["x-banner"] == {"value": "spring sale"}
    assert run.output["headers"]["content-type"] == {"value": "text/html"}
    assert run.logs == ("banner is spring sale",)
    assert 0 < run.utilization <= 100
    assert run.raw.function_output is not None

    await cf_client.key_value_stores.keys("flags").put("banner", "summer sale")
    changed = await cf_client.functions.test(
        "banner", event, expect={"headers": {"x-banner": {"value": "summer sale"}}}
    )
    assert changed.output is not None
    assert changed.output["headers"]["x-banner"] == {"value": "summer sale"}


async def test_a_function_that_throws_reports_its_error(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    await cf_client.functions.create("broken", code=THROWS)

    run = await cf_client.functions.test("broken", ViewerRequestEvent(uri="/nowhere"))

    assert run.output is None
    assert run.error is not None
    assert "Error: no route for /nowhere" in run.error
    assert run.logs == ("about to fail",)
    with pytest.raises(FunctionOutputMismatchError, match="the function failed"):
        await cf_client.functions.test("broken", ViewerRequestEvent(), expect={"uri": "/"})
    # The service failing to run the test at all is still an API error.
    emulator.cloudfront.fail_function_tests(1)
    with pytest.raises(cdnkit.FunctionTestFailedError):
        await cf_client.functions.test("broken", ViewerRequestEvent())


async def test_an_expect_mismatch_fails_with_a_diff(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    await cf_client.functions.create("router", code=ROUTER)
    event = ViewerRequestEvent(uri="/", headers={"host": "www.example.com"})
    passed = await cf_client.functions.test(
        "router",
        event,
        expect={"uri": "/index.html", "headers": {"host": {"value": "www.example.com"}}},
    )
    assert passed.output is not None

    with pytest.raises(FunctionOutputMismatchError) as caught:
        await cf_client.functions.test(
            "router", event, expect={"uri": "/home.html", "method": "GET", "querystring": {"a": {}}}
        )

    message = str(caught.value)
    assert isinstance(caught.value, AssertionError)
    assert isinstance(caught.value, cdnkit.CdnKitError)
    assert 'uri: expected "/home.html", got "/index.html"' in message
    assert "querystring.a: missing" in message
    assert "method" not in message.split("\n\n")[0]  # equal keys are not listed
    assert '-  "uri": "/home.html"' in message
    assert '+  "uri": "/index.html"' in message
    assert caught.value.result.output == passed.output


async def test_bad_test_input_sends_nothing(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    await cf_client.functions.create("router", code=ROUTER)
    emulator.counters.reset()
    not_an_event: Any = 42
    not_a_mapping: Any = ["uri"]
    with pytest.raises(cdnkit.InvalidRequestError, match=r"(?m)^  event\b"):
        await cf_client.functions.test("router", not_an_event)
    with pytest.raises(cdnkit.InvalidRequestError, match=r"(?m)^  expect\b"):
        await cf_client.functions.test("router", ViewerRequestEvent(), expect=not_a_mapping)
    assert emulator.counters.count("cloudfront") == 0


async def test_diff_against_live(emulator: Emulator, cf_client: cdnkit.CloudFront) -> None:
    await cf_client.functions.create("router", code=ROUTER)
    await cf_client.functions.publish("router")

    assert await cf_client.functions.diff("router", ROUTER) == ""
    changed = ROUTER.replace("/index.html", "/home.html")
    diff = await cf_client.functions.diff("router", changed)

    assert diff.startswith("--- router (LIVE)\n+++ local\n")
    assert "-        request.uri = '/index.html';\n" in diff
    assert "+        request.uri = '/home.html';\n" in diff
    await cf_client.functions.update("router", code=changed)
    assert await cf_client.functions.diff("router", changed, stage="DEVELOPMENT") == ""
    assert await cf_client.functions.diff("router", changed) != ""  # LIVE is still v1


async def test_the_publish_gate_refuses_and_publishes_nothing(
    emulator: Emulator, cf_client: cdnkit.CloudFront, other_client: cdnkit.CloudFront
) -> None:
    await cf_client.functions.create("router", code=ROUTER)
    await cf_client.functions.publish("router", expect_code=ROUTER)
    assert await cf_client.functions.get_code("router", stage="LIVE") == ROUTER.encode()
    # Another writer changes DEVELOPMENT behind this client's back.
    await other_client.functions.update("router", code=CODE)
    live_before = (await cf_client.functions.describe("router", stage="LIVE")).etag
    emulator.counters.reset()

    with pytest.raises(FunctionCodeMismatchError) as caught:
        await cf_client.functions.publish("router", expect_code=ROUTER)

    assert "nothing published" in str(caught.value)
    assert "+++ expect_code" in str(caught.value)
    assert count(emulator, "PublishFunction") == 0
    assert (await cf_client.functions.describe("router", stage="LIVE")).etag == live_before
    assert await cf_client.functions.get_code("router", stage="LIVE") == ROUTER.encode()

    await cf_client.functions.publish("router", expect_code=CODE.encode())
    assert await cf_client.functions.get_code("router", stage="LIVE") == CODE.encode()
    with pytest.raises(cdnkit.InvalidRequestError, match=r"^expect_code"):
        await cf_client.functions.publish("router", expect_code=CODE, if_match="E1")


async def test_the_gate_checks_again_when_development_changes_before_the_publish(
    emulator: Emulator, cf_client: cdnkit.CloudFront, other_client: cdnkit.CloudFront
) -> None:
    await cf_client.functions.create("router", code=ROUTER)
    changed = False

    def before_publish(_: dict[str, Any]) -> None:
        nonlocal changed
        if not changed:
            changed = True
            assert emulator.out_of_band_write("cloudfront", "router")

    before_call(cf_client, "PublishFunction", before_publish)
    await cf_client.functions.publish("router", expect_code=ROUTER)

    # The first publish was stale (the ETag of the checked read); the retry read and checked
    # the code again, then published it.
    assert count(emulator, "PublishFunction") == 2
    assert count(emulator, "GetFunction") == 2
    assert await cf_client.functions.get_code("router", stage="LIVE") == ROUTER.encode()


async def test_a_gated_publish_whose_answer_is_lost_publishes_once(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    await cf_client.functions.create("router", code=ROUTER)
    emulator.faults.reset_after_processing("cloudfront", operation="PublishFunction")

    published = await cf_client.functions.publish("router", expect_code=ROUTER)

    assert published.function_summary.function_metadata.stage == "LIVE"
    assert count(emulator, "PublishFunction") == 1  # LIVE already held it: no resend
    assert await cf_client.functions.get_code("router", stage="LIVE") == ROUTER.encode()
