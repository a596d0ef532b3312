"""CI runs the benchmark command's quick mode: it must run to the end and write its page.
No figure is asserted (timings on a CI machine mean nothing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_benchmark_runs_every_figure_and_writes_its_page(tmp_path: Path) -> None:
    page = tmp_path / "benchmarks.md"
    finished = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks", "--quick", "--output", str(page)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr[-3000:]
    written = page.read_text()
    # Rows of the figures' table only: the page's prose names several figures too.
    rows = "\n".join(line for line in written.splitlines() if line.startswith("| "))
    for figure in (
        "Lightsail GetDistributions",
        "Lightsail GetOperation",
        "Lightsail UpdateDistribution",
        "CloudFront GetDistributionConfig",
        "KVS GetKey",
        "read-modify-write",
        "concurrent calls",
        "Lightsail-only program",
        "CloudFront-only program",
        "peak RSS",
        "ListDistributions, 20 items",
        "kept results: ListKeys",
        "polls for a change taking T = 900 s",
        "requests | CloudFront update by read-modify-write | 2 | 2",
    ):
        assert figure in rows, figure
    assert "| canned |" in written
    assert "| emulator |" in written
    assert "Quick run" in written
