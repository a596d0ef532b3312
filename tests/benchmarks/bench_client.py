"""What cdnkit adds over a raw aiobotocore call, against the emulator, in the same run.

Each case makes the same Lightsail call through ``cdnkit.Lightsail`` (request model, retry
layer, rate limiter, response model) and through a raw aiobotocore client with the same
settings. Rounds alternate between the two so drift hits both; the best round of each counts
(on a shared machine the slow rounds measure the neighbours). Then a burst of concurrent calls
runs each way under ``tracemalloc`` to compare peak memory; the emulator runs in this process,
so its own allocations are in both peaks.

Run: ``python -m tests.benchmarks.bench_client [--calls 300] [--rounds 5] [--burst 500]``
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiobotocore.session import AioSession

import cdnkit
from cdnkit.testing import Emulator
from cdnkit.types import lightsail as ls

Call = Callable[[], Awaitable[object]]


@dataclass
class Case:
    name: str
    through_cdnkit: Call
    raw: Call


async def per_call(call: Call, calls: int) -> float:
    for _ in range(20):  # warm up: connection pool, validators, caches
        await call()
    start = time.perf_counter()
    for _ in range(calls):
        await call()
    return (time.perf_counter() - start) / calls


async def peak_memory(call: Call, burst: int) -> int:
    """Peak bytes allocated while ``burst`` calls run concurrently."""
    await call()  # first-use allocations (models, validators) are not the burst's
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        await asyncio.gather(*(call() for _ in range(burst)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base


async def run(calls: int, rounds: int, burst: int) -> None:
    session = AioSession()
    async with Emulator() as emu:
        kwargs = emu.client_kwargs()
        async with (
            cdnkit.Lightsail(**kwargs, session=session) as kit,
            session.create_client("lightsail", **kwargs) as raw,
        ):
            created = await kit.distributions.create(
                "site",
                origin=ls.InputOrigin(name="web-1", region_name="us-east-1"),
                default_cache_behavior=ls.CacheBehavior(behavior="cache"),
                bundle_id="small_1_0",
                wait=True,
            )
            operation_id = created.operation.id

            cases = [
                Case(
                    "GetDistributions (one name)",
                    lambda: kit.distributions.get("site"),
                    lambda: raw.get_distributions(distributionName="site"),
                ),
                Case(
                    "GetOperation",
                    lambda: kit.operations.get(operation_id),
                    lambda: raw.get_operation(operationId=operation_id),
                ),
                Case(
                    "GetDistributionBundles",
                    kit.distributions.bundles,
                    raw.get_distribution_bundles,
                ),
            ]

            print(f"per call, best of {rounds} rounds of {calls} sequential calls")
            print(f"{'call':<30} {'cdnkit':>10} {'raw':>10} {'ratio':>7}")
            for case in cases:
                ours: list[float] = []
                theirs: list[float] = []
                for _ in range(rounds):
                    ours.append(await per_call(case.through_cdnkit, calls))
                    theirs.append(await per_call(case.raw, calls))
                best_ours, best_theirs = min(ours), min(theirs)
                print(
                    f"{case.name:<30} {best_ours * 1e3:>8.3f}ms {best_theirs * 1e3:>8.3f}ms"
                    f" {best_ours / best_theirs:>7.2f}"
                )

            print(f"\npeak memory of a burst of {burst} concurrent calls (tracemalloc)")
            print(f"{'call':<30} {'cdnkit':>10} {'raw':>10} {'ratio':>7}")
            for case in cases:
                peak_ours = await peak_memory(case.through_cdnkit, burst)
                peak_theirs = await peak_memory(case.raw, burst)
                print(
                    f"{case.name:<30} {peak_ours / 2**20:>8.2f}MB {peak_theirs / 2**20:>8.2f}MB"
                    f" {peak_ours / peak_theirs:>7.2f}"
                )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=300, help="sequential calls per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--burst", type=int, default=500, help="concurrent calls for memory")
    options: Any = parser.parse_args(argv)
    asyncio.run(run(options.calls, options.rounds, options.burst))


if __name__ == "__main__":
    main()
