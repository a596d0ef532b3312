"""A local emulator of Lightsail distributions, CloudFront and the CloudFront KeyValueStore.

```python
from aiobotocore.session import get_session
from cdnkit.testing import Emulator

async with Emulator() as emu:
    async with get_session().create_client("cloudfront", **emu.client_kwargs()) as cloudfront:
        ...
```

See docs/testing.md.
"""

from ._backend import ACCOUNT_ID, Clock, EmulatedErrorReply, KeyValueStoreData, SharedState, Timing
from ._faults import Counters, Fault, FaultKind, Faults
from ._kvs import KeyValueStoreBackend
from ._server import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_SECRET_ACCESS_KEY,
    ClientKwargs,
    ClientKwargsWithClock,
    Emulator,
    LoopbackResolver,
)

__all__ = [
    "ACCOUNT_ID",
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_SECRET_ACCESS_KEY",
    "ClientKwargs",
    "ClientKwargsWithClock",
    "Clock",
    "Counters",
    "EmulatedErrorReply",
    "Emulator",
    "Fault",
    "FaultKind",
    "Faults",
    "KeyValueStoreBackend",
    "KeyValueStoreData",
    "LoopbackResolver",
    "SharedState",
    "Timing",
]
