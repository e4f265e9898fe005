"""Dataoorts pages for task types beyond text generation: the task and the shapes each page shows."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from generator.catalog.entry import CatalogEntry
from generator.diagnostics import Level
from generator.ingest.extractors.dataoorts_page import DataoortsPage
from generator.ingest.facts import Extraction
from generator.ingest.pipeline import IngestInputs, IngestResult, ingest
from generator.ingest.sources import decode_document
from tests.conftest import FIXTURES, SOURCES

TASK_FIXTURES = FIXTURES / "dataoorts-tasks"
SEED_PAGE = SOURCES / "dataoorts" / "deepseek-math-7b-instruct.md"
NUMBERS = {"type": "array", "items": {"type": "number"}}
BYTES = {"type": "array", "items": {"type": "integer"}}


@pytest.fixture(scope="module")
def result() -> IngestResult:
    return ingest(IngestInputs.beside(TASK_FIXTURES / "sources"))


def _entry(result: IngestResult, slug: str) -> CatalogEntry:
    return next(e for e in result.catalog if e.key == ("dataoorts", slug))


def _extract(text: str) -> Extraction:
    document, problem = decode_document(text.encode(), PurePosixPath("dataoorts/page.md"))
    assert problem is None and document is not None
    return DataoortsPage().extract(document)


def test_every_page_is_read_without_errors(result: IngestResult) -> None:
    assert not [d for d in result.diagnostics if d.level is Level.ERROR]
    assert {e.slug: e.task for e in result.catalog} == {
        "bart_large_cnn": "summarization",
        "bge_base_en_v1_5": "text-embeddings",
        "detr_resnet_50": "object-detection",
        "distilbert_sst_2_int8": "text-classification",
        "m2m100_1_2b": "translation",
        "resnet_50": "image-classification",
        "uform_gen2_qwen_500m": "image-to-text",
        "whisper": "automatic-speech-recognition",
    }


def test_only_the_streaming_warning_is_left(result: IngestResult) -> None:
    warnings = [d for d in result.diagnostics if d.level is Level.WARNING]
    assert {d.field for d in warnings} == {"streaming.supported"}, warnings


def test_embeddings_answer_an_array_of_arrays_of_numbers(result: IngestResult) -> None:
    entry = _entry(result, "bge_base_en_v1_5")
    assert entry.output_schema["properties"]["data"] == {"type": "array", "items": NUMBERS}
    assert entry.input_schema["required"] == ["text"]
    pooling = entry.input_schema["properties"]["pooling"]
    assert (pooling["type"], pooling["enum"], pooling["default"]) == ("string", ["mean", "cls"], "mean")


def test_classifiers_answer_a_top_level_array(result: IngestResult) -> None:
    text = _entry(result, "distilbert_sst_2_int8").output_schema
    assert text["type"] == "array"
    assert text["items"]["required"] == ["label", "score"]
    image = _entry(result, "resnet_50")
    assert image.output_schema["type"] == "array"
    assert image.input_schema["properties"]["image"] == BYTES


def test_object_detection_boxes_are_nested_objects(result: IngestResult) -> None:
    items = _entry(result, "detr_resnet_50").output_schema["items"]
    assert items["required"] == ["score", "label", "box"]
    assert items["properties"]["box"]["properties"]["xmin"] == {"type": "number"}


def test_translation_needs_a_target_and_defaults_the_source(result: IngestResult) -> None:
    entry = _entry(result, "m2m100_1_2b")
    assert entry.input_schema["required"] == ["text", "target_lang"]
    source = entry.input_schema["properties"]["source_lang"]
    assert (source["type"], source["default"]) == ("string", "en")
    assert entry.output_schema == {"type": "object", "properties": {"translated_text": {"type": "string"}}}


def test_summarization_bounds_come_from_the_table(result: IngestResult) -> None:
    entry = _entry(result, "bart_large_cnn")
    max_length = entry.input_schema["properties"]["max_length"]
    assert (max_length["type"], max_length["default"], max_length["minimum"]) == ("integer", 1024, 1)
    assert entry.output_schema["properties"] == {"summary": {"type": "string"}}


def test_image_and_audio_travel_as_byte_arrays(result: IngestResult) -> None:
    caption = _entry(result, "uform_gen2_qwen_500m")
    assert caption.input_schema["properties"]["image"] == BYTES
    assert caption.input_schema["required"] == ["image", "prompt"]
    assert caption.output_schema["properties"] == {"description": {"type": "string"}}
    speech = _entry(result, "whisper")
    assert speech.input_schema["properties"]["audio"] == BYTES
    words = speech.output_schema["properties"]["words"]["items"]
    assert words["required"] == ["word", "start", "end"]


def test_a_price_per_request(result: IngestResult) -> None:
    prices = [(p.item, p.amount, p.per) for p in _entry(result, "whisper").pricing]
    assert prices == [("request", "0.0005", 1)]


def test_the_task_comes_from_the_parent_when_the_table_has_no_model_type() -> None:
    text = SEED_PAGE.read_text("utf-8").replace(
        "| Model Type                |    Text  Generation", "| Other |"
    )
    found = _extract(text.replace('parent: "Text Generation"', 'parent: "Text Classification"'))
    assert found.value("task") == "text-classification"
    assert found.facts["task"].lines == (5, 5)


def test_a_model_type_that_disagrees_with_the_parent_is_reported() -> None:
    text = SEED_PAGE.read_text("utf-8").replace('parent: "Text Generation"', 'parent: "Translation"')
    found = _extract(text)
    assert found.value("task") == "text-generation"
    assert [d.message for d in found.diagnostics if d.level is Level.WARNING] == [
        "model type 'text-generation' differs from the page's parent 'translation'"
    ]


def test_a_default_that_is_not_of_the_example_type_is_dropped() -> None:
    text = SEED_PAGE.read_text("utf-8").replace(
        "| top_k                  | minimum 1", "| top_k | default `x1`; minimum 1"
    )
    found = _extract(text)
    top_k = found.value("input_schema")["properties"]["top_k"]
    assert "default" not in top_k and top_k["type"] == "integer"
    assert "`top_k`: default 'x1' is no integer" in [d.message for d in found.diagnostics]


def test_prose_after_default_is_not_taken_for_a_string_default() -> None:
    row = "| seed                   |  minimum 1 and maximum 9999999999"
    text = SEED_PAGE.read_text("utf-8").replace(
        row, "| seed | The default value is random, minimum 1 and maximum 9999999999"
    )
    seed = _extract(text).value("input_schema")["properties"]["seed"]
    assert (seed["type"], seed["maximum"]) == ("number", 9999999999)
    assert "default" not in seed


@pytest.mark.parametrize(
    "text",
    ["Min 1, max 10", "Minimum 1 and maximum 10", "MIN 1 MAX 10"],
)
def test_short_and_long_bound_words_both_give_bounds(text: str) -> None:
    from generator.ingest.extractors.dataoorts_params import _read_row

    assert _read_row(text, 1).facts == {"minimum": 1, "maximum": 10}
