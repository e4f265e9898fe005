"""Split each class's schema into what pydantic enforces natively and rules checked at run time.

pydantic's types and `Field` constraints express a keyword exactly only in some places: `minimum`
where `type` says number, `Literal` for string constants. Every other use of a keyword is taken out
of what datamodel-code-generator reads and handed, as data, to the class it belongs to, whose
validator (`schema_rules` in the runtime's `_constraints.py`) checks it on the class's value as
JSON. Where such a keyword sits inside `anyOf`/`oneOf`, `not`, `if`..., the whole sub-schema is
handed over (its `$ref`s inlined), since only the whole decides.

`format` is an annotation (as in draft 2020-12 and jsonschema by default): a `date-time` or `email`
string is a plain `str`, never a `datetime` (which would change the text sent) nor a type needing
a library the package does not declare. `format: binary` is json_types' concern.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from generator.ingest.keywords import ANNOTATIONS, DRAFT_2020_12, EVALUATED, RUNTIME_CHECKED
from generator.render.datamodel import CodegenError

JsonSchema = dict[str, Any]
Resolve = Callable[[Any, str], Any]  # (document, local `$ref`) -> the schema it points at, or None

RUNTIME = RUNTIME_CHECKED  # pydantic has no exact form for them: checked at run time wherever they appear
# Enforced by pydantic only where `type` names their type alone (or with null).
NATIVE_FOR = {
    "minimum": "number", "maximum": "number", "exclusiveMinimum": "number", "exclusiveMaximum": "number",
    "minLength": "string", "maxLength": "string", "pattern": "string",
    "minItems": "array", "maxItems": "array", "items": "array",
}  # fmt: skip
ALTERNATIVES = ("anyOf", "oneOf")
CHILD_MAPS = ("properties",)
CHILD_SCHEMAS = ("items", "additionalProperties")


def _kinds(schema: JsonSchema) -> set[str]:
    kind = schema.get("type")
    kinds = {k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)} - {"null"}
    return {"number"} if kinds == {"integer"} else kinds


def _literal_values(values: Any) -> bool:
    """pydantic's Literal is exact for strings and null only (strict or not, it takes 1 for true)."""
    return isinstance(values, list) and all(v is None or isinstance(v, str) for v in values)


def runtime_keywords(schema: JsonSchema) -> set[str]:
    """The keywords of this one schema (not its children) that pydantic would not enforce exactly."""
    found = set(schema) & RUNTIME
    kinds = _kinds(schema)
    found |= {k for k, kind in NATIVE_FOR.items() if k in schema and kinds != {kind}}
    if "enum" in schema and not _literal_values(schema["enum"]):
        found.add("enum")
    if "const" in schema and not _literal_values([schema["const"]]):
        found.add("const")
    if "prefixItems" in schema and "items" in schema:
        found.add("items")  # it means "the items after the prefix"
    if "patternProperties" in schema and "additionalProperties" in schema:
        found.add("additionalProperties")  # it means "keys matching neither properties nor patterns"
    if schema.get("additionalProperties") is False and not schema.get("properties"):
        # An object that takes no key: the code generator types it `dict` (closed only as a field).
        found.add("additionalProperties")
    if isinstance(schema.get("$ref"), str):
        # Beside `$ref`, every keyword applies too (2020-12); the code generator reads only the `$ref`.
        found |= {k for k in schema if k != "$ref" and k in DRAFT_2020_12 and k not in ANNOTATIONS}
        found -= {"$defs", "definitions"}
    if isinstance(schema.get("format"), str) and schema["format"] != "binary":
        found.add("format")  # an annotation: dropped below, not checked
    return found


