"""The one retry layer (tenacity) and the client-side rate adaptation it feeds.

botocore's own retries are switched off (``total_max_attempts=1``) on every client cdnkit
creates, so attempts never multiply across two layers.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    wait_random_exponential,
)

from ._exceptions import APIError, ResourceBusyError, ThrottlingError, is_retryable
from ._policies import RetryPolicy

__all__ = ["AdaptiveRateLimiter", "RetryPolicy", "call_with_retries"]

T = TypeVar("T")

logger = logging.getLogger("cdnkit")

#: The limiter whose in-flight slot the current task holds: a call nested in another call's
#: attempt (a create reconciling by name) must not wait for a second slot, or a full client
#: would deadlock on itself.
_holding: contextvars.ContextVar[AdaptiveRateLimiter | None] = contextvars.ContextVar(
    "cdnkit_limiter_slot", default=None
)


class AdaptiveRateLimiter:
    """Client-side rate adaptation, shared by every call of a client (and its copies).

    Two gates, both passed before each attempt:

    * **In flight**: at most ``max_in_flight`` attempts at once (cdnkit's default pool size).
      More would only queue inside aiohttp, past any gate: after a throttle, that queue would
      keep hitting the service at full speed.
    * **Rate**: unlimited until the service throttles. A throttle sets the rate to ``decrease``
      times what the service accepted lately (successes over the last ``window`` seconds), so
      the client falls under the service's limit at once. A throttle of an attempt sent before
      the last decrease is ignored: that decrease already answered it. Without throttles the
      rate grows by ``recovery`` times itself per second; past ``ceiling`` it is unlimited.
    """

    def __init__(
        self,
        *,
        max_in_flight: int = 10,
        decrease: float = 0.7,
        recovery: float = 0.5,
        minimum: float = 0.5,
        ceiling: float = 1000.0,
        window: float = 1.0,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self._slots = asyncio.Semaphore(max_in_flight)
        self._decrease = decrease
        self._recovery = recovery
        self._minimum = minimum
        self._ceiling = ceiling
        self._window = window
        self._rate: float | None = None
        self._tokens = 0.0
        self._refilled = 0.0
        self._grown = 0.0
        self._last_decrease = float("-inf")
        self._first_sent: float | None = None
        #: When recent successes came back, to measure what the service accepts.
        self._accepted: deque[float] = deque()
        self._lock = asyncio.Lock()

    @property
    def rate(self) -> float | None:
        """Requests per second allowed now; None when not limited."""
        return self._rate

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[float]:
        """Hold an in-flight slot and a token for one attempt; yields when it was sent."""
        if _holding.get() is self:
            yield await self._take_token()
            return
        async with self._slots:
            token = _holding.set(self)
            try:
                yield await self._take_token()
            finally:
                _holding.reset(token)

    async def _take_token(self) -> float:
        now = time.monotonic()
        if self._first_sent is None:
            self._first_sent = now
        if self._rate is None:
            return now
        async with self._lock:
            # Waiting under the lock hands tokens out in arrival order.
            while True:
                now = time.monotonic()
                rate = self.rate  # the property: mypy would keep the narrowing above
                if rate is None:  # lifted while this call waited
                    return now
                self._tokens = min(max(1.0, rate), self._tokens + (now - self._refilled) * rate)
                self._refilled = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return now
                await asyncio.sleep((1.0 - self._tokens) / rate)

    def _accepted_rate(self, now: float) -> float:
        while self._accepted and now - self._accepted[0] > self._window:
            self._accepted.popleft()
        # Over less than a window when the client is younger than one.
        span = self._window if self._first_sent is None else now - self._first_sent
        return len(self._accepted) / max(min(self._window, span), 0.05)

    def on_throttle(self, sent_at: float | None = None) -> None:
        """An attempt sent at ``sent_at`` was throttled."""
        now = time.monotonic()
        if sent_at is not None and sent_at < self._last_decrease:
            return
        self._last_decrease = now
        accepted = self._accepted_rate(now)
        current = accepted if self._rate is None else min(self._rate, accepted)
        self._rate = max(self._minimum, current * self._decrease)
        self._tokens = 0.0
        self._refilled = now
        self._grown = now
        logger.debug("throttled: client-side rate now %.2f requests/s", self._rate)

    def on_success(self) -> None:
        now = time.monotonic()
        self._accepted.append(now)
        self._accepted_rate(now)  # drops what fell out of the window
        if self._rate is None:
            return
        self._rate += self._rate * self._recovery * (now - self._grown)
        self._grown = now
        if self._rate >= self._ceiling:
            self._rate = None
            logger.debug("client-side rate limit lifted")


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


async def call_with_retries(
    attempt: Callable[[int], Awaitable[T]],
    policy: RetryPolicy,
    limiter: AdaptiveRateLimiter | None,
) -> T:
    """Run ``attempt(n)`` (n = 1, 2, ...) until it succeeds or fails for good.

    Each attempt first passes the limiter (when adaptive); throttling slows the limiter down,
    success speeds it up again. At most ``policy.max_attempts`` attempts, except that a
    :class:`ResourceBusyError` ("please wait", a change still in progress) does not count:
    Lightsail changes take minutes, so those are retried until ``policy.deadline`` (when
    there is none, they count like any other failure). No attempt starts after the deadline.
    The last error is re-raised as it was.
    """
    use_limiter = limiter if policy.adaptive else None
    number = 0
    counted = 0  # attempts that count against max_attempts

    async def once() -> T:
        nonlocal number, counted
        number += 1
        try:
            if use_limiter is None:
                result = await attempt(number)
            else:
                async with use_limiter.slot() as sent_at:
                    try:
                        result = await attempt(number)
                    except ThrottlingError:
                        use_limiter.on_throttle(sent_at)
                        raise
                use_limiter.on_success()
        except ResourceBusyError:
            if policy.deadline is None:
                counted += 1
            raise
        except BaseException:
            counted += 1
            raise
        return result

    def stop(state: RetryCallState) -> bool:
        if policy.deadline is not None:
            elapsed = state.seconds_since_start or 0.0
            if elapsed + state.upcoming_sleep >= policy.deadline:
                return True
        return counted >= policy.max_attempts

    controller = AsyncRetrying(
        stop=stop,
        wait=wait_random_exponential(multiplier=policy.initial_backoff, max=policy.max_backoff),
        retry=retry_if_exception(is_retryable),
        before_sleep=_log_retry,
        reraise=True,
    )
    return await controller(once)
