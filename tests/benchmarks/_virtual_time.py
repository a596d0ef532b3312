"""An event loop on an emulated clock: when nothing is ready to run, time jumps to the next
timer instead of sleeping. Only for code that does no I/O (the wait schedule benchmark)."""

from __future__ import annotations

import asyncio
import heapq
from typing import Any


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        super().__init__()
        self._virtual_now = 0.0

    def time(self) -> float:
        return self._virtual_now

    def _run_once(self) -> None:
        # Private asyncio internals, read-only but for dropping cancelled timers at the head,
        # exactly as BaseEventLoop._run_once does first.
        loop: Any = self
        scheduled = loop._scheduled
        while scheduled and scheduled[0]._cancelled:
            loop._timer_cancelled_count -= 1
            heapq.heappop(scheduled)._scheduled = False
        if not loop._ready and scheduled:
            self._virtual_now = max(self._virtual_now, scheduled[0]._when)
        super()._run_once()  # type: ignore[misc]  # private in the stubs; exists at run time
