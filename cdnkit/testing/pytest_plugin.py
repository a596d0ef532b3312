"""cdnkit's pytest plugin: an emulator and clients bound to it, for your own tests.

Installed with cdnkit (a ``pytest11`` entry point), so the fixtures are there without any
import; they need pytest-asyncio. Every fixture is function-scoped: each test gets a fresh
emulator.

* ``cdnkit_emulator``: a started :class:`cdnkit.testing.Emulator` (its timings come from the
  ``cdnkit_timing`` fixture: override it to make emulated work slower or faster).
* ``cdnkit_lightsail`` / ``cdnkit_cloudfront``: open clients of the emulator.
* ``cdnkit_client_kwargs``: the keyword arguments for clients your own code creates
  (``cdnkit.CloudFront(**cdnkit_client_kwargs)``).

The clients wait on the emulator's clock (``clock=emulator.clock``): a ``wait=True`` on an
operation that takes five emulated minutes returns after a few polls and a few milliseconds,
and a ``WaitPolicy.timeout`` is counted in emulated seconds. Nothing of your code is patched.

The plugin loads with every pytest run of an environment that has cdnkit, so this module
imports nothing heavy until a fixture is used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_asyncio import fixture as async_fixture

    from .._client import CloudFront, Lightsail
    from ._backend import Timing
    from ._server import ClientKwargsWithClock, Emulator
else:
    try:
        from pytest_asyncio import fixture as async_fixture
    except ImportError:  # pytest then says that async fixtures need a plugin
        async_fixture = pytest.fixture

__all__ = [
    "cdnkit_client_kwargs",
    "cdnkit_cloudfront",
    "cdnkit_emulator",
    "cdnkit_lightsail",
    "cdnkit_timing",
]


@pytest.fixture
def cdnkit_timing() -> Timing:
    """How long emulated work takes (override this fixture to change it)."""
    from ._backend import Timing

    return Timing()


@async_fixture
async def cdnkit_emulator(cdnkit_timing: Timing) -> AsyncIterator[Emulator]:
    """A started emulator of Lightsail, CloudFront and the KeyValueStore data plane."""
    from ._server import Emulator

    async with Emulator(timing=cdnkit_timing) as emulator:
        yield emulator


@pytest.fixture
def cdnkit_client_kwargs(cdnkit_emulator: Emulator) -> ClientKwargsWithClock:
    """Keyword arguments for a cdnkit client of the emulator that waits on its clock
    (``cdnkit.CloudFront(**cdnkit_client_kwargs)``); annotate the parameter as
    :class:`cdnkit.testing.ClientKwargsWithClock`."""
    from ._server import ClientKwargsWithClock

    return ClientKwargsWithClock(**cdnkit_emulator.client_kwargs(), clock=cdnkit_emulator.clock)


@async_fixture
async def cdnkit_lightsail(cdnkit_client_kwargs: ClientKwargsWithClock) -> AsyncIterator[Lightsail]:
    """An open :class:`cdnkit.Lightsail` client of the emulator."""
    from .._client import Lightsail

    async with Lightsail(**cdnkit_client_kwargs) as client:
        yield client


@async_fixture
async def cdnkit_cloudfront(
    cdnkit_client_kwargs: ClientKwargsWithClock,
) -> AsyncIterator[CloudFront]:
    """An open :class:`cdnkit.CloudFront` client of the emulator."""
    from .._client import CloudFront

    async with CloudFront(**cdnkit_client_kwargs) as client:
        yield client
