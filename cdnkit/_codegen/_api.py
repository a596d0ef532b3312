"""botocore operations, paginators and waiters -> ``cdnkit/_api/<service>.py``.

One class per service with one method per operation (keyword-only snake_case parameters typed
as the input model's members, the output model as result), one ``paginate_<operation>`` per
botocore paginator and one ``wait_<waiter>`` per botocore waiter. The method bodies are flat:
build the request model (strict validation, nothing sent on bad input) and await the core.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from botocore import xform_name
from botocore.exceptions import DataNotFoundError
from botocore.loaders import Loader

from .._api._runtime import is_read_only
from ._docs import docstring, summarize
from ._ir import MemberIR, ServiceIR, StructIR, TypeRef
from ._overrides import REPLY_HEADERS

__all__ = ["API_CLASSES", "ApiIR", "build_api", "render_api"]

#: The generated class of each service, and its base in ``cdnkit._api._runtime``.
API_CLASSES: dict[str, tuple[str, str]] = {
    "lightsail": ("LightsailApi", "ServiceApi"),
    "cloudfront": ("CloudFrontApi", "ServiceApi"),
    "cloudfront-keyvaluestore": ("KeyValueStoreApi", "DataPlaneApi"),
}

_SCALARS = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "bytes": "bytes",
    "datetime": "_dt.datetime",
}

#: Parameter the waiters add to the operation's members.
_WAIT_TIMEOUT = "timeout"


@dataclasses.dataclass(frozen=True)
class OperationIR:
    name: str
    method: str
    doc: str
    input: StructIR
    #: The output shape's name; None for operations without output.
    output: str | None
    #: The reply's payload is a stream (a blob payload) that must be read before parsing.
    streaming: bool = False
    #: Only reads: retried on every transient failure. Other operations are resent only when
    #: refused before taking effect (``refused_before_effect``).
    read_only: bool = True
    #: Reply members read from HTTP headers where botocore misses them (override table).
    headers: tuple[tuple[str, str], ...] = ()


@dataclasses.dataclass(frozen=True)
class PaginatorIR:
    method: str
    operation: OperationIR
    input_token: str
    output_token: tuple[str, ...]
    result_key: tuple[str, ...]
    more_results: tuple[str, ...] | None
    #: Type expression of one item.
    item: str
    #: botocore's member path of the items, for the docstring.
    result_path: str


@dataclasses.dataclass(frozen=True)
class WaiterIR:
    name: str
    method: str
    description: str
    operation: OperationIR
    acceptors: tuple[dict[str, Any], ...]
    #: A success acceptor matches an error: the wait may end without a reply.
    may_end_without_reply: bool


@dataclasses.dataclass(frozen=True)
class ApiIR:
    service: ServiceIR
    class_name: str
    base: str
    operations: tuple[OperationIR, ...]
    paginators: tuple[PaginatorIR, ...]
    waiters: tuple[WaiterIR, ...]


def type_expr(ref: TypeRef) -> str:
    """The Python type of a member as a parameter: the model's field type without its checks
    (the model applies them), names taken from the models module ``_m``."""
    if ref.kind in ("struct", "enum"):
        extra = ref.constraints.extra_values if ref.kind == "enum" else ()
        if extra:
            return f"_m.{ref.shape} | _t.Literal[{', '.join(map(repr, extra))}]"
        return f"_m.{ref.shape}"
    if ref.kind == "scalar":
        assert ref.scalar is not None
        return _SCALARS[ref.scalar]
    assert ref.item is not None
    if ref.kind == "list":
        return f"list[{type_expr(ref.item)}]"
    assert ref.key is not None
    return f"dict[{type_expr(ref.key)}, {type_expr(ref.item)}]"


def _load(loader: Loader, service: str, api_version: str, kind: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = loader.load_service_model(service, kind, api_version)
    except DataNotFoundError:
        return {}
    return data


def _path(
    structs: dict[str, StructIR], root: str, wire_path: str
) -> tuple[tuple[str, ...], TypeRef]:
    """``"DistributionList.NextMarker"`` on ``root`` -> attribute names, and the last type."""
    names: list[str] = []
    struct = structs[root]
    ref: TypeRef | None = None
    for part in wire_path.split("."):
        if ref is not None:
            if ref.kind != "struct":
                raise ValueError(f"{root}: {wire_path} goes through a non-structure")
            struct = structs[ref.shape]
        member = next(m for m in struct.members if m.wire_name == part)
        names.append(member.attr_name)
        ref = member.type
    assert ref is not None
    return tuple(names), ref


def build_api(ir: ServiceIR, loader: Loader | None = None) -> ApiIR:
    loader = loader or Loader()
    model = _load(loader, ir.service, ir.api_version, "service-2")
    structs = {s.name: s for s in ir.structs}
    shapes: dict[str, Any] = model["shapes"]
    operations: dict[str, OperationIR] = {}
    for name, spec in model["operations"].items():
        output = spec["output"]["shape"] if "output" in spec else None
        streaming = False
        if output is not None:
            shape = shapes[output]
            payload = shape.get("payload")
            if payload is not None:
                target = shapes[shape["members"][payload]["shape"]]
                streaming = target["type"] == "blob"
        request = structs[spec["input"]["shape"]]
        if any(m.derived_quantity for m in request.members):
            raise NotImplementedError(f"{name}: a top-level Quantity is not rendered")
        operations[name] = OperationIR(
            name=name,
            method=xform_name(name),
            doc=summarize(spec.get("documentation")) or f"Calls ``{name}``.",
            input=request,
            output=output,
            streaming=streaming,
            read_only=is_read_only(name, spec.get("http", {}).get("method", "POST")),
            headers=tuple(
                (row.member, row.header)
                for row in REPLY_HEADERS
                if row.service == ir.service and row.shape == output
            ),
        )
    paginators: list[PaginatorIR] = []
    pagination = _load(loader, ir.service, ir.api_version, "paginators-1").get("pagination", {})
    for name, spec in pagination.items():
        operation = operations[name]
        assert operation.output is not None, name
        for key in ("input_token", "output_token", "result_key"):
            if not isinstance(spec[key], str):
                raise NotImplementedError(f"{name}: several {key}s are not rendered")
        token = next(m for m in operation.input.members if m.wire_name == spec["input_token"])
        if token.type.kind != "scalar" or token.type.scalar != "str":
            raise NotImplementedError(f"{name}: a token that is not a string")
        output_token, _ = _path(structs, operation.output, spec["output_token"])
        result_key, items = _path(structs, operation.output, spec["result_key"])
        if items.kind != "list" or items.item is None:
            raise NotImplementedError(f"{name}: result_key is not a list")
        more = spec.get("more_results")
        paginators.append(
            PaginatorIR(
                method=f"paginate_{operation.method}",
                operation=operation,
                input_token=token.attr_name,
                output_token=output_token,
                result_key=result_key,
                more_results=_path(structs, operation.output, more)[0] if more else None,
                item=type_expr(items.item),
                result_path=spec["result_key"],
            )
        )
    waiters: list[WaiterIR] = []
    waiter_specs = _load(loader, ir.service, ir.api_version, "waiters-2").get("waiters", {})
    for name, spec in waiter_specs.items():
        operation = operations[spec["operation"]]
        if any(m.attr_name == _WAIT_TIMEOUT for m in operation.input.members):
            raise NotImplementedError(f"waiter {name}: {operation.name} has a member 'timeout'")
        assert operation.output is not None, name
        acceptors = tuple(spec["acceptors"])
        waiters.append(
            WaiterIR(
                name=name,
                method=f"wait_{xform_name(name)}",
                description=spec.get("description") or f"Wait for {name}.",
                operation=operation,
                acceptors=acceptors,
                may_end_without_reply=any(
                    a["state"] == "success" and a["matcher"] == "error" for a in acceptors
                ),
            )
        )
    class_name, base = API_CLASSES[ir.service]
    methods = [o.method for o in operations.values()]
    methods += [p.method for p in paginators] + [w.method for w in waiters]
    if len(set(methods)) != len(methods):
        raise ValueError(f"{ir.service}: generated method names collide")
    return ApiIR(
        service=ir,
        class_name=class_name,
        base=base,
        operations=tuple(sorted(operations.values(), key=lambda o: o.method)),
        paginators=tuple(sorted(paginators, key=lambda p: p.method)),
        waiters=tuple(sorted(waiters, key=lambda w: w.method)),
    )


# -- rendering -------------------------------------------------------------------------------

_SENDS = (
    "Sends ``{op}`` (retried on throttling, 5xx and lost connections per the client's "
    "RetryPolicy, within its deadline, through its rate limiter). Bad arguments raise "
    ":class:`cdnkit.RequestValidationError` before anything is sent; AWS's refusals raise "
    "the matching :class:`cdnkit.APIError`."
)
_SENDS_WRITE = (
    "Sends ``{op}`` (within the client's RetryPolicy deadline, through its rate limiter); "
    "sent again only when refused before taking effect (throttled, resource busy). After a "
    "lost answer or a 5xx it may have landed: :class:`cdnkit.TransportError` or "
    ":class:`cdnkit.ServiceError` is raised rather than risk applying it twice. Bad arguments "
    "raise :class:`cdnkit.RequestValidationError` before anything is sent; AWS's refusals "
    "raise the matching :class:`cdnkit.APIError`."
)


def _parameter(member: MemberIR) -> str:
    annotation = type_expr(member.type)
    if member.required:
        return f"{member.attr_name}: {annotation}"
    return f"{member.attr_name}: {annotation} | None = None"


def _signature(method: str, members: tuple[MemberIR, ...], extra: list[str], result: str) -> str:
    parameters = ["self", *(["*"] if members or extra else [])]
    parameters += [_parameter(m) for m in members] + extra
    return f"    {'async ' if not method.startswith('paginate_') else ''}def {method}(" + (
        ", ".join(parameters) + f") -> {result}:"
    )


def _holds_models(ref: TypeRef) -> bool:
    """Whether a member of this type can hold a model (at any depth)."""
    if ref.kind == "struct":
        return True
    return any(inner is not None and _holds_models(inner) for inner in (ref.item, ref.key))


def _request(struct: StructIR) -> str:
    arguments = ", ".join(f"{m.attr_name}={m.attr_name}" for m in struct.members)
    return f"_m.{struct.name}({arguments})"


def _method_doc(text: str) -> str:
    return docstring(text, indent=8)


class _Renderer:
    def __init__(self, api: ApiIR) -> None:
        self.api = api
        self.uses: set[str] = set()
        self.data_plane = api.base == "DataPlaneApi"

    def opener(self) -> list[str]:
        # The data plane's client opens on first use; a closed client refuses in _open.
        if not self.data_plane:
            return []
        return ["        if not self._core.is_open:", "            await self._open()"]

    def operation(self, op: OperationIR) -> str:
        result = f"_m.{op.output}" if op.output else "None"
        lines = [_signature(op.method, op.input.members, [], result)]
        sends = _SENDS if op.read_only else _SENDS_WRITE
        lines.append(_method_doc(f"{op.doc}\n\n{sends.format(op=op.name)}"))
        # The request first: bad input is refused before a data-plane connection is opened.
        lines.append(f"        request = {_request(op.input)}")
        lines += self.opener()
        request = "request"
        retry = "retry=self._retry"
        if not op.read_only:
            self.uses.add("refused_before_effect")
            retry += ", retry_if=_refused_before_effect"
        if op.output is None:
            self.uses.add("checked_wire")
            lines.append(
                f"        await self._core.send({op.name!r}, _checked_wire({request}), {retry})"
            )
        elif op.headers:
            self.uses.add("invoke_with_headers")
            lines.append(
                f"        return await _invoke_with_headers(self._core, {op.name!r}, {request}, "
                f"_m.{op.output}, {dict(op.headers)!r}, {retry})"
            )
        elif op.streaming:
            self.uses.add("invoke_streaming")
            lines.append(
                f"        return await _invoke_streaming(self._core, {op.name!r}, {request}, "
                f"_m.{op.output}, {retry})"
            )
        else:
            # Checked again as a whole by invoke when a member can hold a model: the
            # constructor does not re-validate member models the caller built
            # (model_construct, changed after building). Without one, the constructor checked
            # everything, and the request (its lists and maps too) is this method's own.
            checked = (
                "" if any(_holds_models(m.type) for m in op.input.members) else ", checked=True"
            )
            lines.append(
                f"        return await self._core.invoke({op.name!r}, {request}, "
                f"_m.{op.output}, {retry}{checked})"
            )
        return "\n".join(lines)

    def paginator(self, pag: PaginatorIR) -> str:
        self.uses.add("paginator")
        op = pag.operation
        result = f"_Paginator[_m.{op.output}, {pag.item}]"
        lines = [_signature(pag.method, op.input.members, [], result)]
        doc = (
            f"Pages or items of :meth:`{op.method}`: ``.pages()`` yields each reply with its "
            f"items and ``next_token``; ``.items()`` (or ``async for``) yields the items "
            f"(``{pag.result_path}``). Nothing is sent until the iteration starts, then one "
            f"``{op.name}`` per page, each retried as a single call. ``{pag.input_token}`` "
            "starts from a page's ``next_token``. Bad arguments raise "
            ":class:`cdnkit.RequestValidationError` here, before anything is sent."
        )
        lines.append(_method_doc(doc))
        opener = ", self._open" if self.data_plane else ""
        lines.append(
            f"        return _Paginator(self._core, self._retry, {op.name!r}, "
            f"{_request(op.input)}, _m.{op.output}, {self.constant(pag.method)}{opener})"
        )
        return "\n".join(lines)

    def paginator_spec(self, pag: PaginatorIR) -> str:
        self.uses.add("paginator")
        more = f", more_results={pag.more_results!r}" if pag.more_results else ""
        return (
            f"{self.constant(pag.method)} = _PaginatorSpec(input_token={pag.input_token!r}, "
            f"output_token={pag.output_token!r}, result_key={pag.result_key!r}{more})"
        )

    @staticmethod
    def constant(method: str) -> str:
        return f"_{method.upper()}"

    def waiter_acceptors(self, waiter: WaiterIR) -> str:
        self.uses.add("acceptor")
        rows = []
        for acceptor in waiter.acceptors:
            argument = acceptor.get("argument")
            extra = f", argument={argument!r}" if argument is not None else ""
            rows.append(
                f"_Acceptor({acceptor['state']!r}, {acceptor['matcher']!r}, "
                f"{acceptor['expected']!r}{extra}),"
            )
        return f"{self.constant(waiter.method)} = (" + " ".join(rows) + ")"

    def waiter(self, waiter: WaiterIR) -> str:
        op = waiter.operation
        result = f"_m.{op.output}"
        if waiter.may_end_without_reply:
            result += " | None"
        extra = [f"{_WAIT_TIMEOUT}: float | None = None"]
        lines = [_signature(waiter.method, op.input.members, extra, result)]
        states = "; ".join(_describe(a) for a in waiter.acceptors)
        ends = (
            " Returns the reply that succeeded (None when an error state did)."
            if waiter.may_end_without_reply
            else " Returns the reply that succeeded."
        )
        doc = (
            f"{waiter.description.rstrip('.')}.\n\n"
            f"Polls ``{op.name}`` on the client's WaitPolicy schedule (botocore's "
            f"{waiter.name} waiter, not its fixed delays) until: {states}.{ends} Each poll is "
            "retried as a single call; transient failures poll on. ``timeout`` (default: the "
            "policy's) bounds the whole wait, within any enclosing deadline: past it "
            ":class:`cdnkit.WaiterTimeoutError`; a failure state raises "
            ":class:`cdnkit.WaiterFailedError`; bad arguments raise "
            ":class:`cdnkit.RequestValidationError` before anything is sent."
        )
        lines.append(_method_doc(doc))
        function = "_wait" if waiter.may_end_without_reply else "_wait_for_reply"
        self.uses.add(function[1:])
        opener = ", opener=self._open" if self.data_plane else ""
        lines.append(
            f"        return await {function}(self._core, self._retry, self._wait, "
            f"{op.name!r}, {_request(op.input)}, _m.{op.output}, "
            f"{self.constant(waiter.method)}, timeout={_WAIT_TIMEOUT}, "
            f"what={waiter.name!r}{opener})"
        )
        return "\n".join(lines)


def _describe(acceptor: dict[str, Any]) -> str:
    matcher, expected = acceptor["matcher"], json.dumps(acceptor["expected"])
    if matcher == "path":
        what = f"``{acceptor['argument']}`` is ``{expected}``"
    elif matcher == "pathAll":
        what = f"every ``{acceptor['argument']}`` is ``{expected}``"
    elif matcher == "pathAny":
        what = f"any ``{acceptor['argument']}`` is ``{expected}``"
    elif matcher == "status":
        what = f"HTTP status {expected}"
    else:
        what = f"error ``{acceptor['expected']}``"
    return f"{acceptor['state']} when {what}"


def _count(items: tuple[object, ...], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def render_api(api: ApiIR, botocore_version: str, command: str) -> str:
    ir = api.service
    renderer = _Renderer(api)
    methods = [renderer.operation(op) for op in api.operations]
    methods += [renderer.paginator(p) for p in api.paginators]
    methods += [renderer.waiter(w) for w in api.waiters]
    constants = [renderer.paginator_spec(p) for p in api.paginators]
    constants += [renderer.waiter_acceptors(w) for w in api.waiters]
    body = "\n\n".join(methods)
    imports = ["from __future__ import annotations", ""]
    if "_dt.datetime" in body:
        imports.append("import datetime as _dt")
    if "_t.Literal" in body:
        imports.append("import typing as _t")
    if len(imports) > 2:
        imports.append("")
    runtime = [(api.base, f"_{api.base}")]
    for use, name in (
        ("acceptor", "Acceptor"),
        ("paginator", "Paginator"),
        ("paginator", "PaginatorSpec"),
        ("invoke_streaming", "invoke_streaming"),
        ("invoke_with_headers", "invoke_with_headers"),
        ("refused_before_effect", "refused_before_effect"),
        ("wait", "wait"),
        ("wait_for_reply", "wait_for_reply"),
    ):
        if use in renderer.uses:
            runtime.append((name, f"_{name}"))
    for name, alias in sorted(runtime):
        imports.append(f"from cdnkit._api._runtime import {name} as {alias}")
    if "checked_wire" in renderer.uses:
        imports.append("from cdnkit._core import checked_wire as _checked_wire")
    imports.append(f"from cdnkit.types import {ir.module} as _m")
    header = (
        f"# Generated by `{command}` from botocore {botocore_version} "
        f"({ir.service} {ir.api_version}); do not edit."
    )
    module_doc = (
        f'"""Every operation of {ir.title} as a typed async method, with its paginators and\n'
        f"waiters (botocore ``{ir.service}`` {ir.api_version}).\n\n"
        "Method docstrings open with botocore's documentation, shortened.\n"
        '"""'
    )
    class_doc = docstring(
        f"Every operation of {ir.title}: {_count(api.operations, 'operation')}, "
        f"{_count(api.paginators, 'paginator')}, {_count(api.waiters, 'waiter')}.\n\n"
        "Parameters are keyword-only and named as the request model's attributes; required "
        "members are required parameters, optional ones default to None (left out). Each "
        "method builds the request model (strict: bad input raises before anything is sent) "
        "and sends it through the client's core: its retry policy, rate limits, deadline and "
        "error classes apply as to every cdnkit call."
    )
    parts = [
        header,
        module_doc,
        "\n".join(imports) + f"\n\n__all__ = [{api.class_name!r}]",
        *constants,
        f"class {api.class_name}(_{api.base}):\n{class_doc}\n\n    __slots__ = ()\n\n{body}",
    ]
    return "\n\n\n".join(parts) + "\n"
