"""The reliability suite: the promises of ARCHITECTURE.md ("Promises every method keeps") tried
from outside, through the public API, against the emulator, under concurrency, injected faults,
lost answers, cancellation and bad input.

Helpers here build clients of both services on one emulator, give a client the locks of another
process, open raw aiobotocore clients (writers that do their own If-Match loops), and read the
emulator's state back for the final checks.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any, Final

import pytest

import cdnkit
from cdnkit._core import ResourceLocks
from cdnkit.testing import Emulator, Timing
from cdnkit.types import cloudfront as cf
from cdnkit.types import lightsail as ls

from ..cloudfront.conftest import SESSION as CF_SESSION
from ..cloudfront.conftest import config as config  # re-exported for the tests here
from ..lightsail.conftest import SESSION as LS_SESSION

#: The KeyValueStore data plane's botocore service name.
DATA: Final = "cloudfront-keyvaluestore"
CODE: Final = "function handler(event) { return event.request; }"

#: Not adaptive: the adaptive limiter is covered by its own deadline test; here a throttle only
#: costs its own backoff, so the suite's timing does not depend on the limiter's floor.
FAST_RETRY: Final = cdnkit.RetryPolicy(
    initial_backoff=0.001, max_backoff=0.01, deadline=20.0, adaptive=False
)
FAST_WAIT: Final = cdnkit.WaitPolicy(initial_delay=0.005, max_delay=0.02, timeout=10.0)


def fast_timing() -> Timing:
    """Every asynchronous change of both services settles within a few tens of milliseconds."""
    return Timing(
        lightsail_operation=0.01,
        lightsail_distribution_deploy=0.01,
        cloudfront_distribution_deploy=0.02,
        invalidation=0.02,
        key_value_store_provisioning=0.02,
    )


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(timing=fast_timing()) as emu:
        yield emu


def cf_client(emulator: Emulator, **options: Any) -> cdnkit.CloudFront:
    """A CloudFront client of the emulator (not yet entered), fast policies unless given."""
    settings: dict[str, Any] = {"retry": FAST_RETRY, "wait": FAST_WAIT, "session": CF_SESSION}
    settings.update(options)
    return cdnkit.CloudFront(**{**emulator.client_kwargs(), **settings})


def ls_client(emulator: Emulator, **options: Any) -> cdnkit.Lightsail:
    """A Lightsail client of the emulator (not yet entered), fast policies unless given."""
    settings: dict[str, Any] = {"retry": FAST_RETRY, "wait": FAST_WAIT, "session": LS_SESSION}
    settings.update(options)
    return cdnkit.Lightsail(**{**emulator.client_kwargs(), **settings})


async def as_other_process(client: cdnkit.CloudFront | cdnkit.Lightsail) -> None:
    """Give an open client per-resource locks of its own, as a client of another process has
    (clients of one process and account share them). For CloudFront the KeyValueStore data
    plane is opened first: its locks are set when it opens."""
    client._core.locks = ResourceLocks()
    if isinstance(client, cdnkit.CloudFront):
        await client._open_data_plane()
        client._data_plane.locks = ResourceLocks()


def raw_client(emulator: Emulator, service: str) -> Any:
    """An aiobotocore client (an async context manager) of the emulator: a writer outside
    cdnkit, doing its own ETag handling."""
    session = LS_SESSION if service == "lightsail" else CF_SESSION
    return session.create_client(service, **emulator.client_kwargs())  # type: ignore[call-overload]


@contextmanager
def leak_reports(loop: asyncio.AbstractEventLoop) -> Iterator[list[str]]:
    """Collect every leak while the block runs and at a garbage collection after it.

    ResourceWarning is an error: raised in a ``__del__`` (an unclosed aiohttp session,
    connector or transport), it reaches ``sys.unraisablehook``, which records it here; the
    loop's exception handler records aiohttp's "Unclosed client session/connector" reports.
    """
    reports: list[str] = []
    previous_handler = loop.get_exception_handler()
    previous_hook = sys.unraisablehook

    def unraisable(report: Any) -> None:
        reports.append(f"{report.exc_type.__name__}: {report.exc_value}")

    loop.set_exception_handler(lambda _, context: reports.append(str(context.get("message"))))
    sys.unraisablehook = unraisable
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ResourceWarning)
            yield reports
            gc.collect()
    finally:
        sys.unraisablehook = previous_hook
        loop.set_exception_handler(previous_handler)


@contextmanager
def isolated_aws_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """What tests/conftest.py's autouse fixture does for each test, for a module fixture
    (which runs before it): no AWS_* variable, config files in an empty folder."""
    empty = tmp_path_factory.mktemp("aws-home")
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("AWS_"):
                patch.delenv(name)
        patch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield


def soak_profile() -> str:
    """``CDNKIT_SOAK=long`` runs the longer soak; the default is the bounded one."""
    return os.environ.get("CDNKIT_SOAK", "default")


def comment_counter(distribution_config: cf.DistributionConfig) -> int:
    """The counter kept in a distribution's comment (``n=<count>``)."""
    comment = distribution_config.comment
    assert comment.startswith("n="), comment
    return int(comment[2:])


def lightsail_counter(distribution: ls.LightsailDistribution) -> int:
    settings = distribution.cache_behavior_settings
    assert settings is not None
    assert settings.default_ttl is not None
    return settings.default_ttl


async def operations_of(kit: cdnkit.Lightsail, operation_type: str) -> list[str]:
    """Ids of the operations of ``operation_type`` Lightsail lists for the distribution "site"."""
    return [
        op.id
        for op in await kit.operations.for_resource("site")
        if op.operation_type == operation_type
    ]


class Effects:
    """Requests each emulated service has carried out (its backend answered without an error),
    per operation: what "one effect on the service" counts. Faulted requests are not counted,
    except those the emulator processes before losing the answer (reset after processing)."""

    def __init__(self, emulator: Emulator) -> None:
        self._done: dict[tuple[str, str], int] = {}
        for service in ("lightsail", "cloudfront", DATA):
            backend = emulator.backend(service)
            handle = backend.handle

            def counted(request: Any, handle: Any = handle, service: str = service) -> Any:
                reply = handle(request)  # raises the service's error: not an effect
                key = (service, request.operation)
                self._done[key] = self._done.get(key, 0) + 1
                return reply

            backend.handle = counted  # type: ignore[method-assign]

    def __call__(self, service: str, operation: str) -> int:
        return self._done.get((service, operation), 0)

    def reset(self) -> None:
        self._done.clear()


@pytest.fixture
def effects(emulator: Emulator) -> Effects:
    return Effects(emulator)
