"""Signature checks: SigV4 recomputed in full; SigV4A checked for shape, scope and access key.

The canonical request follows botocore's rules (``botocore.auth.SigV4Auth``): the URI path with
dot segments and repeated slashes removed and then percent-encoded once more; the query string
pairs sorted as sent; the signed headers lower-cased with values whitespace-trimmed; the payload
hash from ``X-Amz-Content-SHA256`` or computed over the body. A query string written with
another SDK's (still valid) encoding is also accepted after re-encoding it the SigV4 way.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Final
from urllib.parse import quote, unquote

from botocore.utils import normalize_url_path
from multidict import MultiMapping

SIGV4: Final = "AWS4-HMAC-SHA256"
SIGV4A: Final = "AWS4-ECDSA-P256-SHA256"
_HEX = re.compile(r"[0-9a-f]+")
_DATE = re.compile(r"\d{8}T\d{6}Z")


class AuthFailure(enum.Enum):
    MISSING = "missing"  # no Authorization header, or not one we can read
    UNKNOWN_ACCESS_KEY = "unknown_access_key"
    BAD_SIGNATURE = "bad_signature"  # wrong secret, wrong scope, tampered request


@dataclass(frozen=True, slots=True)
class Verdict:
    failure: AuthFailure | None = None
    message: str = ""
    #: The region the request was signed for (SigV4 scope; SigV4A region set when single).
    region: str | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass(frozen=True, slots=True)
class Authorization:
    algorithm: str
    access_key_id: str
    scope: tuple[str, ...]  # date, [region,] service, "aws4_request"
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def region(self) -> str | None:
        return self.scope[1] if self.algorithm == SIGV4 and len(self.scope) == 4 else None


def parse_authorization(header: str) -> Authorization | None:
    """Read an ``Authorization`` header of either algorithm; None when it is not one."""
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm not in (SIGV4, SIGV4A):
        return None
    parts: dict[str, str] = {}
    for item in rest.split(","):
        key, equals, value = item.strip().partition("=")
        if equals:
            parts[key] = value.strip()
    credential = parts.get("Credential", "")
    signed = parts.get("SignedHeaders", "")
    signature = parts.get("Signature", "")
    if not credential or not signed or not signature:
        return None
    access_key_id, _, scope_text = credential.partition("/")
    scope = tuple(scope_text.split("/"))
    expected_parts = 4 if algorithm == SIGV4 else 3
    if not access_key_id or len(scope) != expected_parts or scope[-1] != "aws4_request":
        return None
    return Authorization(algorithm, access_key_id, scope, tuple(signed.split(";")), signature)


class SignatureVerifier:
    """Checks requests against the credentials the emulator accepts."""

    def __init__(self, credentials: Mapping[str, str]) -> None:
        self._secrets = dict(credentials)
        self._signing_keys: dict[tuple[str, str, str, str], bytes] = {}

    @staticmethod
    def signed_region(headers: Mapping[str, str]) -> str | None:
        """The region a request claims, without checking anything (signature checks off)."""
        auth = parse_authorization(headers.get("Authorization", ""))
        return auth.region if auth is not None else None

    def verify(
        self,
        *,
        method: str,
        raw_path: str,
        raw_query: str,
        headers: MultiMapping[str],
        body: bytes,
        signing_name: str,
    ) -> Verdict:
        header = headers.get("Authorization")
        if not header:
            return Verdict(AuthFailure.MISSING, "Missing Authentication Token")
        auth = parse_authorization(header)
        if auth is None:
            return Verdict(
                AuthFailure.MISSING,
                "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' "
                "parameters of a supported algorithm",
            )
        secret = self._secrets.get(auth.access_key_id)
        if secret is None:
            return Verdict(
                AuthFailure.UNKNOWN_ACCESS_KEY,
                "The security token included in the request is invalid.",
            )
        amz_date = _request_date(headers)
        if amz_date is None:
            return Verdict(AuthFailure.BAD_SIGNATURE, "The request has no valid X-Amz-Date.")
        service = auth.scope[-2]
        if service != signing_name:
            return Verdict(
                AuthFailure.BAD_SIGNATURE,
                f"Credential should be scoped to correct service: '{signing_name}'.",
            )
        if auth.scope[0] != amz_date[:8]:
            return Verdict(
                AuthFailure.BAD_SIGNATURE,
                f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                f"date from HTTP: '{auth.scope[0]}' != '{amz_date[:8]}'",
            )
        if "host" not in auth.signed_headers:
            return Verdict(AuthFailure.BAD_SIGNATURE, "'Host' must be a signed header.")
        if auth.algorithm == SIGV4A:
            return _check_sigv4a_shape(auth, headers)
        return self._check_sigv4(auth, secret, amz_date, method, raw_path, raw_query, headers, body)

    def _check_sigv4(
        self,
        auth: Authorization,
        secret: str,
        amz_date: str,
        method: str,
        raw_path: str,
        raw_query: str,
        headers: MultiMapping[str],
        body: bytes,
    ) -> Verdict:
        date, region, service, _ = auth.scope
        key = self._signing_key(secret, date, region, service)
        canonical_headers = _canonical_headers(auth.signed_headers, headers)
        if canonical_headers is None:
            return Verdict(AuthFailure.BAD_SIGNATURE, "A signed header is missing.")
        payload_hash = headers.get("X-Amz-Content-SHA256") or hashlib.sha256(body).hexdigest()
        head = f"{method.upper()}\n{quote(normalize_url_path(raw_path), safe='/~')}\n"
        tail = f"\n{canonical_headers}\n\n{';'.join(auth.signed_headers)}\n{payload_hash}"
        scope = "/".join(auth.scope)
        for query in _query_forms(raw_query):
            canonical = f"{head}{query}{tail}"
            string_to_sign = (
                f"{SIGV4}\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
            )
            expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
            if hmac.compare_digest(expected, auth.signature):
                return Verdict(region=region)
        return Verdict(
            AuthFailure.BAD_SIGNATURE,
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.",
        )

    def _signing_key(self, secret: str, date: str, region: str, service: str) -> bytes:
        cache_key = (secret, date, region, service)
        key = self._signing_keys.get(cache_key)
        if key is None:
            key = f"AWS4{secret}".encode()
            for part in (date, region, service, "aws4_request"):
                key = hmac.new(key, part.encode(), hashlib.sha256).digest()
            if len(self._signing_keys) > 64:
                self._signing_keys.clear()
            self._signing_keys[cache_key] = key
        return key


def _check_sigv4a_shape(auth: Authorization, headers: Mapping[str, str]) -> Verdict:
    # An ECDSA signature cannot be checked without the signer's derived key pair; check that
    # it is a hex DER sequence and that the region set is present and signed.
    region_set = headers.get("X-Amz-Region-Set")
    if not region_set or "x-amz-region-set" not in auth.signed_headers:
        return Verdict(AuthFailure.BAD_SIGNATURE, "SigV4A requires a signed X-Amz-Region-Set.")
    if not auth.signature.startswith("30") or _HEX.fullmatch(auth.signature) is None:
        return Verdict(AuthFailure.BAD_SIGNATURE, "The SigV4A signature is not a DER signature.")
    regions = [part.strip() for part in region_set.split(",")]
    region = regions[0] if len(regions) == 1 and regions[0] != "*" else None
    return Verdict(region=region)


def _request_date(headers: Mapping[str, str]) -> str | None:
    amz_date = headers.get("X-Amz-Date")
    if amz_date:
        return amz_date if _DATE.fullmatch(amz_date) else None
    date = headers.get("Date")
    if not date:
        return None
    try:
        return parsedate_to_datetime(date).strftime("%Y%m%dT%H%M%SZ")
    except (TypeError, ValueError, IndexError):
        return None


def _canonical_headers(names: tuple[str, ...], headers: MultiMapping[str]) -> str | None:
    lines = []
    for name in names:
        values = headers.getall(name, None)
        if values is None:
            return None
        lines.append(f"{name}:{','.join(' '.join(value.split()) for value in values)}")
    return "\n".join(lines)


def _query_forms(raw_query: str) -> Iterator[str]:
    """The canonical query as botocore computes it (sorted raw pairs), then re-encoded the
    SigV4 way (computed only when the first form does not match)."""
    if not raw_query:
        yield ""
        return
    pairs = [pair.partition("=") for pair in raw_query.split("&") if pair]
    as_sent = "&".join(f"{key}={value}" for key, _, value in sorted(pairs))
    yield as_sent
    reencoded = "&".join(
        f"{k}={v}"
        for k, v in sorted(
            (
                quote(unquote(key.replace("+", " ")), safe="-_.~"),
                quote(unquote(value.replace("+", " ")), safe="-_.~"),
            )
            for key, _, value in pairs
        )
    )
    if reencoded != as_sent:
        yield reencoded
