"""The emulator: one aiohttp server for Lightsail, CloudFront and the KeyValueStore data plane.

Per request: route (model route table) -> count -> read the body (capped) -> faults -> signature
-> parse and validate (model) -> backend -> serialize (model). Every answer, errors included, is
in the protocol of the service the request was for. A reset-after-processing fault runs the whole
path and then aborts the connection instead of sending the answer.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from types import TracebackType
from typing import Final, Self, TypedDict
from urllib.parse import urlsplit

from aiobotocore.config import AioConfig
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from ._backend import (
    ACCOUNT_ID,
    REGION,
    Backend,
    Clock,
    EmulatedErrorReply,
    Request,
    SharedState,
    Timing,
    seconds,
)
from ._cloudfront import CloudFrontBackend
from ._faults import Counters, FaultKind, Faults
from ._kvs import KeyValueStoreBackend, StaleETagError
from ._lightsail import LightsailBackend
from ._sigv4 import AuthFailure, SignatureVerifier
from ._wire import (
    CLOUDFRONT,
    KEY_VALUE_STORE,
    LIGHTSAIL,
    Codec,
    ErrorKind,
    Incoming,
    Reply,
    RouteMatch,
    WireLayer,
    canonical_service,
    error_from,
)

logger = logging.getLogger("cdnkit.testing")

#: The fake credentials the emulator accepts by default (not AWS credentials of anyone).
DEFAULT_ACCESS_KEY_ID: Final = "AKIAEMULATORCDNKIT01"
DEFAULT_SECRET_ACCESS_KEY: Final = "cdnkit-emulator-fake-secret-access-key"
#: Largest request body read (bytes). The biggest legitimate bodies are CloudFront function
#: code (40 KB in the model) and distribution configs; 5 MiB leaves ample room.
DEFAULT_MAX_BODY_BYTES: Final = 5 * 1024 * 1024
#: How long a request's body may take to arrive, and an idle connection may wait for its next
#: request, before the emulator gives up on it (AWS's load balancers close idle connections
#: after about a minute; botocore's pools drop theirs sooner).
DEFAULT_READ_TIMEOUT: Final = 60.0
#: Bodies past the cap are still drained up to this size so the client can read the 413.
_DRAIN_LIMIT: Final = 64 * 1024 * 1024
_LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "0.0.0.0", "::1", "::"})


class LoopbackResolver(AbstractResolver):
    """Resolves ``localhost``, ``*.localhost`` and ``*.127.0.0.1`` to 127.0.0.1; other names go
    to aiohttp's default resolver.

    botocore puts the store's account id in front of the KVS data-plane host
    (``123456789012.localhost``). Pass this resolver to aiobotocore with
    ``AioConfig(connector_args={"resolver": LoopbackResolver()})``. aiohttp treats an all-numeric
    name such as ``123456789012.127.0.0.1`` as an IP literal and never asks a resolver, so point
    clients at ``http://localhost:<port>``, not ``http://127.0.0.1:<port>``.
    """

    def __init__(self) -> None:
        self._fallback: AbstractResolver | None = None

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        name = host.rstrip(".").lower()
        if name == "localhost" or name.endswith((".localhost", ".127.0.0.1")):
            return [
                ResolveResult(
                    hostname=host,
                    host="127.0.0.1",
                    port=port,
                    family=socket.AF_INET,
                    proto=0,
                    flags=socket.AI_NUMERICHOST,
                )
            ]
        if self._fallback is None:
            self._fallback = DefaultResolver()
        return await self._fallback.resolve(host, port, family)

    async def close(self) -> None:
        if self._fallback is not None:
            await self._fallback.close()
            self._fallback = None


class ClientKwargs(TypedDict):
    """What :meth:`Emulator.client_kwargs` returns: each key is a keyword argument of both
    aiobotocore's ``create_client`` and cdnkit's clients."""

    endpoint_url: str
    region_name: str
    aws_access_key_id: str
    aws_secret_access_key: str
    config: AioConfig


class ClientKwargsWithClock(ClientKwargs):
    """:class:`ClientKwargs` plus the emulator's ``clock``: keyword arguments for cdnkit's
    clients only (aiobotocore has no ``clock``), whose waits then follow the emulator's time.
    What the pytest plugin's ``cdnkit_client_kwargs`` fixture gives."""

    clock: Clock


