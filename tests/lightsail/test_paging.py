"""Listings page through every page and stop, rather than page forever, when the service hands
back a page token it already gave."""

from __future__ import annotations

from typing import Any

import pytest

import cdnkit
from cdnkit.testing import Emulator

from .conftest import new_kit


class _Pages:
    """Stands in for the aiobotocore client's GetDistributions: each call answers the next
    page of ``tokens`` (one distribution per page) and records the token it was asked for."""

    def __init__(self, real: Any, tokens: list[str | None]) -> None:
        self._real = real
        self._tokens = tokens
        self.asked: list[str | None] = []

    async def get_distributions(self, **params: Any) -> dict[str, Any]:
        self.asked.append(params.get("pageToken"))
        number = len(self.asked)
        reply: dict[str, Any] = {"distributions": [{"name": f"site-{number}"}]}
        following = self._tokens[number - 1]
        if following is not None:
            reply["nextPageToken"] = following
        return reply

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


async def test_every_page_is_listed_in_order(emulator: Emulator) -> None:
    async with new_kit(emulator) as kit:
        pages = _Pages(kit._core._client, ["t1", "t2", None])
        kit._core._client = pages
        names = [distribution.name async for distribution in kit.distributions.list()]
    assert names == ["site-1", "site-2", "site-3"]
    assert pages.asked == [None, "t1", "t2"]


async def test_a_token_handed_back_twice_raises_instead_of_paging_forever(
    emulator: Emulator,
) -> None:
    async with new_kit(emulator) as kit:
        pages = _Pages(kit._core._client, ["t1", "t2", "t1", "t2", None])
        kit._core._client = pages
        with pytest.raises(cdnkit.UnexpectedResponseError, match="same page token"):
            _ = [distribution async for distribution in kit.distributions.list()]
    assert pages.asked == [None, "t1", "t2"]
