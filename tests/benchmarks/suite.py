"""Every figure of issue 9's table, cdnkit against raw aiobotocore, interleaved.

``python -m tests.benchmarks [--quick] [--rounds N] [--calls N] [--only GROUP,...]
[--output docs/benchmarks.md]``

Per-call figures run many short rounds. The two sides alternate A-B, then B-A, so a pair of
rounds sees a drift of the machine's speed on both sides alike; each pair gives one ratio
(cdnkit / raw for times and memory, raw / cdnkit for throughput, so above 1 is always "cdnkit
costs more"), and a figure is the median of its pairs' ratios with their interquartile range,
the median of the first and of the second half of the pairs (how stable it is), and the ratio
of the best rounds. Calls go to the emulator (in this process), to a canned aiohttp handler
that answers each operation with a recorded reply (the client side alone), or to no server at
all: the "own time" group replaces the aiobotocore clients' operation methods with ones that
return a recorded reply, so what is left is cdnkit's own time. Cold start and peak RSS run in
new processes against the emulator of this process.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import itertools
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import time
import tracemalloc
import typing
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from botocore import xform_name

import cdnkit
from cdnkit._core import ClientOptions, ServiceCore, poll
from cdnkit.resources.cloudfront import distribution_config
from cdnkit.testing import Emulator, LoopbackResolver, Timing
from cdnkit.types import cloudfront as cft
from cdnkit.types import lightsail as ls

from . import _instructions
from ._servers import CannedServer, cloudfront_list_items, json_items, record
from ._virtual_time import VirtualTimeLoop

ROOT = Path(__file__).resolve().parents[2]
Call = Callable[[], Awaitable[object]]

#: What ``--only`` chooses from, in the order they run.
GROUPS = ("emulator", "throughput", "canned", "own", "instructions", "big", "cold", "waits")
#: What a run without ``--only`` runs: counting instructions needs valgrind and about ten
#: minutes, so it is asked for by name.
DEFAULT_GROUPS = tuple(group for group in GROUPS if group != "instructions")


@dataclasses.dataclass(frozen=True)
class Settings:
    rounds: int  # rounds per per-call figure, an even number (pairs: A-B then B-A)
    calls: int  # sequential calls per round and side, on a server
    own_calls: int  # sequential calls per round and side, on recorded replies (no server)
    burst: int  # concurrent calls for throughput
    burst_rounds: int
    big_rounds: int  # rounds with 1,000-item replies
    big_calls: int  # calls per round with 1,000-item replies
    cold_runs: int  # new processes per program
    wait_step: int  # T from 1 to 900 s in steps of this
    big_items: int  # items in the big replies
    warm: int  # untimed calls per side before a figure

    @classmethod
    def full(cls, rounds: int = 80, calls: int = 10) -> Settings:
        return cls(
            rounds=rounds + rounds % 2,
            calls=calls,
            own_calls=5 * calls,
            burst=500,
            burst_rounds=6,
            big_rounds=20,
            big_calls=1,
            cold_runs=20,
            wait_step=1,
            big_items=1000,
            warm=20,
        )

    @classmethod
    def quick(cls) -> Settings:
        return cls(
            rounds=2,
            calls=3,
            own_calls=5,
            burst=20,
            burst_rounds=2,
            big_rounds=2,
            big_calls=1,
            cold_runs=1,
            wait_step=149,
            big_items=20,
            warm=1,
        )


def pair_ratios(ours: list[float], theirs: list[float]) -> list[float]:
    """One ratio per pair of rounds (cdnkit first, then raw first): a drift of the machine's
    speed that is about linear over the pair lands on both sides alike and cancels."""
    return [
        sum(ours[start : start + 2]) / sum(theirs[start : start + 2])
        for start in range(0, len(ours), 2)
    ]


@dataclasses.dataclass(frozen=True)
class Figure:
    group: str
    name: str
    ratios: list[float]  # one per pair of rounds (or per run), in the order measured
    ours: float  # median of cdnkit's measure
    theirs: float  # median of raw aiobotocore's
    unit: str
    target: str
    #: cdnkit's best round over raw's best round (what neighbours' load disturbs least).
    best: float | None = None
    #: Shown instead of ``ours`` / ``theirs`` (the own-time group says what it shows).
    ours_text: str | None = None
    theirs_text: str | None = None
    #: The median pair ratio on the wall clock (the ratio itself is on CPU time).
    wall: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    @property
    def quartiles(self) -> tuple[float, float]:
        return _quartiles(self.ratios)

    @property
    def halves(self) -> tuple[float, float] | None:
        """Median ratio of the first half of the pairs and of the second half: two
        independent estimates, as far apart as the figure is unstable."""
        half = len(self.ratios) // 2
        if half == 0:
            return None
        return statistics.median(self.ratios[:half]), statistics.median(self.ratios[-half:])

    def row(self) -> str:
        low, high = self.quartiles
        halves = "" if self.halves is None else "{:.2f} / {:.2f}".format(*self.halves)
        ours = self.ours_text or _show(self.ours, self.unit)
        theirs = self.theirs_text or _show(self.theirs, self.unit)
        best = "" if self.best is None else f"{self.best:.2f}x"
        wall = "" if self.wall is None else f"{self.wall:.2f}x"
        return (
            f"| {self.group} | {self.name} | {ours} | {theirs} | **{self.median:.2f}x** "
            f"({low:.2f}-{high:.2f}) | {halves} | {best} | {wall} | {self.target} |"
        )


def _quartiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return values[0], values[0]
    low, _, high = statistics.quantiles(values, n=4, method="inclusive")
    return low, high


def _show(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1e3:.1f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "us":
        return f"{value * 1e6:.0f} us" if value >= 1e-5 else f"{value * 1e6:.1f} us"
    if unit == "MB":
        return f"{value / 2**20:.1f} MB"
    if unit == "instr":
        return f"{value / 1e6:.2f} M instructions"
    if unit == "calls/s":
        return f"{value:.0f} calls/s"
    return f"{value:g} {unit}"


class _PerCall(typing.TypedDict):
    rounds: int
    calls: int
    warm: int


@dataclasses.dataclass
class Pair:
    name: str
    ours: Call
    raw: Call


@dataclasses.dataclass
class Times:
    """Seconds per call, one per round: this process's CPU time (user and system) and the
    wall clock."""

    cpu: list[float] = dataclasses.field(default_factory=list)
    wall: list[float] = dataclasses.field(default_factory=list)


async def _timed(call: Call, calls: int, times: Times) -> None:
    # The servers run in this process: its CPU time counts both ends of a call, and not the
    # time other processes of a shared machine take the core (the wall clock does).
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(calls):
        await call()
    times.cpu.append((time.process_time() - cpu) / calls)
    times.wall.append((time.perf_counter() - wall) / calls)


async def _rounds(
    blocks: list[tuple[Call, int]], rounds: int, *, settle: bool = False
) -> list[Times]:
    """Seconds per call of each block, per round; the blocks run in order in even rounds and
    in reverse order in odd ones. ``settle``: a full garbage collection (untimed) before each
    block, so that neither side pays for what the other left (large replies: one collection
    of a large heap costs as much as a call)."""
    times = [Times() for _ in blocks]
    order = list(range(len(blocks)))
    for number in range(rounds):
        for index in order if number % 2 == 0 else order[::-1]:
            call, calls = blocks[index]
            if settle:
                gc.collect()
            await _timed(call, calls, times[index])
    return times


async def interleaved(
    pair: Pair,
    group: str,
    target: str,
    *,
    rounds: int,
    calls: int,
    warm: int,
    settle: bool = False,
) -> Figure:
    """Per-call time, in pairs of rounds (cdnkit first, then raw first)."""
    for _ in range(warm):  # warm up both: pools, validators, caches
        await pair.ours()
        await pair.raw()
    ours, theirs = await _rounds([(pair.ours, calls), (pair.raw, calls)], rounds, settle=settle)
    return Figure(
        group,
        pair.name,
        pair_ratios(ours.cpu, theirs.cpu),
        statistics.median(ours.cpu),
        statistics.median(theirs.cpu),
        "us",
        target,
        best=min(ours.cpu) / min(theirs.cpu),
        wall=statistics.median(pair_ratios(ours.wall, theirs.wall)),
    )


@dataclasses.dataclass
class OwnIntent:
    """One intent three ways: cdnkit and raw on clients answering with recorded replies, and
    raw on the canned server (what the own time is compared with)."""

    name: str
    ours: Call
    raw: Call
    canned: Call
    #: Requests the clients of ``ours`` and ``raw`` have sent so far.
    sent: Callable[[], int]


async def own_time(intent: OwnIntent, settings: Settings, target: str) -> Figure:
    """cdnkit's own time per call (cdnkit on recorded replies minus raw on recorded replies,
    per round) and (raw on the canned server + cdnkit's own) / raw on the canned server.

    Raises RuntimeError if a call on recorded replies sent a request after the warm-up (the
    figure would not be cdnkit's own time)."""
    for _ in range(settings.warm):
        await intent.ours()
        await intent.raw()
        await intent.canned()
    sent = intent.sent()
    ours_times, raw_times, canned_times = await _rounds(
        [
            (intent.ours, settings.own_calls),
            (intent.raw, settings.own_calls),
            (intent.canned, settings.calls),
        ],
        settings.rounds,
    )
    if intent.sent() != sent:
        raise RuntimeError(f"own time, {intent.name}: a call on recorded replies sent a request")

    def with_own(clock: str) -> list[float]:
        """Raw's time on the canned server plus cdnkit's own time, per round."""
        ours, raw, canned = (getattr(t, clock) for t in (ours_times, raw_times, canned_times))
        return [c + a - b for a, b, c in zip(ours, raw, canned, strict=True)]

    ours, raw, canned = ours_times.cpu, raw_times.cpu, canned_times.cpu
    own = [a - b for a, b in zip(ours, raw, strict=True)]
    low, high = _quartiles(own)
    return Figure(
        "own time",
        intent.name,
        pair_ratios(with_own("cpu"), canned),
        statistics.median(own),
        statistics.median(canned),
        "us",
        target,
        best=(min(canned) + min(own)) / min(canned),
        wall=statistics.median(pair_ratios(with_own("wall"), canned_times.wall)),
        ours_text=(
            f"{_show(statistics.median(own), 'us')} own ({_show(low, 'us')}-{_show(high, 'us')})"
        ),
        theirs_text=(
            f"{_show(statistics.median(canned), 'us')} canned "
            f"({_show(statistics.median(raw), 'us')} on replies)"
        ),
    )


async def throughput(pair: Pair, settings: Settings, target: str) -> Figure:
    async def burst() -> object:
        return await asyncio.gather(*(pair.ours() for _ in range(settings.burst)))

    async def raw_burst() -> object:
        return await asyncio.gather(*(pair.raw() for _ in range(settings.burst)))

    await burst()
    await raw_burst()
    ours, theirs = await _rounds([(burst, 1), (raw_burst, 1)], settings.burst_rounds)
    name = f"{settings.burst} concurrent calls ({pair.name}), equal pools of 10"
    return Figure(
        "throughput",
        name,
        pair_ratios(ours.cpu, theirs.cpu),  # burst times: above 1, cdnkit's rate is lower
        settings.burst / statistics.median(ours.cpu),
        settings.burst / statistics.median(theirs.cpu),
        "calls/s",
        target,
        best=min(ours.cpu) / min(theirs.cpu),
        wall=statistics.median(pair_ratios(ours.wall, theirs.wall)),
    )


async def kept_memory(keep_ours: Call, keep_raw: Call, name: str) -> Figure:
    """Bytes still allocated after keeping the result of one call (tracemalloc)."""

    async def kept(call: Call) -> float:
        gc.collect()
        tracemalloc.start()
        try:
            before, _ = tracemalloc.get_traced_memory()
            result = await call()
            gc.collect()
            after, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        del result
        return float(after - before)

    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(2):  # allocation counts hardly vary: two runs show that they do not
        ours.append(await kept(keep_ours))
        theirs.append(await kept(keep_raw))
    return Figure(
        "memory",
        f"kept results: {name}",
        [a / b for a, b in zip(ours, theirs, strict=True)],
        statistics.median(ours),
        statistics.median(theirs),
        "MB",
        "<= 1.5x",
    )


# -- the world the calls run in -----------------------------------------------------------------


@dataclasses.dataclass
class World:
    emu: Emulator
    session: AioSession
    operation_id: str
    distribution_id: str
    store_arn: str


def _site_config() -> cft.DistributionConfig:
    return distribution_config(
        origins=[
            cft.Origin(
                id="web",
                domain_name="www.example.com",
                custom_origin_config=cft.CustomOriginConfig(
                    http_port=80, https_port=443, origin_protocol_policy="https-only"
                ),
            )
        ],
        default_cache_behavior=cft.DefaultCacheBehavior(
            target_origin_id="web",
            viewer_protocol_policy="redirect-to-https",
            cache_policy_id="658327ea-f89d-4fab-a63d-7e88639e58f6",
        ),
        comment="bench",
    )


async def prepare(emu: Emulator, session: AioSession) -> World:
    async with (
        cdnkit.Lightsail(**emu.client_kwargs(), session=session) as kit,
        cdnkit.CloudFront(**emu.client_kwargs(), session=session) as cf,
    ):
        created = await kit.distributions.create(
            "site",
            origin=ls.InputOrigin(name="web-1", region_name="us-east-1"),
            default_cache_behavior=ls.CacheBehavior(behavior="cache"),
            bundle_id="small_1_0",
            wait=True,
        )
        distribution = await cf.distributions.create(_site_config(), wait=True)
        store = await cf.key_value_stores.create("bench", wait=True)
        arn = store.key_value_store.arn
        await cf.key_value_stores.keys(arn).put("k", "v")
    return World(emu, session, created.operation.id, distribution.distribution.id, arn)


def _kwargs(endpoint: str, emu: Emulator, pool: int = 10) -> dict[str, Any]:
    return {
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "aws_access_key_id": emu.access_key_id,
        "aws_secret_access_key": emu.secret_access_key,
        "config": AioConfig(
            retries={"total_max_attempts": 1},
            max_pool_connections=pool,
            connector_args={"resolver": LoopbackResolver()},
        ),
    }


# One count for the whole run: a value set never comes back, so each update is a real change
# also against a recorded reply (which holds a value set earlier). Otherwise cdnkit would skip
# the write, or read instead (a request no canned server knows).
_values = itertools.count()


def _next_page() -> str:
    return f"page-{next(_values)}.html"


def _next_comment() -> str:
    return f"bench {next(_values)}"


def replay_replies(client: Any) -> None:
    """Replace each operation method of one aiobotocore client object (that object only: the
    class and the modules are left alone) by one that sends the first call as usual, keeps its
    reply, and answers every later call with a fresh top-level copy of it (botocore gives a new
    dict per call) without building, signing or sending a request."""
    for operation in client.meta.service_model.operation_names:
        name = xform_name(operation)
        setattr(client, name, _replaying(getattr(client, name)))


def _replaying(send: Callable[..., Awaitable[dict[str, Any]]]) -> Callable[..., Any]:
    kept: dict[str, Any] | None = None

    async def method(**params: Any) -> dict[str, Any]:
        nonlocal kept
        if kept is None:
            kept = await send(**params)
        return dict(kept)

    return method


class Clients:
    """cdnkit and raw clients for one endpoint, with the same settings."""

    def __init__(self, world: World, endpoint: str) -> None:
        self.world = world
        self.kwargs = _kwargs(endpoint, world.emu)
        self.kit = cdnkit.Lightsail(**self.kwargs, session=world.session)
        self.cf = cdnkit.CloudFront(**self.kwargs, session=world.session)
        self.raw: dict[str, Any] = {}
        self._contexts: list[Any] = []

    async def __aenter__(self) -> Clients:
        await self.kit.__aenter__()
        await self.cf.__aenter__()
        for service in ("lightsail", "cloudfront", "cloudfront-keyvaluestore"):
            context = self.world.session.create_client(service, **self.kwargs)
            self._contexts.append(context)
            self.raw[service] = await context.__aenter__()
        return self

    async def replay(self) -> None:
        """Make every client answer each operation with the reply its next call gets (see
        :func:`replay_replies`), cdnkit's (the KVS data plane's opened first) and raw's."""
        await self.cf.key_value_stores.keys(self.world.store_arn).get("k")
        for client in (
            self.kit._core.client,
            self.cf._core.client,
            self.cf._data_plane.client,
            *self.raw.values(),
        ):
            replay_replies(client)

    async def __aexit__(self, *exc: object) -> None:
        for context in self._contexts:
            await context.__aexit__(None, None, None)
        await self.cf.__aexit__(None, None, None)
        await self.kit.__aexit__(None, None, None)

    def per_call_pairs(self) -> list[Pair]:
        world, kit, cf, raw = self.world, self.kit, self.cf, self.raw
        keys = cf.key_value_stores.keys(world.store_arn)

        # A new root object every call, on either side: every call is a real change, so both
        # send an update.
        async def ours_update() -> object:
            return await kit.distributions.update("site", default_root_object=_next_page())

        async def raw_update() -> object:
            return await raw["lightsail"].update_distribution(
                distributionName="site", defaultRootObject=_next_page()
            )

        return [
            Pair(
                "Lightsail GetDistributions",
                lambda: kit.distributions.get("site"),
                lambda: raw["lightsail"].get_distributions(distributionName="site"),
            ),
            Pair(
                "Lightsail GetOperation",
                lambda: kit.operations.get(world.operation_id),
                lambda: raw["lightsail"].get_operation(operationId=world.operation_id),
            ),
            Pair("Lightsail UpdateDistribution", ours_update, raw_update),
            Pair(
                "CloudFront GetDistributionConfig",
                lambda: cf.distributions.get_config(world.distribution_id),
                lambda: raw["cloudfront"].get_distribution_config(Id=world.distribution_id),
            ),
            Pair(
                "KVS GetKey",
                lambda: keys.get("k"),
                lambda: raw["cloudfront-keyvaluestore"].get_key(KvsARN=world.store_arn, Key="k"),
            ),
        ]

    def read_modify_write(self) -> Pair:
        world, cf, raw = self.world, self.cf, self.raw["cloudfront"]

        def mutate(config: cft.DistributionConfig) -> None:
            config.comment = _next_comment()

        async def ours() -> object:
            return await cf.distributions.update(world.distribution_id, mutate=mutate)

        async def theirs() -> object:
            current = await raw.get_distribution_config(Id=world.distribution_id)
            config = current["DistributionConfig"]
            config["Comment"] = _next_comment()
            return await raw.update_distribution(
                Id=world.distribution_id, IfMatch=current["ETag"], DistributionConfig=config
            )

        return Pair("CloudFront update by read-modify-write", ours, theirs)


async def canned_server(
    world: World, pairs_of: Callable[[Clients], list[Pair]], shape: Callable[[Any, Any], Any]
) -> CannedServer:
    """A canned server holding the emulator's replies to one raw call of each pair, each
    passed through ``shape(key, reply)``."""
    canned = CannedServer()
    async with Clients(world, world.emu.client_endpoint_url) as clients:
        for pair in pairs_of(clients):
            replies = await record(list(clients.raw.values()), pair.raw)
            canned.replies.update({key: shape(key, reply) for key, reply in replies.items()})
    await canned.start()
    return canned


def _as_is(_: Any, reply: Any) -> Any:
    return reply


def _big(items: int) -> Callable[[Any, Any], Any]:
    def shape(key: Any, reply: Any) -> Any:
        _method, path, target = key
        if target.endswith("GetDistributions"):
            return json_items(reply, "distributions", items, "name")
        if path.endswith("/distribution"):
            return cloudfront_list_items(reply, items)
        if path.endswith("/keys"):
            return json_items(reply, "Items", items, "Key")
        return reply

    return shape


def big_pairs(clients: Clients) -> list[Pair]:
    world, kit, cf, raw = clients.world, clients.kit, clients.cf, clients.raw
    keys = cf.key_value_stores.keys(world.store_arn)

    async def ls_ours() -> object:
        return [d async for d in kit.distributions.list()]

    async def cf_ours() -> object:
        return [d async for d in cf.distributions.list()]

    async def kvs_ours() -> object:
        return [item async for item in keys.list()]

    return [
        Pair("GetDistributions", ls_ours, lambda: raw["lightsail"].get_distributions()),
        Pair("ListDistributions", cf_ours, lambda: raw["cloudfront"].list_distributions()),
        Pair(
            "ListKeys",
            kvs_ours,
            lambda: raw["cloudfront-keyvaluestore"].list_keys(KvsARN=world.store_arn),
        ),
    ]


# -- cold start and peak RSS, in new processes --------------------------------------------------

_PROGRAM_HEAD = """\
import time
_started = time.perf_counter()
_cpu_started = time.process_time()
import asyncio
import resource
import sys
ENDPOINT, KEY, SECRET = sys.argv[1:4]
"""
_PROGRAM_TAIL = """
asyncio.run(main())
_seconds = time.perf_counter() - _started
_cpu = time.process_time() - _cpu_started
# VmHWM: this process's own peak (ru_maxrss keeps the forking parent's across exec on Linux).
try:
    with open("/proc/self/status") as status:
        _peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
except OSError:
    _peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(_seconds, _peak, _cpu)
"""
PROGRAMS: dict[str, str] = {
    "cdnkit Lightsail": """
import cdnkit
async def main():
    async with cdnkit.Lightsail(endpoint_url=ENDPOINT, aws_access_key_id=KEY,
                                aws_secret_access_key=SECRET) as kit:
        await kit.distributions.bundles()
""",
    "raw Lightsail": """
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
async def main():
    async with get_session().create_client(
        "lightsail", region_name="us-east-1", endpoint_url=ENDPOINT, aws_access_key_id=KEY,
        aws_secret_access_key=SECRET, config=AioConfig(retries={"total_max_attempts": 1}),
    ) as client:
        await client.get_distribution_bundles()
""",
    "cdnkit CloudFront": """
import cdnkit
async def main():
    async with cdnkit.CloudFront(endpoint_url=ENDPOINT, aws_access_key_id=KEY,
                                 aws_secret_access_key=SECRET) as cf:
        await cf.distributions.get_config(sys.argv[4])
""",
    "raw CloudFront": """
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
async def main():
    async with get_session().create_client(
        "cloudfront", region_name="us-east-1", endpoint_url=ENDPOINT, aws_access_key_id=KEY,
        aws_secret_access_key=SECRET, config=AioConfig(retries={"total_max_attempts": 1}),
    ) as client:
        await client.get_distribution_config(Id=sys.argv[4])
""",
    "cdnkit both": """
import cdnkit
async def main():
    options = dict(endpoint_url=ENDPOINT, aws_access_key_id=KEY, aws_secret_access_key=SECRET)
    async with cdnkit.Lightsail(**options) as kit, cdnkit.CloudFront(**options) as cf:
        await kit.distributions.bundles()
        await cf.distributions.get_config(sys.argv[4])
""",
    "raw both": """
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
async def main():
    session = get_session()
    options = dict(region_name="us-east-1", endpoint_url=ENDPOINT, aws_access_key_id=KEY,
                   aws_secret_access_key=SECRET,
                   config=AioConfig(retries={"total_max_attempts": 1}))
    async with session.create_client("lightsail", **options) as lightsail, \\
            session.create_client("cloudfront", **options) as cloudfront:
        await lightsail.get_distribution_bundles()
        await cloudfront.get_distribution_config(Id=sys.argv[4])
""",
}


# The floor any pydantic-based wrapper starts from: raw's program, also importing pydantic and
# building one model (what cdnkit's own code and models add is above this).
PROGRAMS["pydantic CloudFront"] = """
import pydantic
class Model(pydantic.BaseModel):
    number: int
Model(number=1)
""" + PROGRAMS["raw CloudFront"]


def _child_environment() -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("AWS_") and name != "PYTHONDONTWRITEBYTECODE"
    }
    environment["AWS_EC2_METADATA_DISABLED"] = "true"
    environment["AWS_CONFIG_FILE"] = os.devnull
    environment["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    environment["PYTHONPATH"] = str(ROOT)
    return environment


@dataclasses.dataclass(frozen=True)
class Run:
    """One program's run: from interpreter start to after the first call."""

    wall: float  # seconds
    cpu: float  # the process's CPU seconds
    peak: float  # peak RSS, bytes


def _program_command(name: str, world: World) -> list[str]:
    """The command line of a cold-start program (see PROGRAMS)."""
    source = _PROGRAM_HEAD + textwrap.dedent(PROGRAMS[name]) + _PROGRAM_TAIL
    return [
        sys.executable,
        "-c",
        source,
        world.emu.client_endpoint_url,
        world.emu.access_key_id,
        world.emu.secret_access_key,
        world.distribution_id,
    ]


async def run_program(name: str, world: World) -> Run:
    process = await asyncio.create_subprocess_exec(
        *_program_command(name, world),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_child_environment(),
        cwd=ROOT,
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{name} failed: {err.decode()[-2000:]}")
    seconds, rss_kib, cpu = out.split()
    return Run(float(seconds), float(cpu), float(rss_kib) * 1024)  # KiB, both ways


async def in_new_processes(world: World, settings: Settings) -> list[Figure]:
    figures: list[Figure] = []
    for program in PROGRAMS:  # untimed first run: every module's bytecode is cached
        if settings.warm > 1:  # (the quick run relies on what earlier runs cached)
            await run_program(program, world)
    comparisons = (
        ("Lightsail", "cdnkit Lightsail", "raw Lightsail", "<= 1.15x"),
        ("CloudFront", "cdnkit CloudFront", "raw CloudFront", "<= 1.15x"),
        ("pydantic", "pydantic CloudFront", "raw CloudFront", ""),
        ("both", "cdnkit both", "raw both", ""),
    )
    for what, mine, raw, target in comparisons:
        ours: list[Run] = []
        theirs: list[Run] = []
        # Peak RSS hardly varies from run to run: two runs show that it does not.
        runs = settings.cold_runs if what != "both" else min(2, settings.cold_runs)
        for number in range(runs):
            order = [mine, raw]
            for program in order if number % 2 == 0 else order[::-1]:
                (ours if program == mine else theirs).append(await run_program(program, world))
        if what != "both":
            figures.append(
                Figure(
                    "cold start",
                    f"{what}-only program: import, client, first call"
                    if what != "pydantic"
                    else "floor: raw's CloudFront program, also importing pydantic and "
                    "building one model (no cdnkit)",
                    pair_ratios([a.cpu for a in ours], [b.cpu for b in theirs]),
                    statistics.median(a.cpu for a in ours),
                    statistics.median(b.cpu for b in theirs),
                    "s",
                    target,
                    best=min(a.cpu for a in ours) / min(b.cpu for b in theirs),
                    wall=statistics.median(
                        pair_ratios([a.wall for a in ours], [b.wall for b in theirs])
                    ),
                )
            )
        else:
            figures.append(
                Figure(
                    "memory",
                    "peak RSS: both clients, one call each",
                    [a.peak / b.peak for a, b in zip(ours, theirs, strict=True)],
                    statistics.median(a.peak for a in ours),
                    statistics.median(b.peak for b in theirs),
                    "MB",
                    "<= 1.15x",
                )
            )
    return figures


# -- waits on an emulated clock -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class WaitFigures:
    worst_late: float  # seconds, at worst_t
    worst_t: int
    worst_share: float  # lateness / (0.1 T + 1), at its worst
    polls: dict[int, int]


async def _seen(core: ServiceCore, change: float) -> tuple[float, int]:
    """(seconds late, polls) for a change that completes ``change`` s after the wait starts."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    polls = 0

    async def fetch() -> bool:
        nonlocal polls
        polls += 1
        return loop.time() - started >= change

    async for done in poll(core, fetch, policy=cdnkit.WaitPolicy(), timeout=None, what="bench"):
        if done:
            return loop.time() - started - change, polls
    raise AssertionError("unreachable")


def waits(settings: Settings) -> WaitFigures:
    """cdnkit's default wait schedule, run by the real poll loop on an emulated clock."""

    async def run() -> WaitFigures:
        options = ClientOptions(
            region_name="us-east-1",
            endpoint_url="http://localhost:9",
            aws_access_key_id="AKIDBENCH",
            aws_secret_access_key="bench",
        )
        core = ServiceCore("cloudfront", options, AioSession())
        await core.open()  # no request is made: the fetch below is local
        try:
            worst = (0.0, 1, 0.0)
            polls: dict[int, int] = {}
            grid = sorted({*range(1, 901, settings.wait_step), 60, 900})
            for change in grid:
                late, count = await _seen(core, float(change))
                share = late / (0.1 * change + 1)
                if share > worst[2]:
                    worst = (late, change, share)
                if change in (60, 900):
                    polls[change] = count
            return WaitFigures(worst[0], worst[1], worst[2], polls)
        finally:
            await core.close()

    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(run())
    finally:
        loop.close()


async def cold_instructions(world: World) -> list[Figure]:
    """The cold-start programs in instructions (valgrind), cdnkit against raw."""
    if not _instructions.available():
        return []
    figures = []
    comparisons = (
        ("cold start: Lightsail-only program", "cdnkit Lightsail", "raw Lightsail", "<= 1.15x"),
        ("cold start: CloudFront-only program", "cdnkit CloudFront", "raw CloudFront", "<= 1.15x"),
        (
            "cold start floor: raw CloudFront with pydantic",
            "pydantic CloudFront",
            "raw CloudFront",
            "",
        ),
    )
    for name, mine, raw, target in comparisons:
        for program in (mine, raw):
            await run_program(program, world)  # bytecode cached, as for the timed runs
        ours, theirs = await asyncio.gather(
            *(
                _instructions.instructions(
                    _program_command(program, world), _child_environment(), program
                )
                for program in (mine, raw)
            )
        )
        figures.append(Figure("instructions", name, [ours / theirs], ours, theirs, "instr", target))
    return figures


# -- instructions per call ----------------------------------------------------------------------


async def instruction_counts(world: World, port: int, pairs: list[Pair]) -> list[Figure]:
    """Instructions per call of each intent, each side counted in new processes under
    valgrind on the canned server (see :mod:`._instructions`); none without valgrind."""
    if not _instructions.available():
        print("instructions: skipped, valgrind is not installed", file=sys.stderr)
        return []
    shared = {
        "access_key_id": world.emu.access_key_id,
        "secret_access_key": world.emu.secret_access_key,
        "operation_id": world.operation_id,
        "distribution_id": world.distribution_id,
        "store_arn": world.store_arn,
    }
    environment = _child_environment()
    figures = []
    for pair in pairs:
        ours = await _instructions.per_call(port, shared, pair.name, "ours", environment)
        theirs = await _instructions.per_call(port, shared, pair.name, "raw", environment)
        figures.append(
            Figure("instructions", pair.name, [ours / theirs], ours, theirs, "instr", _target(pair))
        )
    return figures


# -- requests per intent ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Requests:
    """Requests one call of an intent sent to the emulator, per operation, in order."""

    ours: dict[str, int]
    raw: dict[str, int]


async def requests_per_intent(world: World, pairs: list[Pair]) -> dict[str, Requests]:
    counts: dict[str, Requests] = {}
    for pair in pairs:
        sent: list[dict[str, int]] = []
        for call in (pair.ours, pair.raw):
            world.emu.counters.reset()
            await call()
            snapshot = world.emu.counters.snapshot()
            sent.append({operation: n for (_, operation), n in snapshot.items()})
        counts[pair.name] = Requests(*sent)
    return counts


def _sends(operations: dict[str, int]) -> str:
    return " + ".join(name if n == 1 else f"{n} x {name}" for name, n in operations.items())


# -- the run ------------------------------------------------------------------------------------


@dataclasses.dataclass
class Report:
    figures: list[Figure]
    wait: WaitFigures | None
    intents: dict[str, Requests]
    settings: Settings
    seconds: float


def _target(pair: Pair) -> str:
    return "<= 1.08x" if "read-modify-write" in pair.name else "<= 1.05x"


def _own_name(name: str, sent: Requests) -> str:
    """The own-time row's name, saying when cdnkit's extra requests' round trips are not in
    it (then its cross-check is below the canned figure)."""
    extra = sum(sent.ours.values()) - sum(sent.raw.values())
    if extra <= 0:
        return name
    return f"{name} (without the round trip of cdnkit's {extra} extra request{'s' * (extra > 1)})"


def _all_pairs(clients: Clients) -> list[Pair]:
    return [*clients.per_call_pairs(), clients.read_modify_write()]


async def run(
    settings: Settings,
    progress: Callable[[str], None],
    only: Iterable[str] = DEFAULT_GROUPS,
) -> Report:
    only = frozenset(only)
    started = time.perf_counter()
    figures: list[Figure] = []
    per_call = _PerCall(rounds=settings.rounds, calls=settings.calls, warm=settings.warm)
    session = AioSession()
    # Changes complete at once: repeated updates never meet "please wait".
    timing = Timing(
        lightsail_operation=0,
        lightsail_distribution_deploy=0,
        cloudfront_distribution_deploy=0,
        invalidation=0,
        key_value_store_provisioning=0,
    )
    async with Emulator(timing=timing) as emu:
        world = await prepare(emu, session)
        async with Clients(world, emu.client_endpoint_url) as clients:
            pairs = _all_pairs(clients)
            intents = await requests_per_intent(world, pairs)
            if "emulator" in only:
                progress("per call and read-modify-write, on the emulator")
                for pair in pairs:
                    figures.append(await interleaved(pair, "emulator", _target(pair), **per_call))
            if "throughput" in only:
                progress("throughput")
                target = "<= 1.05x (>= 0.95x raw's rate)"
                figures.append(await throughput(pairs[1], settings, target))

        if only & {"canned", "own", "instructions"}:
            canned = await canned_server(world, _all_pairs, _as_is)
            # The clients on recorded replies get a server of their own: what it serves after
            # their warm-up shows whether a call still sent a request.
            recorded = CannedServer()
            recorded.replies = canned.replies
            await recorded.start()
            try:
                async with (
                    Clients(world, f"http://localhost:{canned.port}") as clients,
                    Clients(world, f"http://localhost:{recorded.port}") as replayed,
                ):
                    pairs = _all_pairs(clients)
                    if "canned" in only:
                        progress("per call and read-modify-write, canned replies")
                        for pair in pairs:
                            figures.append(
                                await interleaved(pair, "canned", _target(pair), **per_call)
                            )
                        # The same call on both sides: how far from 1 the method itself strays.
                        control = Pair(
                            f"A/A control: raw {pairs[1].name}", pairs[1].raw, pairs[1].raw
                        )
                        figures.append(
                            await interleaved(
                                control, "canned", "1.00x: the method's noise", **per_call
                            )
                        )
                    if "own" in only:
                        progress("cdnkit's own time per call, on recorded replies")
                        await replayed.replay()
                        for pair, answered in zip(pairs, _all_pairs(replayed), strict=True):
                            name = _own_name(pair.name, intents[pair.name])
                            intent = OwnIntent(
                                name, answered.ours, answered.raw, pair.raw, lambda: recorded.served
                            )
                            figures.append(await own_time(intent, settings, _target(pair)))
                    if "instructions" in only:
                        progress("instructions per call, counted by valgrind")
                        figures.extend(await instruction_counts(world, canned.port, pairs))
            finally:
                await recorded.stop()
                await canned.stop()

        if "big" in only:
            progress("1,000-item replies, canned")
            big = await canned_server(world, big_pairs, _big(settings.big_items))
            try:
                async with Clients(world, f"http://localhost:{big.port}") as clients:
                    for pair in big_pairs(clients):
                        figures.append(
                            await interleaved(
                                dataclasses.replace(
                                    pair, name=f"{pair.name}, {settings.big_items} items"
                                ),
                                "1,000 items",
                                "<= 1.15x",
                                rounds=settings.big_rounds,
                                calls=settings.big_calls,
                                warm=min(settings.warm, 2),  # big replies: slow
                                settle=True,
                            )
                        )
                    for pair in big_pairs(clients):
                        figures.append(await kept_memory(pair.ours, pair.raw, pair.name))
            finally:
                await big.stop()

        if "cold" in only:
            progress("cold start and peak RSS, in new processes")
            figures.extend(await in_new_processes(world, settings))
        if "instructions" in only:
            progress("cold start, counted by valgrind")
            figures.extend(await cold_instructions(world))
    wait = None
    if "waits" in only:
        progress("waits, on an emulated clock")
        # On a loop of its own (an emulated clock), in a thread: one loop runs per thread.
        wait = await asyncio.to_thread(waits, settings)
    return Report(figures, wait, intents, settings, time.perf_counter() - started)


# -- output -------------------------------------------------------------------------------------


def table(report: Report) -> str:
    lines = [
        "| group | figure | cdnkit | raw aiobotocore | ratio: median (middle half) "
        "| halves: 1st / 2nd | best rounds | wall clock | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines.extend(figure.row() for figure in report.figures)
    wait = report.wait
    if wait is not None:
        lines.append(
            f"| waits | completion seen late, worst over T = 1..900 s (at T = {wait.worst_t} s) "
            f"| {wait.worst_late:.2f} s | | **{wait.worst_share:.3f}** of 0.1*T + 1 s "
            "| | | | <= 1 |"
        )
        for change, count in sorted(wait.polls.items()):
            limit = {60: 30, 900: 60}[change]
            lines.append(
                f"| waits | polls for a change taking T = {change} s | {count} | | | | | | "
                f"<= {limit} |"
            )
    return "\n".join(lines)


def requests_table(report: Report) -> str:
    lines = [
        "| intent | cdnkit | raw aiobotocore | cdnkit sends | raw sends | target |",
        "|---|---|---|---|---|---|",
    ]
    for name, sent in report.intents.items():
        lines.append(
            f"| {name} | {sum(sent.ours.values())} | {sum(sent.raw.values())} | "
            f"{_sends(sent.ours)} | {_sends(sent.raw)} | the minimum |"
        )
    return "\n".join(lines)


def page(report: Report, *, quick: bool) -> str:
    settings = report.settings
    cpu = os.cpu_count() or 0
    machine = (
        f"{platform.system()} {platform.machine()}, {cpu} cores, Python {platform.python_version()}"
    )
    pairs = settings.rounds // 2
    return f"""# Benchmarks

What cdnkit costs over raw aiobotocore, figure by figure (issue 9's table), measured by one
command:

```console
$ python -m tests.benchmarks            # the full run (about 7 minutes), writes this page
$ python -m tests.benchmarks --quick    # seconds: proves it runs (CI does, as a test)
```

`--rounds`, `--calls` and `--only emulator,canned,...` narrow a run while working on one figure.
`--only ...,instructions` adds the instruction counts (below; about seven minutes, needs valgrind).

## How it measures

The machine these figures come from is a shared virtual machine whose speed changes with its
neighbours' load: over a minute the same call's CPU time varies by 30-100 %. A few long rounds
per side cannot tell 5 % apart there, so each figure is many short rounds:

- **Short interleaved rounds, in pairs.** A per-call figure is {settings.rounds} rounds of
  {settings.calls} sequential calls per side. In each pair of rounds cdnkit goes first, then raw
  goes first (A-B, B-A), so a change of speed over the pair (a fraction of a second) lands on
  both sides alike and cancels; each pair gives one ratio, cdnkit's time over raw's, so
  {pairs} ratios per figure. A ratio above 1 means cdnkit costs more (for throughput: raw's
  calls per second over cdnkit's).
- **CPU time.** Ratios compare this process's CPU time (user and system) per call. The
  emulator and the canned server run in this process, so it counts both ends of a call, but
  not the time other processes hold the core, which the wall clock counts on one side or the
  other at random. The median pair ratio on the wall clock is shown too ("wall clock"): a wait
  cdnkit added would show there only.
- **What the table shows.** The median ratio of the pairs, with their interquartile range
  ("middle half": half of the pairs fall inside it). "Halves" is the median ratio of the first
  half of the pairs and of the second half, measured one after the other: two independent
  estimates of the same figure, as far apart as the figure is unstable. "Best rounds" divides
  cdnkit's fastest round by raw's fastest round (what neighbours disturbed least). The cdnkit and
  raw columns are medians of the CPU time per call.
- **A control.** "A/A control" times raw's GetOperation against itself, the same way: its
  distance from 1.00x is the noise the method leaves in every figure of this run.
- **Three ways of answering.** "emulator": calls to the in-process emulator
  (`cdnkit.testing`). "canned": an aiohttp handler that answers each operation with the
  emulator's reply recorded once, byte for byte, so the server costs almost nothing and the
  ratio shows the client side alone. "own time": no server at all (below).
- **cdnkit's own time per call.** The same intents, with the operation methods of the
  aiobotocore client objects (cdnkit's and raw's; those objects only, nothing else is patched)
  replaced by ones that return a recorded reply, a fresh top-level dict per call as botocore
  gives. Raw then takes about a microsecond and cdnkit's time is its own: request models,
  checks, the retry layer, the rate limiter, parsing the reply into models. Each round runs
  {settings.own_calls} such calls per side and {settings.calls} raw calls on the canned server;
  the table shows cdnkit's own time (minus raw's, per round, with its middle half), raw's time
  on the canned server, and (raw on the canned server + cdnkit's own) / raw on the canned server
  per pair of rounds: an estimate of the canned figure that no server or socket disturbs, to
  cross-check it with. Where cdnkit sends more requests than raw (see "Requests per intent"),
  the extra round trips are not in its own time; the row says so. What cdnkit saves inside
  botocore's part of a call (reply parsing and the User-Agent header, below) is not in it
  either, so this estimate lies above the canned figure by about that saving.
- **Same settings.** Both sides are given the same botocore session, endpoint, credentials
  and botocore config (one attempt, connection pools of 10). cdnkit adds what it always adds
  to its clients, as in any program using it: its transport without aiohttp's hidden resend,
  retry mode "standard" with one attempt, botocore's parameter validation off (cdnkit checks
  every request against its model before botocore sees it), botocore's reply parsers with
  the walk over a reply's body compiled once per shape (`cdnkit/_parsing.py`: the same dicts as
  botocore's, at a fraction of the cost; see "From the wire to a model" in the models guide)
  and botocore's User-Agent header built once per set of feature ids instead of twice per
  request (`cdnkit/_user_agent.py`: the same header, about 1 M instructions less per request).
  The raw side keeps botocore's defaults, as a program using raw aiobotocore does.
- **Intents.** Lightsail UpdateDistribution sets a new default root object on every call, on
  both sides, so every call is a real change and both send an UpdateDistribution.
  **Read-modify-write**: cdnkit's `cf.distributions.update(id, mutate=...)` against raw
  GetDistributionConfig + UpdateDistribution with its ETag. **Throughput**: {settings.burst}
  concurrent GetOperation calls, {settings.burst_rounds} rounds.
- **1,000-item replies** (canned): the recorded one-item reply of GetDistributions,
  ListDistributions and ListKeys repeated to 1,000 items; cdnkit's listing against the raw call,
  {settings.big_rounds} rounds of {settings.big_calls} call, each after a full garbage collection
  (untimed; the collections a round's own allocations start are counted). Kept memory: bytes still
  allocated (tracemalloc) while the result of a call is kept: cdnkit's models against raw's reply
  dicts (twice; allocations hardly vary).
- **Cold start and peak RSS**: a new Python process per run, from interpreter start to after the
  first call (a Lightsail-only program, a CloudFront-only program), and the peak RSS of a program
  that opens both clients and makes one call each. Bytecode is cached: each program runs once
  untimed first, with `PYTHONDONTWRITEBYTECODE` removed from its environment, so every module it
  imports has its `.pyc` written; the timed runs load from those. {settings.cold_runs} runs each
  (peak RSS: 2), in pairs as above; the ratio is on the new process's CPU time, the wall clock
  next to it. cdnkit's programs create their clients without `session=`, as the getting-started
  guide does: such a session reads only the part of botocore's endpoint table that its services
  use, finds a service's model without listing every service, builds the model from a generated
  module instead of parsing botocore's JSON file (when that file is the one the module was made
  from), and aliases event names without botocore's exception per alias
  (`cdnkit/_botocore_data.py`); the raw programs read botocore's data as botocore does. The
  **floor** row is a reference, not a target: raw's CloudFront program that also imports
  pydantic and builds one one-field model, against raw's program. It is what any wrapper built
  on pydantic models pays before its own code and models, so the CloudFront figure's distance
  from it is cdnkit's own.
- **Instructions per call** (opt-in group, where valgrind is installed): the instructions the
  client side of one call executes, cdnkit against raw, counted by valgrind (cachegrind without
  its cache model) in new processes on the canned server: each side's count is the difference
  between a process making {_instructions.MANY} calls and one making {_instructions.FEW}, after
  the same warm-up of both sides and a frozen heap (the objects alive then are left out of
  later collections, so a full collection landing in one run and not the other cannot swing
  the difference; the calls' own garbage is still collected and counted). Unlike CPU time this
  does not move with the machine's load, but it does not see what memory and caches cost: a
  figure can be below 1 in instructions and above 1 in time. The cold-start programs are
  counted the same way, one run each (bytecode cached), since their CPU time here moves by a
  tenth from one run to the next. On the shared virtual machine of the last runs, one
  program's CPU time moved by up to a third from one run to the next (a pair's ratio by 0.15,
  as a standard deviation), and the median of {settings.cold_runs} pairs by about 0.07 from one
  benchmark run to the next, for cdnkit and for the floor alike: the instruction counts are
  the cold start's decisive figures there.
- **Waits**: cdnkit's real poll loop with the default `WaitPolicy`, on an event loop whose clock
  jumps to the next timer (no real sleeping), for a change that takes T seconds, every T from 1
  to 900 s{"" if settings.wait_step == 1 else f" (every {settings.wait_step} s)"}.
- **Requests**: the requests one call of each intent sent to the emulator, cdnkit and raw.

## Figures

{"**Quick run: too few rounds to mean anything.**" if quick else ""}
Measured on a machine **shared with other work while it ran** ({machine}); the run took
{report.seconds:.0f} s. Figures are this run's, not a promise for another machine.

{table(report)}

## Requests per intent

{requests_table(report)}

## Older, narrower benchmarks

`python -m tests.benchmarks.bench_client` compares a few Lightsail calls and a burst's peak
traced memory; `python -m tests.benchmarks.bench_emulator` measures what the emulator adds over a
canned reply (its target is at most about 1.5).
"""


def _groups(text: str) -> list[str]:
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(GROUPS))
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"--only takes a comma-separated list of {', '.join(GROUPS)}; got {text!r}"
        )
    return chosen


def _at_least_two(text: str) -> int:
    number = int(text)
    if number < 2:
        raise argparse.ArgumentTypeError(f"must be at least 2, got {number}")
    return number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks",
        description="cdnkit against raw aiobotocore, every figure of issue 9, interleaved",
    )
    parser.add_argument("--quick", action="store_true", help="a few seconds: proves it runs")
    parser.add_argument(
        "--rounds",
        type=_at_least_two,
        default=80,
        help="rounds per per-call figure, made even (full run; default 80)",
    )
    parser.add_argument(
        "--calls",
        type=_at_least_two,
        default=10,
        help="sequential calls per round and side (full run; default 10)",
    )
    parser.add_argument(
        "--only",
        type=_groups,
        default=list(DEFAULT_GROUPS),
        help=f"some of: {','.join(GROUPS)} (default: all but instructions)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "docs" / "benchmarks.md",
        help="the page to write (default: docs/benchmarks.md)",
    )
    options = parser.parse_args(argv)
    settings = Settings.quick() if options.quick else Settings.full(options.rounds, options.calls)

    started = time.perf_counter()

    def progress(step: str) -> None:
        print(f"... {time.perf_counter() - started:5.0f} s: {step}", file=sys.stderr, flush=True)

    report = asyncio.run(run(settings, progress, options.only))
    print(table(report))
    print()
    print(requests_table(report))
    options.output.write_text(page(report, quick=options.quick))
    print(f"\nwritten: {options.output.name}", file=sys.stderr)
    return 0
