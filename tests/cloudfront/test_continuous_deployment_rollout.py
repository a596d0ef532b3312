"""Progressive rollout with a gate, against the emulator; the CloudWatch error-rate gate against
moto's CloudWatch server (moto[server], a dev dependency), with metric data put there first.

Holds never sleep for real: the client's sleep is replaced by one that records the hold and
moves the emulator's clock on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from aiobotocore.config import AioConfig
from moto.server import ThreadedMotoServer
from types_aiobotocore_cloudwatch import CloudWatchClient

import cdnkit
from cdnkit.resources.cloudfront import (
    CloudWatchErrorRateGate,
    ErrorRates,
    GateVerdict,
    RolloutStep,
)
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf

from .conftest import SESSION, Staged, create_distribution, open_client, stage

CF = "cloudfront"
HOLD = 600.0


@pytest.fixture
def holds(
    emulator: Emulator, cf_client: cdnkit.CloudFront, monkeypatch: pytest.MonkeyPatch
) -> list[float]:
    """The holds the client was asked to sleep; each moves the emulator's clock instead."""
    asked: list[float] = []

    async def sleep(seconds: float) -> None:
        asked.append(seconds)
        emulator.clock.advance(seconds)

    monkeypatch.setattr(cf_client._core, "sleep", sleep)
    return asked


async def policy_config(
    client: cdnkit.CloudFront, policy_id: str
) -> cf.ContinuousDeploymentPolicyConfig:
    current = await client.continuous_deployment_policies.get_config(policy_id)
    assert current.continuous_deployment_policy_config is not None
    return current.continuous_deployment_policy_config


def weight(config: cf.ContinuousDeploymentPolicyConfig) -> float:
    assert config.traffic_config is not None
    assert config.traffic_config.single_weight_config is not None
    return config.traffic_config.single_weight_config.weight


async def candidate(client: cdnkit.CloudFront) -> Staged:
    staged = await stage(client)

    def release(distribution: cf.DistributionConfig) -> None:
        distribution.comment = "release 2"

    await client.distributions.update(staged.staging_id, mutate=release, wait=True)
    return staged


async def test_rollout_walks_the_steps_holds_asks_the_gate_and_promotes(
    emulator: Emulator, cf_client: cdnkit.CloudFront, holds: list[float]
) -> None:
    staged = await candidate(cf_client)
    seen: list[tuple[int, float, float]] = []

    async def gate(step: RolloutStep) -> bool:
        # The weight is in place (and deployed) when the gate is asked.
        current = await policy_config(cf_client, step.policy_id)
        primary = await cf_client.distributions.get(step.primary_id)
        assert primary.distribution is not None
        assert primary.distribution.status == "Deployed"
        seen.append((step.number, step.weight, weight(current)))
        return True

    result = await cf_client.continuous_deployment_policies.rollout(
        staged.primary_id,
        staged.staging_id,
        steps=[0.01, 0.05, 0.15],
        hold=HOLD,
        gate=gate,
        promote=True,
    )

    assert seen == [(1, 0.01, 0.01), (2, 0.05, 0.05), (3, 0.15, 0.15)]
    assert holds == [HOLD, HOLD, HOLD]
    assert [step.weight for step, _ in result.steps] == [0.01, 0.05, 0.15]
    assert all(verdict.passed for _, verdict in result.steps)
    assert result.promoted is not None
    assert result.promoted.distribution is not None
    assert result.promoted.distribution.distribution_config.comment == "release 2"
    assert (await policy_config(cf_client, staged.policy_id)).enabled is False


async def test_a_failing_gate_sets_the_weight_to_zero_and_names_the_step(
    emulator: Emulator, cf_client: cdnkit.CloudFront, holds: list[float]
) -> None:
    staged = await candidate(cf_client)

    async def gate(step: RolloutStep) -> GateVerdict:
        if step.weight >= 0.05:
            return GateVerdict(False, "staging 5xx at 3%")
        return GateVerdict(True)

    with pytest.raises(cdnkit.RolloutHaltedError) as caught:
        await cf_client.continuous_deployment_policies.rollout(
            staged.primary_id,
            staged.staging_id,
            steps=[0.01, 0.05, 0.15],
            hold=HOLD,
            gate=gate,
            promote=True,
        )

    assert (caught.value.step, caught.value.weight) == (2, 0.05)
    assert caught.value.reason == "staging 5xx at 3%"
    assert caught.value.rolled_back is True
    assert "step 2" in str(caught.value)
    assert holds == [HOLD, HOLD]
    current = await policy_config(cf_client, staged.policy_id)
    assert weight(current) == 0.0
    assert current.enabled is True
    primary = await cf_client.distributions.get_config(staged.primary_id)
    assert primary.distribution_config is not None
    assert primary.distribution_config.comment == "primary"  # not promoted


