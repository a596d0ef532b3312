"""The exception tree: one root, subclasses by meaning, and the classifier that maps a botocore
error (code, HTTP status, message) onto it. Retries, waiters and the ETag loop all use
:func:`is_retryable` so they agree on what is transient."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    ParamValidationError,
    PartialCredentialsError,
    ReadTimeoutError,
)
from pydantic import BaseModel
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_core import ValidationError as PydanticValidationError

if TYPE_CHECKING:
    from .types.lightsail import Operation

__all__ = [
    "APIError",
    "AccessDeniedError",
    "CdnKitError",
    "ClientClosedError",
    "ConflictError",
    "DeadlineExceededError",
    "FunctionTestFailedError",
    "InvalidRequestError",
    "LimitExceededError",
    "NotFoundError",
    "OperationFailedError",
    "PreconditionFailedError",
    "RequestValidationError",
    "ResourceBusyError",
    "ServerValidationError",
    "ServiceError",
    "ThrottlingError",
    "TransportError",
    "UnexpectedResponseError",
    "WaiterFailedError",
    "WaiterTimeoutError",
    "error_from_botocore_error",
    "error_from_client_error",
    "is_retryable",
]


class CdnKitError(Exception):
    """Root of every error cdnkit raises."""


class InvalidRequestError(CdnKitError, ValueError):
    """The request is invalid: found before sending, or answered so by AWS."""


class RequestValidationError(PydanticValidationError, InvalidRequestError):
    """A request (or a model built with bad values) failed client-side validation; nothing was
    sent.

    Both a :class:`CdnKitError` (and ``ValueError``) and a ``pydantic.ValidationError``:
    ``except cdnkit.CdnKitError`` and ``except pydantic.ValidationError`` both catch it, and
    :meth:`errors` gives pydantic's structured details, each with the snake_case field in
    ``loc``. Neither the message nor :meth:`errors` repeats the value of a member botocore
    marks sensitive (KVS values, function code...): those inputs read ``'<redacted>'``.
    """

    _message: str

    @classmethod
    def from_pydantic(
        cls, error: PydanticValidationError, *, model: type | None = None
    ) -> RequestValidationError:
        details = _redacted(error, model)
        line_errors: list[InitErrorDetails] = [
            {
                "type": PydanticCustomError(detail["type"], detail["msg"]),
                "loc": tuple(detail["loc"]),
                "input": "<redacted>" if detail.get("input") is _HIDDEN else detail.get("input"),
            }
            for detail in details
        ]
        new = cls.from_exception_data(error.title, line_errors)
        count = len(details)
        lines = [f"{count} validation error{'s' if count != 1 else ''} for {error.title}"]
        for detail in details:
            where = ".".join(str(part) for part in detail["loc"]) or "(request)"
            shown = detail.get("input")
            value = "" if shown is _HIDDEN else f" (got {_short(shown)})"
            lines.append(f"  {where}: {detail['msg']} [type={detail['type']}]{value}")
        new._message = "\n".join(lines)
        return new

    def __str__(self) -> str:
        return self._message

    def __repr__(self) -> str:
        return f"RequestValidationError({self._message!r})"


_HIDDEN = object()


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def _redacted(error: PydanticValidationError, model: type | None) -> list[dict[str, Any]]:
    details: list[dict[str, Any]] = []
    for detail in error.errors(include_url=False):
        entry: dict[str, Any] = dict(detail)
        if isinstance(entry.get("input"), Mapping):
            # An error about a whole object (a missing member, an object of the wrong type):
            # its input is the object, sensitive members and all. Never shown.
            entry["input"] = _HIDDEN
            entry.pop("ctx", None)
        elif model is not None and _is_sensitive(model, tuple(detail["loc"])):
            entry["input"] = _HIDDEN
            entry.pop("ctx", None)
        details.append(entry)
    return details


def _is_sensitive(model: type, loc: tuple[int | str, ...]) -> bool:
    """Whether the member at ``loc`` (or any member containing it) is sensitive: the generated
    models mark botocore's sensitive members with ``repr=False``. Unknown paths count as
    sensitive: better a hidden value than a leaked one."""
    from ._models import _model_in  # the error path only: no import cycle at load time

    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None:
            return False
        field = fields.get(part)
        if field is None:
            return False  # an unknown member name: the value is the caller's own typo
        if not field.repr:
            return True
        current = _model_in(field.annotation)
    return False


class APIError(CdnKitError):
    """AWS answered with an error."""

    def __init__(
        self,
        message: str,
        *,
        service: str,
        operation: str,
        code: str,
        http_status: int | None,
        request_id: str | None,
    ) -> None:
        super().__init__(f"{service}.{operation}: {code}: {message}")
        self.message = message
        self.service = service
        self.operation = operation
        self.code = code
        self.http_status = http_status
        self.request_id = request_id


class ServerValidationError(APIError, InvalidRequestError):
    """AWS refused the request as invalid (InvalidInput, InvalidArgument, ValidationException)."""


class NotFoundError(APIError):
    """The resource does not exist (including Lightsail's InvalidInput "not found")."""


class ConflictError(APIError):
    """The request conflicts with the resource's state (exists, in use, not disabled...)."""


class PreconditionFailedError(ConflictError):
    """The If-Match ETag is stale or missing: read again and re-apply."""


class ResourceBusyError(ConflictError):
    """Lightsail refuses a change while another is in progress ("please wait").

    Retried automatically until the retry policy's deadline; these refusals do not count
    against ``max_attempts``, since a Lightsail change takes minutes.
    """


class LimitExceededError(APIError):
    """A quota or size limit was reached (TooMany..., ...LimitExceeded, 402, 413)."""


class ThrottlingError(APIError):
    """AWS asked the client to slow down; retried automatically."""


class AccessDeniedError(APIError):
    """The credentials are missing, wrong, or not allowed to do this."""


class ServiceError(APIError):
    """A transient fault on AWS's side (5xx); retried automatically."""


class FunctionTestFailedError(APIError):
    """CloudFront's TestFunction failed (HTTP 500, deterministic: never retried)."""


class TransportError(CdnKitError):
    """The request did not get an answer: connection refused or reset, or a timeout."""


class ClientClosedError(CdnKitError):
    """The client is closed (or closing): the call was not sent, or was ended by the close."""


class DeadlineExceededError(CdnKitError, TimeoutError):
    """A call did not finish within its deadline (``RetryPolicy.deadline``); the last error
    met, if any, is the ``__cause__``."""


class UnexpectedResponseError(CdnKitError):
    """AWS answered without something it always sends (an operation, a config, an ETag)."""


class OperationFailedError(CdnKitError):
    """A Lightsail operation ended ``Failed``."""

    def __init__(self, operation: Operation) -> None:
        self.operation = operation
        self.error_code = operation.error_code
        self.error_details = operation.error_details
        super().__init__(
            f"operation {operation.id} ({operation.operation_type} of "
            f"{operation.resource_name}) failed: {self.error_code}: {self.error_details}"
        )


class WaiterTimeoutError(CdnKitError, TimeoutError):
    """A wait reached its deadline before the resource got where it was waited for."""

    def __init__(self, message: str, *, last: object = None) -> None:
        super().__init__(message)
        #: The last state seen, if any: the model the wait polled (a Lightsail ``Operation`` or
        #: ``LightsailDistribution``, a CloudFront ``GetDistributionResult``,
        #: ``DescribeKeyValueStoreResult`` or ``Invalidation``). Narrow it with ``isinstance``.
        self.last: BaseModel | None = last if isinstance(last, BaseModel) else None


class WaiterFailedError(CdnKitError):
    """A waiter (``kit.api.wait_...``) met one of its failure states: waiting on cannot
    succeed. ``last`` holds the reply model or the error that matched."""

    def __init__(self, message: str, *, last: object = None) -> None:
        super().__init__(message)
        #: The reply model or error that matched the failure state.
        self.last = last


_THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
    }
)
_ACCESS_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthenticatedException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "MissingAuthenticationToken",
        "ExpiredToken",
        "ExpiredTokenException",
        "RealtimeLogConfigOwnerMismatch",
    }
)
_SERVICE_CODES = frozenset(
    {
        "ServiceException",
        "InternalFailure",
        "InternalError",
        "InternalServerException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        # Lightsail: the account or region is still being set up; it resolves by itself.
        "AccountSetupInProgressException",
        "RegionSetupInProgressException",
    }
)
_CONFLICT_CODES = frozenset(
    {
        "ConflictException",
        "InvalidAssociation",
        "IllegalDelete",
        # Lightsail: the operation cannot run in the resource's current state.
        "OperationFailureException",
    }
)
_BUSY_PHRASES = ("please wait", "wait for it to complete", "currently in progress")


