"""The emulator driven by the AWS SDK for JavaScript v3 (opt-in: needs node and npm packages).

The JS SDK has its own XML/JSON writers and readers, header handling, error parsing and
SigV4/SigV4A signers, so it catches wire differences that botocore-based clients (boto3,
aiobotocore, moto, the AWS CLI v1) tolerate. ``interop_js/interop.mjs`` runs the main intents of
the three services against an emulator started here and checks every reply as the JS SDK parses
it. Each difference it found has a node-free regression test in ``test_js_wire.py``.

Install once (nothing is downloaded by the default test run)::

    npm ci --prefix tests/emulator/interop_js
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import os
import shutil
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore import parsers
from botocore.awsrequest import HeadersDict

from cdnkit.testing import Emulator, Timing

HERE = Path(__file__).parent / "interop_js"
SCRIPT = HERE / "interop.mjs"
PACKAGES = (
    "@aws-sdk/client-lightsail",
    "@aws-sdk/client-cloudfront",
    "@aws-sdk/client-cloudfront-keyvaluestore",
    "@aws-sdk/signature-v4a",
)
INSTALL = "npm ci --prefix tests/emulator/interop_js"
#: Real seconds the whole script may take (it waits on emulated work of 0.05 s steps).
RUN_SECONDS = 240.0


def _missing() -> str | None:
    if shutil.which("node") is None:
        return f"node is not on PATH (install Node.js 18 or later, then run `{INSTALL}`)"
    absent = [name for name in PACKAGES if not (HERE / "node_modules" / name).is_dir()]
    if absent:
        return f"the AWS SDK for JavaScript is not installed ({', '.join(absent)}): run `{INSTALL}`"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


async def test_the_js_sdk_reads_every_reply_as_expected(tmp_path: Path) -> None:
    capture = tmp_path / "replies.jsonl"
    timing = Timing(
        lightsail_operation=0.05,
        lightsail_distribution_deploy=0.05,
        cloudfront_distribution_deploy=0.05,
        invalidation=0.05,
        key_value_store_provisioning=0.05,
    )
    async with Emulator(timing=timing) as emu:
        emu.lightsail.page_size = 2
        emu.lightsail.operations_page_size = 3
        emu.faults.throttle("lightsail", operation="GetDistributionBundles", count=2)
        emu.faults.server_error("cloudfront", operation="ListKeyValueStores", status=503)
        emu.faults.reset_connection("lightsail", operation="GetOperations")
        emu.faults.throttle("cloudfront", operation="ListContinuousDeploymentPolicies")
        emu.faults.throttle("kvs", operation="ListKeys")  # so three distributions take two pages
        node = shutil.which("node")
        assert node is not None
        env = {
            **os.environ,
            "CDNKIT_ENDPOINT": emu.client_endpoint_url,
            "CDNKIT_ACCESS_KEY_ID": emu.access_key_id,
            "CDNKIT_SECRET_ACCESS_KEY": emu.secret_access_key,
            "CDNKIT_JS_CAPTURE": str(capture),
            # No proxy: the script resolves the data plane's <account>.localhost host itself.
            "HTTP_PROXY": "",
            "http_proxy": "",
        }
        process = await asyncio.create_subprocess_exec(
            node,
            str(SCRIPT),
            cwd=HERE,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            output, _ = await asyncio.wait_for(process.communicate(), RUN_SECONDS)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    text = output.decode(errors="replace")
    failed = [line for line in text.splitlines() if line.startswith("FAIL")]
    assert not failed, text
    assert process.returncode == 0, text
    # Every intent ran: the checks of all three services were reached.
    for label in ("ok lightsail delete", "ok cloudfront promoted", "ok kvs ListKeys items"):
        assert any(line.startswith(label) for line in text.splitlines()), text

    # The same bytes read by botocore's parsers: both SDKs must agree on every reply.
    replies = [json.loads(line) for line in capture.read_text().splitlines() if line]
    assert len(replies) > 100
    differences = [found for reply in replies for found in _disagreements(reply)]
    assert not differences, "\n".join(differences)


_MODELS = {
    name: botocore.session.get_session().get_service_model(name)
    for name in ("lightsail", "cloudfront", "cloudfront-keyvaluestore")
}


def _disagreements(reply: dict[str, Any]) -> list[str]:
    """Where botocore reads a captured reply differently from the JS SDK."""
    model = _MODELS[reply["service"]]
    operation = model.operation_model(reply["operation"])
    raw = reply["raw"]
    response = {
        "status_code": raw["status"],
        "headers": HeadersDict(raw["headers"]),
        "body": base64.b64decode(raw["body"]),
    }
    parser = parsers.create_parser(model.metadata["protocol"])
    # An operation without output (the deletes) parses with no shape; the stubs omit None.
    parsed = parser.parse(response, operation.output_shape)  # type: ignore[arg-type]
    found: list[str] = []
    if "output" in reply:
        _compare(_comparable(parsed), reply["output"], reply["operation"], found)
        return found
    error = parsed.get("Error", {})
    if error.get("Code") != reply["error"]["name"]:
        found.append(f"{reply['operation']}: error {error.get('Code')} / {reply['error']['name']}")
    if error.get("Message") != reply["error"]["message"]:
        found.append(f"{reply['operation']}: message {error.get('Message')!r} / {reply['error']}")
    return found


def _comparable(value: Any) -> Any:
    """botocore's reading in the JSON form the script writes (dates in ms, bytes in base64)."""
    if isinstance(value, datetime.datetime):
        return {"$date": round(value.timestamp() * 1000)}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _compare(botocore_value: Any, js_value: Any, path: str, found: list[str]) -> None:
    if isinstance(botocore_value, dict) and isinstance(js_value, dict):
        for key in sorted(botocore_value.keys() | js_value.keys()):
            if key not in js_value or key not in botocore_value:
                found.append(
                    f"{path}.{key}: botocore {botocore_value.get(key)!r:.80} / js "
                    f"{js_value.get(key)!r:.80}"
                )
            else:
                _compare(botocore_value[key], js_value[key], f"{path}.{key}", found)
    elif isinstance(botocore_value, list) and isinstance(js_value, list):
        if len(botocore_value) != len(js_value):
            found.append(f"{path}: {len(botocore_value)} items / {len(js_value)}")
        for index, (left, right) in enumerate(zip(botocore_value, js_value, strict=False)):
            _compare(left, right, f"{path}[{index}]", found)
    elif isinstance(botocore_value, str) and isinstance(js_value, dict) and "$bytes" in js_value:
        # botocore decodes a blob payload (GetFunction's FunctionCode) to str.
        if base64.b64decode(js_value["$bytes"]).decode() != botocore_value:
            found.append(f"{path}: blob payloads differ")
    elif botocore_value != js_value:
        found.append(f"{path}: botocore {botocore_value!r:.80} / js {js_value!r:.80}")
