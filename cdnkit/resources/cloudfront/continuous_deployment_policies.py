"""``cf.continuous_deployment_policies``: staged traffic shifting to a staging distribution."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Literal, overload

from ..._core import Sends, build_request, check_timeout, checked_wire
from ..._etag import (
    ETagged,
    Mutated,
    Mutator,
    check_replacement,
    delete_after_read,
    read_modify_write,
    retry_on_stale,
)
from ..._exceptions import ConflictError, InvalidRequestError
from ..._models import to_wire
from ...types import cloudfront as cf
from .._base import Resource, call_started, made_before
from ._reconcile import send_create
from ._rollout import Gate, RolloutResult, rollout, teardown

if TYPE_CHECKING:
    from .distributions import Distributions

__all__ = [
    "ContinuousDeploymentPolicies",
    "set_enabled",
    "set_weight",
    "single_header",
    "single_weight",
]


def single_weight(
    weight: float, *, idle_ttl: int | None = None, maximum_ttl: int | None = None
) -> cf.TrafficConfig:
    """Send ``weight`` (0 to 0.15) of the traffic to staging, optionally sticky per session
    (both TTLs 300 to 3600 seconds, idle <= maximum).

    Checked at once: a bad value raises :class:`cdnkit.RequestValidationError` naming it.
    """
    stickiness = None
    if idle_ttl is not None or maximum_ttl is not None:
        if idle_ttl is None or maximum_ttl is None:
            raise InvalidRequestError(
                "single_weight: session stickiness needs both idle_ttl and maximum_ttl"
            )
        stickiness = build_request(
            cf.SessionStickinessConfig, idle_ttl=idle_ttl, maximum_ttl=maximum_ttl
        )
    return build_request(
        cf.TrafficConfig,
        type="SingleWeight",
        single_weight_config=build_request(
            cf.ContinuousDeploymentSingleWeightConfig,
            weight=weight,
            session_stickiness_config=stickiness,
        ),
    )


def single_header(header: str, value: str) -> cf.TrafficConfig:
    """Send requests carrying ``header: value`` to staging (the header starts ``aws-cf-cd-``).

    Checked at once: a bad header raises :class:`cdnkit.RequestValidationError` naming it.
    """
    return build_request(
        cf.TrafficConfig,
        type="SingleHeader",
        single_header_config=build_request(
            cf.ContinuousDeploymentSingleHeaderConfig, header=header, value=value
        ),
    )


def set_weight(weight: float) -> Callable[[cf.ContinuousDeploymentPolicyConfig], None]:
    """A mutator that sets a SingleWeight policy's weight, keeping its session stickiness.

    The weight is checked here, before the policy is even read.
    """
    build_request(cf.ContinuousDeploymentSingleWeightConfig, weight=weight)

    def mutate(config: cf.ContinuousDeploymentPolicyConfig) -> None:
        current = config.traffic_config
        stickiness = (
            current.single_weight_config.session_stickiness_config
            if current is not None and current.single_weight_config is not None
            else None
        )
        config.traffic_config = cf.TrafficConfig(
            type="SingleWeight",
            single_weight_config=cf.ContinuousDeploymentSingleWeightConfig(
                weight=weight, session_stickiness_config=stickiness
            ),
        )

    return mutate


def set_enabled(enabled: bool) -> Callable[[cf.ContinuousDeploymentPolicyConfig], None]:
    """A mutator that turns the policy on or off (``enabled`` checked here, before any read)."""
    if type(enabled) is not bool:
        raise InvalidRequestError(f"enabled: True or False, not {type(enabled).__name__}")

    def mutate(config: cf.ContinuousDeploymentPolicyConfig) -> None:
        config.enabled = enabled

    return mutate


class ContinuousDeploymentPolicies(Resource):
    """Create, read, change and delete continuous deployment policies; ETags are automatic."""

    async def create(
        self,
        *,
        staging_distribution_dns_names: Sequence[str],
        traffic_config: cf.TrafficConfig,
        enabled: bool = True,
    ) -> cf.CreateContinuousDeploymentPolicyResult:
        """Create a policy (``Quantity`` derived from the DNS names).

        Retried on transient failures. A policy has no client token, but a staging
        distribution has one policy: after a lost answer the resend answers
        StagingDistributionInUse, and the policy with exactly this config (the one the first
        send made, not changed before this call began less 2 s for clock differences) is
        returned. On a first attempt, or when no policy matches, it is raised.
        """
        config = build_request(
            cf.ContinuousDeploymentPolicyConfig,
            staging_distribution_dns_names=cf.StagingDistributionDnsNames(
                items=list(staging_distribution_dns_names)
            ),
            enabled=enabled,
            traffic_config=traffic_config,
        )
        request = cf.CreateContinuousDeploymentPolicyRequest(
            continuous_deployment_policy_config=config
        )
        wanted = to_wire(config)

        since = call_started()

        async def reconcile(
            error: ConflictError,
        ) -> cf.CreateContinuousDeploymentPolicyResult | None:
            # A retry meeting the policy an earlier send made: one staging distribution has
            # one policy, so look for the policy with exactly this config.
            if error.code != "StagingDistributionInUse":
                return None
            async for policy in self.list():
                if to_wire(policy.continuous_deployment_policy_config) == wanted:
                    existing = await self.get(policy.id)
                    made = existing.continuous_deployment_policy.last_modified_time
                    if made_before(made, since):
                        continue  # another writer's, from before this call
                    return cf.CreateContinuousDeploymentPolicyResult(
                        continuous_deployment_policy=existing.continuous_deployment_policy,
                        etag=existing.etag,
                    )
            return None

        return await send_create(
            self._core,
            self._retry,
            "CreateContinuousDeploymentPolicy",
            checked_wire(request),
            cf.CreateContinuousDeploymentPolicyResult,
            reconcile,
        )

    async def get(self, policy_id: str) -> cf.GetContinuousDeploymentPolicyResult:
        """Send GetContinuousDeploymentPolicy (retried on throttling, 5xx and lost connections per
        the client's RetryPolicy); return the policy and its ETag.

        Waits for nothing. Raises :class:`cdnkit.NotFoundError` for an unknown id.
        """
        request = build_request(cf.GetContinuousDeploymentPolicyRequest, id=policy_id)
        return await self._invoke(
            "GetContinuousDeploymentPolicy", request, cf.GetContinuousDeploymentPolicyResult
        )

    async def get_config(self, policy_id: str) -> cf.GetContinuousDeploymentPolicyConfigResult:
        """Send GetContinuousDeploymentPolicyConfig (retried on throttling, 5xx and lost connections
        per the client's RetryPolicy); return the config and its ETag (what an update sends back).
        Waits for nothing. Raises :class:`cdnkit.NotFoundError` for an unknown id."""
        request = build_request(cf.GetContinuousDeploymentPolicyConfigRequest, id=policy_id)
        return await self._invoke(
            "GetContinuousDeploymentPolicyConfig",
            request,
            cf.GetContinuousDeploymentPolicyConfigResult,
        )

    def list(self) -> AsyncIterator[cf.ContinuousDeploymentPolicy]:
        """Every policy: sends ListContinuousDeploymentPolicies, one page at a time as the iteration
        goes (each request retried on throttling, 5xx and lost connections per the client's
        RetryPolicy). Waits for nothing."""

        def page(
            reply: cf.ListContinuousDeploymentPoliciesResult,
        ) -> tuple[list[cf.ContinuousDeploymentPolicy], str | None]:
            listing = reply.continuous_deployment_policy_list
            items = [s.continuous_deployment_policy for s in listing.items or ()]
            return items, listing.next_marker

        return self._paginate(
            "ListContinuousDeploymentPolicies",
            lambda marker: cf.ListContinuousDeploymentPoliciesRequest(marker=marker),
            cf.ListContinuousDeploymentPoliciesResult,
            page,
        )

    @overload
    async def update(
        self,
        policy_id: str,
        *,
        mutate: Mutator[cf.ContinuousDeploymentPolicyConfig],
        if_match: str | None = None,
    ) -> cf.UpdateContinuousDeploymentPolicyResult: ...

    @overload
    async def update(
        self,
        policy_id: str,
        *,
        config: cf.ContinuousDeploymentPolicyConfig,
        if_match: str | None = None,
    ) -> cf.UpdateContinuousDeploymentPolicyResult: ...

    async def update(
        self,
        policy_id: str,
        *,
        mutate: Mutator[cf.ContinuousDeploymentPolicyConfig] | None = None,
        config: cf.ContinuousDeploymentPolicyConfig | None = None,
        if_match: str | None = None,
    ) -> cf.UpdateContinuousDeploymentPolicyResult:
        """Change the policy: ``mutate`` edits a copy of the current config (re-applied if
        someone else wrote in between), or ``config`` replaces it. A change that changes
        nothing sends nothing and returns the policy as it is.

        With ``if_match`` that ETag is sent and a conflict is raised, not retried. Transient
        failures are retried. After a lost answer the resend is refused as stale by this
        call's own write: when the policy read again holds what was sent, it is returned as
        it is (one write, even with ``if_match``); otherwise the change is another writer's
        and the mutation is re-applied to a fresh read (or the conflict raised).
        """
        if (mutate is None) == (config is None):
            raise InvalidRequestError("update: pass exactly one of mutate= or config=")
        if config is not None:
            check_replacement(config)
            replacement = config

            def replace(
                _: cf.ContinuousDeploymentPolicyConfig,
            ) -> cf.ContinuousDeploymentPolicyConfig:
                return replacement

            mutate = replace
        assert mutate is not None
        latest: list[cf.ContinuousDeploymentPolicy] = []

        async def read() -> ETagged[cf.ContinuousDeploymentPolicyConfig]:
            current = await self.get(policy_id)
            policy = current.continuous_deployment_policy
            latest[:] = [policy]
            return ETagged(policy.continuous_deployment_policy_config, current.etag)

        async def write(
            change: Mutated[cf.ContinuousDeploymentPolicyConfig], etag: str, sends: Sends
        ) -> cf.UpdateContinuousDeploymentPolicyResult:
            # The config as mutate_copy checked it; the id passed the read's request checks.
            params = {
                "Id": policy_id,
                "IfMatch": etag,
                "ContinuousDeploymentPolicyConfig": change.wire,
            }
            return await self._core.invoke_wire(
                "UpdateContinuousDeploymentPolicy",
                params,
                cf.UpdateContinuousDeploymentPolicyResult,
                retry=self._retry,
                sends=sends,
            )

        async def unchanged(
            current: ETagged[cf.ContinuousDeploymentPolicyConfig],
        ) -> cf.UpdateContinuousDeploymentPolicyResult:
            return cf.UpdateContinuousDeploymentPolicyResult(
                continuous_deployment_policy=latest[0], etag=current.etag
            )

        return await read_modify_write(
            core=self._core,
            key=f"continuous-deployment-policy/{policy_id}",
            read=read,
            write=write,
            mutate=mutate,
            unchanged=unchanged,
            policy=self._retry,
            if_match=if_match,
        )

    async def delete(self, policy_id: str, *, if_match: str | None = None) -> None:
        """Delete the policy (detach it from its primary first). Retried on transient
        failures and, without ``if_match``, on stale ETags. After a lost answer the resend
        finds the policy gone: the delete landed, and that is success."""

        async def attempt() -> None:
            etag = if_match or (await self.get(policy_id)).etag
            request = build_request(
                cf.DeleteContinuousDeploymentPolicyRequest, id=policy_id, if_match=etag
            )
            await delete_after_read(
                lambda sends: self._send("DeleteContinuousDeploymentPolicy", request, sends=sends),
                was_read=if_match is None,
            )

        async with self._core.locks.get(f"continuous-deployment-policy/{policy_id}"):
            await retry_on_stale(
                self._core,
                attempt,
                what=f"policy {policy_id}",
                policy=self._retry,
                manual=if_match is not None,
            )

    def _distributions(self) -> Distributions:
        from .distributions import Distributions

        return Distributions(self._core, retry=self._retry, wait=self._wait)

    async def rollout(
        self,
        primary_id: str,
        staging_id: str,
        *,
        steps: Sequence[float],
        hold: float,
        gate: Gate,
        promote: bool = False,
        on_failure: Literal["zero", "disable"] = "zero",
        reset_staging: bool = False,
    ) -> RolloutResult:
        """Shift traffic to staging step by step, asking ``gate`` at each step.

        For each weight of ``steps`` (increasing, each above 0 and at most 0.15, for example
        ``(0.01, 0.05, 0.15)``): set the policy attached to the primary to that SingleWeight
        (enabled, stickiness kept; an :meth:`update`), wait until the primary is Deployed,
        hold ``hold`` seconds (on the client's ``clock=`` if any, ended by its close), then
        ask ``gate(step)`` (a :class:`RolloutStep`; a function or a coroutine function), which
        answers a :class:`GateVerdict` or a bool. A failing gate (False, a failed verdict, or
        an exception) rolls back (``on_failure="zero"``: weight 0; ``"disable"``: the policy
        disabled) and raises :class:`cdnkit.RolloutHaltedError` with the step, the weight and
        the reason. After the last step, ``promote`` runs
        :meth:`Distributions.promote_staging` (with its checks, waiting until Deployed, and
        ``reset_staging``).

        Checked before any write: the steps and hold, a policy attached to the primary that
        names the staging distribution (:class:`cdnkit.InvalidRequestError`). Other failures
        (a write that runs out of retries) are raised as they are, leaving the weight of the
        last step set; running the rollout again starts from the first step. A rollout that is
        cancelled (or whose client closes) during a hold or the gate stops there, with no
        rollback: staging keeps that step's weight until you set it (``update`` with
        ``set_weight(0.0)``) or run the rollout again.
        """
        return await rollout(
            self,
            self._distributions(),
            self._core,
            primary_id=primary_id,
            staging_id=staging_id,
            steps=steps,
            hold=hold,
            gate=gate,
            promote=promote,
            on_failure=on_failure,
            reset_staging=reset_staging,
        )

    async def teardown(
        self,
        policy_id: str,
        *,
        primary_id: str,
        staging_id: str,
        timeout: float | None = None,
    ) -> None:
        """Take a continuous deployment setup apart in the order CloudFront accepts: disable
        the policy, detach it from the primary, wait until the primary is Deployed, delete
        the policy, then disable, wait for and delete the staging distribution
        (:meth:`Distributions.delete`). ``timeout`` bounds each wait (else the wait policy's).

        Each step is skipped when its effect is already in place (a gone resource counts as
        done), so after a failure at any step, running the same teardown again finishes it.
        A failure raises :class:`cdnkit.ContinuousDeploymentStepError` naming the step and
        the state left. Checked first by reads, before any write: the ids belong together
        (the staging distribution is a staging one named by the policy, the primary has this
        policy or none attached), else :class:`cdnkit.InvalidRequestError`.
        """
        if timeout is not None:
            check_timeout(timeout)  # before the first step
        await teardown(
            self,
            self._distributions(),
            policy_id=policy_id,
            primary_id=primary_id,
            staging_id=staging_id,
            timeout=timeout,
        )
