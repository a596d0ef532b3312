"""``cf.key_value_stores.keys(name)``: the keys and values of one KeyValueStore (data plane).

The data plane is its own service (``cloudfront-keyvaluestore``), signed with SigV4A: install
``cdnkit[kvs]`` (awscrt). Writes need the store's data-plane ETag, which cdnkit reads with the
data plane's DescribeKeyValueStore (not the control plane's) and refreshes from each write's
reply; a stale one is read again and the write re-applied.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import TypeVar

from ..._core import ServiceCore, build_request
from ..._etag import retry_on_stale
from ..._policies import RetryPolicy, WaitPolicy
from ...types import cloudfront_keyvaluestore as kvs
from .._base import Resource

__all__ = ["Keys"]

#: The replies of the writes: each carries the store's new ETag.
W = TypeVar("W", kvs.PutKeyResponse, kvs.DeleteKeyResponse, kvs.UpdateKeysResponse)

#: UpdateKeys takes at most 50 puts and deletes in all (AWS-FACTS.md).
_BATCH = 50


class Keys(Resource):
    """Read and write the keys of one store; ETags are automatic."""

    def __init__(
        self,
        core: ServiceCore,
        *,
        retry: RetryPolicy,
        wait: WaitPolicy,
        store_arn: Callable[[], Awaitable[str]],
        open_core: Callable[[], Awaitable[None]],
    ) -> None:
        super().__init__(core, retry=retry, wait=wait)
        self._store_arn = store_arn
        self._open_core = open_core

    async def _arn(self) -> str:
        await self._open_core()
        return await self._store_arn()

    async def describe(self) -> kvs.DescribeKeyValueStoreResponse:
        """Item count, size, status and the data-plane ETag."""
        request = build_request(kvs.DescribeKeyValueStoreRequest, kvs_arn=await self._arn())
        return await self._invoke(
            "DescribeKeyValueStore", request, kvs.DescribeKeyValueStoreResponse
        )

    async def get(self, key: str) -> str:
        """The value of ``key``; :class:`cdnkit.NotFoundError` if there is none."""
        request = build_request(kvs.GetKeyRequest, kvs_arn=await self._arn(), key=key)
        result = await self._invoke("GetKey", request, kvs.GetKeyResponse)
        return result.value

    async def list(self) -> AsyncIterator[kvs.ListKeysResponseListItem]:
        """Every key and value, fetching further pages as the iteration goes."""
        arn = await self._arn()

        def page(
            reply: kvs.ListKeysResponse,
        ) -> tuple[builtins.list[kvs.ListKeysResponseListItem], str | None]:
            return builtins.list(reply.items or ()), reply.next_token

        async for item in self._paginate(
            "ListKeys",
            lambda token: kvs.ListKeysRequest(kvs_arn=arn, next_token=token, max_results=50),
            kvs.ListKeysResponse,
            page,
        ):
            yield item

    async def items(self) -> dict[str, str]:
        """All keys and values as a dict."""
        return {item.key: item.value async for item in self.list()}

    async def put(self, key: str, value: str) -> kvs.PutKeyResponse:
        arn = await self._arn()
        # Validated before the ETag is read, so bad input sends nothing.
        build_request(kvs.PutKeyRequest, kvs_arn=arn, key=key, value=value, if_match="-")

        async def attempt() -> kvs.PutKeyResponse:
            request = build_request(
                kvs.PutKeyRequest, kvs_arn=arn, key=key, value=value, if_match=await self._etag()
            )
            return await self._invoke("PutKey", request, kvs.PutKeyResponse)

        return await self._write(arn, attempt)

    async def delete(self, key: str) -> kvs.DeleteKeyResponse:
        arn = await self._arn()

        async def attempt() -> kvs.DeleteKeyResponse:
            request = build_request(
                kvs.DeleteKeyRequest, kvs_arn=arn, key=key, if_match=await self._etag()
            )
            return await self._invoke("DeleteKey", request, kvs.DeleteKeyResponse)

        return await self._write(arn, attempt)

    async def update(
        self, *, puts: Mapping[str, str] | None = None, deletes: Iterable[str] = ()
    ) -> kvs.UpdateKeysResponse | None:
        """Put and delete many keys; sent in batches of at most 50 changes (each batch is
        all-or-nothing on AWS's side). Returns the last batch's reply, None if nothing to do."""
        arn = await self._arn()
        changes: builtins.list[tuple[str, str | None]] = [
            *((key, value) for key, value in (puts or {}).items()),
            *((key, None) for key in deletes),
        ]
        batches = []
        for start in range(0, len(changes), _BATCH):
            chunk = changes[start : start + _BATCH]
            batches.append(
                build_request(
                    kvs.UpdateKeysRequest,
                    kvs_arn=arn,
                    if_match="-",
                    puts=[
                        build_request(kvs.PutKeyRequestListItem, key=key, value=value)
                        for key, value in chunk
                        if value is not None
                    ]
                    or None,
                    deletes=[
                        build_request(kvs.DeleteKeyRequestListItem, key=key)
                        for key, value in chunk
                        if value is None
                    ]
                    or None,
                )
            )
        last: kvs.UpdateKeysResponse | None = None
        for batch in batches:

            async def attempt(batch: kvs.UpdateKeysRequest = batch) -> kvs.UpdateKeysResponse:
                request = batch.model_copy(update={"if_match": await self._etag()})
                return await self._invoke("UpdateKeys", request, kvs.UpdateKeysResponse)

            last = await self._write(arn, attempt)
        return last

    async def sync(self, desired: Mapping[str, str]) -> kvs.UpdateKeysResponse | None:
        """Make the store hold exactly ``desired``: put what differs, delete what is extra.
        Nothing is sent when the store already matches."""
        current = await self.items()
        puts = {key: value for key, value in desired.items() if current.get(key) != value}
        deletes = [key for key in current if key not in desired]
        if not puts and not deletes:
            return None
        return await self.update(puts=puts, deletes=deletes)

    # ETags -----------------------------------------------------------------------------

    async def _etag(self) -> str:
        arn = await self._store_arn()
        known = self._core.etags.get(arn)
        if known is not None:
            return known
        etag = (await self.describe()).etag
        self._core.etags[arn] = etag
        return etag

    async def _write(self, arn: str, attempt: Callable[[], Awaitable[W]]) -> W:
        async def once() -> W:
            try:
                result = await attempt()
            except Exception:
                # A stale or unknown ETag: read it afresh on the next attempt.
                self._core.etags.pop(arn, None)
                raise
            self._core.etags[arn] = result.etag
            return result

        async with self._core.locks.get(f"kvs-data/{arn}"):
            return await retry_on_stale(once, what=f"key value store {arn}", policy=self._retry)
