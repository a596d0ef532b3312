"""Instructions per call, cdnkit against raw aiobotocore, counted by valgrind (opt-in group
``instructions`` of ``python -m tests.benchmarks``; skipped where valgrind is missing).

CPU time on a shared virtual machine moves with the neighbours' load and with what the caches
hold; the count of instructions a call executes does not. Each count comes from a new process
run under ``valgrind --tool=cachegrind --cache-sim=no`` that opens both sides' clients on the
canned server of the parent process, warms both up alike, freezes the heap it has (see
``_child``), then makes N calls of one side: the
difference between a run of ``FEW`` calls and one of ``MANY`` calls, divided by
``MANY - FEW``, is one call's instructions, start-up and warm-up cancelled. Both ends of a call
are not counted here: the canned server runs in the parent, so the count is the client side.
The child is this module run as a program (``python -m tests.benchmarks._instructions``).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import re
import shutil
import sys
import types
from typing import Any, cast

from aiobotocore.session import AioSession

FEW = 40
MANY = 240
WARM = 20
#: valgrind's total of instructions, in what it writes to stderr.
REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def available() -> bool:
    return shutil.which("valgrind") is not None


async def instructions(command: list[str], environment: dict[str, str], what: str) -> int:
    """Instructions a run of ``command`` (a program and its arguments) executes in all,
    counted by valgrind; ``what`` names it in an error."""
    process = await asyncio.create_subprocess_exec(
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        f"--cachegrind-out-file={os.devnull}",
        *command,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        # The same hashes in every run: dict and set layouts do not vary between the counts.
        env={**environment, "PYTHONHASHSEED": "0"},
    )
    _, errors = await process.communicate()
    found = REFS.search(errors.decode(errors="replace"))
    if process.returncode != 0 or found is None:
        raise RuntimeError(f"counting {what} failed: {errors.decode()[-2000:]}")
    return int(found.group(1).replace(",", ""))


async def count(
    port: int, world: dict[str, str], name: str, side: str, calls: int, environment: dict[str, str]
) -> int:
    """Instructions the child runs in all, for ``calls`` calls of one side of ``name``."""
    child = [sys.executable, "-m", "tests.benchmarks._instructions", str(port)]
    arguments = [json.dumps(world), name, side, str(calls)]
    return await instructions([*child, *arguments], environment, f"{name} ({side})")


async def per_call(
    port: int, world: dict[str, str], name: str, side: str, environment: dict[str, str]
) -> float:
    few, many = await asyncio.gather(
        count(port, world, name, side, FEW, environment),
        count(port, world, name, side, MANY, environment),
    )
    return (many - few) / (MANY - FEW)


async def _child(port: int, world: dict[str, str], name: str, side: str, calls: int) -> None:
    from . import suite

    emulator = types.SimpleNamespace(
        access_key_id=world["access_key_id"], secret_access_key=world["secret_access_key"]
    )
    # Only what Clients reads of the world: the ids the intents use and the credentials.
    shared = suite.World(
        cast(Any, emulator),
        AioSession(),
        world["operation_id"],
        world["distribution_id"],
        world["store_arn"],
    )
    async with suite.Clients(shared, f"http://localhost:{port}") as clients:
        pair = {pair.name: pair for pair in suite._all_pairs(clients)}[name]
        for _ in range(WARM):
            await pair.ours()
            await pair.raw()
        call = pair.ours if side == "ours" else pair.raw
        # Everything alive now is left out of later collections: a full collection walks the
        # whole heap (tens of millions of instructions here), and whether one falls into a run
        # of FEW or of MANY calls would swing the difference. The calls' own objects are still
        # collected, and counted.
        gc.collect()
        gc.freeze()
        for _ in range(calls):
            await call()


if __name__ == "__main__":
    asyncio.run(
        _child(
            int(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
        )
    )
