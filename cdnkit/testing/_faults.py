"""Fault injection and request counters.

Faults are rules scoped to a service and optionally one operation. A rule fires for the next
``count`` matching requests, or with a ``probability`` (drawn from a seeded
:class:`random.Random`, so a run is reproducible), or, with neither, on every matching request
until it is cancelled or :meth:`Faults.clear` is called. Latency rules add their delay and let
the request continue; the first error rule that fires decides the answer. A per-service token
bucket (:meth:`Faults.rate_limit`) throttles requests above its rate.

Every kind but one fires before the backend sees the request. ``RESET_AFTER_PROCESSING`` lets
the request be handled in full (state changes) and then drops the answer by aborting the
connection: the lost reply a client must reconcile when it retries.
"""

from __future__ import annotations

import enum
import random
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from ._backend import Clock, seconds
from ._wire import canonical_service


class FaultKind(enum.StrEnum):
    #: The service's throttling error (Lightsail ThrottlingException 400, CloudFront Throttling
    #: 400, KVS ThrottlingException 429).
    THROTTLE = "throttle"
    #: HTTP 500 with the service's internal error code.
    INTERNAL_ERROR = "internal_error"
    #: HTTP 503 with the service's unavailable error code.
    UNAVAILABLE = "unavailable"
    #: The connection is aborted without any response.
    CONNECTION_RESET = "connection_reset"
    #: The request is handled in full (the backend runs and changes state), then the
    #: connection is aborted instead of answering: the change happened, the answer is lost.
    RESET_AFTER_PROCESSING = "reset_after_processing"
    #: The answer is delayed by ``latency`` seconds, then served normally.
    LATENCY = "latency"


@dataclass(eq=False)
class Fault:
    """One injected fault rule; keep it to inspect ``hits`` or to :meth:`cancel` it."""

    service: str
    kind: FaultKind
    operation: str | None = None
    #: Requests left to fault; None for "no limit".
    remaining: int | None = None
    probability: float | None = None
    latency: float = 0.0
    #: How many requests this rule has faulted so far.
    hits: int = 0
    _owner: Faults | None = field(default=None, repr=False)

    @property
    def active(self) -> bool:
        """Whether the rule still fires (requests left, or no limit)."""
        return self.remaining is None or self.remaining > 0

    def cancel(self) -> None:
        """Remove this rule; requests after it are not faulted by it."""
        if self._owner is not None:
            self._owner.remove(self)

    def _matches(self, service: str, operation: str) -> bool:
        return self.service == service and (self.operation is None or self.operation == operation)


@dataclass
class _TokenBucket:
    rate: float
    burst: float
    tokens: float
    updated: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass(frozen=True, slots=True)
class Decision:
    """What the faults say about one request."""

    delay: float = 0.0
    kind: FaultKind | None = None


_NO_FAULT = Decision()


