"""Choose what to send each model: the documents' examples, else a minimal request; and one stream."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.cassettes.minimal import NoMinimalInstance, minimal_instance, schema_problems
from generator.catalog.entry import CatalogEntry

# Models that name no stream flag get the one the backend and clients use by convention.
DEFAULT_STREAM_FLAG = "stream"


@dataclass(frozen=True)
class PlannedRequest:
    """One request to record: the cassette's name, the model input (no envelope) and whether it streams."""

    name: str
    data: Any
    stream: bool
    upload: tuple[bytes, str] | None = None  # raw body and its media type; `data` then goes in the query


# Deterministic stand-ins for a file: not UTF-8 (so cassettes must keep bytes), and a small form.
SAMPLE_BYTES = (b"cardgen sample \x00\xff\xfe bytes", "application/octet-stream")
FORM_BOUNDARY = "cardgen-form-boundary"
SAMPLE_FORM = (
    f'--{FORM_BOUNDARY}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\ncardgen\r\n--{FORM_BOUNDARY}--\r\n'.encode(),
    f"multipart/form-data; boundary={FORM_BOUNDARY}",
)


class UnplannableRequest(ValueError):
    """No valid request can be made for a model."""


def stream_flag(entry: CatalogEntry) -> str:
    return entry.streaming.request_flag or DEFAULT_STREAM_FLAG


def plan_requests(entry: CatalogEntry) -> list[PlannedRequest]:
    """Every example request, else a minimal one; then one streaming request if the model streams."""
    streams = entry.streaming.supported
    examples = [
        PlannedRequest(f"example-{number}", example.request, example.stream)
        for number, example in enumerate(entry.examples, start=1)
        if streams or not example.stream
    ]
    plain = [p for p in examples if not p.stream] or [PlannedRequest("minimal", _minimal(entry), False)]
    streamed = [p for p in examples if p.stream]
    if streams and not streamed:
        streamed = [PlannedRequest("stream", plain[0].data, True)]
    planned = _with_uploads(entry, plain) + [
        PlannedRequest(p.name, _with_flag(entry, p.data), True) for p in streamed
    ]
    for request in planned:
        if request.upload is not None and request.data is None:
            continue  # the bytes are the whole input
        problems = schema_problems(entry.input_schema, request.data)
        if problems:
            raise UnplannableRequest(
                f"request {request.name!r} does not fit the input schema: " + "; ".join(problems[:3])
            )
    return planned


def _minimal(entry: CatalogEntry) -> Any:
    try:
        return minimal_instance(entry.input_schema)
    except NoMinimalInstance as exc:
        raise UnplannableRequest(f"no example request and no minimal one: {exc}") from exc


def _with_flag(entry: CatalogEntry, data: Any) -> Any:
    if not isinstance(data, dict):
        raise UnplannableRequest("a streaming request must be a JSON object to carry the stream flag")
    return {**data, stream_flag(entry): True}


def _with_uploads(entry: CatalogEntry, plain: list[PlannedRequest]) -> list[PlannedRequest]:
    """Add a raw-body request for a model that takes one; drop JSON requests where it must."""
    raw = entry.request.raw_body
    if raw is None:
        return plain
    sample = SAMPLE_FORM if raw.property == "multipart" else SAMPLE_BYTES
    query = (plain[0].data if raw.property is not None else None) if plain else None
    upload = PlannedRequest("upload", query, False, sample)
    return [upload] if raw.required else [*plain, upload]
