"""What a program can see of cdnkit's work besides results: request ids and wait progress.

Cheap to import (``import cdnkit`` loads it): no aiobotocore here.
"""

from __future__ import annotations

import contextvars
import dataclasses

__all__ = ["WaitProgress", "last_request_id"]

#: The request id of the last call answered in this context (task), set by the core.
_last_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "cdnkit_last_request_id", default=None
)


def last_request_id() -> str | None:
    """The AWS request id of the last request answered in the current task (an error answer
    included), for support tickets and logs (errors also carry theirs as
    ``APIError.request_id``).

    A method that sends several requests (a read-modify-write, a wait) leaves the id of its
    last one. Each asyncio task has its own: ids of concurrent calls do not mix.
    """
    return _last_request_id.get()


@dataclasses.dataclass(frozen=True, slots=True)
class WaitProgress:
    """One poll of a wait, given to ``WaitPolicy.on_progress``."""

    #: What is waited for, as in the wait's messages ("distribution E2... to deploy").
    what: str
    #: The state this poll read (an Operation, a distribution, a store...).
    state: object
    #: Polls so far, this one included.
    polls: int
    #: Seconds since the wait started (on the client's clock).
    elapsed: float
