"""Opt-in tests against real AWS: marked ``aws``; they run only with CDNKIT_AWS_TESTS=1 and
credentials in the environment, and skip (saying why) otherwise."""

from __future__ import annotations

import os

import pytest

_WHY = "real-AWS tests are opt-in: set CDNKIT_AWS_TESTS=1 and AWS credentials to run them"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    enabled = os.environ.get("CDNKIT_AWS_TESTS") == "1" and (
        "AWS_ACCESS_KEY_ID" in os.environ or "AWS_PROFILE" in os.environ
    )
    for item in items:
        if item.get_closest_marker("aws") is not None and not enabled:
            item.add_marker(pytest.mark.skip(reason=_WHY))
