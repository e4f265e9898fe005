"""Cloudflare's JSON format: every field kept, each traced to its JSON pointer and lines."""

from __future__ import annotations

import json
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from generator.cli import cli
from generator.diagnostics import Level
from generator.ingest.extractors import detect
from generator.ingest.extractors.cloudflare_json import CloudflareJson
from generator.ingest.facts import Extraction
from generator.ingest.jsonspans import JsonProblem, load_located_json
from generator.ingest.pipeline import IngestInputs, IngestResult, ingest
from generator.ingest.sources import SourceDocument, decode_document
from tests.conftest import FIXTURES

CATALOG = FIXTURES / "catalogs" / "cloudflare"
DOCUMENTS = CATALOG / "sources" / "cloudflare"
JSON_DOCUMENTS = sorted(DOCUMENTS.glob("*.json"))
MODEL_DOCUMENTS = [p for p in JSON_DOCUMENTS if '"schema"' in p.read_text("utf-8")]


def _document(text: str, name: str = "sources/cloudflare/model.json") -> SourceDocument:
    document, problem = decode_document(text.encode("utf-8"), PurePosixPath(name))
    assert problem is None and document is not None
    return document


def _extract(text: str) -> Extraction:
    return CloudflareJson().extract(_document(text))


def _fixture(name: str) -> Extraction:
    return _extract((DOCUMENTS / name).read_text("utf-8"))


def _minimal(**changes: Any) -> dict[str, Any]:
    model: dict[str, Any] = {
        "id": "00000000-0000-4000-8000-000000000000",
        "source": 1,
        "name": "@cf/test/model",
        "description": "A model.",
        "task": {"id": "t", "name": "Translation", "description": "Text to text."},
        "created_at": "2025-01-01 00:00:00.000",
        "tags": [],
        "properties": [],
        "schema": {
            "input": {"type": "object", "properties": {"text": {"type": "string"}}},
            "output": {"type": "object", "properties": {"translated_text": {"type": "string"}}},
        },
    }
    return model | changes


def _errors(found: Extraction) -> list[str]:
    return [d.render() for d in found.diagnostics if d.level is Level.ERROR]


# --- the JSON locator ---------------------------------------------------------------------------


def test_the_locator_gives_each_pointer_its_lines_and_written_text() -> None:
    text = '{\n  "a~b/c": [\n    1.50,\n    {"x": "é"}\n  ],\n  "n": 0.000053\n}\n'
    located = load_located_json(text)
    assert located.lines("") == (1, 7)
    assert located.lines("/a~0b~1c") == (2, 5)
    assert located.lines("/a~0b~1c/0") == (3, 3)
    assert located.lines("/a~0b~1c/1/x") == (4, 4)
    assert located.written("/a~0b~1c/0") == "1.50"
    assert located.written("/n") == "0.000053"
    assert located.lines("/a~0b~1c/1/missing") == (4, 4)  # the nearest located ancestor


def test_the_locator_reports_the_line_json_stops_at() -> None:
    with pytest.raises(JsonProblem) as problem:
        load_located_json('{\n  "a": 1,\n  "b": ,\n}')
    assert problem.value.line == 3
    assert "Expecting value" in str(problem.value)


def test_deep_nesting_is_located_by_an_ancestor_not_a_crash() -> None:
    located = load_located_json("[" * 400 + "]" * 400)
    assert located.lines("/0/0/0") == (1, 1)


# --- detection ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", MODEL_DOCUMENTS, ids=lambda p: p.name)
def test_each_fixture_is_detected(path: Path) -> None:
    chosen = detect(_document(path.read_text("utf-8"), f"sources/cloudflare/{path.name}"))
    assert chosen is not None and chosen.name == "cloudflare-json"


def test_the_format_is_recognised_by_structure_not_by_file_name() -> None:
    text = (DOCUMENTS / "translate-m.json").read_text("utf-8")
    chosen = detect(_document(text, "sources/cloudflare/notes.txt"))
    assert chosen is not None and chosen.name == "cloudflare-json"
    for other in ({"name": "@cf/x/y"}, {"success": True, "result": []}, [1, 2]):
        chosen = detect(_document(json.dumps(other)))
        assert chosen is None or chosen.name != "cloudflare-json"


