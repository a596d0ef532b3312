"""Each service's models load per class: a program pays only for the models it touches, while
``cdnkit.types.<service>`` still names every model, for type checkers and at run time."""

from __future__ import annotations

import ast
import asyncio
import importlib
import json
import pickle
import sys
import typing
from types import ModuleType

import pytest

import cdnkit
from cdnkit._codegen import SERVICES, TYPES_DIR
from cdnkit._codegen._ir import module_name
from cdnkit._models import CdnKitModel
from cdnkit.testing import Emulator
from cdnkit.types import cloudfront as cf
from cdnkit.types import lightsail as ls

#: Model classes a Lightsail program may create to open a client and read one distribution:
#: about a dozen today (the reply's classes and the request's); the service has over 400.
MAX_MODELS_FOR_ONE_GET = 30


def _package(service: str) -> ModuleType:
    return importlib.import_module(f"cdnkit.types.{module_name(service)}")


def _type_checking_names(service: str) -> set[str]:
    """The names the package's ``if TYPE_CHECKING:`` block imports (what checkers see)."""
    source = (TYPES_DIR / module_name(service) / "__init__.py").read_text(encoding="utf-8")
    blocks = [
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "_t.TYPE_CHECKING"
    ]
    assert len(blocks) == 1
    return {
        alias.asname or alias.name
        for node in blocks[0].body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


@pytest.mark.parametrize("service", SERVICES)
def test_the_package_names_every_model_for_checkers_and_at_run_time(service: str) -> None:
    package = _package(service)
    names = set(package.__all__)
    assert _type_checking_names(service) == names
    assert set(dir(package)) >= names
    for name in sorted(names):
        value = getattr(package, name)
        defined_in = importlib.import_module(f"{package.__name__}.{package._WHERE[name]}")
        assert getattr(defined_in, name) is value, name
        if isinstance(value, type):
            assert value.__module__ == defined_in.__name__, name
            assert value.__module__.startswith(f"{package.__name__}._"), name


def test_an_unknown_name_is_an_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchModel'"):
        _ = ls.NoSuchModel  # type: ignore[attr-defined]  # the point: it does not exist
    assert not hasattr(cf, "NoSuchModel")
    with pytest.raises(ImportError, match="NoSuchModel"):
        # The point, again: the name does not exist (mypy says so too).
        from cdnkit.types.lightsail import NoSuchModel  # type: ignore[attr-defined]  # noqa: F401


def test_from_import_and_attribute_access_give_the_same_class() -> None:
    from cdnkit.types.lightsail import CacheBehavior

    assert CacheBehavior is ls.CacheBehavior
    assert issubclass(CacheBehavior, CdnKitModel)


@pytest.mark.parametrize("service", SERVICES)
def test_every_annotation_resolves_in_its_own_module(service: str) -> None:
    """What pydantic does when it first builds a class: each class's module must import every
    model and enum alias its fields name."""
    package = _package(service)
    for name in package.__all__:
        value = getattr(package, name)
        if isinstance(value, type) and issubclass(value, CdnKitModel):
            hints = typing.get_type_hints(value, include_extras=True)
            assert set(hints) >= set(value.model_fields), name


def test_a_model_of_another_module_parses_validates_and_pickles() -> None:
    config = cf.DistributionConfig.model_validate(
        {
            "CallerReference": "ref",
            "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "example.com"}]},
            "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all"},
            "Comment": "",
            "Enabled": True,
        }
    )
    assert isinstance(config.origins.items[0], cf.Origin)
    assert pickle.loads(pickle.dumps(config)) == config
    schema = cf.DistributionConfig.model_json_schema()
    assert "Origin" in schema["$defs"]


PROGRAM = """
import asyncio, json, sys
import cdnkit
from cdnkit._models import CdnKitModel

ENDPOINT, REGION, KEY, SECRET = sys.argv[1:5]


def created():
    found, todo = set(), [CdnKitModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return sorted(c.__qualname__ for c in found if c.__module__.startswith("cdnkit.types."))


def modules():
    return sorted(m for m in sys.modules if m.startswith("cdnkit.types."))


async def main():
    seen = {"import": created()}
    async with cdnkit.Lightsail(
        endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
    ) as kit:
        seen["client"] = created()
        distribution = await kit.distributions.get("site")
    seen["get"] = created()
    seen["name"] = distribution.name
    seen["modules"] = modules()
    print(json.dumps(seen))


asyncio.run(main())
"""


async def test_a_lightsail_get_creates_only_the_models_it_touches(
    cdnkit_emulator: Emulator, cdnkit_lightsail: cdnkit.Lightsail
) -> None:
    """Counts the pydantic model classes created in a new process (no timing): loading a whole
    service's models again would create hundreds."""
    await cdnkit_lightsail.distributions.create(
        "site",
        origin=ls.InputOrigin(name="web-1", region_name="us-east-1"),
        default_cache_behavior=ls.CacheBehavior(behavior="cache"),
        bundle_id="small_1_0",
    )
    emu = cdnkit_emulator
    arguments = [emu.client_endpoint_url, emu.region, emu.access_key_id, emu.secret_access_key]
    # Asynchronously: the emulator answers from this process's event loop.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        PROGRAM,
        *arguments,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(120):
        shown, errors = await process.communicate()
    assert process.returncode == 0, errors.decode()[-2000:]
    seen = json.loads(shown)
    assert seen["name"] == "site"
    # Importing cdnkit and opening a client create no model at all.
    assert seen["import"] == seen["client"] == []
    assert {"GetDistributionsRequest", "GetDistributionsResult"} <= set(seen["get"])
    assert "LightsailDistribution" in seen["get"]
    assert len(seen["get"]) < MAX_MODELS_FOR_ONE_GET, seen["get"]
    # Only the Lightsail package's modules, and no CloudFront model module.
    assert not [m for m in seen["modules"] if m.startswith("cdnkit.types.cloudfront.")]
    lightsail_modules = [m for m in seen["modules"] if m.startswith("cdnkit.types.lightsail.")]
    assert 0 < len(lightsail_modules) < MAX_MODELS_FOR_ONE_GET
