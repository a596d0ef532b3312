"""Retry and wait policies: plain frozen dataclasses, cheap to import."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

from ._exceptions import InvalidRequestError

if TYPE_CHECKING:
    from ._observability import WaitProgress

__all__ = ["Clock", "RetryPolicy", "WaitPolicy"]


class Clock(Protocol):
    """A source of time for waits: give a client one (``clock=``) to make its waits follow it.

    By default waits follow the event loop's clock and sleep for real. The emulator's clock
    (``cdnkit.testing.Emulator.clock``) is one: its ``sleep`` moves emulated time forward at
    once, so a wait for an operation that takes five emulated minutes takes milliseconds.
    """

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass on this clock."""
        ...


def seconds(name: str, value: object) -> float:
    """``value`` if it is a finite real number (an int or a float, not a bool); else
    :class:`cdnkit.InvalidRequestError` naming ``name``. NaN compares false with every bound,
    so a NaN deadline would never end a call; infinity would not either."""
    if type(value) is not int and type(value) is not float:
        raise InvalidRequestError(f"{name} must be a number, not {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond any float: no wait is that long either
        number = math.inf
    if not math.isfinite(number):
        raise InvalidRequestError(f"{name} must be a finite number, not {number!r}")
    return number


@dataclasses.dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How a call is retried when the failure is transient (see ``is_retryable``).

    Delays are full-jitter exponential: a random time between 0 and
    ``min(max_backoff, initial_backoff * 2 ** attempt)``.
    """

    #: Attempts in all, the first included; 1 turns retries off.
    max_attempts: int = 5
    initial_backoff: float = 0.2
    max_backoff: float = 20.0
    #: Seconds from the first attempt after which no new attempt starts; None for no limit.
    deadline: float | None = 120.0
    #: Slow every call of the client down after throttling, and speed up again on success.
    adaptive: bool = True

    def __post_init__(self) -> None:
        if type(self.max_attempts) is not int:
            raise InvalidRequestError(
                f"RetryPolicy.max_attempts must be an int, not {type(self.max_attempts).__name__}"
            )
        if self.max_attempts < 1:
            raise InvalidRequestError("RetryPolicy.max_attempts must be at least 1")
        backoffs = (
            seconds("RetryPolicy.initial_backoff", self.initial_backoff),
            seconds("RetryPolicy.max_backoff", self.max_backoff),
        )
        if min(backoffs) < 0:
            raise InvalidRequestError("RetryPolicy backoffs must not be negative")
        if self.deadline is not None and seconds("RetryPolicy.deadline", self.deadline) <= 0:
            raise InvalidRequestError("RetryPolicy.deadline must be positive or None")
        if type(self.adaptive) is not bool:
            raise InvalidRequestError(
                f"RetryPolicy.adaptive must be a bool, not {type(self.adaptive).__name__}"
            )


@dataclasses.dataclass(frozen=True, kw_only=True)
class WaitPolicy:
    """How waiters poll: the first poll soon, then slower, capped, until ``timeout``.

    The pause before each poll starts at ``initial_delay``, grows by ``multiplier``, and never
    exceeds ``max_delay`` nor ``initial_delay + relative_delay * (time waited so far)``: a
    change that takes T seconds is seen within about ``initial_delay + relative_delay * T``
    (1 s + 10 % by default), with about 20 polls for T = 60 s and 50 for T = 900 s.
    """

    initial_delay: float = 1.0
    max_delay: float = 60.0
    multiplier: float = 1.5
    #: A pause is at most this share of the time waited so far (plus ``initial_delay``).
    relative_delay: float = 0.1
    #: Seconds a wait may take in all.
    timeout: float = 1800.0
    #: Called after every poll of every wait (Lightsail operations and deployments, CloudFront
    #: deployments, stores, invalidations) with a :class:`cdnkit.WaitProgress`; a coroutine
    #: function is awaited. What it raises ends the wait.
    on_progress: Callable[[WaitProgress], Awaitable[None] | None] | None = dataclasses.field(
        default=None, compare=False
    )

    def __post_init__(self) -> None:
        for name in ("initial_delay", "max_delay", "multiplier", "relative_delay", "timeout"):
            seconds(f"WaitPolicy.{name}", getattr(self, name))
        if self.on_progress is not None and not callable(self.on_progress):
            raise InvalidRequestError(
                f"WaitPolicy.on_progress must be callable or None, "
                f"not {type(self.on_progress).__name__}"
            )
        if self.initial_delay < 0 or self.max_delay < 0 or self.multiplier < 1:
            raise InvalidRequestError("WaitPolicy delays must be >= 0 and multiplier >= 1")
        if self.relative_delay <= 0:
            raise InvalidRequestError("WaitPolicy.relative_delay must be positive")
        if self.timeout <= 0:
            raise InvalidRequestError("WaitPolicy.timeout must be positive")
