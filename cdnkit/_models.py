"""Runtime base of the generated models (hand-written; the generated modules import it).

One class per botocore structure serves both directions, so strictness depends on the
direction rather than on the class:

* Building a request (``Model(...)`` or :func:`validate_request`) is strict: exact types, every
  model and override constraint, no unknown members, ``{Quantity, Items}`` consistent.
* Parsing a reply (:func:`parse_response`) is lenient: an enum value AWS added after this
  botocore release is kept as it came, a member it added is ignored, and constraints are not
  re-checked.

The success path is native: fields carry pydantic-core constraints (patterns, ranges, literal
enums) and ``extra="forbid"`` refuses unknown members, so validation runs no Python code except
for the few classes with rules across members (``{Quantity, Items}``, ordered pairs) and
KeyValueStore byte limits. A reply is first validated the same way (AWS's replies normally pass);
only when that fails (a new enum value, a limit AWS relaxed) is it built without validation by
:func:`_construct_leniently`, so leniency costs nothing until it is needed.
"""

from __future__ import annotations

import gc
import itertools
import operator
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import (
    Annotated,
    Any,
    ClassVar,
    Literal,
    TypeAlias,
    TypeVar,
    cast,
    get_args,
    get_origin,
)

from pydantic import (
    AliasGenerator,
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

__all__ = [
    "CamelCaseModel",
    "CdnKitModel",
    "FiniteFloat",
    "Int32",
    "Int64",
    "PascalCaseModel",
    "camel_case",
    "check_rules",
    "derive_quantity",
    "max_utf8_bytes",
    "parse",
    "parse_response",
    "pascal_case",
    "to_wire",
    "validate_request",
    "wrong_member_type",
]

ModelT = TypeVar("ModelT", bound="CdnKitModel")


class _WireRange:
    """Pydantic metadata giving a number its schema with a wire range, built directly (no
    ``FieldInfo`` for pydantic to merge per member, as ``Field(ge=..., le=...)`` would add)."""

    __slots__ = ("_schema",)

    def __init__(self, schema: Callable[[], CoreSchema]) -> None:
        self._schema = schema

    def __get_pydantic_core_schema__(self, source: object, handler: object) -> CoreSchema:
        return self._schema()


# The wire ranges of botocore's number types (see cdnkit._codegen._ir.WIRE_NUMBERS): one type
# each that every generated member without bounds of its own refers to, checked natively by
# pydantic-core. Type checkers (and typing.get_type_hints) see the plain number type.
#: A botocore 'integer': 32-bit signed.
Int32: TypeAlias = Annotated[
    int, _WireRange(lambda: core_schema.int_schema(ge=-(2**31), le=2**31 - 1))
]
#: A botocore 'long': 64-bit signed.
Int64: TypeAlias = Annotated[
    int, _WireRange(lambda: core_schema.int_schema(ge=-(2**63), le=2**63 - 1))
]
#: A botocore 'float' or 'double': no JSON or XML number is NaN or infinite.
FiniteFloat: TypeAlias = Annotated[
    float, _WireRange(lambda: core_schema.float_schema(allow_inf_nan=False))
]


def max_utf8_bytes(limit: int) -> WrapValidator:
    """A length limit counted in UTF-8 bytes, as AWS counts KeyValueStore keys and values."""

    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        result = handler(value)
        if isinstance(result, str):
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


def pascal_case(name: str) -> str | None:
    """The wire name the generated models derive for an attribute of a PascalCase service
    (CloudFront, KeyValueStore): ``caller_reference`` -> ``CallerReference``; a trailing ``_``
    (added to a keyword) is dropped. None when it is the attribute's own name. A member whose
    name does not follow the rule (``WebACLId``) has its alias written out in its class."""
    words = name.removesuffix("_").split("_")
    wire = "".join(word[:1].upper() + word[1:] for word in words)
    return None if wire == name else wire


def camel_case(name: str) -> str | None:
    """:func:`pascal_case` for a camelCase service (Lightsail): ``bundle_id`` -> ``bundleId``."""
    first, *rest = name.removesuffix("_").split("_")
    wire = first + "".join(word[:1].upper() + word[1:] for word in rest)
    return None if wire == name else wire


class CdnKitModel(BaseModel):
    """Base of every generated model: snake_case attributes, botocore member names on the wire."""

    model_config = ConfigDict(
        # Constructors take the snake_case names; replies are parsed by botocore member name.
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        # Errors name the snake_case attribute, whichever key the input used.
        loc_by_alias=False,
        # Requests: unknown names are refused (natively). Replies: botocore only parses the
        # members its model has, so a reply never brings one this botocore lacks; if one did
        # (a hand-made dict), the lenient fallback drops it, since botocore could not send it
        # back anyway.
        extra="forbid",
        strict=True,
        # ~1,150 classes: build each validator on first use, not at import.
        defer_build=True,
        protected_namespaces=(),
    )

    if typing.TYPE_CHECKING:
        # Declared for type checkers only: pydantic evaluates the (string) annotations of
        # every base again for each subclass, which for these two was a sixth of creating a
        # generated class.
        #: Pairs of members where the first must not exceed the second (override table).
        __cdnkit_ordered__: ClassVar[tuple[tuple[str, str], ...]]
        #: True for CloudFront ``{Quantity, Items}`` wrappers.
        __cdnkit_quantity__: ClassVar[bool]
    __cdnkit_ordered__ = ()
    __cdnkit_quantity__ = False

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

    def __setattr__(self, name: str, value: Any) -> None:
        global _assignments
        # Counted: read-modify-write tells a mutation that changed nothing from one that
        # assigned an equal value of another type (1 for True), which must still be checked.
        _assignments += 1
        # A parsed list item may share its set of given members with its siblings (see
        # _share_fields_sets): it gets its own before pydantic records the assignment in it.
        if type(self.__pydantic_fields_set__) is _SharedFieldsSet:
            object.__setattr__(self, "__pydantic_fields_set__", set(self.__pydantic_fields_set__))
        super().__setattr__(name, value)


def _wire_aliases(rule: Callable[[str], str | None]) -> AliasGenerator:
    # pydantic takes None from a generator (no alias, as for a member named like its
    # attribute), though its annotation says str.
    named = cast("Callable[[str], str]", rule)
    return AliasGenerator(validation_alias=named, serialization_alias=named)


class PascalCaseModel(CdnKitModel):
    """Base of the models of a service whose members are PascalCase (CloudFront, KeyValueStore).

    Aliases come from one generator instead of a ``Field(validation_alias=...,
    serialization_alias=...)`` per member: creating a class is then about a tenth
    cheaper, and a program builds dozens on its first CloudFront call. ``alias`` itself stays
    None (as a written ``validation_alias`` leaves it), so constructors and type checkers keep
    the snake_case names."""

    # validate_by_name as inherited, repeated for pydantic's mypy plugin: it reads each class's
    # own config, and without it takes generated aliases for constructor names.
    model_config = ConfigDict(alias_generator=_wire_aliases(pascal_case), validate_by_name=True)


class CamelCaseModel(CdnKitModel):
    """:class:`PascalCaseModel` for a service whose members are camelCase (Lightsail)."""

    model_config = ConfigDict(alias_generator=_wire_aliases(camel_case), validate_by_name=True)


_assignments = 0


def assignments() -> int:
    """How many member assignments models of this process have had so far."""
    return _assignments


class _SharedFieldsSet(set[str]):
    """The set of members a reply gave, shared by every model parsed from a long list that has
    the same one (pydantic gives each instance its own set, which for a 1,000-item reply is
    about half of the memory the results keep). Read-only: a model gets its own copy when a
    member is assigned, and copies of the models (``model_copy``, pickling) get plain sets."""

    __slots__ = ()

    def _shared(self, *_: object, **__: object) -> typing.NoReturn:
        raise TypeError(
            "this set of given members is shared by the items of a parsed list: assign the "
            "member on the model instead"
        )

    add = discard = remove = pop = clear = update = _shared
    difference_update = intersection_update = symmetric_difference_update = _shared
    __ior__ = __iand__ = __isub__ = __ixor__ = _shared

    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: object) -> set[str]:
        return set(self)

    def __reduce__(self) -> tuple[type[set[str]], tuple[list[str]]]:
        return set, (list(self),)


