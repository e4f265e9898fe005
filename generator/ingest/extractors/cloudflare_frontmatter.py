"""Cloudflare's model pages: YAML front-matter with JSON Schemas stored as JSON strings."""

from __future__ import annotations

import json
from typing import Any

from generator.diagnostics import Level
from generator.ingest.extractors.common import slugify_task, state_schemas
from generator.ingest.facts import Extraction
from generator.ingest.sources import SourceDocument
from generator.ingest.text import split_front_matter
from generator.ingest.yamlspans import LocatedYaml, YamlProblem, load_located


class CloudflareFrontMatter:
    name = "cloudflare-frontmatter"

    def confidence(self, document: SourceDocument) -> float:
        if not document.text.startswith("---"):
            return 0.0
        front = split_front_matter(document.text)
        body = front[0] if front else document.text
        score = 0.0
        if "json_schema:" in body:
            score += 0.6
        if "model:" in body and "task_type:" in body:
            score += 0.3
        return score

    def extract(self, document: SourceDocument) -> Extraction:
        found = Extraction(self.name, document, "cloudflare")
        front = split_front_matter(document.text)
        if front is None:
            found.report(Level.ERROR, 1, "front-matter has no closing `---` line")
            return found
        try:
            parsed = load_located(front[0], first_line=front[1])
        except YamlProblem as problem:
            found.report(Level.ERROR, problem.line, f"front-matter: {problem}")
            return found
        if not isinstance(parsed.data, dict):
            found.report(Level.ERROR, front[1], "front-matter is not a mapping")
            return found
        _read_model(found, parsed)
        _read_schemas(found, parsed)
        return found


def _text(parsed: LocatedYaml, path: str) -> str | None:
    value: Any = parsed.data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value if isinstance(value, str) else None


def _first_line(parsed: LocatedYaml, path: str) -> int | None:
    lines = parsed.lines(path)
    return lines[0] if lines else None


def _read_model(found: Extraction, parsed: LocatedYaml) -> None:
    model_id = _text(parsed, "model.name")
    if not model_id:
        found.report(Level.ERROR, _first_line(parsed, "model"), "`model.name` (the model id) is missing")
        return
    found.state("model_id", model_id, parsed.lines("model.name"))
    display = _text(parsed, "model_display_name") or _text(parsed, "title")
    if display:
        key = "model_display_name" if _text(parsed, "model_display_name") else "title"
        found.state("display_name", display, parsed.lines(key))
    description = _text(parsed, "model.description")
    if description:
        found.state("description", description.strip(), parsed.lines("model.description"))
    else:
        found.report(
            Level.WARNING,
            _first_line(parsed, "model.name"),
            "model has no description",
            "description",
        )
    task = _text(parsed, "task_type") or _text(parsed, "model.task.name")
    if task:
        found.state("task", slugify_task(task), parsed.lines("task_type") or parsed.lines("model.task.name"))
    else:
        found.report(Level.ERROR, _first_line(parsed, "model.name"), "no `task_type` or `model.task.name`")
    model = parsed.data.get("model")
    tags = model.get("tags") if isinstance(model, dict) else None
    if isinstance(tags, list) and tags:
        found.state("tags", [str(t) for t in tags], parsed.lines("model.tags"))
    attributes: dict[str, str] = {}
    flags: list[str] = []
    if isinstance(model, dict):
        if isinstance(model.get("id"), str):
            attributes["cloudflare_model_uuid"] = model["id"]
        task_info = model.get("task")
        if isinstance(task_info, dict) and isinstance(task_info.get("description"), str):
            attributes["task_description"] = task_info["description"].strip()
        for item in model.get("properties") or []:
            if not isinstance(item, dict) or not isinstance(item.get("property_id"), str):
                continue
            name, value = item["property_id"], str(item.get("value", ""))
            if value.lower() in {"true", "yes"}:
                flags.append(name)
            elif value.lower() not in {"false", "no", ""}:
                attributes[name] = value
    if flags:
        found.state("flags", sorted(set(flags)), parsed.lines("model.properties"))
    if attributes:
        found.state("attributes", attributes, parsed.lines("model"))


def _read_schemas(found: Extraction, parsed: LocatedYaml) -> None:
    schemas: dict[str, tuple[dict[str, Any], tuple[int, int] | None]] = {}
    for part in ("input", "output"):
        key = f"json_schema.{part}"
        lines = parsed.lines(key)
        raw = _text(parsed, key)
        if raw is None:
            found.report(Level.ERROR, _first_line(parsed, key), f"`{key}` is missing or not a string")
            continue
        try:
            schema = json.loads(raw)
        except json.JSONDecodeError as exc:
            found.report(
                Level.ERROR,
                _first_line(parsed, key),
                f"`{key}` is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno} of the string",
            )
            continue
        except RecursionError:
            found.report(Level.ERROR, _first_line(parsed, key), f"`{key}` is nested too deeply")
            continue
        except ValueError as exc:  # an integer longer than Python converts (sys.get_int_max_str_digits)
            found.report(Level.ERROR, _first_line(parsed, key), f"`{key}`: {str(exc).split(';')[0]}")
            continue
        if not isinstance(schema, dict):
            found.report(Level.ERROR, _first_line(parsed, key), f"`{key}` is not a JSON object")
            continue
        schemas[part] = (schema, lines)
    if len(schemas) == 2:
        state_schemas(found, schemas["input"], schemas["output"])