def _classify(code: str, status: int | None, message: str) -> type[APIError]:
    lowered = message.lower()
    if code in _THROTTLING_CODES or status == 429:
        return ThrottlingError
    if code == "TestFunctionFailed":
        return FunctionTestFailedError
    if code in ("PreconditionFailed", "InvalidIfMatchVersion") or status == 412:
        return PreconditionFailedError
    if code == "ValidationException" and "pre-condition failed" in lowered:
        # The KVS data plane reports a stale ETag this way (AWS-FACTS.md).
        return PreconditionFailedError
    if code == "InvalidInputException":
        # Lightsail says "not found" and "please wait" with the same code as bad input.
        if "not found" in lowered or "does not exist" in lowered:
            return NotFoundError
        if any(phrase in lowered for phrase in _BUSY_PHRASES):
            return ResourceBusyError
        if "already exists" in lowered or "already uses" in lowered:
            # The same meaning as CloudFront's ...AlreadyExists (409): a conflict.
            return ConflictError
        return ServerValidationError
    if code in _ACCESS_CODES or status in (401, 403):
        return AccessDeniedError
    if code.startswith("NoSuch") or "NotFound" in code or status == 404:
        return NotFoundError
    if (
        code.startswith("TooMany")
        or "LimitExceeded" in code
        or "QuotaExceeded" in code
        or "SizeExceeded" in code
        or code == "BatchTooLarge"
        or status in (402, 413)
    ):
        return LimitExceededError
    if code in _SERVICE_CODES or (status is not None and status >= 500):
        return ServiceError
    if (
        "AlreadyExists" in code
        or "InUse" in code
        or "NotDisabled" in code
        or code.startswith("Cannot")
        or code in _CONFLICT_CODES
        or status == 409
    ):
        return ConflictError
    if status == 400 or code.startswith(("Invalid", "Illegal", "Validation", "Missing")):
        return ServerValidationError
    return APIError


