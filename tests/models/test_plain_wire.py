"""Requests given as plain values are checked once and sent as the checked dict
(``cdnkit._core.plain_wire``, the hot reads and Lightsail's plain update): the dict is exactly
what the model would dump, bad input is refused with the member's name, and anything else
takes the model's way (issue 9)."""

from __future__ import annotations

from typing import Any

import pytest

from cdnkit import RequestValidationError
from cdnkit._core import build_request, plain_wire
from cdnkit._models import CdnKitModel, to_wire
from cdnkit.types import cloudfront as cft
from cdnkit.types import cloudfront_keyvaluestore as kvs
from cdnkit.types import lightsail as ls

ARN = "arn:aws:cloudfront::123456789012:key-value-store/0123abcd-0123-0123-0123-0123456789ab"

CASES: list[tuple[type[CdnKitModel], dict[str, Any]]] = [
    (ls.GetDistributionsRequest, {"distribution_name": "site"}),
    (ls.GetDistributionsRequest, {"distribution_name": None}),
    (ls.GetOperationRequest, {"operation_id": "0123-op"}),
    (cft.GetDistributionRequest, {"id": "E123EXAMPLE"}),
    (cft.GetDistributionConfigRequest, {"id": "E123EXAMPLE"}),
    (kvs.GetKeyRequest, {"kvs_arn": ARN, "key": "k"}),
    (
        ls.UpdateDistributionRequest,
        {
            "distribution_name": "site",
            "is_enabled": False,
            "default_root_object": "index.html",
            "viewer_minimum_tls_protocol_version": "TLSv1.2_2021",
            "certificate_name": None,
        },
    ),
]


@pytest.mark.parametrize(("model", "members"), CASES)
def test_the_checked_dict_is_what_the_model_dumps(
    model: type[CdnKitModel], members: dict[str, Any]
) -> None:
    assert plain_wire(model, **members) == to_wire(build_request(model, **members))


def test_bad_input_names_the_member_and_the_rule() -> None:
    with pytest.raises(RequestValidationError) as raised:
        plain_wire(ls.UpdateDistributionRequest, distribution_name="site", is_enabled="yes")
    assert "is_enabled" in str(raised.value)
    with pytest.raises(RequestValidationError) as raised:
        plain_wire(ls.UpdateDistributionRequest, distribution_name="site", colour="red")
    assert "colour" in str(raised.value)
    with pytest.raises(RequestValidationError) as raised:
        plain_wire(
            ls.UpdateDistributionRequest,
            distribution_name="site",
            viewer_minimum_tls_protocol_version="TLSv9",
        )
    assert "viewer_minimum_tls_protocol_version" in str(raised.value)
    with pytest.raises(RequestValidationError, match="distribution_name"):
        plain_wire(ls.UpdateDistributionRequest)


def test_a_list_takes_the_models_way_and_is_checked_whole() -> None:
    behaviors = [ls.CacheBehaviorPerPath(path="/img/*", behavior="cache")]
    wire = plain_wire(
        ls.UpdateDistributionRequest, distribution_name="site", cache_behaviors=behaviors
    )
    assert wire == {
        "distributionName": "site",
        "cacheBehaviors": [{"path": "/img/*", "behavior": "cache"}],
    }
    # The dict is the caller's list dumped, not the list itself: changing it later sends nothing.
    assert wire["cacheBehaviors"] is not behaviors
    behaviors[0].behavior = "sideways"  # type: ignore[assignment]  # what validation catches
    with pytest.raises(RequestValidationError, match="behavior"):
        plain_wire(
            ls.UpdateDistributionRequest, distribution_name="site", cache_behaviors=behaviors
        )


class _WithDefault(CdnKitModel):
    name: str
    enabled: bool = True


def test_a_model_with_a_default_takes_the_models_way() -> None:
    # A dict of the given values would leave the default out; the model sends it.
    assert plain_wire(_WithDefault, name="x") == {"name": "x", "enabled": True}
