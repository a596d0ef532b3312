"""Round 4 review (issue 9, "nearly free over raw aiobotocore") tried from outside: the call
scope's single timer per client, the first attempt sent without retry machinery, the shared
sets of given members of long replies, the quick argument check, Lightsail's plain update
without a read and read-modify-write copies made from the wire form.

Each test asserts what a promise says. The four defects it found (three of this round, one
older: If-Match values that cannot be a header) were fixed in the same session.
"""

from __future__ import annotations

import asyncio
import copy
import importlib
import inspect
import pickle
import pkgutil
import random
import threading
import typing
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pydantic import ConfigDict, PydanticUserError, TypeAdapter

import cdnkit
import cdnkit.resources
from cdnkit.resources._base import Resource, _quick_check
from cdnkit.testing import Emulator
from cdnkit.types import lightsail as ls

from ..lightsail.conftest import FULL_SETTINGS
from ..lightsail.conftest import origin as lightsail_origin
from .conftest import lightsail_counter, ls_client

BUNDLES = "GetDistributionBundles"
UPDATE = "UpdateDistribution"


def policy(deadline: float | None) -> cdnkit.RetryPolicy:
    return cdnkit.RetryPolicy(
        initial_backoff=0.001, max_backoff=0.01, deadline=deadline, adaptive=False
    )


def cancelling() -> int:
    task = asyncio.current_task()
    assert task is not None
    return task.cancelling()


@pytest.fixture
async def kit(emulator: Emulator) -> AsyncIterator[cdnkit.Lightsail]:
    async with ls_client(emulator) as opened:
        await opened.distributions.create(
            "site",
            origin=lightsail_origin(),
            default_cache_behavior=ls.CacheBehavior(behavior="cache"),
            bundle_id="small_1_0",
            cache_behavior_settings=FULL_SETTINGS,
            wait=True,
        )
        yield opened


# --- Deadlines and cancellation under concurrency --------------------------------------------


async def test_many_calls_with_different_deadlines_on_one_client_and_its_copies(
    emulator: Emulator,
) -> None:
    """Twenty calls in flight on one core: short deadlines end theirs, long ones finish, and
    no task is left with a cancellation it did not ask for."""
    async with ls_client(emulator) as client:
        await client.distributions.bundles()
        emulator.faults.latency("lightsail", 0.6, operation=BUNDLES)
        short = client.with_options(retry=policy(0.15))
        long = client.with_options(retry=policy(20.0))

        async def call(which: cdnkit.Lightsail) -> str:
            try:
                await which.distributions.bundles()
            except cdnkit.DeadlineExceededError:
                outcome = "deadline"
            else:
                outcome = "done"
            assert cancelling() == 0
            await asyncio.sleep(0)  # nothing pending for the next await
            return outcome

        outcomes = await asyncio.gather(
            *(call(short if index % 2 else long) for index in range(20))
        )
        emulator.faults.clear()
        assert outcomes == ["done", "deadline"] * 10
        assert not client._core._scopes
        assert await client.distributions.bundles()


async def test_a_later_deadline_started_after_an_earlier_one_ended_still_fires(
    emulator: Emulator,
) -> None:
    """The timer left at a finished call's deadline must move on to the next one in flight."""
    async with ls_client(emulator) as client:
        await client.distributions.bundles()
        quick = client.with_options(retry=policy(0.2))
        await quick.distributions.bundles()  # done at once: the timer stays at its deadline
        emulator.faults.latency("lightsail", 3.0, operation=BUNDLES, count=1)
        with pytest.raises(cdnkit.DeadlineExceededError):
            await client.with_options(retry=policy(0.5)).distributions.bundles()
        assert cancelling() == 0


async def test_nested_scopes_on_one_task_end_at_the_outer_deadline_once(
    emulator: Emulator,
) -> None:
    """A call inside an enclosing deadline: both scopes end at the same moment; one
    DeadlineExceededError comes out and the task keeps no cancellation."""
    async with ls_client(emulator, retry=policy(30.0)) as client:
        await client.distributions.bundles()
        emulator.faults.latency("lightsail", 3.0, operation=BUNDLES, count=1)
        with pytest.raises(cdnkit.DeadlineExceededError):
            async with client._core.scope(timeout=0.3):
                await client.distributions.bundles()
        assert cancelling() == 0
        await asyncio.sleep(0)
        assert await client.distributions.bundles()


