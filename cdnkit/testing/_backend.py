"""The contract between the emulator's wire layer and its per-service state machines.

The wire layer (``_server`` and ``_wire``) turns an HTTP request into a :class:`Request`
whose ``params`` are in botocore's Python form: keys are the botocore *member names* of the
operation's input shape (the same keys a boto3 call takes), timestamps are ``datetime``, blobs
are ``bytes``, and members bound to headers, the URI or the query string are merged in under
their member names (``IfMatch``, ``Id``, ``Marker``...). A backend answers with a dict in the
same form for the operation's output shape (``ETag`` included; the wire layer puts it in the
header the model names) or raises :class:`EmulatedErrorReply`. Backends never see HTTP.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol

JsonDict = dict[str, Any]

#: The account every emulated resource belongs to.
ACCOUNT_ID = "123456789012"
#: The region the emulator answers for by default.
REGION = "us-east-1"


class EmulatedErrorReply(Exception):
    """An error reply of the emulated service: raise it in a backend (or a fault hook) and the
    client receives that AWS error. Not the client-side ``cdnkit.ServiceError`` (AWS failing
    with a 5xx), which is what a cdnkit client raises on such a reply.

    ``code`` is the AWS error code (``InvalidInputException``, ``PreconditionFailed``...), which
    the wire layer writes in the protocol's error format so botocore raises the modeled
    exception class. ``fields`` are extra members of a modeled error shape.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int = 400,
        *,
        fields: JsonDict | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.fields: JsonDict = dict(fields or {})
        self.headers: dict[str, str] = dict(headers or {})


@dataclasses.dataclass
class Timing:
    """How long emulated asynchronous work takes, in seconds. Fast defaults keep tests quick."""

    #: Lightsail Operation: NotStarted/Started until this much time has passed, then Succeeded.
    lightsail_operation: float = 0.2
    #: Lightsail distribution status InProgress until this much time after a change, then Deployed.
    lightsail_distribution_deploy: float = 0.2
    #: CloudFront distribution status InProgress after a change, then Deployed.
    cloudfront_distribution_deploy: float = 0.2
    #: CloudFront invalidation InProgress, then Completed.
    invalidation: float = 0.2
    #: KeyValueStore PROVISIONING, then READY.
    key_value_store_provisioning: float = 0.2

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            seconds(f"Timing.{field.name}", getattr(self, field.name))


def seconds(name: str, value: object, *, positive: bool = False) -> float:
    """``value`` as seconds: a finite int or float (not a bool), at least 0 (above 0 when
    ``positive``); else ValueError naming ``name`` (NaN would compare false with every time)."""
    if type(value) is not int and type(value) is not float:
        raise ValueError(f"{name} must be a number of seconds, not {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        rule = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be a finite number {rule}, not {value!r}")
    return number


_seconds = seconds


class Clock:
    """Time as the emulator sees it; tests may subclass or ``advance`` it."""

    def __init__(self) -> None:
        self._offset = 0.0

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back: ``time.monotonic()`` plus every advance."""
        return time.monotonic() + self._offset

    def now(self) -> datetime:
        """The emulated wall-clock time (UTC), as resources' timestamps show it."""
        return datetime.fromtimestamp(time.time() + self._offset, tz=UTC)

    def advance(self, seconds: float) -> None:
        """Jump forward, so pending work completes without sleeping (never back: the clock
        is monotonic)."""
        self._offset += _seconds("seconds", seconds)

    async def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass in emulated time at once (a :class:`cdnkit.Clock`: clients
        given ``clock=emulator.clock`` wait on it without sleeping for real)."""
        if seconds > 0:
            self._offset += seconds
        await asyncio.sleep(0)  # still a point where other tasks run


@dataclasses.dataclass
class KeyValueStoreData:
    """One KeyValueStore, shared by the CloudFront control plane and the KVS data plane."""

    id: str
    name: str
    arn: str
    comment: str
    created: datetime
    last_modified: datetime
    #: Control-plane ETag (CloudFront's Describe/Update/DeleteKeyValueStore).
    control_etag: str
    #: Data-plane ETag (cloudfront-keyvaluestore's DescribeKeyValueStore and writes).
    data_etag: str
    #: Monotonic time at which PROVISIONING turns READY.
    ready_at: float
    items: dict[str, str] = dataclasses.field(default_factory=dict)
    failure_reason: str | None = None

    def total_size(self) -> int:
        """Bytes of every key and value (UTF-8), as counted against the 5 MB store limit."""
        return sum(len(k.encode()) + len(v.encode()) for k, v in self.items.items())


@dataclasses.dataclass
class SharedState:
    """State more than one backend reads; owned by the :class:`Emulator`."""

    clock: Clock
    timing: Timing
    #: KeyValueStores by ARN.
    key_value_stores: dict[str, KeyValueStoreData] = dataclasses.field(default_factory=dict)

    def reset(self) -> None:
        """Forget every KeyValueStore."""
        self.key_value_stores.clear()


@dataclasses.dataclass(frozen=True)
class Request:
    """One parsed call, as a backend sees it."""

    service: str  # botocore service name: lightsail | cloudfront | cloudfront-keyvaluestore
    operation: str  # botocore operation name, e.g. CreateDistribution
    params: JsonDict
    headers: Mapping[str, str]
    region: str = REGION
    account_id: str = ACCOUNT_ID


class Backend(Protocol):
    """A per-service state machine."""

    service: ClassVar[str]

    def handle(self, request: Request) -> JsonDict:
        """Answer one call or raise :class:`EmulatedErrorReply` (unknown operations too)."""
        ...

    def reset(self) -> None:
        """Forget every resource."""
        ...

    def out_of_band_write(self, resource_id: str) -> bool:
        """Change a resource as another writer would, so the caller's next If-Match is stale.

        Returns False when no resource has that id (or name, or ARN).
        """
        ...
