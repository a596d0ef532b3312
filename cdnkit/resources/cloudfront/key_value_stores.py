"""``cf.key_value_stores``: CloudFront KeyValueStores (control plane)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

from ..._core import Sends, ServiceCore, build_request, checked_wire, poll
from ..._etag import delete_after_read, retry_on_stale, send_conditional
from ..._exceptions import CdnKitError, ConflictError, InvalidRequestError
from ..._policies import RetryPolicy, WaitPolicy
from ...types import cloudfront as cf
from .._base import Resource, call_started, made_before
from ._reconcile import send_create
from .keys import Keys, _desired_items

__all__ = ["KeyValueStoreFailedError", "KeyValueStores"]

_READY = "READY"


class KeyValueStoreFailedError(CdnKitError):
    """A store ended in a failed state instead of ``READY`` (e.g. a bad import source)."""


def _key(name: str) -> str:
    return f"key-value-store/{name}"


class KeyValueStores(Resource):
    """Create, describe, change and delete stores; ETags are automatic. ``keys(name)`` reaches
    a store's keys and values through the data plane."""

    def __init__(
        self,
        core: ServiceCore,
        *,
        retry: RetryPolicy,
        wait: WaitPolicy,
        data_plane: ServiceCore,
        open_data_plane: Callable[[], Awaitable[None]],
    ) -> None:
        super().__init__(core, retry=retry, wait=wait)
        self._data_plane = data_plane
        self._open_data_plane = open_data_plane

    def keys(self, store: str) -> Keys:
        """The keys of ``store`` (a name or an ARN), on the KeyValueStore data plane. Sends nothing
        until used (then a name costs one DescribeKeyValueStore for its ARN). The data plane signs
        with SigV4A, which needs ``cdnkit[kvs]`` (awscrt). A store that is not a non-empty string
        raises :class:`cdnkit.InvalidRequestError` at once."""
        if not isinstance(store, str) or not store:
            raise InvalidRequestError(f"keys: store must be a store's name or ARN, not {store!r}")
        if not store.startswith("arn:"):
            build_request(cf.DescribeKeyValueStoreRequest, name=store)
        arns: list[str] = [store] if store.startswith("arn:") else []

        async def store_arn() -> str:
            if not arns:
                described = await self.describe(store)
                arns.append(described.key_value_store.arn)
            return arns[0]

        return Keys(
            self._data_plane,
            retry=self._retry,
            wait=self._wait,
            store_arn=store_arn,
            known_arn=lambda: arns[0] if arns else None,
            open_core=self._open_data_plane,
        )

    async def create(
        self,
        name: str,
        *,
        comment: str | None = None,
        import_source: cf.ImportSource | None = None,
        wait: bool = False,
        data: Mapping[str, str] | str | os.PathLike[str] | None = None,
    ) -> cf.CreateKeyValueStoreResult:
        """Create a store; with ``wait=True`` return once it is ``READY``.

        ``data`` seeds the store in the same call: a mapping of keys to values or the path of a
        file in the AWS import format (``{"data": [{"key": ..., "value": ...}]}``). It is checked
        before any request (the file read, every key and value, 5 MB in all), then the store is
        created, waited for until ``READY`` (``data`` implies ``wait=True``) and loaded through
        the data plane (``keys(name).sync(data)``: 50 keys per UpdateKeys; needs
        ``cdnkit[kvs]``). It cannot be combined with ``import_source`` (an S3 import, which
        stays available). If the load fails, the store exists: ``keys(name).sync(data)``
        finishes it.

        Retried on transient failures. A store has no client token: after a lost answer the
        resend answers EntityAlreadyExists, and the store of that name is returned when it has
        this comment (the first send's) and was not last changed before this call began (less
        2 s for clock differences). Otherwise, and on a first attempt, it is raised: the name
        is taken.
        """
        if data is not None and import_source is not None:
            raise InvalidRequestError(
                "data: cannot be combined with import_source (a store is seeded from one source)"
            )
        seed = _desired_items(data) if data is not None else None
        request = build_request(
            cf.CreateKeyValueStoreRequest, name=name, comment=comment, import_source=import_source
        )

        since = call_started()

        async def reconcile(error: ConflictError) -> cf.CreateKeyValueStoreResult | None:
            # A retry meeting the store an earlier send made (the same name and comment, and
            # not older than this call: a store of that name made before it is another's).
            if error.code != "EntityAlreadyExists":
                return None
            existing = await self.describe(name)
            store = existing.key_value_store
            if (store.comment or "") != (comment or ""):
                return None
            if made_before(store.last_modified_time, since):
                return None
            return cf.CreateKeyValueStoreResult(key_value_store=store, etag=existing.etag)

        created = await send_create(
            self._core,
            self._retry,
            "CreateKeyValueStore",
            checked_wire(request),
            cf.CreateKeyValueStoreResult,
            reconcile,
        )
        if not wait and seed is None:
            return created
        ready = await self.wait_ready(name)
        if seed:
            store = ready.key_value_store
            await self.keys(store.arn if store is not None else name).sync(seed)
        return cf.CreateKeyValueStoreResult(
            key_value_store=ready.key_value_store, etag=ready.etag, location=created.location
        )

    async def describe(self, name: str) -> cf.DescribeKeyValueStoreResult:
        """Send DescribeKeyValueStore (retried on throttling, 5xx and lost connections per the
        client's RetryPolicy); return the store (status, ARN) and its control-plane ETag. Waits for
        nothing (see :meth:`wait_ready`). Raises :class:`cdnkit.NotFoundError` for an unknown name.
        """
        request = build_request(cf.DescribeKeyValueStoreRequest, name=name)
        return await self._invoke("DescribeKeyValueStore", request, cf.DescribeKeyValueStoreResult)

    def list(self) -> AsyncIterator[cf.KeyValueStore]:
        """Every store: sends ListKeyValueStores, one page at a time as the iteration goes (each
        request retried on throttling, 5xx and lost connections per the client's RetryPolicy). Waits
        for nothing."""

        def page(reply: cf.ListKeyValueStoresResult) -> tuple[list[cf.KeyValueStore], str | None]:
            listing = reply.key_value_store_list
            return list(listing.items or ()), listing.next_marker

        return self._paginate(
            "ListKeyValueStores",
            lambda marker: cf.ListKeyValueStoresRequest(marker=marker),
            cf.ListKeyValueStoresResult,
            page,
        )

    async def update(
        self, name: str, *, comment: str, if_match: str | None = None
    ) -> cf.UpdateKeyValueStoreResult:
        """Change the comment (the only mutable member); nothing is sent if it is the same.

        Retried on transient failures and, without ``if_match``, on stale ETags (with it, a
        conflict is raised). After a lost answer the resend is refused as stale by this call's
        own write: when the store now has this comment, it is returned as it is (one write,
        even with ``if_match``).
        """
        # Validated up front, so a bad comment fails before the first read.
        build_request(cf.UpdateKeyValueStoreRequest, name=name, comment=comment, if_match="-")

        async def attempt() -> cf.UpdateKeyValueStoreResult:
            current = await self.describe(name)
            store = current.key_value_store
            if if_match is None and store.comment == comment:
                return cf.UpdateKeyValueStoreResult(key_value_store=store, etag=current.etag)
            request = build_request(
                cf.UpdateKeyValueStoreRequest,
                name=name,
                comment=comment,
                if_match=if_match or current.etag,
            )

            async def send(sends: Sends) -> cf.UpdateKeyValueStoreResult:
                return await self._invoke(
                    "UpdateKeyValueStore", request, cf.UpdateKeyValueStoreResult, sends=sends
                )

            async def landed() -> cf.UpdateKeyValueStoreResult | None:
                now = await self.describe(name)
                if now.key_value_store.comment != comment:
                    return None
                return cf.UpdateKeyValueStoreResult(
                    key_value_store=now.key_value_store, etag=now.etag
                )

            return await send_conditional(send, landed)

        async with self._core.locks.get(_key(name)):
            return await retry_on_stale(
                self._core,
                attempt,
                what=_key(name),
                policy=self._retry,
                manual=if_match is not None,
            )

    async def delete(self, name: str, *, if_match: str | None = None) -> None:
        """Delete the store. Retried on transient failures and, without ``if_match``, on
        stale ETags. After a lost answer the resend finds the store gone: the delete landed,
        and that is success."""

        async def attempt() -> None:
            etag = if_match or (await self.describe(name)).etag
            request = build_request(cf.DeleteKeyValueStoreRequest, name=name, if_match=etag)
            await delete_after_read(
                lambda sends: self._send("DeleteKeyValueStore", request, sends=sends),
                was_read=if_match is None,
            )

        async with self._core.locks.get(_key(name)):
            await retry_on_stale(
                self._core,
                attempt,
                what=_key(name),
                policy=self._retry,
                manual=if_match is not None,
            )

    async def wait_ready(
        self, name: str, *, timeout: float | None = None
    ) -> cf.DescribeKeyValueStoreResult:
        """Poll DescribeKeyValueStore (each poll retried as any read; transient failures polled
        through) until the status is ``READY``; return the store and its ETag. Raises
        :class:`cdnkit.KeyValueStoreFailedError` if it ends in a failed state,
        :class:`cdnkit.WaiterTimeoutError` at ``timeout`` (default: the client's WaitPolicy)."""

        def settled(result: cf.DescribeKeyValueStoreResult) -> bool:
            status = result.key_value_store.status
            if status is not None and "FAIL" in status.upper():
                raise KeyValueStoreFailedError(f"key value store {name} is {status}")
            return status == _READY

        async def fetch() -> cf.DescribeKeyValueStoreResult:
            return await self.describe(name)

        async for state in poll(
            self._core, fetch, policy=self._wait, timeout=timeout, what=f"key value store {name}"
        ):
            if settled(state):
                return state
        raise AssertionError("unreachable: poll ends by returning or raising")
