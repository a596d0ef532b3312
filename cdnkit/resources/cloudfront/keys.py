"""``cf.key_value_stores.keys(name)``: the keys and values of one KeyValueStore (data plane).

The data plane is its own service (``cloudfront-keyvaluestore``), signed with SigV4A: install
``cdnkit[kvs]`` (awscrt). Writes need the store's data-plane ETag, which cdnkit reads with the
data plane's DescribeKeyValueStore (not the control plane's) and refreshes from each write's
reply; a stale one is read again and the write re-applied.

Every key and value is checked before the first request (sizes in UTF-8 bytes: keys 512,
values 1,024, a store 5 MB; AWS-FACTS.md).
"""

from __future__ import annotations

import asyncio
import builtins
import dataclasses
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Final, TypeVar

from ..._core import Sends, ServiceCore, build_request, check_new_token, within
from ..._etag import retry_on_stale
from ..._exceptions import (
    CdnKitError,
    InvalidRequestError,
    NotFoundError,
    PreconditionFailedError,
)
from ..._policies import RetryPolicy, WaitPolicy
from ...types import cloudfront_keyvaluestore as kvs
from .._base import Resource

__all__ = ["KeyValueStoreSyncError", "Keys", "SyncPlan"]

#: The replies of the writes: each carries the store's new ETag.
#: By name: the models load when first used, not when this module is imported.
W = TypeVar("W", "kvs.PutKeyResponse", "kvs.DeleteKeyResponse", "kvs.UpdateKeysResponse")

#: UpdateKeys takes at most 50 puts and deletes in all (AWS-FACTS.md).
_BATCH: Final = 50
#: A store holds at most 5 MB of keys and values (AWS-FACTS.md).
MAX_STORE_BYTES: Final = 5 * 1024 * 1024
#: Stands in for the store's ARN while input is checked, before the ARN is looked up.
_PLACEHOLDER_ARN: Final = "arn:aws:cloudfront::000000000000:key-value-store/placeholder"


@dataclasses.dataclass(frozen=True, kw_only=True)
class SyncPlan:
    """What a sync does (or, with ``dry_run=True``, would do) to a store.

    Values are sensitive (botocore marks them so): the repr shows only the keys.
    """

    #: Keys to write, with their new values (new keys and changed values).
    puts: Mapping[str, str] = dataclasses.field(repr=False)
    #: Keys to delete.
    deletes: tuple[str, ...]
    #: Keys already as desired.
    unchanged: int
    #: The store's size in bytes (keys and values, UTF-8) once the plan is applied.
    size_after: int
    #: True when nothing was written.
    dry_run: bool = False

    @property
    def changes(self) -> int:
        """How many keys the plan writes or deletes (0: the store already matches)."""
        return len(self.puts) + len(self.deletes)

    def __repr__(self) -> str:
        return (
            f"SyncPlan(puts={sorted(self.puts)!r}, deletes={list(self.deletes)!r}, "
            f"unchanged={self.unchanged}, size_after={self.size_after}, dry_run={self.dry_run})"
        )


class KeyValueStoreSyncError(CdnKitError):
    """A sync failed after some of its batches landed. ``landed_puts`` and ``landed_deletes``
    name the keys already written; the cause is the error that stopped it. Running the same
    sync again converges (it plans from what the store holds then)."""

    def __init__(
        self, message: str, *, landed_puts: tuple[str, ...], landed_deletes: tuple[str, ...]
    ) -> None:
        super().__init__(message)
        self.landed_puts = landed_puts
        self.landed_deletes = landed_deletes


def _size(key: str, value: str) -> int:
    return len(key.encode("utf-8")) + len(value.encode("utf-8"))


def _check_key(key: object, where: str = "key") -> str:
    if not isinstance(key, str):
        raise InvalidRequestError(f"{where}: a key must be a str, not {type(key).__name__}")
    build_request(kvs.DeleteKeyRequestListItem, key=key)
    return key


