"""``kit.distributions``: Lightsail content delivery network (CDN) distributions."""

from __future__ import annotations

import asyncio
import builtins
import math
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final, TypeAlias, TypeVar

from ..._core import Sends, ServiceCore, build_request, checked_wire, plain_wire, poll, within
from ..._etag import mutate_copy
from ..._exceptions import (
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    ResourceBusyError,
    UnexpectedResponseError,
    is_retryable,
)
from ..._models import CdnKitModel, parse_response, to_wire
from ..._policies import RetryPolicy, WaitPolicy
from ...types import lightsail as ls
from .._base import Resource, call_started, made_before
from .operations import Operations

__all__ = ["Distributions", "SettingsMutator"]

#: Receives a copy of the distribution's settings as an update request; changes it in place or
#: returns a new one (sync or async).
#: (By name: naming the models here would load them when this module is imported.)
SettingsMutator: TypeAlias = Callable[
    ["ls.UpdateDistributionRequest"],
    "ls.UpdateDistributionRequest | Awaitable[ls.UpdateDistributionRequest | None] | None",
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
        """Send GetDistributions for ``name`` (each request retried on throttling, 5xx and lost
        connections per the client's RetryPolicy); return the distribution. Waits for nothing.
        Raises :class:`cdnkit.NotFoundError` if there is none (whichever of Lightsail's two 'not
        found' answers it gives)."""
        result = await self._call(
            "GetDistributions",
            ls.GetDistributionsRequest,
            ls.GetDistributionsResult,
            distribution_name=name,
        )
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
        """Every distribution: sends GetDistributions, one page at a time as the iteration goes
        (each request retried on throttling, 5xx and lost connections per the client's RetryPolicy).
        Waits for nothing."""

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
        """Send GetDistributionBundles (retried on throttling, 5xx and lost connections per the
        client's RetryPolicy); return the bundles (id, price, transfer allowance) a distribution can
        use. Waits for nothing."""
        result = await self._call(
            "GetDistributionBundles",
            ls.GetDistributionBundlesRequest,
            ls.GetDistributionBundlesResult,
        )
        return list(result.bundles or ())

    async def latest_cache_reset(self, name: str) -> ls.GetDistributionLatestCacheResetResult:
        """Send GetDistributionLatestCacheReset (retried on throttling, 5xx and lost connections per
        the client's RetryPolicy); return the status and time of the last cache reset. Waits for
        nothing. Raises :class:`cdnkit.NotFoundError` for an unknown distribution."""
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
        """Send GetDistributionMetricData (retried on throttling, 5xx and lost connections per the
        client's RetryPolicy); return the datapoints of ``metric_name`` between the two times. Waits
        for nothing. The arguments are checked before anything is sent
        (:class:`cdnkit.RequestValidationError`), and so are Lightsail's rules for the query
        (:class:`cdnkit.InvalidRequestError`): ``end_time`` after ``start_time`` (a naive time
        counts as UTC), ``period`` a multiple of 60, at least one statistic, at most 1,440
        datapoints. An unknown distribution raises :class:`cdnkit.NotFoundError`."""
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
        _check_metric_window(start_time, end_time, period, statistics)
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

        Lightsail has no client token: when a send got no answer (it may have landed), the
        retry first looks the name up. A distribution that matches every member asked for and
        was created after this call began (less 2 s for clock differences) is this call's own
        and is returned; one that does not (another writer's) raises
        :class:`cdnkit.ConflictError`, as a create of a taken name does.
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
        wanted = checked_wire(request)
        _check_settings(wanted)
        sends = Sends()
        since = call_started()

        async def reconcile() -> ls.CreateDistributionResult | None:
            return await self._find_created(name, wanted, since)

        try:
            created = await self._core.invoke(
                "CreateDistribution",
                request,
                ls.CreateDistributionResult,
                retry=self._retry,
                sends=sends,
                reconcile=reconcile,
                checked=True,
            )
        except ConflictError:
            if not sends.unanswered:
                raise
            found = await self._find_created(name, wanted, since)
            if found is None:
                raise
            created = found
        if not wait:
            return created
        with within(self._wait.timeout):
            operation = created.operation
            if operation is not None:
                operation = await self._operations.wait(operation)
            distribution = await self.wait_deployed(name)
        return ls.CreateDistributionResult(distribution=distribution, operation=operation)

    async def _find_created(
        self, name: str, wanted: dict[str, Any], since: datetime
    ) -> ls.CreateDistributionResult | None:
        """The distribution called ``name`` if it is what ``wanted`` asks for and was created
        at or after ``since``; None if there is none; ConflictError if another writer's
        distribution has the name (a different one, or one created before this call)."""
        try:
            distribution = await self.get(name)
        except NotFoundError:
            return None
        if not _matches(wanted, to_wire(distribution)):
            raise _name_taken(name, "differs from this request")
        operations = await self._operations.for_resource(name)
        creates = [op for op in operations if op.operation_type == "CreateDistribution"]
        if not creates:
            raise UnexpectedResponseError(
                f"distribution {name!r} exists but Lightsail lists no CreateDistribution "
                "operation for it"
            )
        # The newest: the operations of a deleted distribution of the same name stay listed,
        # and a name is taken by one distribution at a time.
        newest = max(creates, key=lambda op: op.created_at or _EPOCH)
        if made_before(newest.created_at, since):
            # As asked, but made before this call began: another writer's, as a create
            # whose first send was answered would have been told.
            raise _name_taken(name, "was created before this call")
        return ls.CreateDistributionResult(distribution=distribution, operation=newest)

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
        mutate: SettingsMutator | None = None,
        merge: bool = True,
        wait: bool = False,
    ) -> ls.Operation | None:
        """Change exactly the members given; nothing else changes.

        ``mutate`` instead edits a copy of the current settings (read-modify-write, the same
        as :meth:`modify` and as ``update(..., mutate=...)`` in the CloudFront families);
        giving it with members raises :class:`cdnkit.InvalidRequestError`, nothing sent.

        A nested object changes only in the members set on it: ``cache_behavior_settings=
        CacheSettings(default_ttl=900)`` keeps the other TTLs, methods, cookies, headers and
        query strings as they are (read-modify-write through :meth:`modify`, with its
        guarantees). A list given (``cache_behaviors``) replaces the list.

        Plain values (``is_enabled``, ``certificate_name``, ``default_root_object``, ...) and
        lists need no read: they are sent in one UpdateDistribution, which leaves every other
        member as it is. ``merge=False`` sends the members as given in one UpdateDistribution, with
        AWS's own meaning: an object given replaces the whole current object, so members left
        out of ``cache_behavior_settings`` are reset.

        Returns the operation started; None when no member is given or a merge finds that
        nothing would change (then nothing is sent). Writers of one distribution in this
        process take turns, whichever way they write. Bad input raises
        :class:`cdnkit.RequestValidationError` before any request.
        """
        given = {
            key: value
            for key, value in {
                "origin": origin,
                "default_cache_behavior": default_cache_behavior,
                "cache_behavior_settings": cache_behavior_settings,
                "cache_behaviors": list(cache_behaviors) if cache_behaviors is not None else None,
                "is_enabled": is_enabled,
                "certificate_name": certificate_name,
                "use_default_certificate": use_default_certificate,
                "viewer_minimum_tls_protocol_version": viewer_minimum_tls_protocol_version,
                "default_root_object": default_root_object,
            }.items()
            if value is not None
        }
        if mutate is not None:
            if given or not merge:
                raise InvalidRequestError(
                    "update: give either mutate or the members to change (and merge), not both"
                )
            return await self.modify(name, mutate, wait=wait)
        # Checked whole (nested models changed after they were built too); a plain update sends
        # exactly this (what the caller's objects become while it waits is not sent).
        wire = plain_wire(ls.UpdateDistributionRequest, distribution_name=name, **given)
        _check_settings(wire)
        if not given:
            return None  # nothing to change: nothing is sent
        if not merge or not any(isinstance(value, CdnKitModel) for value in given.values()):
            # Plain values and lists need no read: UpdateDistribution leaves the members it is
            # not given as they are, and a list replaces the list, so one request is the
            # whole change (as with raw boto3).
            return await self._write(name, wire, wait=wait)

        def apply(settings: ls.UpdateDistributionRequest) -> None:
            for key, value in given.items():
                setattr(settings, key, _merged(getattr(settings, key), value))

        return await self.modify(name, apply, wait=wait)

    async def modify(
        self, name: str, mutate: SettingsMutator, *, wait: bool = False
    ) -> ls.Operation | None:
        """Read the distribution, let ``mutate`` change a copy of its settings, send them whole.

        ``mutate`` gets an :class:`UpdateDistributionRequest` holding every setting as it is
        now; settings it does not touch are sent back unchanged, so nothing is wiped. Returns
        the operation, or None when ``mutate`` changed nothing (then nothing is sent). An
        exception raised by ``mutate`` propagates and nothing is sent.

        No lost update within a process: writers of one distribution (from any client of the
        same account) take turns, and when Lightsail answers "please wait" (a change still in
        progress) the settings are read again and ``mutate`` re-applied before the next send.
        Lightsail has no conditional write, so a writer in another process can still replace
        these settings between the read and the write: with ``wait=True``, once the operation
        has finished, the settings are read again and, if the mutation no longer holds, it is
        applied again (up to the retry policy's ``max_attempts`` rounds).
        """
        operation: ls.Operation | None = None
        for _ in range(self._retry.max_attempts):
            started = await self._modify_once(name, mutate)
            if started is None:
                return operation  # nothing (more) to send
            operation, changes = started
            if not wait:
                return operation
            written = self._core.locks.writes.get(name, 0)
            with within(self._wait.timeout):
                operation = await self._operations.wait(operation)
                now = to_wire(_settings_of(await self.wait_deployed(name)))
            if self._core.locks.writes.get(name, 0) != written:
                # A later writer of this process took its turn after this change and built on
                # it: what it wrote holds this change (within a process, writers take turns).
                return operation
            if all(_at_path(now, path) == value for path, value in changes):
                return operation
            # Another writer's update replaced this one's changes: apply the mutation again.
        return operation

    async def _modify_once(
        self, name: str, mutate: SettingsMutator
    ) -> tuple[ls.Operation, builtins.list[tuple[tuple[str, ...], Any]]] | None:
        """One read-modify-write: the operation it started and the changes it made (paths and
        values, to check later that they hold); None when the mutation changes nothing."""
        with within(self._retry.deadline):
            attempt = 0
            async with self._core.locks.get(name):
                while True:
                    attempt += 1
                    current = _settings_of(await self.get(name))
                    # The same step as CloudFront's ETag engine: a copy, the mutator, then the
                    # checks a request gets, applied to what the mutator changed.
                    change = await mutate_copy(current, mutate)
                    changed = change.value
                    if changed.distribution_name != name:
                        raise InvalidRequestError(
                            "modify: distribution_name cannot change (a distribution cannot be "
                            "renamed)"
                        )
                    if not change.changed:
                        return None
                    # Counted before the send: once it may land, a writer of this process
                    # waiting on its own change must see that a later turn (which reads this
                    # one's result) has begun, or it takes that turn's values for a lost change.
                    self._core.locks.writes[name] = self._core.locks.writes.get(name, 0) + 1
                    try:
                        started = await self._start(
                            name,
                            "UpdateDistribution",
                            changed,
                            ls.UpdateDistributionResult,
                            checked=True,
                            retry_busy=False,
                        )
                    except ResourceBusyError:
                        if self._retry.deadline is None and attempt >= self._retry.max_attempts:
                            raise
                        # Another change is in progress: when it ends, these settings are
                        # stale. Read again and re-apply rather than resend them.
                        delay = random.uniform(
                            0,
                            min(self._retry.max_backoff, self._retry.initial_backoff * 2**attempt),
                        )
                        async with self._core.scope():
                            await asyncio.sleep(max(delay, 0.05))
                        continue
                    return started, _changes(change.before, change.wire)

    async def delete(self, name: str, *, wait: bool = False) -> ls.Operation:
        """Send DeleteDistribution (retried on throttling, 5xx and lost connections per the client's
        RetryPolicy); return its operation.

        Safe to retry after a lost answer (a "not found" after a landed send returns the deletion
        that send started). With ``wait=True``, waits for the operation to finish. Raises
        :class:`cdnkit.NotFoundError` for an unknown distribution,
        :class:`cdnkit.OperationFailedError` if the operation fails,
        :class:`cdnkit.WaiterTimeoutError` at the wait's deadline.
        """
        request = build_request(ls.DeleteDistributionRequest, distribution_name=name)
        return await self._start(
            name,
            "DeleteDistribution",
            request,
            ls.DeleteDistributionResult,
            wait=wait,
            deployed=False,
        )

    async def reset_cache(self, name: str, *, wait: bool = False) -> ls.Operation:
        """Send ResetDistributionCache (retried on throttling, 5xx and lost connections per the
        client's RetryPolicy); return its operation.

        Deletes the cached content. Safe to retry after a lost answer: before a resend, a reset
        created since this call's first unanswered send, not started by this process, is this
        call's own; otherwise it is sent again (a second reset is harmless). The resets of one
        distribution by the clients of this process are sent one at a time (their waits are
        not). With ``wait=True``, waits for the operation to finish. Raises
        :class:`cdnkit.NotFoundError` for an unknown distribution,
        :class:`cdnkit.OperationFailedError` if the operation fails,
        :class:`cdnkit.WaiterTimeoutError` at the wait's deadline.
        """
        request = build_request(ls.ResetDistributionCacheRequest, distribution_name=name)
        # One reset of a distribution at a time per process and account: a reset leaves
        # nothing but its operation to tell it by, so a lost answer's reconciliation must never
        # list operations while another call's reset has landed but its answer (which makes
        # its operation known as that call's) is still on its way.
        async with self._core.locks.get(f"reset:{name}"):
            operation = await self._start(
                name, "ResetDistributionCache", request, ls.ResetDistributionCacheResult
            )
        return await self._waited(name, operation, deployed=False) if wait else operation

    async def update_bundle(self, name: str, bundle_id: str, *, wait: bool = False) -> ls.Operation:
        """Send UpdateDistributionBundle (retried on throttling, 5xx and lost connections per the
        client's RetryPolicy); return its operation.

        Allowed once per billing cycle (see ``able_to_update_bundle``); a refusal raises the
        matching :class:`cdnkit.APIError` subclass. Safe to retry after a lost answer (the operation
        a landed send started is found and returned). With ``wait=True``, waits for the operation to
        finish and the distribution to be ``Deployed`` again. Raises :class:`cdnkit.NotFoundError`
        for an unknown distribution, :class:`cdnkit.OperationFailedError` if the operation fails,
        :class:`cdnkit.WaiterTimeoutError` at the wait's deadline.
        """
        request = build_request(
            ls.UpdateDistributionBundleRequest, distribution_name=name, bundle_id=bundle_id
        )
        return await self._start(
            name, "UpdateDistributionBundle", request, ls.UpdateDistributionBundleResult, wait=wait
        )

    async def attach_certificate(
        self, name: str, certificate_name: str, *, wait: bool = False
    ) -> ls.Operation:
        """Send AttachCertificateToDistribution (retried on throttling, 5xx and lost connections per
        the client's RetryPolicy); return its operation.

        Safe to retry after a lost answer (the operation a landed send started is found and
        returned). With ``wait=True``, waits for the operation to finish and the distribution to be
        ``Deployed`` again. Raises :class:`cdnkit.NotFoundError` for an unknown distribution,
        :class:`cdnkit.OperationFailedError` if the operation fails,
        :class:`cdnkit.WaiterTimeoutError` at the wait's deadline.
        """
        request = build_request(
            ls.AttachCertificateToDistributionRequest,
            distribution_name=name,
            certificate_name=certificate_name,
        )
        return await self._start(
            name,
            "AttachCertificateToDistribution",
            request,
            ls.AttachCertificateToDistributionResult,
            wait=wait,
        )

    async def detach_certificate(self, name: str, *, wait: bool = False) -> ls.Operation:
        """Send DetachCertificateFromDistribution (retried on throttling, 5xx and lost connections
        per the client's RetryPolicy); return its operation.

        Safe to retry after a lost answer (the operation a landed send started is found and
        returned). With ``wait=True``, waits for the operation to finish and the distribution to be
        ``Deployed`` again. Raises :class:`cdnkit.NotFoundError` for an unknown distribution,
        :class:`cdnkit.OperationFailedError` if the operation fails,
        :class:`cdnkit.WaiterTimeoutError` at the wait's deadline.
        """
        request = build_request(ls.DetachCertificateFromDistributionRequest, distribution_name=name)
        return await self._start(
            name,
            "DetachCertificateFromDistribution",
            request,
            ls.DetachCertificateFromDistributionResult,
            wait=wait,
        )

    async def _write(self, name: str, wire: dict[str, Any], *, wait: bool) -> ls.Operation:
        """Send an UpdateDistribution of checked wire parameters as they are (no read), in
        this process's turn for ``name`` (see :meth:`modify`); with ``wait``, wait for it once
        the turn is over."""
        async with self._core.locks.get(name):
            # Counted before the send, as in _modify_once.
            self._core.locks.writes[name] = self._core.locks.writes.get(name, 0) + 1
            operation = await self._start(
                name, "UpdateDistribution", wire, ls.UpdateDistributionResult
            )
        return await self._waited(name, operation) if wait else operation

    async def _start(
        self,
        name: str,
        operation_type: str,
        request: CdnKitModel | dict[str, Any],
        result: type[_Started],
        *,
        wait: bool = False,
        deployed: bool = True,
        checked: bool = False,
        retry_busy: bool = True,
    ) -> ls.Operation:
        """Send a call that starts an operation on the distribution, safe to retry after a
        lost answer: before a resend, and when a resend is refused ("not found" after a
        delete, "already uses" after a bundle change), the distribution's operations are
        looked up; one of this type started since the first send is this call's own if the
        distribution now holds what the request asks for (an operation another writer
        started meanwhile is not: its change is not this one's).

        The operations of a call whose effect the distribution does not show (a cache reset)
        are told apart only by their ids: those this process's clients started or were
        answered with are never taken (see :attr:`ResourceLocks.known_operations`), and before
        a resend only one created at or after this call's first send that got no answer is
        taken (the sends before it were answered, with no effect; no clock slack:
        another process's reset that began just before would be taken for this one, and nothing
        would reset the cache for this call). The cost: when the service's clock is behind this
        machine's, a reset that landed is not recognised and is sent again (a second reset is
        harmless). A refused resend still looks back with the slack: it cannot send again."""
        since = call_started()
        exact = operation_type in _NO_SLACK_BEFORE_RESEND
        sends = Sends(timed=exact)
        if isinstance(request, dict):
            params = request  # wire parameters, already checked
        else:
            params = to_wire(request) if checked else checked_wire(request)
        wanted = _effect(operation_type, params)

        async def landed(*, resending: bool = False) -> ls.Operation | None:
            start = since
            if resending and exact and sends.first_unanswered_at is not None:
                start = _whole_millisecond(sends.first_unanswered_at)
            found = await self._started_since(name, operation_type, start)
            if found is None or wanted is None:
                return found
            try:
                now = to_wire(await self.get(name))
            except NotFoundError:
                return None
            return found if _matches(wanted, now) else None

        async def reconcile() -> _Started | None:
            found = await landed(resending=True)
            return None if found is None else result.model_construct(operation=found)

        try:
            reply = await self._core.invoke_wire(
                operation_type,
                params,
                result,
                retry=self._retry,
                sends=sends,
                reconcile=reconcile,
                retry_if=None if retry_busy else _not_busy,
            )
            operation = reply.operation
        except (ConflictError, NotFoundError):
            # A refusal after a send that got no answer may be caused by that send having
            # landed: "not found" after a delete, "already uses" after a bundle change, and
            # "please wait" because the landed send's own operation is still running.
            if not sends.unanswered:
                raise
            found = await landed()
            if found is None:
                raise
            operation = found
        self._core.remember_operation(operation.id)
        return await self._waited(name, operation, deployed=deployed) if wait else operation

    async def _waited(
        self, name: str, operation: ls.Operation, *, deployed: bool = True
    ) -> ls.Operation:
        """Wait for ``operation`` to finish and, when ``deployed``, for the distribution to be
        deployed again; return the finished operation."""
        with within(self._wait.timeout):
            finished = await self._operations.wait(operation)
            if deployed:
                await self.wait_deployed(name)
        return finished

    async def _started_since(
        self, name: str, operation_type: str, since: datetime
    ) -> ls.Operation | None:
        """The newest operation of this type on ``name`` created at or after ``since``."""
        try:
            operations = await self._operations.for_resource(name)
        except NotFoundError:
            return None
        known = self._core.known_operations
        mine = [
            op
            for op in operations
            if op.operation_type == operation_type
            and op.created_at is not None
            and op.created_at >= since
            and op.id not in known  # an earlier call's own, not this one's
        ]
        return max(mine, key=_created) if mine else None

    # Waiting ---------------------------------------------------------------------------

    async def wait_deployed(
        self, name: str, *, timeout: float | None = None
    ) -> ls.LightsailDistribution:
        """Poll GetDistributions (each poll retried as any read, transient failures polled
        through) until the status is ``Deployed``; return the distribution.

        Raises :class:`cdnkit.WaiterTimeoutError` (with the last state seen) at ``timeout``
        (default: the client's WaitPolicy), :class:`cdnkit.NotFoundError` if it is gone.
        """

        async def fetch() -> ls.LightsailDistribution:
            return await self.get(name)

        async for state in poll(
            self._core,
            fetch,
            policy=self._wait,
            timeout=timeout,
            what=f"distribution {name} to deploy",
        ):
            if state.status == _DEPLOYED:
                return state
        raise AssertionError("unreachable: poll ends by returning or raising")


# By name: the models load when first used, not when this module is imported.
_Started = TypeVar(
    "_Started",
    "ls.UpdateDistributionResult",
    "ls.DeleteDistributionResult",
    "ls.ResetDistributionCacheResult",
    "ls.UpdateDistributionBundleResult",
    "ls.AttachCertificateToDistributionResult",
    "ls.DetachCertificateFromDistributionResult",
)

_EPOCH: Final = datetime.fromtimestamp(0, UTC)

#: Operations whose effect the distribution does not show (nothing to compare but the time):
#: before a resend, only an operation created at or after the first send is this call's own.
_NO_SLACK_BEFORE_RESEND: Final = frozenset({"ResetDistributionCache"})


def _whole_millisecond(epoch: float) -> datetime:
    """``epoch`` rounded down to the millisecond: Lightsail's createdAt has millisecond
    resolution, so an operation created in the same millisecond as the send is not missed."""
    return datetime.fromtimestamp(math.floor(epoch * 1000) / 1000, UTC)


#: Tags a resource has at most (AWS tagging rules).
_MAX_TAGS: Final = 50
#: The method lists Lightsail takes (CacheSettings in the Lightsail API reference).
_METHOD_SETS: Final = {
    "allowedHTTPMethods": (
        "GET,HEAD",
        "GET,HEAD,OPTIONS",
        "GET,HEAD,OPTIONS,PUT,PATCH,POST,DELETE",
    ),
    "cachedHTTPMethods": ("GET,HEAD", "GET,HEAD,OPTIONS"),
}


def _check_settings(wire: dict[str, Any]) -> None:
    """Rules of a create or update request (wire form) that its model does not state,
    checked before sending (:class:`cdnkit.InvalidRequestError`): tags with a key each,
    unique keys, at most 50; one cache behavior per path, each saying cache or dont-cache;
    the HTTP method lists Lightsail takes."""
    tags = wire.get("tags") or []
    if len(tags) > _MAX_TAGS:
        raise InvalidRequestError(f"tags: at most {_MAX_TAGS}, not {len(tags)}")
    keys: set[str] = set()
    for index, tag in enumerate(tags):
        key = tag.get("key")
        if not key:
            raise InvalidRequestError(f"tags[{index}].key: every tag needs a key")
        if key in keys:
            raise InvalidRequestError(f"tags[{index}].key: {key!r} appears more than once")
        keys.add(key)
    paths: set[str] = set()
    for index, behavior in enumerate(wire.get("cacheBehaviors") or []):
        path = behavior.get("path")
        if path in paths:
            raise InvalidRequestError(
                f"cache_behaviors[{index}].path: {path!r} has more than one cache behavior"
            )
        paths.add(path)
        if behavior.get("behavior") is None:
            raise InvalidRequestError(
                f"cache_behaviors[{index}].behavior: cache or dont-cache (path {path!r})"
            )
    settings = wire.get("cacheBehaviorSettings") or {}
    for member, allowed in _METHOD_SETS.items():
        methods = settings.get(member)
        if methods is not None and methods.replace(" ", "").upper() not in allowed:
            raise InvalidRequestError(
                f"cache_behavior_settings.{member}: one of {', '.join(allowed)}, not {methods!r}"
            )


#: Datapoints one GetDistributionMetricData returns at most (Lightsail refuses more).
_MAX_DATAPOINTS: Final = 1440


def _check_metric_window(
    start: datetime, end: datetime, period: int, statistics: Sequence[str]
) -> None:
    """The rules Lightsail applies to a metric query that its model does not state, checked
    before sending (:class:`cdnkit.InvalidRequestError`). A naive time counts as UTC, as
    botocore sends it."""
    if not statistics:
        raise InvalidRequestError("statistics: name at least one statistic")
    if period % 60:
        raise InvalidRequestError(f"period: a multiple of 60 seconds, not {period}")
    begin, finish = (t if t.tzinfo is not None else t.replace(tzinfo=UTC) for t in (start, end))
    if finish <= begin:
        raise InvalidRequestError(f"end_time: must be later than start_time ({start.isoformat()})")
    points = (finish - begin).total_seconds() / period
    if points > _MAX_DATAPOINTS:
        raise InvalidRequestError(
            f"period: {period} s from start_time to end_time gives {points:.0f} datapoints; "
            f"at most {_MAX_DATAPOINTS} (use a longer period or a shorter interval)"
        )


def _name_taken(name: str, why: str) -> ConflictError:
    return ConflictError(
        f"a distribution named {name!r} already exists and {why}",
        service="lightsail",
        operation="CreateDistribution",
        code="AlreadyExists",
        http_status=None,
        request_id=None,
    )


def _created(operation: ls.Operation) -> datetime:
    assert operation.created_at is not None
    return operation.created_at


def _not_busy(error: BaseException) -> bool:
    return is_retryable(error) and not isinstance(error, ResourceBusyError)


def _merged(current: Any, given: Any) -> Any:
    """``given`` laid over ``current``: for models of one class, only the members set on
    ``given`` (recursively); anything else replaces."""
    if isinstance(given, CdnKitModel) and type(current) is type(given):
        merged = current.model_copy()
        for key in given.model_fields_set:
            setattr(merged, key, _merged(getattr(current, key), getattr(given, key)))
        return merged
    return given


def _changes(
    before: Any, after: Any, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], Any]]:
    """Where ``after`` differs from ``before`` (wire dicts): paths into nested objects, each
    with its new value (None when removed); a changed list counts as a whole."""
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[tuple[tuple[str, ...], Any]] = []
        for key in before.keys() | after.keys():
            found.extend(_changes(before.get(key), after.get(key), (*path, key)))
        return found
    return [] if before == after else [(path, after)]