class _Rules:
    def __init__(self, document: JsonSchema, classes: frozenset[str], resolve: Resolve) -> None:
        self.document = document  # as the planner named it, before anything is taken out
        self.classes = classes
        self.resolve = resolve

    def whole(self, schema: Any, refs: tuple[str, ...] = ()) -> Any:
        """schema with `$ref`s inlined and annotations dropped, for the runtime to check in full."""
        if isinstance(schema, bool):
            return schema
        if not isinstance(schema, dict):
            raise CodegenError(f"{schema!r} is not a schema")
        out: JsonSchema = {}
        for key, value in schema.items():
            if (
                key == "$ref"
                or key in ANNOTATIONS
                or key not in DRAFT_2020_12
                or key in ("$defs", "definitions")
            ):
                continue
            if key not in EVALUATED:
                raise CodegenError(f"keyword `{key}` is not enforced by the generated classes")
            out[key] = self._whole_value(key, value, refs)
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if ref in refs:
                raise CodegenError(f"`$ref` {ref!r} is recursive inside a keyword checked at run time")
            target = self.resolve(self.document, ref) if ref.startswith("#") else None
            if target is None:
                raise CodegenError(f"`$ref` {ref!r} points nowhere")
            out["allOf"] = [*out.get("allOf", []), self.whole(target, (*refs, ref))]
        return out

    def _whole_value(self, key: str, value: Any, refs: tuple[str, ...]) -> Any:
        if key in ("properties", "patternProperties", "dependentSchemas"):
            return {name: self.whole(sub, refs) for name, sub in value.items()}
        if key in ("prefixItems", "allOf", "anyOf", "oneOf"):
            return [self.whole(sub, refs) for sub in value]
        if key in ("items", "contains", "additionalProperties", "propertyNames", "not", "if", "then", "else"):
            return self.whole(value, refs)
        return copy.deepcopy(value)

    def of(self, schema: Any, top: bool = False) -> JsonSchema | None:
        """The rules pydantic leaves to the runtime in schema, or None; another class checks its own."""
        if not isinstance(schema, dict):
            return None
        if not top and (schema.get("title") in self.classes or self._is_class_ref(schema)):
            return self._ref_siblings(schema) if "$ref" in schema else None
        ref = schema.get("$ref")
        if isinstance(ref, str):
            siblings = self._ref_siblings(schema)
            target = self.of(self.resolve(self.document, ref)) if ref.startswith("#") else None
            parts = [p for p in (target, siblings) if p]
            return None if not parts else parts[0] if len(parts) == 1 else {"allOf": parts}
        out: JsonSchema = {}
        own = runtime_keywords(schema) - {"format"}
        for key in sorted(own):  # sorted: a set's order would change with the hash seed
            out[key] = self._whole_value(key, schema[key], ())
        if "if" in out:
            out.update({k: self.whole(schema[k]) for k in ("then", "else") if k in schema})
        if "contains" in out:
            out.update({k: schema[k] for k in ("minContains", "maxContains") if k in schema})
        for key in CHILD_MAPS:
            for name, sub in (schema.get(key) or {}).items() if isinstance(schema.get(key), dict) else ():
                rules = self.of(sub)
                if rules:
                    out.setdefault(key, {})[name] = rules
        for key in CHILD_SCHEMAS:
            rules = self.of(schema[key]) if key in schema and key not in own else None
            if rules:
                out[key] = rules
        if "additionalProperties" in out:
            # It judges the keys neither `properties` nor `patternProperties` name: checked alone,
            # every key would be one. Each named here (`true`: its own rules, if any, above).
            for key in ("properties", "patternProperties"):
                if isinstance(schema.get(key), dict):
                    out[key] = {**dict.fromkeys(schema[key], True), **out.get(key, {})}
        branches = [(self.of(b) if isinstance(b, dict) else None) for b in schema.get("allOf") or []]
        if any(branches):
            out["allOf"] = [b or True for b in branches]
        for key in ALTERNATIVES:
            alternatives = schema.get(key)
            if isinstance(alternatives, list) and any(self.of(b) for b in alternatives):
                out[key] = [self.whole(b) for b in alternatives]  # which branch fits decides: all of it
        return out or None

    def _is_class_ref(self, schema: JsonSchema) -> bool:
        ref = schema.get("$ref")
        target = self.resolve(self.document, ref) if isinstance(ref, str) and ref.startswith("#") else None
        return isinstance(target, dict) and target.get("title") in self.classes

    def _ref_siblings(self, schema: JsonSchema) -> JsonSchema | None:
        keys = runtime_keywords(schema) - {"format"}
        return {k: self._whole_value(k, schema[k], ()) for k in sorted(keys)} or None


def class_rules(document: JsonSchema, classes: frozenset[str], resolve: Resolve) -> dict[str, JsonSchema]:
    """Class name -> the rules its validator checks at run time, for every class that has some."""
    finder = _Rules(copy.deepcopy(document), classes, resolve)
    found: dict[str, JsonSchema] = {}
    for schema in _schemas(finder.document):
        title = schema.get("title")
        if title in classes and title not in found:
            rules = finder.of(schema, top=True)
            if rules:
                found[title] = rules
    return found


def _schemas(schema: Any) -> list[JsonSchema]:
    """Every schema the code generator reads (and so every class), children after parents."""
    found: list[JsonSchema] = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        found.append(node)
        for key in ("properties", "$defs", "definitions"):
            if isinstance(node.get(key), dict):
                stack.extend(node[key].values())
        for key in ("items", "additionalProperties"):
            stack.append(node.get(key))
        for key in ("allOf", *ALTERNATIVES):
            if isinstance(node.get(key), list):
                stack.extend(node[key])
    return found


ANY_JSON = ["string", "number", "boolean", "object", "array", "null"]


def strip_runtime(document: Any, classes: frozenset[str], resolve: Resolve) -> None:
    """Take every keyword checked at run time (and `format`) out of what the code generator reads.

    What is left of a schema may be nothing (`{}`: any value); the code generator makes a class it
    never defines of an empty `allOf` branch or `$ref` target, so those are dropped too, and writes
    no class for a class's schema left empty, so that one says "any JSON value" in `type`.
    """
    nodes = _schemas(document)
    for node in nodes:
        keys = runtime_keywords(node)
        for key in keys:
            del node[key]
        if keys and node.get("title") in classes and not set(node) - ANNOTATIONS - {"$defs", "definitions"}:
            node["type"] = list(ANY_JSON)
    for node in nodes:
        if isinstance(node.get("allOf"), list):
            node["allOf"] = [branch for branch in node["allOf"] if branch != {}]
            if not node["allOf"]:
                del node["allOf"]
    for node in nodes:
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#") and resolve(document, ref) == {}:
            del node["$ref"]
