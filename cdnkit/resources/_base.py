"""What every resource family shares: the core of its client and the per-call policies."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from .._core import ServiceCore
from .._models import CdnKitModel
from .._policies import RetryPolicy, WaitPolicy

M = TypeVar("M", bound=CdnKitModel)


class Resource:
    """Base of the resource classes; created by the client, bound to its options."""

    def __init__(self, core: ServiceCore, *, retry: RetryPolicy, wait: WaitPolicy) -> None:
        self._core = core
        self._retry = retry
        self._wait = wait

    async def _invoke(self, operation: str, request: BaseModel, result: type[M]) -> M:
        return await self._core.invoke(operation, request, result, retry=self._retry)
