"""The generated SDK runs on cassettes: the document's example, and every recording of the seed catalog."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from generator.catalog.entry import CatalogEntry
from generator.render.cassettes import cassette_yaml, example_interactions
from tests.cassettes.conftest import ENTRIES, entry_named, recorded_files, sdk_model
from tests.conftest import RECORDINGS

RECORDED = recorded_files()


def entry_of(path: Path) -> CatalogEntry:
    provider, slug = path.relative_to(RECORDINGS).parts[:2]
    return entry_named(provider, slug)


def model_input(entry: CatalogEntry, request_body: str) -> dict[str, Any]:
    """The keyword arguments a caller passes: the body without envelope and stream flag."""
    body = json.loads(request_body)
    if entry.request.envelope is not None:
        body = body[entry.request.envelope.data_key]
    body.pop(entry.streaming.request_flag or "stream", None)
    assert isinstance(body, dict)
    return body


def result_of(entry: CatalogEntry, response_body: str) -> Any:
    body = json.loads(response_body)
    return body[entry.response.envelope.result_key] if entry.response.envelope else body


def sse_payloads(body: str) -> list[Any]:
    data = [line.removeprefix("data: ") for line in body.splitlines() if line.startswith("data: ")]
    return [json.loads(item) for item in data if item != "[DONE]"]


def test_dataoorts_document_example_parses_into_its_typed_response(
    sdk: Any, cassettes: Any, tmp_path: Path
) -> None:
    entry = entry_named("dataoorts", "deepseek_math_7b_instruct")
    (tmp_path / "example-1.yaml").write_text(cassette_yaml(example_interactions(entry)), "utf-8")
    model = sdk_model(sdk, entry, cassettes.ReplayTransport(cassettes.load_cassettes([tmp_path])))
    response = model.run(**entry.examples[0].request)
    types = importlib.import_module(f"{sdk.__name__}.types.dataoorts.deepseek_math_7b_instruct")
    Response, Usage = types.Response, types.Usage

    assert type(response) is Response
    assert type(response.usage) is Usage
    assert response.usage.total_tokens == 333
    assert response.response is not None
    assert response.response.startswith("branch of artificial intelligence.")
    assert response.model_dump(mode="json", exclude_none=True) == entry.examples[0].response


def test_every_catalog_model_has_recordings_and_every_streaming_model_a_stream() -> None:
    recorded: dict[tuple[str, str], set[str]] = {
        (p.parent.parent.name, p.parent.name): set() for p in RECORDED
    }
    for path in RECORDED:
        recorded[(path.parent.parent.name, path.parent.name)].add(path.stem)
    for entry in ENTRIES:
        names = recorded.get(entry.key, set())
        assert names - {"stream"}, f"{entry.key}: no plain recording"
        assert ("stream" in names) is entry.streaming.supported


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.relative_to(RECORDINGS).as_posix())
def test_each_recording_replays_through_the_sdk(sdk: Any, cassettes: Any, path: Path) -> None:
    entry = entry_of(path)
    [interaction] = cassettes.load_cassettes([path])
    model = sdk_model(sdk, entry, cassettes.ReplayTransport([interaction]))
    params = model_input(entry, interaction.request_body)
    module = __import__(f"modelsdk.types.{entry.provider}.{entry.slug}", fromlist=["Response"])
    if dict(interaction.response_headers)["content-type"].startswith("text/event-stream"):
        chunks = list(model.stream(**params))
        assert chunks, "the stream yielded nothing"
        assert all(type(chunk) is module.StreamChunk for chunk in chunks)
        dumped = [c.model_dump(mode="json", exclude_none=True) for c in chunks]
        assert dumped == sse_payloads(interaction.response_body)
    else:
        response = model.run(**params)
        assert type(response) is module.Response
        assert response.model_dump(mode="json", exclude_none=True) == _without_nulls(
            result_of(entry, interaction.response_body)
        )


@pytest.mark.anyio
@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.relative_to(RECORDINGS).as_posix())
async def test_each_recording_replays_through_the_async_sdk(sdk: Any, cassettes: Any, path: Path) -> None:
    entry = entry_of(path)
    [interaction] = cassettes.load_cassettes([path])
    model = sdk_model(sdk, entry, cassettes.ReplayTransport([interaction]), asynchronous=True)
    params = model_input(entry, interaction.request_body)
    if dict(interaction.response_headers)["content-type"].startswith("text/event-stream"):
        chunks = [chunk async for chunk in model.stream(**params)]
        assert len(chunks) == len(sse_payloads(interaction.response_body))
    else:
        response = await model.run(**params)
        assert response.model_dump(mode="json", exclude_none=True) == _without_nulls(
            result_of(entry, interaction.response_body)
        )


def test_a_call_the_recordings_do_not_hold_fails_loudly(sdk: Any, cassettes: Any) -> None:
    entry = entry_named("cloudflare", "deepseek_math_7b_base")
    model = sdk_model(sdk, entry, cassettes.ReplayTransport(cassettes.load_cassettes([RECORDINGS])))
    with pytest.raises(cassettes.UnmatchedRequestError, match=r"with body .*never recorded"):
        model.run(prompt="never recorded")


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value
