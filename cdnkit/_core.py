"""The core every service client shares: client options, the aiobotocore client's lifetime,
models to wire parameters and back, error classification, retries and polling."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from typing import Any, TypeVar

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from ._etag import ResourceLocks
from ._exceptions import (
    TRANSPORT_ERRORS,
    CdnKitError,
    RequestValidationError,
    TransportError,
    WaiterTimeoutError,
    error_from_botocore_error,
    error_from_client_error,
)
from ._models import CdnKitModel, parse_response, to_wire
from ._policies import RetryPolicy, WaitPolicy
from ._retry import AdaptiveRateLimiter, call_with_retries

__all__ = ["ClientOptions", "ServiceCore", "WaitPolicy", "build_request", "poll"]

M = TypeVar("M", bound=CdnKitModel)
T = TypeVar("T")


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

    def botocore_config(self) -> AioConfig:
        config = AioConfig(
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_pool_connections=self.max_pool_connections,
        )
        if self.config is not None:
            config = config.merge(self.config)
        # cdnkit's retry layer is the only one: botocore's would multiply the attempts.
        return config.merge(AioConfig(retries={"total_max_attempts": 1, "mode": "standard"}))


def build_request(model: type[M], **members: Any) -> M:
    """Build a request model from snake_case members, None left out, before anything is sent."""
    try:
        return model(**{name: value for name, value in members.items() if value is not None})
    except PydanticValidationError as error:
        raise RequestValidationError(error) from error


class ServiceCore:
    """Owns one aiobotocore client for one service, from ``open`` to ``close``."""

    def __init__(self, service: str, options: ClientOptions, session: AioSession | None) -> None:
        self.service = service
        self.options = options
        self._session = session
        self._stack: AsyncExitStack | None = None
        self._client: Any = None
        #: Shared by every copy made with ``with_options``: they share the connection too.
        self.limiter = AdaptiveRateLimiter(max_in_flight=options.max_pool_connections)
        #: Serializes read-modify-write of one resource inside this process.
        self.locks = ResourceLocks()
        #: Last ETag seen per resource key, for calls that can skip a read (function publish).
        self.etags: dict[str, str] = {}

    @property
    def session(self) -> AioSession | None:
        return self._session

    @property
    def is_open(self) -> bool:
        return self._client is not None

    @property
    def client(self) -> Any:
        """The aiobotocore client (typed in the stubs packages as ``<Service>Client``)."""
        if self._client is None:
            raise CdnKitError(f"the {self.service} client is not open: use `async with`")
        return self._client

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
        except BaseException:
            await stack.aclose()
            raise
        self._stack = stack

    async def close(self) -> None:
        stack, self._stack, self._client = self._stack, None, None
        if stack is not None:
            # Shielded so a cancelled caller still releases the connection pool.
            await asyncio.shield(stack.aclose())

    async def send(
        self, operation: str, params: Mapping[str, Any], *, retry: RetryPolicy
    ) -> dict[str, Any]:
        """Call one operation with wire parameters; return botocore's reply, metadata included."""
        method = getattr(self.client, xform_name(operation))

        async def attempt(_: int) -> dict[str, Any]:
            try:
                reply: dict[str, Any] = await method(**params)
            except ClientError as error:
                raise error_from_client_error(error, self.service, operation) from error
            except TRANSPORT_ERRORS as error:
                raise TransportError(
                    f"{self.service}.{operation}: no answer ({type(error).__name__}: {error})"
                ) from error
            except BotoCoreError as error:
                # No credentials, parameters botocore refused...: nothing reached AWS.
                raise error_from_botocore_error(error, self.service, operation) from error
            return reply

        return await call_with_retries(attempt, retry, self.limiter)

    async def invoke(
        self, operation: str, request: BaseModel, result: type[M], *, retry: RetryPolicy
    ) -> M:
        """Send a request model; parse the reply into ``result`` (leniently)."""
        reply = await self.send(operation, to_wire(request), retry=retry)
        reply.pop("ResponseMetadata", None)
        return parse_response(result, reply)


async def poll(
    fetch: Callable[[], Awaitable[T]],
    *,
    policy: WaitPolicy,
    timeout: float | None,
    what: str,
) -> AsyncIterator[T]:
    """Yield ``fetch()`` results, first after ``initial_delay`` and then at growing intervals,
    until the consumer stops; raise :class:`WaiterTimeoutError` at the deadline."""
    loop = asyncio.get_running_loop()
    limit = policy.timeout if timeout is None else timeout
    deadline = loop.time() + limit
    delay = policy.initial_delay
    last: T | None = None
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise WaiterTimeoutError(f"gave up waiting for {what} after {limit:g}s", last=last)
        await asyncio.sleep(min(delay, remaining))
        delay = min(delay * policy.multiplier, policy.max_delay)
        last = await fetch()
        yield last
