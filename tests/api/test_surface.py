"""Every operation, paginator and waiter of botocore's three models has its typed method.

Walked from botocore's own JSON (not from the generator's intermediate form): for each
operation the method exists, its parameters are exactly the input shape's members (keyword-only,
named as the model's attributes, required ones without a default, typed as the model's fields)
and its return annotation is the output shape (None without one).
"""

from __future__ import annotations

import importlib
import inspect
import typing
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import DataNotFoundError
from botocore.loaders import Loader

from cdnkit._api._runtime import Paginator
from cdnkit._codegen import SERVICES
from cdnkit._codegen._ir import module_name
from cdnkit._models import CdnKitModel
from cdnkit._operation import OperationRequest

API_CLASSES = {
    "lightsail": "LightsailApi",
    "cloudfront": "CloudFrontApi",
    "cloudfront-keyvaluestore": "KeyValueStoreApi",
}


def _load(service: str, kind: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = Loader().load_service_model(service, kind)
    except DataNotFoundError:
        return {}
    return data


def _api(service: str) -> type:
    module = importlib.import_module(f"cdnkit._api.{module_name(service)}")
    cls: type = getattr(module, API_CLASSES[service])
    return cls


def _models(service: str) -> Any:
    return importlib.import_module(f"cdnkit.types.{module_name(service)}")


def _field_types(model: type[CdnKitModel]) -> dict[str, Any]:
    """The fields' types as a type checker sees them (``Annotated`` checks stripped)."""
    return {
        name: hint
        for name, hint in typing.get_type_hints(model).items()
        if name in model.model_fields
    }


def _check_parameters(
    method: Any,
    request: type[CdnKitModel],
    shape: dict[str, Any],
    extra: frozenset[str] = frozenset(),
) -> None:
    signature = inspect.signature(method)
    parameters = dict(signature.parameters)
    assert parameters.pop("self").kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())
    members = {p: parameters.pop(p) for p in list(parameters) if p not in extra}
    # Exactly the input members: each parameter is a model field whose wire name is a member.
    fields = request.model_fields
    assert set(members) == set(fields)
    wire = {name: fields[name].serialization_alias or name for name in members}
    assert set(wire.values()) == set(shape.get("members", {}))
    required = set(shape.get("required", ()))
    hints = typing.get_type_hints(method)
    field_types = _field_types(request)
    for name, parameter in members.items():
        if wire[name] in required:
            assert parameter.default is inspect.Parameter.empty, name
            assert hints[name] == field_types[name], name
        else:
            assert parameter.default is None, name
            assert hints[name] == field_types[name] | None, name
        # snake_case, as botocore would name it (a Python keyword gets a trailing underscore).
        assert name.rstrip("_") == name.rstrip("_").lower()


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_has_a_typed_method(service: str) -> None:
    model = _load(service, "service-2")
    api = _api(service)
    types = _models(service)
    for operation, spec in model["operations"].items():
        method = getattr(api, xform_name(operation))
        assert inspect.iscoroutinefunction(method), operation
        request = getattr(types, spec["input"]["shape"])
        _check_parameters(method, request, model["shapes"][spec["input"]["shape"]])
        returned = typing.get_type_hints(method)["return"]
        if "output" in spec:
            assert returned is getattr(types, spec["output"]["shape"]), operation
        else:
            assert returned is type(None), operation
        assert (method.__doc__ or "").strip(), operation
        assert f"``{operation}``" in (method.__doc__ or "")


@pytest.mark.parametrize("service", SERVICES)
def test_every_request_model_names_its_operation_and_result(service: str) -> None:
    model = _load(service, "service-2")
    types = _models(service)
    for operation, spec in model["operations"].items():
        request = getattr(types, spec["input"]["shape"])
        assert issubclass(request, OperationRequest)
        assert request.__cdnkit_operation__ == operation
        assert request.__cdnkit_result__ == spec.get("output", {}).get("shape")


@pytest.mark.parametrize("service", SERVICES)
def test_every_paginator_has_a_typed_method(service: str) -> None:
    model = _load(service, "service-2")
    pagination = _load(service, "paginators-1").get("pagination", {})
    api = _api(service)
    types = _models(service)
    assert pagination or service != "cloudfront"
    for operation, spec in pagination.items():
        method = getattr(api, f"paginate_{xform_name(operation)}")
        assert not inspect.iscoroutinefunction(method)
        op = model["operations"][operation]
        request = getattr(types, op["input"]["shape"])
        _check_parameters(method, request, model["shapes"][op["input"]["shape"]])
        result = getattr(types, op["output"]["shape"])
        # The items' type: the list member at botocore's result_key path.
        shape = model["shapes"][op["output"]["shape"]]
        for part in spec["result_key"].split("."):
            shape = model["shapes"][shape["members"][part]["shape"]]
        assert shape["type"] == "list"
        item_shape = model["shapes"][shape["member"]["shape"]]
        returned = typing.get_type_hints(method)["return"]
        assert typing.get_origin(returned) is Paginator
        result_type, item_type = typing.get_args(returned)
        assert result_type is result
        if item_shape["type"] == "structure":
            assert item_type is getattr(types, shape["member"]["shape"])
        else:
            assert item_type is str, operation


@pytest.mark.parametrize("service", SERVICES)
def test_every_waiter_has_a_typed_method(service: str) -> None:
    model = _load(service, "service-2")
    waiters = _load(service, "waiters-2").get("waiters", {})
    api = _api(service)
    types = _models(service)
    if service == "cloudfront":
        assert {"DistributionDeployed", "InvalidationCompleted"} <= set(waiters)
        assert "StreamingDistributionDeployed" in waiters
    for name, spec in waiters.items():
        method = getattr(api, f"wait_{xform_name(name)}")
        assert inspect.iscoroutinefunction(method)
        op = model["operations"][spec["operation"]]
        request = getattr(types, op["input"]["shape"])
        _check_parameters(
            method, request, model["shapes"][op["input"]["shape"]], extra=frozenset({"timeout"})
        )
        hints = typing.get_type_hints(method)
        assert hints["timeout"] == float | None
        assert inspect.signature(method).parameters["timeout"].default is None
        result = getattr(types, op["output"]["shape"])
        ends_on_error = any(
            a["state"] == "success" and a["matcher"] == "error" for a in spec["acceptors"]
        )
        assert hints["return"] == (result | None if ends_on_error else result)
        assert spec["operation"] in (method.__doc__ or "")
