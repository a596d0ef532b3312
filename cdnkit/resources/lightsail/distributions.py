"""``kit.distributions``: Lightsail content delivery network (CDN) distributions."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import Final

from ..._core import ServiceCore, build_request, poll
from ..._etag import apply_mutation
from ..._exceptions import (
    InvalidRequestError,
    NotFoundError,
    ServerValidationError,
)
from ..._models import parse_response, to_wire
from ..._policies import RetryPolicy, WaitPolicy
from ..._retry import call_with_retries
from ...types import lightsail as ls
from .._base import Resource
from .operations import Operations

__all__ = ["Distributions", "SettingsMutator"]

#: Receives a copy of the distribution's settings as an update request; changes it in place or
#: returns a new one (sync or async).
SettingsMutator = Callable[
    [ls.UpdateDistributionRequest],
    ls.UpdateDistributionRequest | Awaitable[ls.UpdateDistributionRequest | None] | None,
]

_DEPLOYED: Final = "Deployed"


def _settings_of(distribution: ls.LightsailDistribution) -> ls.UpdateDistributionRequest:
    """Everything UpdateDistribution can set, as the distribution has it now."""
    origin = distribution.origin
    # Parsed leniently: an enum value newer than this botocore in a setting the mutator does
    # not touch must not fail the mutation (apply_mutation checks what changed).
    return parse_response(
        ls.UpdateDistributionRequest,
        {
            "distribution_name": distribution.name,
            "origin": {
                # Origin has members (resource type, private access) that InputOrigin lacks.
                "name": origin.name,
                "region_name": origin.region_name,
                "protocol_policy": origin.protocol_policy,
                "response_timeout": origin.response_timeout,
                "ip_address_type": origin.ip_address_type,
            }
            if origin is not None
            else None,
            "default_cache_behavior": distribution.default_cache_behavior,
            "cache_behavior_settings": distribution.cache_behavior_settings,
            "cache_behaviors": distribution.cache_behaviors,
            "is_enabled": distribution.is_enabled,
            "viewer_minimum_tls_protocol_version": distribution.viewer_minimum_tls_protocol_version,
            "default_root_object": distribution.default_root_object,
            "custom_error_responses": distribution.custom_error_responses,
        },
    )


class Distributions(Resource):
    """Create, change and remove distributions; ``wait=True`` returns once they settle."""

    def __init__(
        self,
        core: ServiceCore,
        *,
        retry: RetryPolicy,
        wait: WaitPolicy,
        operations: Operations,
    ) -> None:
        super().__init__(core, retry=retry, wait=wait)
        self._operations = operations

    # Reading ---------------------------------------------------------------------------

    async def get(self, name: str) -> ls.LightsailDistribution:
        """The distribution called ``name``; :class:`cdnkit.NotFoundError` if there is none."""
        request = build_request(ls.GetDistributionsRequest, distribution_name=name)
        result = await self._invoke("GetDistributions", request, ls.GetDistributionsResult)
        for distribution in result.distributions or ():
            if distribution.name == name:
                return distribution
        raise NotFoundError(
            f"no distribution named {name!r}",
            service="lightsail",
            operation="GetDistributions",
            code="NotFound",
            http_status=None,
            request_id=None,
        )

    def list(self) -> AsyncIterator[ls.LightsailDistribution]:
        """Every distribution, fetching further pages as the iteration goes."""

        def page(
            reply: ls.GetDistributionsResult,
        ) -> tuple[builtins.list[ls.LightsailDistribution] | None, str | None]:
            return reply.distributions, reply.next_page_token

        return self._paginate(
            "GetDistributions",
            lambda token: build_request(ls.GetDistributionsRequest, page_token=token),
            ls.GetDistributionsResult,
            page,
        )

    async def bundles(self) -> builtins.list[ls.DistributionBundle]:
        result = await self._invoke(
            "GetDistributionBundles",
            ls.GetDistributionBundlesRequest(),
            ls.GetDistributionBundlesResult,
        )
        return list(result.bundles or ())

    async def latest_cache_reset(self, name: str) -> ls.GetDistributionLatestCacheResetResult:
        request = build_request(ls.GetDistributionLatestCacheResetRequest, distribution_name=name)
        return await self._invoke(
            "GetDistributionLatestCacheReset", request, ls.GetDistributionLatestCacheResetResult
        )

    async def metric_data(
        self,
        name: str,
        *,
        metric_name: ls.DistributionMetricName,
        start_time: datetime,
        end_time: datetime,
        period: int,
        unit: ls.MetricUnit,
        statistics: Sequence[ls.MetricStatistic],
    ) -> builtins.list[ls.MetricDatapoint]:
        request = build_request(
            ls.GetDistributionMetricDataRequest,
            distribution_name=name,
            metric_name=metric_name,
            start_time=start_time,
            end_time=end_time,
            period=period,
            unit=unit,
            statistics=list(statistics),
        )
        result = await self._invoke(
            "GetDistributionMetricData", request, ls.GetDistributionMetricDataResult
        )
        return list(result.metric_data or ())

    # Changing --------------------------------------------------------------------------

    async def create(
        self,
        name: str,
        *,
        origin: ls.InputOrigin,
        default_cache_behavior: ls.CacheBehavior,
        bundle_id: str,
        cache_behavior_settings: ls.CacheSettings | None = None,
        cache_behaviors: Sequence[ls.CacheBehaviorPerPath] | None = None,
        ip_address_type: ls.IpAddressType | None = None,
        certificate_name: str | None = None,
        viewer_minimum_tls_protocol_version: ls.ViewerMinimumTlsProtocolVersionEnum | None = None,
        default_root_object: str | None = None,
        tags: Sequence[ls.Tag] | None = None,
        wait: bool = False,
    ) -> ls.CreateDistributionResult:
        """Create a distribution. With ``wait=True``, return once it is ``Deployed``.

        Lightsail has no client token: if an attempt fails in transit and the distribution
        exists when the next attempt starts, that distribution is returned rather than an
        "already exists" error (reconciled by name).
        """
        request = build_request(
            ls.CreateDistributionRequest,
            distribution_name=name,
            origin=origin,
            default_cache_behavior=default_cache_behavior,
            bundle_id=bundle_id,
            cache_behavior_settings=cache_behavior_settings,
            cache_behaviors=list(cache_behaviors) if cache_behaviors is not None else None,
            ip_address_type=ip_address_type,
            certificate_name=certificate_name,
            viewer_minimum_tls_protocol_version=viewer_minimum_tls_protocol_version,
            default_root_object=default_root_object,
            tags=list(tags) if tags is not None else None,
        )
        params = to_wire(request)
        no_retries = RetryPolicy(max_attempts=1, adaptive=self._retry.adaptive)

        async def attempt(number: int) -> ls.CreateDistributionResult:
            if number > 1:
                existing = await self._find_created(name)
                if existing is not None:
                    return existing
            reply = await self._core.send("CreateDistribution", params, retry=no_retries)
            reply.pop("ResponseMetadata", None)
            return parse_response(ls.CreateDistributionResult, reply)

        created = await call_with_retries(attempt, self._retry, None)
        if not wait:
            return created
        operation = created.operation
        if operation is not None:
            operation = await self._operations.wait(operation)
        distribution = await self.wait_deployed(name)
        return ls.CreateDistributionResult(distribution=distribution, operation=operation)

    async def _find_created(self, name: str) -> ls.CreateDistributionResult | None:
        try:
            distribution = await self.get(name)
        except NotFoundError:
            return None
        operations = await self._operations.for_resource(name)
        creates = [op for op in operations if op.operation_type == "CreateDistribution"]
        return ls.CreateDistributionResult(
            distribution=distribution, operation=creates[0] if creates else None
        )

    async def update(
        self,
        name: str,
        *,
        origin: ls.InputOrigin | None = None,
        default_cache_behavior: ls.CacheBehavior | None = None,
        cache_behavior_settings: ls.CacheSettings | None = None,
        cache_behaviors: Sequence[ls.CacheBehaviorPerPath] | None = None,
        is_enabled: bool | None = None,
        certificate_name: str | None = None,
        use_default_certificate: bool | None = None,
        viewer_minimum_tls_protocol_version: ls.ViewerMinimumTlsProtocolVersionEnum | None = None,
        default_root_object: str | None = None,
        wait: bool = False,
    ) -> ls.Operation:
        """Change what is given and nothing else.

        As in AWS, ``cache_behavior_settings`` replaces the whole settings object: members left
        out of it are reset. To change one setting and keep the rest, use :meth:`modify`.
        """
        request = build_request(
            ls.UpdateDistributionRequest,
            distribution_name=name,
            origin=origin,
            default_cache_behavior=default_cache_behavior,
            cache_behavior_settings=cache_behavior_settings,
            cache_behaviors=list(cache_behaviors) if cache_behaviors is not None else None,
            is_enabled=is_enabled,
            certificate_name=certificate_name,
            use_default_certificate=use_default_certificate,
            viewer_minimum_tls_protocol_version=viewer_minimum_tls_protocol_version,
            default_root_object=default_root_object,
        )
        result = await self._invoke("UpdateDistribution", request, ls.UpdateDistributionResult)
        return await self._settle(name, result.operation, "UpdateDistribution", wait)

    async def modify(
        self, name: str, mutate: SettingsMutator, *, wait: bool = False
    ) -> ls.Operation | None:
        """Read the distribution, let ``mutate`` change a copy of its settings, send them whole.

        ``mutate`` gets an :class:`UpdateDistributionRequest` holding every setting as it is
        now; settings it does not touch are sent back unchanged, so nothing is wiped. Returns
        the operation, or None when ``mutate`` changed nothing (then nothing is sent). An
        exception raised by ``mutate`` propagates and nothing is sent.
        """
        current = _settings_of(await self.get(name))
        # The same step as CloudFront's ETag engine: a deep copy, the mutator, then the checks a
        # request gets, applied to what the mutator changed.
        changed = await apply_mutation(current, mutate)
        if changed.distribution_name != name:
            raise InvalidRequestError("modify cannot rename a distribution")
        if to_wire(changed) == to_wire(current):
            return None
        result = await self._invoke("UpdateDistribution", changed, ls.UpdateDistributionResult)
        return await self._settle(name, result.operation, "UpdateDistribution", wait)

    async def delete(self, name: str, *, wait: bool = False) -> ls.Operation:
        """Delete the distribution; with ``wait=True`` return once the deletion finished."""
        request = build_request(ls.DeleteDistributionRequest, distribution_name=name)
        result = await self._invoke("DeleteDistribution", request, ls.DeleteDistributionResult)
        operation = self._operation(result.operation, "DeleteDistribution")
        return await self._operations.wait(operation) if wait else operation

    async def reset_cache(self, name: str, *, wait: bool = False) -> ls.Operation:
        """Delete the cached content; with ``wait=True`` return once the reset finished."""
        request = build_request(ls.ResetDistributionCacheRequest, distribution_name=name)
        result = await self._invoke(
            "ResetDistributionCache", request, ls.ResetDistributionCacheResult
        )
        operation = self._operation(result.operation, "ResetDistributionCache")
        return await self._operations.wait(operation) if wait else operation

    async def update_bundle(self, name: str, bundle_id: str, *, wait: bool = False) -> ls.Operation:
        """Change the bundle (allowed once per billing cycle: see ``able_to_update_bundle``)."""
        request = build_request(
            ls.UpdateDistributionBundleRequest, distribution_name=name, bundle_id=bundle_id
        )
        result = await self._invoke(
            "UpdateDistributionBundle", request, ls.UpdateDistributionBundleResult
        )
        return await self._settle(name, result.operation, "UpdateDistributionBundle", wait)

    async def attach_certificate(
        self, name: str, certificate_name: str, *, wait: bool = False
    ) -> ls.Operation:
        request = build_request(
            ls.AttachCertificateToDistributionRequest,
            distribution_name=name,
            certificate_name=certificate_name,
        )
        result = await self._invoke(
            "AttachCertificateToDistribution", request, ls.AttachCertificateToDistributionResult
        )
        return await self._settle(name, result.operation, "AttachCertificateToDistribution", wait)

    async def detach_certificate(self, name: str, *, wait: bool = False) -> ls.Operation:
        request = build_request(ls.DetachCertificateFromDistributionRequest, distribution_name=name)
        result = await self._invoke(
            "DetachCertificateFromDistribution",
            request,
            ls.DetachCertificateFromDistributionResult,
        )
        return await self._settle(name, result.operation, "DetachCertificateFromDistribution", wait)

    # Waiting ---------------------------------------------------------------------------

    async def wait_deployed(
        self, name: str, *, timeout: float | None = None
    ) -> ls.LightsailDistribution:
        """Return the distribution once its status is ``Deployed``."""
        distribution = await self.get(name)
        if distribution.status == _DEPLOYED:
            return distribution

        async def fetch() -> ls.LightsailDistribution:
            return await self.get(name)

        async for state in poll(
            fetch, policy=self._wait, timeout=timeout, what=f"distribution {name} to deploy"
        ):
            if state.status == _DEPLOYED:
                return state
        raise AssertionError("unreachable: poll ends by returning or raising")

    async def _settle(
        self, name: str, operation: ls.Operation | None, what: str, wait: bool
    ) -> ls.Operation:
        operation = self._operation(operation, what)
        if not wait:
            return operation
        finished = await self._operations.wait(operation)
        await self.wait_deployed(name)
        return finished

    @staticmethod
    def _operation(operation: ls.Operation | None, what: str) -> ls.Operation:
        if operation is None:
            raise ServerValidationError(
                f"{what} returned no operation",
                service="lightsail",
                operation=what,
                code="MissingOperation",
                http_status=None,
                request_id=None,
            )
        return operation
