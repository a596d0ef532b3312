"""Errors by meaning: every error shape botocore models, and what the emulator answers."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    NoCredentialsError,
    ParamValidationError,
    UnknownServiceError,
)
from botocore.loaders import Loader

import cdnkit
from cdnkit._exceptions import error_from_botocore_error, error_from_client_error, is_retryable
from cdnkit.testing import Emulator

from .conftest import create_site

SERVICES = ("lightsail", "cloudfront", "cloudfront-keyvaluestore")


def modeled_errors() -> list[tuple[str, str, int]]:
    """(service, code, HTTP status) of every exception shape in the three models."""
    loader = Loader()
    found: list[tuple[str, str, int]] = []
    for service in SERVICES:
        model: dict[str, Any] = loader.load_service_model(service, "service-2")
        for name, shape in model["shapes"].items():
            if shape.get("exception"):
                error = shape.get("error", {})
                # Lightsail's model gives no status: the service answers 400 (AWS-FACTS.md).
                found.append((service, error.get("code", name), error.get("httpStatusCode", 400)))
    return found


def client_error(
    code: str, status: int, message: str = "", request_id: str = "req-1"
) -> ClientError:
    # As botocore parses an error reply; the stubs' TypedDict wants every metadata key.
    response: Any = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": request_id},
    }
    return ClientError(response, "SomeOperation")


MODELED = modeled_errors()


def test_every_modeled_error_shape_was_found() -> None:
    assert {service for service, _, _ in MODELED} == set(SERVICES)
    assert len(MODELED) > 150


@pytest.mark.parametrize(("service", "code", "status"), MODELED)
def test_every_modeled_error_is_catchable_by_meaning(service: str, code: str, status: int) -> None:
    error = error_from_client_error(client_error(code, status, "details"), service, "Op")
    assert isinstance(error, cdnkit.APIError)
    assert type(error) is not cdnkit.APIError, f"{service} {code} maps to plain APIError"
    assert (error.service, error.operation, error.code) == (service, "Op", code)
    assert error.http_status == status


@pytest.mark.parametrize(
    ("code", "status", "message", "expected"),
    [
        ("NoSuchDistribution", 404, "", cdnkit.NotFoundError),
        ("NoSuchFunctionExists", 404, "", cdnkit.NotFoundError),
        ("EntityNotFound", 404, "", cdnkit.NotFoundError),
        ("ResourceNotFoundException", 404, "", cdnkit.NotFoundError),
        ("NotFoundException", 400, "", cdnkit.NotFoundError),
        ("InvalidInputException", 400, "Requested resource not found", cdnkit.NotFoundError),
        (
            "InvalidInputException",
            400,
            "The Distribution 'site' has an update in progress. Please wait for it to "
            "complete before trying again.",
            cdnkit.ResourceBusyError,
        ),
        ("InvalidInputException", 400, "The bundle is not valid.", cdnkit.ServerValidationError),
        ("PreconditionFailed", 412, "", cdnkit.PreconditionFailedError),
        ("InvalidIfMatchVersion", 400, "", cdnkit.PreconditionFailedError),
        ("ValidationException", 400, "Pre-Condition failed", cdnkit.PreconditionFailedError),
        ("Throttling", 400, "Rate exceeded", cdnkit.ThrottlingError),
        ("ThrottlingException", 400, "", cdnkit.ThrottlingError),
        ("ThrottlingException", 429, "", cdnkit.ThrottlingError),
        ("TestFunctionFailed", 500, "", cdnkit.FunctionTestFailedError),
        ("AccessDeniedException", 400, "", cdnkit.AccessDeniedError),
        ("UnrecognizedClientException", 400, "", cdnkit.AccessDeniedError),
        ("ServiceException", 500, "", cdnkit.ServiceError),
        ("ServiceUnavailable", 503, "", cdnkit.ServiceError),
        ("DistributionNotDisabled", 409, "", cdnkit.ConflictError),
        ("OperationFailureException", 400, "", cdnkit.ConflictError),
        ("TooManyDistributions", 400, "", cdnkit.LimitExceededError),
        ("ServiceQuotaExceededException", 402, "", cdnkit.LimitExceededError),
    ],
)
def test_meanings(code: str, status: int, message: str, expected: type[cdnkit.APIError]) -> None:
    error = error_from_client_error(client_error(code, status, message), "svc", "Op")
    assert type(error) is expected


@pytest.mark.parametrize(
    ("code", "status", "message", "retryable"),
    [
        ("Throttling", 400, "", True),
        ("ServiceUnavailable", 503, "", True),
        ("InternalFailure", 500, "", True),
        ("InvalidInputException", 400, "Please wait for it to complete", True),
        ("TestFunctionFailed", 500, "", False),
        ("InvalidInputException", 400, "Requested resource not found", False),
        ("InvalidInputException", 400, "bad value", False),
        ("AccessDeniedException", 400, "", False),
        ("PreconditionFailed", 412, "", False),
    ],
)
def test_retryable_by_meaning(code: str, status: int, message: str, retryable: bool) -> None:
    error = error_from_client_error(client_error(code, status, message), "svc", "Op")
    assert is_retryable(error) is retryable


def test_the_hierarchy() -> None:
    assert issubclass(cdnkit.RequestValidationError, cdnkit.InvalidRequestError)
    assert issubclass(cdnkit.RequestValidationError, ValueError)
    assert issubclass(cdnkit.ServerValidationError, cdnkit.InvalidRequestError)
    assert issubclass(cdnkit.PreconditionFailedError, cdnkit.ConflictError)
    assert issubclass(cdnkit.ResourceBusyError, cdnkit.ConflictError)
    assert issubclass(cdnkit.WaiterTimeoutError, TimeoutError)
    for name in cdnkit.__all__:
        value = getattr(cdnkit, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, cdnkit.CdnKitError), name


async def test_api_errors_carry_the_context_and_chain_botocores(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    with pytest.raises(cdnkit.NotFoundError) as caught:
        await kit.distributions.get("missing")
    error = caught.value
    assert error.service == "lightsail"
    assert error.operation == "GetDistributions"
    assert error.code == "InvalidInputException"
    assert error.message == "Requested resource not found"
    assert error.http_status == 400
    assert error.request_id
    assert isinstance(error.__cause__, ClientError)
    assert error.__cause__.response["ResponseMetadata"]["RequestId"] == error.request_id
    assert "lightsail.GetDistributions: InvalidInputException" in str(error)


async def test_busy_refusal_from_the_emulator_is_resource_busy(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    emulator.timing.lightsail_operation = 3600.0
    await create_site(kit, wait=False)
    once = kit.with_options(retry=cdnkit.RetryPolicy(max_attempts=1, deadline=None))
    with pytest.raises(cdnkit.ResourceBusyError) as caught:
        await once.distributions.reset_cache("site")
    assert caught.value.code == "InvalidInputException"
    assert emulator.counters.count("lightsail", "ResetDistributionCache") == 1


async def test_transport_errors_chain_the_connection_error(
    emulator: Emulator, kit: cdnkit.Lightsail
) -> None:
    emulator.faults.reset_connection("lightsail", count=None)
    once = kit.with_options(retry=cdnkit.RetryPolicy(max_attempts=1))
    with pytest.raises(cdnkit.TransportError) as caught:
        await once.distributions.bundles()
    assert caught.value.__cause__ is not None
    assert "GetDistributionBundles" in str(caught.value)


def test_botocore_failures_that_are_not_answers_map_by_meaning() -> None:
    closed = error_from_botocore_error(ConnectionClosedError(endpoint_url="x"), "lightsail", "Op")
    assert type(closed) is cdnkit.TransportError
    assert is_retryable(closed)
    no_credentials = error_from_botocore_error(NoCredentialsError(), "lightsail", "Op")
    assert isinstance(no_credentials, cdnkit.AccessDeniedError)
    assert no_credentials.code == "NoCredentialsError"
    assert not is_retryable(no_credentials)
    refused = error_from_botocore_error(ParamValidationError(report="bad"), "lightsail", "Op")
    assert type(refused) is cdnkit.InvalidRequestError
    assert isinstance(refused, ValueError)
    other = error_from_botocore_error(
        UnknownServiceError(service_name="x", known_service_names="y"), "lightsail", "Op"
    )
    assert type(other) is cdnkit.CdnKitError


def test_every_error_class_is_reachable_from_cdnkit_and_rooted_in_cdnkit_error() -> None:
    exported = [getattr(cdnkit, name) for name in cdnkit.__all__]
    errors = [obj for obj in exported if isinstance(obj, type) and issubclass(obj, BaseException)]
    assert cdnkit.KeyValueStoreFailedError in errors
    assert cdnkit.KeyValueStoreSyncError in errors
    assert all(issubclass(error, cdnkit.CdnKitError) for error in errors)
