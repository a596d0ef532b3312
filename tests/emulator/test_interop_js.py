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
import os
import shutil
from pathlib import Path

import pytest

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


async def test_the_js_sdk_reads_every_reply_as_expected() -> None:
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
    assert process.returncode == 0 and not failed, text
    # Every intent ran: the checks of all three services were reached.
    for label in ("ok lightsail delete", "ok cloudfront promoted", "ok kvs ListKeys items"):
        assert any(line.startswith(label) for line in text.splitlines()), text
