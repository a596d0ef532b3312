"""The core every service client shares: client options, the aiobotocore client's lifetime,
models to wire parameters and back, error classification, retries and polling."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import dataclasses
import importlib
import logging
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import AsyncExitStack
from types import TracebackType
from typing import Any, TypeVar, cast

import aiohttp
from aiobotocore.config import AioConfig
from aiobotocore.httpsession import AIOHTTPSession
from aiobotocore.session import AioSession
from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound
from pydantic import BaseModel, ValidationError
from pydantic_core import (
    InitErrorDetails,
    PydanticCustomError,
    PydanticSerializationError,
    to_json,
)

from ._exceptions import (
    TRANSPORT_ERRORS,
    CdnKitError,
    ClientClosedError,
    DeadlineExceededError,
    InvalidRequestError,
    RequestValidationError,
    ServiceError,
    ThrottlingError,
    TransportError,
    UnexpectedResponseError,
    WaiterTimeoutError,
    error_from_botocore_error,
    error_from_client_error,
    is_retryable,
)
from ._models import (
    CdnKitModel,
    parse_response,
    to_wire,
    unencodable_text,
    validate_request,
    wrong_member_type,
)
from ._observability import WaitProgress, _last_request_id
from ._parsing import install as install_parsers
from ._policies import Clock, RetryPolicy, WaitPolicy
from ._retry import (
    OperationRate,
    current_deadline,
    last_failure,
    reset_deadline,
    retry_after,
    set_deadline,
)
from ._user_agent import install as remember_user_agent

__all__ = [
    "ClientOptions",
    "ResourceLocks",
    "Sends",
    "ServiceCore",
    "WaitPolicy",
    "build_request",
    "checked_wire",
    "poll",
    "within",
]


M = TypeVar("M", bound=CdnKitModel)
T = TypeVar("T")


class _OneSendPerAttempt(AIOHTTPSession):
    """aiobotocore's aiohttp transport, with aiohttp's own resend turned off.

    When a connection drops before the answer, aiohttp sends a GET, PUT or DELETE once more,
    unseen (RFC 9112 allows it for idempotent methods). Most CloudFront writes are PUTs or
    DELETEs with an If-Match: the hidden resend of a write that landed is refused as stale (or
    "not found"), and cdnkit, never told that the first send went unanswered, would take its
    own write for another writer's and apply it again. cdnkit's retry layer is the only one:
    every send is its own, and a send that gets no answer is counted in :class:`Sends`.
    """

    async def _get_session(self, proxy_url: str | None) -> aiohttp.ClientSession:
        get_session: Callable[[str | None], Awaitable[aiohttp.ClientSession]]
        get_session = super()._get_session  # type: ignore[misc]  # not in the stubs
        session = await get_session(proxy_url)
        # The switch aiohttp's own test client turns off the same way.
        session._retry_connection = False
        return session


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClientOptions:
    """What a service client is created with (the keyword-only constructor options)."""

    region_name: str | None = None
    profile_name: str | None = None
    endpoint_url: str | None = None
    aws_access_key_id: str | None = dataclasses.field(default=None, repr=False)
    aws_secret_access_key: str | None = dataclasses.field(default=None, repr=False)
    aws_session_token: str | None = dataclasses.field(default=None, repr=False)
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_pool_connections: int = 10
    config: AioConfig | None = None
    #: What waits follow (None: the event loop's clock, sleeping for real).
    clock: Clock | None = None

    def botocore_config(self) -> AioConfig:
        config = AioConfig(
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_pool_connections=self.max_pool_connections,
            # A ``config`` naming its own http_session_cls replaces this one.
            http_session_cls=_OneSendPerAttempt,
            # Every request is checked against its model (the same botocore shapes, with more
            # of their rules) before it reaches botocore; botocore's second walk over the same
            # parameters only costs time. A ``config`` may turn it back on.
            parameter_validation=False,
        )
        if self.config is not None:
            config = config.merge(self.config)
        # cdnkit's retry layer is the only one: botocore's would multiply the attempts.
        return config.merge(AioConfig(retries={"total_max_attempts": 1, "mode": "standard"}))


def build_request(model: type[M], **members: Any) -> M:
    """Build a request model from snake_case members, None left out, before anything is sent.
    Bad input raises :class:`cdnkit.RequestValidationError` naming the member and the rule."""
    return model(**{name: value for name, value in members.items() if value is not None})


_PLAIN_TYPES = (str, bool, int, float)
#: Per request class: its members' wire names, or None when a member has a default other than
#: None (the model would send it, a dict of the given values would not).
_WIRE_NAMES: dict[type[BaseModel], dict[str, str] | None] = {}


def _wire_names(model: type[BaseModel]) -> dict[str, str] | None:
    names = _WIRE_NAMES.get(model, _UNSET)
    if names is _UNSET:
        fields = model.model_fields
        plain = all(
            f.is_required() or (f.default is None and f.default_factory is None)
            for f in fields.values()
        )
        names = (
            {name: f.serialization_alias or f.alias or name for name, f in fields.items()}
            if plain
            else None
        )
        _WIRE_NAMES[model] = names
    return cast("dict[str, str] | None", names)


_UNSET: Any = object()


def plain_wire(model: type[CdnKitModel], **members: Any) -> dict[str, Any]:
    """The wire parameters of a request given as plain values (strings, numbers, booleans;
    None left out), checked once by the request model's rules (bad input raises
    :class:`cdnkit.RequestValidationError` naming the member). Nothing is built and dumped:
    strict validation changes no plain value, so the checked dict is what the model would
    dump. Other values (models, lists: a caller may change them later) take
    :func:`build_request` and :func:`checked_wire`."""
    names = _wire_names(model)
    if names is None or not all(
        value is None or type(value) in _PLAIN_TYPES for value in members.values()
    ):
        return checked_wire(build_request(model, **members))
    wire = {names.get(name, name): value for name, value in members.items() if value is not None}
    validate_request(model, wire)
    return wire


def checked_wire(request: BaseModel) -> dict[str, Any]:
    """The wire parameters of ``request``, checked as a whole with every request rule.

    A model changed after it was built (attribute assignment, ``model_construct``, a list
    edited in place) is only validated here: whatever reaches the wire has passed the same
    checks as a freshly built request, with the same errors."""
    try:
        # A member assigned a value of the wrong type would be dumped as something else (an
        # object as {}): the serializer's complaint is an error here, not a warning.
        wire = request.model_dump(by_alias=True, exclude_none=True, warnings="error")
    except PydanticSerializationError as error:
        raise InvalidRequestError(
            f"{type(request).__name__}: a member holds a value of the wrong type ({error})"
        ) from None
    problem = wrong_member_type(request)
    if problem is not None:
        raise InvalidRequestError(f"{type(request).__name__}.{problem}")
    validate_request(cast(type[CdnKitModel], type(request)), wire)
    return wire


_K = TypeVar("_K")
_V = TypeVar("_V")
#: Process-wide state, per event loop (asyncio objects belong to one loop).
_RATES: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[str, str, str], OperationRate]
] = weakref.WeakKeyDictionary()
_LOCKS: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[str, str], ResourceLocks]
] = weakref.WeakKeyDictionary()


def _shared(
    tables: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[_K, _V]],
    key: _K,
    make: Callable[[], _V],
) -> _V:
    loop = asyncio.get_running_loop()
    table = tables.get(loop)
    if table is None:
        table = tables[loop] = {}
    value = table.get(key)
    if value is None:
        value = table[key] = make()
    return value


def _open_error(error: ValueError | BotoCoreError, service: str) -> CdnKitError:
    """The cdnkit error for a failure to create the botocore client (see ``open``)."""
    if isinstance(error, ValueError | ProfileNotFound):  # InvalidRegionError is a ValueError
        return InvalidRequestError(f"{service} client options: {error}")
    return error_from_botocore_error(error, service, "open")


class ResourceLocks:
    """One asyncio lock per resource key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        #: Writes made per resource by the writers sharing these locks (Lightsail modify's check
        #: that its change still holds skips a state a later writer of the process built on it).
        self.writes: dict[str, int] = {}
        #: Ids of operations the calls of these writers started or were answered with
        #: (Lightsail): a lost answer's reconciliation never takes one of these for its own,
        #: whichever client of the process started it.
        self.known_operations: collections.OrderedDict[str, None] = collections.OrderedDict()

    def get(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock


@contextlib.contextmanager
def within(timeout: float | None) -> Iterator[float | None]:
    """Make the calls inside share one deadline, ``timeout`` seconds from now (or the
    enclosing one, if earlier); yields the deadline as event-loop time."""
    deadline = current_deadline()
    if timeout is not None:
        own = asyncio.get_running_loop().time() + timeout
        if deadline is None or own < deadline:
            deadline = own
    token = set_deadline(deadline)
    try:
        yield deadline
    finally:
        reset_deadline(token)


class Sends:
    """How the sends of one logical request went, across every retry of one call.

    ``unanswered`` counts sends that may have reached AWS without their answer reaching us
    (no answer, or a 5xx): after one of those, a refusal of a later send (a stale ETag, "not
    found", "already exists") may be this request's own effect, and a resend may repeat it.

    With ``timed``, ``first_unanswered_at`` is this machine's time (epoch seconds) just before
    the first send that got no answer went out (after any wait for a connection slot or the
    rate limiter): the earliest moment an effect of this request can carry, for a caller that
    can only tell its effect by when it started (sends answered with an error had none). No
    clock is read on the path of other calls.
    """

    __slots__ = ("count", "first_unanswered_at", "timed", "unanswered")

    def __init__(self, *, timed: bool = False) -> None:
        self.count = 0
        self.unanswered = 0
        self.timed = timed
        self.first_unanswered_at: float | None = None


#: Calls a resource may make before resending a request whose earlier send got no answer:
#: returns the result when the request turns out to have landed (then nothing is resent).
Reconcile = Callable[[], Awaitable[T | None]]


class _Scope:
    """One call's deadline and cancellation scope: the call ends at its deadline
    (:class:`cdnkit.DeadlineExceededError`) or at once when the client closes
    (:class:`cdnkit.ClientClosedError`). Inner scopes never outlive outer ones (the deadline is
    the earliest of both).

    The mechanism of ``asyncio.timeout`` (cancel the task, then turn that cancellation into an
    error on the way out, leaving the caller's own cancellations alone) without its object and
    its timer per call: every call opens one of these, and the client's one timer
    (:meth:`ServiceCore._sweep`) ends each call whose deadline has come. Usable with ``with``
    (the core's hot path) and with ``async with``.
    """

    __slots__ = (
        "_at",
        "_before",
        "_cancelling",
        "_core",
        "_deadline",
        "_ended",
        "_task",
        "_token",
    )

    def __init__(self, core: ServiceCore, deadline: float | None) -> None:
        self._core = core
        self._deadline = deadline

    def __enter__(self) -> None:
        core = self._core
        if core._closing or core._client is None:
            raise core.closed_error()
        deadline = self._deadline
        outer = current_deadline()
        if outer is not None and (deadline is None or outer < deadline):
            deadline = outer
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("cdnkit calls run inside an asyncio task")
        self._task = task
        self._cancelling = task.cancelling()
        self._ended: str | None = None
        self._at = deadline
        self._token: contextvars.Token[float | None] | None = None
        self._before: BaseException | None = None
        if deadline is not None:
            if deadline != outer:
                self._token = set_deadline(deadline)
            self._before = last_failure()
            core._watch(deadline)
        core._scopes.add(self)

    def end(self, why: str = "deadline") -> None:
        """End the call now: its deadline came, or (``why="closed"``) the client is closing."""
        if self._ended is None:
            self._ended = why
            self._task.cancel()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        core = self._core
        core._scopes.discard(self)
        if not core._scopes:
            core._idle.set()
        if self._token is not None:
            reset_deadline(self._token)
        if self._ended is None:
            return
        # The cancellation this scope asked for is taken back; one the caller asked for too
        # (or that came after) still propagates.
        if self._task.uncancel() > self._cancelling or exc_type is not asyncio.CancelledError:
            return
        if self._ended == "closed" or core._closing:
            raise core.closed_error() from None
        # The cause is the last error the call met (a throttle, a 5xx), not the attempt the
        # deadline cut short.
        met = last_failure()
        cause = met if met is not None and met is not self._before else TimeoutError()
        raise DeadlineExceededError(
            f"{core.service}: the call did not finish within its deadline"
        ) from cause

    async def __aenter__(self) -> None:
        self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, traceback)


