"""Answer a valid request: output drawn from the output schema (seeded), or the document's example."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any, Literal

from generator.backend.binary import binary_payload
from generator.backend.protocols import Problem
from generator.backend.served import ServedModel
from generator.backend.synth import Unsatisfiable, derive_seed, draw, is_binary, jsonable
from generator.catalog.entry import CatalogEntry

# Responses with most optional fields read like real ones; chunks carry every field they declare.
OUTPUT_OPTIONAL = 0.8
CHUNK_OPTIONAL = 1.0
MIN_EVENTS, MAX_EVENTS = 3, 6


@dataclass(frozen=True)
class Answer:
    """A response body ready to send."""

    content: bytes
    media_type: str
    source: Literal["synth", "example"]


def encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def request_seed(seed: int, model: ServedModel, data: Any) -> int:
    """Seed one request's output from the server seed, the model and the input, nothing else."""
    return derive_seed(seed, model.entry.provider, model.entry.model_id, data)


def example_response(entry: CatalogEntry, data: Any) -> Any | None:
    """The document's (non-streaming) example response for this input, else its first one."""
    shown = [e for e in entry.examples if e.response is not None and not e.stream]
    for example in shown:
        if example.request == data:
            return example.response
    return shown[0].response if shown else None


def answer(model: ServedModel, data: Any, *, seed: int, use_example: bool) -> Answer:
    """Build the body of a successful, non-streaming response."""
    entry = model.entry
    output = entry.output_schema
    if use_example and (example := example_response(entry, data)) is not None:
        return _json(model, example, "example")
    rseed = request_seed(seed, model, data)
    if is_binary(output):
        media_type = str(output.get("contentType") or "application/octet-stream")
        rng = random.Random(rseed)  # noqa: S311 - reproducible, not secret
        return Answer(binary_payload(media_type, rng), media_type, "synth")
    try:
        result = draw(model.output_validator.schema, model.output_validator, rseed, optional=OUTPUT_OPTIONAL)
    except Unsatisfiable as exc:
        example = example_response(entry, data)
        if example is None:
            raise Problem(
                500,
                f"cardgen could not draw a response that fits the output schema of {entry.model_id!r} "
                f"({exc}), and its document shows no example response to fall back on",
            ) from exc
        return _json(model, example, "example")
    return _json(model, jsonable(result), "synth")


def stream_chunks(model: ServedModel, data: Any, *, seed: int) -> list[bytes]:
    """Draw the `data:` payloads of a stream from the chunk schema, terminator excluded."""
    entry = model.entry
    schema = model.chunk_validator.schema  # the chunk schema (else the output's), as the SDK reads it
    rseed = request_seed(seed, model, data)
    count = random.Random(derive_seed(rseed, "events")).randint(MIN_EVENTS, MAX_EVENTS)  # noqa: S311
    try:
        chunks = [
            draw(schema, model.chunk_validator, derive_seed(rseed, "chunk", i), optional=CHUNK_OPTIONAL)
            for i in range(count)
        ]
    except Unsatisfiable as exc:
        raise Problem(500, f"cardgen could not draw stream chunks for {entry.model_id!r}: {exc}") from exc
    return [encode(jsonable(chunk)) for chunk in chunks]


def _json(model: ServedModel, result: Any, source: Literal["synth", "example"]) -> Answer:
    body = model.protocol.success_body(result)
    return Answer(encode(body), model.entry.response.content_type, source)