def _check_item(key: object, value: object) -> None:
    if not isinstance(key, str) or not isinstance(value, str):
        raise InvalidRequestError(
            f"desired[{key!r}]: keys and values must be str "
            f"(got {type(key).__name__}: {type(value).__name__})"
        )
    build_request(kvs.PutKeyRequestListItem, key=key, value=value)


def load_import_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read a file in the KeyValueStore import format, ``{"data": [{"key": ..., "value": ...}]}``
    (UTF-8 JSON, no duplicate keys); raise :class:`cdnkit.InvalidRequestError` naming the
    problem."""
    if not isinstance(path, str | os.PathLike):
        raise InvalidRequestError(f"path: a str or a path, not {type(path).__name__}")
    where = f"desired ({Path(path).name})"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as error:
        # ValueError: a path no file can have (a NUL character), refused by the OS layer.
        raise InvalidRequestError(f"{where}: cannot read the file: {error}") from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidRequestError(f"{where}: not valid JSON: {error}") from None
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list):
        raise InvalidRequestError(f'{where}: expected {{"data": [{{"key": ..., "value": ...}}]}}')
    items: dict[str, str] = {}
    for index, entry in enumerate(data):
        if not isinstance(entry, dict) or set(entry) != {"key", "value"}:
            raise InvalidRequestError(
                f'{where}: data[{index}] must be an object with exactly "key" and "value"'
            )
        key, value = entry["key"], entry["value"]
        if not isinstance(key, str) or not isinstance(value, str):
            raise InvalidRequestError(f"{where}: data[{index}]: key and value must be strings")
        if key in items:
            raise InvalidRequestError(f"{where}: data[{index}]: duplicate key {key!r}")
        items[key] = value
    return items


def _desired_items(desired: Mapping[str, str] | str | os.PathLike[str]) -> dict[str, str]:
    items = load_import_file(desired) if isinstance(desired, str | os.PathLike) else desired
    if not isinstance(items, Mapping):
        raise InvalidRequestError(
            f"desired: a mapping of keys to values or an import file's path, "
            f"not {type(items).__name__}"
        )
    for key, value in items.items():
        _check_item(key, value)
    total = sum(_size(key, value) for key, value in items.items())
    if total > MAX_STORE_BYTES:
        raise InvalidRequestError(
            f"desired: {total} bytes of keys and values; a store holds at most {MAX_STORE_BYTES}"
        )
    return dict(items)


def plan_sync(
    current: Mapping[str, str],
    desired: Mapping[str, str],
    *,
    delete_missing: bool,
    size_before: int,
    dry_run: bool = False,
) -> SyncPlan:
    """The changes that make ``current`` (the keys in scope) hold ``desired``.

    ``size_before`` is the whole store's size, keys out of scope included."""
    puts = {key: value for key, value in desired.items() if current.get(key) != value}
    deletes = tuple(key for key in current if key not in desired) if delete_missing else ()
    size = size_before
    for key, value in puts.items():
        old = current.get(key)
        size += _size(key, value) - (_size(key, old) if old is not None else 0)
    for key in deletes:
        size -= _size(key, current[key])
    return SyncPlan(
        puts=puts,
        deletes=deletes,
        unchanged=sum(1 for key, value in desired.items() if current.get(key) == value),
        size_after=size,
        dry_run=dry_run,
    )


