"""What every resource family shares: the core of its client and the per-call policies."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, validate_call
from pydantic_core import InitErrorDetails, PydanticCustomError

from .._core import Sends, ServiceCore, checked_wire
from .._exceptions import CdnKitError, RequestValidationError
from .._models import CdnKitModel
from .._policies import RetryPolicy, WaitPolicy

M = TypeVar("M", bound=CdnKitModel)
T = TypeVar("T")


#: Arguments are checked as their annotations say, exactly: ``wait="yes"`` or ``if_match=0``
#: is refused, not taken for its truthiness; a str is not a sequence of paths.
_ARGUMENTS: Final = ConfigDict(strict=True, arbitrary_types_allowed=True)
#: Parameters that carry what botocore marks sensitive (function code, KVS values).
_SENSITIVE_PARAMETERS: Final = frozenset(
    {"code", "value", "puts", "desired", "data", "expect_code", "event"}
)


def _checked_arguments(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with its arguments checked against its annotations before it runs: a
    wrong one raises :class:`cdnkit.RequestValidationError` naming the parameter, before any
    request. The validator is built on the first call (not at import)."""
    validated: Callable[..., Any] | None = None

    def checker() -> Callable[..., Any]:
        nonlocal validated
        if validated is None:
            validated = validate_call(config=_ARGUMENTS)(function)
        return validated

    names = list(inspect.signature(function).parameters)

    def converted(error: ValidationError) -> Exception:
        if isinstance(error, CdnKitError):
            return error
        details: list[InitErrorDetails] = []
        for detail in error.errors(include_url=False, include_context=False):
            loc = list(detail["loc"])
            if loc and isinstance(loc[0], int) and loc[0] < len(names):
                loc[0] = names[loc[0]]  # a positional argument: name it
            hidden = bool(loc) and loc[0] in _SENSITIVE_PARAMETERS
            details.append(
                {
                    "type": PydanticCustomError(detail["type"], detail["msg"]),
                    "loc": tuple(loc),
                    "input": "<redacted>" if hidden else detail.get("input"),
                }
            )
        named = ValidationError.from_exception_data(function.__qualname__, details)
        return RequestValidationError.from_pydantic(named)

    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def checked_async(*args: Any, **kwargs: Any) -> Any:
            call = checker()
            try:
                pending = call(*args, **kwargs)
            except ValidationError as error:
                raise converted(error) from None
            try:
                return await pending
            except ValidationError as error:
                raise converted(error) from None

        return checked_async

    @functools.wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            return checker()(*args, **kwargs)
        except ValidationError as error:
            raise converted(error) from None

    return checked


class Resource:
    """Base of the resource classes; created by the client, bound to its options.

    Every public method of a resource class checks its arguments against its annotations
    before it runs (strictly: see ``_checked_arguments``).
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if not name.startswith("_") and inspect.isfunction(value):
                setattr(cls, name, _checked_arguments(value))

    def __init__(self, core: ServiceCore, *, retry: RetryPolicy, wait: WaitPolicy) -> None:
        self._core = core
        self._retry = retry
        self._wait = wait

    async def _invoke(
        self, operation: str, request: BaseModel, result: type[M], *, sends: Sends | None = None
    ) -> M:
        """Send a request model, retried on transient failures; ``sends`` logs the sends."""
        return await self._core.invoke(operation, request, result, retry=self._retry, sends=sends)

    async def _send(
        self, operation: str, request: BaseModel, *, sends: Sends | None = None
    ) -> dict[str, Any]:
        """Send a request whose reply has nothing to parse (or is read raw, headers included);
        ``sends`` logs the sends."""
        return await self._core.send(
            operation, checked_wire(request), retry=self._retry, sends=sends
        )

    async def _paginate(
        self,
        operation: str,
        request: Callable[[str | None], BaseModel],
        result: type[M],
        page: Callable[[M], tuple[Sequence[T] | None, str | None]],
    ) -> AsyncIterator[T]:
        """Items of every page; ``page`` returns a reply's items and the next marker/token."""
        marker: str | None = None
        while True:
            reply = await self._invoke(operation, request(marker), result)
            items, marker = page(reply)
            for item in items or ():
                yield item
            if not marker:
                return
