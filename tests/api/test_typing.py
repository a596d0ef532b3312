"""Wrong calls of the generated operations are type errors for mypy and pyright.

tests/typed_usage_api.py checks the right calls (assert_type); here a snippet of wrong ones is
type-checked in a subprocess and every marked line must be reported, with nothing else.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SNIPPET = """
import cdnkit
from cdnkit.types import cloudfront as cf
from cdnkit.types import lightsail as ls


async def wrong(kit: cdnkit.Lightsail, cf_client: cdnkit.CloudFront) -> None:
    await kit.api.get_distributions(distribution_name=7)  # E: wrong parameter type
    await kit.api.get_distributions(name="site")  # E: no such parameter
    await kit.api.create_distribution(distribution_name="site")  # E: required ones missing
    await kit.api.get_distributions("site")  # E: keyword-only
    result: ls.GetOperationsResult = await kit.api.get_distributions()  # E: result type
    await kit.call(cf.ListDistributionsRequest())  # E: another service's request
    await kit.call(ls.CacheSettings())  # E: not a request model
    other: ls.GetOperationsResult = await kit.call(ls.GetDistributionsRequest())  # E: linked
    await cf_client.api.wait_distribution_deployed(id=1)  # E: waiter parameter type
    await cf_client.kvs_api.get_key(kvs_arn="arn", key=b"k")  # E: data plane parameter type
    cf_client.api.paginate_list_distributions(max_items=10)  # E: paginator parameter type
    print(result, other)
"""


def _expected(snippet: str) -> set[int]:
    return {n for n, line in enumerate(snippet.splitlines(), 1) if "# E:" in line}


@pytest.fixture(scope="module")
def snippet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("typing") / "wrong_calls.py"
    path.write_text(SNIPPET, encoding="utf-8")
    return path


def test_mypy_reports_every_wrong_call(snippet: Path) -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml",
         str(snippet)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    lines = {
        int(found.group(1))
        for found in re.finditer(r"wrong_calls\.py:(\d+): error", checked.stdout)
    }
    assert lines == _expected(SNIPPET), checked.stdout


def test_pyright_reports_every_wrong_call(snippet: Path) -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", str(snippet)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    report = json.loads(checked.stdout)
    lines = {
        d["range"]["start"]["line"] + 1
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    }
    assert lines == _expected(SNIPPET), checked.stdout
