"""Validate decoded response data against the type a call promises."""

import re
from collections.abc import Sequence
from typing import Any, TypeVar, cast

import pydantic

from ._exceptions import ResponseValidationError
from ._exceptions import told

T = TypeVar("T")
_MAX_LISTED_ERRORS = 5
_ADAPTERS: dict[object, pydantic.TypeAdapter[Any]] = {}
# pydantic names a union's member after its validator: `function-before[_ints_of_bytes(), list[int]]`.
_VALIDATOR_LABEL = re.compile(r"function-(?:before|after|wrap|plain)\[\w+\(\), (.*)\]")


def validate_as(type_: type[T], data: object) -> T:
    """Return `data` validated as `type_`; raise ResponseValidationError naming the type on a mismatch."""
    try:
        kind = cast(object, type_)  # at run time often no class: list[X], X | None, a Literal
        if isinstance(kind, type) and issubclass(kind, pydantic.BaseModel):
            return cast(T, kind.model_validate(data, by_name=False))  # properties, not Python names
        return _adapter(type_).validate_python(data, by_name=False)
    except pydantic.ValidationError as exc:
        raise ResponseValidationError(
            summary(_name_of(type_), exc), expected=_name_of(type_), body=data
        ) from told(exc)


def _adapter(type_: type[T]) -> pydantic.TypeAdapter[T]:
    """Return a TypeAdapter for `type_`, built once: building one costs far more than using it."""
    adapter = _ADAPTERS.get(type_)
    if adapter is None:
        adapter = _ADAPTERS[type_] = pydantic.TypeAdapter(type_)
    return cast(pydantic.TypeAdapter[T], adapter)


def _name_of(type_: object) -> str:
    """Return a readable name for a type or a type expression."""
    # A generic alias such as list[Chunk] forwards __qualname__ to its origin, which would hide the item type.
    return type_.__qualname__ if isinstance(type_, type) else repr(type_)


def summary(type_name: str, exc: pydantic.ValidationError) -> str:
    """Return a compact message listing where the data fails, without echoing the data."""
    return f"response does not match {type_name}: " + error_list(exc)


def error_list(exc: pydantic.ValidationError) -> str:
    """Return the count and the places of a validation error's failures; the input values are left out."""
    errors = exc.errors(include_url=False, include_input=False)
    lines = [f"{place(error['loc']) or '<root>'}: {error['msg']}" for error in errors[:_MAX_LISTED_ERRORS]]
    if len(errors) > _MAX_LISTED_ERRORS:
        lines.append(f"... and {len(errors) - _MAX_LISTED_ERRORS} more")
    count = f"{len(errors)} validation error{'s' if len(errors) != 1 else ''}"
    return f"{count}: " + "; ".join(lines)


def place(loc: Sequence[int | str]) -> str:
    """A validation error's place, `messages.0.content`: a union member by its type, not its validator."""
    return ".".join(
        matched.group(1)
        if isinstance(part, str) and (matched := _VALIDATOR_LABEL.fullmatch(part))
        else str(part)
        for part in loc
    )