class ServiceCore:
    """Owns one aiobotocore client for one service, from ``open`` to ``close``."""

    def __init__(self, service: str, options: ClientOptions, session: AioSession | None) -> None:
        self.service = service
        #: Retries, give-ups and waits of this service are logged here.
        self.logger = logging.getLogger(f"cdnkit.{service}")
        self.options = options
        self._session = session
        self._stack: AsyncExitStack | None = None
        self._client: Any = None
        self._closing = False
        self._scopes: set[_Scope] = set()
        #: One timer for every deadline of the calls in flight, at the earliest (a timer per
        #: call, made and cancelled every time, would cost more than the rest of the scope).
        self._sweeper: asyncio.TimerHandle | None = None
        self._sweep_at = _NEVER
        #: Set when no call is in flight (close waits for it).
        self._idle: asyncio.Event
        #: At most this many attempts in flight (the connection pool's size): more would only
        #: queue inside aiohttp, past the rate limiter.
        self._slots: asyncio.Semaphore
        self._fresh_loop_objects()  # and again on each open
        #: Whose quota the calls use (the access key id), for the shared rate state.
        self._account = "default"
        self._rates: dict[str, OperationRate] = {}
        #: Held while this core is opened on another's behalf (the KeyValueStore data plane,
        #: opened by the CloudFront client on first use, which makes it again on each enter).
        self.opening = asyncio.Lock()
        #: Serializes read-modify-write of one resource inside this process: shared by every
        #: client of the process for the same service and account (set on open).
        self.locks = ResourceLocks()
        #: Last ETag seen per resource key, for calls that can skip a read (function publish).
        self.etags: dict[str, str] = {}

    @property
    def known_operations(self) -> collections.OrderedDict[str, None]:
        """Ids of operations started by (or answered to) the calls of every client of this
        process and account (Lightsail): never taken for a lost answer's own."""
        return self.locks.known_operations

    def remember_operation(self, operation_id: str | None) -> None:
        if operation_id:
            known = self.locks.known_operations
            known[operation_id] = None
            if len(known) > 1024:
                known.popitem(last=False)

    @property
    def session(self) -> AioSession | None:
        return self._session

    @property
    def is_open(self) -> bool:
        return self._client is not None and not self._closing

    @property
    def client(self) -> Any:
        """The aiobotocore client (typed in the stubs packages as ``<Service>Client``)."""
        if self._client is None or self._closing:
            raise self.closed_error()
        return self._client

    def closed_error(self) -> ClientClosedError:
        if self._closing or self._stack is not None:
            return ClientClosedError(
                f"the {self.service} client is closed (enter it again with `async with`)"
            )
        return ClientClosedError(f"the {self.service} client is not open: use `async with`")

    def _watch(self, deadline: float) -> None:
        """Make sure the sweeper runs by ``deadline`` (event-loop time)."""
        if deadline < self._sweep_at:
            if self._sweeper is not None:
                self._sweeper.cancel()
            self._sweeper = asyncio.get_running_loop().call_at(deadline, self._sweep)
            self._sweep_at = deadline

    def _sweep(self) -> None:
        """End the calls whose deadline has come; wait for the next deadline."""
        self._sweeper, self._sweep_at = None, _NEVER
        due = asyncio.get_running_loop().time() + _RESOLUTION
        following = _NEVER
        for scope in list(self._scopes):
            at = scope._at
            if at is None:
                continue
            if at <= due:
                scope.end()
            elif at < following:
                following = at
        if following != _NEVER:
            self._watch(following)

    def scope(self, *, timeout: float | None = None, deadline: float | None = None) -> _Scope:
        """A scope that ends the call at its deadline (``timeout`` seconds from now, or the
        event-loop time ``deadline``), or at once when the client closes."""
        if timeout is not None:
            deadline = asyncio.get_running_loop().time() + timeout
        return _Scope(self, deadline)

    def rate(self, operation: str) -> OperationRate:
        state = self._rates.get(operation)
        if state is None:
            state = self._rates[operation] = _shared(
                _RATES, (self.service, self._account, operation), OperationRate
            )
        return state

    async def open(self) -> None:
        if self._client is not None:
            raise CdnKitError(f"the {self.service} client is already open")
        options = self.options
        session = self._session or AioSession(profile=options.profile_name)
        # The stubs type create_client per service-name literal; here the name is a variable.
        create_client: Callable[..., Any] = session.create_client
        stack = AsyncExitStack()
        try:
            self._client = await stack.enter_async_context(
                create_client(
                    self.service,
                    region_name=options.region_name,
                    endpoint_url=options.endpoint_url,
                    aws_access_key_id=options.aws_access_key_id,
                    aws_secret_access_key=options.aws_secret_access_key,
                    aws_session_token=options.aws_session_token,
                    config=options.botocore_config(),
                )
            )
            # Replies parsed by compiled walks, equal to botocore's (see _parsing).
            install_parsers(self._client)
            # The same User-Agent, built once per set of features (see _user_agent).
            remember_user_agent(self._client)
            account = options.aws_access_key_id
            if account is None:
                credentials = await session.get_credentials()
                account = getattr(credentials, "access_key", None)
        except BaseException as error:
            self._client = None
            await stack.aclose()
            if isinstance(error, ValueError | BotoCoreError) and not isinstance(error, CdnKitError):
                # A profile that is not there, a region or endpoint botocore refuses: the
                # client's options, refused as any bad input is (ValueError included).
                raise _open_error(error, self.service) from error
            raise
        # The access key id stands for the account: it is never logged or shown.
        self._account = f"{options.endpoint_url or options.region_name}|{account or 'anonymous'}"
        self._fresh_loop_objects()
        self._rates.clear()
        self.locks = _shared(_LOCKS, (self.service, self._account), ResourceLocks)
        self._stack = stack
        self._closing = False

    def _fresh_loop_objects(self) -> None:
        """asyncio's objects belong to the event loop they are first waited on in: a client
        entered again under another loop (``asyncio.run`` per job, a loop per test) gets new
        ones, or its callers' first wait for a connection slot raises RuntimeError."""
        self._idle = asyncio.Event()
        self._idle.set()
        self._slots = asyncio.Semaphore(self.options.max_pool_connections)
        self._sweeper, self._sweep_at = None, _NEVER

    async def close(self) -> None:
        """End every call in flight (each raises :class:`cdnkit.ClientClosedError`), then
        release the connection pool. Later calls raise ClientClosedError and open nothing."""
        if self._stack is None or self._closing:
            return
        self._closing = True
        try:
            for scope in list(self._scopes):
                scope.end("closed")
            if self._sweeper is not None:
                self._sweeper.cancel()
                self._sweeper, self._sweep_at = None, _NEVER
            if self._scopes:
                self._idle.clear()
                # Each call ends at its next await; a generous bound keeps close from hanging.
                with contextlib.suppress(TimeoutError):
                    await asyncio.shield(asyncio.wait_for(self._idle.wait(), 10))
        finally:
            stack, self._stack, self._client = self._stack, None, None
            # Shielded so a cancelled caller still releases the connection pool.
            await asyncio.shield(stack.aclose())

    async def _attempt(
        self,
        method: Callable[..., Awaitable[dict[str, Any]]],
        operation: str,
        params: Mapping[str, Any],
        log: Sends,
        rate: OperationRate | None,
        reconcile: Reconcile[dict[str, Any]] | None,
    ) -> dict[str, Any]:
        """One send of a request (see :meth:`send`)."""
        if log.unanswered and reconcile is not None:
            landed = await reconcile()
            if landed is not None:
                return landed
        # The slot first, then the rate: after a throttle, calls queued for a connection wait
        # for their turn at the slower rate instead of going out at full speed.
        slots = self._slots
        await slots.acquire()
        try:
            sent_at = 0.0
            if rate is not None and rate.rate is not None:
                sent_at = await rate.acquire()
            started = time.time() if log.timed else 0.0
            log.count += 1
            try:
                reply: dict[str, Any] = await method(**params)
            except ClientError as error:
                failure = error_from_client_error(error, self.service, operation)
                # An error answer is an answered request: its id is the last one.
                _last_request_id.set(getattr(failure, "request_id", None))
                if isinstance(failure, ServiceError):
                    log.unanswered += 1
                    if log.timed and log.first_unanswered_at is None:
                        log.first_unanswered_at = started
                elif isinstance(failure, ThrottlingError) and rate is not None:
                    rate.on_throttle(sent_at)
                raise failure from error
            except TRANSPORT_ERRORS as error:
                log.unanswered += 1
                if log.timed and log.first_unanswered_at is None:
                    log.first_unanswered_at = started
                raise TransportError(
                    f"{self.service}.{operation}: no answer ({type(error).__name__}: {error})"
                ) from error
            except BotoCoreError as error:
                # No credentials, parameters botocore refused...: nothing reached AWS.
                raise error_from_botocore_error(error, self.service, operation) from error
        finally:
            slots.release()
        if rate is not None:
            rate.on_success()
        return reply

    async def send(
        self,
        operation: str,
        params: Mapping[str, Any],
        *,
        retry: RetryPolicy,
        sends: Sends | None = None,
        reconcile: Reconcile[dict[str, Any]] | None = None,
        retry_if: Callable[[BaseException], bool] | None = None,
    ) -> dict[str, Any]:
        """Call one operation with wire parameters; return botocore's reply, metadata included.
        A string without a UTF-8 form anywhere in ``params`` raises
        :class:`cdnkit.RequestValidationError` naming its member, and nothing is sent.

        Transient failures are retried. When ``reconcile`` is given and an earlier send got no
        answer, it runs before the request is sent again; a result means the earlier send
        landed, and it is returned instead of sending twice.
        """
        try:
            # Every string of the request has a UTF-8 form (the wire's) unless one holds a lone
            # surrogate: one native encode of the whole request tells, and only when it fails
            # is the request walked to name the member (see refuse_unencodable).
            to_json(params)
        except PydanticSerializationError:
            self.refuse_unencodable(operation, params)
        method = getattr(self.client, xform_name(operation))
        log = sends if sends is not None else Sends()
        rate = self.rate(operation) if retry.adaptive else None
        check = retry_if or is_retryable
        with self.scope(timeout=retry.deadline):
            # The first attempt directly: retry machinery is built only after a failure.
            try:
                reply = await self._attempt(method, operation, params, log, rate, reconcile)
            except Exception as error:
                if not check(error):
                    raise

                async def attempt(_: int) -> dict[str, Any]:
                    return await self._attempt(method, operation, params, log, rate, reconcile)

                reply = await retry_after(
                    error, attempt, retry, retry_if=check, what=operation, log=self.logger
                )
        metadata = reply.get("ResponseMetadata")
        _last_request_id.set(metadata.get("RequestId") if metadata is not None else None)
        return reply

    def refuse_unencodable(self, operation: str, params: Mapping[str, Any]) -> None:
        """Raise :class:`cdnkit.RequestValidationError` naming the first string of ``params``
        (a request in wire form) that has no UTF-8 form; return if there is none (the encode
        failed for another reason: bytes that are not UTF-8 are sent as they are)."""
        model = self._request_model(operation)
        found = unencodable_text(model, params)
        if found is None:
            return
        loc, text, index = found
        detail: InitErrorDetails = {
            "type": PydanticCustomError(
                "string_not_utf8",
                "String has no UTF-8 form: a lone surrogate (U+{code:04X}) at index {index}",
                {"code": ord(text[index]), "index": index},
            ),
            "loc": loc,
            "input": text,
        }
        title = model.__name__ if model is not None else operation
        error = ValidationError.from_exception_data(title, [detail])
        raise RequestValidationError.from_pydantic(error, model=model) from None

    def _request_model(self, operation: str) -> type[BaseModel] | None:
        """The generated request model of ``operation`` (by its botocore input shape), to
        name members in errors; None where there is none (a service without models)."""
        try:
            shape = self.client.meta.service_model.operation_model(operation).input_shape
            package = importlib.import_module(f"cdnkit.types.{self.service.replace('-', '_')}")
            model = getattr(package, shape.name)
        except (ImportError, AttributeError, LookupError, BotoCoreError):
            return None
        return model if isinstance(model, type) and issubclass(model, BaseModel) else None

    async def invoke(
        self,
        operation: str,
        request: BaseModel,
        result: type[M],
        *,
        retry: RetryPolicy,
        sends: Sends | None = None,
        reconcile: Reconcile[M] | None = None,
        checked: bool = False,
        retry_if: Callable[[BaseException], bool] | None = None,
    ) -> M:
        """Send a request model (checked as a whole first, unless ``checked`` says it just
        was); parse the reply into ``result`` (leniently)."""
        params = to_wire(request) if checked else checked_wire(request)
        if reconcile is not None:
            return await self.invoke_wire(
                operation,
                params,
                result,
                retry=retry,
                sends=sends,
                reconcile=reconcile,
                retry_if=retry_if,
            )
        # The common case without the extra frame (every call passes here).
        reply = await self.send(operation, params, retry=retry, sends=sends, retry_if=retry_if)
        reply.pop("ResponseMetadata", None)
        return parse_response(result, reply)

    async def invoke_wire(
        self,
        operation: str,
        params: Mapping[str, Any],
        result: type[M],
        *,
        retry: RetryPolicy,
        sends: Sends | None = None,
        reconcile: Reconcile[M] | None = None,
        retry_if: Callable[[BaseException], bool] | None = None,
    ) -> M:
        """:meth:`invoke` with wire parameters already checked (a read-modify-write has them
        from its own check, and dumping the request again would only cost time)."""
        if reconcile is None:
            reply = await self.send(operation, params, retry=retry, sends=sends, retry_if=retry_if)
        else:
            found: list[M] = []

            async def reconcile_raw() -> dict[str, Any] | None:
                landed = await reconcile()
                if landed is None:
                    return None
                found.append(landed)
                return _LANDED

            reply = await self.send(
                operation,
                params,
                retry=retry,
                sends=sends,
                reconcile=reconcile_raw,
                retry_if=retry_if,
            )
            if reply is _LANDED:
                return found[-1]
        reply.pop("ResponseMetadata", None)
        return parse_response(result, reply)

    async def sleep(self, seconds: float) -> None:
        """Sleep inside a call (ended by the client's close like any await in a scope), on
        the client's clock when it has one."""
        clock = self.options.clock
        if clock is not None:
            await clock.sleep(seconds)
        else:
            await asyncio.sleep(seconds)


