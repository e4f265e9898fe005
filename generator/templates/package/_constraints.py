"""JSON Schema keywords pydantic has no exact form for, checked on the JSON a class sends or reads.

The generator hands each class the part of its schema that its fields cannot say (`not`,
`uniqueItems`, `if`/`then`/`else`, `const` of an object, `minimum` on an untyped value...) as
plain data; `schema_rules` turns that into a validator run after pydantic's own, on the value
as JSON (what is sent, or what was read). Only the keywords below are known: the generator
refuses any other rather than emit it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache
from typing import Any, TypeGuard, cast

from pydantic import BaseModel, model_validator
from pydantic_core import PydanticCustomError, PydanticSerializationError

Check = Callable[[Any, Any, dict[str, Any]], str | None]


def schema_rules(rules: Any) -> Any:
    """A pydantic `model_validator` checking the class's value, as JSON, against rules."""

    def check(self: BaseModel) -> BaseModel:
        try:
            value = self.model_dump(mode="json", exclude_unset=True)
        except PydanticSerializationError as exc:
            raise PydanticCustomError("json_value", "not JSON: {error}", {"error": str(exc)}) from None
        found = problem(rules, value)
        if found is not None:
            raise PydanticCustomError("json_schema", "{problem}", {"problem": found})
        return self

    return model_validator(mode="after")(check)


def problem(schema: Any, value: Any) -> str | None:
    """Why value does not fit schema (a schema of the keywords below), or None when it fits."""
    if schema is True:
        return None
    if schema is False:
        return "no value is allowed here"
    for keyword, argument in schema.items():
        check = KEYWORDS.get(keyword)
        found = check(argument, value, schema) if check is not None else None
        if found is not None:
            return found
    return None


def fits(schema: Any, value: Any) -> bool:
    return problem(schema, value) is None


# JSON values as the JSON Schema specification sees them: true is no number, 1.0 is an integer.
def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


TYPES: dict[str, Callable[[Any], bool]] = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "number": is_number,
    "integer": lambda v: is_number(v) and (isinstance(v, int) or v.is_integer()),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def is_array(value: object) -> TypeGuard[list[Any]]:
    return isinstance(value, list)


def is_object(value: object) -> TypeGuard[dict[str, Any]]:
    """A JSON object: a dict (its keys are the JSON's strings)."""
    return isinstance(value, dict)


def equal(one: Any, two: Any) -> bool:
    """JSON equality: 1 equals 1.0, true equals neither 1 nor 1.0, containers compared deeply."""
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    if is_array(one) and is_array(two):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two, strict=True))
    if is_object(one) and is_object(two):
        return one.keys() == two.keys() and all(equal(one[k], two[k]) for k in one)
    if is_number(one) and is_number(two):
        return bool(one == two)
    return type(one) is type(two) and bool(one == two)


def unique(items: list[Any]) -> bool:
    return not any(equal(items[i], items[j]) for i in range(len(items)) for j in range(i + 1, len(items)))


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _searched(pattern: str, text: str) -> bool:
    return _regex(pattern).search(text) is not None


def _type(kind: Any, value: Any, _: dict[str, Any]) -> str | None:
    kinds: list[str] = kind if is_array(kind) else [kind]
    return None if any(TYPES[k](value) for k in kinds) else f"{value!r} is not of type {' or '.join(kinds)}"


def _enum(options: Any, value: Any, _: dict[str, Any]) -> str | None:
    return None if any(equal(value, o) for o in options) else f"{value!r} is not one of {options!r}"


def _const(constant: Any, value: Any, _: dict[str, Any]) -> str | None:
    return None if equal(value, constant) else f"{value!r} is not {constant!r}"


def _multiple_of(divisor: Any, value: Any, _: dict[str, Any]) -> str | None:
    if not is_number(value):
        return None
    # As jsonschema decides it (the reference the classes are measured against): a float divisor
    # by float division, exact fractions only where that overflows; an integer one by remainder.
    if isinstance(divisor, float):
        try:
            quotient = value / divisor
            failed = int(quotient) != quotient
        except OverflowError:
            failed = (Fraction(value) / Fraction(divisor)).denominator != 1
    else:
        failed = bool(value % divisor)
    return f"{value!r} is not a multiple of {divisor!r}" if failed else None


def _bound(test: Callable[[Any, Any], bool], words: str) -> Check:
    def check(limit: Any, value: Any, _: dict[str, Any]) -> str | None:
        if not is_number(value) or test(value, limit):
            return None
        return f"{value!r} is {words} {limit!r}"

    return check


def _length(test: Callable[[int, int], bool], words: str) -> Check:
    def check(limit: Any, value: Any, _: dict[str, Any]) -> str | None:
        if not isinstance(value, str) or test(len(value), limit):
            return None
        return f"{value!r} is {words} {limit} characters"

    return check


def _count(kind: type, test: Callable[[int, int], bool], words: str) -> Check:
    def check(limit: Any, value: Any, _: dict[str, Any]) -> str | None:
        if not isinstance(value, kind) or test(len(cast(list[Any] | dict[str, Any], value)), limit):
            return None
        return f"holds {words} {limit} {'items' if kind is list else 'properties'}"

    return check


def _pattern(pattern: Any, value: Any, _: dict[str, Any]) -> str | None:
    if not isinstance(value, str) or _searched(pattern, value):
        return None
    return f"{value!r} does not match {pattern!r}"


def _unique_items(wanted: Any, value: Any, _: dict[str, Any]) -> str | None:
    if not wanted or not is_array(value) or unique(value):
        return None
    return f"{value!r} has repeated items"


