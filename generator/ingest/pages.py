"""Tell model pages from the other pages of a provider's docs folder: indexes, listings, overviews.

A real docs folder holds "get started" pages, catalog listings and task overviews beside the model
pages. They are skipped with a note, never an error. A page counts as a model page as soon as it
shows what a model page shows (a JSON Schema, a request naming exactly one model, or a model-info
table naming one, as Dataoorts' pages open with), so that a damaged model page is still read and
reported rather than skipped.
"""

from __future__ import annotations

import json
import re

from generator.ingest.sources import SourceDocument
from generator.ingest.text import split_front_matter, table_rows

# What only a model page carries.
_SCHEMA_SIGNS = re.compile(
    r'json_schema\s*:|"\$schema"\s*:|^#*\s*API Schemas\s*$|"properties"\s*:\s*\{|'
    r"^#+\s*(hyper-?parameters?|parameters|input|request body)\b",
    re.MULTILINE | re.IGNORECASE,
)
# Where a page names the model a request is for.
_REQUEST_MODEL = re.compile(
    r'"model"\s*:\s*"(?P<body>[^"\n]{1,200})"'
    r"|\bai\.run\(\s*[\"'](?P<run>[^\"'\n]{1,200})[\"']"
    r"|/ai/run/(?P<url>@?[\w.@/-]{1,200}?)(?=[\s\"'`?]|$)"
    r"|api\.segmind\.com/v\d+/(?P<segmind>[\w.-]{1,200})",
    re.MULTILINE,
)
_CLOUDFLARE_ID = re.compile(r"@(?:cf|hf)/[\w.-]+/[\w.:-]+")
_MODEL_KEYS = ("model", "json_schema", "model_name")  # front-matter keys of a model page
# Front-matter keys by which doc sites mark a page that is not about one thing.
_PAGE_TYPE_KEYS = ("pcx_content_type", "page_type", "content_type", "type", "layout")
_NON_MODEL_TYPES = re.compile(
    r"^(navigation|overview|get-?started|getting-started|concept|tutorial|how-?to|faq|changelog|"
    r"index|home|landing|listing|catalog|glossary|reference-architecture|learning-path|list)$",
    re.IGNORECASE,
)
_INDEX_TITLE = re.compile(
    r"\b(catalog(ue)?|models|overview|get(ting)?[ -]started|introduction|index|pricing|changelog|"
    r"faq|glossary|tasks|limits|tutorials?|guides?|platform|release notes)\b",
    re.IGNORECASE,
)
_TOP_LEVEL_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(.*)$", re.MULTILINE)
_HEADING = re.compile(r"(?m)^#\s+(.+?)\s*$")


def shows_a_model(document: SourceDocument) -> bool:
    """The page shows what only a model page shows: a schema, model keys, a request for one model,
    a model-info table naming one."""
    text = document.text
    if text.lstrip().startswith(("{", "[")):
        return '"schema"' in text
    if _states_a_model(text, _front_matter(text)) or len(_requested_models(text)) == 1:
        return True
    return _info_table_names_a_model(text)


def _info_table_names_a_model(text: str) -> bool:
    """A model-info table (Dataoorts: `| Model Name | meta/m2m100-1.2b |`, `| Model Type | ... |`),
    read as the Dataoorts extractor reads it: a `Model Name` label with one word, as a model id is,
    and a `Model Type` label. A listing's header (`| Model Name | Model Type |`, `| Model Name |
    Provider |`) names columns; its rows are models, with no `Model Type` label among them."""
    labels: dict[str, set[str]] = {}
    for row in table_rows(text):
        if len(row.cells) == 2 and row.cells[1]:
            labels.setdefault(row.cells[0].lower(), set()).add(row.cells[1])
    named = {value for value in labels.get("model name", ()) if len(value.split()) == 1}
    return len(named) == 1 and "model type" in labels


def _states_a_model(text: str, front: dict[str, str]) -> bool:
    return _SCHEMA_SIGNS.search(text) is not None or any(front.get(k) for k in _MODEL_KEYS)


def non_model_reason(document: SourceDocument) -> str | None:
    """Why this document is not a model page, or None when it may well be one."""
    text = document.text
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return _json_reason(stripped)
    front = _front_matter(text)
    if _states_a_model(text, front):
        return None
    for key in _PAGE_TYPE_KEYS:
        value = front.get(key)
        if value and _NON_MODEL_TYPES.match(value):
            return f"a {value} page (`{key}: {value}`)"
    if front.get("has_children", "").lower() == "true":
        return "a section index (`has_children: true`)"
    title = front.get("title", "")
    if _INDEX_TITLE.search(title):  # a doc site titles model pages by model
        return f"titled {title.strip()[:80]!r} and states no schema"
    models = _requested_models(text)
    if len(models) == 1:
        return None
    if len(models) > 1:
        return f"requests {len(models)} different models and states no schema: a listing or overview page"
    listed = sorted(set(_CLOUDFLARE_ID.findall(text)))
    if len(listed) > 1:
        return f"lists {len(listed)} models and states no schema: a catalog or overview page"
    heading = _HEADING.search(text)
    if heading and _INDEX_TITLE.search(heading.group(1)):
        return f"titled {heading.group(1).strip()[:80]!r}, names no model and states no schema"
    return None


def _json_reason(text: str) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None  # a damaged JSON model page; its extractor reports where
    if isinstance(data, list):
        return f"a JSON list of {len(data)} items (a catalog listing), not one model"
    if not isinstance(data, dict) or "schema" in data:
        return None
    for key in ("models", "result", "results", "items", "data", "tasks"):
        if isinstance(data.get(key), list):
            return f"a JSON listing (`{key}` holds {len(data[key])} items), not one model"
    if not any(key in data for key in ("name", "model", "id", "input", "output")):
        return "a JSON document that names no model and holds no schema"
    return None


def _front_matter(text: str) -> dict[str, str]:
    """The front-matter's top-level keys and their one-line values; a nested block reads as "+".

    Read line by line, not parsed: hostile YAML is the extractors' to refuse, with its line.
    """
    front = split_front_matter(text)
    if front is None:
        return {}
    keys: dict[str, str] = {}
    for match in _TOP_LEVEL_KEY.finditer(front[0]):
        value = match.group(2).strip().strip("\"'").strip()
        keys.setdefault(match.group(1), value or "+")
    return keys


def _requested_models(text: str) -> set[str]:
    found: set[str] = set()
    for match in _REQUEST_MODEL.finditer(text):
        value = next(v for v in match.groupdict().values() if v is not None)
        found.add(value.strip().rstrip("/"))
    return found
