"""``cdnkit.fan_out``: do one thing to many items (distributions, stores...) at a bounded
concurrency, with progress and one result per item."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Iterable
from typing import Generic, TypeVar, cast

from ._exceptions import InvalidRequestError

__all__ = ["FanOutResult", "fan_out"]

T = TypeVar("T")
R = TypeVar("R")


@dataclasses.dataclass(frozen=True, slots=True)
class FanOutResult(Generic[T, R]):
    """What happened to one item: its value, or the exception it raised."""

    #: The item, as given.
    item: T
    #: Its place among the items given (results come back in that order).
    index: int
    #: The exception ``fn(item)`` raised (a CancelledError of its own included), or None when
    #: it returned.
    error: BaseException | None
    _value: R | None = dataclasses.field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    def result(self) -> R:
        """The value ``fn(item)`` returned; raises the item's exception if it failed."""
        if self.error is not None:
            raise self.error
        return cast(R, self._value)  # set whenever error is None (R itself may be None)


async def fan_out(
    items: Iterable[T],
    fn: Callable[[T], Awaitable[R]],
    *,
    concurrency: int = 8,
    on_progress: Callable[[FanOutResult[T, R], int, int], Awaitable[None] | None] | None = None,
) -> list[FanOutResult[T, R]]:
    """Run ``fn(item)`` for every item, at most ``concurrency`` at a time; return one
    :class:`FanOutResult` per item, in the order of ``items``.

    An item whose ``fn`` raises an ``Exception`` (or a ``CancelledError`` of its own, when
    nobody cancelled the fan-out) is recorded as failed (``error``) and the others go on.
    ``on_progress(result, done, total)`` (a function or a coroutine function) is called as
    each item finishes; if it raises, the items still running are cancelled and its exception
    propagates. Cancelling the call cancels every item still running, waits for them to end,
    and re-raises. ``items``, ``fn``, ``concurrency`` and ``on_progress`` are checked before
    any work starts (:class:`cdnkit.InvalidRequestError`).

    Requests made by ``fn`` keep every rule of the client that makes them: retries, rate
    limits shared by the clients of one account (so a fan-out of throttled calls slows down
    together), deadlines.
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidRequestError(f"concurrency: a whole number >= 1, not {concurrency!r}")
    if not callable(fn):
        raise InvalidRequestError(f"fn: a coroutine function of an item, not {type(fn).__name__}")
    if on_progress is not None and not callable(on_progress):
        raise InvalidRequestError(
            f"on_progress: a function of (result, done, total), not {type(on_progress).__name__}"
        )
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise InvalidRequestError(f"items: an iterable of items, not {type(items).__name__}")
    work = list(items)
    total = len(work)
    results: list[FanOutResult[T, R] | None] = [None] * total
    queue = iter(enumerate(work))
    done = 0

    async def worker() -> None:
        nonlocal done
        task = asyncio.current_task()
        for index, item in queue:
            try:
                value = await fn(item)
            except Exception as error:  # recorded: one failure stops nothing
                result: FanOutResult[T, R] = FanOutResult(item, index, error)
            except asyncio.CancelledError as error:
                if task is not None and task.cancelling():
                    raise  # the fan-out itself is being cancelled
                result = FanOutResult(item, index, error)  # the item's own: recorded
            else:
                result = FanOutResult(item, index, None, value)
            results[index] = result
            done += 1
            if on_progress is not None:
                reported = on_progress(result, done, total)
                if reported is not None:
                    await reported

    workers = [asyncio.ensure_future(worker()) for _ in range(min(concurrency, total))]
    try:
        # The first worker to raise (a progress callback) ends the others, as does a cancel.
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
        # Each ends at its next await; nothing is left running when fan_out returns.
        await asyncio.gather(*workers, return_exceptions=True)
    # Every slot is filled once the workers ended without raising.
    return cast(list[FanOutResult[T, R]], results)
