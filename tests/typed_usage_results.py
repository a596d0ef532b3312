"""Typed usage of results a user reads, checked by mypy --strict and pyright (strict) in CI, and
run against the emulator by pytest: ``Emulator.client_kwargs()`` spread into cdnkit's clients and
into aiobotocore's ``create_client``, ``WaiterTimeoutError.last``, and the members AWS always
sends typed without ``Optional``."""

from __future__ import annotations

from typing import assert_type

import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import ClientCreatorContext, get_session
from pydantic import BaseModel
from types_aiobotocore_lightsail.client import LightsailClient

import cdnkit
import cdnkit.testing
from cdnkit.testing import ClientKwargs, EmulatedErrorReply, Emulator, Timing
from cdnkit.types import lightsail as ls

FAST_RETRY = cdnkit.RetryPolicy(initial_backoff=0.001, max_backoff=0.01)


async def test_client_kwargs_spread_into_both_clients() -> None:
    async with Emulator() as emulator:
        kwargs = emulator.client_kwargs()
        assert_type(kwargs, ClientKwargs)
        assert_type(kwargs["config"], AioConfig)
        async with cdnkit.Lightsail(**kwargs, retry=FAST_RETRY) as kit:
            assert [d async for d in kit.distributions.list()] == []
        # types-aiobotocore leaves the overloads of services whose stubs are not installed
        # Unknown, which pyright strict reports on the member itself; the Lightsail overload
        # and the arguments are still checked, by both checkers.
        session = get_session()
        creating: ClientCreatorContext[LightsailClient] = session.create_client(  # pyright: ignore[reportUnknownMemberType]
            "lightsail", **kwargs
        )
        async with creating as raw:
            reply = await raw.get_distributions()
            assert reply.get("distributions", []) == []
        # A changed copy stays typed: keys and values are checked.
        other = emulator.client_kwargs()
        other["region_name"] = "us-east-1"
        async with cdnkit.CloudFront(**other, retry=FAST_RETRY) as cf_client:
            assert [d async for d in cf_client.distributions.list()] == []


async def test_results_and_the_last_state_of_a_timed_out_wait() -> None:
    async with Emulator(timing=Timing(lightsail_operation=3600.0)) as emulator:
        fast_wait = cdnkit.WaitPolicy(initial_delay=0.01, max_delay=0.05, timeout=5)
        async with cdnkit.Lightsail(
            **emulator.client_kwargs(), retry=FAST_RETRY, wait=fast_wait
        ) as kit:
            created = await kit.distributions.create(
                name="site",
                origin=ls.InputOrigin(name="web-1", region_name="us-east-1"),
                default_cache_behavior=ls.CacheBehavior(behavior="cache"),
                bundle_id="small_1_0",
            )
            # What the call is about is never Optional: no assert-not-None needed.
            assert_type(created.distribution, ls.LightsailDistribution)
            assert_type(created.operation.id, str)
            with pytest.raises(cdnkit.WaiterTimeoutError) as caught:
                await kit.operations.wait(created.operation, timeout=0.5)
            last = caught.value.last
            assert_type(last, BaseModel | None)
            assert isinstance(last, ls.Operation)
            assert_type(last, ls.Operation)
            assert last.id == created.operation.id
            assert last.status != "Succeeded"


def test_the_emulators_error_reply_has_its_own_name() -> None:
    reply = EmulatedErrorReply("NotFoundException", "no such thing", 400)
    assert_type(reply.code, str)
    assert not isinstance(reply, cdnkit.CdnKitError)  # cdnkit.ServiceError is the client's
    assert not hasattr(cdnkit.testing, "ServiceError")