async def test_a_call_of_another_client_nested_in_a_scope_ends_at_the_outer_deadline(
    emulator: Emulator,
) -> None:
    """Two cores, two timers, one task: a CloudFront call inside a Lightsail client's scope
    gets the outer deadline, both timers end their scopes, one DeadlineExceededError (the
    outer scope's) comes out and both clients go on."""
    from ..cloudfront.conftest import config
    from .conftest import cf_client

    async with ls_client(emulator) as kit, cf_client(emulator, retry=policy(30.0)) as client:
        made = await client.distributions.create(config())
        emulator.faults.latency("cloudfront", 3.0, operation="GetDistributionConfig", count=1)
        with pytest.raises(cdnkit.DeadlineExceededError) as caught:
            async with kit._core.scope(timeout=0.3):
                await client.distributions.get_config(made.distribution.id)
        assert "lightsail" in str(caught.value)
        assert cancelling() == 0
        await asyncio.sleep(0)
        assert not kit._core._scopes
        assert not client._core._scopes
        assert await client.distributions.get_config(made.distribution.id)
        assert await kit.distributions.bundles()


@pytest.mark.parametrize("callers_first", [True, False])
async def test_the_callers_asyncio_timeout_around_a_call(
    emulator: Emulator, callers_first: bool
) -> None:
    """The caller's own timeout gives the caller's TimeoutError; cdnkit's earlier deadline gives
    DeadlineExceededError inside and leaves the caller's timeout untouched."""
    cdnkit_deadline, callers = (5.0, 0.2) if callers_first else (0.2, 5.0)
    async with ls_client(emulator, retry=policy(cdnkit_deadline)) as client:
        await client.distributions.bundles()
        emulator.faults.latency("lightsail", 3.0, operation=BUNDLES, count=1)
        raised: BaseException | None = None
        try:
            async with asyncio.timeout(callers):
                try:
                    await client.distributions.bundles()
                except cdnkit.DeadlineExceededError as error:
                    raised = error
        except TimeoutError as error:
            raised = error
        if callers_first:
            assert type(raised) is TimeoutError
        else:
            assert isinstance(raised, cdnkit.DeadlineExceededError)
        assert cancelling() == 0
        await asyncio.sleep(0)
        assert await client.distributions.bundles()


async def test_a_task_group_cancelling_its_calls_leaves_the_client_clean(
    emulator: Emulator,
) -> None:
    """A failing sibling cancels cdnkit calls in a TaskGroup: only the sibling's error comes
    out, the calls' scopes are gone, and the group's task is left with the cancellation count
    the same group of plain sleeps leaves (Python 3.11's TaskGroup keeps one of its own)."""
    async with ls_client(emulator, retry=policy(30.0)) as client:
        await client.distributions.bundles()
        emulator.faults.latency("lightsail", 3.0, operation=BUNDLES, count=5)

        async def fail() -> None:
            await asyncio.sleep(0.1)
            raise LookupError("sibling failed")

        async def group_of(
            make: Callable[[], typing.Coroutine[Any, Any, object]],
        ) -> tuple[list[type[BaseException]], int]:
            try:
                async with asyncio.TaskGroup() as group:
                    for _ in range(5):
                        group.create_task(make())
                    group.create_task(fail())
            except ExceptionGroup as caught:
                return [type(e) for e in caught.exceptions], cancelling()
            raise AssertionError("the group did not fail")

        plain = await asyncio.create_task(group_of(lambda: asyncio.sleep(3)))
        calls = await asyncio.create_task(group_of(client.distributions.bundles))
        assert calls == plain
        assert calls[0] == [LookupError]
        assert not client._core._scopes
        assert await client.distributions.bundles()


async def test_close_racing_deadlines_then_reopen_and_deadlines_still_fire(
    emulator: Emulator,
) -> None:
    """Calls whose deadlines come as the client closes end with ClientClosedError or
    DeadlineExceededError, nothing else; the same client opened again still ends a call at
    its deadline (the timer was dropped at close and is made again)."""
    client = ls_client(emulator, retry=policy(0.3))
    async with client:
        await client.distributions.bundles()
        emulator.faults.latency("lightsail", 3.0, operation=BUNDLES)
        calls = [asyncio.create_task(client.distributions.bundles()) for _ in range(8)]
        loop = asyncio.get_running_loop()
        closed = loop.create_future()
        loop.call_at(loop.time() + 0.3, lambda: closed.set_result(None))
        await closed
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    assert {type(o) for o in outcomes} <= {
        cdnkit.ClientClosedError,
        cdnkit.DeadlineExceededError,
    }, outcomes
    assert cancelling() == 0
    async with client:
        with pytest.raises(cdnkit.DeadlineExceededError):
            await client.distributions.bundles()
        emulator.faults.clear()
        assert await client.distributions.bundles()


