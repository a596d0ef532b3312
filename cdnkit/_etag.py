"""The ETag engine every CloudFront resource shares: read, mutate a copy, write with If-Match,
and on a stale ETag read again and re-apply.

Concurrent mutations of one resource inside one process take turns (a lock per resource), so
they do not make each other stale; conflicts with other writers are retried with bounded,
jittered attempts.

A write whose answer was lost is resent with the same If-Match, and refused as stale if the
first send landed: :func:`send_conditional` tells that refusal (the resource holds what was
sent, see :func:`holds`) from another writer's, and :func:`delete_after_read` takes "not
found" after an unanswered delete as done.
"""

from __future__ import annotations

import asyncio
import inspect
import random
import re
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel
from pydantic_core import PydanticSerializationError, to_json

from ._core import ResourceLocks, Sends, ServiceCore, within
from ._exceptions import (
    InvalidRequestError,
    NotFoundError,
    PreconditionFailedError,
    RequestValidationError,
)
from ._models import (
    CdnKitModel,
    assignments,
    parse_response,
    to_wire,
    validate_request,
    wrong_member_types,
)
from ._policies import RetryPolicy

__all__ = [
    "ETagged",
    "Mutated",
    "Mutator",
    "ResourceLocks",
    "apply_mutation",
    "delete_after_read",
    "holds",
    "mutate_copy",
    "read_modify_write",
    "retry_on_stale",
    "send_conditional",
]


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


class Mutated(Generic[C]):
    """What a mutation made: the checked ``value``, its ``wire`` form (what a write sends)
    and the wire form of what it was made from (``before``). Unchanged: ``wire == before``."""

    __slots__ = ("before", "value", "wire")

    def __init__(self, value: C, wire: dict[str, Any], before: dict[str, Any]) -> None:
        self.value = value
        self.wire = wire
        self.before = before

    @property
    def changed(self) -> bool:
        return self.wire != self.before


async def mutate_copy(value: C, mutate: Mutator[C]) -> Mutated[C]:
    """Run ``mutate`` on a copy of ``value`` and check what it produced as a request."""
    before = to_wire(value)
    # A copy made from the wire form: independent of ``value`` down to every list and model,
    # and natively built (a deep copy runs Python code per object, several times slower).
    draft = parse_response(type(value), before)
    assigned = assignments()
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
    if wire == before and assignments() == assigned and _same_types(wire, before):
        return Mutated(value, before, before)  # nothing assigned, nothing changed in place
    # (An equal wire after an assignment may hold an equal value of the wrong type, 1 for
    # True or 3600.0 for 3600: it is checked like any change.)
    # An object of the wrong class put in a nested member would be dumped as something else.
    # A value read as it came (a lenient reply) is not the mutation's doing: only new ones count.
    problems = list(wrong_member_types(changed))
    if problems:
        new = set(problems) - set(wrong_member_types(value))
        if new:
            first = next(problem for problem in problems if problem in new)
            raise InvalidRequestError(f"mutate: {type(changed).__name__}.{first}")
    try:
        checked = validate_request(type(value), wire)
    except RequestValidationError as error:
        # What was read is kept as it came (an enum value newer than this botocore, a limit
        # AWS no longer applies): only what the mutation changed must pass the checks.
        was = value.model_dump(by_alias=False)
        now = changed.model_dump(by_alias=False, warnings=False)
        if any(_differs(_at(was, e["loc"]), _at(now, e["loc"])) for e in error.errors()):
            raise
        checked = parse_response(type(value), wire)
    # Dumped again: validation may fill in what the mutator left out (a derived Quantity).
    return Mutated(checked, to_wire(checked), before)


#: Errors a value newer than this botocore's model gets (an enum value AWS added): a
#: replacement holding one may have read it from AWS, so the read decides (mutate_copy keeps
#: what was read as it came).
_NEWER_VALUE_ERRORS = frozenset({"literal_error", "enum"})


def check_replacement(config: BaseModel, what: str = "config") -> None:
    """Check a config given whole (``update(config=...)``) before anything is sent, as a
    request is checked: a member of the wrong type, a model changed after it was built, a
    value breaking a rule raises :class:`cdnkit.RequestValidationError` or
    :class:`cdnkit.InvalidRequestError` (nothing read yet). Only a value outside an enum is
    left to the check after the read, which keeps one read from AWS as it came."""
    problem = next(iter(wrong_member_types(config)), None)
    if problem is not None:
        raise InvalidRequestError(f"{what}: {type(config).__name__}.{problem}")
    try:
        wire = config.model_dump(by_alias=True, exclude_none=True, warnings="error")
    except PydanticSerializationError as error:
        raise InvalidRequestError(
            f"{what}: {type(config).__name__} holds a value of the wrong type ({error})"
        ) from None
    try:
        validate_request(cast("type[CdnKitModel]", type(config)), wire)
    except RequestValidationError as error:
        if any(detail["type"] not in _NEWER_VALUE_ERRORS for detail in error.errors()):
            raise


async def apply_mutation(value: C, mutate: Mutator[C]) -> C:
    """Run ``mutate`` on a copy of ``value`` and return the checked result."""
    return (await mutate_copy(value, mutate)).value


