"""The sessions of cdnkit's clients read less of botocore's data than botocore does
(cdnkit/_botocore_data.py): the answers must be botocore's own, and the shortcuts must step
aside whenever they cannot be sure."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
from collections.abc import Iterator
from itertools import product
from pathlib import Path
from typing import Any

import botocore
import pytest
from botocore.exceptions import DataNotFoundError, UnknownServiceError
from botocore.loaders import Loader
from botocore.regions import EndpointResolver

import cdnkit
from cdnkit import _botocore_data
from cdnkit import _endpoints as cut
from cdnkit._codegen import SERVICES
from cdnkit._codegen._ir import module_name
from cdnkit.testing import Emulator

WHOLE: dict[str, Any] = Loader().load_data("endpoints")
BOTOCORE = EndpointResolver(WHOLE, uses_builtin_data=True)
PARTITIONS = [partition["partition"] for partition in WHOLE["partitions"]]
REGIONS = sorted(
    {region for partition in WHOLE["partitions"] for region in partition["regions"]}
    | {"aws-global", "us-east-7", "eu-central-9", "cn-north-5", "not-a-region", ""}
)


@pytest.fixture
def bytecode_ready(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The generated model modules' bytecode counts as cached, whatever this checkout holds
    (CI runs with PYTHONDONTWRITEBYTECODE, where the sessions rightly parse the JSON instead),
    with the process's loaders made afresh (an earlier test's loader may hold a parsed model)."""
    monkeypatch.setattr(_botocore_data, "_bytecode_ready", lambda source: True)
    _botocore_data._loader.cache_clear()
    yield
    _botocore_data._loader.cache_clear()


def private(owner: object, name: str) -> Any:
    """An attribute of botocore's that its stubs leave out."""
    return getattr(owner, name)


def scoped() -> EndpointResolver:
    resolver = _botocore_data.endpoint_resolver(Loader())
    assert type(resolver).__name__ == "_ScopedEndpointResolver"  # the shortcut is taken
    return resolver


async def test_resolving_leaves_the_generated_table_as_cut(emulator: Emulator) -> None:
    """botocore's resolver merges defaults into the entries it resolves: into a copy, never
    into the generated module's table (which the test below compares with botocore's)."""
    pristine = json.dumps(cut.ENDPOINTS, sort_keys=True)
    async with cdnkit.CloudFront(**emulator.client_kwargs()) as cf:
        assert [s async for s in cf.key_value_stores.list()] == []
    resolver = scoped()
    for region in ("aws-global", "us-east-1", "eu-west-1"):
        resolver.construct_endpoint("cloudfront", region)
        resolver.construct_endpoint("lightsail", region)
    assert json.dumps(cut.ENDPOINTS, sort_keys=True) == pristine


def test_the_cut_table_keeps_only_cdnkits_services_and_every_partition_whole() -> None:
    assert botocore.__version__ == cut.BOTOCORE_VERSION
    assert set(SERVICES) == cut.SERVICES
    assert [p["partition"] for p in cut.ENDPOINTS["partitions"]] == PARTITIONS
    for mine, theirs in zip(cut.ENDPOINTS["partitions"], WHOLE["partitions"], strict=True):
        assert {k: v for k, v in mine.items() if k != "services"} == {
            k: v for k, v in theirs.items() if k != "services"
        }
        assert set(mine["services"]) == set(theirs["services"]) & cut.SERVICES
        for name, entry in mine["services"].items():
            assert entry == theirs["services"][name]
    # The point of it: a small fraction of the whole.
    assert len(json.dumps(cut.ENDPOINTS)) * 20 < len(json.dumps(WHOLE))


def outcome(method: Any, *args: Any, **kwargs: Any) -> Any:
    """What a call returns, or the type and text of what it raises."""
    try:
        return method(*args, **kwargs)
    except Exception as error:
        return (type(error), str(error))