class Emulator:
    """Lightsail, CloudFront and the KVS data plane on one local endpoint.

    ``async with Emulator() as emu:`` starts it on 127.0.0.1 and a free port; point clients at
    it with ``session.create_client(service, **emu.client_kwargs())``.
    """

    def __init__(
        self,
        *,
        timing: Timing | None = None,
        clock: Clock | None = None,
        check_signatures: bool = True,
        seed: int | None = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = REGION,
        access_key_id: str = DEFAULT_ACCESS_KEY_ID,
        secret_access_key: str = DEFAULT_SECRET_ACCESS_KEY,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        kvs_stale_etag_error: StaleETagError = "ValidationException",
    ) -> None:
        self.timing = timing if timing is not None else Timing()
        self.clock = clock if clock is not None else Clock()
        self.state = SharedState(clock=self.clock, timing=self.timing)
        self.check_signatures = check_signatures
        self.host = host
        self.region = region
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int):
            raise ValueError(f"max_body_bytes must be an int, not {type(max_body_bytes).__name__}")
        if max_body_bytes < 0:
            raise ValueError(f"max_body_bytes must be at least 0, not {max_body_bytes}")
        self.max_body_bytes = max_body_bytes
        #: A body that has not fully arrived after this many seconds is answered with the
        #: service's request-timeout error and its connection closed (a client that stalls
        #: mid-body never holds a handler forever); idle connections close after it too.
        self.read_timeout = seconds("read_timeout", read_timeout, positive=True)
        self._requested_port = port
        self._port: int | None = None
        self._runner: web.ServerRunner | None = None

        self._wire = WireLayer()
        self._verifier = SignatureVerifier({access_key_id: secret_access_key})
        self.counters = Counters()
        self.faults = Faults(
            self.clock,
            seed,
            {name: set(codec.schema.operations) for name, codec in self._wire.codecs.items()},
        )
        self.lightsail = LightsailBackend(self.state)
        self.cloudfront = CloudFrontBackend(self.state)
        self.kvs = KeyValueStoreBackend(self.state, stale_etag_error=kvs_stale_etag_error)
        self._backends: dict[str, Backend] = {
            LIGHTSAIL: self.lightsail,
            CLOUDFRONT: self.cloudfront,
            KEY_VALUE_STORE: self.kvs,
        }

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on ``host`` and ``port`` (0: a free port, read it from :attr:`port`); does
        nothing if already started. ``async with Emulator()`` calls it."""
        if self._runner is not None:
            return
        server = web.Server(self._serve, access_log=None, keepalive_timeout=self.read_timeout)
        runner = web.ServerRunner(server, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._requested_port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address = runner.addresses[0]
        self._port = int(address[1])

    async def stop(self) -> None:
        """Stop listening and close open connections; the state stays (a later
        :meth:`start` serves it again, maybe on another port)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def running(self) -> bool:
        """Whether the emulator is listening."""
        return self._runner is not None

    # -- how to reach it ------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port it listens on; RuntimeError before it is started."""
        if self._port is None:
            raise RuntimeError("the emulator is not running; use `async with` or start()")
        return self._port

    @property
    def endpoint_url(self) -> str:
        """``http://<host>:<port>``, as it listens (clients use :attr:`client_endpoint_url`)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def client_endpoint_url(self) -> str:
        """The endpoint clients should use: ``localhost`` for a loopback server, so the KVS
        data plane's ``<account>.localhost`` host resolves (see :class:`LoopbackResolver`)."""
        if self.host in _LOOPBACK_HOSTS:
            return f"http://localhost:{self.port}"
        return self.endpoint_url

    def client_kwargs(self) -> ClientKwargs:
        """Keyword arguments for ``session.create_client(service, **kwargs)`` and for
        ``cdnkit.Lightsail(**kwargs)`` / ``cdnkit.CloudFront(**kwargs)``: endpoint, region, the
        fake credentials, botocore retries off and the loopback resolver. Typed exactly (a
        :class:`ClientKwargs`), so both calls type-check under mypy and pyright."""
        return {
            "endpoint_url": self.client_endpoint_url,
            "region_name": self.region,
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            "config": AioConfig(
                retries={"total_max_attempts": 1},
                connector_args={"resolver": LoopbackResolver()},
            ),
        }

    # -- control --------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every resource, count and fault."""
        self.state.reset()
        for backend in self._backends.values():
            backend.reset()
        self.counters.reset()
        self.faults.clear()

    def out_of_band_write(self, service: str, resource_id: str) -> bool:
        """Change a resource as another writer would, so the next If-Match is stale."""
        return self._backends[canonical_service(service)].out_of_band_write(resource_id)

    def backend(self, service: str) -> Backend:
        """The backend of a service (``"lightsail"``, ``"cloudfront"``, ``"kvs"``...); the
        same objects as :attr:`lightsail`, :attr:`cloudfront` and :attr:`kvs`."""
        return self._backends[canonical_service(service)]

    # -- the request path -----------------------------------------------------------------

    async def _serve(self, request: web.BaseRequest) -> web.StreamResponse:
        request_id = str(uuid.uuid4())
        try:
            return await self._dispatch(request, request_id)
        except Exception:
            # Every expected failure is answered in _dispatch; this is the last line of defence.
            logger.exception("emulator failed to answer %s %s", request.method, request.path)
            return web.Response(
                status=500,
                text='{"__type":"InternalFailure","message":"emulator error"}',
                content_type="application/json",
                headers={"x-amzn-RequestId": request_id},
            )

    async def _dispatch(self, request: web.BaseRequest, request_id: str) -> web.StreamResponse:
        headers = request.headers
        incoming = Incoming.read(request.method, _origin_form(request.raw_path), headers)
        codec = self._wire.codec_for(headers, incoming.raw_path)
        if codec is None:
            self.counters.record("", "")
            return _unknown_service(request_id)
        service = codec.service
        traits = codec.traits
        try:
            match = codec.route(incoming)
        except EmulatedErrorReply as problem:
            self.counters.record(service, "")
            return _respond(codec.error(problem, request_id))
        operation = match.plan.name
        self.counters.record(service, operation)

        try:
            async with asyncio.timeout(self.read_timeout):
                body = await _read_body(request, self.max_body_bytes)
        except (asyncio.IncompleteReadError, ConnectionError):
            # The client went away mid-body; nobody is left to answer.
            return web.Response(status=400)
        except TimeoutError:
            # A body shorter than its Content-Length, or one dripping in: answer and close
            # rather than wait for it forever.
            response = _respond(codec.error(error_from(traits.request_timeout), request_id))
            response.force_close()
            return response
        if body is None:
            response = _respond(codec.error(error_from(traits.too_large), request_id))
            response.force_close()
            return response
        incoming.body = body

        decision = self.faults.decide(service, operation)
        if decision.delay:
            await asyncio.sleep(decision.delay)
        if decision.kind is not None:
            if decision.kind is FaultKind.RESET_AFTER_PROCESSING:
                # The request takes effect; only its answer is lost on the aborted connection.
                self._answer(request, codec, match, incoming, request_id)
                return _reset(request)
            if decision.kind is FaultKind.CONNECTION_RESET:
                return _reset(request)
            kind = {
                FaultKind.THROTTLE: traits.throttling,
                FaultKind.INTERNAL_ERROR: traits.internal,
                FaultKind.UNAVAILABLE: traits.unavailable,
            }[decision.kind]
            return _respond(codec.error(error_from(kind), request_id, kind.status))
        return self._answer(request, codec, match, incoming, request_id)

    def _answer(
        self,
        request: web.BaseRequest,
        codec: Codec,
        match: RouteMatch,
        incoming: Incoming,
        request_id: str,
    ) -> web.Response:
        """Signature check, parse and validation, backend, reply: the answer past the faults."""
        service = codec.service
        traits = codec.traits
        operation = match.plan.name
        headers = request.headers
        region: str | None
        if self.check_signatures:
            verdict = self._verifier.verify(
                method=request.method,
                raw_path=incoming.raw_path,
                raw_query=incoming.raw_query,
                headers=headers,
                body=incoming.body,
                signing_name=codec.schema.signing_name,
            )
            if verdict.failure is not None:
                auth_kind = _auth_error(codec, verdict.failure)
                denied = EmulatedErrorReply(auth_kind.code, verdict.message, auth_kind.status)
                return _respond(codec.error(denied, request_id, auth_kind.status))
            region = verdict.region
        else:
            region = SignatureVerifier.signed_region(headers)

        try:
            params = codec.parse(match, incoming)
        except EmulatedErrorReply as problem:
            return _respond(codec.error(problem, request_id))

        call = Request(
            service=service,
            operation=operation,
            params=params,
            headers=headers,
            region=region or self.region,
            account_id=ACCOUNT_ID,
        )
        try:
            output = self._backends[service].handle(call)
        except EmulatedErrorReply as problem:
            return _respond(codec.error(problem, request_id))
        except Exception:
            logger.exception("%s backend failed on %s", service, operation)
            return _respond(codec.error(error_from(traits.internal), request_id))
        try:
            reply = codec.reply(match.plan, output, request_id)
        except Exception:
            logger.exception("could not serialize the %s %s output %r", service, operation, output)
            return _respond(codec.error(error_from(traits.internal), request_id))
        return _respond(reply)


