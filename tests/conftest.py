"""Suite-wide fixtures: no test reads this machine's AWS configuration or credentials."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, settings

# Few examples per case: the round-trip test runs one case per structure shape (~1,150).
settings.register_profile(
    "cdnkit",
    max_examples=5,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
    database=None,
    # Reproducible in CI; failures are reported unshrunk (shrinking deep shapes is slow).
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
settings.register_profile(
    "thorough",
    settings.get_profile("cdnkit"),
    max_examples=100,
    derandomize=False,
    phases=list(Phase),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "cdnkit"))


@pytest.fixture(autouse=True)
def _isolated_aws_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Hide AWS_* variables and point the config files at an empty folder.

    Tests marked ``aws`` keep the real environment: they are the opt-in ones.
    """
    if os.environ.get("CDNKIT_AWS_TESTS") == "1":
        yield
        return
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    empty = tmp_path_factory.mktemp("aws-home")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    yield
