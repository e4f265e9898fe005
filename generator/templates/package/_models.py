"""Validation rules the JSON Schemas need and pydantic's defaults do not give."""

from __future__ import annotations

import base64
from typing import Annotated, Any, TypeAlias, TypeVar, cast, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    Strict,
    StrictFloat,
    StrictInt,
    ValidationError,
)
from pydantic_core import PydanticCustomError, core_schema

# Not `._exceptions` at the top: it loads httpx, and a types module needs pydantic only.


class StrictModel(BaseModel):
    """Base of every request and response class: no coercion, unknown keys kept as sent.

    A class builds its validator on first use, not when its module is imported: a call pays for
    the classes it sends and reads, not for every class of the model's schemas.
    """

    model_config = ConfigDict(
        defer_build=True,
        strict=True,
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        allow_inf_nan=False,
        # NaN and infinities reach the JSON dump as they are (not `null`), where the request's JSON
        # encoder refuses them (RequestValidationError): in a typed field, extra_body or a nested Any.
        ser_json_inf_nan="constants",
        # A property named `model_dump` is the field `model_dump_` (renamed, with an alias): no
        # field takes a name of BaseModel's own, so its `model_` names need no warning.
        protected_namespaces=(),
        # Patterns are written for Python's `re` with JSON Schema's (ECMA-262) meaning (the generator's
        # ingest/ecma_regex.py): `\Z`, ASCII `[0-9]` for `\d`, which the default Rust engine reads otherwise.
        regex_engine="python-re",
    )


class IntegralFloat(int):
    """An integer that JSON wrote as a float (`3.0`): an int to Python, `3.0` again on the wire."""

    __slots__ = ()


def _integral(value: Any, inner: core_schema.ValidatorFunctionWrapHandler) -> Any:
    # JSON Schema counts 3.0 as an integer; JSON parsers hand it over as a float.
    if isinstance(value, float) and value.is_integer():
        return IntegralFloat(inner(int(value)))
    if isinstance(value, IntegralFloat):
        return IntegralFloat(inner(int(value)))
    return inner(value)


def _as_written(value: int) -> int | float:
    return float(value) if isinstance(value, IntegralFloat) else value


class _AsWritten:
    """`WrapValidator(_integral)` and `PlainSerializer(_as_written, when_used="json")`, the same core schema.

    Spelt out because `PlainSerializer` would load pydantic's serializer module, which nothing else
    of a call needs.
    """

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        schema = core_schema.no_info_wrap_validator_function(_integral, handler(source))
        schema["serialization"] = core_schema.plain_serializer_function_ser_schema(
            _as_written, info_arg=False, return_schema=handler.generate_schema(int | float), when_used="json"
        )
        return schema


JsonInt = Annotated[int, Strict(), _AsWritten()]
"""An integer as JSON Schema means it: 3 or 3.0 (sent on as written), never "3" or true."""

JsonNumber: TypeAlias = StrictInt | StrictFloat
"""Any JSON number, as it was written: an int of any size stays an int, a float a float; never "3" or true."""


def _base64(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(cast("bytes | bytearray | memoryview[int]", value)).decode("ascii")
    return value


Base64Text = Annotated[str, Strict(), BeforeValidator(_base64)]
"""A `format: binary` string documented as base64: text as it is, or bytes that are base64-encoded."""


def _reject_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("not_null", "null is not allowed here; leave the field out instead")
    return value


NOT_NULL = BeforeValidator(_reject_null)
"""Marks an optional field whose schema does not allow null: omit it, do not send None."""


def _ints_of_bytes(value: Any) -> Any:
    if isinstance(value, memoryview):
        return cast("memoryview[int]", value).tolist()  # its items, as its format reads them
    if isinstance(value, bytes | bytearray):
        return list(value)
    return value


BYTES_AS_INTS = BeforeValidator(_ints_of_bytes)
"""Marks an array of integers: bytes are taken as their values, 0..255 (`Sequence[int]` admits them)."""


class _ExactlyOne:
    """A union validated as JSON Schema's `oneOf`: the value must fit exactly one member."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        members: tuple[type[BaseModel], ...] = get_args(source)
        for member in members:
            _build_first(member)

        def validate(value: Any, inner: core_schema.ValidatorFunctionWrapHandler) -> Any:
            # Bytes as the ints they stand for, before any member sees them: only an int array's
            # member would take bytes, though a number array's takes the same ints.
            value = _ints_of_bytes(value)
            result = inner(value)
            fitting = [m.__name__ for m in members if _fits(m, value)]
            if len(fitting) != 1:
                names = ", ".join(m.__name__ for m in members)
                raise PydanticCustomError(
                    "one_of",
                    "fits {count} of the exclusive alternatives {names}; it must fit exactly one",
                    {"count": len(fitting), "names": names},
                )
            return result

        return core_schema.no_info_wrap_validator_function(validate, handler(source))


_BUILDING: set[type[BaseModel]] = set()


def _build_first(member: type[BaseModel]) -> None:
    """Build a member's own validator before the union's, which then reuses its schema.

    `_fits` validates against each member on its own, so each is built anyway; built after the
    union, each member's schema would be generated twice (once inline in the union). A member
    already being built further up (a recursive schema) is left to pydantic, as before.
    """
    if member.__pydantic_complete__ or member in _BUILDING:
        return
    _BUILDING.add(member)
    try:
        member.model_rebuild(raise_errors=False, _parent_namespace_depth=0)  # names from its own module
    finally:
        _BUILDING.discard(member)


def _fits(member: type[BaseModel], value: Any) -> bool:
    if isinstance(value, BaseModel):
        return isinstance(value, member)
    try:
        member.model_validate(value)
    except ValidationError:
        return False
    return True


ONE_OF = _ExactlyOne()


class NotGiven:
    """Stands for an argument that was not passed (distinct from an explicit None)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_as(model: type[ModelT], data: Any, model_id: str) -> ModelT:
    """Validate a provider's answer against the type the catalog promises for it."""
    try:
        # By property alone: a field's Python name (`class_` for `class`) is no key of the schema's.
        return model.model_validate(data, by_name=False)
    except ValidationError as exc:
        from ._exceptions import ResponseValidationError, told  # only a failure needs the HTTP-side errors
        from ._validation import error_list

        raise ResponseValidationError(
            # pydantic's own text quotes the input, which may echo the request's credential.
            f"{model_id} answered with a {model.__name__} that does not fit its schema: {error_list(exc)}",
            expected=model.__name__,
            body=data,
        ) from told(exc)
