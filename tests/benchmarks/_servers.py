"""Servers the benchmark calls go to: a canned aiohttp handler that answers each operation with
one recorded reply (which isolates the client side), and the recording itself."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from multidict import CIMultiDict

_HOP_BY_HOP = frozenset({"content-length", "date", "server", "connection", "transfer-encoding"})
_CF_NS = "http://cloudfront.amazonaws.com/doc/2020-05-31/"

#: What tells one request from another: method, path and the JSON target header.
Key = tuple[str, str, str]


@dataclass(frozen=True)
class Recorded:
    status: int
    headers: CIMultiDict[str]
    body: bytes


def key_of(method: str, url_or_path: str, target: str | bytes | None) -> Key:
    if isinstance(target, bytes):
        target = target.decode()
    return method.upper(), urlsplit(url_or_path).path, target or ""


class CannedServer:
    """Answers each known request (by :data:`Key`) with its recorded reply, byte for byte."""

    def __init__(self) -> None:
        self.replies: dict[Key, Recorded] = {}
        #: Requests answered or refused so far.
        self.served = 0
        self._runner: web.ServerRunner | None = None
        self.port = 0

    async def _handle(self, request: web.BaseRequest) -> web.Response:
        await request.read()
        self.served += 1
        # The raw (still percent-encoded) path, as recorded from botocore's request URL.
        path = request.raw_path.split("?", 1)[0]
        reply = self.replies.get(key_of(request.method, path, request.headers.get("X-Amz-Target")))
        if reply is None:
            return web.Response(
                status=500, text=f"no canned reply for {request.method} {request.path}"
            )
        return web.Response(status=reply.status, headers=reply.headers, body=reply.body)

    async def start(self) -> None:
        runner = web.ServerRunner(web.Server(self._handle, access_log=None), handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


async def record(clients: list[Any], call: Callable[[], Awaitable[object]]) -> dict[Key, Recorded]:
    """The replies raw aiobotocore ``clients`` got during ``call()``, by request."""
    keys: list[Key] = []
    replies: dict[Key, Recorded] = {}

    def before_send(request: Any, **_: Any) -> None:
        keys.append(key_of(request.method, request.url, request.headers.get("X-Amz-Target")))

    async def after_call(http_response: Any, **_: Any) -> None:
        headers = CIMultiDict(
            (k, v) for k, v in http_response.headers.items() if k.lower() not in _HOP_BY_HOP
        )
        replies[keys[-1]] = Recorded(
            http_response.status_code, headers, await http_response.content
        )

    for client in clients:
        client.meta.events.register("before-send", before_send)
        client.meta.events.register("after-call", after_call)
    try:
        await call()
    finally:
        for client in clients:
            client.meta.events.unregister("before-send", before_send)
            client.meta.events.unregister("after-call", after_call)
    return replies


def json_items(reply: Recorded, member: str, count: int, rename: str) -> Recorded:
    """``reply`` (JSON) with the one item of list ``member`` repeated ``count`` times, each
    with a distinct ``rename`` value."""
    body = json.loads(reply.body)
    (item,) = body[member]
    items = []
    for n in range(count):
        one = copy.deepcopy(item)
        one[rename] = f"{one[rename]}-{n}"
        items.append(one)
    body[member] = items
    return replace(reply, body=json.dumps(body).encode())


def cloudfront_list_items(reply: Recorded, count: int) -> Recorded:
    """A ListDistributions reply with its one summary repeated ``count`` times."""
    ET.register_namespace("", _CF_NS)
    root = ET.fromstring(reply.body)
    items = root.find(f"{{{_CF_NS}}}Items")
    quantity = root.find(f"{{{_CF_NS}}}Quantity")
    assert items is not None
    assert quantity is not None
    assert len(items) == 1
    (summary,) = list(items)
    for n in range(1, count):
        one = copy.deepcopy(summary)
        identifier = one.find(f"{{{_CF_NS}}}Id")
        assert identifier is not None
        assert identifier.text is not None
        identifier.text = f"{identifier.text[:-4]}{n:04d}"
        items.append(one)
    quantity.text = str(count)
    return replace(reply, body=ET.tostring(root, xml_declaration=True, encoding="UTF-8"))
