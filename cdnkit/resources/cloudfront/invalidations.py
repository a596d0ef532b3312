"""``cf.invalidations``: removing cached objects from a distribution, at CloudFront's limits.

CloudFront refuses a path that does not start with ``/`` (tag items start with ``#``), has a
``*`` anywhere but at its end or more than 4,000 characters; it keeps at most 3,000 file paths
and, separately, 15 wildcard paths in progress per distribution (``TooManyInvalidationsInProgress``
beyond), and it throttles CreateInvalidation at about 0.5 requests per second per account.
:meth:`Invalidations.invalidate` checks, collapses, splits and paces so that none of this
reaches the caller; :meth:`Invalidations.create` sends one batch as given.
"""

from __future__ import annotations

import asyncio
import bisect
import dataclasses
import uuid
import weakref
from collections.abc import AsyncIterator, Sequence
from typing import ClassVar, Final

from ..._core import ServiceCore, _shared, build_request, check_timeout, poll, within
from ..._exceptions import InvalidRequestError, LimitExceededError
from ...types import cloudfront as cf
from .._base import Resource

__all__ = [
    "MAX_FILES_IN_PROGRESS",
    "MAX_PATH_LENGTH",
    "MAX_WILDCARDS_IN_PROGRESS",
    "InvalidationRun",
    "Invalidations",
    "check_paths",
    "collapse_paths",
    "split_paths",
]

_COMPLETED = "Completed"
_TOO_MANY = "TooManyInvalidationsInProgress"

#: Characters one path may have.
MAX_PATH_LENGTH: Final = 4000
#: File paths (no wildcard; tag items count here) in progress per distribution.
MAX_FILES_IN_PROGRESS: Final = 3000
#: Wildcard paths in progress per distribution, counted apart from the files.
MAX_WILDCARDS_IN_PROGRESS: Final = 15
#: Paths one CreateInvalidation may carry in all.
MAX_PATHS_PER_BATCH: Final = 3000


def _shown(path: str) -> str:
    return repr(path if len(path) <= 60 else path[:57] + "...")


def check_paths(paths: Sequence[str]) -> None:
    """Raise :class:`cdnkit.InvalidRequestError` naming the first path CloudFront would refuse
    and the rule it breaks; nothing is sent."""
    if not paths:
        raise InvalidRequestError("paths: at least one path is needed")
    for index, path in enumerate(paths):
        where = f"paths[{index}] {_shown(path)}"
        if len(path) > MAX_PATH_LENGTH:
            raise InvalidRequestError(
                f"{where}: a path has at most {MAX_PATH_LENGTH} characters, not {len(path)}"
            )
        if path.startswith("#"):
            if "*" in path:
                raise InvalidRequestError(f"{where}: a tag item (starting with '#') has no '*'")
            if len(path) == 1:
                raise InvalidRequestError(f"{where}: a tag item needs a tag after '#'")
            continue
        if not path.startswith("/"):
            raise InvalidRequestError(
                f"{where}: a path starts with '/' (or, for a tag item, with '#')"
            )
        if "*" in path[:-1]:
            raise InvalidRequestError(f"{where}: '*' may only be the last character of a path")


def _check_timeout(timeout: float | None) -> None:
    if timeout is not None:
        check_timeout(timeout)


def _is_wildcard(path: str) -> bool:
    return path.endswith("*")