def test_malformed_json_is_an_error_with_its_line() -> None:
    text = '{\n  "name": "@cf/x/y",\n  "task": {"name": "Translation"},\n  "description": "a" "b",\n'
    text += '  "schema": {"input": {}, "output": {}}\n}\n'
    document = _document(text)
    chosen = detect(document)
    assert chosen is not None and chosen.name == "cloudflare-json"
    found = chosen.extract(document)
    assert [(d.line, d.level) for d in found.diagnostics] == [(4, Level.ERROR)]
    assert "not JSON: Expecting ',' delimiter (line 4" in found.diagnostics[0].message


# --- fields -------------------------------------------------------------------------------------


def test_model_fields_with_pointer_and_lines() -> None:
    found = _fixture("paint-xl.json")
    assert not found.diagnostics
    facts = found.facts
    assert (facts["model_id"].value, facts["model_id"].lines, facts["model_id"].note) == (
        "@cf/cardgen/paint-xl",
        (4, 4),
        "/name",
    )
    assert (facts["task"].value, facts["task"].note) == ("text-to-image", "/task/name")
    assert facts["description"].value == "Draws a PNG image from a text prompt."
    assert found.value("tags") == []
    assert found.value("flags") == ["beta"]
    assert found.value("attributes.info") == "https://example.com/cardgen/paint-xl"
    assert found.value("attributes.cloudflare_model_uuid") == "b7e3c1d2-0004-4c6e-9a51-3f2d8e7a0c14"
    assert found.value("attributes.cloudflare_task_uuid") == "a1000000-0000-4000-8000-000000000003"
    assert found.value("attributes.task_description") == "Generates images from input text."
    assert found.value("attributes.created_at") == "2024-03-01 12:00:00.000"
    assert found.value("attributes.cloudflare_source") == "1"
    assert found.value("output_schema")["contentType"] == "image/png"
    assert found.value("streaming.supported") is False


def test_prices_keep_the_amount_and_unit_as_written() -> None:
    found = _fixture("paint-xl.json")
    assert found.value("pricing") == [
        {"item": "tile", "amount": "0.000053", "currency": "USD", "per": 1, "unit": "per 512 by 512 tile"},
        {"item": "step", "amount": "0.00011", "currency": "USD", "per": 1, "unit": "per step"},
    ]
    assert (found.facts["pricing"].lines, found.facts["pricing"].note) == ((16, 27), "/properties/0/value")


@pytest.mark.parametrize(
    ("unit", "item", "per"),
    [
        ("per M input tokens", "input_tokens", 1_000_000),
        ("per M output tokens", "output_tokens", 1_000_000),
        ("per M tokens", "tokens", 1_000_000),
        ("per 1k characters", "character", 1_000),
        ("per step", "step", 1),
        ("per 512 by 512 tile", "tile", 1),
        ("per audio minute", "second", 60),
        ("per 1000 images", "image", 1_000),
        ("per megapixel", "other", 1),
    ],
)
def test_price_units(unit: str, item: str, per: int) -> None:
    price = {"unit": unit, "price": 0.5, "currency": "USD"}
    found = _extract(json.dumps(_minimal(properties=[{"property_id": "price", "value": [price]}])))
    assert found.value("pricing") == [
        {"item": item, "amount": "0.5", "currency": "USD", "per": per, "unit": unit}
    ]


def test_a_price_that_cannot_be_read_is_reported_not_dropped_silently() -> None:
    prices = [{"unit": "per step", "price": "cheap", "currency": "USD"}, {"unit": "per step", "price": 1}]
    found = _extract(json.dumps(_minimal(properties=[{"property_id": "price", "value": prices}]), indent=1))
    assert found.value("pricing") == []
    messages = [d.message for d in found.diagnostics if d.level is Level.WARNING]
    assert messages == [
        "price /properties/0/value/0 not read: `price` 'cheap' is not a number",
        "price /properties/0/value/1 not read: `unit` and `currency` must be text",
    ]


def test_limits_flags_and_attributes_from_properties() -> None:
    chat = _fixture("chat-1b-instruct.json")
    assert chat.value("limits.context_window") == 32000
    assert chat.value("limits.max_total_tokens") == 40000
    assert chat.value("flags") == ["function_calling", "lora"]
    assert chat.value("attributes.terms") == "https://example.com/cardgen/chat-1b/license"
    assert chat.value("tags") == ["chat", "tools"]
    assert _fixture("summarize-base.json").value("limits.max_input_tokens") == 1024
    speak = _fixture("speak-1.json")
    assert speak.value("flags") == ["async_queue", "partner", "realtime"]
    assert speak.value("attributes.planned_deprecation_date") == "2026-12-31"


