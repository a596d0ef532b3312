"""Every public method of the clients and the resource classes has a docstring (what it sends,
waits for, retries and raises): the API reference and IDE hovers are built from them."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import cdnkit
import cdnkit.resources
import cdnkit.testing


def _public_classes() -> list[type]:
    classes: dict[str, type] = {}
    for info in pkgutil.walk_packages(cdnkit.resources.__path__, "cdnkit.resources."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and value.__module__ == module.__name__
                and not name.startswith("_")
                and not issubclass(value, BaseException)
            ):
                classes[f"{module.__name__}.{name}"] = value
    for client in (cdnkit.Lightsail, cdnkit.CloudFront):
        classes[f"cdnkit.{client.__name__}"] = client
    # The emulator's controls are public API too: a user's tests call them.
    for name in cdnkit.testing.__all__:
        value = getattr(cdnkit.testing, name)
        if inspect.isclass(value) and not issubclass(value, BaseException):
            classes[f"cdnkit.testing.{name}"] = value
    return [classes[key] for key in sorted(classes)]


def _undocumented(cls: type) -> list[str]:
    missing: list[str] = []
    for name in dir(cls):
        if name.startswith("_"):
            continue
        attribute = inspect.getattr_static(cls, name)
        if isinstance(attribute, (staticmethod, classmethod)):
            attribute = attribute.__func__
        # Properties are attributes (the class docstring or an attribute comment says what
        # they hold); methods are what send, wait, retry and raise.
        if not inspect.isfunction(attribute):
            continue
        if not attribute.__module__.startswith(("cdnkit", __name__)):
            continue  # pydantic's, dataclasses' or the standard library's own
        # getdoc: an override without a docstring inherits its base's, as help() shows it.
        if not (inspect.getdoc(getattr(cls, name)) or "").strip():
            missing.append(name)
    return missing


@pytest.mark.parametrize(
    "cls", _public_classes(), ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}"
)
def test_every_public_method_has_a_docstring(cls: type) -> None:
    assert _undocumented(cls) == []


def test_the_walk_finds_the_resource_families() -> None:
    names = {cls.__name__ for cls in _public_classes()}
    assert {
        "Distributions",
        "Operations",
        "ContinuousDeploymentPolicies",
        "KeyValueStores",
        "Functions",
        "Invalidations",
        "Keys",
        "Lightsail",
        "CloudFront",
        "Emulator",
        "Faults",
        "Counters",
    } <= names


class _Documented:
    async def sends(self) -> None:
        """Sends something."""


class _Undocumented(_Documented):
    async def sends(self) -> None:  # inherits the docstring, as help() shows it
        pass

    async def waits(self) -> None:
        pass


def test_the_check_finds_an_undocumented_method() -> None:
    assert _undocumented(_Documented) == []
    assert _undocumented(_Undocumented) == ["waits"]