def collapse_paths(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """``(kept, dropped)``: duplicates and paths a wildcard covers are dropped (``/img/*``
    covers ``/img/a.png`` and ``/img/x/*``; comparisons are case-sensitive, as CloudFront's).
    The kept paths keep their first order. Tag items are never covered by a path."""
    prefixes = sorted({path[:-1] for path in paths if _is_wildcard(path)})
    # Prefix-free: a prefix that starts with a kept one is covered by it.
    covering: list[str] = []
    for prefix in prefixes:
        if not covering or not prefix.startswith(covering[-1]):
            covering.append(prefix)

    def covered(path: str) -> bool:
        if path.startswith("#"):
            return False
        # The one candidate: the greatest covering prefix <= path (covering is prefix-free).
        index = bisect.bisect_right(covering, path) - 1
        if index < 0:
            return False
        prefix = covering[index]
        return path.startswith(prefix) and path != prefix + "*"

    kept: list[str] = []
    dropped: list[str] = []
    seen: set[str] = set()
    for path in paths:
        if path in seen or covered(path):
            dropped.append(path)
        else:
            seen.add(path)
            kept.append(path)
    return kept, dropped


def split_paths(paths: Sequence[str]) -> list[list[str]]:
    """Batches that each fit in an empty in-progress quota: at most 15 wildcards and 3,000
    paths in all, as few batches as that allows, the paths in their order within each kind."""
    wildcards = [path for path in paths if _is_wildcard(path)]
    files = [path for path in paths if not _is_wildcard(path)]
    batches: list[list[str]] = []
    while wildcards or files:
        batch = wildcards[:MAX_WILDCARDS_IN_PROGRESS]
        del wildcards[:MAX_WILDCARDS_IN_PROGRESS]
        room = min(MAX_PATHS_PER_BATCH, MAX_FILES_IN_PROGRESS + len(batch)) - len(batch)
        batch.extend(files[:room])
        del files[:room]
        batches.append(batch)
    return batches


def _counts(paths: Sequence[str]) -> tuple[int, int]:
    wildcards = sum(1 for path in paths if _is_wildcard(path))
    return len(paths) - wildcards, wildcards


@dataclasses.dataclass(frozen=True)
class InvalidationRun:
    """What :meth:`Invalidations.invalidate` did: one invalidation per batch, in the order
    sent, as last seen (``Completed`` when the call waited)."""

    distribution_id: str
    invalidations: tuple[cf.Invalidation, ...]
    #: The paths sent, after collapsing.
    paths: tuple[str, ...]
    #: Duplicates and paths a wildcard of the same call covers: not sent.
    dropped: tuple[str, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        """The invalidations' ids, in the order sent."""
        return tuple(invalidation.id for invalidation in self.invalidations)

    @property
    def completed(self) -> bool:
        """Whether every invalidation was last seen ``Completed``."""
        return all(invalidation.status == _COMPLETED for invalidation in self.invalidations)


class _Pacer:
    """Turns for CreateInvalidation sends of one account in this process. Senders queue for
    their turn one at a time (an asyncio.Lock is first come, first served) and a turn is taken
    only when its sender goes: one that gives up while waiting (cancelled, at its deadline)
    takes no turn with it."""

    __slots__ = ("last", "turns")

    def __init__(self) -> None:
        #: When the last send went, on the clients' clock.
        self.last = float("-inf")
        self.turns = asyncio.Lock()

    async def take(self, interval: float, core: ServiceCore) -> None:
        """Wait for this sender's turn: ``interval`` after the last send."""
        async with self.turns:
            pause = self.last + interval - _now(core)
            if pause > 0:
                await core.sleep(pause)
            self.last = _now(core)

    def note(self, core: ServiceCore) -> None:
        """A send that did not wait for its turn went out now."""
        self.last = max(self.last, _now(core))


def _now(core: ServiceCore) -> float:
    clock = core.options.clock
    return clock.monotonic() if clock is not None else asyncio.get_running_loop().time()


#: Per event loop, per (service, account, clock): shared by every client of the process (of
#: one clock: times on an emulator's clock and on the event loop's do not compare).
_PACERS: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[str, str, int], _Pacer]
] = weakref.WeakKeyDictionary()


