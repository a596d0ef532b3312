"""The one retry layer (tenacity) and the client-side rate adaptation it feeds.

botocore's own retries are switched off (``total_max_attempts=1``) on every client cdnkit
creates, so attempts never multiply across two layers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)
from tenacity.stop import stop_base

from ._exceptions import APIError, ThrottlingError, is_retryable
from ._policies import RetryPolicy

__all__ = ["AdaptiveRateLimiter", "RetryPolicy", "call_with_retries"]

T = TypeVar("T")

logger = logging.getLogger("cdnkit")


class AdaptiveRateLimiter:
    """A token bucket whose rate follows throttling, shared by all calls of one client.

    Unlimited until AWS throttles; then the rate drops to a fraction of what was being sent
    (multiplicative decrease, at most once per ``cooldown``) and grows back a little with every
    success (additive increase). Above ``ceiling`` requests per second it is unlimited again.
    """

    def __init__(
        self,
        *,
        decrease: float = 0.7,
        increase: float = 0.5,
        minimum: float = 0.5,
        ceiling: float = 1000.0,
        cooldown: float = 0.5,
    ) -> None:
        self._decrease = decrease
        self._increase = increase
        self._minimum = minimum
        self._ceiling = ceiling
        self._cooldown = cooldown
        self._rate: float | None = None
        self._tokens = 0.0
        self._refilled = time.monotonic()
        self._last_decrease = float("-inf")
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    @property
    def rate(self) -> float | None:
        """Requests per second allowed now; None when not limited."""
        return self._rate

    def _measured_rate(self, now: float) -> float:
        while self._sent and now - self._sent[0] > 1.0:
            self._sent.popleft()
        return float(len(self._sent))

    async def acquire(self) -> None:
        async with self._lock:
            now = time.monotonic()
            if self._rate is not None:
                self._tokens = min(
                    max(1.0, self._rate),
                    self._tokens + (now - self._refilled) * self._rate,
                )
                self._refilled = now
                if self._tokens < 1.0:
                    # Sleeping under the lock keeps waiters in order; the wait is short.
                    await asyncio.sleep((1.0 - self._tokens) / self._rate)
                    now = time.monotonic()
                    self._tokens = 1.0
                    self._refilled = now
                self._tokens -= 1.0
            self._sent.append(now)
            self._measured_rate(now)

    def on_throttle(self) -> None:
        now = time.monotonic()
        if now - self._last_decrease < self._cooldown:
            return
        self._last_decrease = now
        sent = self._measured_rate(now)
        current = self._rate if self._rate is not None else max(sent, self._minimum)
        self._rate = max(self._minimum, min(current, max(sent, self._minimum)) * self._decrease)
        self._tokens = 0.0
        self._refilled = now
        logger.debug("throttled: client-side rate now %.2f requests/s", self._rate)

    def on_success(self) -> None:
        if self._rate is None:
            return
        self._rate += self._increase
        if self._rate >= self._ceiling:
            self._rate = None


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    delay = state.next_action.sleep if state.next_action else 0.0
    what = (
        f"{error.service}.{error.operation} {error.code}"
        if isinstance(error, APIError)
        else type(error).__name__
    )
    # Only the operation and the error class/code: never parameters or credentials.
    logger.debug("retrying %s: attempt %d in %.2fs", what, state.attempt_number + 1, delay)


def _stop(policy: RetryPolicy) -> stop_base:
    attempts = stop_after_attempt(policy.max_attempts)
    if policy.deadline is None:
        return attempts
    return attempts | stop_before_delay(policy.deadline)


async def call_with_retries(
    attempt: Callable[[int], Awaitable[T]],
    policy: RetryPolicy,
    limiter: AdaptiveRateLimiter | None,
) -> T:
    """Run ``attempt(n)`` (n = 1, 2, ...) until it succeeds or fails for good.

    Each attempt first takes a token from the limiter (when adaptive); throttling slows the
    limiter down, success speeds it up again. The last error is re-raised as it was.
    """
    use_limiter = limiter if policy.adaptive else None
    number = 0

    async def once() -> T:
        nonlocal number
        number += 1
        if use_limiter is not None:
            await use_limiter.acquire()
        try:
            result = await attempt(number)
        except ThrottlingError:
            if use_limiter is not None:
                use_limiter.on_throttle()
            raise
        if use_limiter is not None:
            use_limiter.on_success()
        return result

    controller = AsyncRetrying(
        stop=_stop(policy),
        wait=wait_random_exponential(multiplier=policy.initial_backoff, max=policy.max_backoff),
        retry=retry_if_exception(is_retryable),
        before_sleep=_log_retry,
        reraise=True,
    )
    return await controller(once)
