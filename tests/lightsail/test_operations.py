"""``kit.operations``: reading operations and waiting for them (success, failure, deadline,
cancellation, progress)."""

from __future__ import annotations

import asyncio

import pytest

import cdnkit
from cdnkit.testing import Emulator
from cdnkit.types import lightsail as ls

from .conftest import create_site


async def started(kit: cdnkit.Lightsail, name: str = "site") -> ls.Operation:
    created = await create_site(kit, name, wait=False)
    return created.operation


async def test_get(kit: cdnkit.Lightsail) -> None:
    operation = await started(kit)
    got = await kit.operations.get(operation.id)
    assert got.id == operation.id
    assert got.operation_type == "CreateDistribution"
    assert got.resource_name == "site"


async def test_get_of_a_missing_operation(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    with pytest.raises(cdnkit.NotFoundError):
        await kit.operations.get("00000000-0000-0000-0000-000000000000")
    assert emulator.counters.count("lightsail", "GetOperation") == 1


async def test_for_resource_walks_every_page(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    emulator.lightsail.operations_page_size = 1
    await create_site(kit, wait=True)
    await kit.distributions.update("site", is_enabled=False, wait=True)
    await kit.distributions.reset_cache("site", wait=True)
    operations = await kit.operations.for_resource("site")
    assert sorted(op.operation_type or "" for op in operations) == [
        "CreateDistribution",
        "ResetDistributionCache",
        "UpdateDistribution",
    ]
    assert emulator.counters.count("lightsail", "GetOperationsForResource") == 3


async def test_wait_returns_the_succeeded_operation(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    operation = await started(kit)
    assert operation.status == "Started"
    finished = await kit.operations.wait(operation)
    assert finished.status == "Succeeded"
    assert finished.is_terminal is True
    assert finished.id == operation.id
    assert emulator.counters.count("lightsail", "GetOperation") >= 1


async def test_wait_by_id(kit: cdnkit.Lightsail) -> None:
    operation = await started(kit)
    assert (await kit.operations.wait(operation.id)).status == "Succeeded"


async def test_wait_of_a_failed_operation_raises_with_awss_details(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    await create_site(kit)
    emulator.lightsail.fail_next_operations(
        1, error_code="OriginUnreachable", error_details="The origin did not answer."
    )
    operation = await kit.distributions.update("site", is_enabled=False)
    assert operation is not None
    with pytest.raises(cdnkit.OperationFailedError) as caught:
        await kit.operations.wait(operation)
    error = caught.value
    assert error.error_code == "OriginUnreachable"
    assert error.error_details == "The origin did not answer."
    assert error.operation.status == "Failed"
    assert error.operation.id == operation.id
    assert "OriginUnreachable" in str(error)


async def test_wait_true_raises_when_the_operation_fails(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    await create_site(kit)
    emulator.lightsail.fail_next_operations(1, error_code="BundleLimit", error_details="no")
    with pytest.raises(cdnkit.OperationFailedError, match="BundleLimit"):
        await kit.distributions.update_bundle("site", "large_1_0", wait=True)
    assert (await kit.distributions.get("site")).bundle_id == "small_1_0"


async def test_a_failed_create_with_wait_raises(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    emulator.lightsail.fail_next_operations(1, error_code="CreateFailed")
    with pytest.raises(cdnkit.OperationFailedError) as caught:
        await create_site(kit, wait=True)
    assert caught.value.error_code == "CreateFailed"
    assert caught.value.operation.operation_type == "CreateDistribution"


async def test_wait_times_out_with_the_last_state(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    emulator.timing.lightsail_operation = 3600.0
    operation = await started(kit)
    with pytest.raises(cdnkit.WaiterTimeoutError) as caught:
        await kit.operations.wait(operation, timeout=0.1)
    assert isinstance(caught.value, TimeoutError)
    last = caught.value.last
    assert isinstance(last, ls.Operation)
    assert last.id == operation.id
    assert last.status == "Started"
    assert emulator.counters.count("lightsail", "GetOperation") >= 1


async def test_the_wait_policy_timeout_applies_by_default(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    emulator.timing.lightsail_operation = 3600.0
    operation = await started(kit)
    hurried = kit.with_options(wait=cdnkit.WaitPolicy(initial_delay=0.01, timeout=0.1))
    with pytest.raises(cdnkit.WaiterTimeoutError):
        await hurried.operations.wait(operation)


async def test_cancelling_a_wait_leaves_the_client_usable(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    emulator.timing.lightsail_operation = 3600.0
    operation = await started(kit)
    polls = emulator.counters.count("lightsail", "GetOperation")
    task = asyncio.create_task(kit.operations.wait(operation))
    for _ in range(500):  # until it is blocked in wait, polling
        if emulator.counters.count("lightsail", "GetOperation") >= polls + 2:
            break
        await asyncio.sleep(0.01)
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()

    after_cancel = emulator.counters.count("lightsail", "GetOperation")
    await asyncio.sleep(0.1)
    assert emulator.counters.count("lightsail", "GetOperation") == after_cancel  # no poller left

    emulator.clock.advance(3600)
    assert (await kit.operations.wait(operation)).status == "Succeeded"
    assert await kit.distributions.bundles()


async def test_watch_yields_each_status_change_up_to_the_terminal_one(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    emulator.timing.lightsail_operation = 0.2  # several polls while Started
    operation = await started(kit)
    seen = [state async for state in kit.operations.watch(operation)]
    assert [state.status for state in seen] == ["Started", "Succeeded"]
    assert seen[-1].is_terminal is True
    assert emulator.counters.count("lightsail", "GetOperation") > 1  # polled, not reported


async def test_watch_yields_a_failed_end_without_raising(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    await create_site(kit)
    emulator.lightsail.fail_next_operations(1, error_code="Nope")
    operation = await kit.distributions.reset_cache("site")
    seen = [state async for state in kit.operations.watch(operation)]
    assert [state.status for state in seen] == ["Started", "Failed"]
    assert seen[-1].error_code == "Nope"


async def test_watch_of_a_finished_operation_yields_it_once(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    operation = await kit.operations.wait(await started(kit))
    before = emulator.counters.count("lightsail", "GetOperation")
    assert [state.status async for state in kit.operations.watch(operation)] == ["Succeeded"]
    assert emulator.counters.count("lightsail", "GetOperation") == before


async def test_wait_all(kit: cdnkit.Lightsail) -> None:
    operations = [await started(kit, f"site-{n}") for n in range(3)]
    finished = await kit.operations.wait_all(operations)
    assert [op.id for op in finished] == [op.id for op in operations]
    assert {op.status for op in finished} == {"Succeeded"}


async def test_wait_all_times_out(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    emulator.timing.lightsail_operation = 3600.0
    operations = [await started(kit, f"site-{n}") for n in range(3)]
    with pytest.raises(cdnkit.WaiterTimeoutError) as caught:
        await kit.operations.wait_all(operations, timeout=0.1)
    last = caught.value.last
    assert isinstance(last, ls.Operation)
    assert last.id == operations[0].id


async def test_wait_all_has_one_deadline_for_all(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    """Three operations that never finish: the batch ends at its one deadline, not after
    three full timeouts."""
    emulator.timing.lightsail_operation = 3600.0
    operations = [
        (await create_site(kit, name=f"site-{n}", wait=False)).operation for n in range(3)
    ]
    started = asyncio.get_running_loop().time()
    with pytest.raises(cdnkit.WaiterTimeoutError):
        await kit.operations.wait_all(operations, timeout=0.6)
    assert asyncio.get_running_loop().time() - started < 1.5  # not 3 x 0.6 s


async def test_wait_all_raises_for_a_failed_one(emulator: Emulator, kit: cdnkit.Lightsail) -> None:
    first = await started(kit, "first")
    emulator.lightsail.fail_next_operations(1, error_code="Broken")
    second = await started(kit, "second")
    with pytest.raises(cdnkit.OperationFailedError) as caught:
        await kit.operations.wait_all([first, second])
    assert caught.value.operation.id == second.id