#: Shared sets by their members (bounded: replies have few distinct combinations).
_SHARED_SETS: dict[frozenset[str], _SharedFieldsSet] = {}
#: Lists at least this long have their items' sets shared; shorter ones are not worth a walk.
_SHARE_FROM = 32
_MAX_SHARED = 4096
_GIVEN_NAME = "__pydantic_fields_set__"
_GIVEN = operator.attrgetter(_GIVEN_NAME)


def check_rules(model: ModelT, info: ValidationInfo) -> ModelT:
    """The rules across members of a request (a model validator the generator attaches only to
    the classes that have such rules). Replies that break them take parse_response's lenient
    path."""
    cls = type(model)
    if cls.__cdnkit_quantity__:
        items = getattr(model, "items", None)
        quantity = getattr(model, "quantity", None)
        expected = len(items) if items is not None else 0
        if quantity != expected:
            raise PydanticCustomError(
                "inconsistent_quantity",
                "quantity (Quantity) is {quantity} but items (Items) has {expected}",
                {"quantity": quantity, "expected": expected},
            )
    for lesser, greater in cls.__cdnkit_ordered__:
        low, high = getattr(model, lesser), getattr(model, greater)
        if low is not None and high is not None and low > high:
            raise PydanticCustomError(
                "member_order",
                "{lesser} ({low}) must not exceed {greater} ({high})",
                {"lesser": lesser, "low": low, "greater": greater, "high": high},
            )
    return model