@pytest.mark.parametrize("service", SERVICES)
def test_every_region_partition_and_variant_resolves_as_botocore_does(service: str) -> None:
    ours = scoped()
    for region, dualstack, fips in product([None, *REGIONS], (False, True), (False, True)):
        flags = {"use_dualstack_endpoint": dualstack, "use_fips_endpoint": fips}
        assert outcome(ours.construct_endpoint, service, region, **flags) == outcome(
            BOTOCORE.construct_endpoint, service, region, **flags
        ), (region, dualstack, fips)
    for partition, region in product([*PARTITIONS, "no-such-partition"], ["us-east-1", None]):
        assert outcome(ours.construct_endpoint, service, region, partition_name=partition) == (
            outcome(BOTOCORE.construct_endpoint, service, region, partition_name=partition)
        )
        assert ours.get_service_endpoints_data(
            service, partition
        ) == BOTOCORE.get_service_endpoints_data(service, partition)
        for non_regional, tags in product((False, True), (None, ["fips"], ["dualstack"])):
            assert ours.get_available_endpoints(
                service, partition, non_regional, tags
            ) == BOTOCORE.get_available_endpoints(service, partition, non_regional, tags)
    assert ours.get_available_partitions() == BOTOCORE.get_available_partitions()
    for partition, tags in product(PARTITIONS, (None, ["fips"], ["dualstack"])):
        assert ours.get_partition_dns_suffix(partition, tags) == (
            BOTOCORE.get_partition_dns_suffix(partition, tags)
        )
    for region in REGIONS:
        assert outcome(ours.get_partition_for_region, region) == outcome(
            BOTOCORE.get_partition_for_region, region
        )


def test_other_services_read_the_whole_table_once_on_first_need() -> None:
    loads: list[str] = []

    class Counting(Loader):
        def load_data_with_path(self, name: str) -> Any:
            loads.append(name)
            return super().load_data_with_path(name)

    ours = _botocore_data.endpoint_resolver(Counting())
    assert ours.construct_endpoint("cloudfront", "us-east-1") is not None
    assert loads == []  # cdnkit's own services never read it
    for service in ("sts", "s3", "sso-oidc", "no-such-service"):
        for region in ("us-east-1", "eu-west-1", "aws-global", "cn-north-1", None):
            assert outcome(ours.construct_endpoint, service, region) == outcome(
                BOTOCORE.construct_endpoint, service, region
            )
        assert ours.get_available_endpoints(service) == BOTOCORE.get_available_endpoints(service)
        assert ours.get_service_endpoints_data(service) == (
            BOTOCORE.get_service_endpoints_data(service)
        )
    assert loads == ["endpoints"]


def test_another_botocore_release_reads_the_whole_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cut, "BOTOCORE_VERSION", "0.0.1")
    resolver = _botocore_data.endpoint_resolver(Loader())
    assert type(resolver) is EndpointResolver
    assert resolver.construct_endpoint("sts", "us-east-1") == BOTOCORE.construct_endpoint(
        "sts", "us-east-1"
    )


def test_a_data_path_with_its_own_table_is_read_instead(tmp_path: Path) -> None:
    mine = json.loads(json.dumps(WHOLE))
    for partition in mine["partitions"]:
        partition["dnsSuffix"] = "example.test"
    (tmp_path / "endpoints.json").write_text(json.dumps(mine))
    resolver = _botocore_data.endpoint_resolver(Loader(extra_search_paths=[str(tmp_path)]))
    assert type(resolver) is EndpointResolver
    assert private(resolver, "uses_builtin_data") is False
    assert resolver.get_partition_dns_suffix("aws") == "example.test"
    # A data path without one changes nothing.
    (tmp_path / "endpoints.json").unlink()
    assert type(_botocore_data.endpoint_resolver(Loader(extra_search_paths=[str(tmp_path)]))) is (
        _botocore_data._ScopedEndpointResolver
    )


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("kind", ["service-2", "paginators-1", "waiters-2", "endpoint-rule-set-1"])
def test_service_models_are_botocores_own(service: str, kind: str) -> None:
    botocores = Loader()
    ours = _botocore_data._loader.__wrapped__(None)
    try:
        expected = botocores.load_service_model(service, kind)
    except Exception as error:
        with pytest.raises(type(error)):
            ours.load_service_model(service, kind)
        return
    assert ours.load_service_model(service, kind) == expected
    # In botocore's order too (a dict equals an OrderedDict whatever the order): members are
    # serialized in the order the model lists them.
    assert json.dumps(ours.load_service_model(service, kind)) == json.dumps(expected)
    version = botocores.determine_latest_version(service, kind)
    assert ours.load_service_model(service, kind, version) == expected
    # Cached like botocore's: the same object each time.
    assert ours.load_service_model(service, kind) is ours.load_service_model(service, kind)