class Keys(Resource):
    """Read and write the keys of one store; ETags are automatic."""

    def __init__(
        self,
        core: ServiceCore,
        *,
        retry: RetryPolicy,
        wait: WaitPolicy,
        store_arn: Callable[[], Awaitable[str]],
        known_arn: Callable[[], str | None],
        open_core: Callable[[], Awaitable[None]],
    ) -> None:
        super().__init__(core, retry=retry, wait=wait)
        self._store_arn = store_arn
        #: The store's ARN when finding it sends nothing (given, or found before).
        self._known_arn = known_arn
        self._open_core = open_core

    async def _arn(self) -> str:
        await self._open_core()
        return await self._store_arn()

    async def describe(self) -> kvs.DescribeKeyValueStoreResponse:
        """Send the data plane's DescribeKeyValueStore (each request retried on throttling, 5xx and
        lost connections per the client's RetryPolicy); return the item count, size, status and the
        data-plane ETag. Waits for nothing."""
        request = build_request(kvs.DescribeKeyValueStoreRequest, kvs_arn=await self._arn())
        return await self._invoke(
            "DescribeKeyValueStore", request, kvs.DescribeKeyValueStoreResponse
        )

    async def get(self, key: str) -> str:
        """Send GetKey (each request retried on throttling, 5xx and lost connections per the
        client's RetryPolicy); return the value of ``key``. The key is checked before anything is
        sent (:class:`cdnkit.InvalidRequestError`); :class:`cdnkit.NotFoundError` if there is none.
        Waits for nothing."""
        arn = self._known_arn()
        if arn is None:
            # Checked before the DescribeKeyValueStore that finds the ARN.
            _check_key(key)
            arn = await self._store_arn()
        await self._open_core()
        # The key's rules are checked here, once, before the send (the hot read).
        result = await self._call(
            "GetKey", kvs.GetKeyRequest, kvs.GetKeyResponse, kvs_arn=arn, key=key
        )
        return result.value

    async def list(
        self, *, prefix: str | None = None
    ) -> AsyncIterator[kvs.ListKeysResponseListItem]:
        """Every key and value (only those starting with ``prefix``, when given): sends ListKeys, 50
        keys a page, one page at a time as the iteration goes (each request retried on throttling,
        5xx and lost connections per the client's RetryPolicy). Waits for nothing."""
        arn = await self._arn()
        # One generator from the pages to the caller (items are yielded per key: a layer per
        # item would cost more than parsing it).
        token: str | None = None
        seen: set[str] = set()
        while True:
            request = kvs.ListKeysRequest(kvs_arn=arn, next_token=token, max_results=50)
            reply = await self._invoke("ListKeys", request, kvs.ListKeysResponse)
            for item in reply.items or ():
                if prefix is None or item.key.startswith(prefix):
                    yield item
            token = reply.next_token
            if not token:
                return
            check_new_token(token, seen, "ListKeys")

    async def items(self, *, prefix: str | None = None) -> dict[str, str]:
        """All keys and values (under ``prefix``, when given) as a dict: every page of :meth:`list`,
        with its retries."""
        return {item.key: item.value async for item in self.list(prefix=prefix)}

    async def put(self, key: str, value: str) -> kvs.PutKeyResponse:
        """Send PutKey with the store's ETag (read once, then refreshed by each write); return the
        new ETag, item count and size. The key and value are checked before anything is sent
        (:class:`cdnkit.InvalidRequestError`). Retried on transient failures (throttling, 5xx, lost
        connections) and, with a fresh ETag, on a stale one; after a lost answer a key already
        holding the value is taken as landed. Waits for nothing."""
        _check_item(key, value)  # before anything is sent, the store's ARN lookup included
        arn = await self._arn()

        async def landed() -> kvs.PutKeyResponse | None:
            # Before a resend after a lost answer: the key holding the value means it landed.
            if not await self._hold({key: value}, ()):
                return None
            return await self._landed(kvs.PutKeyResponse)

        async def attempt(sends: Sends) -> kvs.PutKeyResponse:
            request = build_request(
                kvs.PutKeyRequest, kvs_arn=arn, key=key, value=value, if_match=await self._etag()
            )
            return await self._core.invoke(
                "PutKey",
                request,
                kvs.PutKeyResponse,
                retry=self._retry,
                sends=sends,
                reconcile=landed,
                checked=True,
            )

        return await self._write(arn, attempt)

    async def delete(self, key: str) -> kvs.DeleteKeyResponse:
        """Send DeleteKey with the store's ETag; return the new ETag, item count and size. Retried
        on transient failures and, with a fresh ETag, on a stale one. :class:`cdnkit.NotFoundError`
        if there is no such key; a delete whose answer was lost and whose resend finds the key gone
        is a success. Waits for nothing."""
        _check_key(key)
        arn = await self._arn()

        async def attempt(sends: Sends) -> kvs.DeleteKeyResponse:
            request = build_request(
                kvs.DeleteKeyRequest, kvs_arn=arn, key=key, if_match=await self._etag()
            )
            try:
                return await self._core.invoke(
                    "DeleteKey",
                    request,
                    kvs.DeleteKeyResponse,
                    retry=self._retry,
                    sends=sends,
                    checked=True,
                )
            except NotFoundError:
                if not sends.unanswered:
                    raise
                # An earlier send of this delete landed; its answer was lost.
                return await self._landed(kvs.DeleteKeyResponse)

        return await self._write(arn, attempt)

    async def update(
        self, *, puts: Mapping[str, str] | None = None, deletes: Iterable[str] = ()
    ) -> kvs.UpdateKeysResponse | None:
        """Put and delete many keys; sent in batches of at most 50 changes (each batch is
        all-or-nothing on AWS's side). Returns the last batch's reply, None if nothing to do.
        Every key and value is checked before the first request; so is that no key is
        given twice (UpdateKeys refuses a key that appears more than once, and across
        batches the outcome would depend on their order). ``deletes`` is a collection of
        keys: a single ``str`` is refused (:class:`cdnkit.RequestValidationError`), not
        taken as its characters.
        """
        put_items = dict(puts or {})
        for key, value in put_items.items():
            _check_item(key, value)
        delete_keys = [_check_key(key, "deletes") for key in deletes]
        seen: set[str] = set()
        for key in delete_keys:
            if key in put_items:
                raise InvalidRequestError(f"deletes: key {key!r} is also in puts")
            if key in seen:
                raise InvalidRequestError(f"deletes: key {key!r} appears more than once")
            seen.add(key)
        batches = _batches(put_items, delete_keys)
        if not batches:
            return None
        arn = await self._arn()
        last: kvs.UpdateKeysResponse | None = None
        for batch in batches:

            async def landed(
                batch: kvs.UpdateKeysRequest = batch,
            ) -> kvs.UpdateKeysResponse | None:
                # Before a resend after a lost answer: every change of the batch holding
                # means it landed (a batch is all-or-nothing).
                puts = {item.key: item.value for item in batch.puts or ()}
                deletes = [item.key for item in batch.deletes or ()]
                if not await self._hold(puts, deletes):
                    return None
                return await self._landed(kvs.UpdateKeysResponse)

            async def attempt(
                sends: Sends,
                batch: kvs.UpdateKeysRequest = batch,
                landed: Callable[[], Awaitable[kvs.UpdateKeysResponse | None]] = landed,
            ) -> kvs.UpdateKeysResponse:
                request = batch.model_copy(update={"kvs_arn": arn, "if_match": await self._etag()})
                return await self._core.invoke(
                    "UpdateKeys",
                    request,
                    kvs.UpdateKeysResponse,
                    retry=self._retry,
                    sends=sends,
                    reconcile=landed,
                    checked=True,
                )

            last = await self._write(arn, attempt)
        return last

    async def sync(
        self,
        desired: Mapping[str, str] | str | os.PathLike[str],
        *,
        prefix: str | None = None,
        delete_missing: bool = True,
        dry_run: bool = False,
    ) -> SyncPlan:
        """Make the store (or the keys under ``prefix``) hold exactly ``desired``.

        ``desired`` is a mapping or the path of a file in the AWS import format. Returns the
        plan that was applied: keys put (new or changed), keys deleted (those missing from
        ``desired``, unless ``delete_missing=False``), how many were unchanged and the store's
        size after. ``dry_run=True`` reads and plans but writes nothing. With ``prefix``, only
        keys starting with it are read, compared and deleted: keys outside it are never
        touched (several owners can share a store); every desired key must start with it.

        Puts go before deletes, in the fewest UpdateKeys calls (50 changes each). Every key and
        value, and the store's size after the change (5 MB), are checked before any write. The
        writes are chained by ETag: if another writer changes the store meanwhile, the sync
        plans again from a fresh read, so it returns only once its last write left the store as
        desired. A failure after some batches landed raises :class:`KeyValueStoreSyncError`
        naming the keys that landed; running the same sync again converges.
        """
        wanted = _desired_items(desired)
        if prefix is not None:
            outside = [key for key in wanted if not key.startswith(prefix)]
            if outside:
                raise InvalidRequestError(
                    f"desired: key {outside[0]!r} does not start with the prefix {prefix!r}"
                )
        arn = await self._arn()
        # What this call wrote, over all its rounds: the plan it returns.
        applied_puts: dict[str, str] = {}
        applied_deletes: dict[str, None] = {}
        # A batch refused as stale after a send that got no answer may have landed: the next
        # round's read tells (a batch is all-or-nothing).
        maybe: builtins.list[kvs.UpdateKeysRequest] = []
        with within(self._retry.deadline):
            async with self._core.locks.get(f"kvs-data/{arn}"):
                for _ in range(self._retry.max_attempts):
                    # The ETag first: any write after this read makes the plan's writes stale.
                    described = await self.describe()
                    etag = described.etag
                    current = await self.items(prefix=prefix)
                    for batch in maybe:
                        if _holds(current, batch):
                            _record(batch, applied_puts, applied_deletes)
                    maybe.clear()
                    plan = plan_sync(
                        current,
                        wanted,
                        delete_missing=delete_missing,
                        size_before=described.total_size_in_bytes,
                        dry_run=dry_run,
                    )
                    if plan.size_after > MAX_STORE_BYTES:
                        raise InvalidRequestError(
                            f"desired: the store would hold {plan.size_after} bytes; "
                            f"at most {MAX_STORE_BYTES}"
                        )
                    if dry_run or not plan.changes:
                        self._core.etags[arn] = etag
                        return _applied(plan, wanted, applied_puts, applied_deletes)
                    try:
                        for batch in _batches(dict(plan.puts), builtins.list(plan.deletes)):
                            request = batch.model_copy(update={"kvs_arn": arn, "if_match": etag})
                            sends = Sends()
                            try:
                                reply = await self._core.invoke(
                                    "UpdateKeys",
                                    request,
                                    kvs.UpdateKeysResponse,
                                    retry=self._retry,
                                    sends=sends,
                                    checked=True,
                                )
                            except PreconditionFailedError:
                                if sends.unanswered:
                                    maybe.append(batch)
                                raise
                            etag = reply.etag
                            self._core.etags[arn] = etag
                            _record(batch, applied_puts, applied_deletes)
                    except PreconditionFailedError:
                        self._core.etags.pop(arn, None)
                        continue  # another writer: plan again from what the store holds now
                    except CdnKitError as error:
                        self._core.etags.pop(arn, None)
                        if not applied_puts and not applied_deletes:
                            raise
                        raise KeyValueStoreSyncError(
                            f"sync stopped after {len(applied_puts)} puts and "
                            f"{len(applied_deletes)} deletes had landed: {error}",
                            landed_puts=tuple(applied_puts),
                            landed_deletes=tuple(applied_deletes),
                        ) from error
                    # Chained by ETag from the plan's read: the store now holds what was asked.
                    return _applied(plan, wanted, applied_puts, applied_deletes)
        raise PreconditionFailedError(
            f"the store kept changing during {self._retry.max_attempts} sync rounds",
            service="cloudfront-keyvaluestore",
            operation="UpdateKeys",
            code="PreconditionFailed",
            http_status=None,
            request_id=None,
        )

    # After a lost answer ---------------------------------------------------------------

    async def _hold(self, puts: Mapping[str, str], deletes: Iterable[str]) -> bool:
        """Whether the store holds every put value and none of the deleted keys."""

        async def value(key: str) -> str | None:
            try:
                return await self.get(key)
            except NotFoundError:
                return None

        keys = [*puts, *deletes]
        values = await asyncio.gather(*(value(key) for key in keys))
        return all(
            found == puts.get(key) if key in puts else found is None
            for key, found in zip(keys, values, strict=True)
        )

    async def _landed(self, reply: type[W]) -> W:
        """The reply of a write that landed but whose answer was lost, from the store now."""
        now = await self.describe()
        return reply.model_construct(
            item_count=now.item_count, total_size_in_bytes=now.total_size_in_bytes, etag=now.etag
        )

    # ETags -----------------------------------------------------------------------------

    async def _etag(self) -> str:
        arn = await self._store_arn()
        known = self._core.etags.get(arn)
        if known is not None:
            return known
        etag = (await self.describe()).etag
        self._core.etags[arn] = etag
        return etag

    async def _write(self, arn: str, attempt: Callable[[Sends], Awaitable[W]]) -> W:
        # One log across the re-reads of a stale ETag: a send that got no answer may have
        # landed, whichever attempt it belonged to (a delete's later "not found" is its own).
        sends = Sends()

        async def once() -> W:
            try:
                result = await attempt(sends)
            except Exception:
                # A stale or unknown ETag: read it afresh on the next attempt.
                self._core.etags.pop(arn, None)
                raise
            self._core.etags[arn] = result.etag
            return result

        async with self._core.locks.get(f"kvs-data/{arn}"):
            return await retry_on_stale(
                self._core, once, what=f"key value store {arn}", policy=self._retry
            )


