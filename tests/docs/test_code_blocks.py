"""Every ```python block of README.md, docs/**/*.md and the public modules' docstrings runs.

The conventions a block follows (docs/contributing.md says the same to writers):

- The blocks of one page run in order, in one namespace and on one event loop, against one
  in-process emulator: a later block may use what an earlier one defined or created.
- Top-level ``await``, ``async with`` and ``async for`` work, as in ``python -m asyncio``; so
  does ``asyncio.run(main())`` (the emulator serves from a thread of its own).
- ``cdnkit.Lightsail(...)`` and ``cdnkit.CloudFront(...)`` without an ``endpoint_url`` are bound
  to the page's emulator: its endpoint and fake credentials replace any the example names
  (profile, region, keys). Waits poll every few milliseconds unless the example passes its own
  ``wait=`` policy.
- ``<!-- docs-test: pytest -->`` on the line before a block: the block is a test module; it is
  written to a temporary folder and run with pytest (pytest-asyncio in auto mode) in a
  subprocess, and every test in it must pass.
- ``<!-- docs-test: skip (reason) -->`` on the line before a block: not run; the reason is
  required, and skips are few (``MAX_SKIPS``).
"""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import importlib
import inspect
import logging
import re
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
from aiobotocore.session import AioSession, get_session

import cdnkit
from cdnkit._client import CloudFront, Lightsail
from cdnkit.testing import Emulator, Timing

ROOT = Path(__file__).resolve().parents[2]
#: Modules whose docstrings the API reference shows as they are.
DOCSTRING_MODULES = ("cdnkit", "cdnkit.testing")
#: Skipped blocks allowed in all: a skip is for what cannot run here (real AWS credentials).
MAX_SKIPS = 3
#: Seconds one block may take.
BLOCK_TIMEOUT = 60
#: Seconds one pytest block may take, imports included.
PYTEST_BLOCK_TIMEOUT = 120

