"""A rollout gate that compares staging's error rates with the primary's in CloudWatch."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self

from aiobotocore.session import AioSession

from ..._core import ClientOptions, ServiceCore
from ..._exceptions import InvalidRequestError, UnexpectedResponseError
from ..._policies import RetryPolicy
from ._rollout import GateVerdict, RolloutStep

if TYPE_CHECKING:
    from ..._client import CloudFront

__all__ = ["CloudWatchErrorRateGate", "ErrorRates"]

#: CloudFront publishes its metrics here, in us-east-1 only (AWS-FACTS.md).
NAMESPACE: Final = "AWS/CloudFront"
REGION: Final = "us-east-1"
#: The two default metrics compared, both percentages of the requests.
FIVE_XX: Final = "5xxErrorRate"
TOTAL: Final = "TotalErrorRate"


@dataclasses.dataclass(frozen=True)
class ErrorRates:
    """A distribution's error rates (percent) over the window; None where CloudWatch had no
    datapoint."""

    distribution_id: str
    five_xx: float | None
    total: float | None


def _mean(values: list[Any]) -> float | None:
    numbers = [float(v) for v in values if isinstance(v, int | float) and math.isfinite(v)]
    return sum(numbers) / len(numbers) if numbers else None


class CloudWatchErrorRateGate:
    """Passes when staging's 5xxErrorRate and TotalErrorRate (namespace AWS/CloudFront, us-east-1,
    dimensions DistributionId and Region=Global, averaged over the last ``window`` seconds)
    exceed the primary's by at most ``max_5xx_increase`` and ``max_total_error_increase``
    percentage points, and staging's 5xx rate is at most ``max_5xx_rate`` when given.

    Staging without any datapoint fails when ``require_data`` (no traffic is no evidence); a
    primary without datapoints counts as 0 %. Sends one CloudWatch GetMetricData per check
    (four queries), retried like every cdnkit call (throttling, 5xx, no answer) with
    ``retry`` (else the client's policy). Use it as an async context manager; ``client``
    lends its credentials, endpoint options and session (the region is always us-east-1)::

        async with CloudWatchErrorRateGate(client=cf, window=600) as gate:
            await cf.continuous_deployment_policies.rollout(..., gate=gate)
    """

    def __init__(
        self,
        *,
        client: CloudFront | None = None,
        window: float = 300.0,
        max_5xx_increase: float = 0.5,
        max_total_error_increase: float = 1.0,
        max_5xx_rate: float | None = None,
        require_data: bool = True,
        period: int = 60,
        endpoint_url: str | None = None,
        profile_name: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        session: AioSession | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        for name, value in (
            ("window", window),
            ("max_5xx_increase", max_5xx_increase),
            ("max_total_error_increase", max_total_error_increase),
            ("max_5xx_rate", max_5xx_rate),
            ("period", period),
        ):
            if value is not None and type(value) not in (int, float):
                raise InvalidRequestError(f"{name}: a number, not {type(value).__name__}")
        if type(require_data) is not bool:
            raise InvalidRequestError(f"require_data: True or False, not {require_data!r}")
        if not (math.isfinite(window) and window >= 60):
            raise InvalidRequestError(f"window: at least 60 seconds, not {window!r}")
        if isinstance(period, bool) or period < 60 or period % 60:
            raise InvalidRequestError(f"period: a multiple of 60 seconds, not {period!r}")
        for name, value in (
            ("max_5xx_increase", max_5xx_increase),
            ("max_total_error_increase", max_total_error_increase),
            ("max_5xx_rate", max_5xx_rate),
        ):
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise InvalidRequestError(f"{name}: percentage points >= 0, not {value!r}")
        self.window = window
        self.max_5xx_increase = max_5xx_increase
        self.max_total_error_increase = max_total_error_increase
        self.max_5xx_rate = max_5xx_rate
        self.require_data = require_data
        self.period = period
        if client is not None:
            borrowed = client._core.options
            options = dataclasses.replace(
                borrowed, region_name=REGION, endpoint_url=endpoint_url or borrowed.endpoint_url
            )
            session = session or client._core.session
            retry = retry or client.retry_policy
        else:
            options = ClientOptions(
                region_name=REGION,
                endpoint_url=endpoint_url,
                profile_name=profile_name,
                aws_access_key_id=aws_access_key_id,
                aws_secret_access_key=aws_secret_access_key,
                aws_session_token=aws_session_token,
            )
        self._core = ServiceCore("cloudwatch", options, session)
        self._retry = retry or RetryPolicy()

    async def __aenter__(self) -> Self:
        await self._core.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._core.close()

    async def error_rates(
        self, *distribution_ids: str, end: datetime | None = None
    ) -> list[ErrorRates]:
        """Each distribution's average 5xxErrorRate and TotalErrorRate over the window ending
        at ``end`` (default: now), in one GetMetricData."""
        until = end or datetime.now(UTC)
        queries: list[dict[str, Any]] = []
        for index, distribution_id in enumerate(distribution_ids):
            for metric, tag in ((FIVE_XX, "f"), (TOTAL, "t")):
                queries.append(
                    {
                        "Id": f"{tag}{index}",
                        "MetricStat": {
                            "Metric": {
                                "Namespace": NAMESPACE,
                                "MetricName": metric,
                                "Dimensions": [
                                    {"Name": "DistributionId", "Value": distribution_id},
                                    {"Name": "Region", "Value": "Global"},
                                ],
                            },
                            "Period": self.period,
                            "Stat": "Average",
                        },
                        "ReturnData": True,
                    }
                )
        values: dict[str, list[Any]] = {query["Id"]: [] for query in queries}
        token: str | None = None
        while True:
            params: dict[str, Any] = {
                "MetricDataQueries": queries,
                "StartTime": until - timedelta(seconds=self.window),
                "EndTime": until,
            }
            if token:
                params["NextToken"] = token
            reply = await self._core.send("GetMetricData", params, retry=self._retry)
            for result in reply.get("MetricDataResults") or []:
                found = values.get(str(result.get("Id")))
                if found is None:
                    raise UnexpectedResponseError(
                        f"GetMetricData answered a query not asked: {result.get('Id')!r}"
                    )
                found.extend(result.get("Values") or [])
            token = reply.get("NextToken")
            if not token:
                break
        return [
            ErrorRates(
                distribution_id,
                five_xx=_mean(values[f"f{index}"]),
                total=_mean(values[f"t{index}"]),
            )
            for index, distribution_id in enumerate(distribution_ids)
        ]

    def judge(self, staging: ErrorRates, primary: ErrorRates) -> GateVerdict:
        """The verdict for these rates (no request)."""
        if staging.five_xx is None and staging.total is None:
            if self.require_data:
                return GateVerdict(
                    False, f"no {FIVE_XX}/{TOTAL} datapoints for staging {staging.distribution_id}"
                )
            return GateVerdict(True, "no datapoints for staging (require_data=False)")
        problems: list[str] = []
        checks = (
            (FIVE_XX, staging.five_xx, primary.five_xx, self.max_5xx_increase),
            (TOTAL, staging.total, primary.total, self.max_total_error_increase),
        )
        for metric, ours, theirs, allowed in checks:
            if ours is None:
                continue
            baseline = theirs or 0.0
            if ours - baseline > allowed:
                problems.append(
                    f"staging {metric} {ours:.3g}% exceeds primary's {baseline:.3g}% by more "
                    f"than {allowed:g} points"
                )
        if (
            self.max_5xx_rate is not None
            and staging.five_xx is not None
            and staging.five_xx > self.max_5xx_rate
        ):
            problems.append(
                f"staging {FIVE_XX} {staging.five_xx:.3g}% is above {self.max_5xx_rate:g}%"
            )
        if problems:
            return GateVerdict(False, "; ".join(problems))
        return GateVerdict(
            True,
            f"staging {FIVE_XX} {staging.five_xx}, {TOTAL} {staging.total}; primary "
            f"{primary.five_xx}, {primary.total}",
        )

    async def __call__(self, step: RolloutStep) -> GateVerdict:
        """Fetch both distributions' rates over the window and judge them."""
        staging, primary = await self.error_rates(step.staging_id, step.primary_id)
        return self.judge(staging, primary)
