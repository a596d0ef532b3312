"""``python -m cdnkit emulator``: a standalone server that boto3 (sync) talks to."""

from __future__ import annotations

import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3-stubs is not a dev dependency
import pytest
from botocore.config import Config

from cdnkit.__main__ import main
from cdnkit.testing import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY

from .conftest import drop_account_prefix

STARTUP_SECONDS = 30.0


class Standalone:
    """A ``python -m cdnkit emulator`` child process and its output, line by line."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cdnkit", "emulator", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def read_until(self, pattern: str) -> re.Match[str]:
        deadline = time.monotonic() + STARTUP_SECONDS
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            seen.append(line)
            found = re.search(pattern, line)
            if found:
                return found
        raise AssertionError(f"no line matching {pattern!r} in {seen!r}")

    def stop(self, signum: int) -> int:
        self.process.send_signal(signum)
        return self.process.wait(timeout=STARTUP_SECONDS)


@pytest.fixture
def standalone() -> Iterator[tuple[Standalone, str]]:
    server = Standalone("--port", "0")
    try:
        endpoint = server.read_until(r"listening on (http://127\.0\.0\.1:\d+)").group(1)
        yield server, endpoint
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()


def boto3_client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=DEFAULT_ACCESS_KEY_ID,
        aws_secret_access_key=DEFAULT_SECRET_ACCESS_KEY,
        config=Config(retries={"total_max_attempts": 1}),
    )


def test_boto3_talks_to_the_standalone_emulator(standalone: tuple[Standalone, str]) -> None:
    server, endpoint = standalone
    lightsail = boto3_client("lightsail", endpoint)
    assert lightsail.get_distribution_bundles()["bundles"]

    cloudfront = boto3_client("cloudfront", endpoint)
    arn = cloudfront.create_key_value_store(Name="flags")["KeyValueStore"]["ARN"]

    kvs = boto3_client("cloudfront-keyvaluestore", endpoint)
    kvs.meta.events.register("before-sign.cloudfront-keyvaluestore", drop_account_prefix)
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            etag = kvs.describe_key_value_store(KvsARN=arn)["ETag"]
            break
        except kvs.exceptions.ResourceNotFoundException:
            # PROVISIONING for Timing.key_value_store_provisioning (0.2 s by default).
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert kvs.put_key(KvsARN=arn, Key="beta", Value="on", IfMatch=etag)["ItemCount"] == 1

    assert server.stop(signal.SIGTERM) == 0
    server.read_until("stopping")


def test_ctrl_c_stops_it_cleanly(standalone: tuple[Standalone, str]) -> None:
    server, _ = standalone
    assert server.stop(signal.SIGINT) == 0
    server.read_until("stopping")


def test_it_prints_the_fake_credentials(standalone: tuple[Standalone, str]) -> None:
    server, _ = standalone
    assert server.read_until(r"access key id:\s+(\S+)").group(1) == DEFAULT_ACCESS_KEY_ID
    assert server.read_until(r"secret access key:\s+(\S+)").group(1) == DEFAULT_SECRET_ACCESS_KEY


def test_bad_arguments_and_busy_ports_fail_with_a_status(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["emulator", "--port", "70000"]) == 2
    with pytest.raises(SystemExit) as no_command:
        main([])
    assert no_command.value.code == 2
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["emulator", "--port", str(port)]) == 1
    assert "cannot serve" in capsys.readouterr().err