async def test_a_gate_that_raises_fails_and_on_failure_disable_disables_the_policy(
    emulator: Emulator, cf_client: cdnkit.CloudFront, holds: list[float]
) -> None:
    staged = await candidate(cf_client)

    async def gate(step: RolloutStep) -> bool:
        raise RuntimeError("metrics backend down")

    with pytest.raises(cdnkit.RolloutHaltedError) as caught:
        await cf_client.continuous_deployment_policies.rollout(
            staged.primary_id,
            staged.staging_id,
            steps=[0.02],
            hold=0,
            gate=gate,
            on_failure="disable",
        )

    assert caught.value.step == 1
    assert "metrics backend down" in caught.value.reason
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert holds == []  # hold=0: no sleep at all
    assert (await policy_config(cf_client, staged.policy_id)).enabled is False


async def test_a_failed_rollback_is_reported(
    emulator: Emulator, cf_client: cdnkit.CloudFront, holds: list[float]
) -> None:
    staged = await candidate(cf_client)

    async def gate(step: RolloutStep) -> bool:
        emulator.faults.server_error(CF, operation="UpdateContinuousDeploymentPolicy", count=None)
        return False

    with pytest.raises(cdnkit.RolloutHaltedError) as caught:
        await cf_client.continuous_deployment_policies.rollout(
            staged.primary_id, staged.staging_id, steps=[0.03], hold=HOLD, gate=gate
        )

    assert caught.value.rolled_back is False
    assert "may still get 0.03" in str(caught.value)


@pytest.mark.parametrize(
    ("steps", "hold", "message"),
    [
        ([], HOLD, "at least one"),
        ([0.2], HOLD, "0.15"),
        ([0.05, 0.01], HOLD, "increase"),
        ([0.0, 0.05], HOLD, "above 0"),
        ([0.05], -1.0, "hold"),
        ([0.05], float("inf"), "hold"),
    ],
)
async def test_bad_steps_are_refused_before_any_request(
    emulator: Emulator,
    cf_client: cdnkit.CloudFront,
    steps: list[float],
    hold: float,
    message: str,
) -> None:
    async def gate(step: RolloutStep) -> bool:
        return True

    emulator.counters.reset()
    with pytest.raises(cdnkit.InvalidRequestError, match=message):
        await cf_client.continuous_deployment_policies.rollout(
            "E111111111111", "E222222222222", steps=steps, hold=hold, gate=gate
        )
    assert emulator.counters.total() == 0


async def test_a_primary_without_a_policy_is_refused_before_any_write(
    emulator: Emulator, cf_client: cdnkit.CloudFront
) -> None:
    staged = await stage(cf_client, attach=False)
    other = await create_distribution(cf_client, comment="other")
    emulator.counters.reset()

    async def gate(step: RolloutStep) -> bool:
        return True

    with pytest.raises(cdnkit.InvalidRequestError, match="no continuous deployment policy"):
        await cf_client.continuous_deployment_policies.rollout(
            staged.primary_id, staged.staging_id, steps=[0.01], hold=HOLD, gate=gate
        )
    await cf_client.distributions.attach_continuous_deployment_policy(
        staged.primary_id, staged.policy_id
    )
    with pytest.raises(cdnkit.InvalidRequestError, match="does not name"):
        await cf_client.continuous_deployment_policies.rollout(
            staged.primary_id, other, steps=[0.01], hold=HOLD, gate=gate
        )
    assert emulator.counters.count(CF, "UpdateContinuousDeploymentPolicy") == 0


# The CloudWatch gate, against moto's CloudWatch ---------------------------------------------


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


#: moto takes any credentials.
MOTO_KEY = "testing"


