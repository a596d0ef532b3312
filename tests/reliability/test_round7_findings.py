"""Round 7 (session 7, red team): defects an outside stress harness would find.

Each test was seen failing before its fix in ``cdnkit/``; a defect left open is a strict xfail
whose reason says what is wrong and where.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import pytest

import cdnkit
from cdnkit._models import to_wire
from cdnkit.testing import Emulator
from cdnkit.types import lightsail as ls

from ..lightsail.conftest import origin as lightsail_origin
from .conftest import CODE, DATA, as_other_process, cf_client, ls_client, operations_of

#: A fixed "now" for metric queries (the emulator's datapoints do not depend on it).
NOW: Final = datetime(2026, 1, 1, tzinfo=UTC)


# -- Lightsail: a lost answer's reconciliation takes another writer's operation ---------------


@pytest.fixture
async def kit(emulator: Emulator) -> AsyncIterator[cdnkit.Lightsail]:
    async with ls_client(emulator) as opened:
        await opened.distributions.create(
            "site",
            origin=lightsail_origin(),
            default_cache_behavior=ls.CacheBehavior(behavior="cache"),
            bundle_id="small_1_0",
            wait=True,
        )
        yield opened


async def test_a_lost_update_never_takes_another_processs_update_for_its_own(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    """B (another process) updates the distribution; A's update then gets no answer and did
    not land (a reset before processing). A's reconciliation found B's UpdateDistribution
    operation, two seconds' slack inside its window and unknown to A's client, took it for
    its own and returned success: A's change was never sent (seen: default_root_object None)."""
    async with ls_client(emulator) as other:
        await as_other_process(other)
        await other.distributions.update("site", is_enabled=False, wait=True)
        [theirs] = await operations_of(kit, "UpdateDistribution")
        emulator.faults.reset_connection("lightsail", operation="UpdateDistribution")
        mine = await kit.distributions.update("site", default_root_object="a.html", wait=True)
    assert mine is not None
    assert mine.id != theirs
    site = await kit.distributions.get("site")
    assert (site.default_root_object, site.is_enabled) == ("a.html", False)
    assert sorted(await operations_of(kit, "UpdateDistribution")) == sorted([theirs, mine.id])


