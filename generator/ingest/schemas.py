"""JSON Schema helpers for ingest: validity, inference from examples, the SSE branch."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import jsonschema

from generator.ingest.ecma_regex import DOCUMENT_PATTERN, as_documented, python_patterns
from generator.ingest.jsonspans import pointer
from generator.memo import remembered

JsonSchema = dict[str, Any]
SSE_CONTENT_TYPE = "text/event-stream"


_METASCHEMA = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)


def metaschema_problems(schema: Any) -> list[str]:
    """Messages for every way schema breaks the Draft 2020-12 metaschema."""
    return [message for _, message in metaschema_errors(schema)]


def metaschema_errors(schema: Any) -> list[tuple[str, str]]:
    """(JSON pointer into schema, message) for every way schema breaks the Draft 2020-12 metaschema."""
    return [(pair[0], pair[1]) for pair in map(json.loads, _metaschema_errors(schema))]


@remembered("metaschema")  # pure, and slow: kept across ingests by the ingest cache
def _metaschema_errors(schema: Any) -> list[str]:
    """Each error as the JSON text of [pointer, message]: what the memo keeps is a list of strings."""
    validator = _METASCHEMA
    try:
        errors = sorted(validator.iter_errors(schema), key=lambda e: list(e.absolute_path))
    except RecursionError:
        return [json.dumps(["", "schema nested too deeply to check"])]
    return [
        json.dumps(
            [pointer(*e.absolute_path), f"at /{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"]
        )
        for e in errors
    ]


def unfit_defaults(schema: JsonSchema) -> list[tuple[str, JsonSchema, str]]:
    """(JSON pointer of the `default`, the schema holding it, why) for each default its own schema rejects.

    Local references resolve against schema; a schema the metaschema rejects is not looked into.
    """
    from generator.ingest.keywords import subschemas  # noqa: PLC0415 - keywords' walk, one copy

    defaults = [(where, node) for where, node in subschemas(schema) if "default" in node]
    if not defaults or metaschema_problems(schema):
        return []
    root = ecma_validator(schema)
    found = []
    for where, node in defaults:
        try:
            own = python_patterns(copy.deepcopy(node), DOCUMENT_PATTERN)  # patterns as the SDK reads them
            failure = jsonschema.exceptions.best_match(root.evolve(schema=own).iter_errors(node["default"]))
        except RecursionError:
            continue
        if failure is not None:
            cause = _deepest(failure)
            found.append((f"{where}/default", node, as_documented(cause)[:160]))
    return sorted(found, key=lambda unfit: unfit[0])


def ecma_validator(schema: JsonSchema) -> jsonschema.protocols.Validator:
    """A validator of schema whose patterns mean what JSON Schema says (as the SDK reads them)."""
    return jsonschema.Draft202012Validator(python_patterns(copy.deepcopy(schema), DOCUMENT_PATTERN))


def violations(schema: JsonSchema, instance: Any, limit: int = 5) -> list[str]:
    """Why instance does not fit schema: for each failure, the most specific cause and where."""
    validator = ecma_validator(schema)
    found = []
    try:
        failures = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    except RecursionError:
        return ["/: the schema's references nest too deeply to check"]
    for failure in failures[:limit]:
        cause = _deepest(failure)
        text = as_documented(cause)
        message = text if len(text) <= 160 else text[:157] + "..."
        found.append(f"/{'/'.join(str(p) for p in cause.absolute_path)}: {message}")
    return found


def _deepest(failure: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """Inside a failed oneOf/anyOf, the branch error that got furthest into the instance."""
    if not failure.context:
        return failure
    causes = [_deepest(e) for e in failure.context]
    return max(causes, key=lambda e: len(e.absolute_path))


def infer_schema(value: Any) -> JsonSchema:
    """The narrowest plain schema an example value suggests (types only, nothing required)."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if value is None:
        return {"type": "null"}
    if isinstance(value, list):
        schema: JsonSchema = {"type": "array"}
        if value:
            schema["items"] = _merge_item_schemas([infer_schema(item) for item in value])
        return schema
    if isinstance(value, dict):
        return {"type": "object", "properties": {str(k): infer_schema(v) for k, v in value.items()}}
    return {}


def _merge_item_schemas(schemas: list[JsonSchema]) -> JsonSchema:
    """One schema for a list's items; object keys every item carries become required."""
    first = schemas[0]
    if all(s.get("type") == "object" for s in schemas):
        properties: dict[str, JsonSchema] = {}
        for schema in schemas:
            for name, sub in schema.get("properties", {}).items():
                properties.setdefault(name, sub)
        common = set.intersection(*(set(s.get("properties", {})) for s in schemas))
        merged: JsonSchema = {"type": "object", "properties": properties}
        if common:
            merged["required"] = [name for name in properties if name in common]
        return merged
    if all(s == first for s in schemas):
        return first
    return {}


def is_stream_branch(branch: Any, streams_by_flag: bool) -> bool:
    """A `string`/`binary` output branch that stands for an SSE stream."""
    if not isinstance(branch, dict) or branch.get("type") != "string":
        return False
    if branch.get("contentType") == SSE_CONTENT_TYPE:
        return True
    return streams_by_flag and branch.get("format") == "binary" and "contentType" not in branch


def split_stream_branch(output: JsonSchema, streams_by_flag: bool) -> tuple[JsonSchema, JsonSchema | None]:
    """Separate the SSE branch of a `oneOf` output from the JSON response it alternates with."""
    branches = output.get("oneOf")
    if not isinstance(branches, list):
        return output, None
    stream = [b for b in branches if is_stream_branch(b, streams_by_flag)]
    rest = [b for b in branches if not is_stream_branch(b, streams_by_flag)]
    if len(stream) != 1 or not rest:
        return output, None
    others = {k: v for k, v in output.items() if k != "oneOf"}
    if len(rest) == 1:
        return {**others, **rest[0]}, stream[0]
    return {**others, "oneOf": rest}, stream[0]


def object_branches(schema: JsonSchema) -> Iterator[JsonSchema]:
    """The schema itself and each of its `oneOf`/`anyOf` branches that is a mapping."""
    yield schema
    for keyword in ("oneOf", "anyOf"):
        for branch in schema.get(keyword, []) or []:
            if isinstance(branch, dict):
                yield branch


def property_schemas(schema: JsonSchema, name: str) -> list[JsonSchema]:
    """Every top-level (or branch-level) definition of one property."""
    found = []
    for branch in object_branches(schema):
        properties = branch.get("properties")
        if isinstance(properties, dict) and isinstance(properties.get(name), dict):
            found.append(properties[name])
    return found


def has_boolean_property(schema: JsonSchema, name: str) -> bool:
    return any(p.get("type") == "boolean" for p in property_schemas(schema, name))