async def test_a_storm_of_calls_with_random_deadlines_nesting_and_cancels(
    emulator: Emulator,
) -> None:
    """Forty calls started at random moments on one core and its copies, some inside an
    enclosing scope, some cancelled by their caller: every call ends by the earliest of its
    deadlines, its caller's cancel or its answer, whichever comes first (margins of 0.4 s or
    more, so the outcome does not depend on the machine's speed)."""
    rng = random.Random(20261129)
    answer = 1.0
    async with ls_client(emulator, max_pool_connections=64) as client:
        await client.distributions.bundles()
        emulator.faults.latency("lightsail", answer, operation=BUNDLES)

        async def call(start: float, deadline: float, enclosing: float | None) -> str:
            await asyncio.sleep(start)
            which = client.with_options(retry=policy(deadline))
            try:
                if enclosing is None:
                    await which.distributions.bundles()
                else:
                    async with client._core.scope(timeout=enclosing):
                        await which.distributions.bundles()
            except cdnkit.DeadlineExceededError:
                outcome = "deadline"
            else:
                outcome = "done"
            assert cancelling() == 0
            return outcome

        plan: list[tuple[float, float, float | None, bool]] = []
        for _ in range(40):
            deadline = rng.choice([0.2, 0.4, 0.6, 2.0, 3.0])
            enclosing = rng.choice([None, None, 0.3, 0.6, 4.0])
            cancel = deadline >= 2.0 and (enclosing is None or enclosing > 2) and rng.random() < 0.3
            plan.append((rng.uniform(0, 0.5), deadline, enclosing, cancel))
        tasks = [asyncio.create_task(call(*step[:3])) for step in plan]
        loop = asyncio.get_running_loop()
        for task, (start, _, _, cancel) in zip(tasks, plan, strict=True):
            if cancel:
                loop.call_at(loop.time() + start + 0.3, task.cancel)
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        emulator.faults.clear()
        expected = [
            "cancelled"
            if cancel
            else "deadline"
            if min(deadline, enclosing or deadline) < answer
            else "done"
            for _, deadline, enclosing, cancel in plan
        ]
        got = ["cancelled" if isinstance(o, asyncio.CancelledError) else o for o in outcomes]
        assert got == expected
        assert not client._core._scopes
        assert await client.distributions.bundles()


# --- Shared sets of given members -------------------------------------------------------------


def long_bundles(count: int = 40) -> dict[str, Any]:
    return {
        "bundles": [
            {"bundleId": f"b{i}", "name": "n", "price": 1.0, "isActive": True} for i in range(count)
        ]
    }


def test_shared_given_members_survive_every_copy_path() -> None:
    result = cdnkit.parse(ls.GetDistributionBundlesResult, long_bundles())
    bundles = result.bundles
    assert bundles is not None
    first, second = bundles[0], bundles[1]
    assert first.model_fields_set is second.model_fields_set  # shared, as promised

    updated = first.model_copy(update={"transfer_per_month_in_gb": 5})
    assert "transfer_per_month_in_gb" in updated.model_fields_set
    assert "transfer_per_month_in_gb" not in second.model_fields_set

    for other in (copy.copy(first), copy.deepcopy(first), pickle.loads(pickle.dumps(first))):
        assert other == first
        other.name = "other"  # its own set: the siblings are untouched
        assert second.name == "n"
        assert type(other.model_fields_set) is set

    first.transfer_per_month_in_gb = 7
    assert "transfer_per_month_in_gb" in first.model_fields_set
    assert "transfer_per_month_in_gb" not in second.model_fields_set
    assert second.model_fields_set == {"bundle_id", "name", "price", "is_active"}
    assert pickle.loads(pickle.dumps(result)) == result


def test_parses_in_threads_at_once_give_right_sets_and_leave_the_collector_on() -> None:
    import gc

    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def work(offset: int) -> None:
        try:
            start.wait()
            for round_ in range(20):
                count = 32 + (offset + round_) % 5
                data = long_bundles(count)
                if round_ % 2:
                    del data["bundles"][0]["name"]  # a different set for one item
                result = cdnkit.parse(ls.GetDistributionBundlesResult, data)
                assert result.bundles is not None
                assert len(result.bundles) == count
                assert ("name" in result.bundles[0].model_fields_set) is not bool(round_ % 2)
                assert all("name" in item.model_fields_set for item in result.bundles[1:])
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("model", "reply"),
    [
        (ls.GetDistributionBundlesResult, {"bundles": 5}),
        (
            ls.GetDistributionsResult,
            {"distributions": [{"name": f"d{i}", "cacheBehaviors": 5} for i in range(40)]},
        ),
    ],
    ids=["top-level", "inside-a-long-list"],
)
def test_a_list_member_of_the_wrong_shape_still_parses_leniently(
    model: type[cdnkit.types.lightsail.GetDistributionsResult]
    | type[cdnkit.types.lightsail.GetDistributionBundlesResult],
    reply: dict[str, Any],
) -> None:
    parsed = cdnkit.parse(model, reply)
    assert parsed is not None


