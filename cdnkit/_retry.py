"""The one retry layer (tenacity), the per-call deadline, and client-side rate adaptation.

botocore's own retries are switched off (``total_max_attempts=1``) on every client cdnkit
creates, so attempts never multiply across two layers.

The success path is flat: an attempt that succeeds the first time builds no retry machinery
and, while its operation is not throttled, waits for no limiter.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from ._exceptions import APIError, ResourceBusyError, is_retryable
from ._policies import RetryPolicy

if TYPE_CHECKING:
    from tenacity import RetryCallState

__all__ = [
    "OperationRate",
    "RetryPolicy",
    "call_with_retries",
    "current_deadline",
    "retry_after",
]

T = TypeVar("T")

logger = logging.getLogger("cdnkit")

#: Event-loop time by which the current call must end (set by the core's call scopes), so that
#: a retry never starts a backoff that the deadline would cut.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "cdnkit_deadline", default=None
)


def current_deadline() -> float | None:
    """The event-loop time by which the current call must end, if any."""
    return _deadline.get()


def set_deadline(deadline: float | None) -> contextvars.Token[float | None]:
    return _deadline.set(deadline)


def reset_deadline(token: contextvars.Token[float | None]) -> None:
    _deadline.reset(token)


#: The last error a retried call of this context met (set only on the retry path): what a
#: DeadlineExceededError names as its cause, rather than the attempt the deadline cut short.
#: A call scope compares it with the value it found on entry, so an earlier call's error is
#: never taken for its own.
_last_failure: contextvars.ContextVar[BaseException | None] = contextvars.ContextVar(
    "cdnkit_last_failure", default=None
)


def last_failure() -> BaseException | None:
    return _last_failure.get()


class OperationRate:
    """Client-side rate adaptation for one operation of one service and account.

    Shared by every client of the process for that account (see :func:`rate_for`), because
    AWS throttles per operation and account: a throttled CreateInvalidation must not slow
    GetDistributionConfig down, and two clients must not each think they have the whole quota.

    Unlimited until throttles are frequent: ``min_throttles`` throttles in ``window`` seconds
    that make at least ``min_ratio`` of the answers. An isolated throttle (AWS throttles a
    small share of calls whatever the rate) only costs that call a backoff. Once frequent, the
    rate is set to ``decrease`` times what the service accepted lately, so the client falls
    under the limit at once; a throttle of an attempt sent before the last decrease is ignored
    (that decrease already answered it). Without throttles the rate grows by ``recovery`` times
    itself per second; past ``ceiling`` it is unlimited again.

    Tokens are handed out by reservation (each caller takes the next free instant and sleeps
    until then), which keeps arrival order without a lock.
    """

    __slots__ = (
        "_accepted",
        "_ceiling",
        "_decrease",
        "_grown",
        "_last_decrease",
        "_min_ratio",
        "_min_throttles",
        "_minimum",
        "_next_free",
        "_recovery",
        "_throttles",
        "_window",
        "rate",
    )

    def __init__(
        self,
        *,
        decrease: float = 0.7,
        recovery: float = 0.5,
        minimum: float = 0.5,
        ceiling: float = 1000.0,
        window: float = 1.0,
        min_throttles: int = 3,
        min_ratio: float = 0.15,
    ) -> None:
        self._decrease = decrease
        self._recovery = recovery
        self._minimum = minimum
        self._ceiling = ceiling
        self._window = window
        self._min_throttles = min_throttles
        self._min_ratio = min_ratio
        #: Requests per second allowed now; None when not limited.
        self.rate: float | None = None
        self._next_free = 0.0
        self._grown = 0.0
        self._last_decrease = float("-inf")
        #: When recent answers came back: successes, and throttles.
        self._accepted: deque[float] = deque()
        self._throttles: deque[float] = deque()

    async def acquire(self) -> float:
        """Wait for this attempt's turn; return when it may be sent."""
        now = time.monotonic()
        rate = self.rate
        if rate is None:
            return now
        start = max(now, self._next_free)
        self._next_free = start + 1.0 / rate
        if start > now:
            await asyncio.sleep(start - now)
        return start

    def _trim(self, now: float) -> None:
        edge = now - self._window
        for times in (self._accepted, self._throttles):
            while times and times[0] < edge:
                times.popleft()

    def on_throttle(self, sent_at: float) -> None:
        """An attempt sent at ``sent_at`` was throttled."""
        now = time.monotonic()
        self._throttles.append(now)
        self._trim(now)
        if sent_at < self._last_decrease:
            return
        throttles = len(self._throttles)
        answers = throttles + len(self._accepted)
        if self.rate is None and (
            throttles < self._min_throttles or throttles < self._min_ratio * answers
        ):
            return  # isolated: the backoff of that one call is enough
        self._last_decrease = now
        accepted = len(self._accepted) / self._window
        current = accepted if self.rate is None else min(self.rate, accepted)
        self.rate = max(self._minimum, current * self._decrease)
        self._next_free = now + 1.0 / self.rate
        self._grown = now
        logger.debug("throttled: client-side rate now %.2f requests/s", self.rate)

    def on_success(self) -> None:
        now = time.monotonic()
        self._accepted.append(now)
        if len(self._accepted) > 64:
            self._trim(now)
        rate = self.rate
        if rate is None:
            return
        rate += rate * self._recovery * (now - self._grown)
        self._grown = now
        if rate >= self._ceiling:
            self.rate = None
            logger.debug("client-side rate limit lifted")
        else:
            self.rate = rate


