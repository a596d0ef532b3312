"""Every public name a user imports (``cdnkit``, ``cdnkit.resources.cloudfront``,
``cdnkit.testing``) has an entry in the API reference (docs/reference/), where a user looks it
up; a newcomer found a dozen missing (errors, rollout gates, ``parse``, ``last_request_id``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import cdnkit
import cdnkit.resources.cloudfront
import cdnkit.testing

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference"

#: Not objects to describe: the version string.
NOT_REFERENCED = frozenset({"__version__"})


def _referenced() -> set[str]:
    """Last path components of every ``::: path`` directive and of every name in a directive's
    ``members:`` list (mkdocstrings renders exactly those)."""
    names: set[str] = set()
    for page in REFERENCE.glob("*.md"):
        text = page.read_text(encoding="utf-8")
        names.update(path.rsplit(".", 1)[-1] for path in re.findall(r"^::: (\S+)", text, re.M))
        names.update(re.findall(r"^ {8}- (\w+)$", text, re.M))
        for members in re.findall(r"members: \[([^\]]*)\]", text):
            names.update(name.strip() for name in members.split(","))
    return names


def _modules_rendered_whole() -> list[str]:
    """Modules documented with all their public members (no ``members:`` option)."""
    whole: list[str] = []
    for page in REFERENCE.glob("*.md"):
        for block in re.split(r"^(?=::: )", page.read_text(encoding="utf-8"), flags=re.M):
            match = re.match(r"::: (\S+)", block)
            if match and "members:" not in block:
                whole.append(match.group(1))
    return whole


def _public(module: object) -> list[str]:
    return [name for name in getattr(module, "__all__", []) if name not in NOT_REFERENCED]


@pytest.mark.parametrize(
    "module", [cdnkit, cdnkit.resources.cloudfront, cdnkit.testing], ids=lambda m: m.__name__
)
def test_every_public_name_is_in_the_reference(module: object) -> None:
    referenced = _referenced()
    whole = _modules_rendered_whole()
    missing = []
    for name in _public(module):
        defined_in = getattr(getattr(module, name), "__module__", None)
        if name in referenced or defined_in in whole:
            continue
        missing.append(name)
    assert missing == []


def test_the_check_sees_a_missing_name() -> None:
    assert "NoSuchName" not in _referenced()
    assert {"Emulator", "CdnKitError", "parse", "RolloutHaltedError"} <= _referenced()
