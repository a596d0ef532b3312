"""CloudFront resource families and their typed helpers.

Each name loads its module on first use: a program that only reads distributions does not
import the Functions, KeyValueStore or rollout machinery (type checkers see every name).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._continuous_deployment_checks import (
        ContinuousDeploymentChangeError,
        ContinuousDeploymentStepError,
        PromotionNotReadyError,
        RolloutHaltedError,
    )
    from ._function_events import (
        FunctionCodeMismatchError,
        FunctionOutputMismatchError,
        FunctionTestRun,
        ViewerRequestEvent,
        ViewerResponseEvent,
    )
    from ._gates import CloudWatchErrorRateGate, ErrorRates
    from ._rollout import Gate, GateVerdict, RolloutResult, RolloutStep
    from .continuous_deployment_policies import (
        set_enabled,
        set_weight,
        single_header,
        single_weight,
    )
    from .distributions import distribution_config
    from .key_value_stores import KeyValueStoreFailedError
    from .keys import KeyValueStoreSyncError, SyncPlan, load_import_file

#: The module (in this package) of each public name.
_WHERE = {
    "ContinuousDeploymentChangeError": "_continuous_deployment_checks",
    "ContinuousDeploymentStepError": "_continuous_deployment_checks",
    "PromotionNotReadyError": "_continuous_deployment_checks",
    "RolloutHaltedError": "_continuous_deployment_checks",
    "FunctionCodeMismatchError": "_function_events",
    "FunctionOutputMismatchError": "_function_events",
    "FunctionTestRun": "_function_events",
    "ViewerRequestEvent": "_function_events",
    "ViewerResponseEvent": "_function_events",
    "CloudWatchErrorRateGate": "_gates",
    "ErrorRates": "_gates",
    "Gate": "_rollout",
    "GateVerdict": "_rollout",
    "RolloutResult": "_rollout",
    "RolloutStep": "_rollout",
    "set_enabled": "continuous_deployment_policies",
    "set_weight": "continuous_deployment_policies",
    "single_header": "continuous_deployment_policies",
    "single_weight": "continuous_deployment_policies",
    "distribution_config": "distributions",
    "KeyValueStoreFailedError": "key_value_stores",
    "KeyValueStoreSyncError": "keys",
    "SyncPlan": "keys",
    "load_import_file": "keys",
}


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "CloudWatchErrorRateGate",
    "ContinuousDeploymentChangeError",
    "ContinuousDeploymentStepError",
    "ErrorRates",
    "FunctionCodeMismatchError",
    "FunctionOutputMismatchError",
    "FunctionTestRun",
    "Gate",
    "GateVerdict",
    "KeyValueStoreFailedError",
    "KeyValueStoreSyncError",
    "PromotionNotReadyError",
    "RolloutHaltedError",
    "RolloutResult",
    "RolloutStep",
    "SyncPlan",
    "ViewerRequestEvent",
    "ViewerResponseEvent",
    "distribution_config",
    "load_import_file",
    "set_enabled",
    "set_weight",
    "single_header",
    "single_weight",
]
