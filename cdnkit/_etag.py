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
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from ._core import ResourceLocks, Sends, ServiceCore, within
from ._exceptions import (
    InvalidRequestError,
    NotFoundError,
    PreconditionFailedError,
    RequestValidationError,
)
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


async def apply_mutation(value: C, mutate: Mutator[C]) -> C:
    """Run ``mutate`` on a deep copy of ``value`` and validate what it produced."""
    draft = value.model_copy(deep=True)
    outcome = mutate(draft)
    if inspect.isawaitable(outcome):
        outcome = await outcome
    changed = outcome if outcome is not None else draft
    if not isinstance(changed, type(value)):
        raise InvalidRequestError(
            f"mutate: the mutator returned {type(changed).__name__}, "
            f"not {type(value).__name__} or None"
        )
    # Attribute assignment is not validated by pydantic: validate the result as a request.
    # (warnings=False: the serializer would warn about a wrongly typed value; the validation
    # error below says it better.)
    wire = changed.model_dump(by_alias=True, exclude_none=True, warnings=False)
    try:
        return validate_request(type(value), wire)
    except RequestValidationError as error:
        # What was read is kept as it came (an enum value newer than this botocore, a limit
        # AWS no longer applies): only what the mutation changed must pass the checks.
        before = value.model_dump(by_alias=False)
        after = changed.model_dump(by_alias=False, warnings=False)
        if any(_at(before, e["loc"]) != _at(after, e["loc"]) for e in error.errors()):
            raise
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


async def _pause(core: ServiceCore, policy: RetryPolicy, attempt: int, what: str) -> None:
    """A jittered pause before re-reading a resource another writer changed."""
    delay = random.uniform(0, min(policy.max_backoff, policy.initial_backoff * 2**attempt))
    logger.debug("%s changed underneath: re-reading (attempt %d)", what, attempt + 1)
    async with core.scope():
        await asyncio.sleep(delay)


async def read_modify_write(
    *,
    core: ServiceCore,
    key: str,
    read: Callable[[], Awaitable[ETagged[C]]],
    write: Callable[[C, str, Sends], Awaitable[R]],
    mutate: Mutator[C],
    unchanged: Callable[[ETagged[C]], Awaitable[R]],
    policy: RetryPolicy,
    if_match: str | None = None,
) -> R:
    """Apply ``mutate`` to the resource until a write goes through.

    Returns ``write``'s result, or ``unchanged(current)`` when the mutation changes nothing
    (then nothing is sent). A write refused as stale is computed again from a fresh read and
    re-applied, except when an earlier send of that same write got no answer and the resource
    now holds exactly what it sent: then that send landed (its answer was lost) and applying
    the mutation again would apply it twice. With ``if_match`` the caller controls the ETag:
    it is sent as given and a conflict is raised, not retried.

    The whole loop runs within the retry policy's deadline, under a per-resource lock (writers
    of one process take turns and do not make each other stale).
    """
    with within(policy.deadline):
        async with core.locks.get(key):
            attempt = 0
            while True:
                attempt += 1
                current = await read()
                changed = await apply_mutation(current.value, mutate)
                body = to_wire(changed)
                if if_match is None and body == to_wire(current.value):
                    return await unchanged(current)
                sends = Sends()
                try:
                    return await write(changed, if_match or current.etag, sends)
                except PreconditionFailedError:
                    if sends.unanswered:
                        now = await read()
                        if to_wire(now.value) == body:
                            return await unchanged(now)
                    if if_match is not None or attempt >= policy.max_attempts:
                        raise
                await _pause(core, policy, attempt, key)


async def retry_on_stale(
    core: ServiceCore,
    attempt: Callable[[], Awaitable[R]],
    *,
    what: str,
    policy: RetryPolicy,
    manual: bool = False,
) -> R:
    """Run ``attempt`` (which reads the ETags it needs, then writes) until it is not stale,
    within the retry policy's deadline.

    ``manual`` (the caller passed its own If-Match) raises the first conflict instead.
    """
    with within(policy.deadline):
        number = 0
        while True:
            number += 1
            try:
                return await attempt()
            except PreconditionFailedError:
                if manual or number >= policy.max_attempts:
                    raise
            await _pause(core, policy, number, what)


async def delete_after_read(delete: Callable[[], Awaitable[object]], *, was_read: bool) -> None:
    """Send a delete. When the resource was read just before (so it existed), "not found" means
    it is gone already: this delete landed and its answer was lost (the transport retry found
    nothing), or another writer removed it. Either way the delete is done."""
    try:
        await delete()
    except NotFoundError:
        if not was_read:
            raise