def test_a_false_flag_is_no_flag_but_is_kept_in_the_provenance() -> None:
    hear = _fixture("hear-base.json")
    assert hear.value("flags") == ["async_queue"]
    assert "/properties/2/value: realtime false" in str(hear.facts["flags"].note)


def test_unknown_property_ids_are_kept_as_attributes() -> None:
    assert _fixture("embed-base-m3.json").value("attributes.dimensions") == "768"
    assert _fixture("rerank-base.json").value("attributes.embedding_family") == "bge-m3"
    properties = [
        {"property_id": "regions", "value": {"eu": True}},
        {"property_id": "batch_size", "value": 32},
        {"property_id": "context_window", "value": "about 8k"},
    ]
    model = _minimal(properties=properties, rollout="gradual", stage=2, owners=["a"])
    found = _extract(json.dumps(model, indent=2))
    assert found.value("attributes.regions") == '{"eu": true}'
    assert found.value("attributes.batch_size") == "32"
    assert found.value("attributes.context_window") == "about 8k"
    assert found.value("attributes.rollout") == "gradual"
    assert found.value("attributes.stage") == "2"
    assert found.value("attributes.owners") == '["a"]'
    assert "limits.context_window" not in found.facts
    assert sorted(d.message for d in found.diagnostics) == [
        "context_window 'about 8k' is not a whole number; kept as an attribute",
        "property 'regions' is not text; kept as JSON text",
        "top-level `owners` is not text; kept as JSON text",
    ]


def test_a_model_without_properties_has_no_flags_prices_or_limits() -> None:
    found = _fixture("caption-small.json")
    assert not found.diagnostics
    assert not [key for key in found.facts if key.startswith(("flags", "pricing", "limits"))]


def test_text_outside_ascii_is_kept() -> None:
    description = _fixture("embed-base-m3.json").value("description")
    assert "français, 日本語, Ελληνικά" in description


def test_streaming_from_the_sse_branch_and_the_stream_flag() -> None:
    chat = _fixture("chat-1b-instruct.json")
    assert chat.value("streaming.supported") is True
    assert chat.value("streaming.request_flag") == "stream"
    assert "oneOf" not in chat.value("output_schema")
    assert chat.value("output_schema")["required"] == ["response"]
    output = chat.facts["output_schema"]
    assert (output.how, str(output.note).split(":")[0]) == ("derived", "/schema/output")


def test_binary_audio_output_is_kept_as_the_schema_says() -> None:
    output = _fixture("speak-1.json").value("output_schema")
    assert (output["format"], output["contentType"]) == ("binary", "audio/mpeg")


@pytest.mark.parametrize("path", MODEL_DOCUMENTS, ids=lambda p: p.name)
def test_every_pointer_names_the_lines_of_its_value(path: Path) -> None:
    text = path.read_text("utf-8")
    lines = text.splitlines()
    data = json.loads(text)
    found = _extract(text)
    pointed = {key: fact for key, fact in found.facts.items() if (fact.note or "").startswith("/")}
    assert {"model_id", "task", "input_schema", "output_schema"} <= pointed.keys()
    for key, fact in pointed.items():
        at = str(fact.note).split(":")[0].split(";")[0].split(",")[0]
        value: Any = data
        for part in at.split("/")[1:]:
            value = value[int(part)] if isinstance(value, list) else value[part]
        assert fact.lines is not None, key
        first, last = fact.lines
        if isinstance(value, str):
            assert json.dumps(value, ensure_ascii=False) in lines[first - 1], key
        elif isinstance(value, (dict, list)) and key not in ("flags", "pricing"):
            opener, closer = ("{", "}") if isinstance(value, dict) else ("[", "]")
            if first == last:
                assert opener + closer in lines[first - 1], key
            else:
                assert lines[first - 1].rstrip().endswith(opener), key
                assert lines[last - 1].strip().startswith(closer), key


# --- one model in several documents -------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_catalog() -> IngestResult:
    return ingest(IngestInputs.beside(CATALOG / "sources"))


