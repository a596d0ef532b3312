"""Differences from AWS found by driving the emulator with the AWS CLI (``test_interop_cli.py``),
kept here as CLI-free regression tests with requests shaped as the CLI sends them."""

from __future__ import annotations

import copy
from typing import Any

from types_aiobotocore_cloudfront import CloudFrontClient

from .conftest import distribution_config


def cli_origin_domain_name_config(domain: str) -> Any:
    """The DistributionConfig that ``aws cloudfront create-distribution --origin-domain-name``
    builds (awscli/customizations/cloudfront.py): legacy ForwardedValues, no TTLs but MinTTL,
    no AllowedMethods, and an origin with only its id, domain, path and origin type."""
    origin: dict[str, Any] = {"Id": f"{domain}-cli", "DomainName": domain, "OriginPath": ""}
    if domain.endswith(".s3.amazonaws.com"):
        origin["S3OriginConfig"] = {"OriginAccessIdentity": ""}
    else:
        origin["CustomOriginConfig"] = {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "http-only",
        }
    return {
        "CallerReference": f"cli-{domain}",
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {
            "TargetOriginId": origin["Id"],
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "TrustedSigners": {"Enabled": False, "Quantity": 0},
            "ViewerProtocolPolicy": "allow-all",
            "MinTTL": 0,
        },
        "Enabled": True,
        "Comment": "",
    }


async def test_a_cli_made_config_comes_back_with_cloudfronts_defaults(
    cloudfront: CloudFrontClient,
) -> None:
    # CloudFront stores and returns a full config: AWS's example of this very CLI command shows
    # the cache behavior's methods, TTLs and empty lists, and the origin's custom headers. The
    # emulator echoed the sparse config, so `get-distribution-config` lacked DefaultTTL & co.
    created = await cloudfront.create_distribution(
        DistributionConfig=cli_origin_domain_name_config("bucket-cli.s3.amazonaws.com")
    )
    stored = await cloudfront.get_distribution_config(Id=created["Distribution"]["Id"])
    for config in (created["Distribution"]["DistributionConfig"], stored["DistributionConfig"]):
        behavior: Any = config["DefaultCacheBehavior"]
        assert behavior["AllowedMethods"] == {
            "Quantity": 2,
            "Items": ["HEAD", "GET"],
            "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]},
        }
        assert (behavior["MinTTL"], behavior["DefaultTTL"], behavior["MaxTTL"]) == (
            0,
            86400,
            31536000,
        )
        assert behavior["SmoothStreaming"] is False
        assert behavior["Compress"] is False
        assert behavior["LambdaFunctionAssociations"] == {"Quantity": 0}
        assert behavior["FunctionAssociations"] == {"Quantity": 0}
        assert behavior["TrustedKeyGroups"] == {"Enabled": False, "Quantity": 0}
        assert behavior["FieldLevelEncryptionId"] == ""
        assert behavior["ForwardedValues"]["Headers"] == {"Quantity": 0}
        assert behavior["ForwardedValues"]["QueryStringCacheKeys"] == {"Quantity": 0}
        origin: Any = config["Origins"]["Items"][0]
        assert origin["CustomHeaders"] == {"Quantity": 0}
        assert (origin["ConnectionAttempts"], origin["ConnectionTimeout"]) == (3, 10)
        assert origin["OriginShield"] == {"Enabled": False}
        assert origin["OriginAccessControlId"] == ""
        assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}


async def test_a_custom_origin_gets_the_models_documented_timeouts(
    cloudfront: CloudFrontClient,
) -> None:
    created = await cloudfront.create_distribution(
        DistributionConfig=cli_origin_domain_name_config("origin.example.com")
    )
    origin: Any = created["Distribution"]["DistributionConfig"]["Origins"]["Items"][0]
    assert origin["CustomOriginConfig"]["OriginReadTimeout"] == 30
    assert origin["CustomOriginConfig"]["OriginKeepaliveTimeout"] == 5


async def test_given_values_are_kept_and_a_cache_policy_gets_no_legacy_ttls(
    cloudfront: CloudFrontClient,
) -> None:
    config = distribution_config("policy-1")
    config["DefaultCacheBehavior"]["Compress"] = True
    config["CacheBehaviors"] = {
        "Quantity": 1,
        "Items": [
            {
                **copy.deepcopy(config["DefaultCacheBehavior"]),
                "PathPattern": "/api/*",
                "AllowedMethods": {
                    "Quantity": 3,
                    "Items": ["GET", "HEAD", "OPTIONS"],
                    "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]},
                },
            }
        ],
    }
    created = await cloudfront.create_distribution(DistributionConfig=config)
    stored: Any = created["Distribution"]["DistributionConfig"]
    default = stored["DefaultCacheBehavior"]
    assert default["Compress"] is True
    # With a cache policy the TTLs are the policy's: none appear on the behavior.
    assert default["CachePolicyId"] == "658327ea-f89d-4fab-a63d-7e88639e58f6"
    assert {"MinTTL", "DefaultTTL", "MaxTTL", "ForwardedValues"}.isdisjoint(default)
    (api,) = stored["CacheBehaviors"]["Items"]
    assert api["AllowedMethods"]["Items"] == ["GET", "HEAD", "OPTIONS"]
    assert api["FunctionAssociations"] == {"Quantity": 0}


async def test_an_update_with_the_stored_config_changes_nothing_but_the_etag(
    cloudfront: CloudFrontClient,
) -> None:
    # The CLI's `update-distribution --default-root-object` sends back the config it read.
    created = await cloudfront.create_distribution(
        DistributionConfig=cli_origin_domain_name_config("origin.example.com")
    )
    distribution_id = created["Distribution"]["Id"]
    read = await cloudfront.get_distribution_config(Id=distribution_id)
    config: Any = read["DistributionConfig"]
    config["DefaultRootObject"] = "home.html"
    updated = await cloudfront.update_distribution(
        Id=distribution_id, IfMatch=read["ETag"], DistributionConfig=config
    )
    assert updated["Distribution"]["DistributionConfig"] == config
    assert updated["ETag"] != read["ETag"]