def _failure(error: BaseException | None) -> str:
    # Only the error's class and code: never parameters or credentials.
    if isinstance(error, APIError):
        return f"{type(error).__name__} {error.code}"
    return type(error).__name__


async def call_with_retries(
    attempt: Callable[[int], Awaitable[T]],
    policy: RetryPolicy,
    *,
    retry_if: Callable[[BaseException], bool] = is_retryable,
    what: str = "call",
    log: logging.Logger = logger,
) -> T:
    """Run ``attempt(n)`` (n = 1, 2, ...) until it succeeds or fails for good.

    At most ``policy.max_attempts`` attempts, except that a :class:`ResourceBusyError`
    ("please wait", a change still in progress) does not count: Lightsail changes take
    minutes, so those are retried until ``policy.deadline`` (when there is none, they count
    like any other failure). No backoff starts that would end after the deadline (the
    policy's or the call's). The last error is re-raised as it was.
    """
    try:
        return await attempt(1)
    except Exception as error:
        if not retry_if(error):
            raise
        first = error
    return await retry_after(first, attempt, policy, retry_if=retry_if, what=what, log=log)


async def retry_after(
    first: BaseException,
    attempt: Callable[[int], Awaitable[T]],
    policy: RetryPolicy,
    *,
    retry_if: Callable[[BaseException], bool],
    what: str,
    log: logging.Logger,
) -> T:
    """The slow path of :func:`call_with_retries`: the first attempt failed with ``first``, a
    retryable error; attempts from the second on (``attempt(2)``, ...)."""
    # Imported here: a program whose calls all succeed at once never loads tenacity.
    from tenacity import AsyncRetrying, retry_if_exception, wait_random_exponential

    loop = asyncio.get_running_loop()
    started = loop.time()
    busy = policy.deadline is not None
    counted = 0 if (busy and isinstance(first, ResourceBusyError)) else 1
    number = 1
    pending: BaseException | None = first
    _last_failure.set(first)

    async def once() -> T:
        nonlocal number, counted, pending
        if pending is not None:
            # Replays the first attempt's failure so tenacity's bookkeeping starts from it.
            error, pending = pending, None
            raise error
        number += 1
        try:
            return await attempt(number)
        except ResourceBusyError as error:
            _last_failure.set(error)
            if not busy:
                counted += 1
            raise
        except Exception as error:
            _last_failure.set(error)
            counted += 1
            raise
        except BaseException:  # cancelled (the deadline, a close): not a failure of the call
            counted += 1
            raise

    def stop(state: RetryCallState) -> bool:
        now = loop.time()
        if policy.deadline is not None and now - started + state.upcoming_sleep >= policy.deadline:
            return True
        deadline = _deadline.get()
        if deadline is not None and now + state.upcoming_sleep >= deadline:
            return True
        return counted >= policy.max_attempts

    def log_retry(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        log.debug(
            "%s: %s, retrying (attempt %d in %.2fs)",
            what,
            _failure(error),
            state.attempt_number + 1,
            delay,
        )

    controller = AsyncRetrying(
        stop=stop,
        wait=wait_random_exponential(multiplier=policy.initial_backoff, max=policy.max_backoff),
        retry=retry_if_exception(retry_if),
        before_sleep=log_retry,
        reraise=True,
    )
    try:
        return await controller(once)
    except Exception as error:
        if retry_if(error):
            log.warning(
                "%s: giving up after %d attempts in %.1fs: %s",
                what,
                number,
                loop.time() - started,
                _failure(error),
            )
        raise
