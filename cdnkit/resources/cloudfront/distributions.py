"""``cf.distributions``: CloudFront distributions, staging copies and promotion."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar, overload

from ..._core import Sends, build_request, check_timeout, checked_wire, poll
from ..._etag import (
    ETagged,
    Mutated,
    Mutator,
    apply_mutation,
    check_replacement,
    delete_after_read,
    holds,
    read_modify_write,
    retry_on_stale,
    send_conditional,
)
from ..._exceptions import (
    ConflictError,
    InvalidRequestError,
    NotFoundError,
)
from ..._models import parse_response, to_wire
from ...types import cloudfront as cf
from .._base import Resource
from ._continuous_deployment_checks import (
    CHANGEABLE_IN_CONTINUOUS_DEPLOYMENT,
    HTTP3_VERSIONS,
    ContinuousDeploymentChangeError,
    ContinuousDeploymentStepError,
    PromotionNotReadyError,
    changed_members,
    check_change,
    check_config,
    check_immutable,
    names_staging,
)
from ._reconcile import send_create

__all__ = ["Distributions", "distribution_config"]

_DEPLOYED = "Deployed"
_EXISTING_ID = re.compile(r"\b(E[A-Z0-9]{8,})\b")
#: DistributionConfig members a promotion keeps from the primary (the rest comes from staging).
_KEPT_ON_PROMOTION = ("CallerReference", "Aliases", "ContinuousDeploymentPolicyId", "Staging")
#: What reset_staging copies from the primary: what may change in continuous deployment.
_RESET_FROM_PRIMARY = tuple(
    sorted(CHANGEABLE_IN_CONTINUOUS_DEPLOYMENT - {"ContinuousDeploymentPolicyId"})
)


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


# By name: the models load when first used, not when this module is imported.
_Created = TypeVar("_Created", "cf.CreateDistributionResult", "cf.CopyDistributionResult")


class Distributions(Resource):
    """Distributions; every change handles the ETag, ``wait=True`` means ``Deployed``."""

    async def get(self, distribution_id: str) -> cf.GetDistributionResult:
        """Send GetDistribution (retried on throttling, 5xx and lost connections per the client's
        RetryPolicy); return the distribution (status, domain name, config) and its ETag. Waits for
        nothing (see :meth:`wait_deployed`). Raises :class:`cdnkit.NotFoundError` for an unknown id.
        """
        return await self._call(
            "GetDistribution",
            cf.GetDistributionRequest,
            cf.GetDistributionResult,
            id=distribution_id,
        )

    async def get_config(self, distribution_id: str) -> cf.GetDistributionConfigResult:
        """Send GetDistributionConfig (retried on throttling, 5xx and lost connections per the
        client's RetryPolicy); return the config and its ETag (what an update sends back). Waits for
        nothing. Raises :class:`cdnkit.NotFoundError` for an unknown id."""
        return await self._call(
            "GetDistributionConfig",
            cf.GetDistributionConfigRequest,
            cf.GetDistributionConfigResult,
            id=distribution_id,
        )

    def list(self) -> AsyncIterator[cf.DistributionSummary]:
        """Every distribution's summary: sends ListDistributions, one page at a time as the
        iteration goes (each request retried on throttling, 5xx and lost connections per the
        client's RetryPolicy). Waits for nothing."""

        def page(
            reply: cf.ListDistributionsResult,
        ) -> tuple[list[cf.DistributionSummary], str | None]:
            listing = reply.distribution_list
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

        Retried on transient failures (throttling, 5xx, no answer) with the same
        CallerReference. After a lost answer the resend answers DistributionAlreadyExists
        naming the distribution the first send made: that one is returned (one distribution).
        On a first attempt the same error is raised: the reference is someone else's.
        """
        check_config(to_wire(config))
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

    @overload
    async def update(
        self,
        distribution_id: str,
        *,
        mutate: Mutator[cf.DistributionConfig],
        if_match: str | None = None,
        wait: bool = False,
    ) -> cf.UpdateDistributionResult: ...

    @overload
    async def update(
        self,
        distribution_id: str,
        *,
        config: cf.DistributionConfig,
        if_match: str | None = None,
        wait: bool = False,
    ) -> cf.UpdateDistributionResult: ...

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
        (re-applied after a conflicting write), or ``config`` replaces it.

        The write carries the ETag read with the config (or ``if_match``, then a conflict is
        raised as :class:`cdnkit.PreconditionFailedError`, not retried). Transient failures
        are retried. After a lost answer the resend is refused as stale by this call's own
        write: when the config read again holds what was sent, that write is returned (the
        mutation is applied once, even with ``if_match``); otherwise it is another writer's
        change, and the mutation is re-applied to a fresh read (or the conflict raised).

        Before the write, the change is checked against what CloudFront refuses in continuous
        deployment (:class:`cdnkit.ContinuousDeploymentChangeError`, naming the member;
        nothing is written): Aliases on a staging distribution, HTTP/3 with a policy, and,
        while a policy is attached, a change to any member but cache behaviors, origins,
        origin groups, custom error responses, restrictions, default root object, logging
        and comment. A staging distribution counts as in continuous deployment when a policy
        names it (that case costs a GetDistribution and a policy listing, and only when such
        a member changes). Use :meth:`update_detached` for the other changes.
        """
        if (mutate is None) == (config is None):
            raise InvalidRequestError("update: pass exactly one of mutate= or config=")
        if config is not None:
            check_replacement(config)
            check_config(to_wire(config), distribution_id=distribution_id)
            replacement = config

            def replace(_: cf.DistributionConfig) -> cf.DistributionConfig:
                return replacement

            mutate = replace
        assert mutate is not None

        async def read() -> ETagged[cf.DistributionConfig]:
            current = await self.get_config(distribution_id)
            return ETagged(current.distribution_config, current.etag)

        async def write(
            change: Mutated[cf.DistributionConfig], etag: str, sends: Sends
        ) -> cf.UpdateDistributionResult:
            await self._check_change(distribution_id, change.before, change.wire)
            # The config as mutate_copy checked it; the id passed the read's request checks,
            # and the ETag is a plain string.
            params = {"Id": distribution_id, "IfMatch": etag, "DistributionConfig": change.wire}
            return await self._core.invoke_wire(
                "UpdateDistribution",
                params,
                cf.UpdateDistributionResult,
                retry=self._retry,
                sends=sends,
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

        The CallerReference is generated once per call when omitted, and every send of the
        call (transient failures and stale ETags are retried) carries it: after a lost answer,
        the resend answers DistributionAlreadyExists naming the copy the first send made, and
        that copy is returned (one copy).

        A primary that uses HTTP/3 is refused before the copy is sent
        (:class:`cdnkit.ContinuousDeploymentChangeError`): continuous deployment cannot use
        HTTP/3."""
        reference = caller_reference or str(uuid.uuid4())
        # Counted across re-reads too: any earlier send of this reference may have landed.
        sends = Sends()

        async def attempt() -> cf.CopyDistributionResult:
            primary = await self.get_config(primary_id)
            etag = primary.etag
            version = primary.distribution_config.http_version
            if version is not None and version.lower() in HTTP3_VERSIONS:
                raise ContinuousDeploymentChangeError(
                    f"HttpVersion: distribution {primary_id} uses HTTP/3 (HttpVersion "
                    f"{version}), which continuous deployment cannot: a staging copy of it "
                    "could not be used; change HttpVersion to http2 or http1.1 first",
                    distribution_id=primary_id,
                    field="HttpVersion",
                )
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
        """Point the primary at a continuous deployment policy (an :meth:`update`: retried and
        reconciled after a lost answer the same way)."""

        def attach(config: cf.DistributionConfig) -> None:
            config.continuous_deployment_policy_id = policy_id

        return await self.update(primary_id, mutate=attach, wait=wait)

    async def detach_continuous_deployment_policy(
        self, primary_id: str, *, wait: bool = False
    ) -> cf.UpdateDistributionResult:
        """Detach the primary's continuous deployment policy: an :meth:`update` that writes the
        config without ContinuousDeploymentPolicyId (CloudFront has no detach call). A primary
        with no policy sends nothing. Retried and reconciled like :meth:`update`."""

        def detach(config: cf.DistributionConfig) -> None:
            config.continuous_deployment_policy_id = ""

        return await self.update(primary_id, mutate=detach, wait=wait)

    async def update_detached(
        self,
        primary_id: str,
        *,
        mutate: Mutator[cf.DistributionConfig],
        policy_id: str | None = None,
        wait: bool = False,
        timeout: float | None = None,
    ) -> cf.UpdateDistributionResult:
        """Make a change continuous deployment forbids (HttpVersion, PriceClass, Aliases,
        Enabled...) on a primary: detach its policy, apply ``mutate`` (an :meth:`update`),
        wait until the primary is Deployed (``timeout``, else the wait policy's), reattach
        the policy (and wait again when ``wait``).

        The policy is the one attached to the primary, or ``policy_id`` when none is (a
        re-run after a failure that left it detached). Sends: GetDistributionConfig and
        UpdateDistribution per step, GetDistribution polls. Each step is skipped when its
        effect is in place, so re-running after a failure converges (``mutate`` should set
        values, not increment them: it also runs once on the config as read, so that an
        invalid change, or one the reattach would be refused for, fails before the policy is
        detached). A failure midway raises
        :class:`cdnkit.ContinuousDeploymentStepError` saying which step failed and what state
        is left (the policy may be detached: re-run with ``policy_id``). A primary without a
        policy and no ``policy_id``, or attached to another policy, is refused before
        anything is written (:class:`cdnkit.InvalidRequestError`).
        """
        if timeout is not None:
            check_timeout(timeout)  # before the policy is detached
        current = await self.get_config(primary_id)
        attached = current.distribution_config.continuous_deployment_policy_id or ""
        if attached and policy_id and attached != policy_id:
            raise InvalidRequestError(
                f"policy_id: distribution {primary_id} has policy {attached} attached, not "
                f"{policy_id}"
            )
        policy = attached or policy_id
        if not policy:
            raise InvalidRequestError(
                f"policy_id: distribution {primary_id} has no continuous deployment policy "
                "attached; pass policy_id= to reattach one after the change (or use update)"
            )
        # A dry run first: a mutation that is invalid, or that the reattach would be refused
        # for (HTTP/3), fails before the policy is detached.
        planned = to_wire(await apply_mutation(current.distribution_config, mutate))
        planned["ContinuousDeploymentPolicyId"] = policy
        check_config(planned, distribution_id=primary_id)
        done: list[str] = []

        def failed(step: str, state: str, error: BaseException) -> ContinuousDeploymentStepError:
            return ContinuousDeploymentStepError(
                f"update_detached({primary_id}): step {step!r} failed ({error}); {state}. "
                f"Run update_detached({primary_id!r}, policy_id={policy!r}, ...) again to "
                "finish",
                step=step,
                done=done,
                state=state,
            )

        results: list[cf.UpdateDistributionResult] = []

        async def detach() -> None:
            await self.detach_continuous_deployment_policy(primary_id)

        async def change() -> None:
            await self.update(primary_id, mutate=mutate)

        async def settle() -> None:
            await self.wait_deployed(primary_id, timeout=timeout)

        async def reattach() -> None:
            results.append(await self.attach_continuous_deployment_policy(primary_id, policy))

        plan: list[tuple[str, Callable[[], Awaitable[None]], str]] = [
            ("detach", detach, f"policy {policy} may still be attached; nothing else changed"),
            (
                "change",
                change,
                f"policy {policy} is detached from {primary_id}; the change may not be applied",
            ),
            ("wait deployed", settle, f"policy {policy} is detached; the change is applied"),
            ("reattach", reattach, f"policy {policy} may be detached; the change is applied"),
        ]
        for step, run, state in plan:
            try:
                await run()
            except Exception as error:
                raise failed(step, state, error) from error
            done.append(step)
        result = results[-1]
        if wait:
            deployed = await self.wait_deployed(primary_id, timeout=timeout)
            return cf.UpdateDistributionResult(
                distribution=deployed.distribution, etag=deployed.etag
            )
        return result

    async def reset_staging(
        self, staging_id: str, *, primary_id: str, wait: bool = False
    ) -> cf.UpdateDistributionResult:
        """Make the staging distribution serve what the primary serves again: copy the
        members continuous deployment lets change (cache behaviors, origins, origin groups,
        custom error responses, restrictions, default root object, logging, comment) from the
        primary's config onto the staging one (an :meth:`update`; nothing is sent when they
        already match). Members continuous deployment freezes are left as they are."""
        primary = await self.get_config(primary_id)
        source = primary.distribution_config

        def copy_primary(config: cf.DistributionConfig) -> cf.DistributionConfig:
            if not config.staging:
                raise InvalidRequestError(
                    f"staging_id: distribution {staging_id} is not a staging distribution"
                )
            wire = to_wire(config)
            primary_wire = to_wire(source)
            for member in _RESET_FROM_PRIMARY:
                if member in primary_wire:
                    wire[member] = primary_wire[member]
                else:
                    wire.pop(member, None)
            return parse_response(cf.DistributionConfig, wire)

        return await self.update(staging_id, mutate=copy_primary, wait=wait)

    async def promote_staging(
        self,
        primary_id: str,
        staging_id: str,
        *,
        wait: bool = False,
        reset_staging: bool = False,
    ) -> cf.UpdateDistributionWithStagingConfigResult:
        """Copy the staging config onto the primary (UpdateDistributionWithStagingConfig).

        CloudFront takes both ETags in one If-Match, ``"<primary>, <staging>"``; both are read
        fresh, and re-read if either changed before the promotion landed. Transient failures
        are retried. After a lost answer the resend is refused as stale (the promotion moved
        the primary's ETag on): when the primary now holds the staging config (all but the
        members a promotion keeps: CallerReference, Aliases, ContinuousDeploymentPolicyId,
        Staging) and its policy is off (a promotion turns it off), that promotion was this
        call's and the primary is returned as it is now; nothing is promoted twice.

        Checked first (reads only): the two ids differ, both distributions are Deployed, the
        staging one is a staging distribution, the primary has a policy attached and enabled,
        and the policy names the staging distribution's domain. Otherwise
        :class:`cdnkit.PromotionNotReadyError` lists every problem and nothing is promoted.
        ``reset_staging`` then runs :meth:`reset_staging` (after the wait, when ``wait``).
        """
        await self._check_promotion(primary_id, staging_id)

        async def attempt() -> cf.UpdateDistributionWithStagingConfigResult:
            primary = await self.get_config(primary_id)
            staging = await self.get_config(staging_id)
            request = build_request(
                cf.UpdateDistributionWithStagingConfigRequest,
                id=primary_id,
                staging_distribution_id=staging_id,
                if_match=f"{primary.etag}, {staging.etag}",
            )
            # What the primary holds once this promotion lands.
            wanted = to_wire(staging.distribution_config)
            for member in _KEPT_ON_PROMOTION:
                wanted.pop(member, None)

            async def send(sends: Sends) -> cf.UpdateDistributionWithStagingConfigResult:
                return await self._invoke(
                    "UpdateDistributionWithStagingConfig",
                    request,
                    cf.UpdateDistributionWithStagingConfigResult,
                    sends=sends,
                )

            async def landed() -> cf.UpdateDistributionWithStagingConfigResult | None:
                now = await self.get(primary_id)
                config = now.distribution.distribution_config
                if not holds(to_wire(config), wanted):
                    return None
                # A promotion also turns the policy off: a primary that held the staging
                # config already, made stale by something else, is not this promotion's work.
                if config.continuous_deployment_policy_id:
                    policy = await self._policy_config(config.continuous_deployment_policy_id)
                    if policy is None or policy.enabled:
                        return None
                return cf.UpdateDistributionWithStagingConfigResult(
                    distribution=now.distribution, etag=now.etag
                )

            return await send_conditional(send, landed)

        # Locks taken in a fixed order so two promotions cannot deadlock.
        first, second = sorted((_key(primary_id), _key(staging_id)))
        async with self._core.locks.get(first), self._core.locks.get(second):
            promoted = await retry_on_stale(
                self._core, attempt, what=_key(primary_id), policy=self._retry
            )
        if wait:
            deployed = await self.wait_deployed(primary_id)
            promoted = cf.UpdateDistributionWithStagingConfigResult(
                distribution=deployed.distribution, etag=deployed.etag
            )
        if reset_staging:
            await self.reset_staging(staging_id, primary_id=primary_id, wait=wait)
        return promoted

    async def _check_promotion(self, primary_id: str, staging_id: str) -> None:
        """Raise PromotionNotReadyError listing every reason the promotion cannot go."""
        if primary_id == staging_id:
            raise PromotionNotReadyError(
                f"promote_staging: the staging distribution is the primary ({primary_id})",
                problems=["staging_id is the primary"],
            )
        primary = await self.get(primary_id)
        staging = await self.get(staging_id)
        problems: list[str] = []
        for role, found in (("primary", primary.distribution), ("staging", staging.distribution)):
            if found.status != _DEPLOYED:
                problems.append(
                    f"{role} distribution {found.id} is {found.status}, not Deployed "
                    "(wait_deployed first)"
                )
        if not staging.distribution.distribution_config.staging:
            problems.append(f"distribution {staging_id} is not a staging distribution")
        policy_id = primary.distribution.distribution_config.continuous_deployment_policy_id
        if not policy_id:
            problems.append(f"primary {primary_id} has no continuous deployment policy attached")
        else:
            policy = await self._policy_config(policy_id)
            if policy is None:
                problems.append(f"policy {policy_id} attached to {primary_id} does not exist")
            else:
                if not policy.enabled:
                    problems.append(f"policy {policy_id} is disabled (a promotion disables it)")
                names = policy.staging_distribution_dns_names.items or []
                domain = staging.distribution.domain_name
                if not names_staging(policy, domain):
                    problems.append(
                        f"policy {policy_id} does not name staging {staging_id} ({domain}); "
                        f"it names {', '.join(names) or 'nothing'}"
                    )
        if problems:
            raise PromotionNotReadyError(
                f"promote_staging({primary_id}, {staging_id}): not ready: " + "; ".join(problems),
                problems=problems,
            )

    async def _check_change(
        self, distribution_id: str, before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        """check_change, finding out whether a staging distribution is in continuous
        deployment only when that decides (a policy listing)."""
        check_immutable(before, after)
        policy = "ContinuousDeploymentPolicyId"
        if before.get(policy) or after.get(policy):
            check_change(
                before, after, distribution_id=distribution_id, in_continuous_deployment=True
            )
            return
        check_config(after, distribution_id=distribution_id)
        if not before.get("Staging"):
            return
        frozen = [
            m
            for m in changed_members(before, after)
            if m not in CHANGEABLE_IN_CONTINUOUS_DEPLOYMENT
        ]
        http3 = str(after.get("HttpVersion") or "").lower() in HTTP3_VERSIONS
        if not frozen and not http3:
            return
        in_use = await self._named_by_policy(distribution_id)
        check_change(
            before, after, distribution_id=distribution_id, in_continuous_deployment=in_use
        )

    async def _named_by_policy(self, staging_id: str) -> bool:
        """Whether a continuous deployment policy names this staging distribution."""
        found = await self.get(staging_id)
        domain = found.distribution.domain_name

        def page(
            reply: cf.ListContinuousDeploymentPoliciesResult,
        ) -> tuple[list[cf.ContinuousDeploymentPolicy], str | None]:
            listing = reply.continuous_deployment_policy_list
            return [
                s.continuous_deployment_policy for s in listing.items or ()
            ], listing.next_marker

        policies = self._paginate(
            "ListContinuousDeploymentPolicies",
            lambda marker: cf.ListContinuousDeploymentPoliciesRequest(marker=marker),
            cf.ListContinuousDeploymentPoliciesResult,
            page,
        )
        async for policy in policies:
            if names_staging(policy.continuous_deployment_policy_config, domain):
                return True
        return False

    async def delete(self, distribution_id: str, *, timeout: float | None = None) -> None:
        """Disable the distribution if needed, wait until it is deployed, then delete it.

        A primary with a continuous deployment policy attached cannot be deleted: that raises
        :class:`cdnkit.ConflictError` naming the policy before anything is changed (detach it
        first: update the primary without ``ContinuousDeploymentPolicyId``).

        The disable is an :meth:`update` (retried and reconciled after a lost answer the same
        way). The delete is retried on transient failures and stale ETags; after a lost
        answer the resend finds the distribution gone: the delete landed, and that is success.
        """
        if timeout is not None:
            check_timeout(timeout)  # before the disable is sent

        def disable(config: cf.DistributionConfig) -> None:
            policy_id = config.continuous_deployment_policy_id
            if policy_id:
                raise ConflictError(
                    f"distribution {distribution_id} has continuous deployment policy "
                    f"{policy_id} attached: detach it (update the distribution without "
                    "ContinuousDeploymentPolicyId) before deleting the distribution",
                    service="cloudfront",
                    operation="DeleteDistribution",
                    code="ContinuousDeploymentPolicyAttached",
                    http_status=None,
                    request_id=None,
                )
            config.enabled = False

        await self.update(distribution_id, mutate=disable)
        await self.wait_deployed(distribution_id, timeout=timeout)

        async def attempt() -> None:
            etag = (await self.get_config(distribution_id)).etag
            request = build_request(cf.DeleteDistributionRequest, id=distribution_id, if_match=etag)
            await delete_after_read(
                lambda sends: self._send("DeleteDistribution", request, sends=sends),
                was_read=True,
            )

        async with self._core.locks.get(_key(distribution_id)):
            await retry_on_stale(
                self._core, attempt, what=_key(distribution_id), policy=self._retry
            )

    async def _policy_config(self, policy_id: str) -> cf.ContinuousDeploymentPolicyConfig | None:
        """The config of a continuous deployment policy; None if there is no such policy."""
        request = build_request(cf.GetContinuousDeploymentPolicyConfigRequest, id=policy_id)
        try:
            found = await self._invoke(
                "GetContinuousDeploymentPolicyConfig",
                request,
                cf.GetContinuousDeploymentPolicyConfigResult,
            )
        except NotFoundError:
            return None
        return found.continuous_deployment_policy_config

    async def wait_deployed(
        self, distribution_id: str, *, timeout: float | None = None
    ) -> cf.GetDistributionResult:
        """Poll GetDistribution (each poll retried as any read; a poll that fails transiently is
        polled through) until the status is ``Deployed``; return the distribution and its ETag.
        Raises :class:`cdnkit.WaiterTimeoutError` (with the last state seen) at ``timeout``
        (default: the client's WaitPolicy), :class:`cdnkit.NotFoundError` for an unknown id."""

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
