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

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.ingest.refs import DATA_KEYS, SCHEMA_MAPS, pointer

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
        "anyOf", "oneOf", "additionalProperties",
        "not", "if", "then", "else", "multipleOf", "uniqueItems", "prefixItems", "contains",
        "minContains", "maxContains", "minProperties", "maxProperties", "dependentRequired",
        "dependentSchemas", "propertyNames", "patternProperties",
    }
)  # fmt: skip

# Checked at run time, on the class's value as JSON, by the runtime's `_constraints.py` (pydantic
# has no exact form for them), wherever they appear: generator/render/schema_rules.py hands them over.
RUNTIME_CHECKED = frozenset(
    {
        "not", "if", "then", "else", "uniqueItems", "prefixItems", "contains", "minContains",
        "maxContains", "minProperties", "maxProperties", "dependentRequired", "dependentSchemas",
        "propertyNames", "patternProperties", "multipleOf",
    }
)  # fmt: skip
# What that runtime check knows. A sub-schema it checks whole (under `not`, `if`, `contains`...) may
# use these and only these, whatever its `type` says; `$ref`s inside are inlined.
EVALUATED = RUNTIME_CHECKED | {
    "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "pattern", "minItems", "maxItems", "items", "required", "properties",
    "additionalProperties", "allOf", "anyOf", "oneOf", "$ref",
}  # fmt: skip
# Type-specific keywords the classes apply to their type only whatever `type` says (the runtime
# checks them where `type` does not name their type alone). The other object keywords shape a class.
ANY_TYPE = frozenset(
    {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength",
     "maxLength", "pattern", "minItems", "maxItems", "items"}
) | (RUNTIME_CHECKED - {"not", "if", "then", "else"})  # fmt: skip

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

# Keywords the classes express in the type itself (`list[X]`), so a `type` listing several kinds
# still applies them to their kind only.
STRUCTURAL = frozenset({"items", "properties"})
COMBINATORS = frozenset({"anyOf", "oneOf", "allOf"})
# A branch with one of these is generated (or, with a keyword checked at run time, checked whole).
BRANCH_SHAPES = frozenset({"type", "properties", "enum", "const", "$ref"}) | ANY_TYPE

# Where subschemas sit: a schema as the value, a list of schemas, or a map of names to schemas.
SCHEMA_VALUED = frozenset(
    {"items", "contains", "additionalProperties", "propertyNames", "if", "then", "else", "not",
     "unevaluatedItems", "unevaluatedProperties", "contentSchema"}
)  # fmt: skip
SCHEMA_LISTS = frozenset({"prefixItems", "allOf", "anyOf", "oneOf", "items"})


@dataclass(frozen=True)
class Unenforced:
    path: str  # JSON pointer of the keyword inside the schema
    keyword: str
    reason: str

    def describe(self, field: str) -> str:
        return f"{field} at {self.path}: {self.reason}; refused"


def _children(node: dict[str, Any], where: str) -> Iterator[tuple[str, str, Any]]:
    """(keyword, JSON pointer, subschema) of the schemas directly inside node."""
    for key, value in node.items():
        if key in DATA_KEYS:
            continue
        at = pointer(where, key)
        if key in SCHEMA_MAPS and isinstance(value, dict):
            yield from ((key, pointer(at, name), sub) for name, sub in value.items())
        elif key in SCHEMA_LISTS and isinstance(value, list):
            yield from ((key, pointer(at, i), sub) for i, sub in enumerate(value))
        elif key == "dependencies" and isinstance(value, dict):  # draft 7: schemas or lists
            yield from ((key, pointer(at, name), sub) for name, sub in value.items())
        elif key in SCHEMA_VALUED:
            yield key, at, value