class Invalidations(Resource):
    """Invalidations; every create is idempotent on retry through its CallerReference."""

    #: CreateInvalidation requests per second that :meth:`invalidate` keeps to, per account,
    #: shared by every client of the process (CloudFront throttles at about 0.5 per second);
    #: None sends without pacing (the core's limiter still slows down after throttling).
    create_rate: ClassVar[float | None] = 0.5

    def _pacer(self) -> _Pacer:
        # The core's account key (set on open) is the one its shared rate state uses.
        key = (self._core.service, self._core._account, id(self._core.options.clock))
        return _shared(_PACERS, key, _Pacer)

    async def _take_turn(self, *, wait: bool) -> None:
        rate = type(self).create_rate
        if rate is None or not rate > 0:
            return
        if not wait:
            self._pacer().note(self._core)
            return
        async with self._core.scope():  # the call's deadline; ended by close
            await self._pacer().take(1.0 / rate, self._core)

    async def _create_once(
        self, distribution_id: str, paths: Sequence[str], caller_reference: str
    ) -> cf.Invalidation:
        batch = build_request(
            cf.InvalidationBatch,
            paths=cf.Paths(items=list(paths)),
            caller_reference=caller_reference,
        )
        request = build_request(
            cf.CreateInvalidationRequest, distribution_id=distribution_id, invalidation_batch=batch
        )
        # The same request (same CallerReference) on every resend: CloudFront answers a
        # resend of a batch that landed with the original invalidation.
        result = await self._invoke("CreateInvalidation", request, cf.CreateInvalidationResult)
        return result.invalidation

    async def _send_batch(
        self, distribution_id: str, paths: Sequence[str], caller_reference: str, *, paced: bool
    ) -> cf.Invalidation:
        """Send one batch; on TooManyInvalidationsInProgress wait until one invalidation in
        progress completes, then send it again (same reference), until the deadline."""
        while True:
            await self._take_turn(wait=paced)
            try:
                return await self._create_once(distribution_id, paths, caller_reference)
            except LimitExceededError as error:
                if error.code != _TOO_MANY:
                    raise
            await self._wait_for_room(distribution_id)

    async def _wait_for_room(self, distribution_id: str) -> None:
        """Wait until the oldest invalidation in progress (on the newest page) completes."""
        request = build_request(cf.ListInvalidationsRequest, distribution_id=distribution_id)
        reply = await self._invoke("ListInvalidations", request, cf.ListInvalidationsResult)
        listing = reply.invalidation_list
        in_progress = [
            item
            for item in (listing.items or () if listing is not None else ())
            if item.status != _COMPLETED
        ]
        if in_progress:
            await self.wait(distribution_id, in_progress[-1].id)  # listed newest first
        else:
            # Completed between the refusal and the listing (or beyond the first page).
            async with self._core.scope():
                await self._core.sleep(self._wait.initial_delay)

    async def create(
        self,
        distribution_id: str,
        paths: Sequence[str],
        *,
        caller_reference: str | None = None,
        wait: bool = False,
        timeout: float | None = None,
    ) -> cf.Invalidation:
        """Send one CreateInvalidation with ``paths`` as given (no collapsing, no split).

        The paths are checked first (:func:`check_paths`; at most 3,000 paths and 15
        wildcards, which is all one batch can ever have in progress): a bad one raises
        :class:`cdnkit.InvalidRequestError` and nothing is sent. The CallerReference is
        generated once per call when omitted, so a resend after a lost answer returns the same
        invalidation. ``TooManyInvalidationsInProgress`` is waited out (until an invalidation
        in progress completes, then sent again), not raised. Transient failures are retried.
        ``wait=True`` returns once it is ``Completed``. ``timeout`` bounds the whole call
        (default: the wait policy's timeout); past it, :class:`cdnkit.WaiterTimeoutError` or
        :class:`cdnkit.DeadlineExceededError`.
        """
        _check_timeout(timeout)
        check_paths(paths)
        files, wildcards = _counts(paths)
        if wildcards > MAX_WILDCARDS_IN_PROGRESS or files + wildcards > MAX_PATHS_PER_BATCH:
            raise InvalidRequestError(
                f"paths: one invalidation takes at most {MAX_PATHS_PER_BATCH} paths of which "
                f"{MAX_WILDCARDS_IN_PROGRESS} wildcards, not {files + wildcards} with "
                f"{wildcards} wildcards: use invalidations.invalidate(), which splits them"
            )
        reference = caller_reference or str(uuid.uuid4())
        with within(self._wait.timeout if timeout is None else timeout):
            # Counted in the pace, not delayed by it: one request, sent at once.
            invalidation = await self._send_batch(distribution_id, paths, reference, paced=False)
            if wait and invalidation.status != _COMPLETED:
                return await self.wait(distribution_id, invalidation.id)
        return invalidation

    async def invalidate(
        self,
        distribution_id: str,
        paths: Sequence[str],
        *,
        caller_reference: str | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> InvalidationRun:
        """Invalidate any number of paths on one distribution, within CloudFront's limits.

        Before anything is sent, every path is checked (:func:`check_paths`), duplicates and
        paths that a wildcard of the call covers are dropped (:func:`collapse_paths`), and the
        rest is split into batches of at most 3,000 paths and 15 wildcards
        (:func:`split_paths`). Batch ``n`` is sent once the call's batches still in progress
        leave room for it (waiting for the oldest to complete), each CreateInvalidation in
        turn at :attr:`create_rate` per account, and ``TooManyInvalidationsInProgress``
        (invalidations of others in progress) is waited out. Transient failures are retried.

        Each batch's CallerReference is derived from ``caller_reference`` (a new UUID when
        omitted): a resend after a lost answer, or the same call made again with the same
        reference and paths, returns the invalidations already made instead of new ones.

        ``wait=True`` returns when every batch is ``Completed``; ``wait=False`` as soon as the
        last batch is accepted. ``timeout`` bounds the whole call (default: the wait policy's
        timeout). Cancelled, it stops sending; batches already sent go on in CloudFront.
        """
        _check_timeout(timeout)
        check_paths(paths)
        kept, dropped = collapse_paths(paths)
        batches = split_paths(kept)
        base = caller_reference or str(uuid.uuid4())
        count = len(batches)
        references = (
            [base] if count == 1 else [f"{base}-{n}-of-{count}" for n in range(1, count + 1)]
        )
        results: list[cf.Invalidation] = []
        in_flight: list[tuple[int, int, int]] = []  # (index in results, files, wildcards)
        with within(self._wait.timeout if timeout is None else timeout):
            for batch, reference in zip(batches, references, strict=True):
                files, wildcards = _counts(batch)
                while in_flight and (
                    sum(f for _, f, _ in in_flight) + files > MAX_FILES_IN_PROGRESS
                    or sum(w for _, _, w in in_flight) + wildcards > MAX_WILDCARDS_IN_PROGRESS
                ):
                    index, _, _ = in_flight.pop(0)
                    results[index] = await self.wait(distribution_id, results[index].id)
                invalidation = await self._send_batch(distribution_id, batch, reference, paced=True)
                results.append(invalidation)
                if invalidation.status != _COMPLETED:
                    in_flight.append((len(results) - 1, files, wildcards))
            if wait:
                for index, _, _ in in_flight:
                    results[index] = await self.wait(distribution_id, results[index].id)
        return InvalidationRun(
            distribution_id=distribution_id,
            invalidations=tuple(results),
            paths=tuple(kept),
            dropped=tuple(dropped),
        )

    async def get(self, distribution_id: str, invalidation_id: str) -> cf.Invalidation:
        """Send GetInvalidation (retried on transient failures); NotFoundError when unknown."""
        request = build_request(
            cf.GetInvalidationRequest, distribution_id=distribution_id, id=invalidation_id
        )
        result = await self._invoke("GetInvalidation", request, cf.GetInvalidationResult)
        return result.invalidation

    def list(self, distribution_id: str) -> AsyncIterator[cf.InvalidationSummary]:
        """Every invalidation of the distribution, fetching further pages as needed."""

        def page(
            reply: cf.ListInvalidationsResult,
        ) -> tuple[list[cf.InvalidationSummary], str | None]:
            listing = reply.invalidation_list
            return list(listing.items or ()), listing.next_marker if listing.is_truncated else None

        return self._paginate(
            "ListInvalidations",
            lambda marker: cf.ListInvalidationsRequest(
                distribution_id=distribution_id, marker=marker
            ),
            cf.ListInvalidationsResult,
            page,
        )

    async def wait(
        self, distribution_id: str, invalidation_id: str, *, timeout: float | None = None
    ) -> cf.Invalidation:
        """Poll GetInvalidation until the invalidation is ``Completed`` and return it."""

        async def fetch() -> cf.Invalidation:
            return await self.get(distribution_id, invalidation_id)

        async for state in poll(
            self._core,
            fetch,
            policy=self._wait,
            timeout=timeout,
            what=f"invalidation {invalidation_id}",
        ):
            if state.status == _COMPLETED:
                return state
        raise AssertionError("unreachable: poll ends by returning or raising")
