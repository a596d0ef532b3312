"""cdnkit as another project gets it: a wheel installed into a fresh environment, and an editable
install that type checkers of another project can see."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Seconds any one step (build, install, type check) may take.
STEP_TIMEOUT = 300

#: What another project writes: it must type-check cleanly, strict.
USER_CODE = """
import cdnkit
from cdnkit.testing import Emulator
from cdnkit.types import lightsail as ls


async def bundle_ids() -> list[str]:
    async with Emulator() as emu, cdnkit.Lightsail(**emu.client_kwargs()) as kit:
        bundles: list[ls.DistributionBundle] = await kit.distributions.bundles()
        return [bundle.bundle_id or "" for bundle in bundles]
"""
#: The same with one mistake, which a checker that sees cdnkit's types must report.
USER_MISTAKE = (
    USER_CODE
    + """

async def first_price() -> str:
    async with cdnkit.Lightsail() as kit:
        return (await kit.distributions.bundles())[0].price
"""
)


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=STEP_TIMEOUT, check=False
    )


def test_the_wheel_installs_and_imports_in_a_fresh_environment(tmp_path: Path) -> None:
    # Built from a copy, so the clone gets no build/ or egg-info; without build isolation, with
    # the setuptools of the dev extra, so nothing is downloaded.
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "cdnkit", source / "cdnkit", ignore=ignore)
    shutil.copytree(ROOT / "docs", source / "docs", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    built = run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"),
            *("--disable-pip-version-check", "-q", "-w", str(tmp_path / "dist"), str(source)),
        ],
        tmp_path,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("cdnkit-*-py3-none-any.whl")

    # A fresh environment that borrows this one's dependencies (a path line, so this
    # environment's editable cdnkit is not among them) and gets cdnkit from the wheel alone.
    venv = tmp_path / "venv"
    assert run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path).returncode == 0
    python = venv / "bin" / "python"
    purelib = run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp_path
    ).stdout.strip()
    Path(purelib, "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    installed = run(
        [
            *(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps"),
            *("--no-index", "--disable-pip-version-check", "-q", str(wheel)),
        ],
        tmp_path,
    )
    assert installed.returncode == 0, installed.stderr

    probe = textwrap.dedent(
        """
        import json, pathlib, cdnkit, cdnkit.testing
        from importlib import metadata
        from cdnkit.types import lightsail
        dist = metadata.distribution("cdnkit")
        package = pathlib.Path(cdnkit.__file__).parent
        print(json.dumps({
            "file": cdnkit.__file__,
            "typed": (package / "py.typed").is_file(),
            "manifest": (package / "types" / "_manifest.json").is_file(),
            "license": dist.metadata["License-Expression"],
            "license_files": [str(f) for f in dist.files or () if "licenses" in str(f)],
            "version": cdnkit.__version__,
        }))
        """
    )
    ran = run([str(python), "-c", probe], tmp_path)
    assert ran.returncode == 0, ran.stderr
    found = json.loads(ran.stdout)
    assert Path(found["file"]).is_relative_to(venv)
    assert found["typed"]
    assert found["manifest"]
    assert found["license"] == "Apache-2.0"
    assert found["license_files"] == ["cdnkit-0.1.0.dist-info/licenses/docs/LICENSE"]
    assert found["version"] == metadata.version("cdnkit")
    assert (venv / "bin" / "cdnkit").is_file()


def _editable() -> bool:
    """Whether this environment's site-packages holds an editable install of cdnkit (the
    clone's own ``cdnkit.egg-info``, also on ``sys.path``, says nothing about that)."""
    for dist in metadata.distributions(name="cdnkit", path=[sysconfig.get_path("purelib")]):
        direct_url = dist.read_text("direct_url.json")
        if direct_url and json.loads(direct_url).get("dir_info", {}).get("editable"):
            return True
    return False


@pytest.fixture
def other_project(tmp_path: Path) -> Path:
    """A project outside the clone that uses cdnkit, with strict settings for both checkers."""
    if not _editable():
        pytest.skip("cdnkit is not installed editable in this environment")
    project = tmp_path / "other-project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[tool.mypy]\nstrict = true\nplugins = ["pydantic.mypy"]\n\n'
        '[tool.pyright]\ntypeCheckingMode = "strict"\n'
    )
    return project


def _mypy(project: Path, module: str) -> subprocess.CompletedProcess[str]:
    return run(
        [
            *(sys.executable, "-m", "mypy", "--python-executable", sys.executable),
            *("--cache-dir", str(project / ".mypy_cache"), module),
        ],
        project,
    )


def _pyright(project: Path, module: str) -> subprocess.CompletedProcess[str]:
    pyright = Path(sys.executable).parent / "pyright"
    if not pyright.is_file():
        pytest.skip("pyright is not installed")
    return run([str(pyright), "--pythonpath", sys.executable, module], project)


def test_an_editable_install_is_seen_by_mypy_from_another_project(other_project: Path) -> None:
    (other_project / "app.py").write_text(USER_CODE)
    (other_project / "mistake.py").write_text(USER_MISTAKE)
    clean = _mypy(other_project, "app.py")
    assert clean.returncode == 0, clean.stdout
    wrong = _mypy(other_project, "mistake.py")
    assert wrong.returncode == 1
    assert 'Incompatible return value type (got "float | None", expected "str")' in wrong.stdout


def test_an_editable_install_is_seen_by_pyright_from_another_project(
    other_project: Path,
) -> None:
    (other_project / "app.py").write_text(USER_CODE)
    (other_project / "mistake.py").write_text(USER_MISTAKE)
    clean = _pyright(other_project, "app.py")
    assert clean.returncode == 0, clean.stdout
    assert "0 errors" in clean.stdout
    wrong = _pyright(other_project, "mistake.py")
    assert wrong.returncode == 1
    assert 'Type "float | None" is not assignable to return type "str"' in wrong.stdout
    assert "1 error," in wrong.stdout
