"""The CloudFront backend: routes each operation to its resource family."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from cdnkit.testing._backend import EmulatedErrorReply, JsonDict, Request, SharedState

from ._common import new_etag
from ._distributions import DistributionOperations
from ._functions import FunctionOperations
from ._invalidations import InvalidationOperations
from ._key_value_stores import KeyValueStoreOperations
from ._policies import PolicyOperations
from ._state import CloudFrontState


class CloudFrontBackend:
    """CloudFront's control plane: distributions, continuous deployment policies,
    KeyValueStores, functions and invalidations, with ETags and If-Match as the service has them.
    """

    service: ClassVar[str] = "cloudfront"

    def __init__(self, state: SharedState) -> None:
        self._state = CloudFrontState(state)
        self._handlers: dict[str, Callable[[Request], JsonDict]] = {}
        families = (
            DistributionOperations(self._state),
            InvalidationOperations(self._state),
            PolicyOperations(self._state),
            KeyValueStoreOperations(self._state),
            FunctionOperations(self._state),
        )
        for family in families:
            self._handlers.update(family.handlers())

    @property
    def operations(self) -> frozenset[str]:
        """The operation names this backend answers."""
        return frozenset(self._handlers)

    def handle(self, request: Request) -> JsonDict:
        handler = self._handlers.get(request.operation)
        if handler is None:
            raise EmulatedErrorReply(
                "InvalidAction",
                f"The action {request.operation} is not valid for this web service.",
                400,
            )
        output: JsonDict = _without_empty_items(handler(request))
        return output

    def reset(self) -> None:
        self._state.reset()

    def fail_function_tests(self, count: int = 1) -> None:
        """Make the next ``count`` TestFunction calls answer TestFunctionFailed (500)."""
        self._state.pending_test_failures = count

    def out_of_band_write(self, resource_id: str) -> bool:
        """Write to a distribution, policy, KeyValueStore or function as another client would.

        Accepts an id, name or ARN. The resource keeps its content but gets a new ETag and
        LastModifiedTime (a distribution also redeploys), so the caller's If-Match is stale.
        """
        state = self._state
        for distribution in state.distributions.values():
            if resource_id in (distribution.id, distribution.arn):
                state.redeploy(distribution)
                return True
        policy = state.policies.get(resource_id)
        if policy is not None:
            policy.etag = new_etag(policy.etag)
            policy.last_modified = state.now()
            return True
        for store in state.shared.key_value_stores.values():
            if resource_id in (store.id, store.name, store.arn):
                store.control_etag = new_etag(store.control_etag)
                store.last_modified = state.now()
                return True
        function = state.functions.get(resource_id) or state.function_by_arn(resource_id)
        if function is not None:
            function.development.etag = new_etag(function.development.etag)
            function.development.last_modified = state.now()
            return True
        return False


def _without_empty_items(value: Any) -> Any:
    """``value`` with the ``Items`` of every empty ``{Quantity, Items}`` wrapper left out, as
    CloudFront answers (``<Aliases><Quantity>0</Quantity></Aliases>``; an empty
    ListDistributions has no ``Items``): SDKs read it as absent, not as ``[]``. Containers are
    copied only where something changes, so stored state is never modified."""
    if isinstance(value, dict):
        changed: dict[str, Any] | None = None
        for key, item in value.items():
            if key == "Items" and item == [] and "Quantity" in value:
                kept = None
            else:
                kept = _without_empty_items(item)
                if kept is item:
                    continue
            if changed is None:
                changed = dict(value)
            if kept is None:
                del changed[key]
            else:
                changed[key] = kept
        return value if changed is None else changed
    if isinstance(value, list):
        items = [_without_empty_items(item) for item in value]
        return value if all(new is old for new, old in zip(items, value, strict=True)) else items
    return value
