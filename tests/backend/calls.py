"""How a client calls a catalog model, read from its entry: the tests' side of each protocol."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx
import jsonschema

from generator.backend.synth import draw
from generator.catalog.entry import CatalogEntry

ACCOUNT = "0123456789abcdef"


def model_path(entry: CatalogEntry, model_id: str | None = None) -> str:
    path = entry.endpoint.path.replace("{model_id}", model_id or entry.model_id)
    for name in entry.endpoint.path_params:
        path = path.replace("{" + name + "}", ACCOUNT)
    return path


def auth_headers(entry: CatalogEntry, token: str = "any-token") -> dict[str, str]:
    value = f"Bearer {token}" if entry.auth.scheme == "bearer" else token
    return {entry.auth.header: value}


def wrap(entry: CatalogEntry, data: Any, model_id: str | None = None) -> Any:
    envelope = entry.request.envelope
    if envelope is None:
        return data
    return {envelope.model_key: model_id or entry.model_id, envelope.data_key: data}


def data_path(entry: CatalogEntry) -> str:
    """JSON path of the model input inside the request body."""
    envelope = entry.request.envelope
    return "$" if envelope is None else f"$.{envelope.data_key}"


def stream_flag(entry: CatalogEntry) -> str:
    return entry.streaming.request_flag or "stream"


def call(
    client: httpx.Client,
    entry: CatalogEntry,
    data: Any,
    *,
    headers: dict[str, str] | None = None,
    model_id: str | None = None,
) -> httpx.Response:
    """POST data to the entry's endpoint, enveloped and authenticated as its provider wants."""
    return client.request(
        entry.endpoint.method,
        model_path(entry, model_id if entry.request.envelope is None else None),
        json=wrap(entry, data, model_id),
        headers={**auth_headers(entry), **(headers or {})},
    )


def stream_call(
    client: httpx.Client, entry: CatalogEntry, data: Any
) -> AbstractContextManager[httpx.Response]:
    """Like `call`, reading the response as it arrives."""
    return client.stream(
        entry.endpoint.method, model_path(entry), json=wrap(entry, data), headers=auth_headers(entry)
    )


def result_of(entry: CatalogEntry, body: Any) -> Any:
    """Check the success envelope and return what it carries."""
    envelope = entry.response.envelope
    if envelope is None:
        return body
    assert body[envelope.success_key] is True
    assert body[envelope.errors_key] == []
    return body[envelope.result_key]


def error_of(entry: CatalogEntry, response: httpx.Response) -> list[tuple[str, str]]:
    """Check the provider's error format; return (path, message) for each error it lists."""
    body = response.json()
    envelope = entry.response.envelope
    if envelope is None:
        assert set(body) == {"error"}
        assert body["error"]["status"] == response.status_code
        assert body["error"]["message"]
        details = body["error"].get("details", [])
        return [(d["path"], d["message"]) for d in details] or [("", body["error"]["message"])]
    assert body[envelope.result_key] is None
    assert body[envelope.success_key] is False
    if envelope.messages_key:
        assert body[envelope.messages_key] == []
    errors = body[envelope.errors_key]
    assert errors
    assert all(e["code"] == response.status_code and e["message"] for e in errors)
    return [(e.get("path", ""), e["message"]) for e in errors]


def valid_input(entry: CatalogEntry) -> Any:
    """The document's example request, or one drawn from the input schema; never a stream."""
    if entry.examples:
        data = copy.deepcopy(entry.examples[0].request)
    else:
        data = draw(entry.input_schema, jsonschema.Draft202012Validator(entry.input_schema), seed=7)
    if isinstance(data, dict) and data.get(stream_flag(entry)) is True:
        data[stream_flag(entry)] = False
    return data


def applicable(schema: dict[str, Any], data: Any) -> Iterator[dict[str, Any]]:
    """The schema and every oneOf/anyOf/allOf branch of it that data matches."""
    yield schema
    for key in ("oneOf", "anyOf", "allOf"):
        for branch in schema.get(key, []):
            if jsonschema.Draft202012Validator(branch).is_valid(data):
                yield from applicable(branch, data)


def properties_for(entry: CatalogEntry, data: Any) -> dict[str, dict[str, Any]]:
    props: dict[str, dict[str, Any]] = {}
    for schema in applicable(entry.input_schema, data):
        props.update(schema.get("properties", {}))
    return props


def required_for(entry: CatalogEntry, data: Any) -> list[str]:
    return [name for s in applicable(entry.input_schema, data) for name in s.get("required", [])]


def ranged_property(entry: CatalogEntry, data: Any) -> tuple[str, float] | None:
    """A numeric property with a bound, and a value just past the bound."""
    for name, schema in properties_for(entry, data).items():
        if schema.get("type") in {"number", "integer"}:
            if "maximum" in schema:
                return name, schema["maximum"] + 1
            if "minimum" in schema:
                return name, schema["minimum"] - 1
    return None


def wrong_value(schema: dict[str, Any]) -> Any:
    """A value of another JSON type than the one schema asks for."""
    return 12345 if schema.get("type") != "integer" and schema.get("type") != "number" else "twelve"


def sse_payloads(text: str) -> list[str]:
    """The `data:` payloads of an SSE body, in order; every event must be a data line."""
    events = [e for e in text.split("\n\n") if e]
    assert all(e.startswith("data: ") for e in events), events
    return [e.removeprefix("data: ") for e in events]


def parses(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
