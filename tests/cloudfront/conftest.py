"""Fixtures for the CloudFront client tests: a fast emulator, cdnkit clients pointed at it, and
builders for the configs the tests need."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiobotocore.session import AioSession, get_session

import cdnkit
from cdnkit._core import ResourceLocks
from cdnkit.resources.cloudfront import distribution_config, single_weight
from cdnkit.testing import Emulator, Timing
from cdnkit.types import cloudfront as cf

#: One botocore session for the folder: its loader caches the service model between clients
#: (a fresh session parses CloudFront's model again, about 0.3 s per client).
SESSION: AioSession = get_session()
#: Deployments, invalidations and store provisioning finish in 50 ms.
FAST_TIMING = Timing(
    cloudfront_distribution_deploy=0.05, invalidation=0.05, key_value_store_provisioning=0.05
)
FAST_WAIT = cdnkit.WaitPolicy(initial_delay=0.01, max_delay=0.05, timeout=5)
FAST_RETRY = cdnkit.RetryPolicy(initial_backoff=0.001, max_backoff=0.01)
#: CloudFront's managed CachingOptimized cache policy.
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CODE = "function handler(event) { return event.request; }"
VIEWER_REQUEST = {
    "version": "1.0",
    "context": {"eventType": "viewer-request"},
    "viewer": {"ip": "198.51.100.7"},
    "request": {"method": "GET", "uri": "/", "headers": {}, "cookies": {}, "querystring": {}},
}


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """A running emulator with fast timing, fresh for each test."""
    # A copy: tests may change the timing of their own emulator.
    async with Emulator(timing=dataclasses.replace(FAST_TIMING)) as emu:
        yield emu


def open_client(emulator: Emulator, **options: Any) -> cdnkit.CloudFront:
    """A CloudFront client for the emulator with fast policies (not yet entered)."""
    settings: dict[str, Any] = {"retry": FAST_RETRY, "wait": FAST_WAIT, "session": SESSION}
    settings.update(options)
    return cdnkit.CloudFront(**emulator.client_kwargs(), **settings)


@pytest.fixture
async def cf_client(emulator: Emulator) -> AsyncIterator[cdnkit.CloudFront]:
    async with open_client(emulator) as client:
        yield client


@pytest.fixture
async def other_client(emulator: Emulator) -> AsyncIterator[cdnkit.CloudFront]:
    """A second client: its own connection and locks, like another process (clients of one
    process and account share their per-resource locks, so it gets a table of its own)."""
    async with open_client(emulator) as client:
        client._core.locks = ResourceLocks()
        yield client


def origin(origin_id: str = "web", domain: str = "origin.example.com") -> cf.Origin:
    return cf.Origin(
        id=origin_id,
        domain_name=domain,
        custom_origin_config=cf.CustomOriginConfig(
            http_port=80, https_port=443, origin_protocol_policy="https-only"
        ),
    )


def config(*, comment: str = "site", caller_reference: str | None = None) -> cf.DistributionConfig:
    return distribution_config(
        origins=[origin()],
        default_cache_behavior=cf.DefaultCacheBehavior(
            target_origin_id="web",
            viewer_protocol_policy="redirect-to-https",
            cache_policy_id=CACHING_OPTIMIZED,
        ),
        comment=comment,
        caller_reference=caller_reference,
    )


async def create_distribution(
    client: cdnkit.CloudFront, *, comment: str = "site", wait: bool = False
) -> str:
    created = await client.distributions.create(config(comment=comment), wait=wait)
    return created.distribution.id


def aliases(distribution: cf.DistributionConfig) -> list[str]:
    return list(distribution.aliases.items or ()) if distribution.aliases else []


def add_alias(name: str) -> Callable[[cf.DistributionConfig], None]:
    """A mutator that adds one alternate domain name."""

    def mutate(distribution: cf.DistributionConfig) -> None:
        distribution.aliases = cf.Aliases(items=[*aliases(distribution), name])

    return mutate


class Staged:
    """A primary distribution, its staging copy and the policy between them."""

    def __init__(self, primary_id: str, staging_id: str, staging_domain: str, policy_id: str):
        self.primary_id = primary_id
        self.staging_id = staging_id
        self.staging_domain = staging_domain
        self.policy_id = policy_id


async def staging_copy(client: cdnkit.CloudFront, primary_id: str) -> tuple[str, str]:
    """Copy ``primary_id`` to a new staging distribution; return its id and domain name."""
    copied = await client.distributions.copy_to_staging(primary_id)
    return copied.distribution.id, copied.distribution.domain_name


async def stage(client: cdnkit.CloudFront, *, attach: bool = True) -> Staged:
    """A primary, a staging copy and a 5 % SingleWeight policy (attached to the primary)."""
    primary_id = await create_distribution(client, comment="primary")
    staging_id, staging_domain = await staging_copy(client, primary_id)
    policy = await client.continuous_deployment_policies.create(
        staging_distribution_dns_names=[staging_domain], traffic_config=single_weight(0.05)
    )
    policy_id = policy.continuous_deployment_policy.id
    if attach:
        await client.distributions.attach_continuous_deployment_policy(primary_id, policy_id)
    return Staged(primary_id, staging_id, staging_domain, policy_id)


def before_call(
    client: cdnkit.CloudFront, operation: str, handler: Callable[[dict[str, Any]], None]
) -> None:
    """Run ``handler(request_dict)`` just before each ``operation`` request is sent.

    ``request_dict["headers"]`` holds the serialized headers (``If-Match``...). Registered on
    the aiobotocore client that cdnkit owns: the only way to act between cdnkit's read and
    its write, or to see what went on the wire.
    """

    def hook(params: dict[str, Any], **_: Any) -> None:
        handler(params)

    client._core.client.meta.events.register(f"before-call.cloudfront.{operation}", hook)


def stale_before(
    client: cdnkit.CloudFront, emulator: Emulator, operation: str, resource_id: str, times: int = 1
) -> list[str]:
    """Make ``resource_id`` stale just before the next ``times`` ``operation`` requests (another
    writer slips in between cdnkit's read and its write); returns the If-Match values sent."""
    sent: list[str] = []

    def handler(request: dict[str, Any]) -> None:
        sent.append(request["headers"].get("If-Match", ""))
        if len(sent) <= times:
            assert emulator.out_of_band_write("cloudfront", resource_id)

    before_call(client, operation, handler)
    return sent


def page_size(client: cdnkit.CloudFront, operation: str, size: int) -> None:
    """Make every ``operation`` (a ListX call) ask for pages of ``size`` items, so a few
    resources span several pages (the service's default page is 100 items)."""

    def hook(params: dict[str, Any], **_: Any) -> None:
        params.setdefault("MaxItems", str(size))

    client._core.client.meta.events.register(f"before-parameter-build.cloudfront.{operation}", hook)
