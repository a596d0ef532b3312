"""Retries after an answer lost on the wire, end to end: the emulator processes the request
and then resets the connection, exactly as a dropped reply looks to the client."""

from __future__ import annotations

import cdnkit
from cdnkit.testing import Emulator

from .conftest import create_site


async def test_a_create_whose_answer_was_lost_returns_the_distribution_it_made(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    emulator.faults.reset_after_processing("lightsail", operation="CreateDistribution")
    created = await create_site(kit)
    assert created.distribution is not None
    assert created.distribution.name == "site"
    # Sent once (its answer lost); the retry found the distribution by name instead of sending
    # a second create that would fail with "already exists".
    assert emulator.counters.count("lightsail", "CreateDistribution") == 1
    assert [d.name async for d in kit.distributions.list()] == ["site"]
    assert created.operation is not None
    assert created.operation.operation_type == "CreateDistribution"
