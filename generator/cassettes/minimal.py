"""Derive the smallest request a model accepts from its input schema, when no document shows one."""

from __future__ import annotations

import math
from typing import Any

import jsonschema

from generator.catalog.entry import JsonSchema
from generator.ingest.hygiene import MAX_SCHEMA_DEPTH
from generator.ingest.refs import resolve_ref

TEXT = "Hello"


class NoMinimalInstance(ValueError):
    """The schema asks for something this derivation cannot build."""


def minimal_instance(schema: JsonSchema) -> Any:
    """A small value that fits schema: required properties only, one item per array."""
    return _instance(schema, schema, 0)


def schema_problems(schema: JsonSchema, value: Any) -> list[str]:
    """Why value does not fit schema, one line per problem; empty when it fits."""
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    return [f"{e.json_path}: {e.message}" for e in errors]


def _resolve(root: JsonSchema, schema: JsonSchema) -> JsonSchema:
    reference = schema.get("$ref")
    if not isinstance(reference, str):
        return schema
    found, target = resolve_ref(root, reference)
    if not found or not isinstance(target, dict):
        raise NoMinimalInstance(
            f"cannot follow the non-local reference {reference!r}"
            if not reference.startswith("#")
            else f"cannot follow the reference {reference!r}"
        )
    rest = {key: value for key, value in schema.items() if key != "$ref"}
    return {**target, **rest}


def _instance(root: JsonSchema, schema: JsonSchema, depth: int) -> Any:
    if depth > MAX_SCHEMA_DEPTH:  # ingest refuses such a schema: each it takes has its request
        raise NoMinimalInstance(f"the schema nests deeper than {MAX_SCHEMA_DEPTH} levels")
    schema = _resolve(root, schema)
    for keyword in ("oneOf", "anyOf"):
        if schema.get(keyword):
            rest = {key: value for key, value in schema.items() if key != keyword}
            return _instance(root, _merge(rest, _resolve(root, schema[keyword][0])), depth + 1)
    if schema.get("allOf"):
        merged = {key: value for key, value in schema.items() if key != "allOf"}
        for part in schema["allOf"]:
            merged = _merge(merged, _resolve(root, part))
        return _instance(root, merged, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    return _typed(root, schema, depth)


def _merge(left: JsonSchema, right: JsonSchema) -> JsonSchema:
    """Both schemas' constraints; properties and required names from either side are kept."""
    merged = {**left, **right}
    if "properties" in left or "properties" in right:
        merged["properties"] = {**left.get("properties", {}), **right.get("properties", {})}
    if "required" in left or "required" in right:
        merged["required"] = [*left.get("required", []), *right.get("required", [])]
    return merged


def _typed(root: JsonSchema, schema: JsonSchema, depth: int) -> Any:
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            name: _instance(root, properties.get(name, {}), depth + 1) for name in schema.get("required", [])
        }
    if kind == "array":
        count = max(schema.get("minItems", 0), min(1, schema.get("maxItems", 1)))
        items = schema.get("items", {})
        return [_instance(root, items if isinstance(items, dict) else {}, depth + 1) for _ in range(count)]
    if kind == "string":
        text = TEXT[: schema.get("maxLength", len(TEXT))]
        return text.ljust(schema.get("minLength", 0), "!")
    if kind in ("integer", "number"):
        value = schema.get("minimum", 0)
        if "exclusiveMinimum" in schema:
            value = max(value, schema["exclusiveMinimum"] + 1)
        value = min(value, schema.get("maximum", value))
        return math.ceil(value) if kind == "integer" else value
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    raise NoMinimalInstance(f"unknown type {kind!r}")
