"""The lock holds digests per model; the entries it was generated from live in the content store beside it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog
from generator.digests import sha256_text
from generator.entry_store import STORE_DIR, blob_path
from generator.generate import Previous, generate
from generator.lockfile import (
    LOCK_NAME,
    Lock,
    build_lock,
    footprint,
    lock_text,
    model_key,
    read_lock,
)
from generator.render.changelog import CHANGELOG_NAME
from generator.render.render import RenderOptions
from generator.tree import UnsafeTarget, compare_tree, write_tree
from tests.conftest import seed_catalog


def _entry(slug: str) -> CatalogEntry:
    return next(e for e in seed_catalog() if e.slug == slug)


TINY = _entry("tinyllama_1_1b_chat_v1_0")


def _clone(base: CatalogEntry, slug: str, **changes: Any) -> CatalogEntry:
    return base.model_copy(update={"slug": slug, "model_id": f"@cf/{slug}", **changes})


def _catalog(*entries: CatalogEntry) -> Catalog:
    return Catalog(tuple(sorted(entries, key=lambda e: e.key)))


def _lock(
    catalog: Catalog, files: dict[PurePosixPath, str] | None = None, previous: Lock | None = None
) -> Lock:
    keys = {model_key(e): sha256_text(e.model_dump_json()) for e in catalog}
    return build_lock(catalog, "modelsdk", "0.1.0", keys, files or {}, previous)


def _write(out: Path, lock: Lock) -> str:
    """The lock and its store as generate writes them; the lock's text."""
    text = lock_text(lock)
    files = {LOCK_NAME: text, **{blob_path(d): t for d, t in lock.store.items()}}
    write_tree(out, files)
    return text


def _model_lines(text: str) -> dict[str, str]:
    lines = text.split("\n")
    start = lines.index(' "models": {') + 1
    return {line.split('"')[1]: line.rstrip(",") for line in lines[start:] if line.startswith('  "')}


def _big_schema() -> dict[str, Any]:
    properties = {f"p{i:05d}": {"type": "string", "description": "x" * 120} for i in range(8_000)}
    return {"type": "object", "properties": properties}


def test_a_model_line_is_as_long_with_a_1_mb_schema_as_with_a_tiny_one(tmp_path: Path) -> None:
    big = _big_schema()
    assert len(json.dumps(big)) > 1_000_000
    small = _clone(TINY, "small", input_schema={"type": "object"})
    large = _clone(TINY, "large", input_schema=big)
    catalog = _catalog(small, large)
    files = {
        PurePosixPath(f"modelsdk/types/cloudflare/{e.slug}.py"): json.dumps(e.input_schema) for e in catalog
    }
    text = _write(tmp_path, _lock(catalog, files))
    lines = _model_lines(text)
    assert len(lines["cloudflare/large"]) == len(lines["cloudflare/small"])
    assert len(text) < 4_000
    assert "p00001" not in text

    on_disk = [p.stat().st_size for p in (tmp_path / STORE_DIR).iterdir()]
    assert sum(on_disk) > 1_000_000  # the schema is in the store, once
    lock = _lock(catalog, files)
    # Two entries, two input schemas; their output and chunk schemas are the same, stored once.
    written = {LOCK_NAME: text, **{blob_path(d): t for d, t in lock.store.items()}}
    assert footprint(written) == {"lock_bytes": len(text), "store_bytes": sum(on_disk), "store_files": 6}
    again = read_lock(tmp_path / LOCK_NAME)
    assert again is not None
    assert again.catalog() == catalog


def test_identical_schemas_are_stored_once() -> None:
    clones = [_clone(TINY, f"clone_{i}") for i in range(3)]
    schemas = {
        json.dumps(schema, sort_keys=True)
        for schema in (TINY.input_schema, TINY.output_schema, TINY.streaming.chunk_schema)
    }
    shared = _lock(_catalog(*clones))
    assert len(shared.store) == len(clones) + len(schemas)

    own = _clone(TINY, "own", input_schema={"type": "object", "description": "its own"})
    assert len(_lock(_catalog(*clones, own)).store) == len(shared.store) + 2  # its entry and input schema


def test_the_lock_is_byte_stable_and_reads_back_whole(tmp_path: Path) -> None:
    catalog = seed_catalog()
    text = _write(tmp_path, _lock(catalog))
    assert lock_text(_lock(catalog)) == text
    read = read_lock(tmp_path / LOCK_NAME)
    assert read is not None
    assert lock_text(read) == text
    assert lock_text(_lock(catalog, previous=read)) == text
    assert read.catalog() == catalog
    assert read.catalog(["cloudflare/tinyllama_1_1b_chat_v1_0", "nobody/none"]) == _catalog(TINY)


def test_an_entry_missing_from_the_store_or_edited_is_left_out(tmp_path: Path) -> None:
    catalog = _catalog(TINY, _clone(TINY, "other", description="Another."))
    lock = _lock(catalog)
    _write(tmp_path, lock)
    (tmp_path / blob_path(lock.models["cloudflare/other"].entry)).unlink()
    read = read_lock(tmp_path / LOCK_NAME)
    assert read is not None
    assert read.catalog() == _catalog(TINY)

    tiny = tmp_path / blob_path(lock.models[model_key(TINY)].entry)
    tiny.write_text(tiny.read_text("utf-8").replace("TinyLlama", "HugeLlama"), "utf-8")
    assert read.catalog() == _catalog()


