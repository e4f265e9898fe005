"""Models typed on several processes come out as on one: same views, same problems, same order.

The catalog is the Cloudflare fixture ingested in memory (40 models, many schemas), so the pool
really forks; caches are cleared first, so the workers really run the code generator.
"""

from __future__ import annotations

from functools import cache

from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog
from generator.diagnostics import has_errors
from generator.ingest.pipeline import IngestInputs, ingest
from generator.render.model_types import clear_caches, types_key
from generator.render.render import RenderOptions, TypedViews, typed_views
from tests.conftest import FIXTURES

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


def _typed(catalog: Catalog, workers: int) -> TypedViews:
    clear_caches()
    typed = typed_views(catalog, OPTIONS, workers=workers)
    assert typed.processes == workers  # the pool really ran (or really did not)
    return typed


def _clone(entry: CatalogEntry, index: int) -> CatalogEntry:
    """The same schemas under another name."""
    return entry.model_copy(update={"slug": f"{entry.slug}_{index}", "model_id": f"{entry.model_id}-{index}"})


def test_two_processes_type_every_model_as_one_does() -> None:
    catalog = _fixture()
    assert len({types_key(entry) for entry in catalog}) >= 10
    pooled, serial = _typed(catalog, 2), _typed(catalog, 1)
    assert not serial.problems
    assert [view.entry.key for view in pooled.views] == [entry.key for entry in catalog]
    assert pooled.views == serial.views
    assert pooled.codegen_runs == serial.codegen_runs


def test_identical_schemas_run_the_code_generator_once_across_processes() -> None:
    originals = sorted(_fixture(), key=types_key)[::5]  # several distinct schemas
    distinct = _typed(Catalog(tuple(originals)), 1).codegen_runs
    clones = [_clone(entry, index) for index in range(4) for entry in originals]
    catalog = Catalog(tuple(sorted(clones, key=lambda e: e.key)))
    pooled = _typed(catalog, 2)
    assert len(pooled.views) == 4 * len(originals)
    assert pooled.codegen_runs == distinct > 0


def test_problems_of_every_model_are_reported_together_in_catalog_order() -> None:
    entries = list(_fixture())
    bad = {3: "schema", 17: "id", 30: "schema"}
    for index, kind in bad.items():
        change = {"input_schema": REFUSED_SCHEMA} if kind == "schema" else {"model_id": "../../admin"}
        entries[index] = entries[index].model_copy(update=change)
    catalog = Catalog(tuple(entries))
    pooled, serial = _typed(catalog, 2), _typed(catalog, 1)
    assert pooled.problems == serial.problems
    assert len(pooled.views) == len(entries) - len(bad)
    assert len(pooled.problems) == len(bad)
    for problem, (index, kind) in zip(pooled.problems, bad.items(), strict=True):
        assert problem.startswith(f"{OPTIONS.catalog_label}/{entries[index].provider}/"), problem
        assert entries[index].slug in problem.splitlines()[0]
        expected = "a definition name with a dot" if kind == "schema" else "is not a safe path"
        assert expected in problem
