"""Models typed on several processes come out as on one: same views, same problems, same order.

The catalog is the Cloudflare fixture ingested in memory (40 models, many schemas), typed in a
fresh interpreter (tests/render/typed_child.py) so the pool really forks; caches are cleared
first, so the workers really run the code generator.
"""

from __future__ import annotations

import pickle
import threading
from functools import cache
from pathlib import Path

from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog
from generator.diagnostics import has_errors
from generator.ingest.pipeline import IngestInputs, ingest
from generator.lockfile import model_key
from generator.render.model_types import types_key
from generator.render.render import RenderOptions, TypedViews, typed_views
from generator.render.resources import resource_modules
from tests.conftest import FIXTURES, REPO
from tests.render.pipeline import ok, run_python

FIXTURE = FIXTURES / "catalogs" / "cloudflare"
OPTIONS = RenderOptions()
# The code generator refuses a definition name with a dot (it reads it as a module path).
REFUSED_SCHEMA = {
    "type": "object",
    "properties": {"a": {"$ref": "#/$defs/a.b"}},
    "$defs": {"a.b": {"type": "string"}},
}


@cache
def _fixture() -> Catalog:
    result = ingest(IngestInputs(FIXTURE / "sources", FIXTURE / "providers", FIXTURE / "overlays"))
    assert not has_errors(result.diagnostics), result.diagnostics
    return result.catalog


def _typed(catalog: Catalog, tmp_path: Path, *workers: int | str) -> list[TypedViews]:
    """typed_views of catalog once per workers value, each with cold caches, in a fresh interpreter."""
    given, out = tmp_path / "catalog.pickle", tmp_path / "typed.pickle"
    given.write_bytes(pickle.dumps(catalog))
    ok(run_python("-m", "tests.render.typed_child", given, out, *workers, cwd=REPO))
    typed: list[TypedViews] = pickle.loads(out.read_bytes())
    processes = [1 if count == "helper" else count for count in workers]
    assert [result.processes for result in typed] == processes  # the pool really ran, or did not
    return typed


def _clone(entry: CatalogEntry, index: int) -> CatalogEntry:
    """The same schemas under another name."""
    return entry.model_copy(update={"slug": f"{entry.slug}_{index}", "model_id": f"{entry.model_id}-{index}"})


def test_two_processes_type_every_model_as_one_does(tmp_path: Path) -> None:
    catalog = _fixture()
    assert len({types_key(entry) for entry in catalog}) >= 10
    pooled, serial = _typed(catalog, tmp_path, 2, 1)
    assert not serial.problems
    assert [view.entry.key for view in pooled.views] == [entry.key for entry in catalog]
    assert pooled.views == serial.views
    assert pooled.codegen_runs == serial.codegen_runs
    # Each worker renders the resource modules of the models it typed: the text this process renders.
    assert pooled.modules == serial.modules
    assert pooled.modules == {model_key(view.entry): resource_modules(view) for view in serial.views}


def test_the_helper_process_types_every_model_as_this_one_does(tmp_path: Path) -> None:
    catalog = _fixture()
    helped, serial = _typed(catalog, tmp_path, "helper", 1)
    assert not helped.problems
    assert helped.views == serial.views
    assert helped.codegen_runs == serial.codegen_runs
    assert len(helped.modules) == len(catalog)
    assert helped.modules == serial.modules


def test_identical_schemas_run_the_code_generator_once_across_processes(tmp_path: Path) -> None:
    originals = sorted(_fixture(), key=types_key)[::5]  # several distinct schemas
    [one_each] = _typed(Catalog(tuple(originals)), tmp_path, 1)
    clones = [_clone(entry, index) for index in range(4) for entry in originals]
    catalog = Catalog(tuple(sorted(clones, key=lambda e: e.key)))
    [pooled] = _typed(catalog, tmp_path, 2)
    assert len(pooled.views) == 4 * len(originals)
    assert pooled.codegen_runs == one_each.codegen_runs > 0


def test_problems_of_every_model_are_reported_together_in_catalog_order(tmp_path: Path) -> None:
    entries = list(_fixture())
    bad = {3: "schema", 17: "id", 30: "schema"}
    for index, kind in bad.items():
        change = {"input_schema": REFUSED_SCHEMA} if kind == "schema" else {"model_id": "../../admin"}
        entries[index] = entries[index].model_copy(update=change)
    catalog = Catalog(tuple(entries))
    pooled, serial = _typed(catalog, tmp_path, 2, 1)
    assert pooled.problems == serial.problems
    assert len(pooled.views) == len(entries) - len(bad)
    assert len(pooled.problems) == len(bad)
    for problem, (index, kind) in zip(pooled.problems, bad.items(), strict=True):
        assert problem.startswith(f"{OPTIONS.catalog_label}/{entries[index].provider}/"), problem
        assert entries[index].slug in problem.splitlines()[0]
        expected = "a definition name with a dot" if kind == "schema" else "is not a safe path"
        assert expected in problem


def test_another_thread_running_keeps_the_typing_in_this_process() -> None:
    # A forked copy would inherit whatever lock that thread holds, with no thread to release it.
    catalog = Catalog(tuple(sorted(_fixture(), key=types_key)[::5]))
    release = threading.Event()
    waiting = threading.Thread(target=release.wait)
    waiting.start()
    try:
        typed = typed_views(catalog, OPTIONS, workers=2)
    finally:
        release.set()
        waiting.join()
    assert typed.processes == 1
    assert len(typed.views) == len(catalog)
