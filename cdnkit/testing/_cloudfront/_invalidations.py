"""Invalidations: create (idempotent by CallerReference), get and list.

CloudFront's limits are enforced as AWS-FACTS.md gives them: a path starts with ``/`` (or is a
``#`` tag item without wildcards), has a ``*`` only at its end and at most 4,000 characters; a
distribution has at most 3,000 file paths and, separately, 15 wildcard paths in progress, and a
batch that would go beyond either is refused with ``TooManyInvalidationsInProgress``. An
invalidation completes ``Timing.invalidation`` seconds after it was created, on the emulator's
clock (``emu.clock.advance`` completes it at once). Tag items count like file paths (how
CloudFront counts them is unverified).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from cdnkit.testing._backend import EmulatedErrorReply, JsonDict, Request

from ._common import API_BASE_URL, invalid_argument, new_resource_id, paginate
from ._distributions import no_such_distribution
from ._state import CloudFrontState, DistributionRecord, InvalidationRecord

#: Paths one invalidation batch may carry.
MAX_PATHS_PER_BATCH: Final = 3000
#: File paths (no wildcard) in progress per distribution.
MAX_FILES_IN_PROGRESS: Final = 3000
#: Wildcard paths in progress per distribution.
MAX_WILDCARDS_IN_PROGRESS: Final = 15
#: Characters one path may have.
MAX_PATH_LENGTH: Final = 4000


def _path_problem(path: str) -> str | None:
    """What CloudFront refuses in one path, or None."""
    if len(path) > MAX_PATH_LENGTH:
        return f"a path has at most {MAX_PATH_LENGTH} characters"
    if path.startswith("#"):
        if path == "#":
            return "a tag item names a tag after '#'"
        return "a tag item cannot contain '*'" if "*" in path else None
    if not path.startswith("/"):
        return "Invalidation paths must start with '/'"
    if "*" in path[:-1]:
        return "'*' may only be the last character of a path"
    return None


def _counts(paths: list[str]) -> tuple[int, int]:
    """(file paths, wildcard paths) of a batch."""
    wildcards = sum(1 for path in paths if path.endswith("*"))
    return len(paths) - wildcards, wildcards


class InvalidationOperations:
    def __init__(self, state: CloudFrontState) -> None:
        self._state = state

    def handlers(self) -> dict[str, Callable[[Request], JsonDict]]:
        return {
            "CreateInvalidation": self.create,
            "GetInvalidation": self.get,
            "ListInvalidations": self.list_invalidations,
        }

    def _distribution(self, distribution_id: str) -> DistributionRecord:
        record = self._state.distributions.get(distribution_id)
        if record is None:
            raise no_such_distribution(distribution_id)
        return record

    def _status(self, invalidation: InvalidationRecord) -> str:
        return "Completed" if self._state.monotonic() >= invalidation.completed_at else "InProgress"

    def _reply(
        self, distribution: DistributionRecord, invalidation: InvalidationRecord
    ) -> JsonDict:
        return {
            "Invalidation": {
                "Id": invalidation.id,
                "Status": self._status(invalidation),
                "CreateTime": invalidation.create_time,
                "InvalidationBatch": {
                    "Paths": {
                        "Quantity": len(invalidation.paths),
                        "Items": list(invalidation.paths),
                    },
                    "CallerReference": invalidation.caller_reference,
                },
            },
            "Location": f"{API_BASE_URL}/distribution/{distribution.id}/invalidation/"
            f"{invalidation.id}",
        }

    def create(self, request: Request) -> JsonDict:
        distribution = self._distribution(request.params["DistributionId"])
        batch = request.params["InvalidationBatch"]
        caller_reference: str = batch["CallerReference"]
        paths: list[str] = list(batch["Paths"].get("Items") or [])
        if not paths:
            raise invalid_argument("An invalidation batch needs at least one path.")
        if len(paths) > MAX_PATHS_PER_BATCH:
            raise EmulatedErrorReply(
                "BatchTooLarge",
                f"An invalidation batch may carry at most {MAX_PATHS_PER_BATCH} paths.",
                413,
            )
        for path in paths:
            problem = _path_problem(path)
            if problem is not None:
                raise invalid_argument(f"{problem}: {path[:100]!r}.")
        for existing in distribution.invalidations.values():
            if existing.caller_reference != caller_reference:
                continue
            if sorted(existing.paths) == sorted(paths):
                # A retried request: CloudFront answers with the original invalidation.
                return self._reply(distribution, existing)
            raise EmulatedErrorReply(
                "InvalidationBatchAlreadyExists",
                f"An invalidation with caller reference {caller_reference!r} and different "
                f"paths already exists: {existing.id}",
                409,
            )
        self._check_in_progress(distribution, paths)
        invalidation_id = new_resource_id("I")
        while invalidation_id in distribution.invalidations:  # a clash: draw another id
            invalidation_id = new_resource_id("I")
        invalidation = InvalidationRecord(
            id=invalidation_id,
            caller_reference=caller_reference,
            paths=paths,
            create_time=self._state.now(),
            completed_at=self._state.monotonic() + self._state.shared.timing.invalidation,
        )
        distribution.invalidations[invalidation_id] = invalidation
        return self._reply(distribution, invalidation)

    def _check_in_progress(self, distribution: DistributionRecord, paths: list[str]) -> None:
        files, wildcards = _counts(paths)
        now = self._state.monotonic()
        for existing in distribution.invalidations.values():
            if now < existing.completed_at:
                more_files, more_wildcards = _counts(existing.paths)
                files += more_files
                wildcards += more_wildcards
        if wildcards > MAX_WILDCARDS_IN_PROGRESS:
            raise EmulatedErrorReply(
                "TooManyInvalidationsInProgress",
                "Processing your request will cause you to exceed the maximum number of "
                f"in-progress wildcard invalidations ({MAX_WILDCARDS_IN_PROGRESS}).",
                400,
            )
        if files > MAX_FILES_IN_PROGRESS:
            raise EmulatedErrorReply(
                "TooManyInvalidationsInProgress",
                "Processing your request will cause you to exceed the maximum number of "
                f"in-progress invalidated files ({MAX_FILES_IN_PROGRESS}).",
                400,
            )

    def get(self, request: Request) -> JsonDict:
        distribution = self._distribution(request.params["DistributionId"])
        invalidation = distribution.invalidations.get(request.params["Id"])
        if invalidation is None:
            raise EmulatedErrorReply(
                "NoSuchInvalidation",
                f"The specified invalidation does not exist: {request.params['Id']}",
                404,
            )
        return {"Invalidation": self._reply(distribution, invalidation)["Invalidation"]}

    def list_invalidations(self, request: Request) -> JsonDict:
        distribution = self._distribution(request.params["DistributionId"])
        newest_first = list(reversed(distribution.invalidations.values()))
        page = paginate(newest_first, lambda item: item.id, request.params)
        listing: JsonDict = {
            "Marker": page.marker,
            "MaxItems": page.max_items,
            "IsTruncated": page.next_marker is not None,
            "Quantity": len(page.items),
            "Items": [
                {"Id": item.id, "CreateTime": item.create_time, "Status": self._status(item)}
                for item in page.items
            ],
        }
        if page.next_marker is not None:
            listing["NextMarker"] = page.next_marker
        return {"InvalidationList": listing}
