"""Catalog entries as ingest writes them (from the seed fixtures): valid schemas, a format schema in step."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from generator.catalog.entry import CatalogEntry
from generator.catalog.entry_format import ENTRY_SCHEMA_RESOURCE
from generator.catalog.schema import render_entry_schema
from generator.catalog.store import dump_entry, entry_path, load_catalog, parse_entry
from tests.conftest import REPO, seed_catalog

ENTRIES = list(seed_catalog())


def _written(project: Path, entry: CatalogEntry) -> Path:
    """The entry's file as `cardgen ingest` wrote it in the seed project."""
    return project / "catalog" / "models" / entry_path(entry)


def test_entry_format_schema_is_in_step_with_the_model() -> None:
    committed = (REPO / "generator" / "catalog" / ENTRY_SCHEMA_RESOURCE).read_text("utf-8")
    assert committed == render_entry_schema(), "run `python -m generator.catalog.schema`"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.provider}/{e.slug}")
def test_schemas_are_valid_draft_2020_12(seed_project: Path, entry: CatalogEntry) -> None:
    path = _written(seed_project, entry)
    written = parse_entry(path.read_text("utf-8"), str(path))
    for schema in (written.input_schema, written.output_schema, written.streaming.chunk_schema or {}):
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.provider}/{e.slug}")
def test_entries_round_trip_through_the_store(seed_project: Path, entry: CatalogEntry) -> None:
    path = _written(seed_project, entry)
    text = path.read_text("utf-8")
    assert text == dump_entry(entry)
    assert dump_entry(parse_entry(text, str(path))) == text


def test_a_file_that_is_not_an_entry_is_named_with_its_problem() -> None:
    with pytest.raises(ValueError, match=r"broken.yaml: not a catalog entry: .*provider"):
        parse_entry("format: 1\nslug: x\n", "broken.yaml")


def test_catalog_loads_sorted(seed_project: Path) -> None:
    catalog = load_catalog(seed_project / "catalog" / "models")
    assert len(catalog) == 5
    assert [e.key for e in catalog] == sorted(e.key for e in catalog)
    assert catalog.providers() == ["cloudflare", "dataoorts", "segmind"]


# Characters YAML treats specially: line breaks (NEL, LS, PS), controls, BOM, quotes, tabs, non-BMP.
AWKWARD = [chr(c) for c in range(0x00, 0x100)] + ["\u2028", "\u2029", "\ufeff", "\ufffe", "\U0001f600"]


@pytest.mark.parametrize("char", AWKWARD, ids=lambda c: f"U+{ord(c):04X}")
def test_any_character_round_trips_through_the_store(char: str) -> None:
    entry = ENTRIES[0]
    # Each text a scalar of its own, so each gets the style the dumper picks for it.
    texts = [f"a{char}b", char, f"line one\nline{char} two", f"{char} lead", f"trail {char}", f"x\n{char}\ny"]
    changed = entry.model_copy(
        update={"description": texts[0], "input_schema": {**entry.input_schema, "examples": texts}}
    )
    assert parse_entry(dump_entry(changed), "x.yaml") == changed


@pytest.mark.parametrize(
    "char", ["\u202e", "\u2066", "\u200b", "\u00a0", "\ufeff", "\U000e0001"], ids=lambda c: f"U+{ord(c):04X}"
)
def test_a_character_that_would_hide_or_reorder_text_is_written_escaped(char: str) -> None:
    """A bidi override or a zero-width character, raw in an entry, shows a reader (and a reviewed
    diff) other text than the entry holds; double quotes escape it, other text stays readable."""
    entry = ENTRIES[0]
    texts = [f"naïve {char} 日本語", f"line one\nline{char} two", "naïve 日本語"]
    changed = entry.model_copy(
        update={"description": texts[0], "input_schema": {**entry.input_schema, "examples": texts}}
    )
    text = dump_entry(changed)
    assert char not in text
    assert "- naïve 日本語" in text
    assert text.count("naïve ") == 3  # readable beside the escape too, in every string
    assert parse_entry(text, "x.yaml") == changed


def test_a_long_escaped_property_name_reads_back() -> None:
    """Escaped, 121 characters become 1,207 (`\\U0001F600` is ten): more than the 1024 a reader
    allows a simple key, so such a key is written `? "..."`."""
    entry = ENTRIES[0]
    name = "\U0001f600" * 120 + "\u200b"
    properties = {**entry.input_schema.get("properties", {}), name: {"type": "string"}}
    changed = entry.model_copy(update={"input_schema": {**entry.input_schema, "properties": properties}})
    text = dump_entry(changed)
    assert "\u200b" not in text
    assert parse_entry(text, "x.yaml") == changed


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"], ids=lambda c: f"U+{ord(c):04X}")
def test_a_line_break_only_yaml_1_1_knows_is_written_escaped(char: str) -> None:
    """NEL, LS and PS are line breaks to YAML 1.1 (PyYAML) and plain characters to YAML 1.2 (most other
    parsers): written raw, a folded or indented line reads back with other spaces there. Written
    escaped (`\\N`, `\\L`, `\\P` in double quotes), no reading of line breaks applies to them; the
    round trip is checked with PyYAML, the only YAML library here."""
    entry = ENTRIES[0]
    texts = [
        f"a{char}b",
        f"a long sentence that is folded {char} somewhere " * 4,
        f"line one\nline{char} two",
    ]
    changed = entry.model_copy(
        update={"description": texts[0], "input_schema": {**entry.input_schema, "examples": texts}}
    )
    text = dump_entry(changed)
    assert char not in text
    assert parse_entry(text, "x.yaml") == changed