def _at_path(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _matches(wanted: Any, actual: Any) -> bool:
    """Whether ``actual`` (a reply, as wire data) has every member ``wanted`` has."""
    if isinstance(wanted, dict):
        if not isinstance(actual, dict):
            return False
        return all(
            _matches(value, actual.get(_ACTUAL_NAME.get(key, key))) for key, value in wanted.items()
        )
    if isinstance(wanted, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(wanted)
            and all(_matches(w, a) for w, a in zip(wanted, actual, strict=True))
        )
    return bool(wanted == actual)


#: CreateDistribution members named differently on the distribution.
_ACTUAL_NAME: Final = {"distributionName": "name", "bundleId": "bundleId"}

#: Members of a request that the distribution does not show as sent (the name is how the
#: distribution was found; ``useDefaultCertificate`` shows as a certificate name).
_NOT_SHOWN: Final = frozenset({"distributionName", "useDefaultCertificate"})


def _effect(operation_type: str, params: dict[str, Any]) -> dict[str, Any] | None:
    """What the distribution holds once a call of ``operation_type`` with ``params`` (wire
    form) has landed, as wire members to match; None when its state does not show it (a cache
    reset) or any writer's call has the same effect (a delete)."""
    if operation_type == "DetachCertificateFromDistribution":
        # Detached: no certificate name (a member a reply leaves out reads as absent).
        return {"certificateName": None}
    if operation_type in (
        "UpdateDistribution",
        "UpdateDistributionBundle",
        "AttachCertificateToDistribution",
    ):
        return {key: value for key, value in params.items() if key not in _NOT_SHOWN}
    return None
