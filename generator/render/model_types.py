"""One model's types module: plan names, run the code generator, shape the result."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator.catalog.entry import CatalogEntry
from generator.render.bindings import shadowing_classes, shadowing_fields
from generator.render.datamodel import CodegenError, generate_models
from generator.render.postprocess import shape_models
from generator.render.schema_plan import plan_types
from generator.render.signatures import Variant, request_variants

REQUEST, RESPONSE, CHUNK = "Request", "Response", "StreamChunk"
SHADOWING_ROUNDS = 4  # a rename can shadow again (`Field_` beside a property of that name)


@dataclass(frozen=True)
class ModelTypes:
    code: str  # without the file header
    variants: tuple[Variant, ...]  # one per request alternative (one when there is no oneOf)
    request_is_union: bool
    binary_response: str | None  # the content type, when the response is raw bytes
    class_names: tuple[str, ...]  # every class the module defines


def is_binary(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and schema.get("format") == "binary"


def model_types(
    entry: CatalogEntry, runtime_module: str, reserved: frozenset[str] = frozenset()
) -> ModelTypes:
    """reserved: names no field may take (those run() itself uses), besides the module's own."""
    roles: dict[str, dict[str, Any]] = {REQUEST: entry.input_schema}
    binary = is_binary(entry.output_schema)
    if not binary:
        roles[RESPONSE] = entry.output_schema
    if entry.streaming.supported and entry.streaming.chunk_schema is not None:
        roles[CHUNK] = entry.streaming.chunk_schema
    code, variant_names = types_code(json.dumps(roles), runtime_module, reserved)
    content_type = str(entry.output_schema.get("contentType", "application/octet-stream")) if binary else None
    variants = request_variants(code, list(variant_names) or [REQUEST])
    classes = tuple(node.name for node in ast.parse(code).body if isinstance(node, ast.ClassDef))
    return ModelTypes(code, tuple(variants), bool(variant_names), content_type, classes)


@lru_cache(maxsize=4096)
def types_code(
    roles_json: str, runtime_module: str, reserved: frozenset[str] = frozenset()
) -> tuple[str, tuple[str, ...]]:
    """Cached on the schemas themselves: catalogs repeat the same schemas across many models."""
    roles = json.loads(roles_json)
    ordered = {role: roles[role] for role in (REQUEST, RESPONSE, CHUNK) if role in roles}
    taken = set(reserved) - {REQUEST, RESPONSE, CHUNK}  # the roles' classes keep their names
    renamed: dict[str, str] = {}
    for _ in range(SHADOWING_ROUNDS):
        # Names the module binds are read off the module: each round renames what shadows them.
        plan = plan_types(ordered, frozenset(taken))
        code = shape_models(generate_models(plan.schema, renamed), plan, runtime_module)
        classes, fields = shadowing_classes(code), shadowing_fields(code, reserved)
        if not classes and not fields:
            return code, tuple(plan.variants.get(REQUEST, []))
        taken |= classes
        renamed |= fields
    raise CodegenError(f"property or class names still shadow the module's own names: {sorted(fields)}")
