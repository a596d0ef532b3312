"""What CloudFront refuses while continuous deployment is on, checked before anything is sent,
and the errors of the continuous deployment workflows.

Works on configs in wire form (``to_wire``), so it imports no model: the rules are about
top-level DistributionConfig members only (AWS-FACTS.md, "Continuous deployment rules beyond
the model").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from ..._exceptions import CdnKitError, InvalidRequestError

if TYPE_CHECKING:
    from ...types.cloudfront import ContinuousDeploymentPolicyConfig

__all__ = [
    "CHANGEABLE_IN_CONTINUOUS_DEPLOYMENT",
    "HTTP3_VERSIONS",
    "ContinuousDeploymentChangeError",
    "ContinuousDeploymentStepError",
    "PromotionNotReadyError",
    "RolloutHaltedError",
    "changed_members",
    "check_change",
    "check_config",
    "names_staging",
]

#: DistributionConfig members that may change while a policy is attached (on the primary and
#: on its staging distribution). ContinuousDeploymentPolicyId itself is how a policy is
#: attached and detached, so it may change too.
CHANGEABLE_IN_CONTINUOUS_DEPLOYMENT: Final = frozenset(
    {
        "CacheBehaviors",
        "DefaultCacheBehavior",
        "Origins",
        "OriginGroups",
        "CustomErrorResponses",
        "Restrictions",
        "DefaultRootObject",
        "Logging",
        "Comment",
        "ContinuousDeploymentPolicyId",
    }
)
#: HttpVersion values that use HTTP/3, which distributions in continuous deployment cannot.
HTTP3_VERSIONS: Final = frozenset({"http3", "http2and3"})


class ContinuousDeploymentChangeError(InvalidRequestError):
    """A change CloudFront refuses for a distribution in continuous deployment (a member that
    cannot change while a policy is attached, Aliases on a staging distribution, HTTP/3).
    Raised before the write is sent; ``field`` names the DistributionConfig member."""

    def __init__(self, message: str, *, distribution_id: str | None, field: str) -> None:
        super().__init__(message)
        self.distribution_id = distribution_id
        self.field = field


class PromotionNotReadyError(InvalidRequestError):
    """A promotion that CloudFront would refuse or that would promote the wrong thing: a
    distribution not yet Deployed, no enabled policy attached to the primary, a staging
    distribution the policy does not name. Nothing was sent; ``problems`` lists every reason."""

    def __init__(self, message: str, *, problems: Sequence[str]) -> None:
        super().__init__(message)
        self.problems = list(problems)


class ContinuousDeploymentStepError(CdnKitError):
    """A workflow of several calls (a detached change, a teardown) stopped at ``step``.

    ``done`` lists the steps that completed; ``state`` says what the distributions and the
    policy were left as. Running the same call again continues from there (each step is
    skipped when its effect is already in place). The failure is the ``__cause__``.
    """

    def __init__(self, message: str, *, step: str, done: Sequence[str], state: str) -> None:
        super().__init__(message)
        self.step = step
        self.done = list(done)
        self.state = state


class RolloutHaltedError(CdnKitError):
    """A progressive rollout stopped: the gate failed (or raised) at step ``step`` (1-based)
    with weight ``weight``; ``reason`` says why. ``rolled_back`` says whether the rollback
    (weight 0, or the policy disabled) went through; a gate's exception is the ``__cause__``."""

    def __init__(
        self, message: str, *, step: int, weight: float, reason: str, rolled_back: bool
    ) -> None:
        super().__init__(message)
        self.step = step
        self.weight = weight
        self.reason = reason
        self.rolled_back = rolled_back


def names_staging(policy: ContinuousDeploymentPolicyConfig, domain: str) -> bool:
    """Whether ``policy`` sends traffic to the staging distribution whose domain is ``domain``
    (a policy naming none has no ``Items`` at all)."""
    return domain in (policy.staging_distribution_dns_names.items or ())


def _blank(value: Any) -> bool:
    """Absent and CloudFront's empty defaults mean the same: None, "", False, an empty list
    wrapper (``{"Quantity": 0}`` with or without ``Items: []``)."""
    if value is None or value == "" or value is False:
        return True
    if isinstance(value, Mapping):
        return (
            set(value) <= {"Quantity", "Items"}
            and not value.get("Items")
            and not value.get("Quantity")
        )
    return False


#: Top-level members whose CloudFront default is not a blank value: what a config that leaves
#: one out is stored with (an update replaces the whole config, so leaving a member out sets
#: its default). HttpVersion's is in the API reference; PriceClass's and IsIPV6Enabled's are
#: in AWS's example of the CLI's create-distribution output, for a config without them.
_DEFAULTS: Final[Mapping[str, Any]] = {
    "PriceClass": "PriceClass_All",
    "HttpVersion": "http2",
    "IsIPV6Enabled": True,
}


def _default_certificate(value: Any) -> bool:
    """CloudFront's own certificate, however spelled (absent means it too)."""
    if value is None:
        return True
    return (
        isinstance(value, Mapping)
        and value.get("CloudFrontDefaultCertificate") is True
        and not value.get("ACMCertificateArn")
        and not value.get("IAMCertificateId")
    )


