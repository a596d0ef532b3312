"""The paginator's stop rules and the acceptor matchers, on canned replies (no emulator)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import cdnkit
from cdnkit._api._runtime import Acceptor, Paginator, PaginatorSpec, _matches
from cdnkit._models import parse_response
from cdnkit.types import cloudfront as cf

NOW = datetime.now(UTC)

SPEC = PaginatorSpec(
    input_token="marker",
    output_token=("invalidation_list", "next_marker"),
    result_key=("invalidation_list", "items"),
    more_results=("invalidation_list", "is_truncated"),
)


class CannedCore:
    """Answers ListInvalidations with the given pages, recording the markers asked for."""

    is_open = True

    def __init__(self, pages: list[tuple[str | None, bool]]) -> None:
        self.pages = pages
        self.markers: list[str | None] = []

    async def invoke(self, operation: str, request: Any, result: type[Any], **_: Any) -> Any:
        assert operation == "ListInvalidations"
        self.markers.append(request.marker)
        next_marker, truncated = self.pages[len(self.markers) - 1]
        item = {"Id": f"I{len(self.markers)}", "CreateTime": NOW, "Status": "Completed"}
        listing = {
            "Marker": request.marker or "",
            "MaxItems": 1,
            "IsTruncated": truncated,
            "Quantity": 1,
            "Items": [item],
        }
        if next_marker is not None:
            listing["NextMarker"] = next_marker
        return parse_response(result, {"InvalidationList": listing})


def paginator(core: CannedCore) -> Paginator[cf.ListInvalidationsResult, cf.InvalidationSummary]:
    request = cf.ListInvalidationsRequest(distribution_id="E1")
    return Paginator(
        core,  # type: ignore[arg-type]  # a canned stand-in for the core
        cdnkit.RetryPolicy(),
        "ListInvalidations",
        request,
        cf.ListInvalidationsResult,
        SPEC,
    )


async def test_pages_follow_the_marker_until_the_last_page() -> None:
    core = CannedCore([("m1", True), ("m2", True), (None, False)])
    ids = [item.id async for item in paginator(core)]
    assert ids == ["I1", "I2", "I3"]
    assert core.markers == [None, "m1", "m2"]


async def test_a_reply_that_says_not_truncated_ends_even_with_a_marker() -> None:
    core = CannedCore([("m1", True), ("m2", False)])
    pages = [page async for page in paginator(core).pages()]
    assert [page.next_token for page in pages] == ["m1", None]
    assert core.markers == [None, "m1"]


async def test_a_marker_handed_back_twice_raises_instead_of_paging_forever() -> None:
    core = CannedCore([("m1", True), ("m1", True), ("m1", True)])
    with pytest.raises(cdnkit.UnexpectedResponseError, match="same page token"):
        _ = [item async for item in paginator(core)]
    assert core.markers == [None, "m1"]


REPLY = {
    "Distribution": {"Status": "Deployed"},
    "Items": [{"State": "on"}, {"State": "off"}],
    "ResponseMetadata": {"HTTPStatusCode": 200},
}
NOT_FOUND = cdnkit.NotFoundError(
    "no", service="cloudfront", operation="GetDistribution", code="NoSuchDistribution",
    http_status=404, request_id=None,
)  # fmt: skip


@pytest.mark.parametrize(
    ("acceptor", "on_reply", "on_error"),
    [
        (Acceptor("success", "path", "Deployed", "Distribution.Status"), True, False),
        (Acceptor("success", "path", "InProgress", "Distribution.Status"), False, False),
        (Acceptor("success", "pathAll", "on", "Items[].State"), False, False),
        (Acceptor("success", "pathAny", "on", "Items[].State"), True, False),
        (Acceptor("success", "pathAny", "gone", "Items[].State"), False, False),
        (Acceptor("success", "status", 200), True, False),
        (Acceptor("success", "status", 404), False, True),
        (Acceptor("success", "error", "NoSuchDistribution"), False, True),
        (Acceptor("success", "error", "AccessDenied"), False, False),
        (Acceptor("success", "error", True), False, True),
        (Acceptor("success", "error", False), True, False),
    ],
)
def test_acceptor_matchers(acceptor: Acceptor, on_reply: bool, on_error: bool) -> None:
    assert _matches(acceptor, REPLY, None) is on_reply
    assert _matches(acceptor, None, NOT_FOUND) is on_error


def test_path_all_on_an_empty_list_does_not_match() -> None:
    acceptor = Acceptor("success", "pathAll", "on", "Items[].State")
    assert _matches(acceptor, {"Items": []}, None) is False