def read_files(loader: Loader) -> list[str]:
    """The data files ``loader`` has read (botocore caches each by name)."""
    return [key[1] for key in private(loader, "_cache") if key[0] == "load_data_with_path"]


@pytest.mark.parametrize("service", SERVICES)
def test_the_compiled_models_are_botocores_files_whole(service: str) -> None:
    from botocore.loaders import JSONFileLoader

    module = importlib.import_module(f"cdnkit._botocore_models.{module_name(service)}")
    path = os.path.join(Loader.BUILTIN_DATA_PATH, service, module.API_VERSION, "service-2")
    file = Path(f"{path}.json.gz" if module.FILE.endswith(".gz") else f"{path}.json")
    assert hashlib.sha256(file.read_bytes()).hexdigest() == module.SHA256, (
        "run `python -m cdnkit._codegen`"
    )
    expected = JSONFileLoader().load_file(path)
    model = module.model()
    assert json.dumps(model) == json.dumps(expected)  # documentation and order included
    # A new copy each call: botocore merges its extras into the model it is given.
    model["metadata"]["changed"] = True
    assert "changed" not in module.model()["metadata"]


@pytest.mark.parametrize("service", SERVICES)
def test_a_session_takes_the_compiled_model_and_reads_no_model_file(
    service: str, bytecode_ready: None
) -> None:
    ours = _botocore_data._loader.__wrapped__(None)
    model = ours.load_service_model(service, "service-2")
    assert not [name for name in read_files(ours) if name.endswith("service-2")]
    assert json.dumps(model) == json.dumps(Loader().load_service_model(service, "service-2"))


@pytest.mark.usefixtures("bytecode_ready")
def test_a_model_file_other_than_the_one_compiled_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a botocore release with another CloudFront model looks like to the session: the
    file's SHA-256 differs from the one the module was made from."""
    from cdnkit._botocore_models import cloudfront

    monkeypatch.setattr(cloudfront, "SHA256", "0" * 64)
    ours = _botocore_data._loader.__wrapped__(None)
    assert ours.load_service_model("cloudfront", "service-2") == Loader().load_service_model(
        "cloudfront", "service-2"
    )
    assert [name for name in read_files(ours) if name.endswith("service-2")]
    # Another botocore release with the same model file keeps the compiled model.
    monkeypatch.undo()
    monkeypatch.setattr(_botocore_data, "_bytecode_ready", lambda source: True)
    monkeypatch.setattr(cut, "BOTOCORE_VERSION", "0.0.1")
    ours = _botocore_data._loader.__wrapped__(None)
    ours.load_service_model("cloudfront", "service-2")
    assert not [name for name in read_files(ours) if name.endswith("service-2")]


@pytest.mark.usefixtures("bytecode_ready")
def test_a_data_path_with_its_own_model_is_read_instead(tmp_path: Path) -> None:
    botocores = Loader()
    version = botocores.determine_latest_version("cloudfront", "service-2")
    mine = json.loads(json.dumps(botocores.load_service_model("cloudfront", "service-2")))
    mine["metadata"]["serviceFullName"] = "My CloudFront"
    folder = tmp_path / "cloudfront" / version
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(mine))
    ours = _botocore_data._loader.__wrapped__(str(tmp_path))
    assert ours.load_service_model("cloudfront", "service-2")["metadata"]["serviceFullName"] == (
        "My CloudFront"
    )
    # The other services of the same session still take their compiled models.
    ours.load_service_model("lightsail", "service-2")
    assert [name for name in read_files(ours) if name.endswith("service-2")] == [
        f"cloudfront/{version}/service-2"
    ]