_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<info>[^`]*)$")
_MARKER = re.compile(r"^\s*<!--\s*docs-test:\s*(?P<what>.*?)\s*-->\s*$")
_SKIP = re.compile(r"^skip\s*\((?P<reason>.+)\)$")

#: Operations and deployments take 50 ms of emulated time; waits poll every 10-50 ms.
FAST_TIMING = Timing(
    lightsail_operation=0.05,
    lightsail_distribution_deploy=0.05,
    cloudfront_distribution_deploy=0.05,
    invalidation=0.05,
    key_value_store_provisioning=0.05,
)
FAST_WAIT = cdnkit.WaitPolicy(initial_delay=0.01, max_delay=0.05, timeout=30)
#: One botocore session for every bound client: it caches the service models between clients.
SESSION: AioSession = get_session()


@dataclasses.dataclass(frozen=True)
class Block:
    """One fenced ```python block: where it is, its code, and what its marker asks."""

    source: str
    line: int  # of the first line of code, 1-based
    code: str
    mode: str  # "run", "pytest" or "skip"
    reason: str = ""

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


def blocks_in(text: str, source: str, first_line: int = 1) -> list[Block]:
    """The ```python blocks of a Markdown text, with the marker on the line before each."""
    lines = text.splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, info = opening["indent"], opening["info"].strip()
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        if end == len(lines):
            raise AssertionError(f"{source}:{first_line + index}: unclosed code fence")
        if info.split(" ")[0] == "python":
            body = [line[len(indent) :] if line.startswith(indent) else line for line in lines]
            code = textwrap.dedent("\n".join(body[index + 1 : end])) + "\n"
            mode, reason = _marker(lines, index, f"{source}:{first_line + index}")
            blocks.append(Block(source, first_line + index + 1, code, mode, reason))
        index = end + 1
    return blocks


def _marker(lines: list[str], fence: int, where: str) -> tuple[str, str]:
    before = fence - 1
    while before >= 0 and not lines[before].strip():
        before -= 1
    found = _MARKER.match(lines[before]) if before >= 0 else None
    if found is None:
        return "run", ""
    what = found["what"]
    if what == "pytest":
        return "pytest", ""
    skip = _SKIP.match(what)
    if skip is not None and skip["reason"].strip():
        return "skip", skip["reason"].strip()
    raise AssertionError(f"{where}: unknown docs-test marker {what!r} (skip needs a reason)")


def _docstring_blocks(module_name: str) -> list[Block]:
    module = importlib.import_module(module_name)
    path = Path(inspect.getfile(module))
    tree = ast.parse(path.read_text(encoding="utf-8"))
    node = tree.body[0]
    assert isinstance(node, ast.Expr)
    assert isinstance(node.value, ast.Constant)
    assert isinstance(node.value.value, str)
    return blocks_in(node.value.value, str(path.relative_to(ROOT)), node.lineno)


def pages() -> dict[str, list[Block]]:
    """Every page with at least one python block, by its path from the repository root."""
    found: dict[str, list[Block]] = {}
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        name = str(path.relative_to(ROOT))
        blocks = blocks_in(path.read_text(encoding="utf-8"), name)
        if blocks:
            found[name] = blocks
    for module_name in DOCSTRING_MODULES:
        blocks = _docstring_blocks(module_name)
        if blocks:
            found[blocks[0].source] = blocks
    return found


PAGES = pages()


# Binding the clients to the page's emulator ----------------------------------------------

_REPLACED = ("region_name", "profile_name", "endpoint_url", "aws_session_token")


def _bound(emulator: Emulator, options: dict[str, Any]) -> dict[str, Any]:
    settings = dict(options)
    settings.setdefault("wait", FAST_WAIT)
    settings.setdefault("session", SESSION)
    if options.get("endpoint_url") is not None:
        return settings  # pointed somewhere on purpose (an emulator of its own)
    settings = {key: value for key, value in settings.items() if key not in _REPLACED}
    ours = emulator.client_kwargs()
    if settings.get("config") is not None:
        ours["config"] = settings.pop("config").merge(ours["config"])
    return {**settings, **ours}


class EmulatorThread:
    """An emulator serving from its own thread and event loop, so that a block may block its
    own loop (``asyncio.run``, a sync boto3 call) while the emulator answers."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.emulator = Emulator(timing=dataclasses.replace(FAST_TIMING))

    def __enter__(self) -> Emulator:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.emulator.start(), self.loop).result(timeout=30)
        return self.emulator

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self.emulator.stop(), self.loop).result(timeout=30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=30)
            self.loop.close()


@pytest.fixture
def bound_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """An emulator that ``cdnkit.Lightsail(...)`` and ``cdnkit.CloudFront(...)`` talk to."""
    with EmulatorThread() as emulator:

        class BoundLightsail(Lightsail):
            def __init__(self, **options: Any) -> None:
                super().__init__(**_bound(emulator, options))

        class BoundCloudFront(CloudFront):
            def __init__(self, **options: Any) -> None:
                super().__init__(**_bound(emulator, options))

        monkeypatch.setattr(cdnkit, "Lightsail", BoundLightsail, raising=False)
        monkeypatch.setattr(cdnkit, "CloudFront", BoundCloudFront, raising=False)
        # A page may turn cdnkit's logging up; the next page starts as the first did.
        logger = logging.getLogger("cdnkit")
        level = logger.level
        try:
            yield emulator
        finally:
            logger.setLevel(level)


# Running -------------------------------------------------------------------------------


def run_block(block: Block, namespace: dict[str, Any], loop: asyncio.AbstractEventLoop) -> None:
    # Padded so that tracebacks name the line of the Markdown file.
    padded = "\n" * (block.line - 1) + block.code
    code = compile(padded, str(ROOT / block.source), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, namespace)
    if inspect.iscoroutine(result):
        loop.run_until_complete(asyncio.wait_for(result, BLOCK_TIMEOUT))


def run_pytest_block(block: Block, folder: Path) -> None:
    stem = re.sub(r"\W", "_", Path(block.source).stem)
    module = folder / f"test_docs_{stem}_{block.line}.py"
    module.write_text(block.code, encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "asyncio_mode=auto",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
        "--rootdir",
        str(folder),
        str(module),
    ]
    done = subprocess.run(
        command,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=PYTEST_BLOCK_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"{block.where}: pytest failed\n{done.stdout}\n{done.stderr}")


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_block_of_the_page_runs(page: str, bound_emulator: Emulator, tmp_path: Path) -> None:
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    loop = asyncio.new_event_loop()
    try:
        for block in PAGES[page]:
            if block.mode == "skip":
                continue
            if block.mode == "pytest":
                run_pytest_block(block, tmp_path)
                continue
            try:
                run_block(block, namespace, loop)
            except Exception as error:
                raise AssertionError(f"{block.where}: the block raised {error!r}") from error
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def test_the_pages_hold_blocks_and_few_skips() -> None:
    blocks = [block for page in PAGES.values() for block in page]
    skips = [block for block in blocks if block.mode == "skip"]
    assert "README.md" in PAGES
    assert len(blocks) >= 40, "the extractor found fewer blocks than the docs hold"
    assert len(skips) <= MAX_SKIPS, [f"{block.where}: {block.reason}" for block in skips]


def test_the_extractor_reads_markers_and_indented_fences() -> None:
    text = (
        "Intro\n\n"
        "```python\nx = 1\n```\n\n"
        "<!-- docs-test: skip (needs real AWS credentials) -->\n"
        "```python\nraise SystemExit\n```\n\n"
        "- a list item:\n\n"
        "  ```python\n  if x:\n      y = 2\n  ```\n\n"
        "<!-- docs-test: pytest -->\n```python\ndef test_it() -> None: ...\n```\n"
        "```console\n$ echo not python\n```\n"
    )
    found = blocks_in(text, "example.md")
    assert [(block.mode, block.line) for block in found] == [
        ("run", 4),
        ("skip", 9),
        ("run", 15),
        ("pytest", 21),
    ]
    assert found[1].reason == "needs real AWS credentials"
    assert found[2].code == "if x:\n    y = 2\n"
    with pytest.raises(AssertionError, match="unknown docs-test marker"):
        blocks_in("<!-- docs-test: skip -->\n```python\npass\n```\n", "example.md")
