"""A named wire form and what botocore makes of it (so a case that stops testing what its name
says fails on its own)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from . import _harness as h


@dataclass(frozen=True)
class Case:
    id: str
    service: str
    operation: str
    #: Bytes as sent, or a JSON-ready value (dumped compactly).
    body: Any
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    #: What botocore raises on it, or None when it returns a value.
    raises: type[BaseException] | None = None
    #: A check of botocore's value (that the case is what its id says).
    check: Callable[[Any], bool] | None = None

    def response(self) -> dict[str, Any]:
        body = self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()
        # CloudFront names its request id header differently from the JSON services.
        request_id = "x-amz-request-id" if self.service == "cloudfront" else "x-amzn-requestid"
        headers = {request_id: h.REQUEST_ID, **self.headers}
        return h.response(self.status, headers, body, self.operation)


def params(cases: list[Case], known: Mapping[str, str]) -> list[Any]:
    """pytest params named by case id; a case with a known divergence is a strict xfail."""
    ids = [case.id for case in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    unknown = set(known) - set(ids)
    assert not unknown, f"known divergences of no case: {unknown}"
    return [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(strict=True, reason=known[case.id])]
            if case.id in known
            else [],
        )
        for case in cases
    ]


async def run(case: Case) -> None:
    """The case is what it says (botocore's outcome first), then both parsers agree."""
    response = case.response()
    op = (case.service, case.operation)
    expected = await h.endpoint_outcome(h.reference_parser, *op, response)
    assert expected.error is case.raises, f"{case.id}: botocore {expected.describe()}"
    if case.check is not None:
        assert case.check(expected.value), f"{case.id}: botocore {expected.describe()}"
    actual = await h.endpoint_outcome(h.fast_parser, *op, response)
    h.assert_same_outcome(expected, actual, case.id)
