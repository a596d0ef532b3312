"""CloudFront resource families and their typed helpers."""

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