def _prefix_items(schemas: Any, value: Any, _: dict[str, Any]) -> str | None:
    if not is_array(value):
        return None
    for index, (schema, item) in enumerate(zip(schemas, value, strict=False)):
        found = problem(schema, item)
        if found is not None:
            return f"item {index}: {found}"
    return None


def _items(schema: Any, value: Any, parent: dict[str, Any]) -> str | None:
    if not is_array(value):
        return None
    start = len(parent.get("prefixItems", []))
    for index in range(start, len(value)):
        found = problem(schema, value[index])
        if found is not None:
            return f"item {index}: {found}"
    return None


def _contains(schema: Any, value: Any, parent: dict[str, Any]) -> str | None:
    if not is_array(value):
        return None
    matches = sum(1 for item in value if fits(schema, item))
    least, most = parent.get("minContains", 1), parent.get("maxContains")
    if matches < least:
        return f"holds {matches} items matching `contains`, fewer than {least}"
    if most is not None and matches > most:
        return f"holds {matches} items matching `contains`, more than {most}"
    return None


def _required(names: Any, value: Any, _: dict[str, Any]) -> str | None:
    if not isinstance(value, dict):
        return None
    missing = [name for name in names if name not in value]
    return f"{missing[0]!r} is a required property" if missing else None


def _dependent_required(table: Any, value: Any, _: dict[str, Any]) -> str | None:
    if not isinstance(value, dict):
        return None
    for name, needed in table.items():
        if name in value:
            missing = [other for other in needed if other not in value]
            if missing:
                return f"{missing[0]!r} is required when {name!r} is present"
    return None


def _dependent_schemas(table: Any, value: Any, _: dict[str, Any]) -> str | None:
    if not isinstance(value, dict):
        return None
    for name, schema in table.items():
        found = problem(schema, value) if name in value else None
        if found is not None:
            return f"as {name!r} is present: {found}"
    return None


def _properties(table: Any, value: Any, _: dict[str, Any]) -> str | None:
    if not isinstance(value, dict):
        return None
    for name, schema in table.items():
        found = problem(schema, value[name]) if name in value else None
        if found is not None:
            return f"{name!r}: {found}"
    return None


def _pattern_properties(table: Any, value: Any, _: dict[str, Any]) -> str | None:
    if not is_object(value):
        return None
    for pattern, schema in table.items():
        for name, item in value.items():
            found = problem(schema, item) if _searched(pattern, name) else None
            if found is not None:
                return f"{name!r}: {found}"
    return None


def _additional_properties(schema: Any, value: Any, parent: dict[str, Any]) -> str | None:
    if not is_object(value):
        return None
    named, patterns = parent.get("properties", {}), parent.get("patternProperties", {})
    for name, item in value.items():
        if name in named or any(_searched(p, name) for p in patterns):
            continue
        found = problem(schema, item)
        if found is not None:
            return f"{name!r} is not allowed" if schema is False else f"{name!r}: {found}"
    return None


def _property_names(schema: Any, value: Any, _: dict[str, Any]) -> str | None:
    if not is_object(value):
        return None
    for name in value:
        found = problem(schema, name)
        if found is not None:
            return f"property name {name!r}: {found}"
    return None


def _all_of(schemas: Any, value: Any, _: dict[str, Any]) -> str | None:
    for schema in schemas:
        found = problem(schema, value)
        if found is not None:
            return found
    return None


def _any_of(schemas: Any, value: Any, _: dict[str, Any]) -> str | None:
    return None if any(fits(s, value) for s in schemas) else f"{value!r} fits none of the alternatives"


def _one_of(schemas: Any, value: Any, _: dict[str, Any]) -> str | None:
    count = sum(1 for s in schemas if fits(s, value))
    return None if count == 1 else f"{value!r} fits {count} of the exclusive alternatives; it must fit one"


def _not(schema: Any, value: Any, _: dict[str, Any]) -> str | None:
    return f"{value!r} must not fit {schema!r}" if fits(schema, value) else None


def _if(schema: Any, value: Any, parent: dict[str, Any]) -> str | None:
    held = fits(schema, value)
    found = problem(parent.get("then" if held else "else", True), value)
    return None if found is None else f"{found} (as `if` {'held' if held else 'failed'})"


KEYWORDS: dict[str, Check] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "multipleOf": _multiple_of,
    "minimum": _bound(lambda v, limit: v >= limit, "less than the minimum"),
    "maximum": _bound(lambda v, limit: v <= limit, "greater than the maximum"),
    "exclusiveMinimum": _bound(lambda v, limit: v > limit, "not greater than"),
    "exclusiveMaximum": _bound(lambda v, limit: v < limit, "not less than"),
    "minLength": _length(lambda n, limit: n >= limit, "shorter than"),
    "maxLength": _length(lambda n, limit: n <= limit, "longer than"),
    "pattern": _pattern,
    "minItems": _count(list, lambda n, limit: n >= limit, "fewer than"),
    "maxItems": _count(list, lambda n, limit: n <= limit, "more than"),
    "uniqueItems": _unique_items,
    "prefixItems": _prefix_items,
    "items": _items,
    "contains": _contains,
    "minProperties": _count(dict, lambda n, limit: n >= limit, "fewer than"),
    "maxProperties": _count(dict, lambda n, limit: n <= limit, "more than"),
    "required": _required,
    "dependentRequired": _dependent_required,
    "dependentSchemas": _dependent_schemas,
    "properties": _properties,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
    "propertyNames": _property_names,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "not": _not,
    "if": _if,
}
"""Every keyword checked here; `then`, `else`, `minContains` and `maxContains` are read by their partners."""
PARTNERS = frozenset({"then", "else", "minContains", "maxContains"})