def _holds(current: Mapping[str, str], batch: kvs.UpdateKeysRequest) -> bool:
    """Whether ``current`` holds every change of ``batch``."""
    return all(current.get(item.key) == item.value for item in batch.puts or ()) and all(
        item.key not in current for item in batch.deletes or ()
    )


def _record(batch: kvs.UpdateKeysRequest, puts: dict[str, str], deletes: dict[str, None]) -> None:
    for put in batch.puts or ():
        puts[put.key] = put.value
    for delete in batch.deletes or ():
        deletes[delete.key] = None


def _applied(
    last: SyncPlan,
    wanted: Mapping[str, str],
    puts: Mapping[str, str],
    deletes: Mapping[str, None],
) -> SyncPlan:
    """The plan a sync returns: what all its rounds wrote (the last round's plan is what
    remained after the earlier ones), with the store's size after the last."""
    if not puts and not deletes:
        return last
    return dataclasses.replace(
        last,
        puts=dict(puts),
        deletes=tuple(deletes),
        unchanged=sum(1 for key in wanted if key not in puts),
    )


def _batches(
    puts: Mapping[str, str], deletes: builtins.list[str]
) -> builtins.list[kvs.UpdateKeysRequest]:
    """UpdateKeys requests (ARN and ETag placeholders) of at most 50 changes: puts first."""
    changes: builtins.list[tuple[str, str | None]] = [
        *puts.items(),
        *((key, None) for key in deletes),
    ]
    batches = []
    for start in range(0, len(changes), _BATCH):
        chunk = changes[start : start + _BATCH]
        batches.append(
            build_request(
                kvs.UpdateKeysRequest,
                kvs_arn=_PLACEHOLDER_ARN,
                if_match="-",
                puts=[
                    kvs.PutKeyRequestListItem(key=key, value=value)
                    for key, value in chunk
                    if value is not None
                ]
                or None,
                deletes=[
                    kvs.DeleteKeyRequestListItem(key=key) for key, value in chunk if value is None
                ]
                or None,
            )
        )
    return batches