def test_without_bytecode_cached_nor_writable_the_json_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import py_compile
    import sys

    source = tmp_path / "model.py"
    source.write_text("def model() -> dict[str, int]:\n    return {'a': 1}\n")
    ready = _botocore_data._bytecode_ready
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert not ready(str(source))  # each process would compile 1 MB of source
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    assert ready(str(source))  # compiled once, loaded by every later process
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    py_compile.compile(str(source), cfile=importlib.util.cache_from_source(str(source)))
    assert ready(str(source))
    assert ready(str(tmp_path / "sourceless.py"))
    # And a session then reads botocore's file.
    monkeypatch.setattr(_botocore_data, "_bytecode_ready", lambda source: False)
    ours = _botocore_data._loader.__wrapped__(None)
    assert ours.load_service_model("lightsail", "service-2") == Loader().load_service_model(
        "lightsail", "service-2"
    )
    assert [name for name in read_files(ours) if name.endswith("service-2")]


def test_unknown_services_and_versions_get_botocores_errors() -> None:
    ours = _botocore_data._loader.__wrapped__(None)
    with pytest.raises(UnknownServiceError) as raised:
        ours.load_service_model("no-such-service", "service-2")
    assert "cloudfront" in str(raised.value)  # botocore's message, naming the known services
    with pytest.raises(DataNotFoundError):
        ours.load_service_model("cloudfront", "service-2", "1999-01-01")


@pytest.mark.usefixtures("bytecode_ready")
async def test_a_client_of_each_service_never_reads_the_whole_table(emulator: Emulator) -> None:
    """The guard: the shortcut is what cdnkit's clients really take (a regression would only
    show as a slower cold start)."""
    kwargs = emulator.client_kwargs()
    async with cdnkit.Lightsail(**kwargs) as kit, cdnkit.CloudFront(**kwargs) as cf:
        assert await kit.distributions.bundles()
        assert [s async for s in cf.key_value_stores.list()] == []
        sessions = kit._core._session, cf._core._session
        assert sessions[0] is not None
        assert sessions[1] is not None
        loader = sessions[0].get_component("data_loader")
        resolver = private(sessions[1], "_get_internal_component")("endpoint_resolver")
    assert isinstance(loader, _botocore_data._ServiceLoader)
    assert isinstance(resolver, _botocore_data._ScopedEndpointResolver)
    assert not any(
        key[:2] == ("load_data_with_path", "endpoints") for key in private(loader, "_cache")
    )
    assert not any(key[0] == "list_available_services" for key in private(loader, "_cache"))
    assert not [name for name in read_files(loader) if name.endswith("service-2")]


async def test_a_users_own_session_is_left_as_botocore_made_it(emulator: Emulator) -> None:
    from aiobotocore.session import AioSession

    session = AioSession()
    async with cdnkit.Lightsail(**emulator.client_kwargs(), session=session) as kit:
        assert await kit.distributions.bundles()
    assert type(session.get_component("data_loader")) is Loader
    resolver = private(session, "_get_internal_component")("endpoint_resolver")
    assert type(resolver) is EndpointResolver


# -- botocore's built-in event handlers, registered once per process ----------------------------

#: What botocore emits around a call, by prefix (each followed by service and operation).
CALL_EVENTS = (
    "provide-client-params",
    "before-parameter-build",
    "before-endpoint-resolution",
    "before-call",
    "request-created",
    "choose-signer",
    "before-sign",
    "before-send",
    "response-received",
    "needs-retry",
    "after-call",
    "after-call-error",
    "docs.request-params",
)


def handlers_of(session: Any, event: str) -> list[Any]:
    """The handlers a session's emitter runs for ``event``, in order (botocore's lookup)."""
    events = private(session, "_events")
    emitter = private(events, "_emitter")
    name = private(events, "_alias_event_name")(event)
    return list(private(emitter, "_handlers").prefix_search(name))


def event_names() -> list[str]:
    from botocore.handlers import BUILTIN_HANDLERS
    from botocore.session import get_session

    names = {spec[0] for spec in BUILTIN_HANDLERS}
    loader = Loader()
    for service in SERVICES:
        model = loader.load_service_model(service, "service-2")
        service_id = get_session().get_service_model(service).service_id.hyphenize()
        names.add(f"creating-client-class.{service_id}")
        for operation in model["operations"]:
            names.update(f"{event}.{service_id}.{operation}" for event in CALL_EVENTS)
    return sorted(names)


