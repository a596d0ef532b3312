"""The three wire protocols: read a request into botocore's Python form, write replies and errors.

One codec per service, driven by its compiled model (:mod:`._model`); nothing here knows an
operation by name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from .._backend import EmulatedErrorReply, JsonDict
from ._json import from_json, to_json
from ._model import Field, Node, OperationPlan, ServiceSchema
from ._routes import RouteMatch, RouteTable, split_path
from ._scalars import MalformedInput, header_to_value, text_to_value, value_to_text
from ._services import ErrorKind, ServiceTraits
from ._validate import validate
from ._xml import (
    XML_DECLARATION,
    escape_text,
    from_xml,
    local_name,
    namespace_attribute,
    parse_document,
    write_xml,
)


@dataclass(slots=True)
class Incoming:
    """A request as read off the socket."""

    method: str
    raw_path: str
    raw_query: str
    #: Decoded query parameters, every value of each key in order.
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    @classmethod
    def read(
        cls, method: str, target: str, headers: Mapping[str, str], body: bytes = b""
    ) -> Incoming:
        """From the request target as sent (raw path and query string)."""
        raw_path, _, raw_query = target.partition("?")
        query: dict[str, list[str]] = {}
        if raw_query:
            for key, value in parse_qsl(raw_query, keep_blank_values=True):
                query.setdefault(key, []).append(value)
        return cls(method, raw_path, raw_query, query, headers, body)

    def first_query_values(self) -> dict[str, str]:
        return {key: values[0] for key, values in self.query.items()}


@dataclass(slots=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def error_from(kind: ErrorKind, message: str | None = None) -> EmulatedErrorReply:
    return EmulatedErrorReply(kind.code, message or kind.message, kind.status)


class Codec:
    """What every protocol shares: validation, bound members, error bodies."""

    def __init__(self, schema: ServiceSchema, traits: ServiceTraits) -> None:
        self.schema = schema
        self.traits = traits
        self.service = schema.name
        self._check_quantities = traits.inconsistent_quantities is not None

    # -- requests -------------------------------------------------------------------------

    def route(self, incoming: Incoming) -> RouteMatch:
        raise NotImplementedError

    def decode(self, match: RouteMatch, incoming: Incoming) -> JsonDict:
        raise NotImplementedError

    def parse(self, match: RouteMatch, incoming: Incoming) -> JsonDict:
        """The operation's input in botocore's Python form, validated against the model."""
        try:
            params = self.decode(match, incoming)
        except MalformedInput as problem:
            raise error_from(self.traits.malformed, problem.describe()) from None
        self.check(match.plan.input, params)
        return params

    def check(self, node: Node, params: JsonDict) -> None:
        missing_header = self.traits.missing_header
        if missing_header:
            for name in node.required:
                member = node.fields[name]
                if member.location == "header" and params.get(name) is None:
                    kind = missing_header.get(member.wire.lower())
                    if kind is not None:
                        raise error_from(kind)
        findings = validate(node, params, self._check_quantities)
        if findings.violations:
            raise error_from(self.traits.validation, findings.message())
        if findings.inconsistent_quantities:
            assert self.traits.inconsistent_quantities is not None
            raise error_from(
                self.traits.inconsistent_quantities, "; ".join(findings.inconsistent_quantities)
            )

    def bound_members(self, node: Node, match: RouteMatch, incoming: Incoming) -> JsonDict:
        """Members bound to the URI, the query string and headers."""
        params: JsonDict = {}
        for member in node.located:
            location = member.location
            try:
                if location == "uri":
                    text = match.labels.get(member.wire)
                    if text is not None:
                        params[member.name] = text_to_value(
                            member.node, text, member.timestamp_format or "iso8601"
                        )
                elif location == "querystring":
                    value = self._query_member(node, member, incoming.query)
                    if value is not None:
                        params[member.name] = value
                elif location == "header":
                    header = incoming.headers.get(member.wire)
                    if header is not None:
                        params[member.name] = header_to_value(member, header)
                elif location == "headers":
                    prefix = member.wire.lower()
                    mapped = {
                        name[len(prefix) :]: value
                        for name, value in incoming.headers.items()
                        if name.lower().startswith(prefix)
                    }
                    if mapped:
                        params[member.name] = mapped
            except MalformedInput as problem:
                raise problem.under(member.name) from None
        return params

    @staticmethod
    def _query_member(node: Node, member: Field, query: dict[str, list[str]]) -> Any:
        kind = member.node.kind
        if kind == "map":
            # A query-string map takes every parameter no other member is bound to.
            taken = {m.wire for m in node.located if m.location == "querystring"}
            return {key: values[0] for key, values in query.items() if key not in taken} or None
        values = query.get(member.wire)
        if not values:
            return None
        fmt = member.timestamp_format or "iso8601"
        if kind == "list":
            assert member.node.item is not None
            item = member.node.item.node
            return [text_to_value(item, value, fmt) for value in values]
        return text_to_value(member.node, values[0], fmt)

    # -- replies --------------------------------------------------------------------------

    def reply(self, plan: OperationPlan, output: JsonDict, request_id: str) -> Reply:
        raise NotImplementedError

    def error(
        self, problem: EmulatedErrorReply, request_id: str, status: int | None = None
    ) -> Reply:
        raise NotImplementedError

    def error_status(self, problem: EmulatedErrorReply) -> int:
        """The model's status for a modeled code (the model is the source of truth), else the
        one the error carries."""
        spec = self.schema.errors.get(problem.code)
        if spec is not None and spec.status is not None:
            return spec.status
        return problem.status

    def error_fields(self, problem: EmulatedErrorReply) -> JsonDict:
        if not problem.fields:
            return {}
        spec = self.schema.errors.get(problem.code)
        if spec is None:
            return dict(problem.fields)
        try:
            encoded: JsonDict = to_json(spec.node, problem.fields)
        except (ValueError, TypeError):
            return dict(problem.fields)
        return encoded

    def message_key(self, problem: EmulatedErrorReply, default: str) -> str:
        spec = self.schema.errors.get(problem.code)
        if spec is not None:
            for name, member in spec.node.fields.items():
                if name.lower() == "message":
                    return member.wire
        return default

    def located_headers(self, node: Node, output: JsonDict, headers: dict[str, str]) -> int | None:
        """Write output members bound to headers; returns a status bound to a member, if any."""
        status: int | None = None
        for member in node.located:
            value = output.get(member.name)
            if value is None:
                continue
            location = member.location
            if location == "header":
                headers[self.schema.output_header_name(node, member)] = value_to_text(
                    member, value, "rfc822"
                )
            elif location == "headers":
                for suffix, item in value.items():
                    headers[member.wire + suffix] = str(item)
            elif location == "statusCode":
                status = int(value)
        return status


class JsonRpcCodec(Codec):
    """JSON 1.1: ``POST /`` with ``X-Amz-Target: <prefix>.<Operation>`` (Lightsail)."""

    def __init__(self, schema: ServiceSchema, traits: ServiceTraits) -> None:
        super().__init__(schema, traits)
        self.content_type = f"application/x-amz-json-{schema.json_version}"
        self._targets = {
            f"{schema.target_prefix}.{name}": plan for name, plan in schema.operations.items()
        }

    def route(self, incoming: Incoming) -> RouteMatch:
        target = incoming.headers.get("X-Amz-Target", "")
        plan = self._targets.get(target)
        if plan is None or incoming.method != "POST" or incoming.raw_path != "/":
            raise error_from(
                self.traits.unknown_operation, f"Unknown operation {target or '(none)'}"
            )
        content_type = incoming.headers.get("Content-Type", "")
        if not content_type.startswith("application/x-amz-json-1."):
            raise error_from(
                self.traits.unsupported_media_type, f"Unsupported content type {content_type!r}"
            )
        return RouteMatch(plan, {})

    def decode(self, match: RouteMatch, incoming: Incoming) -> JsonDict:
        document = _load_json(incoming.body)
        decoded: JsonDict = from_json(match.plan.input, document)
        return decoded

    def reply(self, plan: OperationPlan, output: JsonDict, request_id: str) -> Reply:
        body = json.dumps(to_json(plan.output, output), separators=(",", ":")).encode()
        headers = {"Content-Type": self.content_type, self.traits.request_id_header: request_id}
        return Reply(200, headers, body)

    def error(
        self, problem: EmulatedErrorReply, request_id: str, status: int | None = None
    ) -> Reply:
        document: JsonDict = {"__type": problem.code}
        document.update(self.error_fields(problem))
        document[self.message_key(problem, "message")] = problem.message
        headers = {
            "Content-Type": self.content_type,
            self.traits.request_id_header: request_id,
            **problem.headers,
        }
        body = json.dumps(document, separators=(",", ":")).encode()
        return Reply(status or self.error_status(problem), headers, body)


class RestCodec(Codec):
    """What REST-JSON and REST-XML share: routing on method, path and query keys."""

    def __init__(self, schema: ServiceSchema, traits: ServiceTraits) -> None:
        super().__init__(schema, traits)
        self.routes = RouteTable(schema.operations.values())

    def route(self, incoming: Incoming) -> RouteMatch:
        segments = split_path(incoming.raw_path)
        match = self.routes.match(incoming.method, segments, incoming.first_query_values())
        if match is None:
            raise error_from(
                self.traits.unknown_operation,
                f"No operation for {incoming.method} {unquote(incoming.raw_path)}",
            )
        return match

    def decode(self, match: RouteMatch, incoming: Incoming) -> JsonDict:
        node = match.plan.input
        params = self.bound_members(node, match, incoming)
        body = incoming.body
        if node.payload is not None:
            member = node.fields[node.payload]
            kind = member.node.kind
            if kind == "blob":
                if body:
                    params[member.name] = body
            elif kind == "string":
                if body:
                    params[member.name] = body.decode("utf-8", errors="replace")
            elif body.strip():
                try:
                    params[member.name] = self.decode_payload(member, body)
                except MalformedInput as problem:
                    raise problem.under(member.name) from None
        elif node.has_body_members and body.strip():
            params.update(self.decode_body(node, body))
        return params

    def decode_payload(self, member: Field, body: bytes) -> Any:
        raise NotImplementedError

    def decode_body(self, node: Node, body: bytes) -> JsonDict:
        raise NotImplementedError

    def encode_structure(self, node: Node, value: JsonDict, root_name: str) -> bytes:
        raise NotImplementedError

    body_content_type = "application/octet-stream"

    def reply(self, plan: OperationPlan, output: JsonDict, request_id: str) -> Reply:
        node = plan.output
        headers: dict[str, str] = {self.traits.request_id_header: request_id}
        status = self.located_headers(node, output, headers) or plan.response_code
        body = b""
        if node.payload is not None:
            member = node.fields[node.payload]
            value = output.get(node.payload)
            if value is not None:
                kind = member.node.kind
                if kind == "blob":
                    body = value if isinstance(value, bytes) else str(value).encode()
                    headers.setdefault("Content-Type", "application/octet-stream")
                elif kind == "string":
                    body = str(value).encode()
                    headers.setdefault("Content-Type", "text/plain")
                else:
                    body = self.encode_structure(member.node, value, member.wire)
                    headers["Content-Type"] = self.body_content_type
        elif node.has_body_members and status != 204:
            body = self.encode_structure(node, output, node.xml_name or node.name)
            headers["Content-Type"] = self.body_content_type
        return Reply(status, headers, body)


class RestJsonCodec(RestCodec):
    """REST-JSON (the KeyValueStore data plane)."""

    body_content_type = "application/json"

    def decode(self, match: RouteMatch, incoming: Incoming) -> JsonDict:
        if incoming.body:
            content_type = incoming.headers.get("Content-Type", "application/json")
            if "json" not in content_type:
                raise error_from(
                    self.traits.unsupported_media_type,
                    f"Unsupported content type {content_type!r}",
                )
        return super().decode(match, incoming)

    def decode_payload(self, member: Field, body: bytes) -> Any:
        return from_json(member.node, _load_json(body))

    def decode_body(self, node: Node, body: bytes) -> JsonDict:
        decoded: JsonDict = from_json(node, _load_json(body))
        return decoded

    def encode_structure(self, node: Node, value: JsonDict, root_name: str) -> bytes:
        return json.dumps(to_json(node, value), separators=(",", ":")).encode()

    def error(
        self, problem: EmulatedErrorReply, request_id: str, status: int | None = None
    ) -> Reply:
        document = self.error_fields(problem)
        document[self.message_key(problem, "message")] = problem.message
        headers = {
            "Content-Type": "application/json",
            "x-amzn-ErrorType": problem.code,
            self.traits.request_id_header: request_id,
            **problem.headers,
        }
        body = json.dumps(document, separators=(",", ":")).encode()
        return Reply(status or self.error_status(problem), headers, body)


class RestXmlCodec(RestCodec):
    """REST-XML (CloudFront)."""

    body_content_type = "text/xml"

    def __init__(self, schema: ServiceSchema, traits: ServiceTraits) -> None:
        super().__init__(schema, traits)
        self._namespace = namespace_attribute(schema.xml_namespace)

    def decode_payload(self, member: Field, body: bytes) -> Any:
        root = parse_document(body)
        if local_name(root.tag) != member.wire:
            raise MalformedInput(
                f"expected the root element <{member.wire}>, not <{local_name(root.tag)}>"
            )
        return from_xml(member.node, root)

    def decode_body(self, node: Node, body: bytes) -> JsonDict:
        root = parse_document(body)
        expected = node.xml_name or node.name
        if local_name(root.tag) != expected:
            raise MalformedInput(
                f"expected the root element <{expected}>, not <{local_name(root.tag)}>"
            )
        decoded: JsonDict = from_xml(node, root)
        return decoded

    def encode_structure(self, node: Node, value: JsonDict, root_name: str) -> bytes:
        parts = [XML_DECLARATION]
        write_xml(parts, node, value, root_name, self._namespace)
        return "".join(parts).encode()

    def error(
        self, problem: EmulatedErrorReply, request_id: str, status: int | None = None
    ) -> Reply:
        final_status = status or self.error_status(problem)
        fault = "Sender" if final_status < 500 else "Receiver"
        extra = "".join(
            f"<{name}>{escape_text(str(value))}</{name}>"
            for name, value in self.error_fields(problem).items()
            if name.lower() != "message"
        )
        body = (
            f"{XML_DECLARATION}<ErrorResponse{self._namespace}><Error><Type>{fault}</Type>"
            f"<Code>{escape_text(problem.code)}</Code>"
            f"<Message>{escape_text(problem.message)}</Message>{extra}</Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        headers = {
            "Content-Type": "text/xml",
            self.traits.request_id_header: request_id,
            **problem.headers,
        }
        return Reply(final_status, headers, body.encode())


def _load_json(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as problem:
        raise MalformedInput(f"the body is not valid JSON ({problem})") from None
    except RecursionError:
        raise MalformedInput("the JSON body is nested too deeply") from None


def make_codec(schema: ServiceSchema, traits: ServiceTraits) -> Codec:
    if schema.protocol == "json":
        return JsonRpcCodec(schema, traits)
    if schema.protocol == "rest-json":
        return RestJsonCodec(schema, traits)
    if schema.protocol == "rest-xml":
        return RestXmlCodec(schema, traits)
    raise ValueError(f"unsupported protocol {schema.protocol}")
