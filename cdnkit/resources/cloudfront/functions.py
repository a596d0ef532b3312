"""``cf.functions``: CloudFront Functions and their KeyValueStore associations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from ..._core import Sends, build_request, checked_wire
from ..._etag import delete_after_read, holds, mutate_copy, retry_on_stale, send_conditional
from ..._exceptions import (
    ConflictError,
    InvalidRequestError,
    NotFoundError,
)
from ..._models import parse_response, to_wire
from ...types import cloudfront as cf
from .._base import Resource, call_started, made_before
from ._function_events import (
    FunctionCodeMismatchError,
    FunctionTestRun,
    ViewerRequestEvent,
    check_output,
    code_diff,
    event_bytes,
)
from ._reconcile import send_create

__all__ = ["Functions"]


def _code(code: bytes | str, what: str = "code") -> bytes:
    if isinstance(code, str):
        try:
            return code.encode("utf-8")
        except UnicodeEncodeError as error:
            # The code itself is never shown (botocore marks it sensitive).
            raise InvalidRequestError(
                f"{what}: text without a UTF-8 form (a lone surrogate at character "
                f"{error.start}); give the code as bytes or as text UTF-8 can encode"
            ) from None
    if isinstance(code, bytes | bytearray):
        return bytes(code)
    raise InvalidRequestError(f"{what}: expected str or bytes, not {type(code).__name__}")


def _associations(arns: Sequence[str]) -> cf.KeyValueStoreAssociations:
    return cf.KeyValueStoreAssociations(
        items=[cf.KeyValueStoreAssociation(key_value_store_arn=arn) for arn in arns]
    )


def _key(name: str) -> str:
    return f"function/{name}"


class Functions(Resource):
    """Functions have one ETag per stage (DEVELOPMENT, LIVE); cdnkit handles them.

    The DEVELOPMENT ETag of the last create or update is remembered, so ``update`` then
    ``publish`` sends no extra describe. botocore drops UpdateFunction's ETag (its model
    names the header ``ETtag``); cdnkit reads it from the HTTP ``ETag`` header instead.
    """

    async def create(
        self,
        name: str,
        *,
        code: bytes | str,
        runtime: cf.FunctionRuntime = "cloudfront-js-2.0",
        comment: str = "",
        key_value_store_arns: Sequence[str] | None = None,
    ) -> cf.CreateFunctionResult:
        """Create a function (in the DEVELOPMENT stage).

        Retried on transient failures. A function has no client token: after a lost answer
        the resend answers FunctionAlreadyExists, and the function of that name is returned
        when it has exactly this config and code (the first send's) and was not made before
        this call began (less 2 s for clock differences). Otherwise, and on a first attempt,
        it is raised: the name is taken.
        """
        config = build_request(
            cf.FunctionConfig,
            comment=comment,
            runtime=runtime,
            key_value_store_associations=_associations(key_value_store_arns)
            if key_value_store_arns is not None
            else None,
        )
        request = build_request(
            cf.CreateFunctionRequest, name=name, function_config=config, function_code=_code(code)
        )

        since = call_started()

        async def reconcile(error: ConflictError) -> cf.CreateFunctionResult | None:
            # A retry meeting the function an earlier send made: the same config and code,
            # made no earlier than this call (one made before it is another writer's).
            if error.code != "FunctionAlreadyExists":
                return None
            existing = await self.describe(name, stage="DEVELOPMENT")
            summary = existing.function_summary
            if to_wire(summary.function_config) != to_wire(config):
                return None
            metadata = summary.function_metadata
            if made_before(metadata.created_time or metadata.last_modified_time, since):
                return None
            if await self.get_code(name) != request.function_code:
                return None
            return cf.CreateFunctionResult(function_summary=summary, etag=existing.etag)

        created = await send_create(
            self._core,
            self._retry,
            "CreateFunction",
            checked_wire(request),
            cf.CreateFunctionResult,
            reconcile,
        )
        self._remember(name, created.etag)
        return created

    async def describe(
        self, name: str, *, stage: cf.FunctionStage | None = None
    ) -> cf.DescribeFunctionResult:
        """Send DescribeFunction for ``stage`` (DEVELOPMENT when omitted) (retried on throttling,
        5xx and lost connections per the client's RetryPolicy); return the summary and that stage's
        ETag. Waits for nothing. Raises :class:`cdnkit.NotFoundError` for an unknown function or a
        stage it lacks."""
        request = build_request(cf.DescribeFunctionRequest, name=name, stage=stage)
        return await self._invoke("DescribeFunction", request, cf.DescribeFunctionResult)

    async def get_code(self, name: str, *, stage: cf.FunctionStage | None = None) -> bytes:
        """The function's code in ``stage`` (DEVELOPMENT when omitted): sends GetFunction (each
        request retried on throttling, 5xx and lost connections per the client's RetryPolicy). Waits
        for nothing. Raises :class:`cdnkit.NotFoundError` for an unknown function or a stage it
        lacks."""
        code, _ = await self._code_and_etag(name, stage)
        return code

    async def _code_and_etag(
        self, name: str, stage: cf.FunctionStage | None
    ) -> tuple[bytes, str | None]:
        """The code in ``stage`` and the ETag of the stage it was read from."""
        request = build_request(cf.GetFunctionRequest, name=name, stage=stage)
        reply = await self._send("GetFunction", request)
        etag = reply.get("ETag")
        # FunctionCode is the reply's streaming payload, not bytes: read it to the end.
        body = reply.get("FunctionCode")
        if body is None:
            return b"", etag
        async with body as stream:
            code: bytes = await stream.read()
        return code, etag

    async def _stage_as_is(
        self, name: str, stage: cf.FunctionStage
    ) -> tuple[cf.FunctionSummary, bytes, str] | None:
        """The summary, code and ETag of ``stage``, read consistently (the same ETag on
        both reads); None when the stage does not exist or changed between the reads."""
        try:
            described = await self.describe(name, stage=stage)
            code, etag = await self._code_and_etag(name, stage)
        except NotFoundError:
            return None
        summary = described.function_summary
        if etag != described.etag:
            return None
        return summary, code, etag

    def list(self, *, stage: cf.FunctionStage | None = None) -> AsyncIterator[cf.FunctionSummary]:
        """Every function (of one stage, if given): sends ListFunctions, one page at a time as the
        iteration goes (each request retried on throttling, 5xx and lost connections per the
        client's RetryPolicy). Waits for nothing."""

        def page(reply: cf.ListFunctionsResult) -> tuple[list[cf.FunctionSummary], str | None]:
            listing = reply.function_list
            return list(listing.items or ()), listing.next_marker

        return self._paginate(
            "ListFunctions",
            lambda marker: cf.ListFunctionsRequest(marker=marker, stage=stage),
            cf.ListFunctionsResult,
            page,
        )

    async def update(
        self,
        name: str,
        *,
        code: bytes | str | None = None,
        comment: str | None = None,
        key_value_store_arns: Sequence[str] | None = None,
        if_match: str | None = None,
    ) -> cf.UpdateFunctionResult:
        """Change the DEVELOPMENT stage; what is not given stays as it is (the runtime, and
        any value read back as it came, even one newer than this botocore's model). Nothing
        is sent when nothing changes. Publish to make it LIVE.

        Retried on transient failures and, without ``if_match``, on stale ETags (with it, a
        conflict is raised). After a lost answer the resend is refused as stale by this call's
        own write: when DEVELOPMENT now holds exactly the code and config sent, that write is
        returned with the ETag it made (no second UpdateFunction, even with ``if_match``).
        """
        new_code = _code(code) if code is not None else None
        # Checked up front (placeholders for what is read later), so bad input fails before
        # the first read.
        build_request(
            cf.UpdateFunctionRequest,
            name=name,
            if_match=if_match or "-",
            function_config=build_request(
                cf.FunctionConfig,
                comment=comment if comment is not None else "",
                runtime="cloudfront-js-2.0",
                key_value_store_associations=_associations(key_value_store_arns)
                if key_value_store_arns is not None
                else None,
            ),
            function_code=new_code if new_code is not None else b" ",
        )

        def change(config: cf.FunctionConfig) -> None:
            if comment is not None:
                config.comment = comment
            if key_value_store_arns is not None:
                config.key_value_store_associations = _associations(key_value_store_arns)

        async def attempt() -> cf.UpdateFunctionResult:
            current = await self.describe(name, stage="DEVELOPMENT")
            summary = current.function_summary
            # The config read, with only the members given changed: what was read is kept as
            # it came (a runtime newer than this botocore's model); the change is checked.
            changed = await mutate_copy(summary.function_config, change)
            config = changed.wire
            if new_code is None and config == changed.before and if_match is None:
                self._remember(name, current.etag)
                return cf.UpdateFunctionResult(function_summary=summary, etag=current.etag)
            code = new_code if new_code is not None else await self.get_code(name)
            # Name, code and a given If-Match were checked up front; the ETag read is a reply's.
            params = {
                "Name": name,
                "IfMatch": if_match or current.etag,
                "FunctionConfig": config,
                "FunctionCode": code,
            }

            async def send(sends: Sends) -> cf.UpdateFunctionResult:
                reply = await self._core.send(
                    "UpdateFunction", params, retry=self._retry, sends=sends
                )
                metadata: Mapping[str, Any] = reply.pop("ResponseMetadata", {})
                headers: Mapping[str, Any] = metadata.get("HTTPHeaders", {})
                result = parse_response(cf.UpdateFunctionResult, reply)
                etag = result.etag or headers.get("etag")
                return cf.UpdateFunctionResult(function_summary=result.function_summary, etag=etag)

            async def landed() -> cf.UpdateFunctionResult | None:
                now = await self._stage_as_is(name, "DEVELOPMENT")
                if now is None:
                    return None
                summary, code_now, etag = now
                if code_now != code or not holds(to_wire(summary.function_config), config):
                    return None
                return cf.UpdateFunctionResult(function_summary=summary, etag=etag)

            updated = await send_conditional(send, landed)
            self._remember(name, updated.etag)
            return updated

        async with self._core.locks.get(_key(name)):
            return await retry_on_stale(
                self._core,
                attempt,
                what=_key(name),
                policy=self._retry,
                manual=if_match is not None,
            )

    async def publish(
        self,
        name: str,
        *,
        if_match: str | None = None,
        expect_code: bytes | str | None = None,
    ) -> cf.PublishFunctionResult:
        """Copy DEVELOPMENT to LIVE.

        With ``expect_code`` (the code the caller means to publish), DEVELOPMENT's code is read
        first, with the ETag of that read: if it is not ``expect_code``, nothing is published
        and :class:`FunctionCodeMismatchError` is raised with a diff; otherwise exactly that
        version is published (a writer changing DEVELOPMENT meanwhile makes the publish stale,
        and the retry checks the code again). It cannot be combined with ``if_match``.

        The DEVELOPMENT ETag is the one remembered from this client's last create or update
        of the function, else read; retried on transient failures and, without ``if_match``,
        on a stale ETag (read afresh). Publishing does not move the DEVELOPMENT ETag, so a
        resend after a lost answer would publish again: before resending, LIVE is read, and
        when it already holds what DEVELOPMENT is at that ETag (code and config), the publish
        is taken as done and LIVE is returned (one publish).
        """
        expected = _code(expect_code, "expect_code") if expect_code is not None else None
        if expected is not None and if_match is not None:
            raise InvalidRequestError(
                "expect_code: cannot be combined with if_match (expect_code publishes the "
                "DEVELOPMENT version whose code it checked)"
            )
        build_request(cf.PublishFunctionRequest, name=name, if_match=if_match or "-")
        use_remembered = expected is None

        async def attempt() -> cf.PublishFunctionResult:
            nonlocal use_remembered
            etag = if_match or (self._core.etags.get(_key(name)) if use_remembered else None)
            use_remembered = False  # a retry after a conflict reads the ETag afresh
            if expected is not None:
                # The code and the ETag of one GetFunction reply: the version checked is the
                # version published (or the publish is stale and this attempt runs again).
                development, etag = await self._code_and_etag(name, "DEVELOPMENT")
                if development != expected:
                    diff = code_diff(
                        development,
                        expected,
                        fromfile=f"{name} (DEVELOPMENT)",
                        tofile="expect_code",
                    )
                    raise FunctionCodeMismatchError(
                        f"publish {name}: refused, nothing published: the DEVELOPMENT code is "
                        f"not expect_code\n{diff}"
                    )
            if etag is None:
                etag = (await self.describe(name, stage="DEVELOPMENT")).etag
            request = build_request(cf.PublishFunctionRequest, name=name, if_match=etag)
            sent = etag

            async def reconcile() -> cf.PublishFunctionResult | None:
                development = await self._stage_as_is(name, "DEVELOPMENT")
                if development is None or development[2] != sent:
                    return None
                live = await self._stage_as_is(name, "LIVE")
                if live is None or live[1] != development[1]:
                    return None
                if to_wire(live[0].function_config) != to_wire(development[0].function_config):
                    return None
                return cf.PublishFunctionResult(function_summary=live[0])

            return await self._core.invoke(
                "PublishFunction",
                request,
                cf.PublishFunctionResult,
                retry=self._retry,
                reconcile=reconcile,
            )

        async with self._core.locks.get(_key(name)):
            return await retry_on_stale(
                self._core,
                attempt,
                what=_key(name),
                policy=self._retry,
                manual=if_match is not None,
            )

    async def test(
        self,
        name: str,
        event: ViewerRequestEvent | bytes | str | Mapping[str, Any],
        *,
        stage: cf.FunctionStage = "DEVELOPMENT",
        expect: Mapping[str, Any] | None = None,
    ) -> FunctionTestRun:
        """Run the function on a test event: a :class:`ViewerRequestEvent` or
        :class:`ViewerResponseEvent`, or the event object itself (a mapping, or its JSON).

        Returns a :class:`FunctionTestRun`: the request or response the function returned
        (parsed), its log lines, its error (a function that throws is a test that ran, with
        ``error`` set) and its compute utilization; ``raw`` is TestFunction's result. With
        ``expect``, the output is compared with it (only the keys it gives, recursively): a
        difference, or a function that failed, raises :class:`FunctionOutputMismatchError`
        with a readable diff. A test the service failed to run raises
        :class:`cdnkit.FunctionTestFailedError` at once (it is deterministic).
        """
        encoded = event_bytes(event)
        if expect is not None and not isinstance(expect, Mapping):
            raise InvalidRequestError(f"expect: a mapping, not {type(expect).__name__}")
        # Checked before the ETag is read: bad input sends nothing.
        build_request(
            cf.TestFunctionRequest, name=name, if_match="-", stage=stage, event_object=encoded
        )

        async def attempt() -> cf.TestResult:
            etag = (await self.describe(name, stage=stage)).etag
            request = build_request(
                cf.TestFunctionRequest,
                name=name,
                if_match=etag,
                stage=stage,
                event_object=encoded,
            )
            result = await self._invoke("TestFunction", request, cf.TestFunctionResult)
            return result.test_result

        raw = await retry_on_stale(self._core, attempt, what=_key(name), policy=self._retry)
        run = FunctionTestRun.from_result(raw)
        if expect is not None:
            check_output(f"function {name} ({stage})", run, expect)
        return run

    async def diff(self, name: str, code: bytes | str, *, stage: cf.FunctionStage = "LIVE") -> str:
        """A unified diff from the code deployed in ``stage`` (LIVE by default) to ``code``;
        empty when they are the same. :class:`cdnkit.NotFoundError` when the stage does not
        exist (a function never published has no LIVE stage)."""
        local = _code(code)
        build_request(cf.GetFunctionRequest, name=name, stage=stage)
        # Code that no UpdateFunction could send (over the size limit) is refused as there.
        build_request(
            cf.UpdateFunctionRequest,
            name=name,
            if_match="-",
            function_config=cf.FunctionConfig(comment="", runtime="cloudfront-js-2.0"),
            function_code=local,
        )
        deployed = await self.get_code(name, stage=stage)
        return code_diff(deployed, local, fromfile=f"{name} ({stage})", tofile="local")

    async def delete(self, name: str, *, if_match: str | None = None) -> None:
        """Delete the function. Retried on transient failures and, without ``if_match``, on
        stale ETags. After a lost answer the resend finds the function gone: the delete
        landed, and that is success."""

        async def attempt() -> None:
            etag = if_match or (await self.describe(name, stage="DEVELOPMENT")).etag
            request = build_request(cf.DeleteFunctionRequest, name=name, if_match=etag)
            await delete_after_read(
                lambda sends: self._send("DeleteFunction", request, sends=sends),
                was_read=if_match is None,
            )

        async with self._core.locks.get(_key(name)):
            await retry_on_stale(
                self._core,
                attempt,
                what=_key(name),
                policy=self._retry,
                manual=if_match is not None,
            )
        self._core.etags.pop(_key(name), None)

    def _remember(self, name: str, etag: str | None) -> None:
        if etag:
            self._core.etags[_key(name)] = etag
