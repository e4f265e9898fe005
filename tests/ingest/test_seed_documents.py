"""Each extractor on its seed document: every fact a user would want, read from the right line."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from generator.catalog.entry import CatalogEntry
from generator.diagnostics import Level
from generator.ingest.extractors import detect
from generator.ingest.pipeline import IngestInputs, IngestResult, ingest
from generator.ingest.providers import BUILTIN_PREFIX
from generator.ingest.schemas import property_schemas
from generator.ingest.sources import decode_document
from tests.conftest import OVERLAYS, PROVIDERS, SOURCES


@pytest.fixture(scope="module")
def result() -> IngestResult:
    return ingest(IngestInputs(SOURCES, PROVIDERS, OVERLAYS))


def _entry(result: IngestResult, provider: str, slug: str) -> CatalogEntry:
    return next(e for e in result.catalog if e.key == (provider, slug))


def _prop(entry: CatalogEntry, name: str) -> dict[str, Any]:
    found = property_schemas(entry.input_schema, name)
    assert found, f"{name} not in input_schema"
    return found[0]


def _lines(entry: CatalogEntry, field: str) -> tuple[int, int] | None:
    return entry.provenance.fields[field].lines


@pytest.mark.parametrize(
    ("path", "extractor"),
    [
        ("cloudflare/deepseek-math-7b-base.md", "cloudflare-frontmatter"),
        ("cloudflare/tinyllama-1.1b-chat-v1.0.md", "cloudflare-frontmatter"),
        ("cloudflare/deepseek-coder-6.7b-base-awq.txt", "cloudflare-docs-page"),
        ("dataoorts/deepseek-math-7b-instruct.md", "dataoorts-page"),
        ("segmind/deepseek-r1.txt", "segmind-page"),
    ],
)
def test_format_is_detected(path: str, extractor: str) -> None:
    document, problem = decode_document((SOURCES / path).read_bytes(), PurePosixPath(path))
    assert problem is None and document is not None
    chosen = detect(document)
    assert chosen is not None and chosen.name == extractor


def test_five_documents_make_five_entries_without_errors(result: IngestResult) -> None:
    assert result.documents == 5
    assert [e.key for e in result.catalog] == [
        ("cloudflare", "deepseek_coder_6_7b_base_awq"),
        ("cloudflare", "deepseek_math_7b_base"),
        ("cloudflare", "tinyllama_1_1b_chat_v1_0"),
        ("dataoorts", "deepseek_math_7b_instruct"),
        ("segmind", "deepseek_reasoner"),
    ]
    assert not [d for d in result.diagnostics if d.level is Level.ERROR]


def test_cloudflare_front_matter(result: IngestResult) -> None:
    tiny = _entry(result, "cloudflare", "tinyllama_1_1b_chat_v1_0")
    assert tiny.model_id == "@cf/tinyllama/tinyllama-1.1b-chat-v1.0"
    assert _lines(tiny, "model_id") == (5, 5)
    assert tiny.display_name == "tinyllama-1.1b-chat-v1.0"
    assert tiny.task == "text-generation"
    assert tiny.flags == ["beta"]
    assert tiny.attributes["info"] == "https://huggingface.co/TinyLlama/TinyLlama-1.1B-Chat-v1.0"
    assert tiny.attributes["cloudflare_model_uuid"] == "bf6ddd21-6477-4681-bbbe-24c3d5423e78"
    assert tiny.limits.max_prompt_length == 6144
    assert tiny.limits.max_message_length == 6144
    assert _prop(tiny, "seed") == {"type": "integer", "minimum": 1, "maximum": 9999999999}
    assert _prop(tiny, "top_p") == {"type": "number", "minimum": 0, "maximum": 2}
    assert _prop(tiny, "max_tokens") == {"type": "integer", "default": 256}
    assert _prop(tiny, "prompt") == {"type": "string", "minLength": 1, "maxLength": 6144}
    assert len(tiny.input_schema["oneOf"]) == 2
    # The SSE branch of the output moved to `streaming`; the JSON branch stays as the response.
    assert tiny.output_schema == {
        "type": "object",
        "contentType": "application/json",
        "properties": {"response": {"type": "string"}},
    }
    assert tiny.streaming.supported and tiny.streaming.request_flag == "stream"
    assert tiny.streaming.terminator == "[DONE]"
    base = _entry(result, "cloudflare", "deepseek_math_7b_base")
    assert base.tags == ["text-generation"]
    assert base.limits.max_prompt_length == 4096
    assert base.provenance.fields["endpoint.base_url"].how == "default"


def test_cloudflare_docs_page(result: IngestResult) -> None:
    coder = _entry(result, "cloudflare", "deepseek_coder_6_7b_base_awq")
    assert coder.model_id == "@hf/thebloke/deepseek-coder-6.7b-base-awq"
    assert coder.display_name == "deepseek-coder-6.7b-base-awq"
    assert coder.flags == ["beta"]
    assert coder.attributes == {"author": "thebloke"}
    assert coder.description.startswith("Deepseek Coder is composed of a series of code language models")
    assert coder.limits.context_window == 4096
    assert _lines(coder, "limits.context_window") == (5, 5)
    assert coder.endpoint.base_url == "https://api.cloudflare.com"
    assert coder.endpoint.path == "/client/v4/accounts/{account_id}/ai/run/{model_id}"
    assert coder.endpoint.path_params == {"account_id": "CLOUDFLARE_ACCOUNT_ID"}
    assert coder.provenance.fields["endpoint.path"].how == "stated"
    assert (coder.auth.scheme, coder.auth.header, coder.auth.env_var) == (
        "bearer",
        "Authorization",
        "CLOUDFLARE_AUTH_TOKEN",
    )
    assert _prop(coder, "top_p") == {
        "type": "number",
        "minimum": 0.001,
        "maximum": 1,
        "description": (
            "Adjusts the creativity of the AI's responses by controlling how many possible words it considers. "
            "Lower values make outputs more predictable; higher values allow for more varied and creative responses."
        ),
    }
    assert _prop(coder, "frequency_penalty")["minimum"] == -2
    assert _prop(coder, "temperature")["default"] == 0.6
    assert [b["title"] for b in coder.input_schema["oneOf"]] == ["Prompt", "Messages"]
    assert coder.output_schema["required"] == ["response"]
    assert "tool_calls" in coder.output_schema["properties"]
    assert coder.streaming.supported
    assert _lines(coder, "streaming.supported") == (11, 11)
    assert coder.examples[0].name == "curl"
    assert coder.examples[0].request["messages"][1]["content"] == "Why is pizza so good"


def test_dataoorts_page(result: IngestResult) -> None:
    entry = _entry(result, "dataoorts", "deepseek_math_7b_instruct")
    assert entry.model_id == "deepseek-ai/deepseek-math-7b-instruct"
    assert entry.task == "text-generation"
    assert entry.limits.context_window == 4096
    prices = {(p.item, p.amount, p.currency, p.per) for p in entry.pricing}
    assert prices == {("input_tokens", "0.10", "USD", 1_000_000), ("output_tokens", "0.11", "USD", 1_000_000)}
    assert _lines(entry, "pricing") == (28, 29)
    assert (entry.endpoint.base_url, entry.endpoint.path, entry.endpoint.method) == (
        "https://cloud.dataoorts.com",
        "/api/v1",
        "POST",
    )
    assert entry.auth.header == "Authorization" and entry.auth.scheme == "bearer"
    assert entry.request.envelope is not None and entry.request.envelope.data_key == "data"
    assert entry.response.envelope is not None and entry.response.envelope.result_key == "result"
    assert entry.attributes["hosted_region"] == "US and India"
    assert entry.attributes["base_architecture"] == "Transformer"
    assert _prop(entry, "temperature") == {"type": "number", "default": 0.6, "minimum": 0, "maximum": 5}
    assert _prop(entry, "top_k") == {"type": "integer", "minimum": 1, "maximum": 50}
    assert _prop(entry, "seed")["maximum"] == 9999999999
    assert _prop(entry, "max_tokens")["type"] == "integer"
    assert entry.input_schema["required"] == ["messages"]
    assert _prop(entry, "messages")["items"]["required"] == ["role", "content"]
    assert entry.output_schema["properties"]["usage"]["properties"]["total_tokens"] == {"type": "integer"}
    assert entry.examples[0].response["usage"]["total_tokens"] == 333
    assert not entry.streaming.supported


def test_segmind_page(result: IngestResult) -> None:
    entry = _entry(result, "segmind", "deepseek_reasoner")
    assert entry.model_id == "deepseek-reasoner"
    assert entry.display_name == "DeepSeek R1"
    assert (entry.endpoint.base_url, entry.endpoint.path) == ("https://api.segmind.com", "/v1/{model_id}")
    assert (entry.auth.scheme, entry.auth.header) == ("api_key", "x-api-key")
    assert [(e.status, e.name, e.description) for e in entry.errors] == [
        (401, "Unauthorized", "User authentication failed"),
        (404, "Not Found", "The requested URL does not exist"),
        (405, "Method Not Allowed", "The requested HTTP method is not allowed"),
        (406, "Not Acceptable", "Not enough credits"),
        (500, "Server Error", "Server had some issue with processing"),
    ]
    assert [h.name for h in entry.response.headers] == ["x-remaining-credits"]
    assert entry.limits.context_window == 128 * 1024
    assert _prop(entry, "messages")["items"]["properties"]["role"]["enum"] == ["user", "assistant", "system"]
    assert entry.examples[0].request["messages"][0]["content"] == "tell me a joke on cats"


def test_overlay_supplies_segmind_response_and_is_recorded(result: IngestResult) -> None:
    entry = _entry(result, "segmind", "deepseek_reasoner")
    assert entry.output_schema["properties"]["object"]["enum"] == ["chat.completion"]
    assert entry.provenance.fields["output_schema"].how == "overlay"
    assert entry.provenance.fields["output_schema"].file == "overlays/segmind/deepseek_reasoner.yaml"
    assert [o.path for o in entry.provenance.overlays] == ["overlays/segmind/deepseek_reasoner.yaml"]
    missing_response = [d for d in result.diagnostics if d.field == "output_schema" and "segmind" in d.file]
    assert [d.level for d in missing_response] == [Level.INFO]


def test_documents_disagreeing_on_ranges_are_warned_about(result: IngestResult) -> None:
    messages = [d.render() for d in result.diagnostics if d.level is Level.WARNING]
    assert any("`top_p` ranges over [0.001, 1]" in m and "deepseek-coder" in m for m in messages)
    assert any("`frequency_penalty` ranges over [-2, 2]" in m for m in messages)


PROVIDER_DEFAULTS = Path(__file__).parents[2] / "generator" / "ingest" / "provider_defaults"


def _provenance_file(name: str) -> Path:
    """Where a provenance file name points: below the catalog root, or among cardgen's own defaults."""
    if name.startswith(f"{BUILTIN_PREFIX}/"):
        return PROVIDER_DEFAULTS / name.removeprefix(f"{BUILTIN_PREFIX}/")
    return SOURCES.parent / name


def test_provenance_hashes_match_the_sources(result: IngestResult) -> None:
    import hashlib

    for entry in result.catalog:
        data = (SOURCES.parent / entry.provenance.source.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry.provenance.source.sha256
        for field, source in entry.provenance.fields.items():
            path = _provenance_file(source.file)
            assert path.is_file(), (entry.slug, field)
            if source.lines:
                count = len(path.read_text("utf-8").splitlines())
                assert 1 <= source.lines[0] <= source.lines[1] <= count, (entry.slug, field)


def test_unknown_document_is_reported_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "sources" / "x").mkdir(parents=True)
    (tmp_path / "sources" / "x" / "notes.md").write_text("# notes\n", "utf-8")
    outcome = ingest(IngestInputs(tmp_path / "sources", PROVIDERS, tmp_path / "overlays"))
    assert len(outcome.catalog) == 0
    assert [d.render() for d in outcome.diagnostics] == [
        "sources: error: no model entry came out of 1 document(s)",
        "sources/x/notes.md: note: not a model page: no format cardgen reads, and no schema; skipped",
    ]
