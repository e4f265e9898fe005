"""Requests whose body is raw bytes (a file, a form) and whose other inputs are query parameters.

The wire rule, shared with the generated SDK: a text value goes as it is, any other value as
compact JSON, and a list repeats its key (an empty list is `[]`). Decoding picks, per parameter,
the first reading its schema accepts: the text, the text as JSON, or a one-item list of it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from generator.backend.merge import types_of
from generator.backend.protocols import Problem
from generator.backend.served import ServedModel
from generator.catalog.entry import RawBody
from generator.ingest.uploads import media_of
from generator.render.cassettes import json_text

MULTIPART = "multipart/form-data"


def refuse_constant(name: str) -> Any:
    """For `json.loads`: NaN and Infinity are no JSON values (and the SDK never sends them)."""
    raise ValueError(f"{name} is not a JSON value")


def encode_query(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Inputs beside a raw body as query parameters, as the generated SDK writes them."""
    pairs: list[tuple[str, str]] = []
    for name, value in values.items():
        items = value if isinstance(value, list) and value else [value]
        pairs += [(name, item if isinstance(item, str) else json_text(item)) for item in items]
    return pairs


def raw_input(
    model: ServedModel, raw: RawBody, body: bytes, content_type: str, query: Sequence[tuple[str, str]]
) -> dict[str, Any] | None:
    """The JSON-side input a raw-body request carries (its query parameters, decoded), or None."""
    name = model.entry.model_id
    if not body:
        raise Problem(400, f"the raw body for {name!r} is empty")
    media = media_of(content_type)
    if not media:
        raise Problem(400, f"a raw body for {name!r} needs a Content-Type")
    # Workers AI names a form upload `multipart`; its body is only useful as a form.
    if raw.property == "multipart" and (media != MULTIPART or "boundary=" not in content_type):
        raise Problem(400, f"{name!r} takes a {MULTIPART} body with a boundary, not {content_type!r}")
    if raw.property is not None and any(key == raw.property for key, _ in query):
        raise Problem(
            400, f"`{raw.property}` is the raw body of {name!r}; it cannot also be a query parameter"
        )
    if raw.property is None:
        if query:
            keys = sorted({k for k, _ in query})
            raise Problem(400, f"{name!r} takes nothing beside its raw body; got query parameters {keys}")
        return None  # the bytes are the whole input: nothing is left to check against the schema
    return decode_query(model, query)


def decode_query(model: ServedModel, query: Sequence[tuple[str, str]]) -> dict[str, Any]:
    schema = model.entry.input_schema
    declared = schema.get("properties")
    properties: dict[str, Any] = declared if isinstance(declared, dict) else {}
    grouped: dict[str, list[str]] = {}
    for key, value in query:
        grouped.setdefault(key, []).append(value)
    decoded: dict[str, Any] = {}
    for key, values in grouped.items():
        sub = properties.get(key, _extra_schema(schema))
        if len(values) > 1:
            items = sub.get("items", {}) if isinstance(sub, dict) else {}
            decoded[key] = [_decode(model, value, items) for value in values]
        else:
            decoded[key] = _decode(model, values[0], sub)
    return decoded


def _extra_schema(schema: dict[str, Any]) -> Any:
    extra = schema.get("additionalProperties", True)
    return extra if isinstance(extra, dict) else {}


def _decode(model: ServedModel, text: str, schema: Any) -> Any:
    readings: list[Any] = [text]
    with contextlib.suppress(ValueError):
        readings.append(json.loads(text, parse_constant=refuse_constant))
    fallback = readings[-1]  # what a refusal shows: the JSON reading if there is one
    if isinstance(schema, dict) and ("items" in schema or "array" in types_of(schema.get("type", []))):
        readings.append([_decode(model, text, schema.get("items", {}))])
    for reading in readings:
        if model.input_validator.evolve(schema=schema).is_valid(reading):
            return reading
    return fallback
