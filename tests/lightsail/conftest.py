"""Fixtures for the Lightsail client tests: a fast emulator, fast policies, an open client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiobotocore.session import AioSession

import cdnkit
from cdnkit.testing import Emulator, Timing
from cdnkit.types import lightsail as ls

#: Operations and deployments take 50 ms on the emulator's clock.
FAST_TIMING = Timing(lightsail_operation=0.05, lightsail_distribution_deploy=0.05)
#: Not adaptive: after a throttle the shared limiter may hold calls for seconds (its floor is
#: 0.5 requests/s), which would only slow these tests down; test_rate_adaptation covers it.
FAST_RETRY = cdnkit.RetryPolicy(
    initial_backoff=0.001, max_backoff=0.01, deadline=10.0, adaptive=False
)
FAST_WAIT = cdnkit.WaitPolicy(initial_delay=0.01, max_delay=0.05, timeout=5.0)


#: One botocore session for these tests: its loader caches the service model between clients.
SESSION = AioSession()


def new_kit(emulator: Emulator, **options: Any) -> cdnkit.Lightsail:
    """A client of the emulator with the fast policies unless ``options`` say otherwise."""
    options.setdefault("session", SESSION)
    options.setdefault("retry", FAST_RETRY)
    options.setdefault("wait", FAST_WAIT)
    return cdnkit.Lightsail(**{**emulator.client_kwargs(), **options})


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    # A fresh Timing per test: some tests slow operations down.
    timing = Timing(**vars(FAST_TIMING))
    async with Emulator(timing=timing) as emu:
        yield emu


@pytest.fixture
async def kit(emulator: Emulator) -> AsyncIterator[cdnkit.Lightsail]:
    async with new_kit(emulator) as client:
        yield client


def origin(name: str = "web-1") -> ls.InputOrigin:
    return ls.InputOrigin(name=name, region_name="us-east-1", protocol_policy="http-only")


FULL_SETTINGS = ls.CacheSettings(
    default_ttl=3600,
    minimum_ttl=60,
    maximum_ttl=86400,
    allowed_http_methods="GET,HEAD,OPTIONS",
    cached_http_methods="GET,HEAD",
    forwarded_cookies=ls.CookieObject(option="allow-list", cookies_allow_list=["session"]),
    forwarded_headers=ls.HeaderObject(option="allow-list", headers_allow_list=["Host"]),
    forwarded_query_strings=ls.QueryStringObject(option=True, query_strings_allow_list=["v"]),
)


async def create_site(
    kit: cdnkit.Lightsail, name: str = "site", *, wait: bool = True
) -> ls.CreateDistributionResult:
    """A distribution with non-default settings everywhere, so a wiped member shows."""
    return await kit.distributions.create(
        name,
        origin=origin(),
        default_cache_behavior=ls.CacheBehavior(behavior="dont-cache"),
        bundle_id="small_1_0",
        cache_behavior_settings=FULL_SETTINGS,
        cache_behaviors=[
            ls.CacheBehaviorPerPath(path="/img/*", behavior="cache"),
            ls.CacheBehaviorPerPath(path="/api/*", behavior="dont-cache"),
        ],
        default_root_object="index.html",
        tags=[ls.Tag(key="team", value="web")],
        wait=wait,
    )
