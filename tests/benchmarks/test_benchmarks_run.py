"""CI runs the benchmark command's quick mode: it must run to the end and write its page.
No figure is asserted (timings on a CI machine mean nothing)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: A ratio cell: the median ratio in bold, then the middle half of the pairs' ratios.
RATIO = re.compile(r"\| \*\*\d+\.\d\dx\*\* \(\d+\.\d\d-\d+\.\d\d\) \|")


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
    # Rows of the tables only: the page's prose names several figures too.
    rows = [line for line in written.splitlines() if line.startswith("| ")]
    table = "\n".join(rows)
    for group in ("emulator", "canned", "own time"):
        for intent in (
            "Lightsail GetDistributions",
            "Lightsail GetOperation",
            "Lightsail UpdateDistribution",
            "CloudFront GetDistributionConfig",
            "KVS GetKey",
            "CloudFront update by read-modify-write",
        ):
            (row,) = (line for line in rows if line.startswith(f"| {group} | {intent}"))
            assert RATIO.search(row), row
    (control,) = (line for line in rows if line.startswith("| canned | A/A control: raw "))
    assert RATIO.search(control), control
    for figure in (
        "concurrent calls",
        "Lightsail-only program",
        "CloudFront-only program",
        "peak RSS",
        "ListDistributions, 20 items",
        "kept results: ListKeys",
        "polls for a change taking T = 900 s",
        "| CloudFront update by read-modify-write | 2 | 2 | "
        "GetDistributionConfig + UpdateDistribution | GetDistributionConfig + UpdateDistribution |",
        "| KVS GetKey | 1 | 1 | GetKey | GetKey |",
    ):
        assert figure in table, figure
    # Every call of the Lightsail update is a real change: both sides send the update.
    assert re.search(
        r"^\| Lightsail UpdateDistribution \| \d \| 1 \| [^|]*UpdateDistribution \| "
        r"UpdateDistribution \|",
        table,
        re.MULTILINE,
    ), table
    # The own-time figures were kept: the run fails when a call on recorded replies sends.
    assert re.search(r"\| own time \| Lightsail GetOperation \| [\d.]+ us own", table), table
    assert "Quick run" in written
