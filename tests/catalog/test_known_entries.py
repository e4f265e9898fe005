"""No-op regeneration: entry files whose text the lock records as validated skip the entry schema check."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from generator.catalog import store
from generator.catalog.entry import CatalogEntry
from generator.catalog.entry_format import entry_schema_digest
from generator.catalog.store import (
    Catalog,
    KnownEntries,
    Written,
    dump_entry,
    entry_format_errors,
    entry_path,
    load_catalog,
    read_catalog,
)
from generator.lockfile import build_lock, lock_text, model_key, read_lock
from tests.conftest import seed_catalog


def _write(catalog: Catalog, directory: Path) -> Path:
    for entry in catalog:
        path = directory / entry_path(entry)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_entry(entry), "utf-8")
    return directory


def _lock_text_of(catalog: Catalog, texts: dict[str, str]) -> str:
    keys = {model_key(entry): f"key-{entry.slug}" for entry in catalog}
    return lock_text(build_lock(catalog, "modelsdk", "0.1.0", keys, {}, None, texts))


def test_the_lock_records_each_validated_text_and_the_next_load_trusts_it(
    tmp_path: Path,
) -> None:
    models = _write(seed_catalog(), tmp_path / "models")
    first = read_catalog(models)
    assert sorted(first.texts) == sorted(str(entry_path(e)) for e in seed_catalog())
    lock_file = tmp_path / "cardgen.lock"
    lock_file.write_text(_lock_text_of(first.catalog, first.texts), "utf-8")
    lock = read_lock(lock_file)
    assert lock is not None
    assert (lock.entry_texts, lock.entry_schema) == (first.texts, entry_schema_digest())
    again = read_catalog(models, lock.known_entries())
    assert again.catalog == load_catalog(models)  # the recorded entries are the parsed ones
    assert again.texts == first.texts


def _checked(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every entry checked against the entry schema from now on."""
    seen: list[object] = []

    def spy(data: object) -> list[str]:
        seen.append(data)
        return entry_format_errors(data)

    monkeypatch.setattr(store, "entry_format_errors", spy)
    return seen


def test_an_unchanged_text_is_not_checked_against_the_entry_schema_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = _write(seed_catalog(), tmp_path / "models")
    known = KnownEntries(entry_schema_digest(), read_catalog(models).texts)
    expected = load_catalog(models)
    checked = _checked(monkeypatch)
    assert read_catalog(models, known).catalog == expected
    assert checked == []


def test_an_edited_text_is_checked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    models = _write(seed_catalog(), tmp_path / "models")
    known = KnownEntries(entry_schema_digest(), read_catalog(models).texts)
    path = sorted(models.glob("*/*.yaml"))[0]
    path.write_text(path.read_text("utf-8") + "unknown_field: 1\n", "utf-8")
    checked = _checked(monkeypatch)
    with pytest.raises(ValueError, match="not a catalog entry"):
        read_catalog(models, known)
    assert len(checked) == 1


def test_another_entry_schema_checks_everything_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = _write(seed_catalog(), tmp_path / "models")
    stale = KnownEntries("an older entry schema", read_catalog(models).texts)
    checked = _checked(monkeypatch)
    read_catalog(models, stale)
    assert len(checked) == len(seed_catalog())


def test_a_file_holding_another_models_entry_is_never_recorded(tmp_path: Path) -> None:
    models = _write(seed_catalog(), tmp_path / "models")
    first, second = sorted(models.glob("*/*.yaml"))[:2]
    first.write_text(second.read_text("utf-8"), "utf-8")
    second.unlink()
    texts = read_catalog(models).texts
    assert first.relative_to(models).as_posix() not in texts


def _written(models: Path, catalog: Catalog) -> dict[str, Written]:
    """What an ingest in this process would hand over for the files it wrote: each entry as marked."""
    written = {}
    for entry in catalog:
        text = (models / entry_path(entry)).read_text("utf-8")
        marked = entry.model_copy(update={"description": "handed over"})  # not what the file says
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        written[str(entry_path(entry))] = Written(digest, marked, marked.model_dump_json())
    return written


def test_entries_an_ingest_just_wrote_are_taken_as_it_hands_them_over(tmp_path: Path) -> None:
    models = _write(seed_catalog(), tmp_path / "models")
    known = KnownEntries(entry_schema_digest(), read_catalog(models).texts)
    loaded = read_catalog(models, known, {}, _written(models, seed_catalog()))
    assert {entry.description for entry in loaded.catalog} == {"handed over"}  # not parsed again
    assert loaded.texts == known.texts
    assert all(
        CatalogEntry.model_validate_json(text).description == "handed over" for text in loaded.parsed.values()
    )


def test_a_handed_over_entry_is_not_taken_for_another_text_or_an_unchecked_one(tmp_path: Path) -> None:
    models = _write(seed_catalog(), tmp_path / "models")
    written = _written(models, seed_catalog())
    unknown = read_catalog(models, None, {}, written)  # nothing validated before: every file parsed
    assert "handed over" not in {entry.description for entry in unknown.catalog}
    known = KnownEntries(entry_schema_digest(), read_catalog(models).texts)
    path = sorted(models.glob("*/*.yaml"))[0]
    path.write_text(path.read_text("utf-8") + "\n", "utf-8")  # another text, the same entry
    edited = read_catalog(models, known, {}, written)
    name = path.relative_to(models).as_posix()
    [entry] = [e for e in edited.catalog if str(entry_path(e)) == name]
    assert entry.description != "handed over"  # its text changed after the hand-over: read from the file


def test_the_json_a_load_knows_of_each_entry_is_its_own(tmp_path: Path) -> None:
    """What generate keys the models by, without dumping each entry again."""
    models = _write(seed_catalog(), tmp_path / "models")
    first = read_catalog(models)
    known = KnownEntries(entry_schema_digest(), first.texts)
    for loaded in (
        first,
        read_catalog(models, known, first.parsed),
        read_catalog(models, known, {}, _written(models, seed_catalog())),
    ):
        jsons = loaded.entry_jsons()
        assert sorted(jsons) == sorted(f"{e.provider}/{e.slug}" for e in loaded.catalog)
        assert all(jsons[f"{e.provider}/{e.slug}"] == e.model_dump_json() for e in loaded.catalog)