_NEVER = float("inf")
#: A timer may run this much before its time (asyncio's own tolerance).
_RESOLUTION = time.get_clock_info("monotonic").resolution

#: Marks a reply that reconciliation answered in place of a resend.
_LANDED: dict[str, Any] = {}


def check_new_token(token: str, seen: set[str], operation: str) -> None:
    """A page token not handed out before (remembered in ``seen``): a service returning one
    again would otherwise be paged forever (botocore's paginators stop the same way). Every
    pager of cdnkit (resources' listings, generated paginators) checks its tokens here."""
    if token in seen:
        raise UnexpectedResponseError(
            f"{operation}: the service returned the same page token twice"
        )
    seen.add(token)


def check_timeout(timeout: object) -> None:
    """A wait's timeout: a finite positive number of seconds (InvalidRequestError if not)."""
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not 0 < timeout < float("inf")
    ):
        raise InvalidRequestError(f"timeout: must be a positive number of seconds, not {timeout!r}")


async def poll(
    core: ServiceCore,
    fetch: Callable[[], Awaitable[T]],
    *,
    policy: WaitPolicy,
    timeout: float | None,
    what: str,
    immediate: bool = True,
) -> AsyncIterator[T]:
    """Yield ``fetch()`` results (the first at once when ``immediate``) until the consumer
    stops; raise :class:`WaiterTimeoutError` at the deadline, carrying the last state seen.

    The deadline is ``timeout`` (default: the policy's) from now, or the enclosing call's if
    earlier (see :func:`within`). Every sleep and every poll, with its retries, backoffs and
    rate-limit waits, runs inside it: the error comes within moments of the deadline whatever
    the polls meet. A poll that fails transiently (throttled, 5xx, no answer) after its own
    retries does not end the wait; polling goes on until the deadline.

    The pause before each poll starts at ``initial_delay`` and grows by ``multiplier``, but
    never beyond ``max_delay`` nor beyond ``initial_delay + relative_delay * (time waited)``:
    a change that takes T seconds is seen within about ``initial_delay + relative_delay * T``.
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    limit = policy.timeout if timeout is None else timeout
    check_timeout(limit)
    clock = core.options.clock
    if clock is not None:
        async for state in _poll_on(
            clock, core, fetch, policy=policy, limit=limit, what=what, immediate=immediate
        ):
            yield state
        return
    # Not `within`: a context variable set here would span the yields, and an async generator
    # may be finished in another context. Each step's scope carries the deadline instead.
    deadline = started + limit
    enclosing = current_deadline()
    if enclosing is not None and enclosing < deadline:
        deadline = enclosing
    delay = policy.initial_delay
    last: T | None = None
    cause: BaseException | None = None
    pause_first = not immediate
    polls = 0
    core.logger.debug("waiting for %s", what)
    while True:
        try:
            async with core.scope(deadline=deadline):
                if pause_first:
                    waited = loop.time() - started
                    await asyncio.sleep(
                        min(
                            delay,
                            policy.max_delay,
                            policy.initial_delay + policy.relative_delay * waited,
                        )
                    )
                    delay *= policy.multiplier
                pause_first = True
                try:
                    state = await fetch()
                except CdnKitError as error:
                    if not is_retryable(error):
                        raise
                    cause = error
                    core.logger.debug("%s: a poll failed transiently, polling on", what)
                    continue
        except DeadlineExceededError as error:
            core.logger.info("gave up waiting for %s after %gs (%d polls)", what, limit, polls)
            raise WaiterTimeoutError(
                f"gave up waiting for {what} after {limit:g}s", last=last
            ) from (cause or error)
        last = state
        polls += 1
        await _progress(core, policy, what, state, polls, loop.time() - started)
        yield state


async def _poll_on(
    clock: Clock,
    core: ServiceCore,
    fetch: Callable[[], Awaitable[T]],
    *,
    policy: WaitPolicy,
    limit: float,
    what: str,
    immediate: bool,
) -> AsyncIterator[T]:
    """:func:`poll` on a client's own clock (the emulator's, in tests): the pauses and the
    wait's timeout are measured on it. Each poll still runs in a scope bounded in real time
    (the enclosing call's deadline, or ``limit`` real seconds), so a hung poll cannot hang
    the wait."""
    loop = asyncio.get_running_loop()
    started = clock.monotonic()
    deadline = started + limit
    delay = policy.initial_delay
    last: T | None = None
    cause: BaseException | None = None
    pause_first = not immediate
    polls = 0
    core.logger.debug("waiting for %s (on the client's clock)", what)
    while True:
        if pause_first:
            now = clock.monotonic()
            pause = min(
                delay,
                policy.max_delay,
                policy.initial_delay + policy.relative_delay * (now - started),
            )
            if now + pause > deadline:
                await clock.sleep(max(0.0, deadline - now))
                core.logger.info("gave up waiting for %s after %gs (%d polls)", what, limit, polls)
                raise WaiterTimeoutError(
                    f"gave up waiting for {what} after {limit:g}s", last=last
                ) from cause
            await clock.sleep(pause)
            delay *= policy.multiplier
        pause_first = True
        try:
            async with core.scope(deadline=loop.time() + limit):
                state = await fetch()
        except DeadlineExceededError as error:
            core.logger.info("gave up waiting for %s after %gs (%d polls)", what, limit, polls)
            raise WaiterTimeoutError(
                f"gave up waiting for {what} after {limit:g}s", last=last
            ) from (cause or error)
        except CdnKitError as error:
            if not is_retryable(error):
                raise
            cause = error
            core.logger.debug("%s: a poll failed transiently, polling on", what)
            continue
        last = state
        polls += 1
        await _progress(core, policy, what, state, polls, clock.monotonic() - started)
        yield state


async def _progress(
    core: ServiceCore, policy: WaitPolicy, what: str, state: object, polls: int, elapsed: float
) -> None:
    core.logger.debug("waiting for %s: poll %d after %.1fs", what, polls, elapsed)
    if policy.on_progress is not None:
        reported = policy.on_progress(WaitProgress(what, state, polls, elapsed))
        if reported is not None:
            await reported
