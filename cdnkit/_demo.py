"""``python -m cdnkit demo``: the SDK's main intents, run against the embedded emulator.

Every step is one ``await`` of the public API; the emulator stands in for AWS, with operations
and deployments that take a moment, so waiting is real. Nothing leaves the machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import cdnkit
from cdnkit.resources.cloudfront import distribution_config, set_weight, single_weight
from cdnkit.testing import Emulator, Timing
from cdnkit.types import cloudfront as cft
from cdnkit.types import lightsail as ls

_FAST_WAITS = cdnkit.WaitPolicy(initial_delay=0.05, max_delay=0.25, timeout=30)


def _step(out: Callable[[str], None], started: float, text: str) -> None:
    out(f"[{time.monotonic() - started:6.2f}s] {text}")


async def run_demo(out: Callable[[str], None] = print) -> None:
    """Run the demo, reporting each step through ``out``."""
    timing = Timing(
        lightsail_operation=0.3,
        lightsail_distribution_deploy=0.3,
        cloudfront_distribution_deploy=0.3,
        invalidation=0.3,
        key_value_store_provisioning=0.3,
    )
    started = time.monotonic()
    async with Emulator(timing=timing) as emulator:
        _step(out, started, f"emulator listening on {emulator.endpoint_url}")
        options = emulator.client_kwargs()
        async with cdnkit.Lightsail(**options, wait=_FAST_WAITS) as kit:
            created = await kit.distributions.create(
                "site",
                origin=ls.InputOrigin(name="web-1", region_name="us-east-1"),
                default_cache_behavior=ls.CacheBehavior(behavior="cache"),
                bundle_id="small_1_0",
                wait=True,
            )
            assert created.distribution is not None
            _step(out, started, f"Lightsail: created 'site', {created.distribution.status}")

            def longer_ttl(settings: ls.UpdateDistributionRequest) -> None:
                if settings.cache_behavior_settings is not None:
                    settings.cache_behavior_settings.default_ttl = 600

            await kit.distributions.modify("site", longer_ttl, wait=True)
            site = await kit.distributions.get("site")
            ttl = site.cache_behavior_settings.default_ttl if site.cache_behavior_settings else None
            _step(out, started, f"Lightsail: default TTL now {ttl}, other settings kept")
            await kit.distributions.reset_cache("site", wait=True)
            _step(out, started, "Lightsail: cache reset finished")
            await kit.distributions.update("site", is_enabled=False, wait=True)
            _step(out, started, "Lightsail: distribution disabled and deployed")

        async with cdnkit.CloudFront(**options, wait=_FAST_WAITS) as cf:
            origin = cft.Origin(
                id="web",
                domain_name="www.example.com",
                custom_origin_config=cft.CustomOriginConfig(
                    http_port=80, https_port=443, origin_protocol_policy="https-only"
                ),
            )
            behavior = cft.DefaultCacheBehavior(
                target_origin_id="web",
                viewer_protocol_policy="redirect-to-https",
                cache_policy_id="658327ea-f89d-4fab-a63d-7e88639e58f6",
            )
            config = distribution_config(
                origins=[origin], default_cache_behavior=behavior, comment="demo"
            )
            primary = await cf.distributions.create(config, wait=True)
            assert primary.distribution is not None
            primary_id = primary.distribution.id
            _step(out, started, f"CloudFront: distribution {primary_id} deployed")
            staging = await cf.distributions.copy_to_staging(primary_id, wait=True)
            assert staging.distribution is not None
            policy = await cf.continuous_deployment_policies.create(
                staging_distribution_dns_names=[staging.distribution.domain_name],
                traffic_config=single_weight(0.05, idle_ttl=300, maximum_ttl=600),
            )
            assert policy.continuous_deployment_policy is not None
            policy_id = policy.continuous_deployment_policy.id
            await cf.distributions.attach_continuous_deployment_policy(
                primary_id, policy_id, wait=True
            )
            _step(out, started, "CloudFront: 5% of traffic goes to the staging copy")
            # Another writer changes the policy; the ETag engine re-reads and re-applies.
            emulator.out_of_band_write("cloudfront", policy_id)
            await cf.continuous_deployment_policies.update(policy_id, mutate=set_weight(0.15))
            _step(out, started, "CloudFront: weight raised to 15% despite a concurrent writer")
            # The policy change redeploys the primary: promotion wants it Deployed.
            await cf.distributions.wait_deployed(primary_id)
            await cf.distributions.promote_staging(primary_id, staging.distribution.id, wait=True)
            _step(out, started, "CloudFront: staging promoted (two-ETag If-Match)")

            store = await cf.key_value_stores.create("flags", wait=True)
            assert store.key_value_store is not None
            _step(out, started, f"CloudFront: KeyValueStore 'flags' {store.key_value_store.status}")
            source = "function handler(event) { return event.request; }"
            await cf.functions.create(
                "router", code=source, key_value_store_arns=[store.key_value_store.arn]
            )
            await cf.functions.update("router", code=source + "\n// v2")
            await cf.functions.publish("router")
            _step(out, started, "CloudFront: function 'router' updated and published")
            invalidation = await cf.invalidations.create(primary_id, ["/*"], wait=True)
            _step(out, started, f"CloudFront: invalidation {invalidation.status}")
        requests = emulator.counters.count("lightsail") + emulator.counters.count("cloudfront")
        _step(out, started, f"done: {requests} requests served by the emulator")
