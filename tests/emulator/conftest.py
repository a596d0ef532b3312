"""Fixtures for the emulator tests: a running emulator, raw aiobotocore clients, raw HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest
from aiobotocore.session import get_session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from multidict import CIMultiDictProxy
from types_aiobotocore_cloudfront import CloudFrontClient
from types_aiobotocore_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient
from types_aiobotocore_lightsail import LightsailClient
from yarl import URL

from cdnkit.testing import ACCOUNT_ID, Emulator, KeyValueStoreData
from cdnkit.testing._kvs import new_data_etag

#: One botocore session for the suite: its loader caches the service models between clients.
SESSION = get_session()


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """A running emulator, fresh for each test."""
    async with Emulator() as emu:
        yield emu


@pytest.fixture
async def lightsail(emulator: Emulator) -> AsyncIterator[LightsailClient]:
    async with SESSION.create_client("lightsail", **emulator.client_kwargs()) as client:
        yield client


@pytest.fixture
async def cloudfront(emulator: Emulator) -> AsyncIterator[CloudFrontClient]:
    async with SESSION.create_client("cloudfront", **emulator.client_kwargs()) as client:
        yield client


@pytest.fixture
async def kvs(emulator: Emulator) -> AsyncIterator[CloudFrontKeyValueStoreClient]:
    kwargs = emulator.client_kwargs()
    async with SESSION.create_client("cloudfront-keyvaluestore", **kwargs) as client:
        yield client


def distribution_config(reference: str = "ref-1", **overrides: Any) -> Any:
    """A minimal valid DistributionConfig in botocore form; ``overrides`` replace members."""
    config: dict[str, Any] = {
        "CallerReference": reference,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "web",
                    "DomainName": "origin.example.com",
                    "CustomOriginConfig": {
                        "HTTPPort": 80,
                        "HTTPSPort": 443,
                        "OriginProtocolPolicy": "https-only",
                    },
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "web",
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
        "Comment": "site",
        "Enabled": True,
    }
    config.update(overrides)
    return config


def add_store(emulator: Emulator, name: str = "flags", *, ready: bool = True) -> KeyValueStoreData:
    """Put a key value store straight into the shared state, as the control plane would."""
    store_id = f"{len(emulator.state.key_value_stores):08d}-0000-4000-8000-000000000000"
    now = emulator.clock.now()
    store = KeyValueStoreData(
        id=store_id,
        name=name,
        arn=f"arn:aws:cloudfront::{ACCOUNT_ID}:key-value-store/{store_id}",
        comment="",
        created=now,
        last_modified=now,
        control_etag="E" + new_data_etag()[2:],
        data_etag=new_data_etag(),
        ready_at=emulator.clock.monotonic() + (0.0 if ready else 3600.0),
    )
    emulator.state.key_value_stores[store.arn] = store
    return store


@pytest.fixture
def store(emulator: Emulator) -> KeyValueStoreData:
    """A READY key value store in the emulator's shared state."""
    return add_store(emulator)


@dataclasses.dataclass
class RawReply:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    def text(self) -> str:
        return self.body.decode()


class RawHttp:
    """Hand-made HTTP requests to the emulator, optionally SigV4-signed as botocore signs."""

    def __init__(self, emulator: Emulator, session: aiohttp.ClientSession) -> None:
        self.emulator = emulator
        self.session = session

    async def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        sign_as: str | None = None,
        secret: str | None = None,
    ) -> RawReply:
        """Send a request; ``sign_as`` names the signing service (lightsail, cloudfront...)."""
        url = self.emulator.endpoint_url + path
        all_headers = dict(headers or {})
        if sign_as is not None:
            credentials = Credentials(
                self.emulator.access_key_id, secret or self.emulator.secret_access_key
            )
            request = AWSRequest(method=method, url=url, data=body, headers=all_headers)
            SigV4Auth(credentials, sign_as, self.emulator.region).add_auth(request)
            all_headers = dict(request.headers.items())
        # encoded=True: send the path exactly as signed (yarl would otherwise normalise %3A).
        async with self.session.request(
            method, URL(url, encoded=True), data=body or None, headers=all_headers
        ) as response:
            return RawReply(response.status, response.headers, await response.read())


@pytest.fixture
async def raw_http(emulator: Emulator) -> AsyncIterator[RawHttp]:
    async with aiohttp.ClientSession(skip_auto_headers=("Content-Type",)) as session:
        yield RawHttp(emulator, session)


def drop_account_prefix(request: AWSRequest, **kwargs: Any) -> None:
    """The docs/testing.md recipe: undo botocore's ``<account>.`` host prefix before signing."""
    parts = urlsplit(str(request.url))
    first, _, rest = parts.netloc.partition(".")
    if first.isdigit() and len(first) == 12 and rest:
        request.url = urlunsplit(parts._replace(netloc=rest))