def _request_error(error: ValidationError, model: type[BaseModel]) -> Exception:
    from ._exceptions import RequestValidationError

    return RequestValidationError.from_pydantic(error, model=model)


def parse_response(model: type[ModelT], data: Mapping[str, Any]) -> ModelT:
    """Parse a botocore reply leniently: new members and enum values never fail.

    The items of a long list (a page of a listing) share their sets of given members
    (``model_fields_set``), which are then read-only."""
    # Every object built here stays alive, so a garbage collection started by these
    # allocations finds nothing to free and only costs time (a third of the parse of a
    # 1,000-item page, in a process with a large heap). Paused for the parse alone, and only
    # when nobody else paused it.
    collecting = gc.isenabled()
    if collecting:
        gc.disable()
    try:
        parsed = _parse(model, data)
    finally:
        if collecting:
            gc.enable()
    _share_fields_sets(parsed, 2)
    return parsed


def _parse(model: type[ModelT], data: Mapping[str, Any]) -> ModelT:
    validator = model.__pydantic_validator__
    try:
        # Strict and without a context: botocore's parser gives exact types, and both make
        # pydantic-core several times faster on large replies.
        return validator.validate_python(data)  # type: ignore[no-any-return]  # ModelT's validator builds a ModelT
    except ValidationError as error:
        failures = error.errors(include_url=False, include_context=False)
    # A value this botocore's model refuses (an enum value AWS added, a relaxed limit) is left
    # out, the rest validated, and the value put back as it came.
    kept: list[tuple[tuple[int | str, ...], Any]] = []
    patched = _without(model, data, failures, kept)
    if patched is not None:
        try:
            parsed: ModelT = validator.validate_python(patched)
        except ValidationError:
            pass
        else:
            for loc, value in kept:
                _put_back(parsed, loc, value)
            return parsed
    return _construct_leniently(model, data)


def _share_fields_sets(model: BaseModel, depth: int) -> None:
    """Give the items of each long list (looked for ``depth`` levels down) shared sets of
    given members; a short list costs a few attribute reads, a model without lists nothing."""
    if not _lists_within(type(model), depth):
        return
    for name, cls, how in _nested_members(type(model)):
        value = model.__dict__.get(name)
        if not value:
            continue
        if how == "list":
            if not isinstance(value, list):
                continue  # kept as it came by a lenient parse
            if len(value) >= _SHARE_FROM:
                _share_column(cls, value)
            elif depth > 1:
                for item in value:
                    if isinstance(item, BaseModel):
                        _share_fields_sets(item, depth - 1)
        elif how == "one" and depth > 1 and isinstance(value, BaseModel):
            _share_fields_sets(value, depth - 1)