_ABSENT = object()
#: What an If-Match header may hold (the request models' rule for header members).
_ETAG = re.compile(r"[ -~]+")


def _same_types(wire: dict[str, Any], before: dict[str, Any]) -> bool:
    """Whether two equal wire forms also hold values of the same types: a list item replaced in
    place by an equal value of another type (1 for True, 3600.0 for 3600) is no assignment
    and compares equal, but the encoded forms differ ("1" and "true", "3600.0" and "3600")."""
    try:
        return to_json(wire) == to_json(before)
    except PydanticSerializationError:
        return False  # not encodable (a lone surrogate): checked as a change


def _differs(was: Any, now: Any) -> bool:
    """A value the mutation changed: another value, or an equal one of another type."""
    return type(was) is not type(now) or was != now


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
    core.logger.debug(
        "%s changed underneath: re-reading and re-applying (attempt %d)", what, attempt + 1
    )
    async with core.scope():
        await asyncio.sleep(delay)


def holds(current: Any, sent: Any) -> bool:
    """Whether ``current`` (a resource as read, in wire form) holds everything ``sent`` (the
    body of a write, in wire form) set: every member sent has the same value (lists item by
    item). Members the write left out do not matter: the service fills in defaults, so what it
    holds after a write is more than what was sent."""
    if isinstance(sent, dict):
        return isinstance(current, dict) and all(
            name in current and holds(current[name], value) for name, value in sent.items()
        )
    if isinstance(sent, list):
        return (
            isinstance(current, list)
            and len(current) == len(sent)
            and all(holds(have, want) for have, want in zip(current, sent, strict=True))
        )
    return bool(current == sent)


async def send_conditional(
    send: Callable[[Sends], Awaitable[R]],
    landed: Callable[[], Awaitable[R | None]],
) -> R:
    """Send a write that carries an If-Match (``send`` gets the log of its sends).

    A send that gets no answer is resent with the same If-Match; if that send landed, the
    resource's ETag moved on with it and the resend is refused as stale. So when a refusal
    as stale follows an unanswered send, ``landed()`` reads the resource and returns the
    write's result if the resource holds what was sent (that send's own effect; nothing more
    is sent), or None. Otherwise, and after any refusal when every send was answered (another
    writer's change), the :class:`PreconditionFailedError` is raised: re-read and re-apply,
    or, with an ETag the caller gave, report the conflict.
    """
    sends = Sends()
    try:
        return await send(sends)
    except PreconditionFailedError:
        if sends.unanswered:
            result = await landed()
            if result is not None:
                return result
        raise


async def read_modify_write(
    *,
    core: ServiceCore,
    key: str,
    read: Callable[[], Awaitable[ETagged[C]]],
    write: Callable[[Mutated[C], str, Sends], Awaitable[R]],
    mutate: Mutator[C],
    unchanged: Callable[[ETagged[C]], Awaitable[R]],
    policy: RetryPolicy,
    if_match: str | None = None,
) -> R:
    """Apply ``mutate`` to the resource until a write goes through.

    Returns ``write``'s result, or ``unchanged(current)`` when the mutation changes nothing
    (then nothing is sent). A write refused as stale is computed again from a fresh read and
    re-applied, except when an earlier send of that same write got no answer and the resource
    now holds what it sent (see :func:`holds`): then that send landed (its answer was lost),
    ``unchanged(now)`` is returned, and applying the mutation again would apply it twice.
    With ``if_match`` the caller controls the ETag: it is sent as given, and a conflict that
    is not this write's own is raised, not retried.

    The whole loop runs within the retry policy's deadline, under a per-resource lock (writers
    of one process take turns and do not make each other stale).
    """
    if if_match is not None and not _ETAG.fullmatch(if_match):
        # Sent as a header from the wire form built here: the model's rule does not see it.
        raise InvalidRequestError(
            f"if_match: an ETag is printable ASCII (no line breaks), not {if_match!r}"
        )
    with within(policy.deadline):
        async with core.locks.get(key):
            attempt = 0
            while True:
                attempt += 1
                current = await read()
                change = await mutate_copy(current.value, mutate)
                if if_match is None and not change.changed:
                    return await unchanged(current)
                etag = if_match or current.etag

                async def send(sends: Sends, change: Mutated[C] = change, etag: str = etag) -> R:
                    return await write(change, etag, sends)

                async def landed(body: dict[str, Any] = change.wire) -> R | None:
                    now = await read()
                    return await unchanged(now) if holds(to_wire(now.value), body) else None

                try:
                    return await send_conditional(send, landed)
                except PreconditionFailedError:
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


async def delete_after_read(
    delete: Callable[[Sends], Awaitable[object]], *, was_read: bool
) -> None:
    """Send a delete (``delete`` gets the log of its sends). "Not found" means the delete is
    done when an earlier send of it got no answer (it landed; its answer was lost), or when
    the resource was read just before (so it existed: this delete landed, or another writer
    removed it). Otherwise (an ETag the caller gave, nothing read) it is raised."""
    sends = Sends()
    try:
        await delete(sends)
    except NotFoundError:
        if not (was_read or sends.unanswered):
            raise
