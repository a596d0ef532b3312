"""Service clients: ``async with cdnkit.Lightsail(...) as kit``."""

from __future__ import annotations

import asyncio
import functools
import importlib
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, overload

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession

from ._botocore_data import Session
from ._core import ClientOptions, ServiceCore, checked_wire
from ._exceptions import InvalidRequestError
from ._models import CdnKitModel
from ._operation import CloudFrontRequest, KeyValueStoreRequest, LightsailRequest, OperationRequest
from ._policies import Clock, RetryPolicy, WaitPolicy, seconds

if TYPE_CHECKING:
    # The generated operations load on the first use of ``api`` (``kvs_api``), not before.
    from ._api.cloudfront import CloudFrontApi
    from ._api.cloudfront_keyvaluestore import KeyValueStoreApi
    from ._api.lightsail import LightsailApi

    # Each client imports its own service's resources (and models) when it is created: a
    # Lightsail program never loads CloudFront's models, nor the reverse.
    from .resources.cloudfront.continuous_deployment_policies import (
        ContinuousDeploymentPolicies,
    )
    from .resources.cloudfront.distributions import Distributions as CloudFrontDistributions
    from .resources.cloudfront.functions import Functions
    from .resources.cloudfront.invalidations import Invalidations
    from .resources.cloudfront.key_value_stores import KeyValueStores
    from .resources.lightsail.distributions import Distributions
    from .resources.lightsail.operations import Operations

__all__ = ["CloudFront", "Lightsail"]

R = TypeVar("R")


class _ServiceClient:
    """One aiobotocore client for one service, opened on enter and closed on exit."""

    _service: ClassVar[str]
    _default_region: ClassVar[str | None] = None
    #: The model packages of the services this client reaches: names only (each model loads on
    #: first use), what any call needs anyway.
    _models: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        *,
        region_name: str | None = None,
        profile_name: str | None = None,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        retry: RetryPolicy | None = None,
        wait: WaitPolicy | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_pool_connections: int = 10,
        config: AioConfig | None = None,
        session: AioSession | None = None,
        clock: Clock | None = None,
    ) -> None:
        for name, value in (("connect_timeout", connect_timeout), ("read_timeout", read_timeout)):
            if seconds(name, value) <= 0:
                raise InvalidRequestError(f"{name} must be positive, not {value!r}")
        if type(max_pool_connections) is not int or max_pool_connections < 1:
            raise InvalidRequestError(
                f"max_pool_connections must be an int of at least 1, not {max_pool_connections!r}"
            )
        _check_location(region_name, endpoint_url)
        retry, wait = _policies(retry, wait, RetryPolicy(), WaitPolicy())
        options = ClientOptions(
            region_name=region_name or self._default_region,
            profile_name=profile_name,
            endpoint_url=endpoint_url,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_pool_connections=max_pool_connections,
            config=config,
            clock=clock,
        )
        self._core = ServiceCore(self._service, options, session or Session(profile=profile_name))
        self._add_cores()
        self._bind(retry, wait)
        for package in self._models:
            importlib.import_module(package)

    def _add_cores(self) -> None:
        """Create the cores of further services this client reaches (none by default)."""

    def _bind(self, retry: RetryPolicy, wait: WaitPolicy) -> None:
        self.retry_policy = retry
        self.wait_policy = wait

    def with_options(
        self, *, retry: RetryPolicy | None = None, wait: WaitPolicy | None = None
    ) -> Self:
        """A copy with other retry or wait policies that shares this client's connection."""
        copy = object.__new__(type(self))
        copy._core = self._core
        copy._bind(*_policies(retry, wait, self.retry_policy, self.wait_policy))
        return copy

    async def __aenter__(self) -> Self:
        await self._core.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._core.close()

    async def _call(
        self, request: OperationRequest[R], result: type[R] | None, base: type[Any]
    ) -> R:
        """Send ``request`` to the operation it is the input of; parse that one's result."""
        from ._api._runtime import call_operation

        cls = type(request)
        if not isinstance(request, base) or not hasattr(cls, "__cdnkit_operation__"):
            raise InvalidRequestError(
                f"call: no {self._service} operation takes {cls.__name__} (call takes the"
                " request model of one operation)"
            )
        return await call_operation(self._core, request, result, self.retry_policy)


