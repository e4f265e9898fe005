"""Segmind's product page as text: a JS request example, status codes, an attribute list, prose."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from generator.diagnostics import Level
from generator.ingest.extractors.common import split_url
from generator.ingest.facts import Extraction
from generator.ingest.schemas import infer_schema
from generator.ingest.sources import SourceDocument
from generator.ingest.text import (
    JsonTextError,
    decode_json_at,
    line_at,
    parse_token_count,
    search,
    search_all,
)

_URL = re.compile(r"""(?:const|let|var)\s+url\s*=\s*["'](https://api\.segmind\.com/[^"']+)["']""")
_API_KEY_HEADER = re.compile(r"""['"](x-api-key)['"]\s*:""", re.IGNORECASE)
_DATA = re.compile(r"""(?:const|let|var)\s+data\s*=\s*""")
_STATUS = re.compile(r"^(\d{3}) - (.+)$", re.MULTILINE)
_ATTRIBUTE = re.compile(
    r"^([a-z_][a-z0-9_]*)(Array|str|int|float|bool|Object|image|number)\s*$", re.MULTILINE
)
_PARAGRAPH = re.compile(r"\S[^\n]*")
_CHOICES = re.compile(r"""[Cc]ould be ((?:"[^"]+"(?:,\s*|\s+or\s+)?)+)""")
_CREDITS_HEADER = re.compile(r"\b(x-remaining-credits)\b[^.]*\.")
_CONTEXT = re.compile(r"^Context Length:\s*(.+)$", re.MULTILINE)
_PARAMETERS = re.compile(r"^Parameters:\s*(.+)$", re.MULTILINE)
_ATTRIBUTE_TYPES = {
    "Array": "array",
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "Object": "object",
    "image": "string",
    "number": "number",
}


class SegmindPage:
    name = "segmind-page"

    def confidence(self, document: SourceDocument) -> float:
        text = document.text
        score = 0.0
        if "api.segmind.com" in text:
            score += 0.6
        if "x-api-key" in text:
            score += 0.3
        return score

    def extract(self, document: SourceDocument) -> Extraction:
        found = Extraction(self.name, document, "segmind")
        _read_heading(found)
        if not _read_endpoint(found):
            return found
        request = _read_request(found)
        _read_statuses(found)
        _read_prose_facts(found)
        _derive_input_schema(found, request)
        inputs = request["request"] if request is not None and isinstance(request["request"], dict) else {}
        if not _derive_media_output(found, inputs):
            response = search(r"(?m)^RESPONSE\s*$", document.text, group=0)
            found.derive(
                "output_schema", {"type": "object"}, None, "the page does not show the response body"
            )
            found.report(
                Level.WARNING,
                response.lines[0] if response else None,
                "the page does not describe the response body; typed as an open object"
                " (an overlay can supply it)",
                "output_schema",
            )
        if "messages" in inputs and request is not None:
            found.derive(
                "task",
                "text-generation",
                request["lines"],
                "the page states no task; chat `messages` input",
            )
        return found


# A media response says what the model makes; with the request's inputs, what its task is.
_MEDIA_TASKS = {
    "image": ("text-to-image", "image-to-image"),
    "audio": ("text-to-speech", "audio-to-audio"),
    "video": ("text-to-video", "image-to-video"),
}


def _derive_media_output(found: Extraction, inputs: dict[str, Any]) -> bool:
    """An image, audio or video response is the whole body: a binary output schema and a task."""
    media = found.facts.get("response.content_type")
    kind = str(media.value).split("/", 1)[0] if media is not None else ""
    if media is None or kind not in _MEDIA_TASKS:
        return False
    schema = {"type": "string", "format": "binary", "contentType": media.value}
    found.derive("output_schema", schema, media.lines, "the page's RESPONSE content type")
    from_text, otherwise = _MEDIA_TASKS[kind]
    takes_text = "prompt" in inputs or "text" in inputs
    found.derive(
        "task",
        from_text if takes_text else otherwise,
        media.lines,
        f"the page states no task; it answers {'a prompt' if takes_text else 'media'} with {media.value}",
    )
    return True


def _read_heading(found: Extraction) -> None:
    lines = found.document.lines
    if lines and lines[0].strip():
        found.state("display_name", lines[0].strip(), (1, 1))
    for number, line in enumerate(lines[1:6], start=2):
        if len(line.strip()) > 40:
            found.state("description", line.strip(), (number, number))
            return
    found.report(Level.WARNING, 1, "no description paragraph under the title", "description")


def _read_endpoint(found: Extraction) -> bool:
    url = search(_URL, found.document.text)
    if url is None:
        found.report(Level.ERROR, None, 'no `const url = "https://api.segmind.com/..."` in the example')
        return False
    parts = split_url(found, url.value, url.lines[0])
    if parts is None:
        return False
    base, path = parts
    model_id = path.rstrip("/").rsplit("/", 1)[-1]
    found.state("model_id", model_id, url.lines, "the endpoint's last path segment")
    found.state("endpoint.base_url", base, url.lines)
    found.state("endpoint.path", path[: -len(model_id)] + "{model_id}", url.lines)
    post = search(r"axios\.(post|get)\(", found.document.text)
    if post is not None:
        found.state("endpoint.method", post.value.upper(), post.lines)
    header = search(_API_KEY_HEADER, found.document.text)
    if header is not None:
        found.state("auth.scheme", "api_key", header.lines)
        found.state("auth.header", header.value.lower(), header.lines)
    return True


