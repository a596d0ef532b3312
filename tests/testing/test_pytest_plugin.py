"""cdnkit's pytest plugin (cdnkit.testing.pytest_plugin): its fixtures, used here as a user's
suite uses them, and the clients' waits on the emulator's clock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import assert_type

import pytest

import cdnkit
from cdnkit.testing import ClientKwargsWithClock, Emulator, Timing
from cdnkit.types import lightsail as ls

from ..cloudfront.conftest import config
from ..lightsail.conftest import origin

FIVE_MINUTES = 300.0


@pytest.fixture
def cdnkit_timing() -> Timing:
    """Emulated work as slow as on AWS: minutes."""
    return Timing(
        lightsail_operation=FIVE_MINUTES,
        lightsail_distribution_deploy=FIVE_MINUTES,
        cloudfront_distribution_deploy=FIVE_MINUTES,
        invalidation=60.0,
        key_value_store_provisioning=60.0,
    )


def emulated_seconds(emulator: Emulator, since: float) -> float:
    return emulator.clock.monotonic() - since


async def test_a_lightsail_wait_of_minutes_passes_in_emulated_time(
    cdnkit_emulator: Emulator, cdnkit_lightsail: cdnkit.Lightsail
) -> None:
    since = cdnkit_emulator.clock.monotonic()
    created = await cdnkit_lightsail.distributions.create(
        "site",
        origin=origin(),
        default_cache_behavior=ls.CacheBehavior(behavior="cache"),
        bundle_id="small_1_0",
        wait=True,
    )
    assert created.operation.status == "Succeeded"
    assert (await cdnkit_lightsail.distributions.get("site")).status == "Deployed"
    # The clock moved forward by the waits' pauses: the operation and the deployment (five
    # emulated minutes each) were waited out on it, not in real time.
    assert emulated_seconds(cdnkit_emulator, since) >= FIVE_MINUTES
    polls = cdnkit_emulator.counters.count("lightsail", "GetOperation")
    # The default schedule: a change of T seconds seen within about 1 s + 10 % of T.
    assert 5 <= polls <= 40, polls


async def test_a_cloudfront_deployment_is_waited_on_the_emulated_clock(
    cdnkit_emulator: Emulator, cdnkit_cloudfront: cdnkit.CloudFront
) -> None:
    since = cdnkit_emulator.clock.monotonic()
    created = await cdnkit_cloudfront.distributions.create(config(), wait=True)
    current = await cdnkit_cloudfront.distributions.get(created.distribution.id)
    assert current.distribution.status == "Deployed"
    assert FIVE_MINUTES <= emulated_seconds(cdnkit_emulator, since) <= FIVE_MINUTES * 1.2


async def test_a_wait_timeout_is_counted_in_emulated_seconds(
    cdnkit_emulator: Emulator, cdnkit_client_kwargs: ClientKwargsWithClock
) -> None:
    since = cdnkit_emulator.clock.monotonic()
    policy = cdnkit.WaitPolicy(timeout=60.0)
    async with cdnkit.CloudFront(**cdnkit_client_kwargs, wait=policy) as client:
        with pytest.raises(cdnkit.WaiterTimeoutError) as raised:
            await client.distributions.create(config(), wait=True)
    assert raised.value.last is not None  # the last state seen: still deploying
    assert 60.0 <= emulated_seconds(cdnkit_emulator, since) < FIVE_MINUTES


def run_pytest(project: Path) -> subprocess.CompletedProcess[str]:
    """pytest run on a user's project folder, in a new process (the plugin found by its entry
    point, as in the user's own project)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_plugin_is_found_by_a_project_of_its_own(tmp_path: Path) -> None:
    """A user's project, pytest-asyncio in strict mode, no conftest and no import of the
    plugin: the entry point registers the fixtures."""
    (tmp_path / "test_app.py").write_text(
        textwrap.dedent(
            """
            import pytest
            import cdnkit

            @pytest.mark.asyncio
            async def test_bundles(cdnkit_lightsail: cdnkit.Lightsail) -> None:
                bundles = await cdnkit_lightsail.distributions.bundles()
                assert any(b.bundle_id == "small_1_0" for b in bundles)
            """
        )
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\nasyncio_mode = strict\n")
    run = run_pytest(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


async def test_client_kwargs_are_typed_and_carry_the_emulator_clock(
    cdnkit_emulator: Emulator, cdnkit_client_kwargs: ClientKwargsWithClock
) -> None:
    assert_type(cdnkit_client_kwargs["clock"], cdnkit.testing.Clock)
    assert cdnkit_client_kwargs["clock"] is cdnkit_emulator.clock
    assert cdnkit_client_kwargs["endpoint_url"] == cdnkit_emulator.client_endpoint_url
    # Spread into a client the user's code creates: its waits follow the emulated clock.
    async with cdnkit.Lightsail(**cdnkit_client_kwargs) as kit:
        since = cdnkit_emulator.clock.monotonic()
        await kit.distributions.create(
            "site",
            origin=origin(),
            default_cache_behavior=ls.CacheBehavior(behavior="cache"),
            bundle_id="small_1_0",
            wait=True,
        )
    assert emulated_seconds(cdnkit_emulator, since) >= FIVE_MINUTES


def test_the_configuration_the_docs_give_runs_without_warnings(tmp_path: Path) -> None:
    """docs/testing.md's pytest configuration: auto mode and the fixture loop scope, so that
    pytest-asyncio does not warn about an unset default (a newcomer saw that warning)."""
    (tmp_path / "test_app.py").write_text(
        textwrap.dedent(
            """
            import cdnkit
            from cdnkit.testing import ClientKwargsWithClock, Emulator

            async def test_bundles(
                cdnkit_emulator: Emulator, cdnkit_client_kwargs: ClientKwargsWithClock
            ) -> None:
                cdnkit_emulator.faults.throttle("lightsail", count=1)
                async with cdnkit.Lightsail(**cdnkit_client_kwargs) as kit:
                    assert await kit.distributions.bundles()
                assert cdnkit_emulator.counters.count("lightsail") == 2
            """
        )
    )
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.pytest.ini_options]
            asyncio_mode = "auto"
            asyncio_default_fixture_loop_scope = "function"
            """
        )
    )
    run = run_pytest(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    assert "warning" not in (run.stdout + run.stderr).lower(), run.stdout + run.stderr
