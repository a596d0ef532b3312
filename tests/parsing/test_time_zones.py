"""The local zone of the process decides the zone of botocore's epoch timestamps: both parsers
compared in processes of other zones (this one's is whatever the machine has)."""

from __future__ import annotations

import os
import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "zone",
    [
        "America/New_York",  # daylight saving time
        "Asia/Kolkata",  # none now, a fixed offset of +05:30
    ],
)
def test_parsers_agree_in_zone(zone: str) -> None:
    try:
        zoneinfo.ZoneInfo(zone)
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip(f"no time zone data for {zone} on this machine")
    env = {**os.environ, "TZ": zone}
    done = subprocess.run(
        [sys.executable, "-m", "tests.parsing._zone_check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout.strip()) > 200
