"""The committed catalog: valid entries, valid schemas, a format schema in step with the model."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from generator.catalog.schema import render_entry_schema
from generator.catalog.store import ENTRY_SCHEMA_RESOURCE, dump_entry, load_catalog, parse_entry
from tests.conftest import MODELS, REPO

ENTRY_FILES = sorted(MODELS.glob("*/*.yaml"))


def test_entry_format_schema_is_in_step_with_the_model() -> None:
    committed = (REPO / "generator" / "catalog" / ENTRY_SCHEMA_RESOURCE).read_text("utf-8")
    assert committed == render_entry_schema(), "run `python -m generator.catalog.schema`"


@pytest.mark.parametrize("path", ENTRY_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_schemas_are_valid_draft_2020_12(path: Path) -> None:
    entry = parse_entry(path.read_text("utf-8"), str(path))
    for schema in (entry.input_schema, entry.output_schema, entry.streaming.chunk_schema or {}):
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", ENTRY_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_entries_round_trip_through_the_store(path: Path) -> None:
    text = path.read_text("utf-8")
    assert dump_entry(parse_entry(text, str(path))) == text


def test_a_file_that_is_not_an_entry_is_named_with_its_problem() -> None:
    with pytest.raises(ValueError, match=r"broken.yaml: not a catalog entry: .*provider"):
        parse_entry("format: 1\nslug: x\n", "broken.yaml")


def test_catalog_loads_sorted() -> None:
    catalog = load_catalog(MODELS)
    assert [e.key for e in catalog] == sorted(e.key for e in catalog)
    assert catalog.providers() == ["cloudflare", "dataoorts", "segmind"]
