"""Raw request bodies in the conformance suite: uploads to draw, and the query-string wire rule.

A model that takes raw bytes gets them as the request body; its other inputs travel as query
parameters: text as it is, anything else as compact JSON, a list repeating its key.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import parse_qsl

import httpx
import jsonschema
from hypothesis import strategies as st

JsonSchema = dict[str, Any]


def uploads_for(spec: Any) -> st.SearchStrategy[Any]:
    """Raw bodies for an upload argument: bytes, or a form where one is needed; none if it is optional."""
    if spec.upload_class is None:
        return st.none()
    if spec.upload_form:
        fields = st.dictionaries(
            st.from_regex(r"[a-z_]{1,8}", fullmatch=True), st.text(max_size=20), min_size=1
        )
        uploads = fields.map(lambda f: spec.upload_class.form(f))
    else:
        uploads = st.binary(min_size=1, max_size=64).map(lambda b: spec.upload_class(b, "audio/mpeg"))
    return uploads if spec.upload_required else st.none() | uploads


def expected_query(values: Any) -> list[tuple[str, str]]:
    """The wire rule for inputs beside a raw body: text as it is, else compact JSON; a list repeats its key."""
    pairs: list[tuple[str, str]] = []
    for name, value in (values or {}).items():
        items = value if isinstance(value, list) and value else [value]
        pairs += [
            (
                name,
                item
                if isinstance(item, str)
                else json.dumps(item, ensure_ascii=False, separators=(",", ":")),
            )
            for item in items
        ]
    return pairs


def assert_raw_sent(request: httpx.Request, upload: Any, query: list[tuple[str, str]]) -> None:
    assert request.content == upload.content, "the raw body was not sent as it was given"
    assert request.headers.get("content-type") == upload.content_type, request.headers.get("content-type")
    sent_query = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)
    # Parameters may come in any order; the values of a repeated one may not.
    assert _by_name(sent_query) == _by_name(query), f"the client sent the query {sent_query!r} for {query!r}"


def _by_name(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def decode_query(schema: JsonSchema, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Query parameters back into inputs: per parameter, the first reading its schema accepts.

    The readings, in order: the text, the text as JSON (never NaN or Infinity), a one-item list of it.
    """
    validator = jsonschema.Draft202012Validator(schema)
    properties = schema.get("properties") or {}
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)

    def decode(text: str, sub: Any) -> Any:
        readings: list[Any] = [text]
        with contextlib.suppress(ValueError):
            readings.append(json.loads(text, parse_constant=_refuse))
        fallback = readings[-1]
        if _admits_array(sub):
            readings.append([decode(text, sub.get("items", {}))])
        return next((r for r in readings if validator.evolve(schema=sub).is_valid(r)), fallback)

    def items_of(sub: Any) -> Any:
        return sub.get("items", {}) if isinstance(sub, dict) else {}

    return {
        key: [decode(v, items_of(properties.get(key, {}))) for v in values]
        if len(values) > 1
        else decode(values[0], properties.get(key, {}))
        for key, values in grouped.items()
    }


def _admits_array(sub: Any) -> bool:
    if not isinstance(sub, dict):
        return False
    kind = sub.get("type")
    return "items" in sub or kind == "array" or (isinstance(kind, list) and "array" in kind)


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")
