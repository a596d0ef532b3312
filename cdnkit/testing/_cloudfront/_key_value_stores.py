"""KeyValueStores, control plane: the records are shared with the KVS data plane."""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable
from typing import Final

from cdnkit.testing._backend import EmulatedErrorReply, JsonDict, KeyValueStoreData, Request

from ._common import API_BASE_URL, invalid_argument, new_etag, paginate, require_if_match
from ._state import CloudFrontState

#: The model's pattern is not anchored; the service's rule is.
NAME_PATTERN: Final = re.compile(r"[a-zA-Z0-9_-]{1,64}")
MAX_COMMENT_LENGTH: Final = 128
#: Account quota on KeyValueStores.
MAX_STORES: Final = 50
#: Unverified: no source shows the Status of a store whose import failed, only the data
#: plane's FailureReason. Shown when a test sets ``KeyValueStoreData.failure_reason``.
FAILED_STATUS: Final = "PROVISIONING_FAILED"


class KeyValueStoreOperations:
    def __init__(self, state: CloudFrontState) -> None:
        self._state = state

    def handlers(self) -> dict[str, Callable[[Request], JsonDict]]:
        return {
            "CreateKeyValueStore": self.create,
            "DescribeKeyValueStore": self.describe,
            "UpdateKeyValueStore": self.update,
            "DeleteKeyValueStore": self.delete,
            "ListKeyValueStores": self.list_stores,
        }

    def _lookup(self, name: str) -> KeyValueStoreData:
        store = self._state.key_value_store_by_name(name)
        if store is None:
            raise EmulatedErrorReply(
                "EntityNotFound", f"The KeyValueStore {name} was not found.", 404
            )
        return store

    def _status(self, store: KeyValueStoreData) -> str:
        if store.failure_reason:
            return FAILED_STATUS
        return "READY" if self._state.monotonic() >= store.ready_at else "PROVISIONING"

    def _view(self, store: KeyValueStoreData) -> JsonDict:
        return {
            "Name": store.name,
            "Id": store.id,
            "Comment": store.comment,
            "ARN": store.arn,
            "Status": self._status(store),
            "LastModifiedTime": store.last_modified,
        }

    @staticmethod
    def _check_comment(comment: str) -> None:
        if len(comment) > MAX_COMMENT_LENGTH:
            raise invalid_argument(
                f"The KeyValueStore comment is longer than {MAX_COMMENT_LENGTH} characters."
            )

    def create(self, request: Request) -> JsonDict:
        params = request.params
        name: str = params["Name"]
        if not NAME_PATTERN.fullmatch(name):
            raise invalid_argument(
                f"The KeyValueStore name {name!r} must be 1 to 64 characters of "
                "a-z, A-Z, 0-9, hyphen and underscore."
            )
        comment: str = params.get("Comment") or ""
        self._check_comment(comment)
        if self._state.key_value_store_by_name(name) is not None:
            raise EmulatedErrorReply(
                "EntityAlreadyExists", f"A KeyValueStore named {name} already exists.", 409
            )
        if len(self._state.shared.key_value_stores) >= MAX_STORES:
            raise EmulatedErrorReply(
                "EntityLimitExceeded",
                f"You have reached the maximum number of KeyValueStores ({MAX_STORES}).",
                400,
            )
        store_id = str(uuid.uuid4())
        now = self._state.now()
        store = KeyValueStoreData(
            id=store_id,
            name=name,
            arn=f"arn:aws:cloudfront::{request.account_id}:key-value-store/{store_id}",
            comment=comment,
            created=now,
            last_modified=now,
            control_etag=new_etag(),
            data_etag=new_etag(),
            ready_at=self._state.monotonic()
            + self._state.shared.timing.key_value_store_provisioning,
        )
        self._state.shared.key_value_stores[store.arn] = store
        if params.get("ImportSource") is not None:
            self._state.key_value_store_import_sources[store.arn] = copy.deepcopy(
                params["ImportSource"]
            )
        return {
            "KeyValueStore": self._view(store),
            "ETag": store.control_etag,
            "Location": f"{API_BASE_URL}/key-value-store/{store.arn}",
        }

    def describe(self, request: Request) -> JsonDict:
        store = self._lookup(request.params["Name"])
        return {"KeyValueStore": self._view(store), "ETag": store.control_etag}

    def update(self, request: Request) -> JsonDict:
        store = self._lookup(request.params["Name"])
        require_if_match(request.params.get("IfMatch"), store.control_etag)
        comment: str = request.params["Comment"]
        self._check_comment(comment)
        store.comment = comment
        store.control_etag = new_etag(store.control_etag)
        store.last_modified = self._state.now()
        return {"KeyValueStore": self._view(store), "ETag": store.control_etag}

    def delete(self, request: Request) -> JsonDict:
        store = self._lookup(request.params["Name"])
        require_if_match(request.params.get("IfMatch"), store.control_etag)
        users = self._state.functions_using_key_value_store(store.arn)
        if users:
            raise EmulatedErrorReply(
                "CannotDeleteEntityWhileInUse",
                f"The KeyValueStore {store.name} is associated with function "
                f"{', '.join(sorted(f.name for f in users))}.",
                409,
            )
        del self._state.shared.key_value_stores[store.arn]
        self._state.key_value_store_import_sources.pop(store.arn, None)
        return {}

    def list_stores(self, request: Request) -> JsonDict:
        wanted_status = request.params.get("Status")
        stores = [
            store
            for store in self._state.shared.key_value_stores.values()
            if not wanted_status or self._status(store) == wanted_status
        ]
        ordered = sorted(stores, key=lambda store: store.name)
        page = paginate(ordered, lambda store: store.name, request.params)
        listing: JsonDict = {
            "MaxItems": page.max_items,
            "Quantity": len(page.items),
            "Items": [self._view(store) for store in page.items],
        }
        if page.next_marker is not None:
            listing["NextMarker"] = page.next_marker
        return {"KeyValueStoreList": listing}

    def import_source(self, arn: str) -> JsonDict | None:
        """The ImportSource a store was created with, for tests that check it was recorded."""
        source = self._state.key_value_store_import_sources.get(arn)
        return copy.deepcopy(source) if source is not None else None
