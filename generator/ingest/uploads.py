"""Inputs sent as raw bytes rather than JSON: a `string`/`binary` input, or a `{body, contentType}` property.

Workers AI writes an image or audio input two ways. `oneOf: [{type: string, format: binary}, {object}]`
means the whole request body may be the file's bytes instead of a JSON object. A property whose
schema is an object of exactly `body` and `contentType` (an upload) means the body is that file, in
that media type, while the other inputs travel in the query string (`?detect_language=true`).
Either way the bytes leave the JSON Schema: the catalog keeps them as `request.raw_body`, and
`input_schema` describes only what is JSON (or query parameters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JsonSchema = dict[str, Any]
UPLOAD_KEYS = frozenset({"body", "contentType"})
# Inputs with no JSON alternative still need an input schema; this one admits only `{}`.
NO_JSON_INPUT: JsonSchema = {"type": "object", "properties": {}, "additionalProperties": False}


@dataclass(frozen=True)
class RawSplit:
    input_schema: JsonSchema
    raw_body: dict[str, Any] | None
    note: str | None = None
    problem: str | None = None


def media_of(content_type: str) -> str:
    """The media type of a Content-Type value, parameters left out, lower case."""
    return content_type.partition(";")[0].strip().lower()


def is_json_media(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def is_binary(schema: Any) -> bool:
    """`{type: string, format: binary}`: bytes, not text."""
    return isinstance(schema, dict) and schema.get("type") == "string" and schema.get("format") == "binary"


def is_upload(schema: Any) -> bool:
    """An object of exactly `body` and `contentType`: a file and its media type."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return False
    properties = schema.get("properties")
    return isinstance(properties, dict) and set(properties) == UPLOAD_KEYS


def split_raw_body(schema: JsonSchema) -> RawSplit:
    """Separate what is sent as raw bytes from what is sent as JSON."""
    if is_binary(schema):
        raw = {"required": True, "description": _text(schema.get("description"))}
        return RawSplit(NO_JSON_INPUT, raw, "the input is raw bytes only")
    for keyword in ("oneOf", "anyOf"):
        branches = schema.get(keyword)
        if isinstance(branches, list) and any(is_binary(b) for b in branches):
            return _split_binary_branch(schema, keyword, branches)
    return _split_upload_property(schema)


def _split_binary_branch(schema: JsonSchema, keyword: str, branches: list[Any]) -> RawSplit:
    binary = [b for b in branches if is_binary(b)]
    rest = [b for b in branches if not is_binary(b)]
    others = {k: v for k, v in schema.items() if k != keyword}
    raw = {"required": not rest, "description": _text(binary[0].get("description"))}
    if not rest:
        return RawSplit(NO_JSON_INPUT, raw, f"every `{keyword}` branch of the input is raw bytes")
    if any(not isinstance(b, dict) or b.get("type", "object") != "object" for b in rest):
        return RawSplit(
            schema, None, problem=f"a raw-bytes `{keyword}` branch beside a JSON input that is not an object"
        )
    kept = {**others, **rest[0]} if len(rest) == 1 else {**others, keyword: rest}
    return RawSplit(kept, raw, f"the input's `{keyword}` branch `string`/`binary` is read as a raw body")


def _split_upload_property(schema: JsonSchema) -> RawSplit:
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return RawSplit(schema, None)
    uploads = sorted(name for name, sub in properties.items() if is_upload(sub))
    if not uploads:
        return RawSplit(schema, None)
    if len(uploads) > 1:
        names = ", ".join(f"`{n}`" for n in uploads)
        return RawSplit(
            schema,
            None,
            problem=f"the input has {len(uploads)} uploads ({names}); a request carries one body",
        )
    if any(k in schema for k in ("oneOf", "anyOf", "allOf")):
        return RawSplit(
            schema, None, problem=f"upload `{uploads[0]}` beside `oneOf`/`anyOf`/`allOf` in the input"
        )
    name = uploads[0]
    required = schema.get("required")
    is_required = isinstance(required, list) and name in required
    kept = {**schema, "properties": {k: v for k, v in properties.items() if k != name}}
    if isinstance(required, list):
        rest = [r for r in required if r != name]
        kept = {k: v for k, v in kept.items() if k != "required"} | ({"required": rest} if rest else {})
    raw = {
        "property": name,
        "required": is_required,
        "description": _text(properties[name].get("description")),
    }
    return RawSplit(kept, raw, f"`{name}` ({{body, contentType}}) is read as the raw body; the rest as query")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
