"""The CloudFront KeyValueStore data plane (``cloudfront-keyvaluestore``).

Stores are created by the CloudFront control plane in :class:`SharedState`; this backend reads
and writes their items. Facts followed (AWS-FACTS.md): one data ETag per store, changed by every
write and required (IfMatch) by every write; ListKeys pages of 1-50 (default 10); key 512 bytes,
value 1 KB, UpdateKeys at most 50 keys or 3 MB and all-or-nothing, store 5 MB. A stale ETag has
been seen answered as ValidationException mentioning "Pre-Condition failed"; the model also has
ConflictException (409), so the choice is configurable.

Unverified, chosen here: DeleteKey of a missing key is ResourceNotFoundException; UpdateKeys
ignores Deletes of missing keys; an UpdateKeys with no Puts and no Deletes is refused.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable
from typing import ClassVar, Final, Literal

from ._backend import EmulatedErrorReply, JsonDict, KeyValueStoreData, Request, SharedState

KEY_MAX_BYTES: Final = 512
VALUE_MAX_BYTES: Final = 1024
UPDATE_MAX_KEYS: Final = 50
UPDATE_MAX_BYTES: Final = 3 * 1024 * 1024
STORE_MAX_BYTES: Final = 5 * 1024 * 1024
LIST_DEFAULT_PAGE: Final = 10

StaleETagError = Literal["ValidationException", "ConflictException"]


def new_data_etag() -> str:
    """A fresh data-plane ETag (the service's look: ``KV`` and upper-case characters)."""
    return "KV" + uuid.uuid4().hex[:13].upper()


class KeyValueStoreBackend:
    """State machine of the KVS data plane over ``state.key_value_stores``."""

    service: ClassVar[str] = "cloudfront-keyvaluestore"

    def __init__(
        self, state: SharedState, *, stale_etag_error: StaleETagError = "ValidationException"
    ) -> None:
        self.state = state
        #: How a stale IfMatch is answered: ValidationException 400 (seen in practice) or
        #: ConflictException 409 (in the model).
        self.stale_etag_error: StaleETagError = stale_etag_error
        self._operations: dict[str, Callable[[JsonDict], JsonDict]] = {
            "DescribeKeyValueStore": self._describe,
            "GetKey": self._get_key,
            "PutKey": self._put_key,
            "DeleteKey": self._delete_key,
            "ListKeys": self._list_keys,
            "UpdateKeys": self._update_keys,
        }

    # -- Backend protocol -----------------------------------------------------------------

    def handle(self, request: Request) -> JsonDict:
        """Answer one parsed data-plane request (the server calls this); errors are raised as
        :class:`EmulatedErrorReply`."""
        operation = self._operations.get(request.operation)
        if operation is None:
            raise EmulatedErrorReply(
                "UnknownOperationException", f"{request.operation} is not supported", 404
            )
        return operation(request.params)

    def reset(self) -> None:
        """Nothing to forget here: the stores are in the shared state, reset by the emulator."""
        # Stores belong to the shared state, which the emulator resets itself.
        pass

    def out_of_band_write(self, resource_id: str) -> bool:
        """Change a store's data ETag as another writer would (by ARN, id or name); False if
        there is no such store."""
        store = self._find(resource_id)
        if store is None:
            return False
        self._touch(store)
        return True

    # -- operations -----------------------------------------------------------------------

    def _describe(self, params: JsonDict) -> JsonDict:
        store = self._ready_store(params["KvsARN"])
        result: JsonDict = {
            "KvsARN": store.arn,
            "ItemCount": len(store.items),
            "TotalSizeInBytes": store.total_size(),
            "Created": store.created,
            "ETag": store.data_etag,
            "LastModified": store.last_modified,
            "Status": "READY",
        }
        if store.failure_reason:
            result["FailureReason"] = store.failure_reason
        return result

    def _get_key(self, params: JsonDict) -> JsonDict:
        store = self._ready_store(params["KvsARN"])
        key: str = params["Key"]
        value = store.items.get(key)
        if value is None:
            raise EmulatedErrorReply("ResourceNotFoundException", f"Key {key!r} not found.", 404)
        return {
            "Key": key,
            "Value": value,
            "ItemCount": len(store.items),
            "TotalSizeInBytes": store.total_size(),
        }

    def _put_key(self, params: JsonDict) -> JsonDict:
        store = self._ready_store(params["KvsARN"])
        key: str = params["Key"]
        value: str = params["Value"]
        _check_key(key)
        _check_value(key, value)
        self._check_etag(store, params.get("IfMatch"))
        old = store.items.get(key)
        growth = len(value.encode()) + (len(key.encode()) if old is None else -len(old.encode()))
        self._check_store_size(store, growth)
        store.items[key] = value
        return self._written(store)

    def _delete_key(self, params: JsonDict) -> JsonDict:
        store = self._ready_store(params["KvsARN"])
        key: str = params["Key"]
        self._check_etag(store, params.get("IfMatch"))
        if key not in store.items:
            raise EmulatedErrorReply("ResourceNotFoundException", f"Key {key!r} not found.", 404)
        del store.items[key]
        return self._written(store)

    def _list_keys(self, params: JsonDict) -> JsonDict:
        store = self._ready_store(params["KvsARN"])
        page_size: int = params.get("MaxResults") or LIST_DEFAULT_PAGE
        keys = sorted(store.items)
        token = params.get("NextToken")
        if token:
            after = _decode_token(token)
            keys = [key for key in keys if key > after]
        page = keys[:page_size]
        result: JsonDict = {"Items": [{"Key": key, "Value": store.items[key]} for key in page]}
        if len(keys) > page_size:
            result["NextToken"] = _encode_token(page[-1])
        return result

    def _update_keys(self, params: JsonDict) -> JsonDict:
        store = self._ready_store(params["KvsARN"])
        puts: list[JsonDict] = params.get("Puts") or []
        deletes: list[JsonDict] = params.get("Deletes") or []
        if not puts and not deletes:
            raise EmulatedErrorReply(
                "ValidationException", "UpdateKeys needs at least one put or delete.", 400
            )
        if len(puts) + len(deletes) > UPDATE_MAX_KEYS:
            raise EmulatedErrorReply(
                "ValidationException",
                f"UpdateKeys accepts at most {UPDATE_MAX_KEYS} keys per request; "
                f"got {len(puts) + len(deletes)}.",
                400,
            )
        seen: set[str] = set()
        request_bytes = 0
        for item in [*puts, *deletes]:
            key = item["Key"]
            if key in seen:
                raise EmulatedErrorReply(
                    "ValidationException", f"Key {key!r} appears more than once.", 400
                )
            seen.add(key)
            _check_key(key)
            request_bytes += len(key.encode())
        for item in puts:
            _check_value(item["Key"], item["Value"])
            request_bytes += len(item["Value"].encode())
        if request_bytes > UPDATE_MAX_BYTES:
            raise EmulatedErrorReply(
                "ValidationException",
                f"UpdateKeys accepts at most {UPDATE_MAX_BYTES} bytes of keys and values; "
                f"got {request_bytes}.",
                400,
            )
        self._check_etag(store, params.get("IfMatch"))
        # Apply to a copy first: the request is all-or-nothing.
        items = dict(store.items)
        for item in deletes:
            items.pop(item["Key"], None)
        for item in puts:
            items[item["Key"]] = item["Value"]
        size = sum(len(k.encode()) + len(v.encode()) for k, v in items.items())
        if size > STORE_MAX_BYTES:
            raise _quota_exceeded(size)
        store.items = items
        return self._written(store)

    # -- helpers --------------------------------------------------------------------------

    def _find(self, resource_id: str) -> KeyValueStoreData | None:
        stores = self.state.key_value_stores
        store = stores.get(resource_id)
        if store is not None:
            return store
        for candidate in stores.values():
            if resource_id in (candidate.id, candidate.name):
                return candidate
        return None

    def _ready_store(self, arn: str) -> KeyValueStoreData:
        store = self.state.key_value_stores.get(arn)
        if store is None or self.state.clock.monotonic() < store.ready_at:
            raise EmulatedErrorReply(
                "ResourceNotFoundException", f"Key value store {arn} was not found.", 404
            )
        return store

    def _check_etag(self, store: KeyValueStoreData, if_match: str | None) -> None:
        if not if_match:
            raise EmulatedErrorReply("ValidationException", "IfMatch is required.", 400)
        if if_match != store.data_etag:
            if self.stale_etag_error == "ConflictException":
                raise EmulatedErrorReply(
                    "ConflictException",
                    "The ETag does not match the current version of the key value store.",
                    409,
                )
            raise EmulatedErrorReply(
                "ValidationException",
                "Pre-Condition failed: the ETag does not match the current version of the "
                "key value store.",
                400,
            )

    def _check_store_size(self, store: KeyValueStoreData, growth: int) -> None:
        size = store.total_size() + growth
        if size > STORE_MAX_BYTES:
            raise _quota_exceeded(size)

    def _touch(self, store: KeyValueStoreData) -> None:
        store.data_etag = new_data_etag()
        store.last_modified = self.state.clock.now()

    def _written(self, store: KeyValueStoreData) -> JsonDict:
        self._touch(store)
        return {
            "ETag": store.data_etag,
            "ItemCount": len(store.items),
            "TotalSizeInBytes": store.total_size(),
        }


def _check_key(key: str) -> None:
    size = len(key.encode())
    if size > KEY_MAX_BYTES:
        raise EmulatedErrorReply(
            "ValidationException",
            f"Key is {size} bytes; the limit is {KEY_MAX_BYTES} bytes.",
            400,
        )


def _check_value(key: str, value: str) -> None:
    size = len(value.encode())
    if size > VALUE_MAX_BYTES:
        raise EmulatedErrorReply(
            "ValidationException",
            f"Value of key {key!r} is {size} bytes; the limit is {VALUE_MAX_BYTES} bytes.",
            400,
        )


def _quota_exceeded(size: int) -> EmulatedErrorReply:
    return EmulatedErrorReply(
        "ServiceQuotaExceededException",
        f"The key value store would hold {size} bytes; the limit is {STORE_MAX_BYTES} bytes.",
        402,
    )


def _encode_token(last_key: str) -> str:
    return base64.urlsafe_b64encode(last_key.encode()).decode()


def _decode_token(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise EmulatedErrorReply(
            "ValidationException", "The NextToken is not valid.", 400
        ) from None
