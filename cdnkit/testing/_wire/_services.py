"""How each emulated service names its framework-level errors (auth, throttling, bad input...).

None of these are in the botocore models except where noted; they follow AWS-FACTS.md and the
public error catalogues of each protocol's front end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

LIGHTSAIL: Final = "lightsail"
CLOUDFRONT: Final = "cloudfront"
KEY_VALUE_STORE: Final = "cloudfront-keyvaluestore"
#: Every service the emulator serves, by botocore name.
SERVICES: Final = (LIGHTSAIL, CLOUDFRONT, KEY_VALUE_STORE)
#: Short names accepted wherever a service is named.
ALIASES: Final[Mapping[str, str]] = {
    "kvs": KEY_VALUE_STORE,
    "keyvaluestore": KEY_VALUE_STORE,
    "cloudfront-kvs": KEY_VALUE_STORE,
}


def canonical_service(name: str) -> str:
    """The botocore name of a service; ValueError for a service the emulator does not serve."""
    service = ALIASES.get(name, name)
    if service not in SERVICES:
        raise ValueError(f"unknown service {name!r}; expected one of {', '.join(SERVICES)}")
    return service


@dataclass(frozen=True, slots=True)
class ErrorKind:
    code: str
    status: int
    message: str = ""


@dataclass(frozen=True, slots=True)
class ServiceTraits:
    """One service's answers to problems found before (or around) its backend."""

    #: A member violates a model constraint.
    validation: ErrorKind
    #: The body or a bound value cannot be read (bad JSON/XML, wrong type, bad base64).
    malformed: ErrorKind
    unknown_operation: ErrorKind
    unsupported_media_type: ErrorKind
    too_large: ErrorKind
    throttling: ErrorKind
    internal: ErrorKind
    unavailable: ErrorKind
    missing_authentication: ErrorKind
    unknown_access_key: ErrorKind
    bad_signature: ErrorKind
    #: CloudFront's Quantity != len(Items); None where the service has no such wrappers.
    inconsistent_quantities: ErrorKind | None = None
    #: Required header (lower-case name) missing: a service-specific code instead of
    #: ``validation`` (CloudFront answers a missing If-Match with InvalidIfMatchVersion).
    missing_header: Mapping[str, ErrorKind] | None = None
    #: The response header carrying the request id.
    request_id_header: str = "x-amzn-RequestId"
    #: The body did not arrive within the emulator's read timeout (a transient error).
    request_timeout: ErrorKind = field(
        default_factory=lambda: ErrorKind("RequestTimeoutException", 408, _TIMED_OUT)
    )


_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation "
    "for details."
)
_UNKNOWN_KEY = "The security token included in the request is invalid."
_MISSING_AUTH = "Missing Authentication Token"
_TOO_LARGE = "Request entity too large"
_TIMED_OUT = "The request body was not received within the timeout period"

TRAITS: Final[Mapping[str, ServiceTraits]] = {
    LIGHTSAIL: ServiceTraits(
        validation=ErrorKind("InvalidInputException", 400),
        malformed=ErrorKind("SerializationException", 400),
        unknown_operation=ErrorKind("UnknownOperationException", 400),
        unsupported_media_type=ErrorKind("UnknownOperationException", 404),
        too_large=ErrorKind("RequestEntityTooLargeException", 413, _TOO_LARGE),
        # Not in the model; AWS-FACTS.md: Lightsail throttles with ThrottlingException.
        throttling=ErrorKind("ThrottlingException", 400, "Rate exceeded"),
        internal=ErrorKind("ServiceException", 500, "An internal error occurred."),
        unavailable=ErrorKind("ServiceUnavailableException", 503, "Service unavailable."),
        missing_authentication=ErrorKind("MissingAuthenticationTokenException", 400, _MISSING_AUTH),
        unknown_access_key=ErrorKind("UnrecognizedClientException", 400, _UNKNOWN_KEY),
        bad_signature=ErrorKind("InvalidSignatureException", 400, _SIGNATURE_MISMATCH),
    ),
    CLOUDFRONT: ServiceTraits(
        validation=ErrorKind("InvalidArgument", 400),
        malformed=ErrorKind("MalformedXML", 400),
        unknown_operation=ErrorKind("InvalidURI", 404, "Could not parse the specified URI."),
        unsupported_media_type=ErrorKind("MalformedXML", 400),
        too_large=ErrorKind("RequestEntityTooLarge", 413, _TOO_LARGE),
        throttling=ErrorKind("Throttling", 400, "Rate exceeded"),
        internal=ErrorKind("InternalFailure", 500, "An internal error occurred."),
        unavailable=ErrorKind("ServiceUnavailable", 503, "Service unavailable."),
        missing_authentication=ErrorKind("MissingAuthenticationToken", 403, _MISSING_AUTH),
        unknown_access_key=ErrorKind("InvalidClientTokenId", 403, _UNKNOWN_KEY),
        bad_signature=ErrorKind("SignatureDoesNotMatch", 403, _SIGNATURE_MISMATCH),
        inconsistent_quantities=ErrorKind("InconsistentQuantities", 400),
        missing_header={
            "if-match": ErrorKind(
                "InvalidIfMatchVersion",
                400,
                "The If-Match version is missing or not valid for the resource.",
            )
        },
        request_id_header="x-amz-request-id",
        request_timeout=ErrorKind("RequestTimeout", 408, _TIMED_OUT),
    ),
    KEY_VALUE_STORE: ServiceTraits(
        validation=ErrorKind("ValidationException", 400),
        malformed=ErrorKind("ValidationException", 400),
        unknown_operation=ErrorKind("UnknownOperationException", 404),
        unsupported_media_type=ErrorKind("UnsupportedMediaTypeException", 415),
        too_large=ErrorKind("RequestEntityTooLargeException", 413, _TOO_LARGE),
        throttling=ErrorKind("ThrottlingException", 429, "Rate exceeded"),
        internal=ErrorKind("InternalServerException", 500, "An internal error occurred."),
        unavailable=ErrorKind("ServiceUnavailableException", 503, "Service unavailable."),
        missing_authentication=ErrorKind("MissingAuthenticationTokenException", 403, _MISSING_AUTH),
        unknown_access_key=ErrorKind("UnrecognizedClientException", 403, _UNKNOWN_KEY),
        bad_signature=ErrorKind("InvalidSignatureException", 403, _SIGNATURE_MISMATCH),
    ),
}
