"""One model's types module: plan names, run the code generator, shape the result."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator.catalog.entry import CatalogEntry
from generator.ingest.refs import pointer
from generator.render.bindings import shadowing_classes, shadowing_fields
from generator.render.datamodel import BASE_CLASSES, CODEGEN_IMPORTS, CodegenError, generate_models
from generator.render.lazy_dicts import TypedDicts, bound_name, split_typed_dicts
from generator.render.postprocess import eager_annotations, is_functional_typed_dict, shape_models
from generator.render.schema_plan import plan_types
from generator.render.signatures import Variant, request_variants, with_typed_dicts
from generator.render.syntax import parsed
from generator.render.types_store import NotKept, TypesStore

REQUEST, RESPONSE, CHUNK = "Request", "Response", "StreamChunk"
SHADOWING_ROUNDS = 4  # a rename can shadow again (`Field_` beside a property of that name)


@dataclass(frozen=True)
class ModelTypes:
    code: str  # without the file header
    variants: tuple[Variant, ...]  # one per request alternative (one when there is no oneOf)
    request_is_union: bool
    binary_response: str | None  # the content type, when the response is raw bytes
    # Every class the module defines, its TypedDicts too (functional ones included).
    class_names: tuple[str, ...]
    typed_dicts: TypedDicts | None = None  # moved to a module of their own (`code` re-exports them)


def is_binary(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and schema.get("format") == "binary"


def _roles(entry: CatalogEntry) -> dict[str, dict[str, Any]]:
    roles: dict[str, dict[str, Any]] = {REQUEST: entry.input_schema}
    if not is_binary(entry.output_schema):
        roles[RESPONSE] = entry.output_schema
    if entry.streaming.supported and entry.streaming.chunk_schema is not None:
        roles[CHUNK] = entry.streaming.chunk_schema
    return roles


def _content_type(entry: CatalogEntry) -> str | None:
    """The content type of a raw-bytes response; None when the response is JSON."""
    if not is_binary(entry.output_schema):
        return None
    return str(entry.output_schema.get("contentType", "application/octet-stream"))


def types_key(entry: CatalogEntry) -> str:
    """What the model's types are made of: entries with the same key have the same types."""
    return json.dumps([_roles(entry), _content_type(entry)])


def model_types(
    entry: CatalogEntry,
    runtime_module: str,
    reserved: frozenset[str] = frozenset(),
    store: TypesStore | None = None,
    make: bool = True,
) -> ModelTypes:
    """reserved: names no field may take (those run() itself uses), besides the module's own.
    store: typed code kept by earlier runs, found there instead of made again (and kept if made);
    make=False: what the store lacks is not made (NotKept)."""
    roles_json = json.dumps(_roles(entry))
    if store is None:
        code, variant_names = types_code(roles_json, runtime_module, reserved)
        return _model_types(code, variant_names, _content_type(entry))
    key = store.key(roles_json, runtime_module, reserved)
    found = store.get(key)
    if found is None:
        if not make:
            raise NotKept(key)
        found = types_code(roles_json, runtime_module, reserved)
        store.keep(key, found)
    code, variant_names = found
    return _model_types(code, variant_names, _content_type(entry))


@lru_cache(maxsize=4096)
def _model_types(code: str, variant_names: tuple[str, ...], content_type: str | None) -> ModelTypes:
    """Cached like types_code: every model with the same schemas gets the same (immutable) types."""
    code = with_typed_dicts(code)
    variants = request_variants(code, list(variant_names) or [REQUEST])
    classes = tuple(  # a functional TypedDict too: `X = TypedDict("X", {"a-b": ...})`
        bound_name(node)
        for node in parsed(code).body
        if isinstance(node, ast.ClassDef) or is_functional_typed_dict(node)
    )
    # Read above as written; shipped with plain (not string) annotations, cheaper to import.
    shipped, typed_dicts = split_typed_dicts(eager_annotations(code))
    return ModelTypes(shipped, tuple(variants), bool(variant_names), content_type, classes, typed_dicts)


ROLE_FIELDS = {REQUEST: "input_schema", RESPONSE: "output_schema", CHUNK: "streaming.chunk_schema"}
DEFINITIONS = ("$defs", "definitions")


def _suspects(roles: dict[str, Any]) -> str:
    """Where in the schemas the code generator's known refusals come from, for the message.

    A dotted definition name is read as a module path (`a.b`: class `b` in module `a`), and
    `default_factory` must name dict, list or set.
    """
    found: list[str] = []
    for role, schema in roles.items():
        stack: list[tuple[str, Any]] = [("", schema)]
        while stack:
            path, node = stack.pop()
            if isinstance(node, list):
                stack.extend((pointer(path, i), item) for i, item in enumerate(node))
            if not isinstance(node, dict):
                continue
            for key, value in node.items():
                if key in DEFINITIONS and isinstance(value, dict):
                    dotted = [pointer(pointer(path, key), name) for name in value if "." in str(name)]
                    found.extend(f"{ROLE_FIELDS[role]} at {p}: a definition name with a dot" for p in dotted)
                elif key == "default_factory":
                    found.append(f"{ROLE_FIELDS[role]} at {pointer(path, key)}: default_factory")
                stack.append((pointer(path, key), value))
    return "".join(f"\n  {line}" for line in sorted(found))


@lru_cache(maxsize=4096)
def types_code(
    roles_json: str, runtime_module: str, reserved: frozenset[str] = frozenset()
) -> tuple[str, tuple[str, ...]]:
    """Cached on the schemas themselves: catalogs repeat the same schemas across many models."""
    roles = json.loads(roles_json)
    ordered = {role: roles[role] for role in (REQUEST, RESPONSE, CHUNK) if role in roles}
    taken = (set(reserved) | BASE_CLASSES | CODEGEN_IMPORTS) - {
        REQUEST,
        RESPONSE,
        CHUNK,
    }  # the roles keep theirs
    renamed: dict[str, str] = {}
    for _ in range(SHADOWING_ROUNDS):
        # Names the module binds are read off the module: each round renames what shadows them.
        plan = plan_types(ordered, frozenset(taken))
        try:
            code = shape_models(generate_models(plan.schema, renamed), plan, runtime_module)
        except CodegenError as exc:
            raise CodegenError(f"{exc}{_suspects(ordered)}") from exc
        classes, fields = shadowing_classes(code), shadowing_fields(code, reserved)
        if not classes and not fields:
            return code, tuple(plan.variants.get(REQUEST, []))
        taken |= classes
        renamed |= fields
    raise CodegenError(f"property or class names still shadow the module's own names: {sorted(fields)}")


def clear_caches() -> None:
    """Forget every schema typed so far: the next model of each schema runs the code generator again."""
    types_code.cache_clear()
    _model_types.cache_clear()
