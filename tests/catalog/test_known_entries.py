"""No-op regeneration: entry files whose text the lock records as validated skip the entry schema check."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalog import store
from generator.catalog.store import (
    Catalog,
    KnownEntries,
    dump_entry,
    entry_format_errors,
    entry_path,
    entry_schema_digest,
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
