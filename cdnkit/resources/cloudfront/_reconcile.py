"""Creates whose answer may be lost: the retry's conflict can be the first attempt's own work.

A create retried after a transport failure (the request may have reached CloudFront) meets the
resource it made: DistributionAlreadyExists for the same CallerReference, EntityAlreadyExists
or FunctionAlreadyExists for the same name, StagingDistributionInUse for the same staging
distribution. On such a retry ``reconcile`` looks the resource up and returns it when it is the
one asked for; on the first send a conflict is always raised (the resource is someone else's).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ..._core import ServiceCore
from ..._exceptions import ConflictError
from ..._models import CdnKitModel, parse_response
from ..._policies import RetryPolicy
from ..._retry import call_with_retries

__all__ = ["Sends", "send_create"]

M = TypeVar("M", bound=CdnKitModel)


class Sends:
    """How many times one create has been sent, across every retry of one call."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


async def send_create(
    core: ServiceCore,
    retry: RetryPolicy,
    operation: str,
    params: dict[str, Any],
    result: type[M],
    reconcile: Callable[[ConflictError], Awaitable[M | None]],
    sends: Sends | None = None,
) -> M:
    """Send ``operation`` with retries on transient failures; a conflict on a later send is
    passed to ``reconcile``, whose answer (if not None) is returned instead."""
    counter = sends if sends is not None else Sends()
    # One send per attempt here, so every send is counted (the core would retry silently).
    single = RetryPolicy(max_attempts=1, adaptive=retry.adaptive)

    async def attempt(_: int) -> M:
        counter.count += 1
        try:
            reply = await core.send(operation, params, retry=single)
        except ConflictError as error:
            if counter.count > 1:
                existing = await reconcile(error)
                if existing is not None:
                    return existing
            raise
        reply.pop("ResponseMetadata", None)
        return parse_response(result, reply)

    # No limiter here: each attempt's own send passes the client's limiter.
    return await call_with_retries(attempt, retry, None)
