"""Read-only calls against real AWS (opt-in, see conftest.py): nothing is created or changed."""

from __future__ import annotations

import pytest

import cdnkit

pytestmark = pytest.mark.aws


async def test_lightsail_bundles_include_the_documented_small_bundle() -> None:
    async with cdnkit.Lightsail() as kit:
        bundles = await kit.distributions.bundles()
    assert "small_1_0" in {bundle.bundle_id for bundle in bundles}


async def test_cloudfront_listings_parse() -> None:
    async with cdnkit.CloudFront() as cf:
        distributions = [d.id async for d in cf.distributions.list()]
        stores = [s.name async for s in cf.key_value_stores.list()]
    assert all(distribution_id.startswith("E") for distribution_id in distributions)
    assert all(isinstance(name, str) for name in stores)


async def test_a_missing_distribution_is_not_found() -> None:
    async with cdnkit.CloudFront() as cf:
        with pytest.raises(cdnkit.NotFoundError):
            await cf.distributions.get("E000000000000NOSUCH")
