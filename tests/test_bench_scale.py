"""The bench's synthetic catalogs: N clones ingest into N entries with N distinct schemas, no errors."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from generator.catalog.store import Catalog
from generator.diagnostics import has_errors
from generator.ingest.pipeline import IngestInputs, ingest
from tests.bench_scale import (
    SOURCES,
    all_seeds,
    edit_one,
    edit_outside_schemas,
    synthetic_sources,
    write_files,
)

SIZE = len(all_seeds()) + 3  # the first three seeds cloned twice


def ingested(root: Path) -> Catalog:
    result = ingest(IngestInputs.beside(root / SOURCES))
    assert not has_errors(result.diagnostics), [d.render() for d in result.diagnostics]
    return result.catalog


def schemas(catalog: Catalog) -> dict[str, str]:
    return {e.model_id: json.dumps(e.input_schema, sort_keys=True) for e in catalog}


def test_every_clone_is_an_entry_with_a_schema_of_its_own(tmp_path: Path) -> None:
    files = synthetic_sources(SIZE)
    write_files(tmp_path, files)

    catalog = ingested(tmp_path)

    assert len(catalog) == SIZE
    assert len(set(schemas(catalog).values())) == SIZE
    first_three = {e.provider for e in catalog if e.model_id.endswith(("-c0000", "-c0001", "-c0002"))}
    assert first_three == {"cloudflare", "dataoorts", "segmind"}  # the providers take turns
    assert synthetic_sources(SIZE) == files  # deterministic


def test_editing_one_document_changes_one_schema(tmp_path: Path) -> None:
    files = synthetic_sources(SIZE)
    write_files(tmp_path, files)
    before = schemas(ingested(tmp_path))

    edited = edit_one(tmp_path, files)
    after = schemas(ingested(tmp_path))
    assert edit_one(tmp_path, files, 2) == edited
    again = schemas(ingested(tmp_path))

    assert edited.is_relative_to(SOURCES)
    clone_0 = next(model for model in before if model.endswith("-c0000"))
    assert [model for model in before if before[model] != after[model]] == [clone_0]
    assert [model for model in after if after[model] != again[model]] == [clone_0]  # each edit its own


def test_editing_outside_the_schemas_changes_one_entry_and_no_schema(tmp_path: Path) -> None:
    files = synthetic_sources(SIZE)
    write_files(tmp_path, files)
    entries = []
    for edit in (0, 1, 2):
        if edit:
            assert edit_outside_schemas(tmp_path, files, edit).is_relative_to(SOURCES)
        entries.append({e.model_id: e for e in ingested(tmp_path)})
    clone_0 = next(model for model in entries[0] if model.endswith("-c0000"))
    for older, newer in itertools.pairwise(entries):  # each edit its own
        assert [model for model in older if older[model] != newer[model]] == [clone_0]
        assert older[clone_0].description != newer[clone_0].description
        assert schemas(Catalog(tuple(older.values()))) == schemas(Catalog(tuple(newer.values())))