#: Per class and depth: whether a list of models may be found that many levels down.
_LISTS_WITHIN: dict[tuple[type[BaseModel], int], bool] = {}


def _lists_within(cls: type[BaseModel], depth: int) -> bool:
    found = _LISTS_WITHIN.get((cls, depth))
    if found is None:
        found = _LISTS_WITHIN[(cls, depth)] = any(
            how == "list" or (how == "one" and depth > 1 and _lists_within(member, depth - 1))
            for _, member, how in _nested_members(cls)
        )
    return found


def _shared_set(given: set[str]) -> _SharedFieldsSet | None:
    key = frozenset(given)
    shared = _SHARED_SETS.get(key)
    if shared is None and len(_SHARED_SETS) < _MAX_SHARED:
        shared = _SHARED_SETS[key] = _SharedFieldsSet(key)
    return shared


def _share_column(cls: type[BaseModel], column: list[Any]) -> None:
    """Share the sets of every ``cls`` instance of ``column`` and of the models inside them,
    one member path at a time across the whole column (loops that run in C: a per-instance
    walk in Python would cost half as much as the parse itself)."""
    column = [item for item in column if isinstance(item, cls)]  # leniency may leave raw values
    if not column:
        return
    given = list(map(_GIVEN, column))
    # The items of a list mostly give the same members: compared with the first item's set
    # (no allocation), and only the others looked up by their own.
    first = _shared_set(given[0])
    if first is None:
        return
    chosen: list[_SharedFieldsSet | None] = [
        first if same else _shared_set(own)
        for same, own in zip(map(first.__eq__, given), given, strict=True)
    ]
    for item, shared in zip(column, chosen, strict=True):
        if shared is not None:
            object.__setattr__(item, _GIVEN_NAME, shared)
    for name, member_cls, how in _nested_members(cls):
        values = [value for value in map(operator.attrgetter(name), column) if value]
        # A lenient parse keeps a value of the wrong shape as it came: only lists (maps) of
        # models are walked, and _share_column keeps only the models.
        if how == "list":
            values = list(itertools.chain.from_iterable(v for v in values if type(v) is list))
        elif how == "map":
            values = list(
                itertools.chain.from_iterable(v.values() for v in values if type(v) is dict)
            )
        if values:
            _share_column(member_cls, values)


def parse(model: type[ModelT], reply: Mapping[str, Any]) -> ModelT:
    """Parse a reply of a raw aiobotocore call into its model, as cdnkit parses its own:
    ``ResponseMetadata`` is left out, and a member or enum value newer than this botocore never
    fails parsing.

    ``cdnkit.parse(GetDistributionsResult, await client.get_distributions())``

    A ``model`` that is not a cdnkit model, or a ``reply`` that is not a mapping, raises
    :class:`cdnkit.InvalidRequestError`.
    """
    from ._exceptions import InvalidRequestError

    if not (isinstance(model, type) and issubclass(model, CdnKitModel)):
        raise InvalidRequestError(f"parse: model must be a cdnkit model class, not {model!r}")
    if not isinstance(reply, Mapping):
        raise InvalidRequestError(
            f"parse: reply must be a mapping (a botocore reply), not {type(reply).__name__}"
        )
    if "ResponseMetadata" in reply:
        reply = {key: value for key, value in reply.items() if key != "ResponseMetadata"}
    return parse_response(model, reply)


