"""Model and operation generator: botocore service JSON -> ``cdnkit/types/<service>/`` (the
models, a package of small modules loaded on first use) and ``cdnkit/_api/<service>.py`` (a
typed method per operation, paginator and waiter), ``cdnkit/_endpoints.py`` (the part of
botocore's endpoint table those services use) and ``cdnkit/_botocore_models/<service>.py``
(botocore's model of each service, as compiled code).

Run ``python -m cdnkit._codegen`` after changing botocore's pin, the override table or the
renderers. A test regenerates into a temporary folder and fails on any difference.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import botocore

from ._api import build_api, render_api
from ._endpoints import render_endpoints
from ._ir import SERVICES, ServiceIR, build_service
from ._render import COMMAND, render
from ._service_models import render_service_model

__all__ = [
    "API_DIR",
    "BOTOCORE_MODELS_DIR",
    "COMMAND",
    "ENDPOINTS_FILE",
    "SERVICES",
    "TYPES_DIR",
    "build_service",
    "generate",
]

TYPES_DIR = Path(__file__).resolve().parents[1] / "types"
API_DIR = Path(__file__).resolve().parents[1] / "_api"
ENDPOINTS_FILE = Path(__file__).resolve().parents[1] / "_endpoints.py"
BOTOCORE_MODELS_DIR = Path(__file__).resolve().parents[1] / "_botocore_models"
MANIFEST = "_manifest.json"


_RUFF = [
    sys.executable,
    "-m",
    "ruff",
    "format",
    "--isolated",
    "--line-length",
    "100",
    "--target-version",
    "py311",
]


def _ruff_format(source: str) -> str:
    """Format with the project's exact ruff pin; isolated so local config cannot change it."""
    result = subprocess.run([*_RUFF, "-"], input=source, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"ruff format failed: {result.stderr.strip()}")
    return result.stdout


def _ruff_format_files(paths: list[Path]) -> None:
    """:func:`_ruff_format` for many files in one run (a package has hundreds)."""
    result = subprocess.run([*_RUFF, *map(str, paths)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"ruff format failed: {result.stderr.strip()}")


def _manifest(services: list[ServiceIR]) -> str:
    data = {
        "command": COMMAND,
        "botocore": botocore.__version__,
        "services": {
            ir.service: {
                "api_version": ir.api_version,
                "model": ir.model_file,
                "sha256": ir.model_sha256,
                "module": f"cdnkit.types.{ir.module}",
                "structures": len(ir.structs),
                "enums": len(ir.enums),
            }
            for ir in services
        },
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def generate(
    out_dir: Path = TYPES_DIR,
    api_dir: Path = API_DIR,
    endpoints_file: Path = ENDPOINTS_FILE,
    botocore_models_dir: Path = BOTOCORE_MODELS_DIR,
) -> list[Path]:
    """Write one models package per service and the manifest into ``out_dir``, one
    operations module per service into ``api_dir``, the cut endpoint table to
    ``endpoints_file`` and botocore's model of each service into ``botocore_models_dir``;
    return their paths.

    A package's earlier modules are removed first, so a model that moved leaves no stale file.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    api_dir.mkdir(parents=True, exist_ok=True)
    services = [build_service(name) for name in SERVICES]
    written: list[Path] = []
    for ir in services:
        package = out_dir / ir.module
        (out_dir / f"{ir.module}.py").unlink(missing_ok=True)  # the earlier one-module layout
        package.mkdir(exist_ok=True)
        for old in package.glob("*.py"):
            old.unlink()
        paths = []
        for name, source in sorted(render(ir, botocore.__version__).items()):
            path = package / name
            path.write_text(source, encoding="utf-8")
            paths.append(path)
        _ruff_format_files(paths)
        written += paths
    manifest = out_dir / MANIFEST
    manifest.write_text(_manifest(services), encoding="utf-8")
    written.append(manifest)
    for ir in services:
        path = api_dir / f"{ir.module}.py"
        source = render_api(build_api(ir), botocore.__version__, COMMAND)
        path.write_text(_ruff_format(source), encoding="utf-8")
        written.append(path)
    endpoints_file.write_text(_ruff_format(render_endpoints(SERVICES, COMMAND)), encoding="utf-8")
    written.append(endpoints_file)
    botocore_models_dir.mkdir(parents=True, exist_ok=True)
    for ir in services:
        path = botocore_models_dir / f"{ir.module}.py"
        source = render_service_model(ir.service, COMMAND)
        path.write_text(_ruff_format(source), encoding="utf-8")
        written.append(path)
    return written
