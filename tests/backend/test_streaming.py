"""Streams for models that stream, 400 for those that do not."""

from __future__ import annotations

import json

import httpx
import jsonschema
import pytest

from generator.catalog.entry import CatalogEntry
from tests.backend.calls import call, error_of, sse_payloads, stream_call, stream_flag, valid_input
from tests.backend.conftest import ENTRIES, entry_id

STREAMING = [e for e in ENTRIES if e.streaming.supported]
NOT_STREAMING = [e for e in ENTRIES if not e.streaming.supported]


@pytest.mark.parametrize("entry", STREAMING, ids=entry_id)
def test_a_stream_is_chunks_from_the_chunk_schema_then_the_terminator(
    client: httpx.Client, entry: CatalogEntry
) -> None:
    data = {**valid_input(entry), stream_flag(entry): True}
    with stream_call(client, entry, data) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(
            entry.streaming.content_type or "text/event-stream"
        )
        text = "".join(response.iter_text())
    payloads = sse_payloads(text)
    assert payloads[-1] == entry.streaming.terminator
    assert len(payloads) >= 3
    validator = jsonschema.Draft202012Validator(entry.streaming.chunk_schema or entry.output_schema)
    for payload in payloads[:-1]:
        validator.validate(json.loads(payload))


@pytest.mark.parametrize("entry", NOT_STREAMING, ids=entry_id)
def test_asking_a_model_that_cannot_stream_for_a_stream_is_400(
    client: httpx.Client, entry: CatalogEntry
) -> None:
    response = call(client, entry, {**valid_input(entry), stream_flag(entry): True})
    assert response.status_code == 400
    assert "does not stream" in error_of(entry, response)[0][1]


@pytest.mark.parametrize("entry", STREAMING, ids=entry_id)
def test_a_false_stream_flag_gets_a_plain_answer(client: httpx.Client, entry: CatalogEntry) -> None:
    response = call(client, entry, {**valid_input(entry), stream_flag(entry): False})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(entry.response.content_type)
