"""What the generated operation classes (``cdnkit._api.<service>``) share (hand-written).

The generated methods stay flat: each builds its request model and awaits the core's
``invoke`` (or ``send``) itself. Only what is not a single call lives here: operations whose
reply is a stream, paginators, waiters, and ``call`` by request model. Nothing here imports a
service's models.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast

from .._core import ServiceCore, check_new_token, checked_wire, poll
from .._exceptions import (
    APIError,
    CdnKitError,
    InvalidRequestError,
    ResourceBusyError,
    ThrottlingError,
    UnexpectedResponseError,
    WaiterFailedError,
    is_retryable,
)
from .._models import CdnKitModel, parse_response
from .._operation import OperationRequest
from .._policies import RetryPolicy, WaitPolicy

if TYPE_CHECKING:
    from jmespath.parser import ParsedResult

__all__ = [
    "Acceptor",
    "DataPlaneApi",
    "Page",
    "Paginator",
    "PaginatorSpec",
    "ServiceApi",
    "call_operation",
    "invoke_streaming",
    "invoke_with_headers",
    "is_read_only",
    "refused_before_effect",
    "wait",
    "wait_for_reply",
]

M = TypeVar("M", bound=CdnKitModel)
ResultT = TypeVar("ResultT", bound=CdnKitModel)
ItemT = TypeVar("ItemT")
R = TypeVar("R")


#: Names of operations that only read, whatever HTTP method carries them (Lightsail's JSON
#: protocol posts every operation).
_READ_PREFIXES = ("Get", "List", "Describe", "Is")


def is_read_only(operation: str, http_method: str) -> bool:
    """Whether ``operation`` only reads: sending it again after a lost answer changes nothing.
    The generator decides each method's retries with this, and ``call`` does at run time."""
    return http_method in ("GET", "HEAD") or operation.startswith(_READ_PREFIXES)


def refused_before_effect(error: BaseException) -> bool:
    """The retry rule of operations that change something: resend only a request that was
    refused before it could take effect (throttled, or the resource busy with an earlier
    change). After a lost answer or a 5xx the write may have landed, and a resend could apply
    it twice (or fail against its own effect): the error is raised instead."""
    return isinstance(error, ThrottlingError | ResourceBusyError)


class ServiceApi:
    """Base of a generated operations class: the core and the policies of its client."""

    __slots__ = ("_core", "_retry", "_wait")

    def __init__(self, core: ServiceCore, *, retry: RetryPolicy, wait: WaitPolicy) -> None:
        self._core = core
        self._retry = retry
        self._wait = wait


class DataPlaneApi(ServiceApi):
    """Base of the KeyValueStore data plane's operations: its core opens on first use (it needs
    awscrt for SigV4A), through the CloudFront client that owns it."""

    __slots__ = ("_open",)

    def __init__(
        self,
        core: ServiceCore,
        *,
        retry: RetryPolicy,
        wait: WaitPolicy,
        open: Callable[[], Awaitable[None]],
    ) -> None:
        super().__init__(core, retry=retry, wait=wait)
        self._open = open


async def _read_streams(reply: dict[str, Any]) -> None:
    """Replace each streaming body of ``reply`` (a blob payload) by the bytes it holds."""
    for key, value in reply.items():
        if hasattr(value, "read") and hasattr(value, "__aenter__"):
            async with value as stream:
                reply[key] = await stream.read()


async def invoke_streaming(
    core: ServiceCore,
    operation: str,
    request: CdnKitModel,
    result: type[M],
    *,
    retry: RetryPolicy,
    retry_if: Callable[[BaseException], bool] | None = None,
) -> M:
    """Like ``core.invoke`` for an operation whose reply payload is a stream (CloudFront
    GetFunction's code): the stream is read to the end before the reply is parsed."""
    reply = await core.send(operation, checked_wire(request), retry=retry, retry_if=retry_if)
    reply.pop("ResponseMetadata", None)
    await _read_streams(reply)
    return parse_response(result, reply)


