"""One deadline per call covers its attempts, backoffs, rate-limit waits and every poll.

Bounds are generous (the machine is shared): a call must end before its deadline plus 1.5 s,
and a wait must not end before its deadline with anything but WaiterTimeoutError. Nothing
else about speed is asserted.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

import cdnkit
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf
from cdnkit.types import lightsail as ls

from ..lightsail.conftest import origin as lightsail_origin
from .conftest import cf_client, comment_counter, config, ls_client

#: The deadline under test, and the slack allowed past it.
DEADLINE = 1.0
SLACK = 1.5
ONE_SECOND_WAIT = cdnkit.WaitPolicy(initial_delay=0.01, max_delay=0.05, timeout=DEADLINE)


def retry_policy(*, adaptive: bool, deadline: float | None) -> cdnkit.RetryPolicy:
    """Many attempts with small backoffs: only a deadline can end the retries in time (for
    waits, a retry deadline past the wait's: a wait that overshoots its own 1 s shows)."""
    return cdnkit.RetryPolicy(
        max_attempts=10_000,
        initial_backoff=0.01,
        max_backoff=0.05,
        deadline=deadline,
        adaptive=adaptive,
    )


async def timed(call: Awaitable[object]) -> tuple[float, BaseException | None]:
    started = time.monotonic()
    try:
        await call
    except BaseException as error:
        return time.monotonic() - started, error
    return time.monotonic() - started, None


# -- waits whose every poll is throttled --------------------------------------------------------


class Waits:
    """A CloudFront and a Lightsail client, and resources that never settle (everything takes
    a minute to deploy), for one wait of each kind."""

    def __init__(self, cf_kit: cdnkit.CloudFront, ls_kit: cdnkit.Lightsail) -> None:
        self.cf = cf_kit
        self.ls = ls_kit
        self.distribution_id = ""
        self.invalidation_id = ""
        self.operation: ls.Operation | None = None


@pytest.fixture
async def waits(emulator: Emulator) -> AsyncIterator[Waits]:
    async with cf_client(emulator) as cf_kit, ls_client(emulator) as ls_kit:
        emulator.timing.cloudfront_distribution_deploy = 60
        emulator.timing.invalidation = 60
        emulator.timing.key_value_store_provisioning = 60
        emulator.timing.lightsail_operation = 60
        emulator.timing.lightsail_distribution_deploy = 60
        made = Waits(cf_kit, ls_kit)
        created = await cf_kit.distributions.create(config(comment="n=0"))
        assert created.distribution is not None
        made.distribution_id = created.distribution.id
        invalidation = await cf_kit.invalidations.create(made.distribution_id, ["/a"])
        made.invalidation_id = invalidation.id
        await cf_kit.key_value_stores.create("flags")
        site = await ls_kit.distributions.create(
            "site",
            origin=lightsail_origin(),
            default_cache_behavior=ls.CacheBehavior(behavior="cache"),
            bundle_id="small_1_0",
        )
        made.operation = site.operation
        yield made


WAITS: dict[str, tuple[str, str, Callable[[Waits, bool, float], Awaitable[object]]]] = {
    "cloudfront distribution deployed": (
        "cloudfront",
        "GetDistribution",
        lambda w, adaptive, deadline: w.cf.with_options(
            wait=ONE_SECOND_WAIT, retry=retry_policy(adaptive=adaptive, deadline=deadline)
        ).distributions.wait_deployed(w.distribution_id),
    ),
    "invalidation completed": (
        "cloudfront",
        "GetInvalidation",
        lambda w, adaptive, deadline: w.cf.with_options(
            wait=ONE_SECOND_WAIT, retry=retry_policy(adaptive=adaptive, deadline=deadline)
        ).invalidations.wait(w.distribution_id, w.invalidation_id),
    ),
    "key value store ready": (
        "cloudfront",
        "DescribeKeyValueStore",
        lambda w, adaptive, deadline: w.cf.with_options(
            wait=ONE_SECOND_WAIT, retry=retry_policy(adaptive=adaptive, deadline=deadline)
        ).key_value_stores.wait_ready("flags"),
    ),
    "lightsail distribution deployed": (
        "lightsail",
        "GetDistributions",
        lambda w, adaptive, deadline: w.ls.with_options(
            wait=ONE_SECOND_WAIT, retry=retry_policy(adaptive=adaptive, deadline=deadline)
        ).distributions.wait_deployed("site"),
    ),
    "lightsail operation finished": (
        "lightsail",
        "GetOperation",
        lambda w, adaptive, deadline: w.ls.with_options(
            wait=ONE_SECOND_WAIT, retry=retry_policy(adaptive=adaptive, deadline=deadline)
        ).operations.wait(_operation_id(w)),
    ),
}


def _operation_id(waits: Waits) -> str:
    assert waits.operation is not None
    assert waits.operation.id is not None
    return waits.operation.id


async def throttled_waits(
    emulator: Emulator,
    waits: Waits,
    cases: list[tuple[str, bool]],
    *,
    retry_deadline: float = 3.0,
) -> dict[str, str]:
    """Run the waits concurrently (each on its own operation, every poll throttled) and
    return what went wrong with each: "" when it ended with WaiterTimeoutError, caused by the
    throttling, at its deadline (within the slack)."""
    for name, _ in cases:
        service, operation, _ = WAITS[name]
        emulator.faults.throttle(service, operation=operation, count=None)
    emulator.counters.reset()

    async def one(name: str, adaptive: bool) -> str:
        elapsed, error = await timed(WAITS[name][2](waits, adaptive, retry_deadline))
        if not isinstance(error, cdnkit.WaiterTimeoutError):
            return f"{error!r} after {elapsed:.2f}s"
        if not isinstance(error.__cause__, cdnkit.ThrottlingError | cdnkit.DeadlineExceededError):
            return f"caused by {error.__cause__!r}"
        if not DEADLINE - 0.05 <= elapsed < DEADLINE + SLACK:
            return f"ended after {elapsed:.2f}s"
        return ""

    outcomes = await asyncio.gather(*(one(name, adaptive) for name, adaptive in cases))
    for name, _ in cases:
        service, operation, _ = WAITS[name]
        assert emulator.counters.count(service, operation) > 2, name  # polled and retried
    return {
        f"{name} ({'adaptive' if adaptive else 'fixed backoff'})": outcome
        for (name, adaptive), outcome in zip(cases, outcomes, strict=True)
    }


async def test_waits_whose_polls_are_all_throttled_time_out_at_their_deadline(
    emulator: Emulator, waits: Waits
) -> None:
    names = [name for name in sorted(WAITS) if name != "lightsail operation finished"]
    cases = [(name, adaptive) for name in names for adaptive in (False, True)]
    outcomes = await throttled_waits(emulator, waits, cases)
    assert outcomes == dict.fromkeys(outcomes, "")


#: A first read outside the wait's deadline ends at the retry deadline instead.
OPERATION_RETRY_DEADLINE = 1.3


async def test_an_operation_wait_by_id_whose_polls_are_all_throttled_times_out_at_its_deadline(
    emulator: Emulator, waits: Waits
) -> None:
    cases = [("lightsail operation finished", False), ("lightsail operation finished", True)]
    outcomes = await throttled_waits(
        emulator, waits, cases, retry_deadline=OPERATION_RETRY_DEADLINE
    )
    assert outcomes == dict.fromkeys(outcomes, "")


# -- calls whose every attempt is throttled -----------------------------------------------------


async def test_the_retry_deadline_covers_rate_limit_waits_and_read_modify_write_loops(
    emulator: Emulator,
) -> None:
    """Three calls with a 1 s retry deadline, at once:

    * a read of an operation whose limiter a burst of throttles has slowed to its floor (one
      request per two seconds: the next turn is past the deadline);
    * two updates whose reads are mostly throttled and whose writes are always stale (another
      writer before each one), with fixed backoffs and with the adaptive limiter.

    Each ends within its deadline, whichever failure it meets last."""
    async with cf_client(emulator) as client:
        ids = []
        for _ in range(3):
            created = await client.distributions.create(config(comment="n=0"))
            assert created.distribution is not None
            ids.append(created.distribution.id)
        read_id, *update_ids = ids

        emulator.faults.throttle("cloudfront", operation="GetDistribution", count=None)
        slowing = client.with_options(retry=retry_policy(adaptive=True, deadline=0.25))
        with pytest.raises(cdnkit.CdnKitError):
            await slowing.distributions.get(read_id)
        rate = client._core.rate("GetDistribution").rate
        assert rate is not None
        assert rate < 1.0  # the limiter is slowed: its next turn is more than 1 s away

        def another_writer(params: dict[str, Any], **_: Any) -> None:
            distribution_id = params["url_path"].split("/")[-2]
            assert emulator.out_of_band_write("cloudfront", distribution_id)

        client._core.client.meta.events.register(
            "before-call.cloudfront.UpdateDistribution", another_writer
        )
        emulator.faults.throttle("cloudfront", operation="GetDistributionConfig", probability=0.7)

        def increment(distribution_config: cf.DistributionConfig) -> None:
            distribution_config.comment = f"n={comment_counter(distribution_config) + 1}"

        def within_one_second(adaptive: bool) -> Any:
            return client.with_options(retry=retry_policy(adaptive=adaptive, deadline=DEADLINE))

        outcomes = await asyncio.gather(
            timed(within_one_second(True).distributions.get(read_id)),
            *(
                timed(within_one_second(adaptive).distributions.update(target, mutate=increment))
                for target, adaptive in zip(update_ids, (False, True), strict=True)
            ),
        )
        for name, (elapsed, error) in zip(
            ("slowed read", "update", "adaptive update"), outcomes, strict=True
        ):
            assert isinstance(error, cdnkit.CdnKitError), (name, error)
            assert elapsed < DEADLINE + SLACK, (name, elapsed)
        assert isinstance(outcomes[0][1], cdnkit.ThrottlingError | cdnkit.DeadlineExceededError)


# -- wait=True on Lightsail: the operation and the deployment share one deadline ---------------


async def test_lightsail_wait_true_runs_both_waits_within_one_deadline(
    emulator: Emulator,
) -> None:
    """The operation ends after 0.6 s and the distribution deploys after 1.6 s: each wait
    alone fits in 1 s, both together do not. A shared deadline gives WaiterTimeoutError at
    1 s; two deadlines would return at 1.6 s. Both create and update, concurrently."""
    async with ls_client(emulator, wait=ONE_SECOND_WAIT) as kit:
        await kit.distributions.create(
            "site",
            origin=lightsail_origin(),
            default_cache_behavior=ls.CacheBehavior(behavior="cache"),
            bundle_id="small_1_0",
            wait=True,
        )
        emulator.timing.lightsail_operation = 0.6
        emulator.timing.lightsail_distribution_deploy = 1.6
        create = kit.distributions.create(
            "new",
            origin=lightsail_origin(),
            default_cache_behavior=ls.CacheBehavior(behavior="cache"),
            bundle_id="small_1_0",
            wait=True,
        )
        update = kit.distributions.update("site", default_root_object="a.html", wait=True)
        for name, (elapsed, error) in zip(
            ("create", "update"), await asyncio.gather(timed(create), timed(update)), strict=True
        ):
            assert isinstance(error, cdnkit.WaiterTimeoutError), (name, error)
            assert DEADLINE - 0.05 <= elapsed < DEADLINE + SLACK, (name, elapsed)
        # The changes themselves went through: only the waits gave up.
        emulator.clock.advance(60)
        assert (await kit.distributions.get("new")).status == "Deployed"
        assert (await kit.distributions.get("site")).default_root_object == "a.html"


async def test_a_call_ended_by_its_deadline_carries_the_last_error_it_met(
    emulator: Emulator,
) -> None:
    """The first attempt is throttled at once; the next one is still in flight (answered
    after 1.3 s) when the 1 s deadline comes."""
    async with cf_client(emulator) as client:
        created = await client.distributions.create(config(comment="n=0"))
        assert created.distribution is not None
        distribution_id = created.distribution.id
        emulator.faults.throttle("cloudfront", operation="GetDistribution", count=None)

        slowed: list[object] = []

        def slow_down_the_next_attempts(**_: Any) -> None:
            if not slowed:
                slowed.append(
                    emulator.faults.latency("cloudfront", 2.0, operation="GetDistribution")
                )

        client._core.client.meta.events.register(
            "after-call.cloudfront.GetDistribution", slow_down_the_next_attempts
        )
        measured = client.with_options(retry=retry_policy(adaptive=False, deadline=DEADLINE))
        elapsed, error = await timed(measured.distributions.get(distribution_id))
        assert elapsed < DEADLINE + SLACK, elapsed
        assert isinstance(error, cdnkit.DeadlineExceededError), repr(error)
        assert isinstance(error.__cause__, cdnkit.ThrottlingError), repr(error.__cause__)
