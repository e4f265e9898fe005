"""Point JSON scalars at the runtime's own types before the code generator sees them.

Applied to the planner's copy of the schemas, after naming (so it changes no class name and no
null rule), it tells datamodel-code-generator (through `customTypePath`, a key documents cannot
bring: ingest drops it) which runtime type a value takes:
  - `number` is `JsonNumber`: a strict int or float, kept as written, bounds kept exact;
  - `format: binary` inside a JSON body is text (JSON has no bytes): `str`, or `Base64Text` (which
    also takes bytes and base64-encodes them) where the schema says the text is base64;
  - `anyOf`/`oneOf` of one scalar or array schema and `{type: null}` is that schema, nullable, so
    that a default belongs to the field, not to a wrapper class of the non-null branch.
"""

from __future__ import annotations

import json
import re
from typing import Any

from generator.ingest.refs import SCHEMA_MAPS

MARKER_MODULE = "cardgen_marker_base"  # its imports are dropped; the names come from the runtime
NUMBER = f"{MARKER_MODULE}.JsonNumber"
BASE64 = f"{MARKER_MODULE}.Base64Text"
FLATTENED_TYPES = frozenset({"number", "integer", "string", "boolean", "array"})
DATA_KEYS = frozenset({"enum", "const", "default", "examples", "example"})
ANNOTATIONS = frozenset({"description", "default", "title", "examples", "example", "deprecated", "$comment"})
_BASE64 = re.compile(r"base[ -]?64", re.IGNORECASE)


# Where a schema is an element's (an item's, another key's value), not a field's.
_ELEMENT_KEYS = frozenset({"items", "prefixItems", "additionalProperties"})


def json_types(schema: Any, element: bool = False) -> Any:
    """The schema (changed in place) with runtime types marked on every sub-schema."""
    if not isinstance(schema, dict):
        return schema
    for key, value in schema.items():
        if key in DATA_KEYS:
            continue  # values, not schemas
        children = value.values() if key in SCHEMA_MAPS and isinstance(value, dict) else [value]
        for child in children:
            for sub in child if isinstance(child, list) else [child]:
                json_types(sub, key in _ELEMENT_KEYS)
    _drop_repeated_branches(schema)
    _enum_as_constrained(schema)
    if "customTypePath" not in schema and not _flatten_nullable(schema):
        _mark(schema)
    if element and schema.get("nullable") is True and "customTypePath" in schema:
        _null_as_branch(schema)
    return schema


def _null_as_branch(schema: dict[str, Any]) -> None:
    """A nullable runtime type as an element: `anyOf: [it, null]`. The code generator reads
    `nullable` on a field only (`list[JsonNumber]` refused the null `items: [number, null]` takes)."""
    typed = {key: value for key, value in schema.items() if key != "nullable"}
    notes = {key: typed.pop(key) for key in ANNOTATIONS & typed.keys()}
    schema.clear()
    schema.update({**notes, "anyOf": [typed, {"type": "null"}]})


# Keywords that judge a value by itself, beside which an `enum` is written as `Literal[...]` alone.
_VALUE_KEYWORDS = frozenset(
    {"type", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
     "exclusiveMaximum", "multipleOf", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties"}
)  # fmt: skip


def _enum_as_constrained(schema: dict[str, Any]) -> None:
    """An `enum` keeps only the values its sibling keywords accept: the code generator writes the
    enum as a `Literal` and drops the siblings (`enum: [a], pattern: b` took "a"), so the values
    they refuse, which the schema never accepts, go here."""
    values = schema.get("enum")
    rules = {key: schema[key] for key in _VALUE_KEYWORDS & schema.keys()}
    if not isinstance(values, list) or not rules:
        return
    import jsonschema  # noqa: PLC0415 - only a schema with such an enum pays for it

    validator = jsonschema.Draft202012Validator(rules)
    kept = [value for value in values if validator.is_valid(value)]
    if kept and len(kept) < len(values):  # none kept: a schema accepting nothing (left as written)
        schema["enum"] = kept


def _meaning(branch: Any) -> Any:
    """What a branch accepts, as comparable JSON: its annotations left out, `const: null` as `type: null`."""
    if not isinstance(branch, dict):
        return branch
    kept = {key: value for key, value in branch.items() if key not in ANNOTATIONS}
    return {"type": "null"} if kept == {"const": None} else kept


def _drop_repeated_branches(schema: dict[str, Any]) -> None:
    """An `anyOf` branch written twice (annotations aside) is one branch: `anyOf: [{type: null},
    {type: null, description: ...}]` is null (the code generator read the pair as `Any`)."""
    branches = schema.get("anyOf")
    if isinstance(branches, list) and len(branches) > 1:
        once: dict[str, Any] = {}
        for branch in branches:
            once.setdefault(json.dumps(_meaning(branch), sort_keys=True), branch)
        if len(once) < len(branches):
            schema["anyOf"] = list(once.values())


def is_base64(schema: dict[str, Any]) -> bool:
    """A binary string the schema documents as base64 text."""
    described = schema.get("description")
    return schema.get("contentEncoding") == "base64" or (
        isinstance(described, str) and _BASE64.search(described) is not None
    )


def _flatten_nullable(schema: dict[str, Any]) -> bool:
    for keyword in ("anyOf", "oneOf"):
        branches = schema.get(keyword)
        if not isinstance(branches, list) or len(branches) != 2 or set(schema) - ANNOTATIONS - {keyword}:
            continue
        nulls = [b for b in branches if b == {"type": "null"}]
        kept = [b for b in branches if b != {"type": "null"}]
        if len(nulls) != 1 or len(kept) != 1 or not _flattenable(kept[0]):
            continue
        value = kept[0]  # already marked: children come first
        merged = {**value, **{k: v for k, v in schema.items() if k != keyword}}  # the field's own words win
        schema.clear()
        schema.update(merged)
        if "customTypePath" in value:
            schema["nullable"] = True
        else:
            schema["type"] = [value["type"], "null"]
        return True
    return False


def _flattenable(branch: Any) -> bool:
    # enum and const constrain null too; a titled branch names a class of its own.
    return (
        isinstance(branch, dict)
        and isinstance(branch.get("type"), str)  # a list of types is the generator's own union
        and branch["type"] in FLATTENED_TYPES
        and not {"enum", "const", "title", "$ref", "oneOf", "anyOf", "allOf", "not"} & set(branch)
    )


def _mark(schema: dict[str, Any]) -> None:
    kind = schema.get("type")
    kinds = [k for k in (kind if isinstance(kind, list) else [kind]) if k != "null"]
    if len(kinds) != 1:
        return  # several types: the generator's own union, StrictFloat swapped for JsonNumber later
    nullable = isinstance(kind, list) and "null" in kind
    if kinds[0] == "string" and schema.get("format") == "binary":
        del schema["format"]  # JSON carries text; only a raw body (not typed here) carries bytes
        if is_base64(schema):
            _custom(schema, "string", BASE64, nullable)
    elif kinds[0] == "number" and not {"enum", "const"} & set(schema):
        _custom(schema, "number", NUMBER, nullable)


def _custom(schema: dict[str, Any], kind: str, path: str, nullable: bool) -> None:
    schema["customTypePath"] = path
    schema["type"] = kind
    # With a custom type the generator reads null from `nullable` (an OpenAPI key), not from `type`.
    if nullable:
        schema["nullable"] = True
    else:
        schema.pop("nullable", None)
