"""A problem inside a schema is told at its keyword's line, where the document writes it; else at the schema's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.diagnostics import Level
from generator.ingest.pipeline import IngestInputs, ingest
from generator.ingest.schema_lines import keyword_lines
from tests.conftest import PROVIDERS

PAGE = Path(__file__).parent.parent / "fixtures/catalogs/cloudflare/sources/cloudflare/chat-tiny.json"


def _errors(tmp_path: Path, text: str, name: str = "page.json") -> list[str]:
    sources = tmp_path / "sources"
    (sources / "cloudflare").mkdir(parents=True, exist_ok=True)
    (sources / "cloudflare" / name).write_text(text, "utf-8")
    result = ingest(IngestInputs(sources, PROVIDERS, tmp_path / "overlays"))
    return [d.render() for d in result.diagnostics if d.level is Level.ERROR and d.file.endswith(name)]


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _page(change: object, indent: int | None = 2) -> str:
    page = json.loads(PAGE.read_text("utf-8"))
    change(page["schema"]["input"])  # type: ignore[operator]
    return json.dumps(page, indent=indent)


def _bad_type(schema: dict[str, object]) -> None:
    branches = schema.get("oneOf") or [schema]
    branches[0]["properties"]["prompt"]["type"] = "integr"  # type: ignore[index]


def test_a_metaschema_error_is_told_at_the_keyword(tmp_path: Path) -> None:
    text = _page(_bad_type)
    [message] = _errors(tmp_path, text)
    line = _line_of(text, '"integr"')
    assert message.startswith(f"sources/cloudflare/page.json:{line}: error: ")
    assert line > _line_of(text, '"input"') + 3  # not the schema's first line


def test_a_refused_keyword_is_told_at_its_line(tmp_path: Path) -> None:
    def refused(schema: dict[str, object]) -> None:
        branches = schema.get("oneOf") or [schema]
        branches[-1]["properties"]["messages"]["unevaluatedProperties"] = False  # type: ignore[index]

    text = _page(refused)
    errors = _errors(tmp_path, text)
    line = _line_of(text, '"unevaluatedProperties"')
    assert errors and all(
        e.startswith(f"sources/cloudflare/page.json:{line}: error: input_schema at ") for e in errors
    )


def test_a_schema_on_one_line_is_told_on_that_line(tmp_path: Path) -> None:
    text = _page(_bad_type, indent=None)
    assert text.count("\n") == 0
    assert _errors(tmp_path, text)[0].startswith("sources/cloudflare/page.json:1: error: ")


@pytest.mark.parametrize(
    ("text", "first", "expected"),
    [
        ('{"a": {"type": "object",\n  "x": 1}}', 1, {"": 1, "/x": 2, "/type": 1, "/nope": 1}),
        # the schema on line 2 is another value than the entry's: its first line stands for every path
        ('{\n"b": {"type": "object", "x": 2}}', 2, {"/x": 2, "/type": 2}),
        # written over two lines, `x` another value than the entry's (an overlay changed it): not its line
        ('{"type": "object",\n "x": 2}', 1, {"/x": 1, "/type": 1}),
        # written as a JSON string inside YAML: not located
        ('input: "{\\"type\\": \\"object\\", \\"x\\": 1}"', 1, {"/x": 1}),
    ],
)
def test_keyword_lines_are_certain_or_the_schema_s_first(
    text: str, first: int, expected: dict[str, int]
) -> None:
    at = keyword_lines(text, first, {"type": "object", "x": 1})
    assert {path: at(path) for path in expected} == expected


def test_without_the_document_every_path_is_the_schema_s_line() -> None:
    assert keyword_lines(None, 7, {"type": "object"})("/type") == 7