# --- The quick argument check -------------------------------------------------------------------


def _resource_methods() -> list[tuple[str, Callable[..., Any]]]:
    for found in pkgutil.walk_packages(cdnkit.resources.__path__, "cdnkit.resources."):
        importlib.import_module(found.name)
    seen: list[type[Resource]] = []
    pending = list(Resource.__subclasses__())
    while pending:
        cls = pending.pop()
        seen.append(cls)
        pending.extend(cls.__subclasses__())
    methods: list[tuple[str, Callable[..., Any]]] = []
    for cls in seen:
        for name, value in vars(cls).items():
            if not name.startswith("_") and inspect.isfunction(value):
                methods.append((f"{cls.__name__}.{name}", inspect.unwrap(value)))
    return methods


FUZZ: tuple[object, ...] = (
    "",
    "\ud800",
    "a\x00b",
    "x" * 5000,
    0,
    -1,
    2**70,
    True,
    False,
    None,
    1.5,
    float("nan"),
    float("inf"),
    -0.0,
)


def test_the_quick_check_passes_only_what_strict_pydantic_passes_unchanged() -> None:
    """For every parameter of every public resource method: any fuzzed value the quick check
    lets through is one pydantic's strict validation (as validate_call applies it) accepts
    and returns as the same value."""
    strict = ConfigDict(strict=True, arbitrary_types_allowed=True)
    compared = 0
    for where, function in _resource_methods():
        try:
            full = typing.get_type_hints(function, include_extras=True)
            plain = typing.get_type_hints(function)
        except Exception:  # the quick check does not apply to these (it gives up too)
            continue
        for name, hint in full.items():
            if name == "return":
                continue
            check = _quick_check(plain.get(name))
            try:
                adapter: TypeAdapter[Any] = TypeAdapter(hint, config=strict)
            except PydanticUserError:  # a model: its own config (validated whole later)
                adapter = TypeAdapter(hint)
            compared += 1
            for value in FUZZ:
                if not check(value):
                    continue
                out = adapter.validate_python(value, strict=True)
                same = out is value or (out == value and type(out) is type(value))
                assert same or out != out, (where, name, value, out)  # NaN: not equal to itself
    assert compared > 100


# --- Lightsail plain updates and modify ---------------------------------------------------------


