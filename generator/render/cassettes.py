"""Turn the documents' example exchanges into vcrpy-compatible cassettes, exactly as they travel."""

from __future__ import annotations

import http
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import yaml

from generator.catalog.entry import CatalogEntry, Example
from generator.datatext import PrintableDumper, needs_double_quotes, printable_yaml

CASSETTE_FORMAT_VERSION = 1
JSON = "application/json"
EVENT_STREAM = "text/event-stream"
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Interaction:
    """One request and its answer, as stored in a cassette; header names are lower case."""

    method: str
    uri: str
    request_body: str | bytes  # bytes: a raw body (an upload), stored as `!!binary`
    request_headers: Headers
    status: int
    response_headers: Headers
    response_body: str | bytes  # bytes: a binary answer (an image), stored as `!!binary` as vcrpy does


def placeholder(name: str) -> str:
    """What a path parameter is stored as: `account_id` -> `ACCOUNT_ID`."""
    return name.upper()


def endpoint_path(entry: CatalogEntry, params: Mapping[str, str] | None = None) -> str:
    """The entry's path with its model id and parameters filled in; placeholders for missing ones."""
    model = "/".join(quote(part, safe="@:") for part in entry.model_id.split("/"))

    def fill(found: re.Match[str]) -> str:
        name = found.group(1)
        if name == "model_id":
            return model
        value = (params or {}).get(name, placeholder(name))
        return quote(value, safe="")

    return _PARAM.sub(fill, entry.endpoint.path)


def endpoint_uri(entry: CatalogEntry, params: Mapping[str, str] | None = None) -> str:
    """The provider's own URL for the entry, as a cassette stores it."""
    return entry.endpoint.base_url.rstrip("/") + endpoint_path(entry, params)


def json_text(value: Any) -> str:
    """JSON as clients put it on the wire: compact, UTF-8, no NaN."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def wrap_request(entry: CatalogEntry, data: Any) -> Any:
    """The request body for model input data, in the provider's envelope if it has one."""
    envelope = entry.request.envelope
    if envelope is None:
        return data
    return {envelope.model_key: entry.model_id, envelope.data_key: data}


def wrap_response(entry: CatalogEntry, result: Any) -> Any:
    """A successful answer's body for a model output, in the provider's envelope if it has one."""
    envelope = entry.response.envelope
    if envelope is None:
        return result
    body: dict[str, Any] = {envelope.result_key: result, envelope.success_key: True, envelope.errors_key: []}
    if envelope.messages_key:
        body[envelope.messages_key] = []
    return body


def sse_text(chunks: Iterable[Any], terminator: str | None) -> str:
    """An event stream carrying each chunk as one `data:` event, then the terminator."""
    events = [json_text(chunk) for chunk in chunks]
    if terminator is not None:
        events.append(terminator)
    return "".join(f"data: {event}\n\n" for event in events)


def stream_media(entry: CatalogEntry) -> str:
    """The media type of this model's own event stream."""
    return entry.streaming.content_type or EVENT_STREAM


def request_headers(entry: CatalogEntry, *, stream: bool) -> Headers:
    """The headers a cassette keeps for a request: never the auth header."""
    return (("accept", stream_media(entry) if stream else JSON), ("content-type", entry.request.content_type))


def example_interactions(entry: CatalogEntry) -> list[Interaction]:
    """One interaction per document example that shows a response, in document order."""
    return [_example(entry, example) for example in entry.examples if example.response is not None]


def _example(entry: CatalogEntry, example: Example) -> Interaction:
    data = example.request
    streaming = entry.streaming
    if example.stream and streaming.request_flag and isinstance(data, dict):
        data = {**data, streaming.request_flag: True}
    if example.stream:
        chunks = example.response if isinstance(example.response, list) else [example.response]
        content_type = stream_media(entry)
        body = sse_text(chunks, streaming.terminator)
    else:
        content_type = entry.response.content_type
        body = json_text(wrap_response(entry, example.response))
    return Interaction(
        method=entry.endpoint.method,
        uri=endpoint_uri(entry),
        request_body=json_text(wrap_request(entry, data)),
        request_headers=request_headers(entry, stream=example.stream),
        status=200,
        response_headers=(("content-type", content_type),),
        response_body=body,
    )


def _headers(pairs: Headers) -> dict[str, list[str]]:
    """vcrpy's header form: each name once, with the list of its values."""
    headers: dict[str, list[str]] = {}
    for name, value in pairs:
        headers.setdefault(name, []).append(value)
    return headers


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def cassette_data(interactions: Sequence[Interaction]) -> dict[str, Any]:
    """The cassette as vcrpy's serializer would build it."""
    return {
        "interactions": [
            {
                "request": {
                    "body": i.request_body,
                    "headers": _headers(i.request_headers),
                    "method": i.method,
                    "uri": i.uri,
                },
                "response": {
                    "body": {"string": i.response_body},
                    "headers": _headers(i.response_headers),
                    "status": {"code": i.status, "message": _phrase(i.status)},
                },
            }
            for i in interactions
        ],
        "version": CASSETTE_FORMAT_VERSION,
    }


class _Dumper(PrintableDumper):
    """Block style for multi-line strings, so event streams read one event per line."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # NEL, LS and PS are line breaks to YAML 1.1: in a block or a plain scalar PyYAML writes them raw,
    # and reads NEL back as a newline; only double quotes escape them (`\N`, `\L`, `\P`), and bidi or
    # zero-width characters (datatext.py). Otherwise PyYAML falls back to a quoted scalar by itself
    # when a block cannot hold the text exactly.
    if needs_double_quotes(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _represent_str)


def cassette_yaml(interactions: Sequence[Interaction]) -> str:
    """Render interactions as a cassette: sorted keys, no timestamps, same input -> same bytes."""
    data = cassette_data(interactions)
    text = yaml.dump(
        data, Dumper=_Dumper, sort_keys=True, allow_unicode=True, width=100, default_flow_style=False
    )
    return printable_yaml(text)
