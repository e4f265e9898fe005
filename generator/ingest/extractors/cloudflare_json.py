"""Cloudflare's current catalog format: one JSON file per model, JSON Schemas as objects."""

from __future__ import annotations

import json
import re
from typing import Any

from generator.diagnostics import Level
from generator.ingest.extractors.cloudflare_properties import read_properties
from generator.ingest.extractors.common import slugify_task, state_schemas
from generator.ingest.facts import Extraction, Fact
from generator.ingest.jsonspans import JsonProblem, LocatedJson, load_located_json, pointer
from generator.ingest.sources import SourceDocument

# Top-level string fields kept as attributes, under the attribute's name.
_ATTRIBUTES = {
    "/id": "cloudflare_model_uuid",
    "/source": "cloudflare_source",
    "/created_at": "created_at",
    "/task/id": "cloudflare_task_uuid",
    "/task/description": "task_description",
}
_READ = {"id", "source", "name", "description", "task", "created_at", "tags", "properties", "schema"}
_WRITTEN_KEY = re.compile(r'"(name|task|schema)"\s*:')


class CloudflareJson:
    name = "cloudflare-json"

    def confidence(self, document: SourceDocument) -> float:
        """By structure: an object with `name`, a `task` object and `schema.input`/`schema.output`."""
        if not document.text.lstrip().startswith("{"):
            return 0.0
        try:
            data = json.loads(document.text)
        except (ValueError, RecursionError):  # broken JSON that writes the format's keys is still ours
            return 0.6 if len(set(_WRITTEN_KEY.findall(document.text))) == 3 else 0.0
        if not isinstance(data, dict):
            return 0.0
        schema = data.get("schema")
        score = 0.5 if isinstance(schema, dict) and {"input", "output"} <= schema.keys() else 0.0
        if isinstance(data.get("name"), str):
            score += 0.25
        if isinstance(data.get("task"), dict):
            score += 0.25
        return score

    def extract(self, document: SourceDocument) -> Extraction:
        found = Extraction(self.name, document, "cloudflare")
        try:
            parsed = load_located_json(document.text)
        except JsonProblem as problem:
            found.report(Level.ERROR, problem.line, str(problem))
            return found
        if not isinstance(parsed.data, dict):
            found.report(Level.ERROR, 1, "the document is JSON but not an object")
            return found
        _read_model(found, parsed)
        read_properties(found, parsed)
        _read_schemas(found, parsed)
        _keep_unknown(found, parsed)
        return found


def _at(parsed: LocatedJson, at: str) -> Any:
    value: Any = parsed.data
    for part in at.split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _state(found: Extraction, key: str, value: Any, parsed: LocatedJson, at: str) -> None:
    found.state(key, value, parsed.lines(at), at)


def _first_line(parsed: LocatedJson, at: str) -> int | None:
    lines = parsed.lines(at)
    return lines[0] if lines else None


def _read_model(found: Extraction, parsed: LocatedJson) -> None:
    model_id = _at(parsed, "/name")
    if not isinstance(model_id, str) or not model_id:
        found.report(
            Level.ERROR, _first_line(parsed, "/name"), "`name` (the model id) is missing or not a string"
        )
        return
    _state(found, "model_id", model_id, parsed, "/name")
    description = _at(parsed, "/description")
    if isinstance(description, str) and description.strip():
        _state(found, "description", description.strip(), parsed, "/description")
    else:
        found.report(Level.WARNING, _first_line(parsed, "/name"), "model has no description", "description")
    task = _at(parsed, "/task/name")
    if isinstance(task, str) and slugify_task(task):
        _state(found, "task", slugify_task(task), parsed, "/task/name")
    else:
        found.report(Level.ERROR, _first_line(parsed, "/task"), "no `task.name` (the task type)")
    tags = _at(parsed, "/tags")
    if isinstance(tags, list):
        _state(found, "tags", [t if isinstance(t, str) else json.dumps(t) for t in tags], parsed, "/tags")
    elif tags is not None:
        found.report(Level.WARNING, _first_line(parsed, "/tags"), "`tags` is not a list; not read", "tags")
    for at, name in _ATTRIBUTES.items():
        value = _at(parsed, at)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            continue
        text = value if isinstance(value, str) else parsed.written(at) or str(value)
        _state(found, f"attributes.{name}", text.strip(), parsed, at)


def _read_schemas(found: Extraction, parsed: LocatedJson) -> None:
    schemas: dict[str, tuple[dict[str, Any], tuple[int, int] | None]] = {}
    for part in ("input", "output"):
        at = pointer("schema", part)
        schema = _at(parsed, at)
        if not isinstance(schema, dict):
            found.report(
                Level.ERROR,
                _first_line(parsed, at if schema is not None else "/schema"),
                f"`schema.{part}` is missing or not a JSON object",
            )
            continue
        schemas[part] = (schema, parsed.lines(at))
    if len(schemas) < 2:
        return
    state_schemas(found, schemas["input"], schemas["output"])
    where = {"input_schema": "/schema/input", "request.raw_body": "/schema/input"}
    where |= {"streaming.request_flag": "/schema/input"}
    where |= {"output_schema": "/schema/output", "streaming.supported": "/schema/output"}
    for key, at in where.items():
        fact = found.facts.get(key)
        if fact is not None:
            note = at if fact.note is None else f"{at}: {fact.note}"
            found.facts[key] = Fact(fact.value, fact.lines, fact.how, note, fact.file)


def _keep_unknown(found: Extraction, parsed: LocatedJson) -> None:
    """A top-level key this extractor does not know is kept as an attribute: text as it is, else as JSON."""
    for key, value in parsed.data.items():
        if key in _READ:
            continue
        at = pointer(key)
        if isinstance(value, str):
            text = value
        elif isinstance(value, (bool, int, float)) or value is None:
            text = parsed.written(at) or json.dumps(value)
        else:
            text = json.dumps(value, ensure_ascii=False)
            found.report(
                Level.WARNING,
                _first_line(parsed, at),
                f"top-level `{key}` is not text; kept as JSON text",
                key,
            )
        _state(found, f"attributes.{key}", text, parsed, at)
