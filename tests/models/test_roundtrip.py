"""Every structure shape: generated valid wire dicts parse (strictly and leniently) and
serialize back to exactly the same dict."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdnkit._codegen import SERVICES, build_service
from cdnkit._codegen._ir import module_name
from cdnkit._models import CdnKitModel, parse_response, to_wire, validate_request

from . import _strategies

SHAPES = [(service, s.name) for service in SERVICES for s in build_service(service).structs]
# Shapes are checked in batches: one hypothesis test per shape (~1,150) is slow to set up.
_BATCH = 40
BATCHES = [SHAPES[i : i + _BATCH] for i in range(0, len(SHAPES), _BATCH)]


def _model(service: str, shape: str) -> type[CdnKitModel]:
    cls: type[CdnKitModel] = getattr(
        importlib.import_module(f"cdnkit.types.{module_name(service)}"), shape
    )
    return cls


def test_every_structure_shape_is_covered() -> None:
    # Lightsail 455, CloudFront 670, KVS 21 in botocore 1.43.117: about 1,150 in all.
    assert len(SHAPES) > 1100
    assert sum(len(batch) for batch in BATCHES) == len(SHAPES)


@pytest.mark.parametrize("batch", BATCHES, ids=[f"{b[0][1]}..{b[-1][1]}" for b in BATCHES])
@given(data=st.data())
def test_roundtrip(batch: list[tuple[str, str]], data: st.DataObject) -> None:
    for service, shape in batch:
        model = _model(service, shape)
        wire: dict[str, Any] = data.draw(_strategies.wire_dicts(service, shape), label=shape)
        parsed = parse_response(model, wire)
        assert to_wire(parsed) == wire, shape
        assert to_wire(validate_request(model, wire)) == wire, shape