def _read_request(found: Extraction) -> dict[str, Any] | None:
    match = _DATA.search(found.document.text)
    if match is None:
        found.report(Level.WARNING, None, "no `const data = {...}` request example", "examples")
        return None
    try:
        body = decode_json_at(found.document.text, match.end())
    except JsonTextError as exc:
        found.report(Level.WARNING, exc.line, f"request example is not JSON: {exc}", "examples")
        return None
    found.state("examples", [{"name": "javascript", "request": body.value, "lines": body.lines}], body.lines)
    return {"request": body.value, "lines": body.lines}


def _read_statuses(found: Extraction) -> None:
    errors = []
    statuses = search_all(_STATUS, found.document.text, group=0)
    for status in statuses:
        match = _STATUS.match(status.value)
        assert match is not None
        code, rest = int(match.group(1)), match.group(2).strip()
        if code < 400:
            continue
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = ""
        name, description = _split_status_text(rest, phrase)
        errors.append({"status": code, "name": name, "description": description or name})
    if errors:
        found.state("errors", errors, (statuses[0].lines[0], statuses[-1].lines[1]))
    content_type = search(r"(?m)^RESPONSE\s*\n\s*([\w.+-]+/[\w.+-]+)\s*$", found.document.text)
    if content_type is not None:
        found.state("response.content_type", content_type.value, content_type.lines)


def _split_status_text(text: str, phrase: str) -> tuple[str, str]:
    """'Not FoundThe requested URL…' -> ('Not Found', 'The requested URL…'): scraping glued them."""
    if phrase and text.startswith(phrase):
        return phrase, text[len(phrase) :].strip()
    glued = re.search(r"[a-z][A-Z]", text)
    if glued is None:
        return text, ""
    return text[: glued.start() + 1], text[glued.start() + 1 :].strip()


def _read_prose_facts(found: Extraction) -> None:
    text = found.document.text
    credits = search(_CREDITS_HEADER, text, group=0)
    if credits is not None:
        header = {
            "name": "x-remaining-credits",
            "description": "Credits left on the account after this call.",
        }
        found.state("response.headers", [header], credits.lines, credits.value)
    context = search(_CONTEXT, text)
    if context is not None:
        count = parse_token_count(context.value)
        if count is not None:
            found.state("limits.context_window", count, context.lines)
    parameters = search(_PARAMETERS, text)
    if parameters is not None:
        found.state("attributes", {"parameters": parameters.value.strip()}, parameters.lines)


def _attributes(found: Extraction) -> dict[str, tuple[dict[str, Any], tuple[int, int]]]:
    """'rolestr' + its paragraph -> {'type': 'string', 'description': ..., 'enum': [...]}."""
    text = found.document.text
    described: dict[str, tuple[dict[str, Any], tuple[int, int]]] = {}
    for attribute in search_all(_ATTRIBUTE, text, group=0):
        match = _ATTRIBUTE.match(attribute.value)
        assert match is not None
        paragraph = _PARAGRAPH.search(text, attribute.end)
        facts: dict[str, Any] = {"type": _ATTRIBUTE_TYPES[match.group(2)]}
        end_line = attribute.lines[1]
        if paragraph is not None:
            facts["description"] = paragraph.group(0).strip()
            # Counted as the committed catalog records it (one short when the match took its newline).
            end_line = attribute.lines[1] + line_at(text, paragraph.end() - 1) - line_at(text, attribute.end)
            choices = _CHOICES.search(paragraph.group(0))
            if choices:
                facts["enum"] = re.findall(r'"([^"]+)"', choices.group(1))
        described[match.group(1)] = (facts, (attribute.lines[0], end_line))
    return described


def _enrich(schema: dict[str, Any], described: dict[str, tuple[dict[str, Any], tuple[int, int]]]) -> None:
    for name, sub in (schema.get("properties") or {}).items():
        if name in described:
            facts = described[name][0]
            if facts["type"] != sub.get("type") and sub.get("type") is not None:
                sub["type"] = facts["type"]
            sub.update({k: v for k, v in facts.items() if k != "type"})
        _enrich(sub, described)
    if isinstance(schema.get("items"), dict):
        _enrich(schema["items"], described)


def _derive_input_schema(found: Extraction, request: dict[str, Any] | None) -> None:
    described = _attributes(found)
    body = request["request"] if request else {}
    schema: dict[str, Any] = infer_schema(body if isinstance(body, dict) else {})
    for name, (facts, _) in described.items():
        in_schema = any(name in (s.get("properties") or {}) for s in _walk(schema))
        if not in_schema:
            schema["properties"][name] = dict(facts)
    _enrich(schema, described)
    if isinstance(body, dict) and body:
        schema["required"] = list(body)
    spans = [lines for _, lines in described.values()] + ([request["lines"]] if request else [])
    lines = (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None
    found.derive("input_schema", schema, lines, "from the request example and the attribute list")


def _walk(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = [schema]
    for sub in (schema.get("properties") or {}).values():
        found.extend(_walk(sub))
    if isinstance(schema.get("items"), dict):
        found.extend(_walk(schema["items"]))
    return found