class Lightsail(_ServiceClient):
    """Amazon Lightsail distributions and their operations.

    ``region_name`` defaults to us-east-1, the only region where Lightsail's distribution
    APIs answer. Credentials come from aiobotocore's standard chain unless given.
    """

    _service = "lightsail"
    _default_region = "us-east-1"
    _models = ("cdnkit.types.lightsail",)

    # Each resource family is created (and its module imported) on first use.

    @functools.cached_property
    def distributions(self) -> Distributions:
        """Lightsail distributions: create, read, update, read-modify-write, reset caches,
        delete, with ``wait=True`` waits (see
        :class:`cdnkit.resources.lightsail.distributions.Distributions`)."""
        from .resources.lightsail.distributions import Distributions

        return Distributions(
            self._core, retry=self.retry_policy, wait=self.wait_policy, operations=self.operations
        )

    @functools.cached_property
    def operations(self) -> Operations:
        """Lightsail operations: read one or a resource's, watch and wait for them (see
        :class:`cdnkit.resources.lightsail.operations.Operations`)."""
        from .resources.lightsail.operations import Operations

        return Operations(self._core, retry=self.retry_policy, wait=self.wait_policy)

    @functools.cached_property
    def api(self) -> LightsailApi:
        """Every Lightsail operation as a typed async method, with its paginators
        (``paginate_<operation>``): ``await kit.api.get_distributions(distribution_name="site")``.

        Loaded on first use. Methods send one request each with this client's retry policy,
        rate limits and error classes (see :class:`cdnkit._api.lightsail.LightsailApi`)."""
        from ._api.lightsail import LightsailApi

        return LightsailApi(self._core, retry=self.retry_policy, wait=self.wait_policy)

    @overload
    async def call(self, request: LightsailRequest[R]) -> R: ...
    @overload
    async def call(self, request: LightsailRequest[R], result: type[R]) -> R: ...
    async def call(self, request: LightsailRequest[R], result: type[R] | None = None) -> R:
        """Call the operation ``request`` is the input of and return its result, typed:
        ``await kit.call(GetDistributionBundlesRequest())`` is a GetDistributionBundlesResult
        (None for operations without output).

        ``result``, the form of earlier versions, is still accepted and must be the
        operation's output model. Sends one request with the client's rate limits and error
        classes, retried as ``kit.api``'s methods are (an operation that changes something
        only when refused before taking effect); a model that is not a Lightsail request
        raises :class:`cdnkit.InvalidRequestError` before anything is sent."""
        return await self._call(request, result, LightsailRequest)


