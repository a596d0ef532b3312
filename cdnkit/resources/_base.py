"""What every resource family shares: the core of its client and the per-call policies."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from .._core import Sends, ServiceCore, checked_wire
from .._models import CdnKitModel
from .._policies import RetryPolicy, WaitPolicy

M = TypeVar("M", bound=CdnKitModel)
T = TypeVar("T")


class Resource:
    """Base of the resource classes; created by the client, bound to its options."""

    def __init__(self, core: ServiceCore, *, retry: RetryPolicy, wait: WaitPolicy) -> None:
        self._core = core
        self._retry = retry
        self._wait = wait

    async def _invoke(
        self, operation: str, request: BaseModel, result: type[M], *, sends: Sends | None = None
    ) -> M:
        """Send a request model, retried on transient failures; ``sends`` logs the sends."""
        return await self._core.invoke(operation, request, result, retry=self._retry, sends=sends)

    async def _send(
        self, operation: str, request: BaseModel, *, sends: Sends | None = None
    ) -> dict[str, Any]:
        """Send a request whose reply has nothing to parse (or is read raw, headers included);
        ``sends`` logs the sends."""
        return await self._core.send(
            operation, checked_wire(request), retry=self._retry, sends=sends
        )

    async def _paginate(
        self,
        operation: str,
        request: Callable[[str | None], BaseModel],
        result: type[M],
        page: Callable[[M], tuple[Sequence[T] | None, str | None]],
    ) -> AsyncIterator[T]:
        """Items of every page; ``page`` returns a reply's items and the next marker/token."""
        marker: str | None = None
        while True:
            reply = await self._invoke(operation, request(marker), result)
            items, marker = page(reply)
            for item in items or ():
                yield item
            if not marker:
                return
