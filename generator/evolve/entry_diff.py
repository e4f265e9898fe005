"""Compare two catalogs model by model, keyed by provider and model id."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from generator.catalog.entry import CatalogEntry, RawBody
from generator.catalog.store import Catalog
from generator.evolve.changes import CatalogDiff, Change, ModelDiff
from generator.evolve.schema_diff import diff_schema
from generator.evolve.schema_facts import canonical, contrast, join

ROOT = "$"
STREAM_PROTOCOL = ("format", "content_type", "request_flag", "terminator")


def _json(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def _leaves(rule: str, path: str, old: Any, new: Any, depth: int = 1) -> list[Change]:
    """One change per differing key, descending `depth` levels of mappings, as JSON values."""
    old, new = _json(old), _json(new)
    if canonical(old) == canonical(new):
        return []
    if depth > 0 and isinstance(old, dict) and isinstance(new, dict):
        keys = list(old) + [k for k in new if k not in old]
        return [c for k in keys for c in _leaves(rule, join(path, k), old.get(k), new.get(k), depth - 1)]
    return [Change(rule, path, old, new, f"{path.removeprefix('$.')}: {contrast(old, new)}")]


def _field(rule: str, old: CatalogEntry, new: CatalogEntry, name: str, depth: int = 1) -> list[Change]:
    return _leaves(rule, join(ROOT, name), getattr(old, name), getattr(new, name), depth)


def _raw_body(was: RawBody | None, now: RawBody | None) -> list[Change]:
    where = "$.request.raw_body"
    if was == now:
        return []
    if now is None:
        return [Change("raw-body-withdrawn", where, _json(was), None, "no longer takes raw bytes")]
    if was is None:
        rule, only = ("raw-body-required", " only") if now.required else ("raw-body-added", "")
        return [Change(rule, where, None, _json(now), f"now takes raw bytes{only}")]
    if was.property != now.property or (now.required and not was.required):
        message = (
            f"upload {was.property!r} (required {was.required}) -> {now.property!r} (required {now.required})"
        )
        return [Change("raw-body-changed", where, _json(was), _json(now), message)]
    if was.required and not now.required:
        return [Change("raw-body-relaxed", where, _json(was), _json(now), "raw bytes are now optional")]
    return _leaves("description-changed", where, was, now)


def _streaming(old: CatalogEntry, new: CatalogEntry) -> list[Change]:
    was, now = old.streaming, new.streaming
    where = "$.streaming.supported"
    if was.supported and not now.supported:
        return [Change("streaming-withdrawn", where, True, False, "no longer streams: `stream()` is gone")]
    if now.supported and not was.supported:
        return [Change("streaming-added", where, False, True, "now streams: new `stream()` method")]
    if not now.supported:
        return []
    changes = [
        change
        for name in STREAM_PROTOCOL
        for change in _leaves(
            "streaming-protocol-changed", f"$.streaming.{name}", getattr(was, name), getattr(now, name)
        )
    ]
    changes += diff_schema(was.chunk_schema, now.chunk_schema, "response", "$.streaming.chunk_schema")
    return changes


def diff_entries(old: CatalogEntry, new: CatalogEntry) -> list[Change]:
    """Every classified difference between two entries of one model."""
    changes: list[Change] = []
    if old.slug != new.slug:
        message = f"slug {old.slug} -> {new.slug}: the model's Python names change"
        changes.append(Change("model-renamed", "$.slug", old.slug, new.slug, message))
    changes += _field("description-changed", old, new, "description")
    for name in ("display_name", "task", "tags", "flags", "attributes"):
        changes += _field("metadata-changed", old, new, name)
    changes += _field("limits-changed", old, new, "limits")
    changes += _field("pricing-changed", old, new, "pricing")
    changes += _field("endpoint-changed", old, new, "endpoint")
    changes += _field("auth-changed", old, new, "auth")
    for name in ("content_type", "envelope"):
        was, now = getattr(old.request, name), getattr(new.request, name)
        changes += _leaves("envelope-changed", f"$.request.{name}", was, now)
    changes += _raw_body(old.request.raw_body, new.request.raw_body)
    for name in ("content_type", "envelope"):
        was, now = getattr(old.response, name), getattr(new.response, name)
        changes += _leaves("envelope-changed", f"$.response.{name}", was, now)
    changes += _leaves("metadata-changed", "$.response.headers", old.response.headers, new.response.headers)
    changes += _streaming(old, new)
    changes += diff_schema(old.input_schema, new.input_schema, "request", "$.input_schema")
    changes += diff_schema(old.output_schema, new.output_schema, "response", "$.output_schema")
    changes += _field("errors-changed", old, new, "errors")
    changes += _field("examples-changed", old, new, "examples")
    changes += _field("provenance-changed", old, new, "provenance", depth=2)
    return sorted(changes, key=Change.sort_key)


def _by_model(catalog: Catalog) -> dict[tuple[str, str], CatalogEntry]:
    found: dict[tuple[str, str], CatalogEntry] = {}
    for entry in catalog:
        key = (entry.provider, entry.model_id)
        if key in found:
            raise ValueError(f"two catalog entries for {entry.provider} model {entry.model_id!r}")
        found[key] = entry
    return found


def diff_catalogs(old: Catalog, new: Catalog) -> CatalogDiff:
    """What changes between two catalogs, per model, each change classified by the rule table."""
    before, after = _by_model(old), _by_model(new)
    models: list[ModelDiff] = []
    for provider, model_id in sorted(before.keys() | after.keys()):
        was, now = before.get((provider, model_id)), after.get((provider, model_id))
        if now is None and was is not None:
            message = f"model removed, and `{was.provider}.{was.slug}` with it"
            change = Change("model-removed", ROOT, was.slug, None, message)
            models.append(ModelDiff(provider, model_id, "removed", (change,)))
        elif was is None and now is not None:
            change = Change("model-added", ROOT, None, now.slug, f"new model `{now.provider}.{now.slug}`")
            models.append(ModelDiff(provider, model_id, "added", (change,)))
        elif was is not None and now is not None:
            changes = diff_entries(was, now)
            if changes:
                models.append(ModelDiff(provider, model_id, "changed", tuple(changes)))
    return CatalogDiff(tuple(models))
