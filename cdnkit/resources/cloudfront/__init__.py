"""CloudFront resource families and their typed helpers."""

from .continuous_deployment_policies import (
    set_enabled,
    set_weight,
    single_header,
    single_weight,
)
from .distributions import distribution_config
from .key_value_stores import KeyValueStoreFailedError

__all__ = [
    "KeyValueStoreFailedError",
    "distribution_config",
    "set_enabled",
    "set_weight",
    "single_header",
    "single_weight",
]
