"""Typed code kept across runs (generator/render/types_store.py): found only by a run that would make
the same code, never trusted when damaged, made by workers and written by the run, and only what
the catalog's models took kept."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog
from generator.render import toolchain as render_toolchain
from generator.render.model_types import types_key
from generator.render.render import TypedViews
from generator.render.types_store import TypesStore
from tests.conftest import REPO
from tests.render.pipeline import ok, run_python
from tests.render.test_parallel_typing import _fixture

ROLES = json.dumps({"Request": {"type": "object", "properties": {"prompt": {"type": "string"}}}})
TYPED = ("class Request(StrictModel):\n    prompt: str | None = None\n", ("Request",))


def _store(folder: Path, toolchain: str = "tools-a") -> TypesStore:
    return TypesStore(folder, toolchain)


def _key(store: TypesStore, *reserved: str) -> str:
    return store.key(ROLES, "..._models", frozenset(reserved))


def _typed_by(store: TypesStore, model: str, *keys: str) -> None:
    """As a model's typing does: the keys it took, each made here."""
    mark = store.mark()
    for key in keys:
        store.keep(key, TYPED)
    store.take(model, store.since(mark))


def test_what_a_run_made_is_found_by_the_next_once_written(tmp_path: Path) -> None:
    first = _store(tmp_path)
    key = _key(first)
    assert first.get(key) is None
    _typed_by(first, "p/a", key)
    assert first.get(key) == TYPED  # this run's own, before it is written
    assert not any(tmp_path.iterdir())  # nothing written before write()
    first.write(["p/a"])
    assert _store(tmp_path).get(key) == TYPED
    assert first.made == {}


def test_the_key_is_everything_the_code_is_made_of(tmp_path: Path) -> None:
    store = _store(tmp_path)
    others = {
        _key(_store(tmp_path, "tools-b")),  # another toolchain
        store.key(ROLES.replace("prompt", "promp"), "..._models", frozenset()),  # other schemas
        store.key(ROLES, "._models", frozenset()),  # another runtime module
        _key(store, "prompt"),  # a name reserved
    }
    assert _key(store) not in others and len(others) == 4
    assert _key(store, "a", "b") == _key(store, "b", "a")


def test_the_toolchain_is_what_makes_the_code_not_the_templates_or_the_formatter(tmp_path: Path) -> None:
    tools = render_toolchain.toolchain()
    same = TypesStore.of(tmp_path, tools).toolchain
    assert TypesStore.of(tmp_path, {**tools, "templates": "other", "ruff": "0.0.1"}).toolchain == same
    for maker in ("cardgen", "renderer", "datamodel-code-generator", "pydantic"):
        assert TypesStore.of(tmp_path, {**tools, maker: "other"}).toolchain != same, maker


def test_a_damaged_or_moved_file_is_not_trusted(tmp_path: Path) -> None:
    store = _store(tmp_path)
    key, other = _key(store), _key(store, "other")
    _typed_by(store, "p/a", key)
    store.write(["p/a"])
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
    (tmp_path / f"{other}.json").write_text(text, "utf-8")  # another key's file, under this name
    assert _store(tmp_path).get(other) is None
    path.unlink()
    assert _store(tmp_path).get(key) is None


def test_the_folder_keeps_the_catalogs_models_typed_code_and_nothing_else(tmp_path: Path) -> None:
    first = _store(tmp_path)
    _typed_by(first, "p/a", _key(first, "a"))
    _typed_by(first, "p/b", _key(first, "b"), _key(first, "b", "round 2"))  # two shadowing rounds
    first.write(["p/a", "p/b"])
    (tmp_path / ".left-by-a-killed-run.json.part").write_text("", "utf-8")
    # Model a's schema is edited a hundred times; b is reused each time: its files stay, a's old ones go.
    for edit in range(100):
        run = _store(tmp_path)
        _typed_by(run, "p/a", _key(run, "a", str(edit)))
        run.write(["p/a", "p/b"])
    b_files = {f"{_key(first, 'b')}.json", f"{_key(first, 'b', 'round 2')}.json"}
    assert {path.name for path in tmp_path.iterdir()} == {
        "index.json",
        f"{_key(first, 'a', '99')}.json",
        *b_files,
    }
    # b leaves the catalog: its files go too.
    _store(tmp_path).write(["p/a"])
    assert {path.name for path in tmp_path.iterdir()} == {"index.json", f"{_key(first, 'a', '99')}.json"}
    # A damaged index keeps only what the run itself typed.
    (tmp_path / "index.json").write_text("{", "utf-8")
    run = _store(tmp_path)
    _typed_by(run, "p/c", _key(run, "c"))
    run.write(["p/a", "p/c"])
    assert {path.name for path in tmp_path.iterdir()} == {"index.json", f"{_key(run, 'c')}.json"}


def test_finding_typed_code_writes_nothing(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _typed_by(store, "p/a", _key(store))
    store.write(["p/a"])
    before = {path.name: path.stat().st_mtime_ns for path in tmp_path.iterdir()}
    again = _store(tmp_path)
    mark = again.mark()
    assert again.get(_key(store)) == TYPED
    again.take("p/a", again.since(mark))
    again.write(["p/a"])  # typed from the folder alone: nothing to write, not even the index
    assert {path.name: path.stat().st_mtime_ns for path in tmp_path.iterdir()} == before


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
    _typed_by(store, "p/a", _key(store))
    store.write(["p/a"])
    assert store.made == {}
    assert _store(blocked / "types").get(_key(store)) is None
