"""Facts Dataoorts pages state beyond the plain request: commented-out parameters, JSON answers, prices."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from generator.catalog.entry import ResponseEnvelope
from generator.diagnostics import Diagnostic, Level
from generator.ingest.extractors.dataoorts_page import DataoortsPage
from generator.ingest.facts import Extraction
from generator.ingest.pipeline import IngestInputs, IngestResult, ingest
from generator.ingest.sources import decode_document
from tests.conftest import FIXTURES, SOURCES

CATALOG = FIXTURES / "catalogs" / "dataoorts"
PAGES = CATALOG / "sources" / "dataoorts"
SEED_PAGE = SOURCES / "dataoorts" / "deepseek-math-7b-instruct.md"
PROSE = "        # Additional hyper-parameters for fine-tuning the output (optional):\n"
# The model pages; index and guide pages beside them are another extractor's concern.
MODEL_PAGES = {p.name for p in PAGES.glob("*.md") if "Model Endpoint Access URL" in p.read_text("utf-8")}
COST_ROW = "| Model Cost(Input)         | $0.10 Per Million Tokens                |"


def _extract(text: str, name: str = "dataoorts/page.md") -> Extraction:
    document, problem = decode_document(text.encode(), PurePosixPath(name))
    assert problem is None and document is not None
    return DataoortsPage().extract(document)


def _seed_with(old: str, new: str) -> str:
    text = SEED_PAGE.read_text("utf-8")
    assert old in text
    return text.replace(old, new)


def _properties(found: Extraction) -> dict[str, dict[str, object]]:
    properties: dict[str, dict[str, object]] = found.value("input_schema")["properties"]
    return properties


@pytest.fixture(scope="module")
def result() -> IngestResult:
    return ingest(IngestInputs.beside(CATALOG / "sources"))


def test_commented_out_parameters_are_optional_and_typed_by_their_values() -> None:
    found = _extract((PAGES / "sdxl-turbo.md").read_text("utf-8"))
    properties = _properties(found)
    assert {key: value["type"] for key, value in properties.items()} == {
        "prompt": "string",
        "steps": "integer",
        "guidance": "number",
        "negative_prompt": "string",
        "seed": "integer",
        "width": "integer",
        "height": "integer",
        "enhance_prompt": "boolean",
    }
    assert found.value("input_schema")["required"] == ["prompt"]
    assert found.value("examples")[0]["request"] == {
        "prompt": "a lighthouse on a cliff at dusk, oil painting"
    }


def test_a_commented_out_parameter_the_table_lists_keeps_the_tables_range() -> None:
    properties = _properties(_extract((PAGES / "sdxl-turbo.md").read_text("utf-8")))
    steps = properties["steps"]
    assert (steps["type"], steps["default"], steps["minimum"], steps["maximum"]) == ("integer", 4, 1, 8)
    assert (properties["seed"]["minimum"], properties["seed"]["maximum"]) == (0, 4294967295)
    speed = _properties(_extract((PAGES / "melotts.md").read_text("utf-8")))["speed"]
    assert (speed["type"], speed["default"], speed["minimum"], speed["maximum"]) == ("number", 1.0, 0.5, 2)


def test_commented_out_lists_and_objects_are_typed_like_uncommented_ones() -> None:
    commented = (
        '        # "stop": ["###", "\\n\\n"],\n'
        '        #"response_format": {"type": "json_object"},\n'
        '        # "logit_bias": {\n'
        '        #     "50256": -100\n'
        "        # },\n"
        '        # "stream": false,  # JSON spelling: a comment is never run\n'
    )
    found = _extract(_seed_with(PROSE, PROSE + commented))
    properties = _properties(found)
    assert properties["stop"] == {"type": "array", "items": {"type": "string"}}
    assert properties["response_format"] == {"type": "object", "properties": {"type": {"type": "string"}}}
    assert properties["logit_bias"] == {"type": "object", "properties": {"50256": {"type": "integer"}}}
    assert properties["stream"] == {"type": "boolean"}
    assert found.value("input_schema")["required"] == ["messages"]


def test_the_input_schema_cites_the_commented_lines() -> None:
    found = _extract((PAGES / "sdxl-turbo.md").read_text("utf-8"))
    fact = found.facts["input_schema"]
    lines = found.document.lines
    steps_line = next(n for n, line in enumerate(lines, 1) if '#"steps": 4,' in line)
    assert fact.lines is not None and fact.lines[0] <= steps_line <= fact.lines[1]
    assert fact.note == (
        "from the request example (commented-out parameters optional) and the hyper-parameter table"
    )


def test_prose_comments_and_comments_outside_the_data_are_no_parameters() -> None:
    text = _seed_with(
        '            {"role": "user", "content": "What is Deep Learning"}\n',
        '            # {"role": "assistant", "content": "An answer"},\n'
        '            {"role": "user", "content": "What is Deep Learning"}\n',
    )
    text = text.replace('    "model": "deepseek-ai', '    # "stream": True,\n    "model": "deepseek-ai')
    text = text.replace(
        PROSE, PROSE + '        # "temperature": "hot",\n        # "note": "is free text",  \n'
    )
    properties = _properties(_extract(text))
    assert list(properties) == [
        "messages",
        "temperature",
        "top_p",
        "top_k",
        "max_tokens",
        "note",
        "seed",
        "repetition_penalty",
        "frequency_penalty",
        "presence_penalty",
    ]
    assert properties["temperature"]["type"] == "number"


def test_a_page_without_commented_parameters_keeps_its_note() -> None:
    fact = _extract(SEED_PAGE.read_text("utf-8")).facts["input_schema"]
    assert fact.note == "from the request example and the hyper-parameter table"


def test_an_image_answered_in_json_has_an_output_schema_and_keeps_the_providers_envelope() -> None:
    found = _extract((PAGES / "sdxl-turbo.md").read_text("utf-8"))
    assert found.value("output_schema") == {"type": "object", "properties": {"image": {"type": "string"}}}
    assert "response.envelope" not in found.facts
    assert [(d.line, d.message) for d in found.diagnostics if d.field == "response.envelope"] == [
        (
            81,
            "the response example shows `result`, `success` of the envelope; the provider's envelope is kept",
        )
    ]


def test_a_result_alone_is_the_envelope_not_the_output() -> None:
    text = _seed_with('    "success": true\n}', '    "messages": []\n}').replace('    "errors": [],\n', "", 1)
    text = text.replace('    "messages": [],\n', "", 1)
    found = _extract(text)
    assert set(found.value("output_schema")["properties"]) == {"response", "usage"}
    assert "response.envelope" not in found.facts


def test_a_whole_envelope_is_stated() -> None:
    found = _extract(SEED_PAGE.read_text("utf-8"))
    assert found.value("response.envelope") == {
        "result_key": "result",
        "success_key": "success",
        "errors_key": "errors",
        "messages_key": "messages",
    }
    assert found.facts["response.envelope"].lines == (81, 93)


def test_a_result_beside_other_keys_is_no_envelope() -> None:
    text = _seed_with('    "success": true\n}', '    "detail": "not an envelope key"\n}')
    found = _extract(text)
    assert "response.envelope" not in found.facts
    assert set(found.value("output_schema")["properties"]) == {"errors", "messages", "result", "detail"}


def _about_model_pages(result: IngestResult, level: Level) -> list[Diagnostic]:
    return [d for d in result.diagnostics if d.level is level and PurePosixPath(d.file).name in MODEL_PAGES]


def test_every_page_has_its_output_schema_from_its_response_example(result: IngestResult) -> None:
    assert not _about_model_pages(result, Level.ERROR)
    entries = [e for e in result.catalog if PurePosixPath(e.provenance.source.path).name in MODEL_PAGES]
    assert len(entries) == len(MODEL_PAGES) == 10
    whole = ResponseEnvelope(
        result_key="result", success_key="success", errors_key="errors", messages_key="messages"
    )
    for entry in entries:
        source = entry.provenance.fields["output_schema"]
        assert (source.how, source.note) == ("derived", "from the response example"), entry.slug
        assert entry.response.envelope == whole, entry.slug
        assert entry.output_schema.get("properties") or entry.output_schema.get("items"), entry.slug


def test_prices_per_image_and_per_second(result: IngestResult) -> None:
    prices = {e.slug: [(p.item, p.amount, p.currency, p.per) for p in e.pricing] for e in result.catalog}
    assert prices["sdxl_turbo"] == [("image", "0.0025", "USD", 1)]
    assert prices["melotts"] == [("second", "0.0004", "USD", 1)]
    assert prices["whisper"] == [("request", "0.0005", "USD", 1)]
    assert prices["m2m100_1_2b"] == [
        ("input_tokens", "0.34", "USD", 1_000_000),
        ("output_tokens", "0.34", "USD", 1_000_000),
    ]


def test_the_only_warnings_are_about_streaming(result: IngestResult) -> None:
    warnings = _about_model_pages(result, Level.WARNING)
    assert {d.field for d in warnings} == {"streaming.supported"}, warnings


@pytest.mark.parametrize(
    ("cost", "price"),
    [
        ("$0.002 / image", ("image", "0.002", "USD", 1)),
        ("0.0004 USD per second", ("second", "0.0004", "USD", 1)),
        ("$0.000001 per token", ("input_tokens", "0.000001", "USD", 1)),
        ("$0.25 per 1M tokens", ("input_tokens", "0.25", "USD", 1_000_000)),
    ],
)
def test_a_cost_in_other_words_is_still_a_price(cost: str, price: tuple[str, str, str, int]) -> None:
    found = _extract(_seed_with(COST_ROW, f"| Model Cost(Input) | {cost} |"))
    first = found.value("pricing")[0]
    assert (first["item"], first["amount"], first["currency"], first["per"]) == price


def test_a_cost_that_cannot_be_read_is_a_warning_naming_file_and_line() -> None:
    found = _extract(_seed_with(COST_ROW, "| Model Cost(Input) | $0.03 per megapixel |"), "dataoorts/x.md")
    warnings = [d for d in found.diagnostics if d.level is Level.WARNING]
    assert [d.render() for d in warnings] == [
        "dataoorts/x.md:28: warning: cost '$0.03 per megapixel' not read: "
        "unit 'megapixel' is none of tokens, requests, images, seconds, characters, credits"
    ]
    assert warnings[0].field == "pricing"
    assert [p["item"] for p in found.value("pricing")] == ["output_tokens"]
