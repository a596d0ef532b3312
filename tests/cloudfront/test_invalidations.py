"""``cf.invalidations``: create (idempotent through its CallerReference), get, list, wait."""

from __future__ import annotations

import asyncio
import re
import types
from typing import cast

import pytest

import cdnkit
from cdnkit._core import ServiceCore
from cdnkit.resources.cloudfront.invalidations import (
    Invalidations,
    _Pacer,
    check_paths,
    collapse_paths,
    split_paths,
)
from cdnkit.testing import Clock, Emulator
from cdnkit.types import cloudfront as cf

from .conftest import before_call, create_distribution, page_size


async def test_create_get_and_wait(emulator: Emulator, cf_client: cdnkit.CloudFront) -> None:
    distribution_id = await create_distribution(cf_client)

    created = await cf_client.invalidations.create(distribution_id, ["/index.html", "/img/*"])

    assert created.status == "InProgress"
    batch = created.invalidation_batch
    assert batch.caller_reference  # generated
    assert (batch.paths.quantity, batch.paths.items) == (2, ["/index.html", "/img/*"])
    got = await cf_client.invalidations.get(distribution_id, created.id)
    assert got.id == created.id
    assert got.invalidation_batch == batch
    done = await cf_client.invalidations.wait(distribution_id, created.id)
    assert done.status == "Completed"
    assert done.id == created.id
    waited = await cf_client.invalidations.create(distribution_id, ["/*"], wait=True)
    assert waited.status == "Completed"
    assert waited.invalidation_batch.caller_reference != batch.caller_reference


async def test_the_same_caller_reference_returns_the_same_invalidation(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)

    first = await cf_client.invalidations.create(distribution_id, ["/*"], caller_reference="r1")
    again = await cf_client.invalidations.create(distribution_id, ["/*"], caller_reference="r1")

    assert again.id == first.id
    assert emulator.counters.count("cloudfront", "CreateInvalidation") == 2
    assert [i.id async for i in cf_client.invalidations.list(distribution_id)] == [first.id]


async def test_list_returns_every_page(emulator: Emulator, cf_client: cdnkit.CloudFront) -> None:
    distribution_id = await create_distribution(cf_client)
    created = [
        (await cf_client.invalidations.create(distribution_id, [f"/{i}"])).id for i in range(5)
    ]
    page_size(cf_client, "ListInvalidations", 2)
    emulator.counters.reset()

    listed = [i.id async for i in cf_client.invalidations.list(distribution_id)]

    assert listed == list(reversed(created))  # newest first, as CloudFront lists them
    assert emulator.counters.count("cloudfront", "ListInvalidations") == 3


async def test_wait_times_out(emulator: Emulator, cf_client: cdnkit.CloudFront) -> None:
    distribution_id = await create_distribution(cf_client)
    emulator.timing.invalidation = 3600
    created = await cf_client.invalidations.create(distribution_id, ["/*"])
    with pytest.raises(cdnkit.WaiterTimeoutError):
        await cf_client.invalidations.wait(distribution_id, created.id, timeout=0.05)


# -- at CloudFront's limits ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pacing unless a test asks for it: pacing at 0.5 requests/s would make tests slow."""
    monkeypatch.setattr(Invalidations, "create_rate", None)


BAD_PATHS = [
    pytest.param(["/ok", "no-slash"], "paths[1] 'no-slash': a path starts with '/'", id="slash"),
    pytest.param(["/a*b"], "paths[0] '/a*b': '*' may only be the last", id="star inside"),
    pytest.param(["/" + "x" * 4000], "a path has at most 4000 characters", id="4001 chars"),
    pytest.param(["/ok", "#tag*"], "paths[1] '#tag*': a tag item", id="wildcard tag"),
    pytest.param([], "paths: at least one path", id="none"),
]