def _without(
    model: type[CdnKitModel],
    data: Mapping[str, Any],
    failures: list[Any],
    kept: list[tuple[tuple[int | str, ...], Any]],
) -> dict[str, Any] | None:
    """A copy of ``data`` without the failing values (copied only along their paths); None if
    a failure cannot be handled that way."""
    copy = dict(data)
    child: Any
    for failure in failures:
        loc: tuple[int | str, ...] = tuple(failure["loc"])
        if not loc:
            return None
        node: Any = copy
        cls: Any = model
        for depth, part in enumerate(loc):
            last = depth == len(loc) - 1
            if isinstance(part, int):
                if not isinstance(node, list) or part >= len(node):
                    return None
                if last:
                    return None  # a list item that fails: leave it to the slow path
                node[part] = child = dict(node[part]) if isinstance(node[part], Mapping) else None
                if child is None:
                    return None
                node = child
                continue
            if not isinstance(node, dict):
                return None
            fields = getattr(cls, "model_fields", None)
            field = fields.get(part) if fields is not None else None
            key = part
            if field is not None and isinstance(field.validation_alias, str):
                key = field.validation_alias if field.validation_alias in node else part
            if last:
                if failure["type"] != "extra_forbidden":
                    if field is None or field.is_required():
                        return None
                    kept.append((loc, node.get(key)))
                node.pop(key, None)
                break
            value = node.get(key)
            if isinstance(value, Mapping):
                node[key] = child = dict(value)
            elif isinstance(value, list):
                node[key] = child = list(value)
            else:
                return None
            node = child
            cls = _model_in(field.annotation) if field is not None else None
    return copy


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, CdnKitModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _put_back(parsed: Any, loc: tuple[int | str, ...], value: Any) -> None:
    node = parsed
    for part in loc[:-1]:
        node = node[part] if isinstance(part, int) else getattr(node, part)
    # As it came, without validation: the point of leniency. Given, as the reply gave it:
    # ``model_dump(exclude_unset=True)`` and merges of given members keep it.
    node.__dict__[loc[-1]] = value
    node.__pydantic_fields_set__.add(loc[-1])


def _construct_leniently(model: type[ModelT], data: Mapping[str, Any]) -> ModelT:
    """Build ``model`` from a reply without checking values: for the rare reply that fails
    validation (an enum value or a limit newer than this botocore). Members the model lacks
    are dropped; a required member that is missing (or null) raises
    :class:`cdnkit.UnexpectedResponseError` naming it, rather than an AttributeError later."""
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        alias = field.validation_alias if isinstance(field.validation_alias, str) else name
        if alias in data:
            raw = data[alias]
        elif name in data:
            raw = data[name]
        else:
            raw = None
        if raw is None:
            if field.is_required():
                raise _missing_member(model, name, alias)
            continue
        values[name] = _lenient_value(field.annotation, raw)
    return cast(ModelT, model.model_construct(**values))


def _missing_member(model: type[BaseModel], name: str, wire: str) -> Exception:
    from ._exceptions import UnexpectedResponseError

    return UnexpectedResponseError(
        f"{model.__name__} came without {wire} ({name}), which AWS always sends"
    )


