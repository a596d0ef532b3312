"""CloudFront Functions: two stages (DEVELOPMENT, LIVE), each with its own ETag.

TestFunction runs the stage's code on the test event (``_runtime``: QuickJS, the optional
``cdnkit[functions]`` extra); without the engine it echoes the event's request or response.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Final

from cdnkit.testing._backend import EmulatedErrorReply, JsonDict, Request

from ._common import API_BASE_URL, invalid_argument, new_etag, paginate, require_if_match
from ._runtime import run_function
from ._state import CloudFrontState, FunctionRecord, FunctionStageRecord, key_value_store_arns

#: The model's pattern is not anchored; the service's rule is.
NAME_PATTERN: Final = re.compile(r"[a-zA-Z0-9_-]{1,64}")
#: The documented code quota (the model allows 40960 bytes).
MAX_CODE_BYTES: Final = 10 * 1024
#: Account quota on functions.
MAX_FUNCTIONS: Final = 100
MAX_KEY_VALUE_STORE_ASSOCIATIONS: Final = 1
#: Only this runtime can read a KeyValueStore.
KEY_VALUE_STORE_RUNTIME: Final = "cloudfront-js-2.0"
DEVELOPMENT: Final = "DEVELOPMENT"
LIVE: Final = "LIVE"
#: GetFunction's Content-Type.
CODE_CONTENT_TYPE: Final = "application/octet-stream"


def no_such_function(name: str, stage: str | None = None) -> EmulatedErrorReply:
    where = f" in stage {stage}" if stage else ""
    return EmulatedErrorReply(
        "NoSuchFunctionExists", f"The function {name} does not exist{where}.", 404
    )


class FunctionOperations:
    def __init__(self, state: CloudFrontState) -> None:
        self._state = state

    def handlers(self) -> dict[str, Callable[[Request], JsonDict]]:
        return {
            "CreateFunction": self.create,
            "DescribeFunction": self.describe,
            "GetFunction": self.get,
            "ListFunctions": self.list_functions,
            "UpdateFunction": self.update,
            "PublishFunction": self.publish,
            "TestFunction": self.test,
            "DeleteFunction": self.delete,
        }

    # Views ----------------------------------------------------------------------------------

    def _lookup(self, name: str) -> FunctionRecord:
        record = self._state.functions.get(name)
        if record is None:
            raise no_such_function(name)
        return record

    def _stage(self, record: FunctionRecord, stage: str | None) -> FunctionStageRecord:
        if stage in (None, DEVELOPMENT):
            return record.development
        if record.live is None:
            raise no_such_function(record.name, LIVE)
        return record.live

    def _status(self, record: FunctionRecord, stage: str) -> str:
        unpublished = (
            record.live is None or record.published_development_etag != record.development.etag
        )
        if stage == DEVELOPMENT and unpublished:
            return "UNPUBLISHED"
        if self._state.distributions_using_function(record.arn):
            return "DEPLOYED"
        return "UNASSOCIATED"

    def _summary(self, record: FunctionRecord, stage: str) -> JsonDict:
        stage_record = self._stage(record, stage)
        return {
            "Name": record.name,
            "Status": self._status(record, stage),
            "FunctionConfig": copy.deepcopy(stage_record.config),
            "FunctionMetadata": {
                "FunctionARN": record.arn,
                "Stage": stage,
                "CreatedTime": record.created,
                "LastModifiedTime": stage_record.last_modified,
            },
        }

    # Validation -----------------------------------------------------------------------------

    def _validate(self, config: JsonDict, code: bytes) -> None:
        if len(code) > MAX_CODE_BYTES:
            raise EmulatedErrorReply(
                "FunctionSizeLimitExceeded",
                f"The function code is {len(code)} bytes; the limit is {MAX_CODE_BYTES}.",
                413,
            )
        store_arns = key_value_store_arns(config)
        if len(store_arns) > MAX_KEY_VALUE_STORE_ASSOCIATIONS:
            raise invalid_argument(
                f"A function can be associated with at most {MAX_KEY_VALUE_STORE_ASSOCIATIONS} "
                "KeyValueStore."
            )
        if store_arns and config["Runtime"] != KEY_VALUE_STORE_RUNTIME:
            raise invalid_argument(
                f"KeyValueStore associations need the {KEY_VALUE_STORE_RUNTIME} runtime."
            )
        for arn in store_arns:
            if arn not in self._state.shared.key_value_stores:
                raise invalid_argument(f"The KeyValueStore {arn} does not exist.")

    # Operations -----------------------------------------------------------------------------

    def create(self, request: Request) -> JsonDict:
        params = request.params
        name: str = params["Name"]
        if not NAME_PATTERN.fullmatch(name):
            raise invalid_argument(
                f"The function name {name!r} must be 1 to 64 characters of "
                "a-z, A-Z, 0-9, hyphen and underscore."
            )
        if name in self._state.functions:
            raise EmulatedErrorReply(
                "FunctionAlreadyExists", f"A function named {name} already exists.", 409
            )
        if len(self._state.functions) >= MAX_FUNCTIONS:
            raise EmulatedErrorReply(
                "TooManyFunctions",
                f"You have reached the maximum number of functions ({MAX_FUNCTIONS}).",
                400,
            )
        config = copy.deepcopy(params["FunctionConfig"])
        code = bytes(params["FunctionCode"])
        self._validate(config, code)
        now = self._state.now()
        record = FunctionRecord(
            name=name,
            arn=f"arn:aws:cloudfront::{request.account_id}:function/{name}",
            created=now,
            development=FunctionStageRecord(
                config=config, code=code, etag=new_etag(), last_modified=now
            ),
        )
        self._state.functions[name] = record
        return {
            "FunctionSummary": self._summary(record, DEVELOPMENT),
            "ETag": record.development.etag,
            "Location": f"{API_BASE_URL}/function/{record.arn}",
        }

    def describe(self, request: Request) -> JsonDict:
        record = self._lookup(request.params["Name"])
        stage = request.params.get("Stage") or DEVELOPMENT
        return {
            "FunctionSummary": self._summary(record, stage),
            "ETag": self._stage(record, stage).etag,
        }

    def get(self, request: Request) -> JsonDict:
        record = self._lookup(request.params["Name"])
        stage_record = self._stage(record, request.params.get("Stage"))
        return {
            "FunctionCode": stage_record.code,
            "ETag": stage_record.etag,
            "ContentType": CODE_CONTENT_TYPE,
        }

    def list_functions(self, request: Request) -> JsonDict:
        wanted_stage = request.params.get("Stage")
        # Without a Stage filter every stage of every function is listed.
        entries = [
            (record, stage)
            for record in self._state.functions.values()
            for stage, _ in record.stages()
            if not wanted_stage or stage == wanted_stage
        ]

        def marker_of(entry: tuple[FunctionRecord, str]) -> str:
            # Names cannot contain "/", so the marker splits back unambiguously.
            return f"{entry[0].name}/{entry[1]}"

        page = paginate(sorted(entries, key=marker_of), marker_of, request.params)
        listing: JsonDict = {
            "MaxItems": page.max_items,
            "Quantity": len(page.items),
            "Items": [self._summary(record, stage) for record, stage in page.items],
        }
        if page.next_marker is not None:
            listing["NextMarker"] = page.next_marker
        return {"FunctionList": listing}

    def update(self, request: Request) -> JsonDict:
        params = request.params
        record = self._lookup(params["Name"])
        require_if_match(params.get("IfMatch"), record.development.etag)
        config = copy.deepcopy(params["FunctionConfig"])
        code = bytes(params["FunctionCode"])
        self._validate(config, code)
        record.development = FunctionStageRecord(
            config=config,
            code=code,
            etag=new_etag(record.development.etag),
            last_modified=self._state.now(),
        )
        # botocore's model names this header "ETtag"; the wire layer must send it as "ETag",
        # as the real service does.
        return {
            "FunctionSummary": self._summary(record, DEVELOPMENT),
            "ETag": record.development.etag,
        }

    def publish(self, request: Request) -> JsonDict:
        record = self._lookup(request.params["Name"])
        require_if_match(request.params.get("IfMatch"), record.development.etag)
        previous_live_etag = record.live.etag if record.live is not None else None
        record.live = FunctionStageRecord(
            config=copy.deepcopy(record.development.config),
            code=record.development.code,
            etag=new_etag(previous_live_etag),
            last_modified=self._state.now(),
        )
        record.published_development_etag = record.development.etag
        # Cache behaviors follow the LIVE stage, so every distribution using it redeploys.
        for distribution in self._state.distributions_using_function(record.arn):
            self._state.redeploy(distribution)
        return {"FunctionSummary": self._summary(record, LIVE)}

    def test(self, request: Request) -> JsonDict:
        params = request.params
        record = self._lookup(params["Name"])
        stage = params.get("Stage") or DEVELOPMENT
        stage_record = self._stage(record, stage)
        require_if_match(params.get("IfMatch"), stage_record.etag)
        if self._state.pending_test_failures > 0:
            self._state.pending_test_failures -= 1
            raise EmulatedErrorReply("TestFunctionFailed", "The CloudFront function failed.", 500)
        stores = [
            store
            for arn in key_value_store_arns(stage_record.config)
            if (store := self._state.shared.key_value_stores.get(arn)) is not None
        ]
        run = run_function(
            stage_record.code,
            str(stage_record.config.get("Runtime") or ""),
            bytes(params.get("EventObject") or b""),
            stores,
        )
        result: JsonDict = {
            "FunctionSummary": self._summary(record, stage),
            "ComputeUtilization": str(run.compute_utilization),
            "FunctionExecutionLogs": run.logs,
        }
        if run.error is not None:
            result["FunctionErrorMessage"] = run.error
        else:
            result["FunctionOutput"] = run.output
        return {"TestResult": result}

    def delete(self, request: Request) -> JsonDict:
        record = self._lookup(request.params["Name"])
        require_if_match(request.params.get("IfMatch"), record.development.etag)
        users = self._state.distributions_using_function(record.arn)
        if users:
            raise EmulatedErrorReply(
                "FunctionInUse",
                f"The function {record.name} is associated with distribution "
                f"{', '.join(sorted(d.id for d in users))}.",
                409,
            )
        del self._state.functions[record.name]
        return {}
