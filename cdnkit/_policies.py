"""Retry and wait policies: plain frozen dataclasses, cheap to import."""

from __future__ import annotations

import dataclasses

__all__ = ["RetryPolicy", "WaitPolicy"]


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
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1")
        if self.initial_backoff < 0 or self.max_backoff < 0:
            raise ValueError("RetryPolicy backoffs must not be negative")
        if self.deadline is not None and self.deadline <= 0:
            raise ValueError("RetryPolicy.deadline must be positive or None")


@dataclasses.dataclass(frozen=True, kw_only=True)
class WaitPolicy:
    """How waiters poll: the first poll soon, then slower, capped, until ``timeout``."""

    initial_delay: float = 1.0
    max_delay: float = 15.0
    multiplier: float = 1.5
    #: Seconds a wait may take in all.
    timeout: float = 1800.0

    def __post_init__(self) -> None:
        if self.initial_delay < 0 or self.max_delay < 0 or self.multiplier < 1:
            raise ValueError("WaitPolicy delays must be >= 0 and multiplier >= 1")
        if self.timeout <= 0:
            raise ValueError("WaitPolicy.timeout must be positive")