class CloudFront(_ServiceClient):
    """Amazon CloudFront: distributions, continuous deployment, KeyValueStores, Functions and
    invalidations, with ETags handled (read, re-apply on conflict) for every change.

    CloudFront is a global service signed in us-east-1, the default ``region_name``.
    """

    _service = "cloudfront"
    _default_region = "us-east-1"
    _models = ("cdnkit.types.cloudfront", "cdnkit.types.cloudfront_keyvaluestore")

    # Each resource family is created (and its module imported) on first use.

    @functools.cached_property
    def distributions(self) -> CloudFrontDistributions:
        """CloudFront distributions: create, read, update with ETags handled, staging copies
        and promotion (see :class:`cdnkit.resources.cloudfront.distributions.Distributions`)."""
        from .resources.cloudfront.distributions import Distributions

        return Distributions(self._core, retry=self.retry_policy, wait=self.wait_policy)

    @functools.cached_property
    def continuous_deployment_policies(self) -> ContinuousDeploymentPolicies:
        """Continuous deployment policies: traffic shifted to a staging distribution, rollouts
        (see ``ContinuousDeploymentPolicies`` in
        :mod:`cdnkit.resources.cloudfront.continuous_deployment_policies`)."""
        from .resources.cloudfront.continuous_deployment_policies import (
            ContinuousDeploymentPolicies,
        )

        return ContinuousDeploymentPolicies(
            self._core, retry=self.retry_policy, wait=self.wait_policy
        )

    @functools.cached_property
    def key_value_stores(self) -> KeyValueStores:
        """KeyValueStores and, through ``keys(store)``, their keys on the data plane (see
        :class:`cdnkit.resources.cloudfront.key_value_stores.KeyValueStores`)."""
        from .resources.cloudfront.key_value_stores import KeyValueStores

        return KeyValueStores(
            self._core,
            retry=self.retry_policy,
            wait=self.wait_policy,
            data_plane=self._data_plane,
            open_data_plane=self._open_data_plane,
        )

    @functools.cached_property
    def functions(self) -> Functions:
        """CloudFront Functions: create, update, test and publish without ETags from the
        caller (see :class:`cdnkit.resources.cloudfront.functions.Functions`)."""
        from .resources.cloudfront.functions import Functions

        return Functions(self._core, retry=self.retry_policy, wait=self.wait_policy)

    @functools.cached_property
    def invalidations(self) -> Invalidations:
        """Invalidations of a distribution's cached objects (see
        :class:`cdnkit.resources.cloudfront.invalidations.Invalidations`)."""
        from .resources.cloudfront.invalidations import Invalidations

        return Invalidations(self._core, retry=self.retry_policy, wait=self.wait_policy)

    @functools.cached_property
    def api(self) -> CloudFrontApi:
        """Every CloudFront operation as a typed async method, with its paginators
        (``paginate_<operation>``) and waiters (``wait_distribution_deployed``...):
        ``await cf.api.get_distribution(id=distribution_id)``.

        Loaded on first use. Methods send one request each with this client's retry policy;
        waiters poll with its wait policy (see :class:`cdnkit._api.cloudfront.CloudFrontApi`)."""
        from ._api.cloudfront import CloudFrontApi

        return CloudFrontApi(self._core, retry=self.retry_policy, wait=self.wait_policy)

    @functools.cached_property
    def kvs_api(self) -> KeyValueStoreApi:
        """Every operation of the KeyValueStore data plane (botocore's separate
        ``cloudfront-keyvaluestore`` service: keys and values of a store, SigV4A-signed) as a
        typed async method: ``await cf.kvs_api.get_key(kvs_arn=arn, key="beta")``.

        A separate attribute because it is a separate service and client: its connection opens
        on the first call (it needs ``cdnkit[kvs]``), as ``key_value_stores.keys(...)`` does.
        Loaded on first use (see
        :class:`cdnkit._api.cloudfront_keyvaluestore.KeyValueStoreApi`)."""
        from ._api.cloudfront_keyvaluestore import KeyValueStoreApi

        return KeyValueStoreApi(
            self._data_plane,
            retry=self.retry_policy,
            wait=self.wait_policy,
            open=self._open_data_plane,
        )

    @overload
    async def call(self, request: CloudFrontRequest[R]) -> R: ...
    @overload
    async def call(self, request: CloudFrontRequest[R], result: type[R]) -> R: ...
    @overload
    async def call(self, request: KeyValueStoreRequest[R]) -> R: ...
    async def call(
        self,
        request: CloudFrontRequest[R] | KeyValueStoreRequest[R],
        result: type[R] | None = None,
    ) -> R:
        """Call the operation ``request`` is the input of and return its result, typed:
        ``await cf.call(ListCachePoliciesRequest())`` is a ListCachePoliciesResult (None for
        operations without output). A KeyValueStore data plane request goes to the data
        plane (opened on first use).

        ``result``, the form of earlier versions, is still accepted and must be the
        operation's output model. Sends one request with the client's rate limits and error
        classes, retried as ``cf.api``'s methods are (an operation that changes something
        only when refused before taking effect); a model that is not a request of either
        service raises :class:`cdnkit.InvalidRequestError` before anything is sent."""
        from ._api._runtime import call_operation

        if isinstance(request, KeyValueStoreRequest):
            if not hasattr(type(request), "__cdnkit_operation__"):
                raise InvalidRequestError(f"call: {type(request).__name__} names no operation")
            if isinstance(request, CdnKitModel):
                checked_wire(request)  # bad input refused before the data plane is opened
            if not self._data_plane.is_open:
                await self._open_data_plane()
            return await call_operation(self._data_plane, request, result, self.retry_policy)
        return await self._call(request, result, CloudFrontRequest)

    def _add_cores(self) -> None:
        # The KeyValueStore data plane is another botocore service with its own client, opened
        # on first use (it signs with SigV4A, which needs awscrt: cdnkit[kvs]).
        self._data_plane = ServiceCore(
            "cloudfront-keyvaluestore", self._core.options, self._core.session
        )
        # Its opening lock is shared with the with_options copies through it, and made again
        # on each enter (an asyncio lock belongs to the event loop it is first waited on in).

    def with_options(
        self, *, retry: RetryPolicy | None = None, wait: WaitPolicy | None = None
    ) -> Self:
        copy = object.__new__(type(self))
        copy._core = self._core
        copy._data_plane = self._data_plane
        copy._bind(*_policies(retry, wait, self.retry_policy, self.wait_policy))
        return copy

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        # After the open, which refuses a client that is open already (whose lock is in use).
        self._data_plane.opening = asyncio.Lock()
        return self

    async def _open_data_plane(self) -> None:
        async with self._data_plane.opening:
            # Never (re)opened once the client is closed or closing.
            if not self._core.is_open:
                raise self._core.closed_error()
            if not self._data_plane.is_open:
                await self._data_plane.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            await super().__aexit__(exc_type, exc, traceback)
        finally:
            # Under the opening lock: a data plane being opened right now is closed too.
            async with self._data_plane.opening:
                await self._data_plane.close()


