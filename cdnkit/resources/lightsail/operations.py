"""``kit.operations``: Lightsail operations, and waiting for them to finish."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Final

from ..._core import build_request, check_timeout, poll, within
from ..._exceptions import OperationFailedError
from ...types import lightsail as ls
from .._base import Resource

__all__ = ["Operations", "is_finished"]

_SUCCEEDED: Final = frozenset({"Succeeded", "Completed"})
_FINISHED: Final = _SUCCEEDED | {"Failed"}


def is_finished(operation: ls.Operation) -> bool:
    """Whether the operation reached a terminal status."""
    return bool(operation.is_terminal) or operation.status in _FINISHED


class Operations(Resource):
    """Operations that Lightsail's mutating calls start."""

    async def get(self, operation_id: str) -> ls.Operation:
        """Send GetOperation (retried on throttling, 5xx and lost connections per the client's
        RetryPolicy); return the operation as it is now.

        Waits for nothing (see :meth:`wait`). Raises :class:`cdnkit.NotFoundError` for an unknown
        id.
        """
        result = await self._call(
            "GetOperation", ls.GetOperationRequest, ls.GetOperationResult, operation_id=operation_id
        )
        return result.operation

    async def for_resource(self, resource_name: str) -> list[ls.Operation]:
        """Every operation of a resource, newest first as Lightsail lists them: sends
        GetOperationsForResource for every page (each request retried on throttling, 5xx and lost
        connections per the client's RetryPolicy). Waits for nothing."""

        def page(
            reply: ls.GetOperationsForResourceResult,
        ) -> tuple[list[ls.Operation] | None, str | None]:
            return reply.operations, reply.next_page_token

        pages = self._paginate(
            "GetOperationsForResource",
            lambda token: build_request(
                ls.GetOperationsForResourceRequest, resource_name=resource_name, page_token=token
            ),
            ls.GetOperationsForResourceResult,
            page,
        )
        return [operation async for operation in pages]

    async def watch(
        self, operation: ls.Operation | str, *, timeout: float | None = None
    ) -> AsyncIterator[ls.Operation]:
        """Yield the operation now and at each change of status, ending with its terminal state.

        A ``Failed`` end is yielded, not raised (use :meth:`wait` for that). Raises
        :class:`cdnkit.WaiterTimeoutError` after ``timeout`` seconds (default: the client's
        wait policy).
        """
        seen: str | None = None
        if isinstance(operation, str):
            operation_id = operation  # its first read is a poll, inside the wait's deadline
        else:
            yield operation
            if is_finished(operation):
                return
            operation_id = operation.id
            seen = operation.status

        async def fetch() -> ls.Operation:
            return await self.get(operation_id)

        async for state in poll(
            self._core,
            fetch,
            policy=self._wait,
            timeout=timeout,
            what=f"operation {operation_id}",
            immediate=isinstance(operation, str),
        ):
            if seen is None or state.status != seen or is_finished(state):
                seen = state.status
                yield state
            if is_finished(state):
                return

    async def wait(
        self, operation: ls.Operation | str, *, timeout: float | None = None
    ) -> ls.Operation:
        """Poll GetOperation (each poll retried as any read; transient failures polled through)
        until the operation is terminal; return it once it succeeded. Raises
        :class:`cdnkit.OperationFailedError` if it failed, :class:`cdnkit.WaiterTimeoutError` (with
        the last state seen) at ``timeout`` (default: the client's WaitPolicy)."""
        last: ls.Operation | None = None
        async for state in self.watch(operation, timeout=timeout):
            last = state
        assert last is not None  # watch always yields at least once
        if last.status not in _SUCCEEDED:
            raise OperationFailedError(last)
        return last

    async def wait_all(
        self, operations: Iterable[ls.Operation], *, timeout: float | None = None
    ) -> list[ls.Operation]:
        """Wait for every operation as :meth:`wait` does (they run concurrently on AWS's side),
        within one ``timeout`` for all of them; return them in the order given. Raises as
        :meth:`wait` does for the first that fails."""
        if timeout is not None:
            check_timeout(timeout)  # before the first poll
        # One deadline for the batch, not one per operation.
        with within(self._wait.timeout if timeout is None else timeout):
            return [await self.wait(operation) for operation in operations]
