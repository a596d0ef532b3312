"""What CloudFront refuses while continuous deployment is on: cdnkit refuses it before the
write (naming the member), and the emulator refuses the same raw request."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from types_aiobotocore_cloudfront import CloudFrontClient

import cdnkit
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf

from .conftest import SESSION, config, create_distribution, stage

CF = "cloudfront"


@pytest.fixture
async def raw(emulator: Emulator) -> AsyncIterator[CloudFrontClient]:
    """A plain aiobotocore client: sends what cdnkit would refuse."""
    async with SESSION.create_client("cloudfront", **emulator.client_kwargs()) as client:
        yield client


def setting(**members: Any) -> Callable[[cf.DistributionConfig], None]:
    def mutate(distribution: cf.DistributionConfig) -> None:
        for name, value in members.items():
            setattr(distribution, name, value)

    return mutate


async def raw_update(
    raw: CloudFrontClient, distribution_id: str, change: Callable[[dict[str, Any]], None]
) -> None:
    """UpdateDistribution with ``change`` applied to the stored config, sent as it is."""
    current = await raw.get_distribution_config(Id=distribution_id)
    body: Any = current["DistributionConfig"]
    change(body)
    await raw.update_distribution(
        Id=distribution_id, IfMatch=current["ETag"], DistributionConfig=body
    )


FROZEN_CHANGES: list[tuple[str, dict[str, Any], Callable[[dict[str, Any]], None]]] = [
    (
        "PriceClass",
        {"price_class": "PriceClass_100"},
        lambda c: c.update(PriceClass="PriceClass_100"),
    ),
    ("Enabled", {"enabled": False}, lambda c: c.update(Enabled=False)),
    ("IsIPV6Enabled", {"is_ipv6_enabled": False}, lambda c: c.update(IsIPV6Enabled=False)),
    ("HttpVersion", {"http_version": "http1.1"}, lambda c: c.update(HttpVersion="http1.1")),
]


@pytest.mark.parametrize(
    ("field", "members", "raw_change"), FROZEN_CHANGES, ids=[f for f, _, _ in FROZEN_CHANGES]
)
async def test_a_frozen_member_of_an_attached_primary_is_refused_on_both_sides(
    emulator: Emulator,
    cf_client: cdnkit.CloudFront,
    raw: CloudFrontClient,
    field: str,
    members: dict[str, Any],
    raw_change: Callable[[dict[str, Any]], None],
) -> None:
    staged = await stage(cf_client)
    emulator.counters.reset()

    with pytest.raises(cdnkit.ContinuousDeploymentChangeError) as caught:
        await cf_client.distributions.update(staged.primary_id, mutate=setting(**members))

    assert caught.value.field == field
    assert field in str(caught.value)
    assert isinstance(caught.value, cdnkit.InvalidRequestError)
    assert emulator.counters.count(CF, "UpdateDistribution") == 0
    with pytest.raises(ClientError) as refused:
        await raw_update(raw, staged.primary_id, raw_change)
    assert refused.value.response["Error"]["Code"] == "IllegalUpdate"
    assert field in refused.value.response["Error"]["Message"]


async def test_changeable_members_of_an_attached_primary_go_through(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client)
    emulator.counters.reset()

    await cf_client.distributions.update(
        staged.primary_id, mutate=setting(comment="v2", default_root_object="index.html")
    )

    stored = await cf_client.distributions.get_config(staged.primary_id)
    assert stored.distribution_config.comment == "v2"
    assert stored.distribution_config.default_root_object == "index.html"
    assert emulator.counters.count(CF, "UpdateDistribution") == 1


async def test_a_whole_config_that_only_spells_defaults_differently_is_not_a_frozen_change(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client)
    current = await cf_client.distributions.get_config(staged.primary_id)
    replacement = config(caller_reference=current.distribution_config.caller_reference)
    replacement.comment = "replaced"
    replacement.continuous_deployment_policy_id = staged.policy_id
    # The read config carries every default (Aliases Quantity 0, WebACLId "", PriceClass_All,
    # http2, IPv6 on, CloudFront's certificate...); this one leaves them out, which sets the
    # same values: nothing frozen changes.
    assert current.distribution_config.price_class == "PriceClass_All"
    assert current.distribution_config.is_ipv6_enabled is True
    assert current.distribution_config.viewer_certificate is not None
    for member in ("price_class", "http_version", "is_ipv6_enabled", "viewer_certificate"):
        assert getattr(replacement, member) is None
    emulator.counters.reset()

    await cf_client.distributions.update(staged.primary_id, config=replacement)

    assert emulator.counters.count(CF, "UpdateDistribution") == 1
    stored = await cf_client.distributions.get_config(staged.primary_id)
    assert stored.distribution_config.comment == "replaced"


async def test_leaving_out_a_member_whose_default_differs_is_a_frozen_change(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    """IPv6 off on the primary; a whole config without IsIPV6Enabled turns it on (CloudFront's
    default), which CloudFront refuses while a policy is attached: refused before sending."""
    staged = await stage(cf_client)
    await cf_client.distributions.update_detached(
        staged.primary_id, mutate=setting(is_ipv6_enabled=False)
    )
    current = await cf_client.distributions.get_config(staged.primary_id)
    assert current.distribution_config.is_ipv6_enabled is False
    replacement = config(caller_reference=current.distribution_config.caller_reference)
    replacement.continuous_deployment_policy_id = staged.policy_id
    emulator.counters.reset()

    with pytest.raises(cdnkit.ContinuousDeploymentChangeError) as caught:
        await cf_client.distributions.update(staged.primary_id, config=replacement)

    assert caught.value.field == "IsIPV6Enabled"
    assert emulator.counters.count(CF, "UpdateDistribution") == 0


async def test_a_staging_distribution_named_by_a_policy_is_frozen_too(
    emulator: Emulator, cf_client: cdnkit.CloudFront, raw: CloudFrontClient
) -> None:
    staged = await stage(cf_client)
    emulator.counters.reset()

    with pytest.raises(cdnkit.ContinuousDeploymentChangeError) as caught:
        await cf_client.distributions.update(
            staged.staging_id, mutate=setting(price_class="PriceClass_200")
        )

    assert caught.value.field == "PriceClass"
    assert caught.value.distribution_id == staged.staging_id
    assert emulator.counters.count(CF, "UpdateDistribution") == 0
    with pytest.raises(ClientError) as refused:
        await raw_update(raw, staged.staging_id, lambda c: c.update(PriceClass="PriceClass_200"))
    assert refused.value.response["Error"]["Code"] == "IllegalUpdate"
    # The staging copy's comment may change.
    await cf_client.distributions.update(staged.staging_id, mutate=setting(comment="candidate"))


async def test_a_staging_distribution_no_policy_names_changes_freely(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    primary_id = await create_distribution(cf_client)
    copied = await cf_client.distributions.copy_to_staging(primary_id)

    await cf_client.distributions.update(
        copied.distribution.id, mutate=setting(price_class="PriceClass_100")
    )

    stored = await cf_client.distributions.get_config(copied.distribution.id)
    assert stored.distribution_config.price_class == "PriceClass_100"


async def test_aliases_on_a_staging_distribution_are_refused_on_both_sides(
    emulator: Emulator, cf_client: cdnkit.CloudFront, raw: CloudFrontClient
) -> None:
    primary_id = await create_distribution(cf_client)
    copied = await cf_client.distributions.copy_to_staging(primary_id)
    staging_id = copied.distribution.id
    emulator.counters.reset()

    with pytest.raises(cdnkit.ContinuousDeploymentChangeError) as caught:
        await cf_client.distributions.update(
            staging_id, mutate=setting(aliases=cf.Aliases(items=["beta.example.com"]))
        )

    assert caught.value.field == "Aliases"
    assert "beta.example.com" in str(caught.value)
    assert emulator.counters.count(CF, "UpdateDistribution") == 0
    with pytest.raises(ClientError) as refused:
        await raw_update(
            raw,
            staging_id,
            lambda c: c.update(Aliases={"Quantity": 1, "Items": ["beta.example.com"]}),
        )
    assert refused.value.response["Error"]["Code"] == "InvalidArgument"


async def test_a_whole_staging_config_with_aliases_is_refused_before_any_request(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged_config = config()
    staged_config.staging = True
    staged_config.aliases = cf.Aliases(items=["beta.example.com"])
    emulator.counters.reset()

    with pytest.raises(cdnkit.ContinuousDeploymentChangeError) as caught:
        await cf_client.distributions.update("E000000000000", config=staged_config)

    assert caught.value.field == "Aliases"
    assert emulator.counters.total() == 0


async def test_http3_with_a_policy_is_refused_on_both_sides(
    emulator: Emulator, cf_client: cdnkit.CloudFront, raw: CloudFrontClient
) -> None:
    staged = await stage(cf_client, attach=False)
    await cf_client.distributions.update(
        staged.primary_id, mutate=setting(http_version="http2and3")
    )
    emulator.counters.reset()

    with pytest.raises(cdnkit.ContinuousDeploymentChangeError) as caught:
        await cf_client.distributions.attach_continuous_deployment_policy(
            staged.primary_id, staged.policy_id
        )

    assert caught.value.field == "HttpVersion"
    assert emulator.counters.count(CF, "UpdateDistribution") == 0
    with pytest.raises(ClientError) as refused:
        await raw_update(
            raw,
            staged.primary_id,
            lambda c: c.update(ContinuousDeploymentPolicyId=staged.policy_id),
        )
    assert refused.value.response["Error"]["Code"] == "InvalidArgument"
    assert "HTTP/3" in refused.value.response["Error"]["Message"]


async def test_a_new_distribution_with_http3_and_a_policy_is_refused_before_any_request(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    wanted = config()
    wanted.http_version = "http3"
    wanted.continuous_deployment_policy_id = "0a1b2c3d-policy"
    emulator.counters.reset()

    with pytest.raises(cdnkit.ContinuousDeploymentChangeError) as caught:
        await cf_client.distributions.create(wanted)

    assert caught.value.field == "HttpVersion"
    assert emulator.counters.total() == 0


async def test_copy_to_staging_of_an_http3_primary_is_refused_on_both_sides(
    emulator: Emulator, cf_client: cdnkit.CloudFront, raw: CloudFrontClient
) -> None:
    primary_id = await create_distribution(cf_client)
    await cf_client.distributions.update(primary_id, mutate=setting(http_version="http3"))
    emulator.counters.reset()

    with pytest.raises(cdnkit.ContinuousDeploymentChangeError) as caught:
        await cf_client.distributions.copy_to_staging(primary_id)

    assert caught.value.field == "HttpVersion"
    assert emulator.counters.count(CF, "CopyDistribution") == 0
    etag = (await raw.get_distribution_config(Id=primary_id))["ETag"]
    with pytest.raises(ClientError) as refused:
        await raw.copy_distribution(
            PrimaryDistributionId=primary_id, Staging=True, IfMatch=etag, CallerReference="x-1"
        )
    assert refused.value.response["Error"]["Code"] == "InvalidArgument"
    assert emulator.counters.count(CF, "CopyDistribution") == 1


async def test_detach_then_a_frozen_change_goes_through(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client)

    detached = await cf_client.distributions.detach_continuous_deployment_policy(staged.primary_id)
    await cf_client.distributions.update(
        staged.primary_id, mutate=setting(price_class="PriceClass_100")
    )

    assert not detached.distribution.distribution_config.continuous_deployment_policy_id
    stored = await cf_client.distributions.get_config(staged.primary_id)
    assert stored.distribution_config.price_class == "PriceClass_100"
    emulator.counters.reset()
    # Detaching again changes nothing and sends no write.
    await cf_client.distributions.detach_continuous_deployment_policy(staged.primary_id)
    assert emulator.counters.count(CF, "UpdateDistribution") == 0