async def test_plain_updates_and_modifies_interleaved_with_lost_answers_each_land_once(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    start = lightsail_counter(await kit.distributions.get("site"))
    emulator.faults.reset_after_processing(
        "lightsail", operation=UPDATE, count=None, probability=0.3
    )
    emulator.faults.seed(4)

    def bump(settings: ls.UpdateDistributionRequest) -> None:
        assert settings.cache_behavior_settings is not None
        assert settings.cache_behavior_settings.default_ttl is not None
        settings.cache_behavior_settings.default_ttl += 1

    behaviors = [ls.CacheBehaviorPerPath(path="/img/*", behavior="cache")]
    await asyncio.gather(
        kit.distributions.modify("site", bump, wait=True),
        kit.distributions.update("site", is_enabled=False, wait=True),
        kit.distributions.modify("site", bump),
        kit.distributions.update("site", cache_behaviors=behaviors),
        kit.distributions.modify("site", bump),
    )
    emulator.faults.clear()
    final = await kit.distributions.get("site")
    assert lightsail_counter(final) == start + 3
    assert final.is_enabled is False
    assert [(b.path, b.behavior) for b in final.cache_behaviors or ()] == [("/img/*", "cache")]


async def test_a_plain_update_sends_what_it_checked_not_what_its_argument_became(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    entered, release = asyncio.Event(), asyncio.Event()

    async def hold_the_turn(settings: ls.UpdateDistributionRequest) -> None:
        entered.set()
        await release.wait()
        settings.is_enabled = False

    holder = asyncio.create_task(kit.distributions.modify("site", hold_the_turn))
    await entered.wait()
    behavior = ls.CacheBehaviorPerPath(path="/img/*", behavior="cache")
    writer = asyncio.create_task(kit.distributions.update("site", cache_behaviors=[behavior]))
    for _ in range(20):  # the writer checks its input and waits for the turn (no I/O before)
        await asyncio.sleep(0)
    assert not writer.done()
    sent_before = emulator.counters.count("lightsail", UPDATE)
    behavior.behavior = "nonsense"  # type: ignore[assignment]  # the bad value under test
    release.set()
    await holder
    outcome = await asyncio.gather(writer, return_exceptions=True)
    final = await kit.distributions.get("site")
    assert all(b.behavior in ("cache", "dont-cache") for b in final.cache_behaviors or ())
    # Either refused before sending (only the holder's write reached Lightsail), or the value
    # as checked was sent.
    if isinstance(outcome[0], cdnkit.RequestValidationError):
        assert emulator.counters.count("lightsail", UPDATE) == sent_before + 1
    else:
        assert not isinstance(outcome[0], BaseException), outcome
        assert [b.behavior for b in final.cache_behaviors or ()] == ["cache"]


# --- Read-modify-write copies ------------------------------------------------------------------


async def test_a_draft_kept_by_the_mutator_and_changed_later_changes_nothing(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    kept: list[ls.UpdateDistributionRequest] = []

    def bump_and_keep(settings: ls.UpdateDistributionRequest) -> None:
        assert settings.cache_behavior_settings is not None
        assert settings.cache_behavior_settings.default_ttl is not None
        settings.cache_behavior_settings.default_ttl += 1
        kept.append(settings)

    start = lightsail_counter(await kit.distributions.get("site"))
    await kit.distributions.modify("site", bump_and_keep)
    draft = kept[-1]
    assert draft.cache_behavior_settings is not None
    draft.cache_behavior_settings.default_ttl = 1
    draft.is_enabled = False
    sent = emulator.counters.count("lightsail", UPDATE)
    # A no-op mutation is seen as one (the kept draft is not what the next copy is made of).
    assert await kit.distributions.modify("site", lambda settings: None) is None
    assert emulator.counters.count("lightsail", UPDATE) == sent
    final = await kit.distributions.get("site")
    assert lightsail_counter(final) == start + 1
    assert final.is_enabled is True


async def test_a_mutator_assigning_in_a_long_list_changes_that_item_only(
    kit: cdnkit.Lightsail,
) -> None:
    """The copy a mutator edits is parsed, so the items of a long list share their sets of
    given members: an assignment to one item must still reach the write, and only for it."""
    behaviors = [ls.CacheBehaviorPerPath(path=f"/p{i}/*", behavior="cache") for i in range(40)]
    await kit.distributions.update("site", cache_behaviors=behaviors, wait=True)

    def flip(settings: ls.UpdateDistributionRequest) -> None:
        assert settings.cache_behaviors is not None
        assert len(settings.cache_behaviors) == 40
        settings.cache_behaviors[7].behavior = "dont-cache"
        settings.cache_behaviors[8].path = None  # a member taken out of one item
        settings.cache_behaviors[8].path = "/moved/*"

    assert await kit.distributions.modify("site", flip, wait=True) is not None
    final = (await kit.distributions.get("site")).cache_behaviors or []
    expected = [(f"/p{i}/*", "cache") for i in range(40)]
    expected[7] = ("/p7/*", "dont-cache")
    expected[8] = ("/moved/*", "cache")
    assert [(b.path, b.behavior) for b in final] == expected


@pytest.mark.filterwarnings("ignore::UserWarning")  # the serializer notes the odd member
async def test_a_mutation_of_another_member_keeps_a_lenient_nested_value() -> None:
    from cdnkit._etag import mutate_copy

    read = cdnkit.parse(
        ls.UpdateDistributionRequest,
        {"distributionName": "site", "cacheBehaviorSettings": 5, "isEnabled": True},
    )

    def disable(settings: ls.UpdateDistributionRequest) -> None:
        settings.is_enabled = False

    change = await mutate_copy(read, disable)
    assert change.changed
    assert change.wire["isEnabled"] is False
    assert change.wire["cacheBehaviorSettings"] == 5


@pytest.mark.parametrize("etag", ["\ud800", "E1\r\nX-Injected: 1"], ids=["surrogate", "crlf"])
async def test_an_if_match_that_cannot_be_a_header_is_refused_before_sending(
    emulator: Emulator, etag: str
) -> None:
    from ..cloudfront.conftest import config
    from .conftest import cf_client

    async with cf_client(emulator) as client:
        made = await client.distributions.create(config())

        def comment(settings: cdnkit.types.cloudfront.DistributionConfig) -> None:
            settings.comment = "changed"

        sent = emulator.counters.count("cloudfront", UPDATE)
        with pytest.raises(cdnkit.InvalidRequestError):
            await client.distributions.update(made.distribution.id, mutate=comment, if_match=etag)
        assert emulator.counters.count("cloudfront", UPDATE) == sent
