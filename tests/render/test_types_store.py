"""Typed code kept across runs (generator/render/types_store.py): found only by a run that would make
the same code, never trusted when damaged, made by workers and written by the run, kept bounded."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog
from generator.render.model_types import types_key
from generator.render.render import TypedViews
from generator.render.types_store import SPARE, TypesStore
from tests.conftest import REPO
from tests.render.pipeline import ok, run_python
from tests.render.test_parallel_typing import _fixture

ROLES = json.dumps({"Request": {"type": "object", "properties": {"prompt": {"type": "string"}}}})
TYPED = ("class Request(StrictModel):\n    prompt: str | None = None\n", ("Request",))


def _store(folder: Path, toolchain: str = "tools-a") -> TypesStore:
    return TypesStore(folder, toolchain)


def test_what_a_run_made_is_found_by_the_next_once_written(tmp_path: Path) -> None:
    first = _store(tmp_path)
    key = first.key(ROLES, "..._models", frozenset())
    assert first.get(key) is None
    first.keep(key, TYPED)
    assert first.get(key) == TYPED  # this run's own, before it is written
    assert not any(tmp_path.iterdir())  # nothing written before write()
    first.write(models=1)
    assert _store(tmp_path).get(key) == TYPED
    assert first.made == {}


def test_the_key_is_everything_the_code_is_made_of(tmp_path: Path) -> None:
    store = _store(tmp_path)
    key = store.key(ROLES, "..._models", frozenset())
    others = {
        _store(tmp_path, "tools-b").key(ROLES, "..._models", frozenset()),  # another toolchain
        store.key(ROLES.replace("prompt", "promp"), "..._models", frozenset()),  # other schemas
        store.key(ROLES, "._models", frozenset()),  # another runtime module
        store.key(ROLES, "..._models", frozenset({"prompt"})),  # a name reserved
    }
    assert key not in others and len(others) == 4
    assert store.key(ROLES, "..._models", frozenset({"a", "b"})) == store.key(
        ROLES, "..._models", frozenset("ba")
    )


def test_a_damaged_file_is_not_trusted(tmp_path: Path) -> None:
    store = _store(tmp_path)
    key = store.key(ROLES, "..._models", frozenset())
    store.keep(key, TYPED)
    store.write(models=1)
    path = tmp_path / f"{key}.json"
    text = path.read_text("utf-8")
    damaged = {
        "cut short": text[: len(text) // 2],
        "code edited": text.replace("prompt: str", "prompt: int"),
        "not an object": "[]",
        "variants not names": json.dumps({**json.loads(text), "variants": [1]}),
        "no digest": json.dumps({k: v for k, v in json.loads(text).items() if k != "sha256"}),
    }
    for why, broken in damaged.items():
        path.write_text(broken, "utf-8")
        assert _store(tmp_path).get(key) is None, why
    path.unlink()
    assert _store(tmp_path).get(key) is None


def test_the_folder_keeps_the_most_recently_used_files(tmp_path: Path) -> None:
    store = _store(tmp_path)
    keys = [store.key(ROLES, "..._models", frozenset({str(n)})) for n in range(SPARE + 6)]
    for key in keys:
        store.keep(key, TYPED)
    store.write(models=SPARE)  # room for 3 * SPARE files
    assert len(list(tmp_path.iterdir())) == len(keys)
    for age, key in enumerate(keys):  # written oldest first
        os.utime(tmp_path / f"{key}.json", ns=((age + 1) * 10**9, (age + 1) * 10**9))
    assert _store(tmp_path).get(keys[0]) == TYPED  # the oldest, used now: the newest
    _store(tmp_path).write(models=0)  # room for SPARE files
    left = {path.stem for path in tmp_path.iterdir()}
    assert left == {keys[0], *keys[-(SPARE - 1) :]}


def test_a_run_that_writes_nothing_leaves_the_files_unmarked(tmp_path: Path) -> None:
    store = _store(tmp_path)
    key = store.key(ROLES, "..._models", frozenset())
    store.keep(key, TYPED)
    store.write(models=1)
    path = tmp_path / f"{key}.json"
    os.utime(path, ns=(0, 0))
    assert TypesStore(tmp_path, "tools-a", touch=False).get(key) == TYPED
    assert path.stat().st_mtime_ns == 0


def _typed(catalog: Catalog, tmp_path: Path, store: Path, *workers: int | str) -> list[TypedViews]:
    """typed_views with a store in folder, once per workers value, cold caches, a fresh interpreter."""
    given, out = tmp_path / "catalog.pickle", tmp_path / "typed.pickle"
    given.write_bytes(pickle.dumps(catalog))
    ok(run_python("-m", "tests.render.typed_child", given, out, "--store", store, *workers, cwd=REPO))
    typed: list[TypedViews] = pickle.loads(out.read_bytes())
    return typed


def _reworded(entry: CatalogEntry) -> CatalogEntry:
    """The same schemas, the model otherwise changed."""
    return entry.model_copy(update={"description": f"{entry.description} Reworded."})


def test_models_typed_by_workers_are_typed_from_the_store_in_the_next_run(tmp_path: Path) -> None:
    """What forked workers or the helper process made comes back with their results and is kept."""
    catalog = _fixture()
    distinct = len({types_key(entry) for entry in catalog})
    changed = Catalog(tuple(_reworded(entry) for entry in catalog))
    for workers in (2, "helper"):
        store = tmp_path / f"store-{workers}"
        [first] = _typed(catalog, tmp_path, store, workers)
        assert first.processes == (2 if workers == 2 else 1)  # the pool forked, or the helper typed
        assert first.codegen_runs >= distinct
        assert len(list(store.iterdir())) >= distinct
        [again] = _typed(changed, tmp_path, store, 1)
        assert again.codegen_runs == 0  # every model's types were found
        assert not again.problems
        assert [view.types for view in again.views] == [view.types for view in first.views]
        assert [view.entry for view in again.views] == list(changed)


def test_a_changed_schema_is_typed_again_and_the_rest_found(tmp_path: Path) -> None:
    catalog = _fixture()
    store = tmp_path / "store"
    [cold] = _typed(catalog, tmp_path, store, 1)
    target = next(entry for entry in catalog if entry.input_schema.get("properties"))
    schema = {**target.input_schema, "description": "Reworded inside the schema."}
    edited = target.model_copy(update={"input_schema": schema})
    changed = Catalog(tuple(edited if entry.key == target.key else entry for entry in catalog))
    [warm] = _typed(changed, tmp_path, store, 1)
    [alone] = _typed(Catalog((edited,)), tmp_path, tmp_path / "alone", 1)
    assert cold.codegen_runs > warm.codegen_runs == alone.codegen_runs >= 1  # the edited schema's alone
    [fresh] = _typed(changed, tmp_path, tmp_path / "fresh", 1)
    assert [view.types for view in warm.views] == [view.types for view in fresh.views]


def test_a_folder_that_cannot_be_written_only_costs_the_work_again(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", "utf-8")
    store = _store(blocked / "types")  # below a file: nothing can be made there
    key = store.key(ROLES, "..._models", frozenset())
    store.keep(key, TYPED)
    store.write(models=1)
    assert store.made == {}
    assert _store(blocked / "types").get(key) is None