def _policies(
    retry: object, wait: object, default_retry: RetryPolicy, default_wait: WaitPolicy
) -> tuple[RetryPolicy, WaitPolicy]:
    """The policies a client takes: those given, checked (a wrong object would only fail at
    the first call, as an AttributeError), else the defaults."""
    if retry is not None and not isinstance(retry, RetryPolicy):
        raise InvalidRequestError(
            f"retry: a cdnkit.RetryPolicy or None, not {type(retry).__name__}"
        )
    if wait is not None and not isinstance(wait, WaitPolicy):
        raise InvalidRequestError(f"wait: a cdnkit.WaitPolicy or None, not {type(wait).__name__}")
    return (
        retry if retry is not None else default_retry,
        wait if wait is not None else default_wait,
    )


def _check_location(region_name: str | None, endpoint_url: str | None) -> None:
    """Refuse, when the client is made, a region or endpoint botocore would refuse only when
    the client opens (as a ValueError)."""
    from botocore.exceptions import InvalidRegionError
    from botocore.utils import (
        is_valid_endpoint_url,
        is_valid_ipv6_endpoint_url,
        validate_region_name,
    )

    given: tuple[tuple[str, object], ...] = (
        ("region_name", region_name),
        ("endpoint_url", endpoint_url),
    )
    for name, value in given:
        if value is not None and not isinstance(value, str):
            raise InvalidRequestError(f"{name}: a str or None, not {type(value).__name__}")
    if region_name is not None:
        try:
            validate_region_name(region_name)
        except InvalidRegionError as error:
            raise InvalidRequestError(f"region_name: {error}") from None
    if endpoint_url is not None and not (
        is_valid_endpoint_url(endpoint_url) or is_valid_ipv6_endpoint_url(endpoint_url)
    ):
        raise InvalidRequestError(
            f"endpoint_url: {endpoint_url!r} is not a URL (such as http://127.0.0.1:4566)"
        )