def subschemas(schema: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(JSON pointer, schema) of schema and of every schema inside it, data keywords left out."""
    stack: list[tuple[str, Any]] = [(path, schema)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            yield where, node
            stack.extend((at, sub) for _, at, sub in _children(node, where))


def declared_types(schema: dict[str, Any]) -> set[str]:
    """The types the schema's `type` names (`integer` counting as a `number` too)."""
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else []
    found = {str(k) for k in kinds}
    if "integer" in found:
        found.add("number")
    return found


def unenforced(schema: Any) -> list[Unenforced]:
    """Each keyword occurrence in schema that the generated classes would not enforce exactly."""
    found: list[Unenforced] = []
    # A branch of a combinator meets only the values its parent's `type` lets through.
    stack: list[tuple[str, Any, set[str]]] = [("", schema, set())]
    while stack:
        where, node, implied = stack.pop()
        if not isinstance(node, dict):
            continue
        kinds = (declared_types(node) or implied) - {"null"}
        found.extend(_node_problems(node, where, kinds))
        for keyword, at, sub in _children(node, where):
            if keyword in RUNTIME_CHECKED:
                found.extend(_checked_whole(sub, at))
                continue
            if isinstance(sub, bool) and keyword != "additionalProperties":
                reason = f"a boolean schema (`{json.dumps(sub)}`) under `{keyword}` is not generated"
                found.append(Unenforced(at, keyword, reason))
            stack.append((at, sub, kinds if keyword in COMBINATORS else set()))
    return sorted(found, key=lambda u: (u.path, u.keyword))


def _checked_whole(schema: Any, path: str) -> Iterator[Unenforced]:
    """Keywords the run-time check does not know, in a sub-schema it checks whole."""
    for where, node in subschemas(schema, path):
        for keyword in node:
            if keyword in DRAFT_2020_12 and keyword not in ANNOTATIONS | EVALUATED | {"$defs", "definitions"}:
                reason = f"keyword `{keyword}` is not enforced by the generated classes"
                yield Unenforced(pointer(where, keyword), keyword, reason)


def _node_problems(node: dict[str, Any], where: str, kinds: set[str]) -> Iterator[Unenforced]:
    for keyword, value in node.items():
        if keyword not in DRAFT_2020_12:
            continue
        at = pointer(where, keyword)
        if keyword in ANNOTATIONS:
            continue
        if keyword not in ENFORCED:
            yield Unenforced(at, keyword, f"keyword `{keyword}` is not enforced by the generated classes")
            continue
        kind = APPLIES_TO.get(keyword)
        alone = kinds == {kind} or (kind == "number" and kinds == {"integer", "number"})
        if (
            kind is not None
            and not alone
            and keyword not in ANY_TYPE
            and not (keyword in STRUCTURAL and kind in kinds)
        ):
            reason = (
                f"keyword `{keyword}` applies to {kind}s only, and the generated classes enforce "
                f"it only where `type` is {kind!r} alone (or with null)"
            )
            yield Unenforced(at, keyword, reason)
            continue
        problem = _value_problem(node, keyword, value)
        if problem:
            yield Unenforced(at, keyword, problem)


def _value_problem(node: dict[str, Any], keyword: str, value: Any) -> str | None:
    if keyword == "required" and isinstance(value, list):
        properties = node.get("properties")
        missing = [n for n in value if not isinstance(properties, dict) or n not in properties]
        if missing:
            return f"keyword `required` names {json.dumps(missing[0])}, which `properties` does not define"
    if keyword in COMBINATORS and isinstance(value, list):
        for index, branch in enumerate(value):
            if isinstance(branch, dict) and not BRANCH_SHAPES & branch.keys():
                return (
                    f"keyword `{keyword}`: branch {index} has no `type`, `properties`, `enum`, `const` "
                    "or `$ref`, and is not generated"
                )
    return None


def keyword_table() -> str:
    """The README's table: each draft 2020-12 keyword and what the generated classes do with it."""
    rows = ["| keyword | generated classes |", "|---|---|"]
    for keyword in sorted(DRAFT_2020_12, key=lambda k: (k.lstrip("$").lower(), k)):
        if keyword in ENFORCED:
            kind = APPLIES_TO.get(keyword)
            if kind and keyword in ANY_TYPE:
                verdict = f"enforced (on {kind}s only, whatever `type` says)"
            else:
                verdict = "enforced" + (f" (where `type` is {kind!r}; elsewhere refused)" if kind else "")
            if keyword in RUNTIME_CHECKED:
                verdict += "; checked at run time"
        elif keyword in ANNOTATIONS:
            verdict = "annotation (validates nothing; ignored)"
        else:
            verdict = "refused by `cardgen ingest`"
        rows.append(f"| `{keyword}` | {verdict} |")
    return "\n".join(rows) + "\n"
