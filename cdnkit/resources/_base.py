"""What every resource family shares: the core of its client and the per-call policies."""

from __future__ import annotations

import collections.abc
import functools
import inspect
import types
import typing
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from .._core import Sends, ServiceCore, check_new_token, checked_wire, plain_wire
from .._exceptions import CdnKitError, RequestValidationError
from .._models import CdnKitModel
from .._policies import RetryPolicy, WaitPolicy

M = TypeVar("M", bound=CdnKitModel)
T = TypeVar("T")


#: How far the service's clock may be behind this machine's when telling whether a resource
#: was made before a call began.
CLOCK_SLACK: Final = timedelta(seconds=2)


def call_started() -> datetime:
    """This machine's time now, less the clock slack: taken before a create's first send, the
    earliest time the service can show for a resource that send made."""
    return datetime.now(UTC) - CLOCK_SLACK


def made_before(moment: datetime | None, since: datetime) -> bool:
    """Whether the service's time of a resource (made or last changed) is before ``since``:
    then the resource existed before the call and is another writer's, whatever it holds.
    A missing time (a reply parsed leniently) tells nothing."""
    if moment is None:
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment < since


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
            # Imported here: most programs never call with an argument the quick check
            # cannot vouch for, and pydantic's validate_call modules cost a cold start.
            from pydantic import validate_call

            validated = _no_text_as_items(function, validate_call(config=_ARGUMENTS)(function))
        return validated

    # Built on the first call, not when the resource class is created: the hints load
    # models, and a program uses a few of a resource's methods.
    quick: list[_QuickCheck | None] = []

    def quick_check() -> _QuickCheck | None:
        if not quick:
            quick.append(_QuickCheck.of(function, inspect.signature(function)))
        return quick[0]

    def converted(error: ValidationError) -> Exception:
        if isinstance(error, CdnKitError):
            return error
        details: list[InitErrorDetails] = []
        names = list(inspect.signature(function).parameters)
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
            fast = quick_check()
            if fast is not None and fast.passes(args, kwargs):
                return await function(*args, **kwargs)
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
        fast = quick_check()
        if fast is not None and fast.passes(args, kwargs):
            return function(*args, **kwargs)
        try:
            return checker()(*args, **kwargs)
        except ValidationError as error:
            raise converted(error) from None

    return checked


def _no_text_as_items(
    function: Callable[..., Any], validated: Callable[..., Any]
) -> Callable[..., Any]:
    """``validated`` refusing a str or bytes for a parameter annotated ``Iterable[...]``.

    Strict validation refuses text for a ``Sequence`` but takes it for an ``Iterable`` (as
    an iterator of its characters): ``deletes="key"`` would delete the keys "k", "e", "y"."""
    hints = typing.get_type_hints(function)
    signature = inspect.signature(function)
    names = [
        name
        for name in list(signature.parameters)[1:]
        if any(
            typing.get_origin(member) is collections.abc.Iterable
            for member in (hints.get(name), *typing.get_args(hints.get(name)))
        )
    ]
    if not names:
        return validated

    @functools.wraps(function)
    def refusing(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs).arguments
        except TypeError:
            return validated(*args, **kwargs)  # pydantic names what is missing or unknown
        for name in names:
            value = bound.get(name)
            if isinstance(value, str | bytes | bytearray):
                detail: InitErrorDetails = {
                    "type": PydanticCustomError(
                        "iterable_text",
                        "A collection of items (a list, a tuple), not one {kind}",
                        {"kind": type(value).__name__},
                    ),
                    "loc": (name,),
                    "input": value,
                }
                raise ValidationError.from_exception_data(function.__qualname__, [detail])
        return validated(*args, **kwargs)

    return refusing


_Check = Callable[[Any], bool]


def _never(_: Any) -> bool:
    return False


def _quick_check(annotation: Any) -> _Check:
    """A check that passes only values pydantic's strict validation would pass through
    unchanged; anything it cannot vouch for fails it (and goes to pydantic)."""
    if annotation is None or annotation is type(None):
        return lambda value: value is None
    if annotation is bool:
        return lambda value: value is True or value is False
    if annotation in (str, int, float):
        return lambda value: type(value) is annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        allowed = typing.get_args(annotation)
        if all(type(choice) is str for choice in allowed):
            choices = frozenset(allowed)
            return lambda value: type(value) is str and value in choices
        return _never
    if origin in (typing.Union, types.UnionType):
        checks = tuple(_quick_check(member) for member in typing.get_args(annotation))
        return lambda value: any(check(value) for check in checks)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        # Strict validation passes an instance as it is (it is checked whole before sending).
        return lambda value: isinstance(value, annotation)
    return _never


class _QuickCheck:
    """The common case of a call, checked without building pydantic's arguments: every
    argument a str, bool, int, float, literal, model or None that its annotation takes as it
    is, every required parameter given, nothing unknown. Any other call goes to pydantic,
    which accepts it or names the argument and the rule."""

    __slots__ = ("_checks", "_positional", "_required")

    def __init__(
        self, positional: tuple[str, ...], checks: dict[str, _Check], required: tuple[str, ...]
    ) -> None:
        self._positional = positional
        self._checks = checks
        self._required = required

    @classmethod
    def of(cls, function: Callable[..., Any], signature: inspect.Signature) -> _QuickCheck | None:
        try:
            hints = typing.get_type_hints(function)
        except Exception:  # an annotation that does not resolve: pydantic's job
            return None
        parameters = list(signature.parameters.values())[1:]  # self
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters):
            return None
        checks = {p.name: _quick_check(hints.get(p.name, Any)) for p in parameters}
        positional = tuple(
            p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        )
        required = tuple(p.name for p in parameters if p.default is p.empty)
        return cls(positional, checks, required)

    def passes(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
        given = len(args) - 1  # self
        positional = self._positional
        if given > len(positional):
            return False
        checks = self._checks
        for name, value in zip(positional, args[1:], strict=False):
            if name in kwargs or not checks[name](value):
                return False
        for name, value in kwargs.items():
            check = checks.get(name)
            if check is None or not check(value):
                return False
        for name in self._required:
            if name not in kwargs and name not in positional[:given]:
                return False
        return True


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
        self,
        operation: str,
        request: BaseModel,
        result: type[M],
        *,
        sends: Sends | None = None,
    ) -> M:
        """Send a request model, retried on transient failures; ``sends`` logs the sends."""
        return await self._core.invoke(operation, request, result, retry=self._retry, sends=sends)

    async def _call(
        self, operation: str, request: type[CdnKitModel], result: type[M], **members: Any
    ) -> M:
        """Send a request given as plain values (see :func:`plain_wire`: checked once, nothing
        built or dumped), retried on transient failures. The hot reads take this way."""
        wire = plain_wire(request, **members)
        return await self._core.invoke_wire(operation, wire, result, retry=self._retry)

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
        seen: set[str] = set()
        while True:
            reply = await self._invoke(operation, request(marker), result)
            items, marker = page(reply)
            for item in items or ():
                yield item
            if not marker:
                return
            check_new_token(marker, seen, operation)
