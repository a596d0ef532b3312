"""The ETag engine every CloudFront resource shares: read, mutate a copy, write with If-Match,
and on a stale ETag read again and re-apply.

Concurrent mutations of one resource inside one process take turns (a lock per resource), so
they do not make each other stale; conflicts with other writers are retried with bounded,
jittered attempts.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from pydantic import ValidationError as PydanticValidationError

from ._exceptions import NotFoundError, PreconditionFailedError, RequestValidationError
from ._models import CdnKitModel, parse_response, to_wire, validate_request
from ._policies import RetryPolicy

__all__ = [
    "ETagged",
    "Mutator",
    "ResourceLocks",
    "apply_mutation",
    "delete_after_read",
    "read_modify_write",
    "retry_on_stale",
]

logger = logging.getLogger("cdnkit")

C = TypeVar("C", bound=CdnKitModel)
R = TypeVar("R")

#: Gets a copy of the current value; changes it in place (returning None) or returns a new
#: value. May be a coroutine function.
Mutator = Callable[[C], C | Awaitable[C | None] | None]


class ETagged(Generic[C]):
    """A value as read, with the ETag that must accompany its next write."""

    __slots__ = ("etag", "value")

    def __init__(self, value: C, etag: str) -> None:
        self.value = value
        self.etag = etag


class ResourceLocks:
    """One asyncio lock per resource key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def get(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock


async def apply_mutation(value: C, mutate: Mutator[C]) -> C:
    """Run ``mutate`` on a deep copy of ``value`` and validate what it produced."""
    draft = value.model_copy(deep=True)
    outcome = mutate(draft)
    if inspect.isawaitable(outcome):
        outcome = await outcome
    changed = outcome if outcome is not None else draft
    if not isinstance(changed, type(value)):
        raise TypeError(
            f"the mutator returned {type(changed).__name__}, not {type(value).__name__} or None"
        )
    # Attribute assignment is not validated by pydantic: validate the result as a request.
    # (warnings=False: the serializer would warn about a wrongly typed value; the validation
    # error below says it better.)
    wire = changed.model_dump(by_alias=True, exclude_none=True, warnings=False)
    try:
        return validate_request(type(value), wire)
    except PydanticValidationError as error:
        # What was read is kept as it came (an enum value newer than this botocore, a limit
        # AWS no longer applies): only what the mutation changed must pass the checks.
        before = value.model_dump(by_alias=False)
        after = changed.model_dump(by_alias=False, warnings=False)
        if any(_at(before, e["loc"]) != _at(after, e["loc"]) for e in error.errors()):
            raise RequestValidationError(error) from error
        return parse_response(type(value), wire)


_ABSENT = object()


def _at(data: Any, loc: tuple[int | str, ...]) -> Any:
    """The value at a validation error's location in a ``model_dump``, or a marker."""
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return _ABSENT
    return data


async def read_modify_write(
    *,
    key: str,
    locks: ResourceLocks,
    read: Callable[[], Awaitable[ETagged[C]]],
    write: Callable[[C, str], Awaitable[R]],
    mutate: Mutator[C],
    unchanged: Callable[[ETagged[C]], Awaitable[R]],
    policy: RetryPolicy,
    if_match: str | None = None,
) -> R:
    """Apply ``mutate`` to the resource until a write goes through.

    Returns ``write``'s result, or ``unchanged(current)`` when the mutation changes nothing
    (then nothing is sent) or when a write refused as stale turns out to have landed. With
    ``if_match`` the caller controls the ETag: it is sent as given and a conflict is raised,
    not retried.
    """
    async with locks.get(key):
        attempt = 0
        refused: dict[str, Any] | None = None
        while True:
            attempt += 1
            current = await read()
            if refused is not None and to_wire(current.value) == refused:
                # The refused write had landed: its answer was lost and the transport retry
                # found its own ETag stale. Applying the mutation again would apply it twice.
                return await unchanged(current)
            changed = await apply_mutation(current.value, mutate)
            if to_wire(changed) == to_wire(current.value):
                return await unchanged(current)
            try:
                return await write(changed, if_match or current.etag)
            except PreconditionFailedError:
                if if_match is not None or attempt >= policy.max_attempts:
                    raise
                refused = to_wire(changed)
                delay = random.uniform(
                    0, min(policy.max_backoff, policy.initial_backoff * 2**attempt)
                )
                logger.debug("%s changed underneath: re-reading (attempt %d)", key, attempt + 1)
                await asyncio.sleep(delay)


async def retry_on_stale(
    attempt: Callable[[], Awaitable[R]], *, what: str, policy: RetryPolicy, manual: bool = False
) -> R:
    """Run ``attempt`` (which reads the ETags it needs, then writes) until it is not stale.

    ``manual`` (the caller passed its own If-Match) raises the first conflict instead.
    """
    number = 0
    while True:
        number += 1
        try:
            return await attempt()
        except PreconditionFailedError:
            if manual or number >= policy.max_attempts:
                raise
            delay = random.uniform(0, min(policy.max_backoff, policy.initial_backoff * 2**number))
            logger.debug("%s changed underneath: re-reading (attempt %d)", what, number + 1)
            await asyncio.sleep(delay)


async def delete_after_read(delete: Callable[[], Awaitable[object]], *, was_read: bool) -> None:
    """Send a delete. When the resource was read just before (so it existed), "not found" means
    it is gone already: this delete landed and its answer was lost (the transport retry found
    nothing), or another writer removed it. Either way the delete is done."""
    try:
        await delete()
    except NotFoundError:
        if not was_read:
            raise
