"""Members AWS always sends are required on reply-only structures (REPLY_REQUIRED), and a reply
without one fails when it is parsed, with cdnkit's error naming the member."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiobotocore.session import get_session

import cdnkit
from cdnkit._codegen import _ir
from cdnkit._codegen._overrides import REPLY_REQUIRED, ReplyRequired
from cdnkit._models import parse_response
from cdnkit.testing import Emulator, Timing
from cdnkit.types import cloudfront as cf
from cdnkit.types import lightsail as ls

from ..cloudfront.conftest import config

FAST_WAIT = cdnkit.WaitPolicy(initial_delay=0.01, max_delay=0.05, timeout=5)
FAST_RETRY = cdnkit.RetryPolicy(initial_backoff=0.001, max_backoff=0.01)
SESSION = get_session()

_MODULES = {"lightsail": ls, "cloudfront": cf}


@pytest.mark.parametrize("row", REPLY_REQUIRED, ids=lambda row: f"{row.service}.{row.shape}")
def test_every_row_is_a_required_attribute(row: ReplyRequired) -> None:
    model = getattr(_MODULES[row.service], row.shape)
    required = {
        field.validation_alias if isinstance(field.validation_alias, str) else name
        for name, field in model.model_fields.items()
        if field.is_required()
    }
    assert set(row.members) <= required


def test_update_function_etag_stays_optional() -> None:
    # botocore reads it from a misspelt header (ETtag): requiring it would fail every reply.
    assert not cf.UpdateFunctionResult.model_fields["etag"].is_required()


def test_the_generator_refuses_a_row_on_a_structure_requests_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    row = ReplyRequired("cloudfront", "DistributionConfig", ("Comment",), "a test")
    monkeypatch.setattr(_ir, "REPLY_REQUIRED", (row,))
    with pytest.raises(ValueError, match="DistributionConfig is used in a request"):
        _ir.build_service("cloudfront")


def test_the_generator_refuses_an_unknown_member(monkeypatch: pytest.MonkeyPatch) -> None:
    row = ReplyRequired("cloudfront", "GetDistributionResult", ("Nope",), "a test")
    monkeypatch.setattr(_ir, "REPLY_REQUIRED", (row,))
    with pytest.raises(LookupError, match="Nope"):
        _ir.build_service("cloudfront")


def _operation(**changes: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "id": "op-1",
        "resourceName": "site",
        "status": "Succeeded",
        "createdAt": datetime(2026, 1, 1, tzinfo=UTC),
    }
    operation.update(changes)
    return operation


def test_a_reply_without_a_required_member_names_it() -> None:
    with pytest.raises(cdnkit.UnexpectedResponseError, match=r"GetOperationResult.*operation"):
        parse_response(ls.GetOperationResult, {})
    with pytest.raises(cdnkit.UnexpectedResponseError, match=r"GetOperationResult.*operation"):
        cdnkit.parse(ls.GetOperationResult, {"operation": None, "ResponseMetadata": {}})


def test_a_nested_member_is_named_too() -> None:
    reply = {"operation": _operation(id=None)}
    with pytest.raises(cdnkit.UnexpectedResponseError, match=r"Operation came without id"):
        parse_response(ls.GetOperationResult, reply)


def test_leniency_holds_when_required_members_are_there() -> None:
    # A status this botocore does not know, an unknown member: parsed as they came.
    reply = {"operation": {**_operation(status="Paused"), "brandNew": 1}}
    parsed = parse_response(ls.GetOperationResult, reply)
    assert parsed.operation.model_dump()["status"] == "Paused"
    assert parsed.operation.id == "op-1"


def test_the_error_is_a_cdnkit_error() -> None:
    with pytest.raises(cdnkit.CdnKitError):
        parse_response(cf.PublishFunctionResult, {})


# -- through a client, against the emulator --------------------------------------------------


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    timing = Timing(cloudfront_distribution_deploy=0.05, lightsail_operation=0.05)
    async with Emulator(timing=dataclasses.replace(timing)) as emu:
        yield emu


def _drop(member: str) -> Any:
    def handler(parsed: dict[str, Any], **_: object) -> None:
        parsed.pop(member, None)

    return handler


async def test_a_cloudfront_reply_without_its_etag_fails_at_parse_time(
    emulator: Emulator,
) -> None:
    async with cdnkit.CloudFront(
        **emulator.client_kwargs(), retry=FAST_RETRY, wait=FAST_WAIT, session=SESSION
    ) as client:
        created = await client.distributions.create(config(comment="required"))
        distribution_id = created.distribution.id  # no None check needed
        client._core.client.meta.events.register(
            "after-call.cloudfront.GetDistribution", _drop("ETag")
        )
        sent = emulator.counters.count("cloudfront", "GetDistribution")
        with pytest.raises(cdnkit.UnexpectedResponseError, match=r"GetDistributionResult.*ETag"):
            await client.distributions.get(distribution_id)
        # Not retried: a reply that lacks what AWS always sends is not transient.
        assert emulator.counters.count("cloudfront", "GetDistribution") == sent + 1


async def test_a_lightsail_reply_without_its_operation_fails_at_parse_time(
    emulator: Emulator,
) -> None:
    async with cdnkit.Lightsail(
        **emulator.client_kwargs(), retry=FAST_RETRY, wait=FAST_WAIT, session=SESSION
    ) as kit:
        created = await kit.distributions.create(
            name="site",
            origin=ls.InputOrigin(name="web-1", region_name="us-east-1"),
            default_cache_behavior=ls.CacheBehavior(behavior="cache"),
            bundle_id="small_1_0",
            wait=True,
        )
        assert created.operation.status == "Succeeded"
        kit._core.client.meta.events.register(
            "after-call.lightsail.ResetDistributionCache", _drop("operation")
        )
        with pytest.raises(cdnkit.UnexpectedResponseError, match="operation"):
            await kit.distributions.reset_cache("site")
