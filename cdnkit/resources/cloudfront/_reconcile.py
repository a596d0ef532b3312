"""Creates whose answer may be lost: the retry's conflict can be the first send's own work.

A create resent after a send that got no answer (it may have reached CloudFront) meets the
resource that send made: DistributionAlreadyExists for the same CallerReference,
EntityAlreadyExists or FunctionAlreadyExists for the same name, StagingDistributionInUse for
the same staging distribution. Then ``reconcile`` looks the resource up and returns it when it
is the one asked for; otherwise, and whenever every earlier send was answered, the conflict is
raised (the resource is someone else's).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ..._core import Sends, ServiceCore
from ..._exceptions import ConflictError
from ..._models import CdnKitModel, parse_response
from ..._policies import RetryPolicy

__all__ = ["Sends", "send_create"]

M = TypeVar("M", bound=CdnKitModel)


async def send_create(
    core: ServiceCore,
    retry: RetryPolicy,
    operation: str,
    params: dict[str, Any],
    result: type[M],
    reconcile: Callable[[ConflictError], Awaitable[M | None]],
    sends: Sends | None = None,
) -> M:
    """Send ``operation`` with retries on transient failures; a conflict met after a send
    that got no answer is passed to ``reconcile``, whose answer (if not None) is returned."""
    log = sends if sends is not None else Sends()
    try:
        reply = await core.send(operation, params, retry=retry, sends=log)
    except ConflictError as error:
        if log.unanswered:
            existing = await reconcile(error)
            if existing is not None:
                return existing
        raise
    reply.pop("ResponseMetadata", None)
    return parse_response(result, reply)