def error_from_client_error(error: ClientError, service: str, operation: str) -> APIError:
    """The cdnkit error for a botocore ClientError (chain it with ``raise ... from error``)."""
    details: dict[str, Any] = dict(error.response.get("Error") or {})
    metadata: dict[str, Any] = dict(error.response.get("ResponseMetadata") or {})
    code = str(details.get("Code") or "Unknown")
    message = str(details.get("Message") or "")
    status = metadata.get("HTTPStatusCode")
    request_id = metadata.get("RequestId")
    cls = _classify(code, status if isinstance(status, int) else None, message)
    if (
        service == "cloudfront-keyvaluestore"
        and code == "ConflictException"
        and "expected state" not in message.lower()
    ):
        # The data plane answers a stale ETag with ConflictException (or ValidationException):
        # re-read and retry. "Key-Value-Store was not in expected state" (a deleted or
        # not-ready store) is a real conflict and is not retried as stale (AWS-FACTS.md).
        cls = PreconditionFailedError
    return cls(
        message,
        service=service,
        operation=operation,
        code=code,
        http_status=status if isinstance(status, int) else None,
        request_id=str(request_id) if request_id else None,
    )


#: botocore/aiohttp failures that mean "no answer": safe to retry for idempotent calls.
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    EndpointConnectionError,
    ConnectionClosedError,
    ConnectTimeoutError,
    ReadTimeoutError,
    HTTPClientError,
    ConnectionError,
    asyncio.TimeoutError,
)


def error_from_botocore_error(error: BotoCoreError, service: str, operation: str) -> CdnKitError:
    """The cdnkit error for a botocore failure that is not an AWS answer: no credentials,
    parameters botocore refused, no connection (chain it with ``raise ... from error``)."""
    where = f"{service}.{operation}"
    if isinstance(error, TRANSPORT_ERRORS):
        return TransportError(f"{where}: no answer ({type(error).__name__}: {error})")
    if isinstance(error, NoCredentialsError | PartialCredentialsError | CredentialRetrievalError):
        # Nothing was sent; the message names the provider, never a secret.
        return AccessDeniedError(
            str(error),
            service=service,
            operation=operation,
            code=type(error).__name__,
            http_status=None,
            request_id=None,
        )
    if isinstance(error, ParamValidationError):
        return InvalidRequestError(f"{where}: {error}")
    return CdnKitError(f"{where}: {type(error).__name__}: {error}")


def is_retryable(error: BaseException) -> bool:
    """Whether waiting and sending the same request again can succeed."""
    return isinstance(error, ThrottlingError | ServiceError | ResourceBusyError | TransportError)