@pytest.fixture
async def cloudwatch(moto_endpoint: str) -> AsyncIterator[CloudWatchClient]:
    async with SESSION.create_client(
        "cloudwatch",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        config=AioConfig(retries={"total_max_attempts": 1}),
        aws_access_key_id=MOTO_KEY,
        aws_secret_access_key=MOTO_KEY,
    ) as client:
        yield client


async def put_rates(
    cloudwatch: CloudWatchClient, distribution_id: str, five_xx: float, total: float
) -> None:
    """Three minutes of CloudFront's two error-rate metrics, ending a minute ago."""
    now = datetime.now(UTC)
    dimensions = [
        {"Name": "DistributionId", "Value": distribution_id},
        {"Name": "Region", "Value": "Global"},
    ]
    await cloudwatch.put_metric_data(
        Namespace="AWS/CloudFront",
        MetricData=[
            {
                "MetricName": name,
                "Dimensions": dimensions,  # type: ignore[typeddict-item]  # a list of TypedDicts
                "Timestamp": now - timedelta(minutes=minutes),
                "Value": value,
                "Unit": "Percent",
            }
            for minutes in (1, 2, 3)
            for name, value in (("5xxErrorRate", five_xx), ("TotalErrorRate", total))
        ],
    )


def gate_for(
    moto_endpoint: str,
    *,
    max_5xx_increase: float = 0.5,
    max_total_error_increase: float = 1.0,
    max_5xx_rate: float | None = None,
) -> CloudWatchErrorRateGate:
    return CloudWatchErrorRateGate(
        endpoint_url=moto_endpoint,
        session=SESSION,
        window=900,
        aws_access_key_id=MOTO_KEY,
        aws_secret_access_key=MOTO_KEY,
        max_5xx_increase=max_5xx_increase,
        max_total_error_increase=max_total_error_increase,
        max_5xx_rate=max_5xx_rate,
    )


def step_of(primary_id: str, staging_id: str) -> RolloutStep:
    return RolloutStep(
        number=1,
        weight=0.05,
        primary_id=primary_id,
        staging_id=staging_id,
        policy_id="p",
        hold=HOLD,
    )


async def test_the_cloudwatch_gate_reads_both_distributions_rates(
    moto_endpoint: str, cloudwatch: CloudWatchClient
) -> None:
    await put_rates(cloudwatch, "ESTAGINGREAD01", five_xx=2.0, total=4.0)
    await put_rates(cloudwatch, "EPRIMARYREAD01", five_xx=0.5, total=3.0)

    async with gate_for(moto_endpoint) as gate:
        staging, primary, silent = await gate.error_rates(
            "ESTAGINGREAD01", "EPRIMARYREAD01", "ESILENT000001"
        )

    assert staging == ErrorRates("ESTAGINGREAD01", five_xx=2.0, total=4.0)
    assert primary == ErrorRates("EPRIMARYREAD01", five_xx=0.5, total=3.0)
    assert silent == ErrorRates("ESILENT000001", five_xx=None, total=None)


async def test_the_cloudwatch_gate_passes_a_healthy_staging_and_fails_a_worse_one(
    moto_endpoint: str, cloudwatch: CloudWatchClient
) -> None:
    await put_rates(cloudwatch, "EPRIMARY000001", five_xx=0.2, total=1.0)
    await put_rates(cloudwatch, "EHEALTHY00001", five_xx=0.3, total=1.2)
    await put_rates(cloudwatch, "EBROKEN000001", five_xx=2.5, total=3.0)

    async with gate_for(moto_endpoint, max_5xx_increase=0.5, max_total_error_increase=1.0) as gate:
        healthy = await gate(step_of("EPRIMARY000001", "EHEALTHY00001"))
        broken = await gate(step_of("EPRIMARY000001", "EBROKEN000001"))
        silent = await gate(step_of("EPRIMARY000001", "ENOTRAFFIC0001"))

    assert healthy.passed, healthy.reason
    assert not broken.passed
    assert "5xxErrorRate 2.5%" in broken.reason
    assert "TotalErrorRate 3%" in broken.reason
    assert not silent.passed
    assert "no 5xxErrorRate/TotalErrorRate datapoints" in silent.reason