def _origin_form(target: str) -> str:
    """The path and query of a request target.

    A client that uses the emulator as its HTTP proxy (``HTTP_PROXY=http://localhost:4566``)
    sends the absolute form, ``GET http://123456789012.localhost:4566/key-value-stores/...``:
    that is how the AWS CLI and boto3 reach the KVS data plane's account-prefixed host without
    resolving it. Signatures cover the path alone, so they check as for a direct request.
    """
    if not target.startswith(("http://", "https://")):
        return target
    parts = urlsplit(target)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def _respond(reply: Reply) -> web.Response:
    return web.Response(status=reply.status, headers=reply.headers, body=reply.body)


def _auth_error(codec: Codec, failure: AuthFailure) -> ErrorKind:
    traits = codec.traits
    if failure is AuthFailure.MISSING:
        return traits.missing_authentication
    if failure is AuthFailure.UNKNOWN_ACCESS_KEY:
        return traits.unknown_access_key
    return traits.bad_signature


def _unknown_service(request_id: str) -> web.Response:
    return web.Response(
        status=404,
        text='{"__type":"UnknownOperationException","message":"No service serves this request"}',
        content_type="application/json",
        headers={"x-amzn-RequestId": request_id},
    )


def _reset(request: web.BaseRequest) -> web.StreamResponse:
    transport = request.transport
    if transport is not None:
        transport.abort()
    # Nothing more can be written; aiohttp drops this response on the closed transport.
    return web.Response(status=500)


async def _read_body(request: web.BaseRequest, limit: int) -> bytes | None:
    """The whole body, or None when it exceeds ``limit`` (after draining a bounded amount, so
    the client finishes sending and reads the error)."""
    length = request.content_length
    expects_continue = request.headers.get("Expect", "").lower() == "100-continue"
    if length is not None and length > limit and expects_continue:
        return None  # the client waits for our answer before sending the body
    if expects_continue:
        # The low-level server does not answer Expect itself (curl sends it for large bodies).
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    if length is not None and length <= limit:
        return await request.content.readexactly(length) if length else b""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_any():
        size += len(chunk)
        if size > limit:
            drained = size
            async for rest in request.content.iter_any():
                drained += len(rest)
                if drained > _DRAIN_LIMIT:
                    break
            return None
        chunks.append(chunk)
    return b"".join(chunks)
