"""Which JSON Schema keywords (draft 2020-12) the generated classes enforce, and which they refuse.

The SDK promises that its classes accept exactly what a model's schema accepts. So every keyword
falls in one of three sets, and nothing falls in between:

- ENFORCED: the generated class accepts exactly what the keyword accepts (checked against the
  official JSON-Schema-Test-Suite by tests/schema_suite/);
- ANNOTATIONS: the keyword does not validate (titles, descriptions, defaults, `format`...), so
  ignoring it changes nothing;
- anything else the draft defines is not enforced, and `cardgen ingest` refuses the schema,
  naming the schema path and the keyword.

Keys the draft does not define (`x-order`, `nullable`, `example`) are annotations too, as the
specification says of unknown keywords. Moving a keyword into ENFORCED is the one change that
makes the generator accept it; the README's keyword table is checked against these sets.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.ingest.refs import DATA_KEYS, pointer

# Every keyword draft 2020-12 defines (core, applicator, unevaluated, validation, format-annotation,
# content and meta-data vocabularies), plus draft 7's names that generators still read.
DRAFT_2020_12 = frozenset(
    {
        "$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary",
        "$comment", "$defs",
        "prefixItems", "items", "contains", "additionalProperties", "properties",
        "patternProperties", "dependentSchemas", "propertyNames", "if", "then", "else",
        "allOf", "anyOf", "oneOf", "not",
        "unevaluatedItems", "unevaluatedProperties",
        "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
        "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
        "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties", "required",
        "dependentRequired",
        "format",
        "contentEncoding", "contentMediaType", "contentSchema",
        "title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples",
        "definitions", "dependencies", "$recursiveRef", "$recursiveAnchor",
    }
)  # fmt: skip

# Keywords that validate nothing: ignoring them cannot let a wrong value through. `format` is an
# annotation in 2020-12 unless a validator opts into the format-assertion vocabulary; the classes
# do not assert it (a `format: date-time` field is a plain `str`), and neither does jsonschema.
# `contentEncoding`/`contentMediaType`/`contentSchema` are annotations for the same reason.
ANNOTATIONS = frozenset(
    {
        "$schema", "$id", "$anchor", "$comment", "$vocabulary",
        "title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples",
        "format", "contentEncoding", "contentMediaType", "contentSchema",
    }
)  # fmt: skip

# Keywords the generated classes enforce exactly, wherever they appear (helper keywords such as
# `$defs` hold schemas that are checked where they are used).
ENFORCED = frozenset(
    {
        "$ref", "$defs", "definitions",
        "type", "properties", "required", "items",
        "enum", "const",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "minLength", "maxLength", "pattern", "minItems", "maxItems",
        "anyOf", "oneOf",
    }
)  # fmt: skip

# Keywords that constrain one JSON type only: on a value of another type they say nothing. The
# classes apply them to their type only where `type` names that type alone (or it and null).
TYPE_SPECIFIC: dict[str, frozenset[str]] = {
    "number": frozenset({"multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"}),
    "string": frozenset({"maxLength", "minLength", "pattern"}),
    "array": frozenset(
        {"prefixItems", "items", "contains", "maxItems", "minItems", "uniqueItems", "maxContains",
         "minContains", "unevaluatedItems"}
    ),
    "object": frozenset(
        {"additionalProperties", "properties", "patternProperties", "dependentSchemas",
         "propertyNames", "unevaluatedProperties", "maxProperties", "minProperties", "required",
         "dependentRequired"}
    ),
}  # fmt: skip
APPLIES_TO = {keyword: kind for kind, keywords in TYPE_SPECIFIC.items() for keyword in keywords}

# Where subschemas sit: a schema as the value, a list of schemas, or a map of names to schemas.
SCHEMA_VALUED = frozenset(
    {"items", "contains", "additionalProperties", "propertyNames", "if", "then", "else", "not",
     "unevaluatedItems", "unevaluatedProperties", "contentSchema"}
)  # fmt: skip
SCHEMA_LISTS = frozenset({"prefixItems", "allOf", "anyOf", "oneOf", "items"})
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})


@dataclass(frozen=True)
class Unenforced:
    path: str  # JSON pointer of the keyword inside the schema
    keyword: str
    reason: str

    def describe(self, field: str) -> str:
        return f"{field} at {self.path}: {self.reason}; refused"


def subschemas(schema: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(JSON pointer, schema) of schema and of every schema inside it, data keywords left out."""
    stack: list[tuple[str, Any]] = [(path, schema)]
    while stack:
        where, node = stack.pop()
        if not isinstance(node, dict):
            continue
        yield where, node
        for key, value in node.items():
            if key in DATA_KEYS:
                continue
            at = pointer(where, key)
            if key in SCHEMA_MAPS and isinstance(value, dict):
                stack.extend((pointer(at, name), sub) for name, sub in value.items())
            elif key in SCHEMA_LISTS and isinstance(value, list):
                stack.extend((pointer(at, i), sub) for i, sub in enumerate(value))
            elif key == "dependencies" and isinstance(value, dict):  # draft 7: schemas or lists
                stack.extend((pointer(at, name), sub) for name, sub in value.items())
            elif key in SCHEMA_VALUED:
                stack.append((at, value))


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else []
    found = {str(k) for k in kinds}
    if "integer" in found:
        found.add("number")
    return found


def unenforced(schema: Any) -> list[Unenforced]:
    """Each keyword occurrence in schema that the generated classes would not enforce exactly."""
    found: list[Unenforced] = []
    for where, node in subschemas(schema):
        kinds = _types(node) - {"null"}
        for keyword in node:
            if keyword not in DRAFT_2020_12 or keyword in ANNOTATIONS:
                continue
            at = pointer(where, keyword)
            if keyword not in ENFORCED:
                reason = f"keyword `{keyword}` is not enforced by the generated classes"
                found.append(Unenforced(at, keyword, reason))
                continue
            kind = APPLIES_TO.get(keyword)
            if (
                kind is not None
                and kinds != {kind}
                and not (kind == "number" and kinds == {"integer", "number"})
            ):
                if kind == "object" and not kinds and keyword in {"properties", "required"}:
                    continue  # an untyped schema with properties is generated as an object
                reason = (
                    f"keyword `{keyword}` applies to {kind}s only, and the generated classes enforce "
                    f"it only where `type` is {kind!r} alone (or with null)"
                )
                found.append(Unenforced(at, keyword, reason))
    return sorted(found, key=lambda u: (u.path, u.keyword))
