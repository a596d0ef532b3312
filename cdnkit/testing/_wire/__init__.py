"""Model-driven wire layer: one codec per service, chosen per request from its headers and path."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import botocore.session

from ._model import OperationPlan, ServiceSchema
from ._protocols import Codec, Incoming, Reply, RestCodec, error_from, make_codec
from ._routes import RouteMatch, RouteTable, split_path
from ._scalars import MalformedInput
from ._services import (
    CLOUDFRONT,
    KEY_VALUE_STORE,
    LIGHTSAIL,
    SERVICES,
    TRAITS,
    ErrorKind,
    ServiceTraits,
    canonical_service,
)

__all__ = [
    "CLOUDFRONT",
    "KEY_VALUE_STORE",
    "LIGHTSAIL",
    "SERVICES",
    "TRAITS",
    "Codec",
    "ErrorKind",
    "Incoming",
    "MalformedInput",
    "OperationPlan",
    "Reply",
    "RouteMatch",
    "RouteTable",
    "ServiceSchema",
    "ServiceTraits",
    "WireLayer",
    "canonical_service",
    "error_from",
    "load_schemas",
]


@functools.cache
def load_schemas() -> Mapping[str, ServiceSchema]:
    """The three service models, loaded and indexed once per process."""
    session = botocore.session.get_session()
    return {name: ServiceSchema(session.get_service_model(name)) for name in SERVICES}


class WireLayer:
    """Picks the codec for a request: JSON services by ``X-Amz-Target`` prefix, REST services
    by the first path segment of their routes."""

    def __init__(self) -> None:
        schemas = load_schemas()
        self.codecs: dict[str, Codec] = {
            name: make_codec(schema, TRAITS[name]) for name, schema in schemas.items()
        }
        self._by_target: dict[str, Codec] = {}
        self._by_prefix: dict[str, Codec] = {}
        self._by_signing_name: dict[str, Codec] = {}
        for name, codec in self.codecs.items():
            schema = schemas[name]
            self._by_signing_name[schema.signing_name] = codec
            if schema.target_prefix:
                self._by_target[schema.target_prefix] = codec
            elif isinstance(codec, RestCodec):
                for prefix in codec.routes.prefixes:
                    self._by_prefix[prefix] = codec

    def codec_for(self, headers: Mapping[str, str], raw_path: str) -> Codec | None:
        target = headers.get("X-Amz-Target")
        if target:
            return self._by_target.get(target.partition(".")[0])
        segments = split_path(raw_path)
        codec = self._by_prefix.get(segments[0]) if segments else None
        if codec is not None:
            return codec
        return self._by_signing_name.get(_signing_name(headers.get("Authorization", "")))


def _signing_name(authorization: str) -> str:
    """The service named in a SigV4 credential scope, or ''."""
    _, found, rest = authorization.partition("Credential=")
    if not found:
        return ""
    scope = rest.split(",", 1)[0].strip().split("/")
    return scope[-2] if len(scope) >= 4 else ""