def test_every_session_runs_botocores_builtin_handlers_for_every_event() -> None:
    from aiobotocore.session import AioSession

    botocores = AioSession()
    ours = [_botocore_data.Session() for _ in range(3)]
    # The guard: later sessions start from the copy (a regression would only show as a
    # slower client open).
    assert _botocore_data._builtin_handlers is not None
    for session in ours:
        assert private(session, "_original_handler") is not _botocore_data._builtin_handlers[1]
    names = event_names()
    assert len(names) > 1000
    for name in names:
        expected = handlers_of(botocores, name)
        for session in ours:
            assert handlers_of(session, name) == expected, name


def test_a_handler_registered_on_one_session_stays_in_it() -> None:
    first, second = _botocore_data.Session(), _botocore_data.Session()
    event = "before-send.cloudfront.GetDistributionConfig"
    before = handlers_of(second, event)

    def handler(**_: Any) -> None:
        return None

    first.register(event, handler)
    assert handler in handlers_of(first, event)
    assert [h for h in handlers_of(first, event) if h is not handler] == before
    assert handlers_of(second, event) == before
    assert handlers_of(_botocore_data.Session(), event) == before


def test_a_builtin_handler_added_later_is_in_every_later_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What moto does when imported (its stubber): a session made after has it, as a
    botocore session would; one made before keeps what it had."""
    from botocore import handlers

    event = "before-send"
    earlier = _botocore_data.Session()
    _botocore_data.Session()

    def stubber(**_: Any) -> None:
        return None

    monkeypatch.setattr(
        handlers, "BUILTIN_HANDLERS", [*handlers.BUILTIN_HANDLERS, (event, stubber)]
    )
    later = _botocore_data.Session()
    assert stubber in handlers_of(later, f"{event}.cloudfront.GetDistributionConfig")
    assert stubber in handlers_of(_botocore_data.Session(), f"{event}.lightsail.GetOperation")
    assert stubber not in handlers_of(earlier, f"{event}.cloudfront.GetDistributionConfig")
    monkeypatch.undo()
    assert stubber not in handlers_of(_botocore_data.Session(), f"{event}.lightsail.GetOperation")


def alias_probes() -> list[str]:
    """Event names that hit every alias of botocore's table: as a part, as a dotted run of
    parts, as a substring not aligned on parts, two aliases in one name (the first in the
    table's order wins), and the names botocore's handlers and cdnkit's services use."""
    from botocore.utils import EVENT_ALIASES

    names = set(event_names())
    olds = list(EVENT_ALIASES)
    for old in olds:
        names.update(
            {
                f"before-call.{old}.GetThing",
                f"creating-client-class.{old}",
                f"before-call.x{old}.GetThing",
                f"before-call.{old}x.{old}",
                f"{old}",
                f"{old}.{olds[0]}",
                f"{olds[-1]}.{old}",
            }
        )
    return sorted(names)


def test_event_names_are_aliased_as_botocore_aliases_them() -> None:
    from botocore.hooks import EventAliaser, HierarchicalEmitter

    quick = _botocore_data.Session()
    events = private(quick, "_events")
    assert type(events).__name__ == "_QuickAliaser"  # the shortcut is taken
    botocores = EventAliaser(HierarchicalEmitter())
    probes = alias_probes()
    renamed = 0
    for name in probes:
        expected = private(botocores, "_alias_event_name")(name)
        assert private(events, "_alias_event_name")(name) == expected, name
        renamed += expected != name
    assert renamed > 100  # the probes reach the aliases, not only names left as they are


async def test_a_clients_emitter_keeps_the_quick_aliaser(emulator: Emulator) -> None:
    async with cdnkit.CloudFront(**emulator.client_kwargs()) as cloudfront:
        assert [s async for s in cloudfront.key_value_stores.list()] == []
        events = private(cloudfront._core, "_client").meta.events
    assert type(events).__name__ == "_QuickAliaser"
    # A client's copy aliases as botocore's does, and remembers what it has seen.
    assert private(events, "_alias_event_name")("before-call.apigateway.GetThing") == (
        "before-call.api-gateway.GetThing"
    )
    assert "before-call.cloudfront.ListKeyValueStores" in private(events, "_alias_name_cache")
