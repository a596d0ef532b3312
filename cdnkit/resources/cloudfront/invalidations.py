"""``cf.invalidations``: removing cached objects from a distribution."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence

from ..._core import build_request, poll
from ..._exceptions import UnexpectedResponseError
from ...types import cloudfront as cf
from .._base import Resource

__all__ = ["Invalidations"]

_COMPLETED = "Completed"


class Invalidations(Resource):
    """Invalidations; a create is idempotent on retry through its CallerReference."""

    async def create(
        self,
        distribution_id: str,
        paths: Sequence[str],
        *,
        caller_reference: str | None = None,
        wait: bool = False,
    ) -> cf.Invalidation:
        """Invalidate ``paths``. The CallerReference is generated once per call when omitted,
        so a retried request returns the same invalidation instead of making a second one."""
        batch = build_request(
            cf.InvalidationBatch,
            paths=cf.Paths(items=list(paths)),
            caller_reference=caller_reference or str(uuid.uuid4()),
        )
        request = build_request(
            cf.CreateInvalidationRequest, distribution_id=distribution_id, invalidation_batch=batch
        )
        result = await self._invoke("CreateInvalidation", request, cf.CreateInvalidationResult)
        if result.invalidation is None:
            raise UnexpectedResponseError("CreateInvalidation returned no invalidation")
        if wait:
            return await self.wait(distribution_id, result.invalidation.id)
        return result.invalidation

    async def get(self, distribution_id: str, invalidation_id: str) -> cf.Invalidation:
        request = build_request(
            cf.GetInvalidationRequest, distribution_id=distribution_id, id=invalidation_id
        )
        result = await self._invoke("GetInvalidation", request, cf.GetInvalidationResult)
        if result.invalidation is None:
            raise UnexpectedResponseError(f"GetInvalidation returned nothing for {invalidation_id}")
        return result.invalidation

    def list(self, distribution_id: str) -> AsyncIterator[cf.InvalidationSummary]:
        """Every invalidation of the distribution, fetching further pages as needed."""

        def page(
            reply: cf.ListInvalidationsResult,
        ) -> tuple[list[cf.InvalidationSummary], str | None]:
            listing = reply.invalidation_list
            if listing is None:
                return [], None
            return list(listing.items or ()), listing.next_marker if listing.is_truncated else None

        return self._paginate(
            "ListInvalidations",
            lambda marker: cf.ListInvalidationsRequest(
                distribution_id=distribution_id, marker=marker
            ),
            cf.ListInvalidationsResult,
            page,
        )

    async def wait(
        self, distribution_id: str, invalidation_id: str, *, timeout: float | None = None
    ) -> cf.Invalidation:
        """Return the invalidation once it is ``Completed``."""

        async def fetch() -> cf.Invalidation:
            return await self.get(distribution_id, invalidation_id)

        async for state in poll(
            self._core,
            fetch,
            policy=self._wait,
            timeout=timeout,
            what=f"invalidation {invalidation_id}",
        ):
            if state.status == _COMPLETED:
                return state
        raise AssertionError("unreachable: poll ends by returning or raising")