def _format_1(catalog: Catalog, version: str) -> str:
    """A lock as cardgen wrote it before the store: each entry whole in its model's line."""
    head = {"cardgen_lock": 1, "documents": {}, "package": "modelsdk", "toolchain": {}, "version": version}
    lines = [json.dumps(head, indent=1, sort_keys=True)[:-2] + ',\n "models": {']
    for index, entry in enumerate(catalog):
        body = {"entry": entry.model_dump(mode="json", exclude_none=True), "files": {}, "key": "k"}
        comma = "," if index < len(catalog) - 1 else ""
        lines.append(f"  {json.dumps(model_key(entry))}: {json.dumps(body, sort_keys=True)}{comma}")
    lines.append(" }\n}\n")
    return "\n".join(lines)


def test_a_lock_of_format_1_is_read_with_its_entries_and_version(tmp_path: Path) -> None:
    catalog = seed_catalog()
    (tmp_path / LOCK_NAME).write_text(_format_1(catalog, "0.4.2"), "utf-8")
    read = read_lock(tmp_path / LOCK_NAME)
    assert read is not None
    assert (read.version, read.catalog()) == ("0.4.2", catalog)
    assert {m.key for m in read.models.values()} == {"k"}

    rewritten = _write(tmp_path, read)  # as format 2, the entries moved into the store
    assert '"cardgen_lock": 2' in rewritten
    assert all(len(line) < 1_000 for line in _model_lines(rewritten).values())
    again = read_lock(tmp_path / LOCK_NAME)
    assert again is not None
    assert (again.version, again.catalog()) == ("0.4.2", catalog)


@pytest.mark.parametrize(
    "text",
    [
        '{\n "cardgen_lock": 3,\n "version": "1.0.0",\n "models": {\n }\n}\n',
        '{\n "cardgen_lock": 2,\n "version": "1.0.0",\n "models": {\n  "a/b": {"entry": {}}\n }\n}\n',
        "not a lock",
    ],
    ids=["unknown-format", "entry-not-a-digest", "not-json"],
)
def test_a_lock_of_another_format_is_read_as_absent(tmp_path: Path, text: str) -> None:
    (tmp_path / LOCK_NAME).write_text(text, "utf-8")
    assert read_lock(tmp_path / LOCK_NAME) is None


def _narrow_top_p(entry: CatalogEntry) -> CatalogEntry:
    schema = json.loads(json.dumps(entry.input_schema))
    for branch in schema["oneOf"]:
        branch["properties"]["top_p"]["maximum"] = 1
    return entry.model_copy(update={"input_schema": schema})


def _generate(out: Path, catalog: Catalog) -> Lock:
    def intact(files: Mapping[str, str]) -> bool:
        return all(
            (out / p).is_file() and sha256_text((out / p).read_bytes()) == sha for p, sha in files.items()
        )

    changelog = out / CHANGELOG_NAME
    previous = Previous(
        read_lock(out / LOCK_NAME), changelog.read_text("utf-8") if changelog.is_file() else None, intact
    )
    generation = generate(catalog, RenderOptions(), {}, previous)
    write_tree(out, generation.files, generation.kept.keys())
    return generation.lock


def _stored(out: Path) -> set[str]:
    return {p.name for p in (out / STORE_DIR).iterdir()}


def test_a_breaking_change_bumps_against_the_store_and_its_old_entry_is_pruned(tmp_path: Path) -> None:
    other = _entry("deepseek_reasoner")
    first = _generate(tmp_path, _catalog(TINY, other))
    assert _stored(tmp_path) == {f"{d}.json" for d in first.store}

    second = _generate(tmp_path, _catalog(_narrow_top_p(TINY), other))
    assert second.version == "0.2.0"
    changelog = (tmp_path / CHANGELOG_NAME).read_text("utf-8")
    assert "`cloudflare` `@cf/tinyllama/tinyllama-1.1b-chat-v1.0`: changed" in changelog
    assert "`request-range-narrowed` (breaking-wire) at `$.input_schema.oneOf[0]" in changelog
    assert _stored(tmp_path) == {f"{d}.json" for d in second.store}
    gone = set(first.store) - set(second.store)
    assert len(gone) == 2  # the entry and its input schema; its output schemas are the same
    assert second.models["segmind/deepseek_reasoner"] == first.models["segmind/deepseek_reasoner"]

    third = _generate(tmp_path, _catalog(_narrow_top_p(TINY)))  # a model removed: its entry too
    assert third.version == "0.3.0"
    assert _stored(tmp_path) == {f"{d}.json" for d in third.store}
    assert not {f"{d}.json" for d in set(second.store) - set(third.store)} & _stored(tmp_path)


def test_the_store_is_checked_and_never_loses_a_file_cardgen_did_not_write(tmp_path: Path) -> None:
    lock = _generate(tmp_path, _catalog(TINY))
    files = {LOCK_NAME: lock_text(lock), **{blob_path(d): t for d, t in lock.store.items()}}
    edited, deleted = sorted(lock.store)[:2]
    (tmp_path / blob_path(edited)).write_text("{}\n", "utf-8")
    (tmp_path / blob_path(deleted)).unlink()
    diff = compare_tree(tmp_path, files)
    assert (diff.stale, diff.missing) == ([str(blob_path(edited))], [str(blob_path(deleted))])

    mine = tmp_path / STORE_DIR / "notes.txt"
    mine.write_text("mine\n", "utf-8")
    with pytest.raises(UnsafeTarget, match=re.escape("cardgen.store/notes.txt")):
        _generate(tmp_path, _catalog(TINY))
    assert mine.read_text("utf-8") == "mine\n"
