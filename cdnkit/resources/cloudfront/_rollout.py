"""Progressive rollout through weight steps with a health gate, and the ordered teardown of a
continuous deployment setup: the multi-call workflows of ``cf.continuous_deployment_policies``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Literal

from ..._core import ServiceCore, build_request
from ..._exceptions import InvalidRequestError, NotFoundError
from ...types import cloudfront as cf
from ._continuous_deployment_checks import (
    ContinuousDeploymentStepError,
    RolloutHaltedError,
    names_staging,
)

if TYPE_CHECKING:  # without an import cycle at run time
    from .continuous_deployment_policies import ContinuousDeploymentPolicies
    from .distributions import Distributions

__all__ = ["Gate", "GateVerdict", "RolloutResult", "RolloutStep", "rollout", "teardown"]

logger = logging.getLogger("cdnkit.cloudfront")


@dataclasses.dataclass(frozen=True, kw_only=True)
class RolloutStep:
    """One step of a rollout, as the gate is asked about it."""

    #: 1-based position in the steps.
    number: int
    #: The share of traffic staging has had during the hold (0 to 0.15).
    weight: float
    primary_id: str
    staging_id: str
    policy_id: str
    #: Seconds held at this weight before the gate was asked.
    hold: float


@dataclasses.dataclass(frozen=True)
class GateVerdict:
    """A gate's answer: ``passed``, and why (shown in :class:`cdnkit.RolloutHaltedError`)."""

    passed: bool
    reason: str = ""

    def __post_init__(self) -> None:
        # A truthy non-bool ("no", a one-element list) must not pass a rollout step; raised
        # in a gate, this error fails the step.
        if type(self.passed) is not bool:
            raise InvalidRequestError(
                f"GateVerdict.passed: True or False, not {type(self.passed).__name__}"
            )
        if not isinstance(self.reason, str):
            raise InvalidRequestError(
                f"GateVerdict.reason: a str, not {type(self.reason).__name__}"
            )


#: Any async callable taking the step and answering a verdict (or a plain bool).
#: A health gate: a function or a coroutine function of the step, answering a verdict or a
#: bool (a coroutine's answer is awaited).
Gate = Callable[[RolloutStep], Awaitable[GateVerdict | bool] | GateVerdict | bool]


@dataclasses.dataclass(frozen=True)
class RolloutResult:
    """What a rollout went through: each step with its gate's verdict, and the promotion."""

    steps: list[tuple[RolloutStep, GateVerdict]]
    promoted: cf.UpdateDistributionWithStagingConfigResult | None = None


def check_steps(steps: Sequence[float], hold: float) -> list[float]:
    """The weights, checked: at least one, each above 0 and at most 0.15, increasing."""
    if not steps:
        raise InvalidRequestError("steps: give at least one weight (for example 0.01, 0.05)")
    weights: list[float] = []
    for index, weight in enumerate(steps):
        # The model carries the 0.15 ceiling; the error names the rule.
        build_request(cf.ContinuousDeploymentSingleWeightConfig, weight=weight)
        if not weight > 0:
            raise InvalidRequestError(f"steps[{index}]: a step's weight must be above 0")
        if weights and weight <= weights[-1]:
            raise InvalidRequestError(
                f"steps[{index}]: weights must increase ({weights[-1]} then {weight})"
            )
        weights.append(float(weight))
    if not (hold >= 0 and math.isfinite(hold)):
        raise InvalidRequestError(f"hold: must be a finite number of seconds >= 0, not {hold!r}")
    return weights


def _weight_on(weight: float) -> Callable[[cf.ContinuousDeploymentPolicyConfig], None]:
    """A mutator: SingleWeight ``weight`` (stickiness kept), policy enabled."""
    from .continuous_deployment_policies import set_weight

    set_to = set_weight(weight)

    def mutate(config: cf.ContinuousDeploymentPolicyConfig) -> None:
        set_to(config)
        config.enabled = True

    return mutate


async def _verdict(gate: Gate, step: RolloutStep) -> tuple[GateVerdict, BaseException | None]:
    try:
        answer: object = gate(step)
        if inspect.isawaitable(answer):
            answer = await answer
    except Exception as error:  # a gate that cannot tell is a failing gate
        return GateVerdict(False, f"the gate raised {type(error).__name__}: {error}"), error
    if isinstance(answer, GateVerdict):
        return answer, None
    if isinstance(answer, bool):
        return GateVerdict(answer, "" if answer else "the gate answered False"), None
    return GateVerdict(False, f"the gate answered {type(answer).__name__}, not a verdict"), None


