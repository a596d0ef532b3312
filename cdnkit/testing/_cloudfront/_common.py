"""Helpers every CloudFront resource family uses: identifiers, ETags, If-Match and pagination."""

from __future__ import annotations

import dataclasses
import secrets
import string
from collections.abc import Callable, Sequence
from typing import Final, Generic, TypeVar

from cdnkit.testing._backend import EmulatedErrorReply, JsonDict

#: Where CloudFront's ``Location`` headers point.
API_BASE_URL: Final = "https://cloudfront.amazonaws.com/2020-05-31"
#: ListX calls answer this many items when the caller gives no MaxItems.
DEFAULT_MAX_ITEMS: Final = 100

_UPPER_ALPHANUMERIC: Final = string.ascii_uppercase + string.digits
_LOWER_ALPHANUMERIC: Final = string.ascii_lowercase + string.digits

T = TypeVar("T")


def random_token(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_resource_id(prefix: str) -> str:
    """An id shaped like CloudFront's: a letter and 13 uppercase alphanumerics (E..., I...)."""
    return prefix + random_token(_UPPER_ALPHANUMERIC, 13)


def new_etag(previous: str | None = None) -> str:
    """A fresh ETag in CloudFront's format, never equal to ``previous``."""
    while True:
        etag = new_resource_id("E")
        if etag != previous:
            return etag


def new_distribution_domain_name() -> str:
    return f"d{random_token(_LOWER_ALPHANUMERIC, 13)}.cloudfront.net"


def invalid_argument(message: str) -> EmulatedErrorReply:
    return EmulatedErrorReply("InvalidArgument", message, 400)


def _normalise_etag(value: str) -> str:
    # Some clients quote ETags as HTTP allows; CloudFront's own are bare.
    return value.strip().strip('"')


def require_if_match(given: object, current: str) -> None:
    """Check an If-Match value against the resource's ETag, as CloudFront does."""
    if not isinstance(given, str) or not given.strip():
        raise EmulatedErrorReply(
            "InvalidIfMatchVersion",
            "The If-Match version is missing or not valid for the resource.",
            400,
        )
    if _normalise_etag(given) != current:
        raise EmulatedErrorReply(
            "PreconditionFailed",
            "The precondition given in one or more of the request header fields evaluated to "
            "false.",
            412,
        )


def split_if_match(given: object, expected_count: int) -> list[str]:
    """Split a comma-separated If-Match value (promotion sends two ETags in one header)."""
    if not isinstance(given, str):
        given = ""
    parts = [_normalise_etag(part) for part in given.split(",")]
    if len(parts) != expected_count or not all(parts):
        raise EmulatedErrorReply(
            "InvalidIfMatchVersion",
            "The If-Match version is missing or not valid for the resource.",
            400,
        )
    return parts


@dataclasses.dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    #: The Marker that continues the listing, None on the last page.
    next_marker: str | None
    #: The MaxItems the page was cut with, echoed in the list shape.
    max_items: int
    #: The Marker the caller sent ("" when none), echoed where the list shape has it.
    marker: str


def _parse_max_items(raw: object) -> int:
    if raw is None or raw == "":
        return DEFAULT_MAX_ITEMS
    try:
        value = int(str(raw))
    except ValueError:
        raise invalid_argument(f"MaxItems must be a positive integer, not {raw!r}.") from None
    if value < 1:
        raise invalid_argument(f"MaxItems must be a positive integer, not {raw!r}.")
    return value


def paginate(ordered: Sequence[T], key: Callable[[T], str], params: JsonDict) -> Page[T]:
    """Cut one page out of ``ordered`` using the caller's Marker and MaxItems.

    The marker is the key of the last item of the previous page. When that item has gone
    since, the listing resumes at the first item whose key sorts after the marker, which is
    exact for lists ordered by key.
    """
    max_items = _parse_max_items(params.get("MaxItems"))
    marker = str(params.get("Marker") or "")
    remaining: Sequence[T] = ordered
    if marker:
        keys = [key(item) for item in ordered]
        if marker in keys:
            remaining = ordered[keys.index(marker) + 1 :]
        else:
            remaining = [item for item in ordered if key(item) > marker]
    page = list(remaining[:max_items])
    next_marker = key(page[-1]) if len(remaining) > max_items else None
    return Page(items=page, next_marker=next_marker, max_items=max_items, marker=marker)
