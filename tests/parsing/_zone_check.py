"""Run in a new process with ``TZ`` set (see test_time_zones): botocore gives epoch timestamps
in the local zone, so the fast parser's handling of that zone is compared there, including
instants around daylight saving changes and before the zone's current rules."""

from __future__ import annotations

import asyncio
import json
import sys

from . import _harness as h
from ._cases import run
from .test_adversarial_json import KEY_VALUE_STORE, LIGHTSAIL, _operation
from .test_generated import OPERATIONS, example

# 2024 changes in New York (07:00Z, 06:00Z) and London (01:00Z twice), 1950, 1969.
_EDGES = [1710054000, 1730613600, 1711846800, 1729990800, -631152000, -1]
_OFFSETS = [0, -1, 1, -0.5, 0.25, -1800, 1800, -3600.5, 3600, 7200.999]


async def main() -> int:
    checked = 0
    for case in LIGHTSAIL + KEY_VALUE_STORE:
        if "huge" not in case.id:  # long lists: the zone does not matter there
            await run(case)
            checked += 1
    shape = h.operation("lightsail", "GetOperation").output_shape
    for edge in _EDGES:
        for offset in _OFFSETS:
            document = _operation(createdAt=edge + offset, statusChangedAt=str(edge + offset))
            reply = h.response(200, {"x-amzn-requestid": "r"}, json.dumps(document).encode())
            await h.assert_same_parse("json", reply, shape, f"epoch {edge + offset}")
            checked += 1
    for service, name in OPERATIONS[::8]:
        for index in (1, 2):
            _, reply = example(service, name, index)
            protocol = h.service_model(service).protocol
            await h.assert_same_parse(protocol, reply, h.operation(service, name).output_shape)
            checked += 1
    return checked


if __name__ == "__main__":
    print(asyncio.run(main()))
    sys.exit(0)