async def test_the_cloudwatch_gate_absolute_ceiling(
    moto_endpoint: str, cloudwatch: CloudWatchClient
) -> None:
    await put_rates(cloudwatch, "EPRIMARYHIGH01", five_xx=5.0, total=6.0)
    await put_rates(cloudwatch, "ESTAGINGHIGH01", five_xx=5.0, total=6.0)

    async with gate_for(moto_endpoint, max_5xx_rate=1.0) as gate:
        verdict = await gate(step_of("EPRIMARYHIGH01", "ESTAGINGHIGH01"))

    assert not verdict.passed
    assert "above 1%" in verdict.reason


async def test_a_rollout_gated_on_cloudwatch_halts_on_bad_staging_metrics(
    emulator: Emulator,
    cf_client: cdnkit.CloudFront,
    holds: list[float],
    moto_endpoint: str,
    cloudwatch: CloudWatchClient,
) -> None:
    staged = await candidate(cf_client)
    await put_rates(cloudwatch, staged.primary_id, five_xx=0.1, total=0.5)
    await put_rates(cloudwatch, staged.staging_id, five_xx=4.0, total=4.5)

    async with gate_for(moto_endpoint) as gate:
        with pytest.raises(cdnkit.RolloutHaltedError) as caught:
            await cf_client.continuous_deployment_policies.rollout(
                staged.primary_id,
                staged.staging_id,
                steps=[0.01, 0.05],
                hold=HOLD,
                gate=gate,
                promote=True,
            )

    assert caught.value.step == 1
    assert "5xxErrorRate" in caught.value.reason
    assert weight(await policy_config(cf_client, staged.policy_id)) == 0.0


async def test_cloudwatch_gate_settings_are_checked_at_once() -> None:
    with pytest.raises(cdnkit.InvalidRequestError, match="window"):
        CloudWatchErrorRateGate(window=10)
    with pytest.raises(cdnkit.InvalidRequestError, match="period"):
        CloudWatchErrorRateGate(period=90)
    with pytest.raises(cdnkit.InvalidRequestError, match="max_5xx_increase"):
        CloudWatchErrorRateGate(max_5xx_increase=-1)


async def test_the_cloudwatch_gate_raises_cdnkit_errors_after_its_retries() -> None:
    # Nothing listens on port 9 of the loopback: every attempt is refused.
    fast = cdnkit.RetryPolicy(initial_backoff=0.001, max_backoff=0.01, max_attempts=2)
    gate = CloudWatchErrorRateGate(
        endpoint_url="http://127.0.0.1:9",
        session=SESSION,
        retry=fast,
        aws_access_key_id=MOTO_KEY,
        aws_secret_access_key=MOTO_KEY,
    )
    async with gate:
        with pytest.raises(cdnkit.TransportError, match=r"cloudwatch\.GetMetricData"):
            await gate(step_of("EPRIMARY000009", "ESTAGING000009"))


async def test_closing_the_client_ends_a_hold_at_once(emulator: Emulator) -> None:
    client = open_client(emulator)
    await client.__aenter__()
    try:
        staged = await candidate(client)
        holding = asyncio.Event()
        real_sleep = client._core.sleep

        async def sleep(seconds: float) -> None:
            holding.set()
            await real_sleep(seconds)  # an hour: only the close can end it

        client._core.sleep = sleep  # type: ignore[method-assign]  # observe the hold starting

        async def gate(step: RolloutStep) -> bool:
            raise AssertionError("the gate is never asked: the hold did not end")

        rolling = asyncio.create_task(
            client.continuous_deployment_policies.rollout(
                staged.primary_id, staged.staging_id, steps=[0.01], hold=3600.0, gate=gate
            )
        )
        await holding.wait()
    finally:
        await client.__aexit__(None, None, None)
    with pytest.raises(cdnkit.ClientClosedError):
        await rolling


async def test_the_cloudwatch_gate_borrows_a_clients_credentials_and_session(
    cf_client: cdnkit.CloudFront, moto_endpoint: str, cloudwatch: CloudWatchClient
) -> None:
    await put_rates(cloudwatch, "EBORROWSTAGE01", five_xx=0.0, total=0.0)
    await put_rates(cloudwatch, "EBORROWPRIME01", five_xx=0.0, total=0.0)

    async with CloudWatchErrorRateGate(client=cf_client, endpoint_url=moto_endpoint) as gate:
        verdict = await gate(step_of("EBORROWPRIME01", "EBORROWSTAGE01"))
        region = gate._core.client.meta.region_name

    assert verdict.passed, verdict.reason
    assert region == "us-east-1"
