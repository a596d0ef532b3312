"""cdnkit: a typed async SDK for the CDN control planes of Amazon Lightsail and CloudFront.

```python
import cdnkit

async with cdnkit.Lightsail() as kit:
    for bundle in await kit.distributions.bundles():
        print(bundle.bundle_id, bundle.price)

async with cdnkit.CloudFront() as cf:
    await cf.functions.create("router", code="function handler(event) { return event.request; }")
    await cf.functions.update("router", comment="passes requests through")
    await cf.functions.publish("router")
```

Models live in ``cdnkit.types.<service>`` and load on first use; the local emulator lives in
``cdnkit.testing``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._exceptions import (
    AccessDeniedError,
    APIError,
    CdnKitError,
    ClientClosedError,
    ConflictError,
    DeadlineExceededError,
    FunctionTestFailedError,
    InvalidRequestError,
    LimitExceededError,
    NotFoundError,
    OperationFailedError,
    PreconditionFailedError,
    RequestValidationError,
    ResourceBusyError,
    ServerValidationError,
    ServiceError,
    ThrottlingError,
    TransportError,
    UnexpectedResponseError,
    WaiterFailedError,
    WaiterTimeoutError,
)
from ._models import parse
from ._observability import WaitProgress, last_request_id
from ._policies import Clock, RetryPolicy, WaitPolicy

if TYPE_CHECKING:
    from ._client import CloudFront, Lightsail
    from ._fan_out import FanOutResult, fan_out
    from .resources.cloudfront._continuous_deployment_checks import (
        ContinuousDeploymentChangeError,
        ContinuousDeploymentStepError,
        PromotionNotReadyError,
        RolloutHaltedError,
    )
    from .resources.cloudfront.key_value_stores import KeyValueStoreFailedError
    from .resources.cloudfront.keys import KeyValueStoreSyncError

__version__ = "0.1.0"


_CONTINUOUS_DEPLOYMENT_ERRORS = frozenset(
    {
        "ContinuousDeploymentChangeError",
        "ContinuousDeploymentStepError",
        "PromotionNotReadyError",
        "RolloutHaltedError",
    }
)


def __getattr__(name: str) -> Any:
    # The clients import their service's models (hundreds of classes): load them on first use
    # so that `import cdnkit` stays cheap.
    if name in ("Lightsail", "CloudFront"):
        from . import _client

        return getattr(_client, name)
    if name in _CONTINUOUS_DEPLOYMENT_ERRORS:
        from .resources.cloudfront import _continuous_deployment_checks

        return getattr(_continuous_deployment_checks, name)
    if name in ("fan_out", "FanOutResult"):
        from . import _fan_out

        return getattr(_fan_out, name)
    if name == "KeyValueStoreFailedError":
        from .resources.cloudfront.key_value_stores import KeyValueStoreFailedError

        return KeyValueStoreFailedError
    if name == "KeyValueStoreSyncError":
        from .resources.cloudfront.keys import KeyValueStoreSyncError

        return KeyValueStoreSyncError
    raise AttributeError(f"module 'cdnkit' has no attribute {name!r}")


__all__ = [
    "APIError",
    "AccessDeniedError",
    "CdnKitError",
    "ClientClosedError",
    "Clock",
    "CloudFront",
    "ConflictError",
    "ContinuousDeploymentChangeError",
    "ContinuousDeploymentStepError",
    "DeadlineExceededError",
    "FanOutResult",
    "FunctionTestFailedError",
    "InvalidRequestError",
    "KeyValueStoreFailedError",
    "KeyValueStoreSyncError",
    "Lightsail",
    "LimitExceededError",
    "NotFoundError",
    "OperationFailedError",
    "PreconditionFailedError",
    "PromotionNotReadyError",
    "RequestValidationError",
    "ResourceBusyError",
    "RetryPolicy",
    "RolloutHaltedError",
    "ServerValidationError",
    "ServiceError",
    "ThrottlingError",
    "TransportError",
    "UnexpectedResponseError",
    "WaitPolicy",
    "WaitProgress",
    "WaiterFailedError",
    "WaiterTimeoutError",
    "__version__",
    "fan_out",
    "last_request_id",
    "parse",
]
