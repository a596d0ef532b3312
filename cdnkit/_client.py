"""Service clients: ``async with cdnkit.Lightsail(...) as kit``."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import TYPE_CHECKING, ClassVar, Self, TypeVar

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession

from ._core import ClientOptions, ServiceCore
from ._exceptions import InvalidRequestError
from ._models import CdnKitModel
from ._policies import Clock, RetryPolicy, WaitPolicy

if TYPE_CHECKING:
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

M = TypeVar("M", bound=CdnKitModel)


class _ServiceClient:
    """One aiobotocore client for one service, opened on enter and closed on exit."""

    _service: ClassVar[str]
    _default_region: ClassVar[str | None] = None

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
        self._core = ServiceCore(self._service, options, session)
        self._add_cores()
        self._bind(retry or RetryPolicy(), wait or WaitPolicy())

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
        copy._bind(retry or self.retry_policy, wait or self.wait_policy)
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

    async def call(self, request: CdnKitModel, result: type[M]) -> M:
        """Call any operation of the service by its request model, for what is not wrapped.

        ``await kit.call(GetDistributionBundlesRequest(), GetDistributionBundlesResult)``.
        The operation is the one whose input shape is the request's class; ``result`` must be
        its output shape. Retries and error classification apply as everywhere else.
        """
        model = self._core.client.meta.service_model
        request_shape = type(request).__name__
        for name in model.operation_names:
            operation = model.operation_model(name)
            if operation.input_shape is not None and operation.input_shape.name == request_shape:
                break
        else:
            raise InvalidRequestError(f"call: no {self._service} operation takes {request_shape}")
        output = operation.output_shape.name if operation.output_shape is not None else None
        if output != result.__name__:
            raise InvalidRequestError(f"call: {name} returns {output}, not {result.__name__}")
        return await self._core.invoke(name, request, result, retry=self.retry_policy)


class Lightsail(_ServiceClient):
    """Amazon Lightsail distributions and their operations.

    ``region_name`` defaults to us-east-1, the only region where Lightsail's distribution
    APIs answer. Credentials come from aiobotocore's standard chain unless given.
    """

    _service = "lightsail"
    _default_region = "us-east-1"

    distributions: Distributions
    operations: Operations

    def _bind(self, retry: RetryPolicy, wait: WaitPolicy) -> None:
        from .resources.lightsail.distributions import Distributions
        from .resources.lightsail.operations import Operations

        super()._bind(retry, wait)
        self.operations = Operations(self._core, retry=retry, wait=wait)
        self.distributions = Distributions(
            self._core, retry=retry, wait=wait, operations=self.operations
        )


class CloudFront(_ServiceClient):
    """Amazon CloudFront: distributions, continuous deployment, KeyValueStores, Functions and
    invalidations, with ETags handled (read, re-apply on conflict) for every change.

    CloudFront is a global service signed in us-east-1, the default ``region_name``.
    """

    _service = "cloudfront"
    _default_region = "us-east-1"

    distributions: CloudFrontDistributions
    continuous_deployment_policies: ContinuousDeploymentPolicies
    key_value_stores: KeyValueStores
    functions: Functions
    invalidations: Invalidations

    def _add_cores(self) -> None:
        # The KeyValueStore data plane is another botocore service with its own client, opened
        # on first use (it signs with SigV4A, which needs awscrt: cdnkit[kvs]).
        self._data_plane = ServiceCore(
            "cloudfront-keyvaluestore", self._core.options, self._core.session
        )
        self._data_plane_opening = asyncio.Lock()

    def with_options(
        self, *, retry: RetryPolicy | None = None, wait: WaitPolicy | None = None
    ) -> Self:
        copy = object.__new__(type(self))
        copy._core = self._core
        copy._data_plane = self._data_plane
        copy._data_plane_opening = self._data_plane_opening
        copy._bind(retry or self.retry_policy, wait or self.wait_policy)
        return copy

    async def _open_data_plane(self) -> None:
        async with self._data_plane_opening:
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
            async with self._data_plane_opening:
                await self._data_plane.close()

    def _bind(self, retry: RetryPolicy, wait: WaitPolicy) -> None:
        from .resources.cloudfront.continuous_deployment_policies import (
            ContinuousDeploymentPolicies,
        )
        from .resources.cloudfront.distributions import Distributions as CloudFrontDistributions
        from .resources.cloudfront.functions import Functions
        from .resources.cloudfront.invalidations import Invalidations
        from .resources.cloudfront.key_value_stores import KeyValueStores

        super()._bind(retry, wait)
        core = self._core
        self.distributions = CloudFrontDistributions(core, retry=retry, wait=wait)
        self.continuous_deployment_policies = ContinuousDeploymentPolicies(
            core, retry=retry, wait=wait
        )
        self.key_value_stores = KeyValueStores(
            core,
            retry=retry,
            wait=wait,
            data_plane=self._data_plane,
            open_data_plane=self._open_data_plane,
        )
        self.functions = Functions(core, retry=retry, wait=wait)
        self.invalidations = Invalidations(core, retry=retry, wait=wait)