async def invoke_with_headers(
    core: ServiceCore,
    operation: str,
    request: CdnKitModel,
    result: type[M],
    headers: dict[str, str],
    *,
    retry: RetryPolicy,
    retry_if: Callable[[BaseException], bool] | None = None,
) -> M:
    """Like ``core.invoke`` for a reply with members botocore does not fill from their header
    (``headers``: member -> header name); each is read from the HTTP headers when missing."""
    reply = await core.send(operation, checked_wire(request), retry=retry, retry_if=retry_if)
    metadata = reply.pop("ResponseMetadata", None) or {}
    received = metadata.get("HTTPHeaders") or {}
    for member, header in headers.items():
        if reply.get(member) is None and received.get(header) is not None:
            reply[member] = received[header]
    return parse_response(result, reply)


async def call_operation(
    core: ServiceCore, request: OperationRequest[R], result: type[Any] | None, retry: RetryPolicy
) -> R:
    """``kit.call(request)``: send ``request`` to its own operation; parse its own result."""
    cls = type(request)
    operation = cls.__cdnkit_operation__
    expected = cls.__cdnkit_result__
    if result is not None and result.__name__ != expected:
        raise InvalidRequestError(f"call: {operation} returns {expected}, not {result.__name__}")
    if not isinstance(request, CdnKitModel):
        raise InvalidRequestError(f"call: {cls.__name__} is not a request model")
    wire = checked_wire(request)
    http = core.client.meta.service_model.operation_model(operation).http
    writes = not is_read_only(operation, str(http.get("method", "POST")))
    reply = await core.send(
        operation, wire, retry=retry, retry_if=refused_before_effect if writes else None
    )
    if expected is None:
        return cast(R, None)
    model: type[CdnKitModel] = result or getattr(sys.modules[cls.__module__], expected)
    metadata = reply.pop("ResponseMetadata", None) or {}
    etag = (metadata.get("HTTPHeaders") or {}).get("etag")
    if "etag" in model.model_fields and reply.get("ETag") is None and etag is not None:
        # botocore misses some ETag headers (UpdateFunction's 'ETtag'); the header is the same.
        reply["ETag"] = etag
    await _read_streams(reply)
    return cast(R, parse_response(model, reply))


# -- paginators ------------------------------------------------------------------------------


class PaginatorSpec:
    """botocore's paginator entry, as attribute names of the request and reply models.

    (Plain classes here rather than dataclasses: building a dataclass costs about a
    millisecond at import, and this module loads on a client's first ``api`` use.)
    """

    __slots__ = ("input_token", "more_results", "output_token", "result_key")

    def __init__(
        self,
        *,
        input_token: str,
        output_token: tuple[str, ...],
        result_key: tuple[str, ...],
        more_results: tuple[str, ...] | None = None,
    ) -> None:
        #: The request member that asks for the page after a token.
        self.input_token = input_token
        #: Path of the reply member that holds the next page's token.
        self.output_token = output_token
        #: Path of the reply member that holds the page's items.
        self.result_key = result_key
        #: Path of the reply member that says whether more pages follow (when botocore names
        #: one).
        self.more_results = more_results


def _at(value: object, path: tuple[str, ...]) -> Any:
    for name in path:
        if value is None:
            return None
        value = getattr(value, name, None)
    return value


class Page(Generic[ResultT, ItemT]):
    """One page of a paginated operation."""

    __slots__ = ("items", "next_token", "result", "token")

    def __init__(
        self, result: ResultT, items: list[ItemT], token: str | None, next_token: str | None
    ) -> None:
        #: The operation's whole reply.
        self.result = result
        #: The items of this page (botocore's ``result_key``).
        self.items = items
        #: The token (marker) this page was asked for with; None for the first page.
        self.token = token
        #: The token of the next page: pass it as the paginator method's token parameter
        #: (``marker``, ``page_token``, ``next_token``...) to resume after this page, or to
        #: :meth:`Paginator.resume`. None on the last page.
        self.next_token = next_token

    def __repr__(self) -> str:
        return (
            f"Page({type(self.result).__name__}, {len(self.items)} items, "
            f"token={self.token!r}, next_token={self.next_token!r})"
        )


