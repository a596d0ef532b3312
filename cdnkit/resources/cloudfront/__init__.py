"""CloudFront resource families and their typed helpers."""

from ._function_events import (
    FunctionCodeMismatchError,
    FunctionOutputMismatchError,
    FunctionTestRun,
    ViewerRequestEvent,
    ViewerResponseEvent,
)
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
    "FunctionCodeMismatchError",
    "FunctionOutputMismatchError",
    "FunctionTestRun",
    "KeyValueStoreFailedError",
    "KeyValueStoreSyncError",
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
