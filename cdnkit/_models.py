"""Runtime base of the generated models (hand-written; the generated modules import it).

One class per botocore structure serves both directions, so strictness depends on the
direction rather than on the class:

* Building a request (``Model(...)`` or :func:`validate_request`) is strict: exact types, every
  model and override constraint, no unknown members, ``{Quantity, Items}`` consistent.
* Parsing a reply (:func:`parse_response`) is lenient: an enum value AWS added after this
  botocore release is kept as it came, a member it added is ignored, and constraints are not
  re-checked.

Leniency is carried by the validation context, which pydantic passes down to nested models,
and applied per constrained field by :data:`Tolerant`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "CdnKitModel",
    "Tolerant",
    "derive_quantity",
    "max_utf8_bytes",
    "parse_response",
    "to_wire",
    "validate_request",
]

_LENIENT_KEY: Final = "cdnkit.lenient"
_LENIENT: Final[Mapping[str, bool]] = {_LENIENT_KEY: True}

ModelT = TypeVar("ModelT", bound="CdnKitModel")


def _is_lenient(info: ValidationInfo) -> bool:
    context = info.context
    return isinstance(context, Mapping) and bool(context.get(_LENIENT_KEY))


def _tolerate(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    try:
        return handler(value)
    except ValidationError:
        if _is_lenient(info):
            return value
        raise


#: Wraps a field's enum and constraint checks: enforced for requests, skipped for replies.
Tolerant: Final = WrapValidator(_tolerate)


def max_utf8_bytes(limit: int) -> WrapValidator:
    """A length limit counted in UTF-8 bytes, as AWS counts KeyValueStore keys and values."""

    def check(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        result = handler(value)
        if isinstance(result, str) and not _is_lenient(info):
            size = len(result.encode("utf-8"))
            if size > limit:
                raise PydanticCustomError(
                    "utf8_too_long",
                    "String should have at most {limit} bytes in UTF-8, not {size}",
                    {"limit": limit, "size": size},
                )
        return result

    return WrapValidator(check)


def derive_quantity(data: dict[str, Any]) -> int:
    """Default of a CloudFront ``Quantity``: the number of ``Items`` (validated before it)."""
    items = data.get("items")
    return len(items) if items is not None else 0


class CdnKitModel(BaseModel):
    """Base of every generated model: snake_case attributes, botocore member names on the wire."""

    model_config = ConfigDict(
        # Constructors take the snake_case names; replies are parsed by botocore member name.
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        # Errors name the snake_case attribute, whichever key the input used.
        loc_by_alias=False,
        # Replies: members added after this botocore release are dropped, not kept, because
        # botocore refuses parameters its model lacks, so they could never be sent back.
        # Requests: unknown names are rejected (see below).
        extra="ignore",
        strict=True,
        # ~1,150 classes: build each validator on first use, not at import.
        defer_build=True,
        protected_namespaces=(),
    )

    #: Pairs of members where the first must not exceed the second (override table).
    __cdnkit_ordered__: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: True for CloudFront ``{Quantity, Items}`` wrappers.
    __cdnkit_quantity__: ClassVar[bool] = False
    __cdnkit_names: ClassVar[frozenset[str] | None] = None

    @classmethod
    def _known_names(cls) -> frozenset[str]:
        names = cls.__dict__.get("_CdnKitModel__cdnkit_names")
        if names is None:
            collected: set[str] = set()
            for name, field in cls.model_fields.items():
                collected.add(name)
                if isinstance(field.validation_alias, str):
                    collected.add(field.validation_alias)
            names = frozenset(collected)
            cls.__cdnkit_names = names
        return names

    def __init__(self, /, **data: Any) -> None:
        # Bad input raises cdnkit's RequestValidationError (a CdnKitError and a ValueError),
        # not pydantic's bare ValidationError: one error root for everything cdnkit raises.
        try:
            self.__pydantic_validator__.validate_python(data, self_instance=self)
        except ValidationError as error:
            raise _request_error(error, type(self)) from None

    # Marks this __init__ as pydantic's own (as pydantic's RootModel does): nested models are
    # then validated by pydantic-core directly, inside their parent's validation and with its
    # context (leniency for replies), instead of through this constructor.
    setattr(__init__, "__pydantic_base_init__", True)  # noqa: B010

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_members(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict) and not _is_lenient(info):
            unknown = [key for key in data if key not in cls._known_names()]
            if unknown:
                raise PydanticCustomError(
                    "unknown_member",
                    "{model} has no member {names}",
                    {"model": cls.__name__, "names": ", ".join(map(repr, sorted(unknown)))},
                )
        return data

    @model_validator(mode="after")
    def _check_cross_member_rules(self, info: ValidationInfo) -> CdnKitModel:
        if _is_lenient(info):
            return self
        cls = type(self)
        if cls.__cdnkit_quantity__:
            items = getattr(self, "items", None)
            quantity = getattr(self, "quantity", None)
            expected = len(items) if items is not None else 0
            if quantity != expected:
                raise PydanticCustomError(
                    "inconsistent_quantity",
                    "quantity (Quantity) is {quantity} but items (Items) has {expected}",
                    {"quantity": quantity, "expected": expected},
                )
        for lesser, greater in cls.__cdnkit_ordered__:
            low, high = getattr(self, lesser), getattr(self, greater)
            if low is not None and high is not None and low > high:
                raise PydanticCustomError(
                    "member_order",
                    "{lesser} ({low}) must not exceed {greater} ({high})",
                    {"lesser": lesser, "low": low, "greater": greater, "high": high},
                )
        return self


def _request_error(error: ValidationError, model: type[BaseModel]) -> Exception:
    from ._exceptions import RequestValidationError

    return RequestValidationError.from_pydantic(error, model=model)


def parse_response(model: type[ModelT], data: Mapping[str, Any]) -> ModelT:
    """Parse a botocore reply leniently: new members and enum values never fail."""
    return model.model_validate(data, strict=False, context=_LENIENT)


def validate_request(model: type[ModelT], data: Mapping[str, Any]) -> ModelT:
    """Build a request from botocore-form or snake_case keys, with every check applied;
    bad input raises :class:`cdnkit.RequestValidationError`."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _request_error(error, model) from None


def to_wire(model: BaseModel) -> dict[str, Any]:
    """The botocore keyword arguments for a model: member names, None left out."""
    return model.model_dump(by_alias=True, exclude_none=True)