async def rollout(
    policies: ContinuousDeploymentPolicies,
    distributions: Distributions,
    core: ServiceCore,
    *,
    primary_id: str,
    staging_id: str,
    steps: Sequence[float],
    hold: float,
    gate: Gate,
    promote: bool,
    on_failure: Literal["zero", "disable"],
    reset_staging: bool,
) -> RolloutResult:
    """See ContinuousDeploymentPolicies.rollout."""
    weights = check_steps(steps, hold)
    if not callable(gate):
        raise InvalidRequestError(
            f"gate: a function of the step answering a bool or a GateVerdict (or a coroutine "
            f"function), not {type(gate).__name__}"
        )
    if primary_id == staging_id:
        raise InvalidRequestError("staging_id: the staging distribution is the primary")
    primary = await distributions.get_config(primary_id)
    policy_id = primary.distribution_config.continuous_deployment_policy_id
    if not policy_id:
        raise InvalidRequestError(
            f"primary_id: distribution {primary_id} has no continuous deployment policy "
            "attached (attach_continuous_deployment_policy first)"
        )
    staging = await distributions.get(staging_id)
    policy = await policies.get_config(policy_id)
    if not names_staging(
        policy.continuous_deployment_policy_config, staging.distribution.domain_name
    ):
        raise InvalidRequestError(
            f"staging_id: policy {policy_id} of {primary_id} does not name staging "
            f"{staging_id} ({staging.distribution.domain_name})"
        )

    passed: list[tuple[RolloutStep, GateVerdict]] = []
    for number, weight in enumerate(weights, start=1):
        await policies.update(policy_id, mutate=_weight_on(weight))
        # CloudFront redeploys the primary for a policy change: traffic moves once deployed.
        await distributions.wait_deployed(primary_id)
        logger.info(
            "rollout of %s: step %d at weight %g, holding %gs", primary_id, number, weight, hold
        )
        if hold:
            async with core.scope():
                await core.sleep(hold)
        step = RolloutStep(
            number=number,
            weight=weight,
            primary_id=primary_id,
            staging_id=staging_id,
            policy_id=policy_id,
            hold=hold,
        )
        verdict, raised = await _verdict(gate, step)
        if verdict.passed:
            passed.append((step, verdict))
            continue
        from .continuous_deployment_policies import set_enabled, set_weight

        rollback = set_weight(0.0) if on_failure == "zero" else set_enabled(False)
        rolled_back = True
        try:
            await policies.update(policy_id, mutate=rollback)
        except Exception:
            logger.exception("rollout of %s: the rollback after step %d failed", primary_id, number)
            rolled_back = False
        undone = (
            ("weight set to 0" if on_failure == "zero" else "policy disabled")
            if rolled_back
            else f"the rollback failed: staging may still get {weight:g} of the traffic"
        )
        reason = verdict.reason or "the gate did not pass"
        raise RolloutHaltedError(
            f"rollout of {primary_id} halted at step {number} (weight {weight:g}): {reason}; "
            f"{undone}",
            step=number,
            weight=weight,
            reason=reason,
            rolled_back=rolled_back,
        ) from raised
    promoted = None
    if promote:
        promoted = await distributions.promote_staging(
            primary_id, staging_id, wait=True, reset_staging=reset_staging
        )
    return RolloutResult(passed, promoted)


async def teardown(
    policies: ContinuousDeploymentPolicies,
    distributions: Distributions,
    *,
    policy_id: str,
    primary_id: str,
    staging_id: str,
    timeout: float | None,
) -> None:
    """See ContinuousDeploymentPolicies.teardown."""
    if primary_id == staging_id:
        raise InvalidRequestError("staging_id: the staging distribution is the primary")
    # Every id checked as its requests will be, before the first read.
    build_request(cf.GetContinuousDeploymentPolicyRequest, id=policy_id)
    build_request(cf.GetDistributionConfigRequest, id=primary_id)
    build_request(cf.GetDistributionRequest, id=staging_id)

    # Reads first: refuse ids that do not belong together before anything changes.
    try:
        staging = (await distributions.get(staging_id)).distribution
    except NotFoundError:
        staging = None
    try:
        policy = (await policies.get(policy_id)).continuous_deployment_policy
    except NotFoundError:
        policy = None
    try:
        primary = (await distributions.get_config(primary_id)).distribution_config
    except NotFoundError:
        primary = None
    if staging is not None and not staging.distribution_config.staging:
        raise InvalidRequestError(f"staging_id: distribution {staging_id} is not a staging one")
    if (
        staging is not None
        and policy is not None
        and not names_staging(policy.continuous_deployment_policy_config, staging.domain_name)
    ):
        raise InvalidRequestError(
            f"staging_id: policy {policy_id} does not name staging {staging_id}"
        )
    attached = primary.continuous_deployment_policy_id if primary is not None else None
    if attached and attached != policy_id:
        raise InvalidRequestError(
            f"primary_id: distribution {primary_id} has policy {attached} attached, not {policy_id}"
        )

    from .continuous_deployment_policies import set_enabled

    done: list[str] = []

    async def disable_policy() -> None:
        if policy is not None and policy.continuous_deployment_policy_config.enabled:
            await policies.update(policy_id, mutate=set_enabled(False))

    async def detach() -> None:
        if attached:
            await distributions.detach_continuous_deployment_policy(primary_id)

    async def wait_primary() -> None:
        if primary is not None:
            await distributions.wait_deployed(primary_id, timeout=timeout)

    async def delete_policy() -> None:
        if policy is not None:
            # Gone already: an earlier run's delete whose answer was lost.
            with contextlib.suppress(NotFoundError):
                await policies.delete(policy_id)

    async def delete_staging() -> None:
        if staging is not None:
            with contextlib.suppress(NotFoundError):
                await distributions.delete(staging_id, timeout=timeout)

    plan: list[tuple[str, Callable[[], Awaitable[None]], str]] = [
        ("disable policy", disable_policy, "nothing changed yet"),
        ("detach policy", detach, f"policy {policy_id} is disabled and still attached"),
        ("wait deployed", wait_primary, f"policy {policy_id} is disabled and detached"),
        ("delete policy", delete_policy, f"policy {policy_id} is disabled and detached"),
        (
            "delete staging",
            delete_staging,
            f"policy {policy_id} is deleted; staging {staging_id} may be disabled, not deleted",
        ),
    ]
    for step, run, state in plan:
        try:
            await run()
        except Exception as error:
            raise ContinuousDeploymentStepError(
                f"teardown of {primary_id}: step {step!r} failed ({error}); {state}. Run the "
                "same teardown again to finish",
                step=step,
                done=done,
                state=state,
            ) from error
        done.append(step)