class Paginator(Generic[ResultT, ItemT]):
    """The pages (``pages()``) or items (``items()``, or ``async for`` on the paginator) of a
    paginated operation, fetched one request per page as the iteration goes.

    Each page is one call with the client's retry policy (retries, rate limits, deadline per
    page); errors are those of the operation. Iterating again starts again from the first
    token. The request is checked when the paginator is made, before anything is sent.
    """

    __slots__ = ("_core", "_opener", "_operation", "_request", "_result", "_retry", "_spec")

    def __init__(
        self,
        core: ServiceCore,
        retry: RetryPolicy,
        operation: str,
        request: CdnKitModel,
        result: type[ResultT],
        spec: PaginatorSpec,
        opener: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._core = core
        self._retry = retry
        self._operation = operation
        self._request = request
        self._result = result
        self._spec = spec
        self._opener = opener

    @property
    def starting_token(self) -> str | None:
        """The token the first page is asked for with (None: the very first page)."""
        token = getattr(self._request, self._spec.input_token)
        return token if isinstance(token, str) else None

    def resume(self, token: str | None) -> Paginator[ResultT, ItemT]:
        """The same paginator starting from ``token`` (a page's ``next_token``)."""
        request = self._request.model_copy(update={self._spec.input_token: token})
        return Paginator(
            self._core,
            self._retry,
            self._operation,
            request,
            self._result,
            self._spec,
            self._opener,
        )

    async def pages(self) -> AsyncIterator[Page[ResultT, ItemT]]:
        """Every page from the starting token on."""
        spec = self._spec
        request = self._request
        token = self.starting_token
        seen: set[str] = set()
        while True:
            if self._opener is not None and not self._core.is_open:
                await self._opener()
            reply = await self._core.invoke(
                self._operation, request, self._result, retry=self._retry
            )
            items = _at(reply, spec.result_key)
            following = _at(reply, spec.output_token)
            if spec.more_results is not None and _at(reply, spec.more_results) is False:
                following = None
            following = following if isinstance(following, str) and following else None
            yield Page(reply, list(items or ()), token, following)
            if following is None:
                return
            check_new_token(following, seen, self._operation)
            token = following
            request = request.model_copy(update={spec.input_token: token})

    async def items(self) -> AsyncIterator[ItemT]:
        """Every item of every page from the starting token on."""
        async for page in self.pages():
            for item in page.items:
                yield item

    def __aiter__(self) -> AsyncIterator[ItemT]:
        return self.items()


# -- waiters ---------------------------------------------------------------------------------

Matcher = Literal["path", "pathAll", "pathAny", "status", "error"]


class Acceptor:
    """One acceptor of a botocore waiter: when ``matcher`` matches, the wait ends in success
    or failure, or polls on (``retry``)."""

    __slots__ = ("argument", "expected", "matcher", "state")

    def __init__(
        self,
        state: Literal["success", "failure", "retry"],
        matcher: Matcher,
        expected: object,
        argument: str | None = None,
    ) -> None:
        self.state = state
        self.matcher = matcher
        self.expected = expected
        #: A JMESPath over the reply in botocore's member names (path matchers only).
        self.argument = argument

    def __repr__(self) -> str:
        return f"Acceptor({self.state!r}, {self.matcher!r}, {self.expected!r}, {self.argument!r})"


_COMPILED: dict[str, ParsedResult] = {}


def _search(argument: str, reply: dict[str, Any]) -> Any:
    compiled = _COMPILED.get(argument)
    if compiled is None:
        import jmespath  # only waiters with path matchers need it

        compiled = _COMPILED[argument] = jmespath.compile(argument)
    return compiled.search(reply)


def _matches(acceptor: Acceptor, reply: dict[str, Any] | None, error: CdnKitError | None) -> bool:
    matcher, expected = acceptor.matcher, acceptor.expected
    if matcher == "error":
        if expected is True:
            return error is not None
        if expected is False:
            return error is None
        return isinstance(error, APIError) and error.code == expected
    if matcher == "status":
        if error is not None:
            return isinstance(error, APIError) and error.http_status == expected
        assert reply is not None
        metadata = reply.get("ResponseMetadata") or {}
        return bool(metadata.get("HTTPStatusCode") == expected)
    if reply is None or acceptor.argument is None:
        return False  # path matchers look at replies only
    found = _search(acceptor.argument, reply)
    if matcher == "path":
        return bool(found == expected)
    if not isinstance(found, list) or not found:
        return False
    if matcher == "pathAll":
        return all(value == expected for value in found)
    return any(value == expected for value in found)


async def wait(
    core: ServiceCore,
    retry: RetryPolicy,
    policy: WaitPolicy,
    operation: str,
    request: CdnKitModel,
    result: type[M],
    acceptors: tuple[Acceptor, ...],
    *,
    timeout: float | None,
    what: str,
    opener: Callable[[], Awaitable[None]] | None = None,
) -> M | None:
    """Poll ``operation`` with ``request`` on cdnkit's wait schedule until an acceptor ends the
    wait; return the reply that succeeded (None when an error acceptor did).

    Acceptors are tried in botocore's order on each reply or error. A failure acceptor raises
    :class:`cdnkit.WaiterFailedError`; an error no acceptor matches ends the wait when it is not
    transient (transient ones poll on, as every cdnkit wait does); the deadline raises
    :class:`cdnkit.WaiterTimeoutError` with the last reply.
    """
    wire = checked_wire(request)
    #: The raw reply of the latest poll (None after an error), for the path matchers; each
    #: poll's state (its reply model, or its error) is what poll reports and yields.
    latest: list[dict[str, Any] | None] = [None]

    async def fetch() -> M | CdnKitError:
        if opener is not None and not core.is_open:
            await opener()
        latest[0] = None
        try:
            reply = await core.send(operation, wire, retry=retry)
        except CdnKitError as error:
            if isinstance(error, APIError) or is_retryable(error):
                return error
            raise
        latest[0] = reply
        fields = {key: value for key, value in reply.items() if key != "ResponseMetadata"}
        return parse_response(result, fields)

    async for state in poll(core, fetch, policy=policy, timeout=timeout, what=what):
        error = state if isinstance(state, CdnKitError) else None
        for acceptor in acceptors:
            if _matches(acceptor, latest[0], error):
                if acceptor.state == "retry":
                    break
                if acceptor.state == "failure":
                    raise WaiterFailedError(
                        f"{what}: {operation} reached a failure state", last=state
                    ) from error
                return None if error is not None else cast(M, state)
        else:
            if error is not None and not is_retryable(error):
                raise error
    raise AssertionError("unreachable: poll ends by returning or raising")


async def wait_for_reply(
    core: ServiceCore,
    retry: RetryPolicy,
    policy: WaitPolicy,
    operation: str,
    request: CdnKitModel,
    result: type[M],
    acceptors: tuple[Acceptor, ...],
    *,
    timeout: float | None,
    what: str,
    opener: Callable[[], Awaitable[None]] | None = None,
) -> M:
    """:func:`wait` for a waiter whose success acceptors all match replies (never errors)."""
    done = await wait(
        core,
        retry,
        policy,
        operation,
        request,
        result,
        acceptors,
        timeout=timeout,
        what=what,
        opener=opener,
    )
    if done is None:
        raise UnexpectedResponseError(f"{what}: ended without a reply")
    return done