def test_both_formats_of_one_model_make_one_entry_from_the_json(fixture_catalog: IngestResult) -> None:
    tiny = [e for e in fixture_catalog.catalog if e.model_id == "@cf/cardgen/chat-tiny"]
    assert len(tiny) == 1
    assert tiny[0].provenance.source.path == "sources/cloudflare/chat-tiny.json"
    assert tiny[0].description.endswith("this JSON file is the current one.")
    assert not [d for d in fixture_catalog.diagnostics if d.level is Level.ERROR]


def test_the_front_matter_page_is_noted_naming_the_winner_and_the_differences(
    fixture_catalog: IngestResult,
) -> None:
    noted = [d for d in fixture_catalog.diagnostics if d.file == "sources/cloudflare/chat-tiny.md"]
    assert [(d.level, d.line) for d in noted] == [(Level.NOTE, 5)]
    assert noted[0].message == (
        "cloudflare model '@cf/cardgen/chat-tiny' is also described by sources/cloudflare/chat-tiny.json "
        "(cloudflare-json), which supersedes this cloudflare-frontmatter document; the entry is made from "
        "that one; the two differ in description; only sources/cloudflare/chat-tiny.json states "
        "attributes.cloudflare_source, attributes.cloudflare_task_uuid, attributes.created_at, pricing; "
        "only this document states display_name"
    )


def test_a_model_kept_in_two_formats_passes_strict(tmp_path: Path) -> None:
    """A supported setup (the JSON supersedes the page) needs no answer, so --strict has none to want."""
    (tmp_path / "sources" / "cloudflare").mkdir(parents=True)
    for name in ("chat-tiny.json", "chat-tiny.md"):
        shutil.copy(DOCUMENTS / name, tmp_path / "sources" / "cloudflare" / name)
    args = ["--sources", str(tmp_path / "sources"), "--catalog", str(tmp_path / "models"), "--strict"]
    outcome = CliRunner().invoke(cli, ["ingest", *args])
    assert outcome.exit_code == 0, outcome.output
    assert (
        "chat-tiny.md:5: note: cloudflare model '@cf/cardgen/chat-tiny' is also described by "
        in outcome.stderr
    )


def _ingest_copies(tmp_path: Path, names: dict[str, str]) -> IngestResult:
    """A catalog whose sources are fixture documents copied under new names."""
    sources = tmp_path / "sources" / "cloudflare"
    sources.mkdir(parents=True)
    for new, old in names.items():
        shutil.copy(DOCUMENTS / old, sources / new)
    return ingest(IngestInputs.beside(tmp_path / "sources", providers=CATALOG / "providers"))


def test_two_json_documents_of_one_model_stay_an_error(tmp_path: Path) -> None:
    result = _ingest_copies(tmp_path, {"a.json": "chat-tiny.json", "b.json": "chat-tiny.json"})
    errors = [d.render() for d in result.diagnostics if d.level is Level.ERROR]
    assert errors == [
        "sources/cloudflare/a.json:4: error: cloudflare model '@cf/cardgen/chat-tiny' is also claimed by "
        "sources/cloudflare/b.json",
        "sources/cloudflare/b.json:4: error: cloudflare model '@cf/cardgen/chat-tiny' is also claimed by "
        "sources/cloudflare/a.json",
    ]
    assert not list(result.catalog)


def test_a_repeated_format_beside_the_json_is_still_an_error(tmp_path: Path) -> None:
    copies = {"a.json": "chat-tiny.json", "a.md": "chat-tiny.md", "b.md": "chat-tiny.md"}
    result = _ingest_copies(tmp_path, copies)
    assert sorted(d.file for d in result.diagnostics if d.level is Level.ERROR) == [
        "sources/cloudflare/a.json",
        "sources/cloudflare/a.md",
        "sources/cloudflare/b.md",
    ]


# --- robustness ---------------------------------------------------------------------------------


@given(st.data())
def test_mutated_documents_never_crash_the_extractor(data: st.DataObject) -> None:
    text = (DOCUMENTS / data.draw(st.sampled_from([p.name for p in MODEL_DOCUMENTS]))).read_text("utf-8")
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 40))
        insert = data.draw(st.sampled_from(["", "{", "}", "[", "]", '"', ",", ":", "null", "1e999", "\\u00"]))
        text = text[:at] + insert + text[at + cut :]
    found = _extract(text)
    for diagnostic in found.diagnostics:
        assert diagnostic.line is None or 1 <= diagnostic.line <= text.count("\n") + 1
