"""Providers the seed catalog lacks, served from their entries alone: nothing is hard-coded."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest

from generator.backend.app import Backend
from generator.backend.server import running_backend
from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog
from tests.backend.calls import call, error_of, result_of, sse_payloads
from tests.backend.conftest import ENTRIES


def variant(**changes: Any) -> CatalogEntry:
    """A seed entry with some fields replaced, validated like any entry."""
    data = ENTRIES[0].model_dump(mode="json")
    data.update({"examples": [], "errors": [], **changes})
    return CatalogEntry.model_validate(data)


PIXEL = variant(
    provider="pixelco",
    model_id="acme/pix@v2",
    slug="pix_v2",
    endpoint={
        "base_url": "https://pix.example",
        "path": "/v2/{region}/images/{model_id}:generate",
        "method": "POST",
        "path_params": {"region": "PIX_REGION"},
    },
    auth={"scheme": "api_key", "header": "x-pix-key", "env_var": "PIX_KEY"},
    request={"content_type": "application/json"},
    response={"content_type": "application/json"},
    streaming={"supported": False},
    input_schema={
        "type": "object",
        "properties": {
            "prompt": {"type": "string", "minLength": 1},
            "steps": {"type": "integer", "maximum": 8},
        },
        "required": ["prompt"],
        "additionalProperties": False,
    },
    output_schema={"type": "string", "format": "binary", "contentType": "image/png"},
)
BODY = variant(
    provider="bodyco",
    model_id="engine-1",
    slug="engine_1",
    endpoint={"base_url": "https://body.example", "path": "/run", "method": "POST"},
    auth={"scheme": "bearer", "header": "X-Auth", "env_var": "BODY_TOKEN"},
    request={"envelope": {"model_key": "engine", "data_key": "input"}},
    response={"envelope": {"result_key": "output", "success_key": "ok", "errors_key": "problems"}},
    streaming={
        "supported": True,
        "format": "sse",
        "request_flag": "sse",
        "terminator": "END",
        "chunk_schema": {
            "type": "object",
            "properties": {"delta": {"type": "string"}},
            "required": ["delta"],
        },
    },
    input_schema={"type": "object", "properties": {"text": {"type": "string"}, "sse": {"type": "boolean"}}},
    output_schema={
        "type": "object",
        "properties": {"labels": {"type": "array", "items": {"enum": ["a", "b"]}, "minItems": 1}},
        "required": ["labels"],
    },
)
PIXEL_PATH = "/v2/eu-west/images/acme/pix@v2:generate"
# The generator draws strings from patterns in printable ASCII: four Arabic-Indic digits defeat it.
STUBBORN = variant(
    provider="stubco",
    model_id="stub",
    slug="stub",
    endpoint={"base_url": "https://stub.example", "path": "/stub/{model_id}", "method": "POST"},
    auth={"scheme": "api_key", "header": "x-key", "env_var": "STUB_KEY"},
    response={"content_type": "application/json"},
    streaming={"supported": False},
    input_schema={"type": "object"},
    output_schema={"type": "string", "pattern": "^[\u0660-\u0669]{4}$"},
    examples=[{"name": "doc", "request": {"q": 1}, "response": "\u0661\u0662\u0663\u0664"}],
)
HOPELESS = STUBBORN.model_copy(update={"model_id": "hopeless", "slug": "hopeless", "examples": []})


@pytest.fixture(scope="module")
def others() -> Iterator[httpx.Client]:
    with (
        running_backend(Catalog((PIXEL, BODY, STUBBORN, HOPELESS))) as handle,
        httpx.Client(base_url=handle.url) as http,
    ):
        yield http


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Split a PNG into (tag, data) chunks, checking the signature and every CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        tag, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(tag + body)
        chunks.append((tag, body))
        position += 12 + length
    return chunks


def test_a_binary_output_is_a_valid_png(others: httpx.Client) -> None:
    response = others.post(PIXEL_PATH, json={"prompt": "a cat"}, headers={"x-pix-key": "k"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    chunks = png_chunks(response.content)
    assert [tag for tag, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    assert (depth, colour) == (8, 2)
    assert len(zlib.decompress(chunks[1][1])) == height * (1 + 3 * width)
    again = others.post(PIXEL_PATH, json={"prompt": "a cat"}, headers={"x-pix-key": "k"})
    assert again.content == response.content


def test_a_model_id_in_the_middle_of_a_path_with_another_parameter(others: httpx.Client) -> None:
    assert others.post(
        PIXEL_PATH.replace("eu-west", "us"), json={"prompt": "x"}, headers={"x-pix-key": "k"}
    ).is_success
    missing = others.post(
        "/v2/us/images/acme/pix@v3:generate", json={"prompt": "x"}, headers={"x-pix-key": "k"}
    )
    assert missing.status_code == 404
    assert missing.json() == {"error": {"status": 404, "message": "unknown model 'acme/pix@v3'"}}


def test_problems_of_a_provider_without_envelope(others: httpx.Client) -> None:
    response = others.post(PIXEL_PATH, json={"steps": 9, "seed": 1}, headers={"x-pix-key": "k"})
    assert response.status_code == 400
    paths = {path for path, _ in error_of(PIXEL, response)}
    assert paths == {"$", "$.steps"}
    assert others.post(PIXEL_PATH, json={"prompt": "x"}).status_code == 401


def test_a_body_enveloped_provider_with_its_own_keys(others: httpx.Client) -> None:
    response = call(others, BODY, {"text": "hello"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"output", "ok", "problems"}
    jsonschema.validate(result_of(BODY, body), BODY.output_schema)
    bad = call(others, BODY, {"text": 3})
    assert bad.status_code == 400
    assert error_of(BODY, bad) == [("$.input.text", "$.input.text: 3 is not of type 'string'")]
    assert bad.json()["output"] is None


def test_an_envelope_without_the_model_or_the_input_is_400(others: httpx.Client) -> None:
    headers = {"X-Auth": "Bearer t"}
    bodies: list[Any] = [{"input": {}}, {"engine": "engine-1"}, [1, 2], {"engine": 7, "input": {}}]
    for body in bodies:
        response = others.post("/run", json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.json()["ok"] is False


def test_its_own_stream_flag_chunks_and_terminator(others: httpx.Client) -> None:
    response = call(others, BODY, {"text": "hi", "sse": True})
    payloads = sse_payloads(response.text)
    assert payloads[-1] == "END"
    assert all(isinstance(json.loads(p)["delta"], str) for p in payloads[:-1])


def test_an_output_schema_the_generator_cannot_fill_falls_back_to_the_example(others: httpx.Client) -> None:
    response = others.post("/stub/stub", json={"q": 2}, headers={"x-key": "k"})
    assert response.status_code == 200
    assert response.json() == "\u0661\u0662\u0663\u0664"
    assert response.headers["x-cardgen-source"] == "example"


def test_without_an_example_to_fall_back_on_it_is_a_clear_500(others: httpx.Client) -> None:
    response = others.post("/stub/hopeless", json={}, headers={"x-key": "k"})
    assert response.status_code == 500
    message = error_of(HOPELESS, response)[0][1]
    assert "could not draw a response that fits the output schema of 'hopeless'" in message
    assert "no string drawn for the pattern" in message


def test_two_entries_serving_one_model_at_one_path_are_refused() -> None:
    twin = PIXEL.model_copy(update={"provider": "pixelcopy"})
    with pytest.raises(ValueError, match=r"both serve 'acme/pix@v2'"):
        Backend(Catalog((PIXEL, twin)))


def test_an_entry_that_names_its_model_nowhere_is_refused() -> None:
    nameless = BODY.model_copy(update={"request": BODY.request.model_copy(update={"envelope": None})})
    with pytest.raises(ValueError, match="has no"):
        Backend(Catalog((nameless,)))


def test_the_backend_reads_patterns_as_json_schema_does() -> None:
    """ECMA-262, as the SDK's classes: `$` is the end of the text, `\\d` ASCII, `\\W` any non-ASCII letter."""
    from generator.backend.served import ServedModel

    schema = {
        "type": "object",
        "properties": {"code": {"type": "string", "pattern": "^a\\d+$"}, "mark": {"pattern": "^\\W$"}},
    }
    served = ServedModel.of(STUBBORN.model_copy(update={"input_schema": schema}))
    problems = {value: served.input_problems({"code": value}) for value in ("a1", "a1\n", "a\u0661")}
    assert problems["a1"] == ()
    assert [d.message for d in problems["a1\n"]] == ["'a1\\n' does not match '^a\\\\d+$'"]
    assert problems["a\u0661"] != ()
    assert served.input_problems({"mark": "\u00e9"}) == ()  # not an ECMA word character


def test_an_answer_is_drawn_to_fit_its_patterns() -> None:
    """Strings under `pattern` are drawn from it (as JSON Schema reads it), not left to chance."""
    from generator.backend.answers import answer
    from generator.backend.served import ServedModel

    schema = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": "^chatcmpl-[a-z0-9]{8,}$"},
            "code": {"type": "string", "pattern": "^[A-Z]{2}\\d{3}$", "maxLength": 5},
        },
        "required": ["id", "code"],
    }
    served = ServedModel.of(HOPELESS.model_copy(update={"output_schema": schema}))
    for seed in range(20):
        body = answer(served, {}, seed=seed, use_example=False)
        drawn = json.loads(body.content)
        assert served.output_validator.is_valid(drawn), drawn
