"""What a new process loads to open a client and make its first call (issue 9's cold start and
peak RSS): structural checks in new processes, no timing."""

from __future__ import annotations

import asyncio
import json
import sys

from aiobotocore.session import AioSession

import cdnkit
from cdnkit.testing import Emulator

#: Model classes the Lightsail ``distributions.bundles()`` program creates: its request and
#: result and DistributionBundle (3 today); the service has over 400.
MAX_MODELS_FOR_BUNDLES = 6

PROGRAM = """
import asyncio, json, sys
import cdnkit
from cdnkit._models import CdnKitModel

ENDPOINT, REGION, KEY, SECRET, SERVICE, DISTRIBUTION = sys.argv[1:7]


def models():
    found, todo = set(), [CdnKitModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return sorted(c.__qualname__ for c in found if c.__module__.startswith("cdnkit."))


def modules(prefix):
    return sorted(m for m in sys.modules if m == prefix or m.startswith(prefix + "."))


async def main():
    seen = {}
    options = dict(endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id=KEY,
                   aws_secret_access_key=SECRET)
    if SERVICE == "lightsail":
        async with cdnkit.Lightsail(**options) as kit:
            seen["opened"] = modules("tenacity")
            seen["result"] = len(await kit.distributions.bundles())
    else:
        async with cdnkit.CloudFront(**options) as cf:
            seen["opened"] = modules("tenacity")
            seen["result"] = (await cf.distributions.get_config(DISTRIBUTION)).etag
    seen["tenacity"] = modules("tenacity")
    seen["resources"] = modules("cdnkit.resources")
    seen["api"] = modules("cdnkit._api")
    seen["models"] = models()
    print(json.dumps(seen))


asyncio.run(main())
"""


async def _run(emu: Emulator, service: str, distribution: str = "-") -> dict[str, object]:
    arguments = [emu.client_endpoint_url, emu.region, emu.access_key_id, emu.secret_access_key]
    # Asynchronously: the emulator answers from this process's event loop.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        PROGRAM,
        *arguments,
        service,
        distribution,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(120):
        shown, errors = await process.communicate()
    assert process.returncode == 0, errors.decode()[-2000:]
    seen: dict[str, object] = json.loads(shown)
    return seen


async def test_a_lightsail_first_call_loads_no_retry_machinery_and_few_models(
    cdnkit_emulator: Emulator,
) -> None:
    seen = await _run(cdnkit_emulator, "lightsail")
    assert isinstance(seen["result"], int)
    assert seen["result"] > 0
    # tenacity is the retry path's: a call that succeeds at once never imports it.
    assert seen["opened"] == seen["tenacity"] == []
    # Only the Lightsail resources the program touched, and no generated operations.
    assert seen["resources"] == [
        "cdnkit.resources",
        "cdnkit.resources._base",
        "cdnkit.resources.lightsail",
        "cdnkit.resources.lightsail.distributions",
        "cdnkit.resources.lightsail.operations",
    ]
    assert seen["api"] == []
    models = seen["models"]
    assert isinstance(models, list)
    assert {"GetDistributionBundlesRequest", "GetDistributionBundlesResult"} <= set(models)
    assert len(models) <= MAX_MODELS_FOR_BUNDLES, models


async def test_a_cloudfront_get_config_loads_only_the_distributions_resource(
    cdnkit_emulator: Emulator, cdnkit_cloudfront: cdnkit.CloudFront
) -> None:
    from cdnkit.resources.cloudfront import distribution_config
    from cdnkit.types import cloudfront as cf

    created = await cdnkit_cloudfront.distributions.create(
        distribution_config(
            origins=[cf.Origin(id="web", domain_name="www.example.com")],
            default_cache_behavior=cf.DefaultCacheBehavior(
                target_origin_id="web", viewer_protocol_policy="allow-all"
            ),
        )
    )
    seen = await _run(cdnkit_emulator, "cloudfront", created.distribution.id)
    assert seen["result"] == created.etag
    assert seen["opened"] == seen["tenacity"] == []
    # Not the Functions, KeyValueStore, continuous deployment or rollout code.
    assert seen["resources"] == [
        "cdnkit.resources",
        "cdnkit.resources._base",
        "cdnkit.resources.cloudfront",
        "cdnkit.resources.cloudfront._continuous_deployment_checks",
        "cdnkit.resources.cloudfront._reconcile",
        "cdnkit.resources.cloudfront.distributions",
    ]
    assert seen["api"] == []


async def test_clients_without_a_session_share_botocore_data_but_not_a_users_session() -> None:
    """botocore's endpoints and service models (MBs of JSON) are read once per process."""
    kit = cdnkit.Lightsail(aws_access_key_id="AKID", aws_secret_access_key="secret")
    cf = cdnkit.CloudFront(aws_access_key_id="AKID", aws_secret_access_key="secret")
    # Each client has its own session (credentials, config), with one shared data loader.
    assert kit._core.session is not None
    assert cf._core.session is not None
    assert kit._core.session is not cf._core.session
    shared = kit._core.session.get_component("data_loader")
    assert cf._core.session.get_component("data_loader") is shared
    # A session given by the caller is used as it is: its loader stays its own.
    mine = AioSession()
    given = cdnkit.Lightsail(session=mine)
    assert given._core.session is mine
    assert mine.get_component("data_loader") is not shared
