"""Merge JSON Schemas: one schema asking for everything two schemas ask for, as far as keywords allow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Schema = Mapping[str, Any] | bool

_MIN_KEYS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_MAX_KEYS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_SUBSCHEMA = ("items", "additionalProperties", "contains", "propertyNames")


def merge(a: Schema, b: Schema) -> Schema:
    """Return one schema that asks for both a and b, as far as the keywords allow."""
    if a is False or b is False:
        return False
    if a is True:
        return b
    if b is True:
        return a
    merged = dict(a)
    for key, value in b.items():
        if key not in merged or merged[key] == value:
            merged[key] = value
        elif key == "properties":
            props = dict(merged[key])
            for name, sub in value.items():
                props[name] = merge(props[name], sub) if name in props else sub
            merged[key] = props
        elif key in _SUBSCHEMA:
            merged[key] = merge(merged[key], value)
        elif key == "prefixItems":
            mine, theirs = list(merged[key]), list(value)
            common = [merge(x, y) for x, y in zip(mine, theirs, strict=False)]
            merged[key] = common + mine[len(common) :] + theirs[len(common) :]
        elif key == "required":
            merged[key] = list(dict.fromkeys([*merged[key], *value]))
        elif key == "allOf":
            merged[key] = [*merged[key], *value]
        elif key in {"oneOf", "anyOf"}:
            # Distribute: each of a's branches must also satisfy b's choice.
            merged[key] = [merge(branch, {key: value}) for branch in merged[key]]
        elif key == "type":
            merged[key] = _common_types(types_of(merged[key]), types_of(value))
        elif key == "enum":
            merged[key] = [v for v in merged[key] if v in value]
        elif key in _MIN_KEYS:
            merged[key] = max(merged[key], value)
        elif key in _MAX_KEYS:
            merged[key] = min(merged[key], value)
        else:
            merged[key] = value
    return merged


def types_of(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _common_types(mine: list[str], theirs: list[str]) -> list[str]:
    both = [t for t in mine if t in theirs]
    # "integer" is a subset of "number": the two together mean "integer".
    if "integer" not in both and {("integer", "number"), ("number", "integer")} & {
        (x, y) for x in mine for y in theirs
    }:
        both.append("integer")
    return both
