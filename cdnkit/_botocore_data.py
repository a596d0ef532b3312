"""What the sessions of cdnkit's clients read from botocore's data folder, and how they read
less of it than botocore does.

A client created without ``session=`` gets a :class:`Session`: botocore's data loaded once per
process and shared, a service's model found without listing every service, and the endpoint
table read as the part its services use. A session the user passes in is never changed.

Both shortcuts give what botocore gives (tests/api/test_botocore_data.py compares them for
every partition, region and variant); they fall back to botocore's own way whenever they
cannot be sure: another botocore release than the one the cut table was made from, a user's
own copy of the table in a data path, a service that is not one of cdnkit's.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import importlib
import importlib.util
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

import botocore
from aiobotocore.hooks import AioHierarchicalEmitter
from aiobotocore.session import AioSession
from botocore import handlers
from botocore.exceptions import DataNotFoundError
from botocore.hooks import EventAliaser
from botocore.loaders import Loader, instance_cache
from botocore.regions import EndpointResolver

__all__ = ["Session"]

_hooks_logger = logging.getLogger("botocore.hooks")


class _ServiceLoader(Loader):
    """botocore's data loader, except in how it finds a service's model: it looks in that
    service's own folders, where botocore's first lists every service it has (over 400
    folders and 2,700 file checks per kind of file: 1.5 % of a cold start's instructions) only to
    check that the name is among them. Same model, same extras; an unknown service or version
    still gets botocore's own answer."""

    @instance_cache
    def load_service_model(
        self, service_name: str, type_name: str, api_version: str | None = None
    ) -> Any:
        try:
            versions: list[str] = self.list_api_versions(service_name, type_name)
        except DataNotFoundError:
            versions = []
        if not versions or (api_version is not None and api_version not in versions):
            # UnknownServiceError naming the known services, or DataNotFoundError.
            return super().load_service_model(service_name, type_name, api_version)
        version = api_version or max(versions)
        name = os.path.join(service_name, version, type_name)
        model = _compiled_model(self, service_name, version) if type_name == "service-2" else None
        if model is None:
            model = self.load_data(name)
        extras = self._find_extras(service_name, type_name, version)  # type: ignore[attr-defined]  # botocore's, not stubbed
        self._extras_processor.process(model, extras)  # type: ignore[attr-defined]  # botocore's, not stubbed
        return model


_COMPILED_MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_botocore_models")


def _bytecode_ready(source: str) -> bool:
    """Whether importing the module at ``source`` loads its bytecode, or writes it for the next
    process. Compiling a generated model module (1 MB of source) costs twenty times parsing
    botocore's JSON; without bytecode cached nor writable (``PYTHONDONTWRITEBYTECODE`` on an
    install that did not compile its files, a read-only folder) botocore's JSON is cheaper."""
    if not os.path.isfile(source):
        return True  # installed without sources: bytecode only
    cached = importlib.util.cache_from_source(source)
    if os.path.isfile(cached):
        return True
    folder = os.path.dirname(cached)
    return not sys.dont_write_bytecode and os.access(
        folder if os.path.isdir(folder) else os.path.dirname(folder), os.W_OK
    )


def _compiled_model(loader: Loader, service_name: str, version: str) -> dict[str, Any] | None:
    """botocore's model of one of cdnkit's services from its generated module
    (``cdnkit/_botocore_models``): built by compiled code in a sixth of the instructions of
    botocore's gzip and JSON. None (botocore reads its file) unless the file botocore would
    read is its own (not a user's copy) and is the very file the module was made from (same
    name and SHA-256: hashing it is a hundredth of parsing it), and its bytecode is cached."""
    from . import _endpoints as cut

    if service_name not in cut.SERVICES:
        return None
    name = service_name.replace("-", "_")
    if not _bytecode_ready(os.path.join(_COMPILED_MODELS, f"{name}.py")):
        return None
    path = _builtin_file(loader, os.path.join(service_name, version, "service-2"))
    if path is None:
        return None
    module = importlib.import_module(f"cdnkit._botocore_models.{name}")
    if (version, os.path.basename(path)) != (module.API_VERSION, module.FILE):
        return None
    with open(path, "rb") as file:
        if hashlib.sha256(file.read()).hexdigest() != module.SHA256:
            return None
    model: dict[str, Any] = module.model()
    return model


@functools.cache
def _loader(data_path: str | None) -> Loader:
    """One data loader per data path for the whole process: it reads and caches the
    endpoints, partitions and service models (several MB of JSON) once, however many clients.
    ``data_path`` is botocore's: folders separated by os.pathsep, ~ and variables expanded."""
    if data_path is None:
        return _ServiceLoader()
    folders = [os.path.expanduser(os.path.expandvars(path)) for path in data_path.split(os.pathsep)]
    return _ServiceLoader(extra_search_paths=folders)


class _ScopedEndpointResolver(EndpointResolver):
    """botocore's endpoint resolver over the part of its table that holds cdnkit's services
    (every partition's own data whole), and over the whole table, read on first need, for any
    other service (an STS client that a profile's credentials create, for example)."""

    def __init__(
        self, part: dict[str, Any], services: frozenset[str], whole: Callable[[], EndpointResolver]
    ) -> None:
        super().__init__(part, uses_builtin_data=True)
        self._services = services
        self._whole = functools.cache(whole)

    def get_service_endpoints_data(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
        if service_name in self._services:
            return super().get_service_endpoints_data(service_name, *args, **kwargs)
        return self._whole().get_service_endpoints_data(service_name, *args, **kwargs)

    def get_available_endpoints(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
        if service_name in self._services:
            return super().get_available_endpoints(service_name, *args, **kwargs)
        return self._whole().get_available_endpoints(service_name, *args, **kwargs)

    def construct_endpoint(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
        if service_name in self._services:
            return super().construct_endpoint(service_name, *args, **kwargs)
        return self._whole().construct_endpoint(service_name, *args, **kwargs)


def _whole_table(loader: Loader) -> EndpointResolver:
    """botocore's own resolver: the whole table, from wherever the loader finds it."""
    table, path = loader.load_data_with_path("endpoints")
    return EndpointResolver(table, uses_builtin_data=loader.is_builtin_path(path))


def _builtin_file(loader: Loader, name: str) -> str | None:
    """The file ``loader`` would read for ``name`` (``endpoints``, a service's model) if it is in
    botocore's own data folder; None if a data path or ``~/.aws/models`` holds a copy of its
    own, which then wins, or if there is none."""
    for folder in loader.search_paths:
        stem = os.path.join(folder, name)
        # botocore's file loader tries its extensions in this order.
        for path in (stem + ".json", stem + ".json.gz"):
            if os.path.isfile(path):
                return path if loader.is_builtin_path(path) else None
    return None


def endpoint_resolver(loader: Loader) -> EndpointResolver:
    """The resolver of a cdnkit session: the cut table when it was cut from this botocore's
    own, botocore's whole table otherwise."""
    from . import _endpoints as cut

    if botocore.__version__ != cut.BOTOCORE_VERSION or not _builtin_file(loader, "endpoints"):
        return _whole_table(loader)
    return _ScopedEndpointResolver(_cut_table(), cut.SERVICES, lambda: _whole_table(loader))


@functools.cache
def _cut_table() -> dict[str, Any]:
    """The cut table, copied once per process for the resolvers to share, as a loader shares
    the whole table it read: botocore's resolver writes into the table it is given (it merges
    defaults into the entries it resolves), and the generated module's table stays as cut."""
    from . import _endpoints as cut

    table: dict[str, Any] = copy.deepcopy(cut.ENDPOINTS)
    return table


class _QuickAliaser(EventAliaser):
    """botocore's event aliaser, with the alias of a new event name found without an exception
    per alias. botocore splits the name again and catches a ValueError for each of its 65
    aliases that the name lacks: about 0.3 M instructions for each name a session or client
    registers or emits for the first time, 1.2 % of a cold start's (a session registers 110
    built-in names, a client and its first call a dozen more). Each aliaser still remembers
    the names it has seen, as botocore's does, and a copy (every client makes one of its
    session's) is of this class again."""

    def _alias_event_name(self, event_name: str) -> str:
        cache: dict[str, str] = self._alias_name_cache  # type: ignore[attr-defined]  # botocore's, not stubbed
        aliased = cache.get(event_name)
        if aliased is None:
            aliased = cache[event_name] = self._first_alias(event_name)
        return aliased

    def _first_alias(self, event_name: str) -> str:
        # botocore's rule: the first alias (in the table's order) whose part (or dotted run of
        # parts) the name has replaces it; a dotted alias found only as a substring of the
        # name (not aligned on parts) still ends the search, with the name unchanged.
        aliases: dict[str, str] = self._event_aliases  # type: ignore[attr-defined]  # botocore's, not stubbed
        parts = event_name.split(".")
        for old, new in aliases.items():
            if "." not in old:
                if old not in parts:
                    continue
                parts[parts.index(old)] = new
            elif old in event_name:
                self._replace_subsection(parts, old.split("."), new)  # type: ignore[attr-defined]  # botocore's, not stubbed
            else:
                continue
            aliased = ".".join(parts)
            _hooks_logger.debug("Changing event name from %s to %s", event_name, aliased)
            return aliased
        return event_name


#: botocore's built-in event handlers as a cdnkit session registered them, before anything
#: else was registered, with the list of them it registered: what later sessions start from
#: (a copy each) while that list is unchanged.
_builtin_handlers: tuple[tuple[Any, ...], AioHierarchicalEmitter] | None = None


class Session(AioSession):
    """The session of a client created without ``session=``: its own credentials and config,
    with botocore's data read as this module says, once per process, and shared (read-only)
    with every such session."""

    def _register_builtin_handlers(self, events: Any) -> None:
        # botocore registers its ~120 built-in handlers one by one for every session, checking
        # each one's signature with inspect and each event name against its aliases: two thirds
        # of opening a client (about 10 ms on a slow machine). They are the same module-level
        # handlers for every session, so a session registers them as botocore does and later
        # ones start from a copy of that emitter: botocore's own copy, the one every client
        # makes of its session's emitter (registering on a copy leaves the original alone).
        # The list is compared each time: a library that adds to it (moto's stubber, added
        # when moto is imported) is in every session made after, as with botocore's sessions.
        global _builtin_handlers
        specs = tuple(handlers.BUILTIN_HANDLERS)
        emitter: Any = self._original_handler  # type: ignore[has-type]  # botocore's, not stubbed
        known = _builtin_handlers
        if type(events) is EventAliaser:
            events.__class__ = _QuickAliaser
        if known is None or known[0] != specs or type(emitter) is not AioHierarchicalEmitter:
            super()._register_builtin_handlers(events)  # type: ignore[misc]  # not stubbed
            if type(emitter) is AioHierarchicalEmitter:
                _builtin_handlers = (specs, copy.copy(emitter))
            return
        emitter = copy.copy(known[1])
        self._original_handler = emitter
        self._events = _QuickAliaser(emitter)

    def _register_data_loader(self) -> None:
        # Lazily, as botocore does: the data path comes from the config (a profile's), which is
        # read when the client is opened, so a bad profile still fails there.
        components: Any = self._components  # type: ignore[attr-defined]  # botocore's, not stubbed
        components.lazy_register_component(
            "data_loader", lambda: _loader(self.get_config_variable("data_path"))
        )

    def _register_endpoint_resolver(self) -> None:
        components: Any = self._internal_components  # type: ignore[attr-defined]  # botocore's, not stubbed
        components.lazy_register_component(
            "endpoint_resolver", lambda: endpoint_resolver(self.get_component("data_loader"))
        )
