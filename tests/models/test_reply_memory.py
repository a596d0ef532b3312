"""Replies with long lists: their items share their sets of given members (memory), which stay
correct per item; the garbage collector is paused only for the parse (issue 9)."""

from __future__ import annotations

import copy
import gc
import pickle
from datetime import UTC, datetime
from typing import Any

import pytest

from cdnkit import UnexpectedResponseError, parse
from cdnkit.types import cloudfront as cft
from cdnkit.types import lightsail as ls


def _distribution(number: int, **extra: Any) -> dict[str, Any]:
    return {
        "name": f"site-{number}",
        "isEnabled": True,
        "location": {"availabilityZone": "all", "regionName": "global"},
        "cacheBehaviorSettings": {
            "defaultTTL": 86400,
            "forwardedCookies": {"option": "none", "cookiesAllowList": []},
        },
        "cacheBehaviors": [{"path": "/img/*", "behavior": "cache"}],
        **extra,
    }


def _page(count: int) -> dict[str, Any]:
    # One item gives a member the others lack: its set differs from its siblings'.
    items = [_distribution(number) for number in range(count)]
    items[7]["bundleId"] = "small_1_0"
    return {"distributions": items}


def _items(result: ls.GetDistributionsResult) -> list[ls.LightsailDistribution]:
    assert result.distributions is not None
    return result.distributions


def test_items_of_a_long_list_share_their_sets_of_given_members() -> None:
    result = parse(ls.GetDistributionsResult, _page(64))

    items = _items(result)
    assert len({id(item.model_fields_set) for item in items}) == 2  # item 7 has its own
    assert items[0].model_fields_set is items[1].model_fields_set
    assert items[7].model_fields_set is not items[0].model_fields_set
    assert "bundle_id" in items[7].model_fields_set
    assert "bundle_id" not in items[0].model_fields_set
    # Nested models too, down the whole item.
    settings = {id(item.cache_behavior_settings.model_fields_set) for item in items}  # type: ignore[union-attr]  # set in every item above
    assert len(settings) == 1
    behaviors = {id(item.cache_behaviors[0].model_fields_set) for item in items}  # type: ignore[index]  # set in every item above
    assert len(behaviors) == 1


def test_each_item_keeps_exactly_its_own_given_members() -> None:
    page = _page(40)
    result = parse(ls.GetDistributionsResult, page)

    for item, raw in zip(_items(result), page["distributions"], strict=True):
        alone = parse(ls.LightsailDistribution, raw)
        assert item.model_fields_set == alone.model_fields_set
        assert item.model_dump(exclude_unset=True) == alone.model_dump(exclude_unset=True)


def test_short_lists_keep_pydantics_own_sets() -> None:
    result = parse(ls.GetDistributionsResult, _page(8))

    sets = [item.model_fields_set for item in _items(result)]
    assert all(type(given) is set for given in sets)
    assert len({id(given) for given in sets}) == 8


def test_assigning_a_member_changes_only_that_item() -> None:
    result = parse(ls.GetDistributionsResult, _page(40))
    first, second = _items(result)[0], _items(result)[1]

    first.bundle_id = "medium_1_0"

    assert "bundle_id" in first.model_fields_set
    assert "bundle_id" not in second.model_fields_set
    assert first.model_dump(exclude_unset=True)["bundleId"] == "medium_1_0"
    assert "bundleId" not in second.model_dump(exclude_unset=True)


def test_a_shared_set_refuses_changes_in_place() -> None:
    result = parse(ls.GetDistributionsResult, _page(40))
    given = _items(result)[0].model_fields_set

    with pytest.raises(TypeError, match="shared by the items of a parsed list"):
        given.add("bundle_id")
    with pytest.raises(TypeError, match="shared"):
        given |= {"bundle_id"}
    assert "bundle_id" not in _items(result)[1].model_fields_set


def test_copies_and_pickles_get_sets_of_their_own() -> None:
    result = parse(ls.GetDistributionsResult, _page(40))
    item = _items(result)[0]

    updated = item.model_copy(update={"bundle_id": "large_1_0"})
    deep = copy.deepcopy(item)
    restored = pickle.loads(pickle.dumps(item))

    assert "bundle_id" in updated.model_fields_set
    assert "bundle_id" not in _items(result)[1].model_fields_set
    for other in (deep, restored):
        assert type(other.model_fields_set) is set
        assert other == item
        other.model_fields_set.add("bundle_id")
    assert "bundle_id" not in item.model_fields_set


def test_a_long_cloudfront_list_shares_sets_through_its_wrappers() -> None:
    summary = {
        "Id": "E1",
        "ARN": "arn:aws:cloudfront::123456789012:distribution/E1",
        "Status": "Deployed",
        "LastModifiedTime": datetime(2026, 1, 1, tzinfo=UTC),
        "DomainName": "d1.cloudfront.net",
        "Aliases": {"Quantity": 0},
        "Origins": {"Quantity": 1, "Items": [{"Id": "web", "DomainName": "www.example.com"}]},
        "DefaultCacheBehavior": {"TargetOriginId": "web", "ViewerProtocolPolicy": "allow-all"},
        "CacheBehaviors": {"Quantity": 0},
        "CustomErrorResponses": {"Quantity": 0},
        "Comment": "",
        "PriceClass": "PriceClass_All",
        "Enabled": True,
        "ViewerCertificate": {"CloudFrontDefaultCertificate": True},
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
        "WebACLId": "",
        "HttpVersion": "http2",
        "IsIPV6Enabled": True,
        "Staging": False,
    }
    items = [dict(summary, Id=f"E{number}") for number in range(50)]
    reply = {
        "DistributionList": {
            "Marker": "",
            "MaxItems": 100,
            "IsTruncated": False,
            "Quantity": 50,
            "Items": items,
        }
    }

    result = parse(cft.ListDistributionsResult, reply)

    parsed = result.distribution_list.items
    assert parsed is not None
    assert parsed[0].model_fields_set is parsed[49].model_fields_set
    assert parsed[0].origins.model_fields_set is parsed[49].origins.model_fields_set
    assert [item.id for item in parsed] == [f"E{number}" for number in range(50)]


def test_a_lenient_long_list_with_a_value_it_cannot_parse_still_parses() -> None:
    page = _page(40)
    page["distributions"][3]["status"] = "SomeNewStatus"  # fine: a string
    page["distributions"][5]["cacheBehaviorSettings"] = {"defaultTTL": "soon"}  # not an int

    result = parse(ls.GetDistributionsResult, page)

    assert _items(result)[3].status == "SomeNewStatus"
    assert (
        _items(result)[0].model_fields_set
        == parse(ls.LightsailDistribution, page["distributions"][0]).model_fields_set
    )


def test_the_collector_runs_again_after_a_parse_and_stays_off_if_it_was() -> None:
    assert gc.isenabled()
    parse(ls.GetDistributionsResult, _page(40))
    assert gc.isenabled()
    with pytest.raises(UnexpectedResponseError):
        parse(cft.ListDistributionsResult, {})
    assert gc.isenabled()

    gc.disable()
    try:
        parse(ls.GetDistributionsResult, _page(40))
        assert not gc.isenabled()
    finally:
        gc.enable()