def _lenient_value(annotation: Any, raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(annotation, type) and issubclass(annotation, CdnKitModel):
        return parse_response(annotation, raw) if isinstance(raw, Mapping) else raw
    origin = get_origin(annotation)
    arguments = get_args(annotation)
    if origin is list and isinstance(raw, list) and arguments:
        return [_lenient_value(arguments[0], item) for item in raw]
    if origin is dict and isinstance(raw, Mapping) and len(arguments) == 2:
        return {key: _lenient_value(arguments[1], value) for key, value in raw.items()}
    if arguments and origin is not Literal:  # Optional[...], Annotated[...]
        inner = [a for a in arguments if a is not type(None)]
        if inner:
            return _lenient_value(inner[0], raw)
    return raw


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


#: Per class, its members that hold models: (name, model class, how): how is "one", "list" or
#: "map". Computed on first use.
_NESTED: dict[type[BaseModel], tuple[tuple[str, type[BaseModel], str], ...]] = {}


def _nested_members(cls: type[BaseModel]) -> tuple[tuple[str, type[BaseModel], str], ...]:
    found = _NESTED.get(cls)
    if found is None:
        entries: list[tuple[str, type[BaseModel], str]] = []
        # Resolved here: field annotations may still be forward references.
        hints = typing.get_type_hints(cls)
        for name in cls.model_fields:
            annotation = hints.get(name)
            if get_origin(annotation) in (typing.Union, types.UnionType):
                inner = [a for a in get_args(annotation) if a is not type(None)]
                annotation = inner[0] if len(inner) == 1 else None
            origin, arguments = get_origin(annotation), get_args(annotation)
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                entries.append((name, annotation, "one"))
            elif origin is list and _is_model(arguments[0]):
                entries.append((name, arguments[0], "list"))
            elif origin is dict and len(arguments) == 2 and _is_model(arguments[1]):
                entries.append((name, arguments[1], "map"))
        found = _NESTED[cls] = tuple(entries)
    return found


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def wrong_member_type(model: BaseModel) -> str | None:
    """Where a member meant to hold a model holds something else (assigned after the model
    was built, or put in a list in place), as "path: expected X, got Y"; None when every
    nested member has its type. Pydantic would dump such an object as ``{}`` and say
    nothing."""
    return next(wrong_member_types(model), None)


def wrong_member_types(model: BaseModel, path: str = "") -> Iterator[str]:
    """Every place :func:`wrong_member_type` would name, in order."""
    for name, expected, how in _nested_members(type(model)):
        value = model.__dict__.get(name)
        if value is None:
            continue
        where = f"{path}.{name}" if path else name
        if how == "one":
            children: Any = ((where, value),)
        elif how == "list":
            if not isinstance(value, list):
                continue  # the serializer reports a non-list itself
            children = ((f"{where}[{index}]", item) for index, item in enumerate(value))
        else:
            if not isinstance(value, dict):
                continue
            children = ((f"{where}[{key!r}]", item) for key, item in value.items())
        for place, child in children:
            if not isinstance(child, expected):
                yield f"{place}: expected {expected.__name__}, got {type(child).__name__}"
            else:
                yield from wrong_member_types(child, place)


def unencodable_text(
    model: type[BaseModel] | None, wire: Mapping[str, Any]
) -> tuple[tuple[int | str, ...], str, int] | None:
    """The first string of request parameters in wire form (values and map keys, at any
    depth) that has no UTF-8 form (it holds a lone surrogate, which Python strings may and
    AWS's wire cannot): its place in snake_case attribute names where ``model`` names the
    members (wire names elsewhere), the string and the index of the surrogate. None if every
    string can be encoded.

    The slow half of a check whose fast half encodes the whole request once (see
    ``cdnkit._core``); it runs only when that fails."""
    return _unencodable(wire, model, "one", ())


def _unencodable(
    value: Any, model: type[BaseModel] | None, how: str, loc: tuple[int | str, ...]
) -> tuple[tuple[int | str, ...], str, int] | None:
    if isinstance(value, str):
        index = _surrogate_at(value)
        return None if index is None else (loc, value, index)
    found: tuple[tuple[int | str, ...], str, int] | None = None
    if isinstance(value, Mapping):
        # A structure's members are named by the model; a map's keys are data.
        members = _wire_members(model) if how == "one" and model is not None else {}
        for key, item in value.items():
            if isinstance(key, str):
                index = _surrogate_at(key)
                if index is not None:
                    return (*loc, _printable(key)), key, index
            if how == "map":
                found = _unencodable(item, model, "one", (*loc, _printable(key)))
            else:
                name, child, child_how = members.get(key, (key, None, "one"))
                found = _unencodable(item, child, child_how, (*loc, _printable(name)))
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _unencodable(item, model, "one", (*loc, index))
            if found is not None:
                return found
    return None


def _surrogate_at(text: str) -> int | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return error.start
    return None


def _printable(key: Any) -> int | str:
    """A place's part as an error may show it (a lone surrogate escaped, as repr does)."""
    if not isinstance(key, str):
        return str(key)
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def _wire_members(model: type[BaseModel]) -> dict[str, tuple[str, type[BaseModel] | None, str]]:
    """A structure's members by wire name: attribute name, model class of nested models and
    how they are held ("one", "list" or "map")."""
    nested = {name: (cls, how) for name, cls, how in _nested_members(model)}
    members: dict[str, tuple[str, type[BaseModel] | None, str]] = {}
    for name, field in model.model_fields.items():
        cls, how = nested.get(name, (None, "one"))
        # A list of models is walked item by item, each item a structure.
        entry = (name, cls, "one" if how == "list" else how)
        members[field.serialization_alias or field.alias or name] = entry
        members.setdefault(name, entry)
    return members
