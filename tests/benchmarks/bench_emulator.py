"""How much the emulator adds to a raw aiobotocore call.

Each case makes the same call with the same client settings against the emulator and against a
trivial aiohttp server that answers with the emulator's own reply, recorded once, byte for
byte. The ratio of the two per-call times is what the emulator costs over a canned reply (the
target is at most about 1.5). Rounds alternate between the two servers so drift hits both, and
the best round of each counts: on a shared machine the slow rounds measure the neighbours.

Run: ``python -m tests.benchmarks.bench_emulator [--calls 300] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiobotocore.session import AioSession, get_session

from cdnkit.testing import ClientKwargs, Emulator

from ._servers import CannedServer, Key, Recorded, record

Call = Callable[[Any], Awaitable[Any]]


@dataclass
class Case:
    name: str
    service: str
    call: Call


async def record_case(session: AioSession, emu: Emulator, case: Case) -> dict[Key, Recorded]:
    """The emulator's reply to one call of ``case``, exactly as sent, by request."""
    async with session.create_client(case.service, **emu.client_kwargs()) as client:  # type: ignore[call-overload]  # service chosen at run time
        return await record([client], lambda: case.call(client))


async def per_call(session: AioSession, kwargs: ClientKwargs, case: Case, calls: int) -> float:
    async with session.create_client(case.service, **kwargs) as client:  # type: ignore[call-overload]  # service chosen at run time
        for _ in range(20):  # warm up: connection pool, caches
            await case.call(client)
        start = time.perf_counter()
        for _ in range(calls):
            await case.call(client)
        return (time.perf_counter() - start) / calls


async def run(calls: int, rounds: int) -> float:
    session = get_session()
    async with Emulator() as emu:
        async with session.create_client("cloudfront", **emu.client_kwargs()) as cloudfront:
            created = await cloudfront.create_key_value_store(Name="bench", Comment="benchmark")
            for name in ("a", "b", "c"):
                await cloudfront.create_key_value_store(Name=f"bench-{name}")
        arn = created["KeyValueStore"]["ARN"]
        emu.clock.advance(emu.timing.key_value_store_provisioning + 1)
        store = emu.state.key_value_stores[arn]
        store.items.update({f"key-{n}": f"value-{n}" for n in range(20)})

        cases = [
            Case(
                "lightsail GetDistributionBundles (JSON 1.1)",
                "lightsail",
                lambda c: c.get_distribution_bundles(),
            ),
            Case(
                "cloudfront ListKeyValueStores (REST-XML)",
                "cloudfront",
                lambda c: c.list_key_value_stores(),
            ),
            Case(
                "kvs ListKeys (REST-JSON, SigV4A)",
                "cloudfront-keyvaluestore",
                lambda c: c.list_keys(KvsARN=arn, MaxResults=10),
            ),
        ]
        ratios: list[float] = []
        print(f"{'case':46} {'canned us':>10} {'emulator us':>12} {'ratio':>6}")
        for case in cases:
            canned = CannedServer()
            canned.replies.update(await record_case(session, emu, case))
            await canned.start()
            canned_kwargs = emu.client_kwargs()
            canned_kwargs["endpoint_url"] = f"http://localhost:{canned.port}"
            canned_times: list[float] = []
            emulator_times: list[float] = []
            try:
                for _ in range(rounds):
                    canned_times.append(await per_call(session, canned_kwargs, case, calls))
                    emulator_times.append(await per_call(session, emu.client_kwargs(), case, calls))
            finally:
                await canned.stop()
            canned_time = min(canned_times)
            emulator_time = min(emulator_times)
            ratio = emulator_time / canned_time
            ratios.append(ratio)
            print(
                f"{case.name:46} {canned_time * 1e6:10.0f} {emulator_time * 1e6:12.0f} {ratio:6.2f}"
            )
        overall = statistics.geometric_mean(ratios)
        print(f"{'overall (geometric mean)':46} {'':10} {'':12} {overall:6.2f}")
        return overall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=300, help="calls per round and server")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per server")
    args = parser.parse_args()
    asyncio.run(run(args.calls, args.rounds))


if __name__ == "__main__":
    main()