def _same(name: str, before: Any, after: Any) -> bool:
    if name in _DEFAULTS:
        before = _DEFAULTS[name] if before is None else before
        after = _DEFAULTS[name] if after is None else after
    elif name == "ViewerCertificate" and _default_certificate(before):
        return _default_certificate(after)
    return before == after or (_blank(before) and _blank(after))


def changed_members(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Top-level members whose value differs, in a stable order; a member left out means its
    CloudFront default."""
    names = sorted(set(before) | set(after))
    return [name for name in names if not _same(name, before.get(name), after.get(name))]


def _http_version(config: Mapping[str, Any]) -> str:
    return str(config.get("HttpVersion") or "").lower()


def check_config(config: Mapping[str, Any], *, distribution_id: str | None = None) -> None:
    """The rules a config breaks on its own (no service state needed): Aliases on a staging
    distribution; HTTP/3 on a primary that names a policy."""
    where = f"distribution {distribution_id}" if distribution_id else "the distribution"
    _check_targets(config, where)
    aliases = (config.get("Aliases") or {}).get("Items") or []
    if config.get("Staging") and aliases:
        raise ContinuousDeploymentChangeError(
            f"Aliases: {where} is a staging distribution, which cannot have alternate domain "
            f"names ({', '.join(aliases)})",
            distribution_id=distribution_id,
            field="Aliases",
        )
    if config.get("ContinuousDeploymentPolicyId") and _http_version(config) in HTTP3_VERSIONS:
        raise ContinuousDeploymentChangeError(
            f"HttpVersion: {where} uses continuous deployment, which cannot use HTTP/3 "
            f"(HttpVersion {config.get('HttpVersion')}): use http2 or http1.1",
            distribution_id=distribution_id,
            field="HttpVersion",
        )


def _check_targets(config: Mapping[str, Any], where: str) -> None:
    """Every cache behavior targets an origin or origin group of the config (CloudFront
    answers NoSuchOrigin otherwise)."""
    known = {
        item.get("Id")
        for wrapper in ("Origins", "OriginGroups")
        for item in (config.get(wrapper) or {}).get("Items") or ()
        if isinstance(item, Mapping)
    }
    behaviors: list[tuple[str, Any]] = [
        ("DefaultCacheBehavior", config.get("DefaultCacheBehavior"))
    ]
    items = (config.get("CacheBehaviors") or {}).get("Items") or ()
    behaviors += [(f"CacheBehaviors.Items[{n}]", item) for n, item in enumerate(items)]
    for name, behavior in behaviors:
        target = behavior.get("TargetOriginId") if isinstance(behavior, Mapping) else None
        if target is not None and target not in known:
            raise InvalidRequestError(
                f"{name}.TargetOriginId: {target!r} names no origin or origin group of {where} "
                f"({', '.join(sorted(str(k) for k in known)) or 'none'})"
            )


def check_immutable(before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    """CloudFront refuses a change of a distribution's CallerReference or Staging flag
    (IllegalUpdate)."""
    if before.get("CallerReference") != after.get("CallerReference"):
        raise InvalidRequestError(
            "CallerReference: cannot change on an existing distribution (keep "
            f"{before.get('CallerReference')!r})"
        )
    if bool(before.get("Staging")) != bool(after.get("Staging")):
        raise InvalidRequestError(
            "Staging: cannot change on an existing distribution (copy_to_staging makes a "
            "staging distribution)"
        )


def check_change(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    distribution_id: str | None,
    in_continuous_deployment: bool,
) -> None:
    """Refuse ``after`` (a DistributionConfig in wire form, to be written over ``before``)
    when CloudFront would: see :func:`check_config`, and, for a distribution in continuous
    deployment (a primary with a policy attached before or after the change, or a staging
    distribution a policy names), a change to a member outside
    :data:`CHANGEABLE_IN_CONTINUOUS_DEPLOYMENT`, or HTTP/3."""
    check_config(after, distribution_id=distribution_id)
    if not in_continuous_deployment:
        return
    where = f"distribution {distribution_id}" if distribution_id else "the distribution"
    forbidden = [
        name
        for name in changed_members(before, after)
        if name not in CHANGEABLE_IN_CONTINUOUS_DEPLOYMENT
    ]
    if forbidden:
        raise ContinuousDeploymentChangeError(
            f"{forbidden[0]}: cannot change while {where} is in continuous deployment (a "
            "primary with a policy attached, or a staging distribution a policy names); only "
            f"{', '.join(sorted(CHANGEABLE_IN_CONTINUOUS_DEPLOYMENT))} may change. Detach the "
            "policy first (distributions.update_detached detaches, changes and reattaches). "
            f"Members changed that may not: {', '.join(forbidden)}",
            distribution_id=distribution_id,
            field=forbidden[0],
        )
    if _http_version(after) in HTTP3_VERSIONS:
        raise ContinuousDeploymentChangeError(
            f"HttpVersion: {where} is in continuous deployment, which cannot use HTTP/3 "
            f"(HttpVersion {after.get('HttpVersion')})",
            distribution_id=distribution_id,
            field="HttpVersion",
        )
