"""Command line: ``python -m cdnkit <command>`` (or the ``cdnkit`` script).

``python -m cdnkit emulator [--host 127.0.0.1] [--port 4566]`` runs the local emulator until
Ctrl-C or SIGTERM; ``python -m cdnkit demo`` runs the SDK's main intents against an embedded
emulator.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cdnkit", description="cdnkit command line tools")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    emulator = commands.add_parser(
        "emulator",
        help="run the local Lightsail / CloudFront / KeyValueStore emulator",
        description="Serve Lightsail, CloudFront and the CloudFront KeyValueStore data plane "
        "on one local endpoint until interrupted.",
    )
    emulator.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)"
    )
    emulator.add_argument(
        "--port", type=int, default=4566, help="port to bind; 0 picks a free one (default: 4566)"
    )
    emulator.add_argument(
        "--no-signature-check",
        action="store_true",
        help="accept requests signed with any credentials",
    )
    emulator.add_argument("--seed", type=int, default=0, help="seed for injected faults")
    emulator.set_defaults(run=_run_emulator)
    demo = commands.add_parser(
        "demo",
        help="run the SDK's main intents against the embedded emulator",
        description="Create and change Lightsail and CloudFront resources through cdnkit, "
        "against an in-process emulator: nothing leaves the machine.",
    )
    demo.set_defaults(run=_run_demo)
    return parser


def _run_demo(args: argparse.Namespace) -> int:
    from cdnkit._demo import run_demo

    asyncio.run(run_demo())
    return 0


async def _serve_emulator(args: argparse.Namespace) -> None:
    from cdnkit.testing import Emulator

    emulator = Emulator(
        host=args.host,
        port=args.port,
        check_signatures=not args.no_signature_check,
        seed=args.seed,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows' event loops
            loop.add_signal_handler(signum, stop.set)
    async with emulator:
        print(f"cdnkit emulator listening on {emulator.endpoint_url}", flush=True)
        print(f"  endpoint for clients: {emulator.client_endpoint_url}")
        print(f"  region:                {emulator.region}")
        print(f"  access key id:         {emulator.access_key_id}")
        print(f"  secret access key:     {emulator.secret_access_key}")
        print(
            "  KeyValueStore data plane: botocore prefixes the account id to the host; "
            "see docs/testing.md",
            flush=True,
        )
        await stop.wait()
        print("cdnkit emulator stopping", flush=True)


def _run_emulator(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        print(f"cdnkit: invalid port {args.port}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve_emulator(args))
    except KeyboardInterrupt:
        pass
    except OSError as problem:
        print(f"cdnkit: cannot serve on {args.host}:{args.port}: {problem}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m cdnkit`` and the ``cdnkit`` script."""
    args = _build_parser().parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
