"""The versions CI installs (.ci/constraints.txt) install on every Python cdnkit supports.

A newcomer's machine had Python 3.11.2; pymdown-extensions 13.1.2, then pinned, needs 3.11.5,
so README's test command stopped at pip's "conflicting dependencies". Every pinned distribution
installed here must accept the oldest Python of cdnkit's own ``requires-python``.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def _oldest_supported_python() -> Version:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    floor = re.fullmatch(r">=\s*(\d+\.\d+)", project["requires-python"])
    assert floor is not None, project["requires-python"]
    return Version(f"{floor.group(1)}.0")


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / ".ci" / "constraints.txt").read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line.strip())
        if match:
            pins[match.group(1)] = match.group(2)
    return pins


def test_every_pinned_version_installs_on_the_oldest_supported_python() -> None:
    oldest = _oldest_supported_python()
    refused: list[str] = []
    checked = 0
    for name, version in _pins().items():
        try:
            metadata = importlib.metadata.metadata(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # not installed in this environment (another extra)
        if metadata["Version"] != version:
            continue  # another version installed here: its metadata says nothing of the pin
        checked += 1
        requires = (metadata.get_all("Requires-Python") or [None])[0]
        if requires and not SpecifierSet(requires).contains(oldest, prereleases=True):
            refused.append(f"{name}=={version} requires Python {requires}")
    assert checked > 20  # the environment CI sets up holds the pins
    assert refused == [], f"pinned versions that Python {oldest} cannot install: {refused}"