class Faults:
    """Fault rules and rate limits of one emulator (``emu.faults``)."""

    def __init__(
        self,
        clock: Clock,
        seed: int | None = 0,
        operations: Mapping[str, Collection[str]] | None = None,
    ) -> None:
        self._clock = clock
        self._random = random.Random(seed)
        self._operations = operations or {}
        self._rules: list[Fault] = []
        self._buckets: dict[str, _TokenBucket] = {}

    # -- configuration --------------------------------------------------------------------

    def inject(
        self,
        service: str,
        kind: FaultKind | str,
        *,
        operation: str | None = None,
        count: int | None = None,
        probability: float | None = None,
        latency: float = 0.0,
    ) -> Fault:
        """Add a rule. ``count``: fault the next N matching requests; ``probability``: fault
        each matching request with that chance (both may be combined); neither: every one."""
        service = canonical_service(service)
        kind = FaultKind(kind)
        if operation is not None:
            known = self._operations.get(service)
            if known is not None and operation not in known:
                raise ValueError(f"{service} has no operation {operation!r}")
        if count is not None and (type(count) is not int or count < 1):
            raise ValueError(f"count must be an int of at least 1, not {count!r}")
        if probability is not None and (
            type(probability) not in (int, float) or not 0.0 <= probability <= 1.0
        ):
            raise ValueError(f"probability must be between 0 and 1, not {probability!r}")
        seconds("latency", latency)
        if kind is FaultKind.LATENCY and latency <= 0:
            raise ValueError("a latency fault needs latency > 0 seconds")
        rule = Fault(service, kind, operation, count, probability, latency, _owner=self)
        self._rules.append(rule)
        return rule

    def throttle(
        self,
        service: str,
        *,
        operation: str | None = None,
        count: int | None = 1,
        probability: float | None = None,
    ) -> Fault:
        """Answer with the service's throttling error."""
        return self.inject(
            service, FaultKind.THROTTLE, operation=operation, count=count, probability=probability
        )

    def server_error(
        self,
        service: str,
        *,
        status: int = 500,
        operation: str | None = None,
        count: int | None = 1,
        probability: float | None = None,
    ) -> Fault:
        """Answer HTTP 500 or 503 with the service's own error code."""
        kinds = {500: FaultKind.INTERNAL_ERROR, 503: FaultKind.UNAVAILABLE}
        if status not in kinds:
            raise ValueError("status must be 500 or 503")
        return self.inject(
            service, kinds[status], operation=operation, count=count, probability=probability
        )

    def reset_connection(
        self,
        service: str,
        *,
        operation: str | None = None,
        count: int | None = 1,
        probability: float | None = None,
    ) -> Fault:
        """Abort the connection without answering."""
        return self.inject(
            service,
            FaultKind.CONNECTION_RESET,
            operation=operation,
            count=count,
            probability=probability,
        )

    def reset_after_processing(
        self,
        service: str,
        *,
        operation: str | None = None,
        count: int | None = 1,
        probability: float | None = None,
    ) -> Fault:
        """Handle the request, then abort the connection instead of answering (whatever the
        answer would have been, success or error)."""
        return self.inject(
            service,
            FaultKind.RESET_AFTER_PROCESSING,
            operation=operation,
            count=count,
            probability=probability,
        )

    def latency(
        self,
        service: str,
        seconds: float,
        *,
        operation: str | None = None,
        count: int | None = None,
        probability: float | None = None,
    ) -> Fault:
        """Delay answers by ``seconds``."""
        return self.inject(
            service,
            FaultKind.LATENCY,
            operation=operation,
            count=count,
            probability=probability,
            latency=seconds,
        )

    def rate_limit(self, service: str, per_second: float, *, burst: float | None = None) -> None:
        """Throttle a service above ``per_second`` requests (token bucket of size ``burst``,
        default ``max(1, per_second)``; it starts full and refills with the emulator clock)."""
        seconds("per_second", per_second, positive=True)
        if burst is not None:
            seconds("burst", burst)
        size = burst if burst is not None else max(1.0, per_second)
        if size < 1:
            raise ValueError("burst must be at least 1")
        self._buckets[canonical_service(service)] = _TokenBucket(
            per_second, size, size, self._clock.monotonic()
        )

    def remove_rate_limit(self, service: str) -> None:
        """Remove the service's rate limit (:meth:`rate_limit`), if any."""
        self._buckets.pop(canonical_service(service), None)

    def remove(self, rule: Fault) -> None:
        """Remove one rule (the same as ``rule.cancel()``); a rule already gone is ignored."""
        if rule in self._rules:
            self._rules.remove(rule)

    def clear(self) -> None:
        """Remove every rule and rate limit."""
        self._rules.clear()
        self._buckets.clear()

    def seed(self, seed: int | None) -> None:
        """Reseed the random source of ``probability`` rules, to replay a run."""
        self._random.seed(seed)

    @property
    def rules(self) -> tuple[Fault, ...]:
        """The active rules, in the order they are checked."""
        return tuple(self._rules)

    # -- per request ----------------------------------------------------------------------

    def decide(self, service: str, operation: str) -> Decision:
        """What to do with one request (the server calls this once per request): the total
        latency to add and the error fault that fires, if any. Spends the rules that fire."""
        if not self._rules and not self._buckets:
            return _NO_FAULT
        delay = 0.0
        kind: FaultKind | None = None
        spent: list[Fault] = []
        for rule in self._rules:
            if not rule._matches(service, operation):
                continue
            if rule.kind is not FaultKind.LATENCY and kind is not None:
                continue
            if rule.probability is not None and self._random.random() >= rule.probability:
                continue
            rule.hits += 1
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    spent.append(rule)
            if rule.kind is FaultKind.LATENCY:
                delay += rule.latency
            else:
                kind = rule.kind
        for rule in spent:
            self._rules.remove(rule)
        if kind is None:
            bucket = self._buckets.get(service)
            if bucket is not None and not bucket.take(self._clock.monotonic()):
                kind = FaultKind.THROTTLE
        return Decision(delay, kind)


class Counters:
    """Requests that reached the server, per (service, operation); faulted ones included.

    A request no operation matched is counted under the operation ``""``; one no service
    matched, under the service ``""`` (see :meth:`total`).
    """

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str]] = Counter()

    def record(self, service: str, operation: str) -> None:
        """Count one request (the server calls this)."""
        self._counts[(service, operation)] += 1

    def count(self, service: str, operation: str | None = None) -> int:
        """Requests to one operation of a service, or to every operation of it; ``service``
        may be an alias (``"kvs"``)."""
        service = canonical_service(service)
        if operation is not None:
            return self._counts[(service, operation)]
        return sum(n for (name, _), n in self._counts.items() if name == service)

    def total(self) -> int:
        """Every request counted, unmatched ones included."""
        return sum(self._counts.values())

    def snapshot(self) -> dict[tuple[str, str], int]:
        """A copy of every count, by (service, operation)."""
        return dict(self._counts)

    def reset(self) -> None:
        """Forget every count."""
        self._counts.clear()
