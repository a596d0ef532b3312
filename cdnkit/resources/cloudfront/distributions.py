"""``cf.distributions``: CloudFront distributions, staging copies and promotion."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any, TypeVar

from ..._core import Sends, build_request, checked_wire, poll
from ..._etag import ETagged, Mutator, delete_after_read, read_modify_write, retry_on_stale
from ..._exceptions import ConflictError, InvalidRequestError, UnexpectedResponseError
from ..._models import parse_response
from ...types import cloudfront as cf
from .._base import Resource
from ._reconcile import send_create

__all__ = ["Distributions", "distribution_config"]

_DEPLOYED = "Deployed"
_EXISTING_ID = re.compile(r"\b(E[A-Z0-9]{8,})\b")


def distribution_config(
    *,
    origins: Sequence[cf.Origin],
    default_cache_behavior: cf.DefaultCacheBehavior,
    comment: str = "",
    enabled: bool = True,
    caller_reference: str | None = None,
) -> cf.DistributionConfig:
    """A minimal DistributionConfig; CallerReference is a new UUID when omitted."""
    return build_request(
        cf.DistributionConfig,
        caller_reference=caller_reference or str(uuid.uuid4()),
        origins=cf.Origins(items=list(origins)),
        default_cache_behavior=default_cache_behavior,
        comment=comment,
        enabled=enabled,
    )


def _key(distribution_id: str) -> str:
    return f"distribution/{distribution_id}"


_Created = TypeVar("_Created", cf.CreateDistributionResult, cf.CopyDistributionResult)


class Distributions(Resource):
    """Distributions; every change handles the ETag, ``wait=True`` means ``Deployed``."""

    async def get(self, distribution_id: str) -> cf.GetDistributionResult:
        request = build_request(cf.GetDistributionRequest, id=distribution_id)
        return await self._invoke("GetDistribution", request, cf.GetDistributionResult)

    async def get_config(self, distribution_id: str) -> cf.GetDistributionConfigResult:
        request = build_request(cf.GetDistributionConfigRequest, id=distribution_id)
        return await self._invoke("GetDistributionConfig", request, cf.GetDistributionConfigResult)

    def list(self) -> AsyncIterator[cf.DistributionSummary]:
        """Every distribution, fetching further pages as the iteration goes."""

        def page(
            reply: cf.ListDistributionsResult,
        ) -> tuple[list[cf.DistributionSummary], str | None]:
            listing = reply.distribution_list
            if listing is None:
                return [], None
            return list(listing.items or ()), listing.next_marker if listing.is_truncated else None

        return self._paginate(
            "ListDistributions",
            lambda marker: cf.ListDistributionsRequest(marker=marker),
            cf.ListDistributionsResult,
            page,
        )

    async def create(
        self, config: cf.DistributionConfig, *, wait: bool = False
    ) -> cf.CreateDistributionResult:
        """Create a distribution (see :func:`distribution_config` for a minimal config).

        A retry of a create that reached CloudFront (same CallerReference) answers
        DistributionAlreadyExists naming the distribution: that one is returned.
        """
        request = cf.CreateDistributionRequest(distribution_config=config)
        created = await self._create_once(
            "CreateDistribution", checked_wire(request), cf.CreateDistributionResult, Sends()
        )
        if wait and created.distribution is not None:
            deployed = await self.wait_deployed(created.distribution.id)
            return cf.CreateDistributionResult(
                distribution=deployed.distribution, etag=deployed.etag, location=created.location
            )
        return created

    async def _create_once(
        self, operation: str, params: dict[str, Any], result: type[_Created], sends: Sends
    ) -> _Created:
        """Send a call that makes a distribution from a CallerReference; on a retry,
        DistributionAlreadyExists names the distribution an earlier send made: returned."""

        async def reconcile(error: ConflictError) -> _Created | None:
            found = _EXISTING_ID.search(error.message)
            if error.code != "DistributionAlreadyExists" or not found:
                return None
            existing = await self.get(found.group(1))
            return parse_response(
                result, {"distribution": existing.distribution, "etag": existing.etag}
            )

        return await send_create(
            self._core, self._retry, operation, params, result, reconcile, sends
        )

    async def update(
        self,
        distribution_id: str,
        *,
        mutate: Mutator[cf.DistributionConfig] | None = None,
        config: cf.DistributionConfig | None = None,
        if_match: str | None = None,
        wait: bool = False,
    ) -> cf.UpdateDistributionResult:
        """Change the distribution's config: ``mutate`` edits a copy of the current one
        (re-applied after a conflicting write), or ``config`` replaces it."""
        if (mutate is None) == (config is None):
            raise InvalidRequestError("update: pass exactly one of mutate= or config=")
        if config is not None:
            replacement = config

            def replace(_: cf.DistributionConfig) -> cf.DistributionConfig:
                return replacement

            mutate = replace
        assert mutate is not None

        async def read() -> ETagged[cf.DistributionConfig]:
            current = await self.get_config(distribution_id)
            if current.distribution_config is None or current.etag is None:
                raise UnexpectedResponseError(
                    f"GetDistributionConfig returned nothing for {distribution_id}"
                )
            return ETagged(current.distribution_config, current.etag)

        async def write(
            changed: cf.DistributionConfig, etag: str, sends: Sends
        ) -> cf.UpdateDistributionResult:
            request = cf.UpdateDistributionRequest(
                id=distribution_id, if_match=etag, distribution_config=changed
            )
            return await self._core.invoke(
                "UpdateDistribution",
                request,
                cf.UpdateDistributionResult,
                retry=self._retry,
                sends=sends,
                checked=True,  # apply_mutation validated the config
            )

        async def unchanged(_: ETagged[cf.DistributionConfig]) -> cf.UpdateDistributionResult:
            current = await self.get(distribution_id)
            return cf.UpdateDistributionResult(distribution=current.distribution, etag=current.etag)

        updated = await read_modify_write(
            core=self._core,
            key=_key(distribution_id),
            read=read,
            write=write,
            mutate=mutate,
            unchanged=unchanged,
            policy=self._retry,
            if_match=if_match,
        )
        if wait:
            deployed = await self.wait_deployed(distribution_id)
            return cf.UpdateDistributionResult(
                distribution=deployed.distribution, etag=deployed.etag
            )
        return updated

    async def copy_to_staging(
        self,
        primary_id: str,
        *,
        caller_reference: str | None = None,
        enabled: bool | None = None,
        wait: bool = False,
    ) -> cf.CopyDistributionResult:
        """Copy the primary into a new staging distribution (``Staging=true``).

        The CallerReference is generated once per call when omitted, so a retried copy that
        already happened returns the copy instead of failing."""
        reference = caller_reference or str(uuid.uuid4())
        # Counted across re-reads too: any earlier send of this reference may have landed.
        sends = Sends()

        async def attempt() -> cf.CopyDistributionResult:
            etag = (await self.get_config(primary_id)).etag
            request = build_request(
                cf.CopyDistributionRequest,
                primary_distribution_id=primary_id,
                staging=True,
                if_match=etag,
                caller_reference=reference,
                enabled=enabled,
            )
            return await self._create_once(
                "CopyDistribution", checked_wire(request), cf.CopyDistributionResult, sends
            )

        copied = await retry_on_stale(
            self._core, attempt, what=_key(primary_id), policy=self._retry
        )
        if wait and copied.distribution is not None:
            deployed = await self.wait_deployed(copied.distribution.id)
            return cf.CopyDistributionResult(
                distribution=deployed.distribution, etag=deployed.etag, location=copied.location
            )
        return copied

    async def attach_continuous_deployment_policy(
        self, primary_id: str, policy_id: str, *, wait: bool = False
    ) -> cf.UpdateDistributionResult:
        """Point the primary at a continuous deployment policy."""

        def attach(config: cf.DistributionConfig) -> None:
            config.continuous_deployment_policy_id = policy_id

        return await self.update(primary_id, mutate=attach, wait=wait)

    async def promote_staging(
        self, primary_id: str, staging_id: str, *, wait: bool = False
    ) -> cf.UpdateDistributionWithStagingConfigResult:
        """Copy the staging config onto the primary (UpdateDistributionWithStagingConfig).

        CloudFront takes both ETags in one If-Match, ``"<primary>, <staging>"``; both are read
        fresh, and re-read if either changed before the promotion landed.
        """

        async def attempt() -> cf.UpdateDistributionWithStagingConfigResult:
            primary = await self.get_config(primary_id)
            staging = await self.get_config(staging_id)
            request = build_request(
                cf.UpdateDistributionWithStagingConfigRequest,
                id=primary_id,
                staging_distribution_id=staging_id,
                if_match=f"{primary.etag}, {staging.etag}",
            )
            return await self._invoke(
                "UpdateDistributionWithStagingConfig",
                request,
                cf.UpdateDistributionWithStagingConfigResult,
            )

        # Locks taken in a fixed order so two promotions cannot deadlock.
        first, second = sorted((_key(primary_id), _key(staging_id)))
        async with self._core.locks.get(first), self._core.locks.get(second):
            promoted = await retry_on_stale(
                self._core, attempt, what=_key(primary_id), policy=self._retry
            )
        if wait:
            deployed = await self.wait_deployed(primary_id)
            return cf.UpdateDistributionWithStagingConfigResult(
                distribution=deployed.distribution, etag=deployed.etag
            )
        return promoted

    async def delete(self, distribution_id: str, *, timeout: float | None = None) -> None:
        """Disable the distribution if needed, wait until it is deployed, then delete it."""

        def disable(config: cf.DistributionConfig) -> None:
            config.enabled = False

        await self.update(distribution_id, mutate=disable)
        await self.wait_deployed(distribution_id, timeout=timeout)

        async def attempt() -> None:
            etag = (await self.get_config(distribution_id)).etag
            request = build_request(cf.DeleteDistributionRequest, id=distribution_id, if_match=etag)
            await delete_after_read(
                lambda: self._send("DeleteDistribution", request), was_read=True
            )

        async with self._core.locks.get(_key(distribution_id)):
            await retry_on_stale(
                self._core, attempt, what=_key(distribution_id), policy=self._retry
            )

    async def wait_deployed(
        self, distribution_id: str, *, timeout: float | None = None
    ) -> cf.GetDistributionResult:
        """Return the distribution (and its ETag) once its status is ``Deployed``."""

        async def fetch() -> cf.GetDistributionResult:
            return await self.get(distribution_id)

        async for state in poll(
            self._core,
            fetch,
            policy=self._wait,
            timeout=timeout,
            what=f"distribution {distribution_id}",
        ):
            if state.distribution is not None and state.distribution.status == _DEPLOYED:
                return state
        raise AssertionError("unreachable: poll ends by returning or raising")