async def test_a_lost_update_that_landed_is_still_found_and_sent_once(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    """The control: with the state check, a send that landed (its answer lost) is still
    reconciled to its own operation, even with another writer's operation next to it."""
    async with ls_client(emulator) as other:
        await as_other_process(other)
        await other.distributions.update("site", is_enabled=False, wait=True)
        emulator.faults.reset_after_processing("lightsail", operation="UpdateDistribution")
        mine = await kit.distributions.update("site", default_root_object="a.html", wait=True)
    assert mine is not None
    assert len(await operations_of(kit, "UpdateDistribution")) == 2
    assert emulator.counters.count("lightsail", "UpdateDistribution") == 2  # B's, A's one send
    assert mine.id in await operations_of(kit, "UpdateDistribution")
    assert (await kit.distributions.get("site")).default_root_object == "a.html"


async def test_a_lost_cache_reset_never_takes_another_clients_reset_of_this_process(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    """Two clients of one process (the same locks): B's reset came back to B; A's reset got
    no answer and did not land. Known operation ids were kept per client, so A took B's
    reset for its own and nothing reset the cache for A (seen: the same id twice)."""
    async with ls_client(emulator) as other:
        theirs = await other.distributions.reset_cache("site", wait=True)
        emulator.faults.reset_connection("lightsail", operation="ResetDistributionCache")
        mine = await kit.distributions.reset_cache("site", wait=True)
    assert mine.id != theirs.id
    assert sorted(await operations_of(kit, "ResetDistributionCache")) == sorted(
        [theirs.id, mine.id]
    )


async def test_a_lost_cache_reset_never_takes_another_processs_reset(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    """B (another process) resets the cache; A's reset then gets no answer and did not land.
    A's reconciliation took B's reset, started within the 2 s clock slack, for its own and
    sent nothing (fixed in session 8: before a resend a reset is only taken if it was created
    at or after A's first send)."""
    async with ls_client(emulator) as other:
        await as_other_process(other)
        theirs = await other.distributions.reset_cache("site", wait=True)
        emulator.faults.reset_connection("lightsail", operation="ResetDistributionCache")
        mine = await kit.distributions.reset_cache("site", wait=True)
    assert mine.id != theirs.id


async def test_a_lost_create_answer_returns_this_creates_operation_not_an_earlier_ones(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    """A distribution deleted, then created again under its name; the second create's answer
    is lost. The reconciliation took the first CreateDistribution operation listed for the
    name, the deleted distribution's (seen: the first create's operation id returned)."""
    first = [op.id for op in await kit.operations.for_resource("site")]
    await kit.distributions.delete("site", wait=True)
    emulator.faults.reset_after_processing("lightsail", operation="CreateDistribution")
    again = await kit.distributions.create(
        "site",
        origin=lightsail_origin(),
        default_cache_behavior=ls.CacheBehavior(behavior="cache"),
        bundle_id="small_1_0",
    )
    assert again.operation is not None
    assert again.operation.id not in first
    assert again.operation.id in await operations_of(kit, "CreateDistribution")
    assert emulator.counters.count("lightsail", "CreateDistribution") == 2


# -- KeyValueStore keys: update's input -------------------------------------------------------


@pytest.fixture
async def cloudfront(emulator: Emulator) -> AsyncIterator[cdnkit.CloudFront]:
    async with cf_client(emulator) as opened:
        await opened.key_value_stores.create("flags", wait=True)
        await opened.key_value_stores.keys("flags").update(puts={"a": "1", "b": "2", "ab": "3"})
        yield opened


async def test_keys_update_refuses_a_single_str_as_deletes(
    emulator: Emulator, cloudfront: cdnkit.CloudFront
) -> None:
    """``deletes="ab"`` deleted the keys "a" and "b" (a str is an iterable of its characters),
    not "ab" (seen: the store emptied of a and b, "ab" kept)."""
    keys = cloudfront.key_value_stores.keys("flags")
    sent = emulator.counters.count(DATA)
    for deletes in ("ab", b"ab"):
        with pytest.raises(cdnkit.RequestValidationError, match=r"deletes: A collection of .*not"):
            await keys.update(deletes=deletes)  # type: ignore[arg-type]  # wrong on purpose
    assert emulator.counters.count(DATA) == sent
    assert await keys.items() == {"a": "1", "b": "2", "ab": "3"}


@pytest.mark.parametrize(
    ("puts", "deletes", "rule"),
    [
        ({"a": "x"}, ["a"], "key 'a' is also in puts"),
        ({}, ["b", "b"], "key 'b' appears more than once"),
    ],
)
async def test_keys_update_refuses_a_key_given_twice_before_sending(
    emulator: Emulator,
    cloudfront: cdnkit.CloudFront,
    puts: dict[str, str],
    deletes: list[str],
    rule: str,
) -> None:
    """UpdateKeys refuses a key that appears twice; the request was sent to learn it (seen:
    ServerValidationError after one UpdateKeys). Across batches (more than 50 changes) both
    would land, in an order the caller does not see."""
    keys = cloudfront.key_value_stores.keys("flags")
    sent = emulator.counters.count(DATA)
    with pytest.raises(cdnkit.InvalidRequestError, match=f"deletes: {rule}"):
        await keys.update(puts=puts, deletes=deletes)
    assert emulator.counters.count(DATA) == sent


async def test_sync_from_a_path_no_file_can_have_is_a_cdnkit_error(
    emulator: Emulator, cloudfront: cdnkit.CloudFront, tmp_path: Path
) -> None:
    """A path with a NUL character raised a bare ValueError ("embedded null byte")."""
    keys = cloudfront.key_value_stores.keys("flags")
    sent = emulator.counters.total()
    for path in (f"{tmp_path}/bad\x00name.json", tmp_path / "lone\ud800.json"):
        with pytest.raises(cdnkit.InvalidRequestError, match="cannot read the file"):
            await keys.sync(path)
    assert emulator.counters.total() == sent


# -- Functions: a value newer than the model, read back --------------------------------------


async def test_function_update_sends_back_a_runtime_newer_than_the_model(
    emulator: Emulator,
) -> None:
    """AWS adds a runtime (as it added cloudfront-js-2.0): ``update(code=...)`` rebuilt the
    config strictly from what it read and refused the runtime the caller never named (seen:
    RequestValidationError on FunctionConfig.runtime, nothing sent). Replies parse leniently,
    and an update changes only what it is given: the runtime goes back as it came."""
    async with cf_client(emulator) as cloudfront:
        await cloudfront.functions.create("fn", code=CODE)
        backend = emulator.backend("cloudfront")
        handle = backend.handle

        def newer_runtime(request: Any) -> Any:
            reply = handle(request)
            if request.operation == "DescribeFunction":
                reply["FunctionSummary"]["FunctionConfig"]["Runtime"] = "cloudfront-js-9.0"
            return reply

        backend.handle = newer_runtime  # type: ignore[method-assign]
        # The emulator knows only the model's runtimes: it refuses the newer one, which
        # shows that the update sent it as read (AWS would accept its own value).
        with pytest.raises(cdnkit.ServerValidationError, match=r"cloudfront-js-9\.0"):
            await cloudfront.functions.update("fn", code=CODE + " ")
        assert emulator.counters.count("cloudfront", "UpdateFunction") == 1


# -- Policies and client options ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "members", "rule"),
    [
        (cdnkit.RetryPolicy, {"max_attempts": "3"}, "max_attempts must be an int"),
        (cdnkit.RetryPolicy, {"max_attempts": 2.0}, "max_attempts must be an int"),
        (cdnkit.RetryPolicy, {"deadline": float("nan")}, "deadline must be a finite number"),
        (cdnkit.RetryPolicy, {"deadline": float("inf")}, "deadline must be a finite number"),
        (cdnkit.RetryPolicy, {"max_backoff": float("nan")}, "max_backoff must be a finite"),
        (cdnkit.RetryPolicy, {"initial_backoff": "1"}, "initial_backoff must be a number"),
        (cdnkit.RetryPolicy, {"adaptive": "no"}, "adaptive must be a bool"),
        (cdnkit.WaitPolicy, {"timeout": float("nan")}, "timeout must be a finite number"),
        (cdnkit.WaitPolicy, {"max_delay": float("nan")}, "max_delay must be a finite number"),
        (cdnkit.WaitPolicy, {"initial_delay": None}, "initial_delay must be a number"),
        (cdnkit.WaitPolicy, {"on_progress": "print"}, "on_progress must be callable"),
    ],
)
def test_policies_refuse_wrong_types_and_numbers_that_are_not_finite(
    policy: Any, members: dict[str, Any], rule: str
) -> None:
    """``RetryPolicy(max_attempts="3")`` raised a bare TypeError; ``deadline=nan`` was taken,
    and a call under throttling then never ended (NaN compares false with every deadline);
    ``WaitPolicy(timeout=nan)`` was only refused by the first wait."""
    with pytest.raises(cdnkit.InvalidRequestError, match=rule):
        policy(**members)


async def test_clients_refuse_policies_and_options_of_the_wrong_kind(emulator: Emulator) -> None:
    """``with_options(retry="x")`` was taken and the next call raised AttributeError (no
    ``adaptive`` on a str); the constructor took NaN timeouts and a pool of 0 connections."""
    async with ls_client(emulator) as kit, cf_client(emulator) as cloudfront:
        sent = emulator.counters.total()
        for client in (kit, cloudfront):
            with pytest.raises(cdnkit.InvalidRequestError, match="retry: a cdnkit"):
                client.with_options(retry="x")  # type: ignore[arg-type]  # wrong on purpose
            with pytest.raises(cdnkit.InvalidRequestError, match="wait: a cdnkit"):
                client.with_options(wait=5)  # type: ignore[arg-type]  # wrong on purpose
        assert emulator.counters.total() == sent
    bad: list[dict[str, Any]] = [
        {"retry": "x"},
        {"wait": cdnkit.RetryPolicy()},
        {"connect_timeout": float("nan")},
        {"read_timeout": 0},
        {"max_pool_connections": 0},
        {"max_pool_connections": 2.5},
    ]
    for options in bad:
        for service in (cdnkit.Lightsail, cdnkit.CloudFront):
            with pytest.raises(cdnkit.InvalidRequestError, match=next(iter(options))):
                service(**{**emulator.client_kwargs(), **options})


# -- Public helpers outside the resource classes -----------------------------------------------


def test_public_helpers_refuse_wrong_arguments_with_cdnkit_errors() -> None:
    """Seen: ``cdnkit.parse(model, "x")`` ValueError, ``parse(None, {})`` AttributeError,
    ``load_import_file(None)`` TypeError, ``CloudWatchErrorRateGate(window="300")``
    TypeError; ``set_enabled("no")`` was taken and refused only after the policy's read."""
    from cdnkit.resources.cloudfront import (
        CloudWatchErrorRateGate,
        load_import_file,
        set_enabled,
    )
    from cdnkit.types import cloudfront as cf

    # Typed Any: the wrong values are the point.
    text: Any = "x"
    none: Any = None
    number: Any = 5
    plain: Any = dict
    calls: list[tuple[str, Any]] = [
        ("reply must be a mapping", lambda: cdnkit.parse(cf.DistributionConfig, text)),
        ("model must be a cdnkit model", lambda: cdnkit.parse(none, {})),
        ("model must be a cdnkit model", lambda: cdnkit.parse(plain, {})),
        ("path: a str or a path", lambda: load_import_file(none)),
        ("path: a str or a path", lambda: load_import_file(number)),
        ("enabled: True or False", lambda: set_enabled(text)),
        ("window: a number", lambda: CloudWatchErrorRateGate(window=text)),
        ("period: a number", lambda: CloudWatchErrorRateGate(period=text)),
        ("require_data: True or False", lambda: CloudWatchErrorRateGate(require_data=text)),
    ]
    for rule, call in calls:
        with pytest.raises(cdnkit.InvalidRequestError, match=rule):
            call()


async def test_a_gate_verdict_whose_passed_is_not_a_bool_fails_the_step(
    emulator: Emulator,
) -> None:
    """``GateVerdict(passed="no")`` was truthy: the rollout took the step as passed and went
    on to the next weight (and to promotion). Now the verdict cannot be made, the gate fails
    and the rollout rolls back."""
    from cdnkit.resources.cloudfront import GateVerdict, RolloutStep

    from ..cloudfront.conftest import stage

    def says_no(step: RolloutStep) -> GateVerdict:
        return GateVerdict(passed="no")  # type: ignore[arg-type]  # wrong on purpose

    async with cf_client(emulator) as cloudfront:
        staged = await stage(cloudfront)
        with pytest.raises(cdnkit.RolloutHaltedError, match=r"GateVerdict\.passed"):
            await cloudfront.continuous_deployment_policies.rollout(
                staged.primary_id,
                staged.staging_id,
                steps=(0.05, 0.1),
                hold=0.0,
                gate=says_no,
                promote=True,
            )
        policy = await cloudfront.continuous_deployment_policies.get_config(staged.policy_id)
        traffic = policy.continuous_deployment_policy_config.traffic_config
        assert traffic is not None
        assert traffic.single_weight_config is not None
        assert traffic.single_weight_config.weight == 0.0  # rolled back, not 0.1
        assert emulator.counters.count("cloudfront", "UpdateDistributionWithStagingConfig") == 0


# -- The emulator under fuzzed requests --------------------------------------------------------


@pytest.mark.parametrize("start", [1e308, 2**70, -1e300])
async def test_the_emulator_answers_a_timestamp_out_of_range_as_a_bad_request(
    start: float,
) -> None:
    """Epoch seconds beyond the years a datetime holds crashed the request's parse
    (OverflowError): the emulator answered 500 "emulator error", which a client retries as a
    server fault. It is the caller's bad input: a 400 validation error."""
    import json

    import aiohttp

    async with Emulator(check_signatures=False) as emu:
        body = {
            "distributionName": "site",
            "metricName": "Requests",
            "startTime": start,
            "endTime": 0,
            "period": 60,
            "unit": "None",
            "statistics": ["Sum"],
        }
        headers = {
            "X-Amz-Target": "Lightsail_20161128.GetDistributionMetricData",
            "Content-Type": "application/x-amz-json-1.1",
        }
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                emu.client_kwargs()["endpoint_url"], data=json.dumps(body), headers=headers
            ) as reply,
        ):
            answer = await reply.json(content_type=None)
        assert reply.status == 400, answer
        assert "out of range" in answer["message"], answer


def test_the_emulators_own_settings_refuse_wrong_types_and_numbers_that_are_not_finite() -> None:
    """Seen: ``faults.latency(service, nan)`` and ``faults.rate_limit(service, nan)`` taken,
    ``faults.inject(..., count="3")`` a bare TypeError, ``clock.advance(-5)`` moved the
    monotonic clock back, ``Timing(lightsail_operation=nan)`` taken."""
    from cdnkit.testing import Clock, Faults, Timing

    faults = Faults(Clock())
    wrong: Any = "3"
    calls: list[tuple[str, Any]] = [
        ("latency must be a finite", lambda: faults.latency("lightsail", float("nan"))),
        ("latency must be a finite", lambda: faults.latency("lightsail", float("inf"))),
        ("per_second must be a finite", lambda: faults.rate_limit("lightsail", float("nan"))),
        ("per_second must be a number", lambda: faults.rate_limit("lightsail", wrong)),
        ("count must be an int", lambda: faults.throttle("lightsail", count=wrong)),
        ("probability must be between", lambda: faults.throttle("lightsail", probability=wrong)),
        ("seconds must be a finite", lambda: Clock().advance(-5)),
        ("seconds must be a number", lambda: Clock().advance(wrong)),
        ("lightsail_operation must be a finite", lambda: Timing(lightsail_operation=-1)),
        ("invalidation must be a finite", lambda: Timing(invalidation=float("nan"))),
    ]
    for rule, call in calls:
        with pytest.raises(ValueError, match=rule):
            call()
    assert faults.rules == ()


# -- Found by the bad-input fuzz run with more examples -----------------------------------------


@pytest.mark.parametrize("timeout", [0.0, -1.0, float("nan"), float("inf")])
async def test_a_bad_timeout_is_refused_before_the_first_write(
    emulator: Emulator, timeout: float
) -> None:
    """``delete``, ``update_detached`` and ``teardown`` checked ``timeout`` only at their
    first wait, after a write (the disable, the detach) had been sent (teardown with
    ``timeout=0.0`` even finished, its waits never needing one); ``wait_all`` polled once
    with ``timeout=nan`` before refusing it."""
    from ..cloudfront.conftest import stage

    async with cf_client(emulator) as cloudfront, ls_client(emulator) as kit:
        staged = await stage(cloudfront)
        created = await kit.distributions.create(
            "site",
            origin=lightsail_origin(),
            default_cache_behavior=ls.CacheBehavior(behavior="cache"),
            bundle_id="small_1_0",
        )
        assert created.operation is not None
        sent = emulator.counters.total()
        distributions = cloudfront.distributions
        policies = cloudfront.continuous_deployment_policies
        calls: list[Any] = [
            lambda: distributions.delete(staged.staging_id, timeout=timeout),
            lambda: distributions.update_detached(
                staged.primary_id, mutate=lambda c: None, timeout=timeout
            ),
            lambda: policies.teardown(
                staged.policy_id,
                primary_id=staged.primary_id,
                staging_id=staged.staging_id,
                timeout=timeout,
            ),
            lambda: kit.operations.wait_all([created.operation], timeout=timeout),
        ]
        for call in calls:
            with pytest.raises(cdnkit.InvalidRequestError, match="timeout"):
                await call()
        assert emulator.counters.total() == sent


async def test_a_whole_config_is_checked_before_the_read(emulator: Emulator) -> None:
    """``update(config=...)`` read the current config (one request) before checking the
    replacement; a value of the wrong type is refused first now. A value outside an enum is
    still left to the check after the read: it may be one AWS added, read back as it came
    (here the emulator, knowing only the model's values, is the one to refuse it)."""
    from ..cloudfront.conftest import stage

    async with cf_client(emulator) as cloudfront:
        staged = await stage(cloudfront)
        policy = await cloudfront.continuous_deployment_policies.get_config(staged.policy_id)
        primary = await cloudfront.distributions.get_config(staged.primary_id)
        bad_policy = policy.continuous_deployment_policy_config.model_copy(
            update={"enabled": "yes"}
        )
        bad_config = primary.distribution_config.model_copy(update={"comment": 5})
        sent = emulator.counters.total()
        with pytest.raises(cdnkit.CdnKitError, match="enabled"):
            await cloudfront.continuous_deployment_policies.update(
                staged.policy_id, config=bad_policy
            )
        with pytest.raises(cdnkit.CdnKitError, match="comment"):
            await cloudfront.distributions.update(staged.primary_id, config=bad_config)
        assert emulator.counters.total() == sent
        # A value outside the enum is not refused before the read: AWS may have added it,
        # and a config read back with it, then given whole, keeps it.
        backend = emulator.backend("cloudfront")
        handle = backend.handle

        def newer_type(request: Any) -> Any:
            reply = handle(request)
            if request.operation.startswith("GetContinuousDeploymentPolicy"):
                found = reply.get("ContinuousDeploymentPolicy", reply)
                config = found.get("ContinuousDeploymentPolicyConfig", found)
                config["TrafficConfig"]["Type"] = "TripleWeight"
            return reply

        backend.handle = newer_type  # type: ignore[method-assign]
        read = await cloudfront.continuous_deployment_policies.get_config(staged.policy_id)
        newer = read.continuous_deployment_policy_config
        assert newer.traffic_config is not None
        assert to_wire(newer)["TrafficConfig"]["Type"] == "TripleWeight"
        newer.enabled = False
        # The emulator, knowing only the model's values, refuses it: it was sent.
        with pytest.raises(cdnkit.ServerValidationError, match="TripleWeight"):
            await cloudfront.continuous_deployment_policies.update(staged.policy_id, config=newer)


async def test_diff_refuses_code_no_update_could_send(emulator: Emulator) -> None:
    """``functions.diff`` read the deployed code, then diffed code over the 10 KB limit
    that ``update`` refuses (one request for a comparison that could never be deployed)."""
    async with cf_client(emulator) as cloudfront:
        await cloudfront.functions.create("fn", code=CODE)
        sent = emulator.counters.total()
        with pytest.raises(cdnkit.RequestValidationError, match="function_code"):
            await cloudfront.functions.diff("fn", b"x" * 20_000, stage="DEVELOPMENT")
        assert emulator.counters.total() == sent


# -- Client options refused as botocore would refuse them ---------------------------------------


async def test_client_options_botocore_refuses_are_cdnkit_errors(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen at ``async with``: ``ValueError: Invalid endpoint`` for ``endpoint_url="not a
    url"``, botocore's InvalidRegionError for ``region_name="bad region!"`` and its
    ProfileNotFound for a profile that is not in the config: none a CdnKitError. The first
    two are refused when the client is made; the profile, read from files, when it opens."""
    bad: list[dict[str, Any]] = [{"endpoint_url": "not a url"}, {"region_name": "bad region!"}]
    for options in bad:
        for service in (cdnkit.Lightsail, cdnkit.CloudFront):
            with pytest.raises(cdnkit.InvalidRequestError, match=next(iter(options))):
                service(**{**emulator.client_kwargs(), **options})
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    client = cdnkit.Lightsail(profile_name="not-there")
    with pytest.raises(cdnkit.InvalidRequestError, match="not-there"):
        await client.__aenter__()
    # Nothing was left open: a client that failed to open can be opened again.
    assert not client._core.is_open


# -- Lightsail metric queries ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"start_time": NOW, "end_time": NOW - timedelta(hours=1)}, "end_time: must be later"),
        ({"period": 61}, "period: a multiple of 60"),
        ({"statistics": []}, "statistics: name at least one"),
        ({"start_time": NOW - timedelta(days=2), "period": 60}, "at most 1440"),
    ],
)
async def test_metric_queries_lightsail_refuses_are_refused_before_sending(
    emulator: Emulator, kit: cdnkit.Lightsail, change: dict[str, Any], rule: str
) -> None:
    """Rules of GetDistributionMetricData its model does not state (the end after the start,
    a period in whole minutes, a statistic named, at most 1,440 datapoints) were learnt from
    the service: one request each, then ServerValidationError."""
    query: dict[str, Any] = {
        "metric_name": "Requests",
        "start_time": NOW - timedelta(hours=1),
        "end_time": NOW,
        "period": 60,
        "unit": "None",
        "statistics": ["Sum"],
    }
    sent = emulator.counters.total()
    with pytest.raises(cdnkit.InvalidRequestError, match=rule):
        await kit.distributions.metric_data("site", **{**query, **change})
    assert emulator.counters.total() == sent
    # The control: the same query without the change is sent and answered.
    await kit.distributions.metric_data("site", **query)
    assert emulator.counters.total() == sent + 1


# -- CloudFront distribution configs: rules a config breaks on its own ---------------------------


async def test_distribution_configs_breaking_rules_cloudfront_states_are_refused_locally(
    emulator: Emulator,
) -> None:
    """A cache behavior targeting an origin id the config does not have was sent and came
    back as NoSuchOrigin (a NotFoundError, though nothing was missing but the caller's
    input); a mutation changing CallerReference or the Staging flag was sent and refused as
    IllegalUpdate. All are known from the config alone."""
    from ..cloudfront.conftest import config

    async with cf_client(emulator) as cloudfront:
        distributions = cloudfront.distributions
        created = await distributions.create(config(comment="site"))
        distribution_id = created.distribution.id
        bad = config(comment="bad")
        bad.default_cache_behavior.target_origin_id = "nope"
        sent = emulator.counters.total()
        with pytest.raises(cdnkit.InvalidRequestError, match=r"TargetOriginId: 'nope'"):
            await distributions.create(bad)
        assert emulator.counters.total() == sent  # nothing sent for a create
        mutations: list[tuple[str, Any]] = [
            (
                "DefaultCacheBehavior.TargetOriginId",
                lambda c: setattr(c.default_cache_behavior, "target_origin_id", "nope"),
            ),
            ("CallerReference: cannot change", lambda c: setattr(c, "caller_reference", "x")),
            ("Staging: cannot change", lambda c: setattr(c, "staging", True)),
        ]
        for rule, mutate in mutations:
            with pytest.raises(cdnkit.InvalidRequestError, match=rule):
                await distributions.update(distribution_id, mutate=mutate)
        # The reads only: no UpdateDistribution was sent.
        assert emulator.counters.count("cloudfront", "UpdateDistribution") == 0
        assert emulator.counters.count("cloudfront", "CreateDistribution") == 1


@pytest.mark.parametrize(
    ("members", "rule"),
    [
        ({"tags": [ls.Tag(key="k", value="1"), ls.Tag(key="k", value="2")]}, "more than once"),
        ({"tags": [ls.Tag(key=f"k{n}") for n in range(51)]}, "tags: at most 50"),
        ({"tags": [ls.Tag(value="x")]}, "every tag needs a key"),
        (
            {
                "cache_behaviors": [
                    ls.CacheBehaviorPerPath(path="/a", behavior="cache"),
                    ls.CacheBehaviorPerPath(path="/a", behavior="dont-cache"),
                ]
            },
            "more than one cache behavior",
        ),
        ({"cache_behaviors": [ls.CacheBehaviorPerPath(path="/a")]}, "cache or dont-cache"),
        (
            {"cache_behavior_settings": ls.CacheSettings(allowed_http_methods="GET")},
            "allowedHTTPMethods: one of",
        ),
    ],
)
async def test_lightsail_rules_beyond_the_model_are_checked_before_sending(
    emulator: Emulator, kit: cdnkit.Lightsail, members: dict[str, Any], rule: str
) -> None:
    """Duplicate or missing tag keys, more than 50 tags, two behaviors for one path, a path
    without its behavior and a method list Lightsail does not take were each sent and
    refused by the service (InvalidInputException)."""
    sent = emulator.counters.total()
    with pytest.raises(cdnkit.InvalidRequestError, match=rule):
        await kit.distributions.create(
            "other",
            origin=lightsail_origin(),
            default_cache_behavior=ls.CacheBehavior(behavior="cache"),
            bundle_id="small_1_0",
            **members,
        )
    if "tags" not in members:
        with pytest.raises(cdnkit.InvalidRequestError, match=rule):
            await kit.distributions.update("site", merge=False, **members)
    assert emulator.counters.total() == sent