@pytest.mark.parametrize(("paths", "message"), BAD_PATHS)
@pytest.mark.parametrize("method", ["create", "invalidate"])
async def test_bad_paths_are_refused_before_anything_is_sent(
    emulator: Emulator, cf_client: cdnkit.CloudFront, method: str, paths: list[str], message: str
) -> None:
    distribution_id = await create_distribution(cf_client)
    emulator.counters.reset()

    with pytest.raises(cdnkit.InvalidRequestError, match=re.escape(message)):
        await getattr(cf_client.invalidations, method)(distribution_id, paths)

    assert emulator.counters.total() == 0


async def test_create_refuses_more_than_one_batch_can_have_in_progress(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    emulator.counters.reset()
    with pytest.raises(cdnkit.InvalidRequestError, match=r"use invalidations\.invalidate"):
        await cf_client.invalidations.create("E1", [f"/{n}/*" for n in range(16)])
    with pytest.raises(cdnkit.InvalidRequestError, match="at most 3000 paths"):
        await cf_client.invalidations.create("E1", [f"/{n}" for n in range(3001)])
    assert emulator.counters.total() == 0


def test_tag_items_and_exact_tags_are_valid() -> None:
    check_paths(["#product-42", "/a", "/b*", "/*"])


def test_duplicates_and_covered_paths_collapse_case_sensitively() -> None:
    kept, dropped = collapse_paths(
        [
            "/img/a.png",
            "/img/*",
            "/IMG/b.png",  # another path: paths are case-sensitive
            "/img/x/*",  # covered by /img/*
            "/img/*",  # duplicate
            "/index.html",
            "/index.html",
            "/imgs/c.png",  # not under /img/
            "/img",  # not under /img/ either
            "#img",  # a tag: never covered by a path
            "/doc*",
            "/docs/a",  # covered by /doc*
        ]
    )
    assert kept == ["/img/*", "/IMG/b.png", "/index.html", "/imgs/c.png", "/img", "#img", "/doc*"]
    assert dropped == ["/img/a.png", "/img/x/*", "/img/*", "/index.html", "/docs/a"]
    assert collapse_paths(["/a", "/*", "/b/*", "#t"]) == (["/*", "#t"], ["/a", "/b/*"])


def test_batches_fit_an_empty_quota_and_are_as_few_as_possible() -> None:
    wildcards = [f"/w{n}/*" for n in range(20)]
    files = [f"/f{n}" for n in range(7000)]
    batches = split_paths(wildcards + files)
    assert [(sum(p.endswith("*") for p in b), len(b)) for b in batches] == [
        (15, 3000),
        (5, 3000),
        (0, 1020),
    ]
    assert sorted(p for b in batches for p in b) == sorted(wildcards + files)


async def invalidated_paths(client: cdnkit.CloudFront, distribution_id: str) -> list[list[str]]:
    """The paths of every invalidation of the distribution, oldest first."""
    found = []
    async for summary in client.invalidations.list(distribution_id):
        got = await client.invalidations.get(distribution_id, summary.id)
        found.append(list(got.invalidation_batch.paths.items or ()))
    return found[::-1]


async def test_invalidate_collapses_splits_and_waits_for_room_between_batches(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    wildcards = [f"/w{n}/*" for n in range(40)]
    emulator.counters.reset()

    run = await cf_client.invalidations.invalidate(
        distribution_id, [*wildcards, "/w1/covered.png", "/w1/*", "/page.html"]
    )

    # 40 wildcards in progress would be refused: three batches, each sent once the one before
    # completed, and never refused (no TooManyInvalidationsInProgress, one send per batch).
    assert emulator.counters.count("cloudfront", "CreateInvalidation") == 3
    assert emulator.counters.count("cloudfront", "ListInvalidations") == 0
    assert len(run.ids) == 3
    assert run.completed
    assert run.dropped == ("/w1/covered.png", "/w1/*")
    assert run.paths == (*wildcards, "/page.html")
    sent = await invalidated_paths(cf_client, distribution_id)
    assert sent == [[*wildcards[:15], "/page.html"], wildcards[15:30], wildcards[30:]]


async def test_thousands_of_files_go_in_batches_of_3000(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    files = [f"/assets/{n}.js" for n in range(6500)]
    emulator.counters.reset()

    run = await cf_client.invalidations.invalidate(distribution_id, files)

    assert emulator.counters.count("cloudfront", "CreateInvalidation") == 3
    assert [len(i.invalidation_batch.paths.items or ()) for i in run.invalidations] == [
        3000,
        3000,
        500,
    ]
    assert run.completed


async def test_the_emulator_refuses_beyond_the_in_progress_limits(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    emulator.timing.invalidation = 3600
    await cf_client.invalidations.create(distribution_id, [f"/{n}/*" for n in range(15)])
    await cf_client.invalidations.create(distribution_id, [f"/{n}" for n in range(2999)])

    async def raw(*paths: str) -> None:
        request = cf.CreateInvalidationRequest(
            distribution_id=distribution_id,
            invalidation_batch=cf.InvalidationBatch(
                paths=cf.Paths(items=list(paths)), caller_reference=str(paths)
            ),
        )
        await cf_client.call(request, cf.CreateInvalidationResult)

    with pytest.raises(cdnkit.LimitExceededError) as wildcard:
        await raw("/more/*")
    assert wildcard.value.code == "TooManyInvalidationsInProgress"
    assert wildcard.value.http_status == 400
    await raw("/one-more-file")  # files are counted apart from wildcards: 3000 fit
    with pytest.raises(cdnkit.LimitExceededError, match="TooManyInvalidationsInProgress"):
        await raw("/and-another")
    emulator.clock.advance(3600)  # completed on the emulator's clock: room again
    await raw("/and-another", "/more/*")


async def test_too_many_in_progress_is_waited_out_not_raised(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    emulator.timing.invalidation = 0.3
    others = await cf_client.invalidations.create(distribution_id, [f"/{n}/*" for n in range(15)])
    emulator.timing.invalidation = 0.05
    emulator.counters.reset()

    mine = await cf_client.invalidations.invalidate(distribution_id, ["/mine/*"], wait=False)

    # Refused once, then sent again (with the same reference) once the other one completed.
    assert emulator.counters.count("cloudfront", "CreateInvalidation") == 2
    assert emulator.counters.count("cloudfront", "ListInvalidations") == 1
    assert (await cf_client.invalidations.get(distribution_id, others.id)).status == "Completed"
    assert mine.invalidations[0].status == "InProgress"
    listed = [i.id async for i in cf_client.invalidations.list(distribution_id)]
    assert listed == [mine.ids[0], others.id]

    emulator.timing.invalidation = 0.3
    busy = await cf_client.invalidations.create(distribution_id, [f"/{n}/*" for n in range(14)])
    emulator.counters.reset()
    single = await cf_client.invalidations.create(distribution_id, ["/x/*", "/y/*"], wait=True)
    assert single.status == "Completed"
    assert emulator.counters.count("cloudfront", "CreateInvalidation") >= 2
    assert (await cf_client.invalidations.get(distribution_id, busy.id)).status == "Completed"


async def test_wait_false_returns_once_every_batch_is_accepted(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)

    run = await cf_client.invalidations.invalidate(
        distribution_id, [f"/{n}/*" for n in range(20)], wait=False
    )

    # The first batch had to complete before the second could be sent; the last is left.
    assert [i.status for i in run.invalidations] == ["Completed", "InProgress"]
    assert not run.completed
    done = await cf_client.invalidations.wait(distribution_id, run.ids[-1])
    assert done.status == "Completed"


async def test_a_lost_answer_and_a_rerun_make_no_second_invalidation(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    paths = [f"/{n}/*" for n in range(20)]
    emulator.faults.reset_after_processing("cloudfront", operation="CreateInvalidation", count=2)

    first = await cf_client.invalidations.invalidate(distribution_id, paths, caller_reference="d1")
    # Both batches landed but their answers were lost: each resend got the original back.
    assert emulator.counters.count("cloudfront", "CreateInvalidation") == 4
    again = await cf_client.invalidations.invalidate(distribution_id, paths, caller_reference="d1")

    assert again.ids == first.ids
    assert len([i async for i in cf_client.invalidations.list(distribution_id)]) == 2
    refs = [i.invalidation_batch.caller_reference for i in first.invalidations]
    assert refs == ["d1-1-of-2", "d1-2-of-2"]


async def test_a_whole_call_has_one_deadline(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    emulator.timing.invalidation = 3600
    emulator.counters.reset()

    with pytest.raises(cdnkit.WaiterTimeoutError):
        await cf_client.invalidations.invalidate(
            distribution_id, [f"/{n}/*" for n in range(20)], timeout=0.2
        )

    # The second batch never fitted: it was never sent.
    assert emulator.counters.count("cloudfront", "CreateInvalidation") == 1


async def test_a_cancelled_call_stops_sending_and_the_client_goes_on(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    distribution_id = await create_distribution(cf_client)
    emulator.timing.invalidation = 3600
    emulator.counters.reset()
    polled = asyncio.Event()
    before_call(cf_client, "GetInvalidation", lambda _: polled.set())
    task = asyncio.create_task(
        cf_client.invalidations.invalidate(distribution_id, [f"/{n}/*" for n in range(20)])
    )
    await polled.wait()  # waiting for the first batch to complete

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert emulator.counters.count("cloudfront", "CreateInvalidation") == 1
    emulator.clock.advance(3600)
    run = await cf_client.invalidations.invalidate(distribution_id, ["/next"], wait=False)
    assert len(run.ids) == 1


async def test_creates_are_paced_under_the_accounts_rate(
    emulator: Emulator, cf_client: cdnkit.CloudFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    distribution_ids = [await create_distribution(cf_client) for _ in range(6)]

    async def invalidate_all(client: cdnkit.CloudFront) -> list[BaseException | None]:
        emulator.faults.rate_limit("cloudfront", per_second=8, burst=2)  # full bucket
        emulator.counters.reset()
        outcomes = await asyncio.gather(
            *(client.invalidations.invalidate(d, ["/*"], wait=False) for d in distribution_ids),
            return_exceptions=True,
        )
        return [o if isinstance(o, BaseException) else None for o in outcomes]

    # Unpaced, six at once overrun the service's rate: it throttles (the control; no retries).
    once = cf_client.with_options(retry=cdnkit.RetryPolicy(max_attempts=1, adaptive=False))
    control = await invalidate_all(once)
    assert any(isinstance(outcome, cdnkit.ThrottlingError) for outcome in control)

    # Paced at 5 per second, shared by the calls of the account: never throttled.
    monkeypatch.setattr(Invalidations, "create_rate", 5.0)
    assert await invalidate_all(cf_client) == [None] * 6
    assert emulator.counters.count("cloudfront", "CreateInvalidation") == 6


class _ClockCore:
    """What a pacer uses of a core: the client's clock and its sleep."""

    def __init__(self) -> None:
        self.clock = Clock()
        self.options = types.SimpleNamespace(clock=self.clock)
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await self.clock.sleep(seconds)


async def test_turns_come_in_order_and_sends_made_at_once_keep_no_debt() -> None:
    stub = _ClockCore()
    core = cast(ServiceCore, stub)
    pacer = _Pacer()
    for _ in range(3):
        await pacer.take(2.0, core)
    assert stub.slept[0] > 1.9  # the first goes at once; the next waits its turn
    assert len(stub.slept) == 2
    assert stub.slept[1] > 1.9  # and the one after, behind it
    fresh = _Pacer()
    for _ in range(50):  # create() sends at once: each only pushes the next turn
        fresh.note(core)
    stub.slept.clear()
    await fresh.take(2.0, core)
    assert stub.slept
    assert stub.slept[0] <= 2.0


@pytest.mark.parametrize("timeout", [0.0, -1.0, float("nan"), float("inf")])
async def test_a_bad_timeout_is_refused_before_anything_is_sent(
    emulator: Emulator, cf_client: cdnkit.CloudFront, timeout: float
) -> None:
    emulator.counters.reset()
    for method in (cf_client.invalidations.create, cf_client.invalidations.invalidate):
        with pytest.raises(cdnkit.InvalidRequestError, match="timeout"):
            await method("E1", ["/a"], timeout=timeout)
    assert emulator.counters.total() == 0
