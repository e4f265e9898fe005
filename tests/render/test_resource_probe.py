"""The resource-clash probe: which run() arguments and type classes shadow the resource module's names.

The probe renders the model's resource modules without any description text (it reaches the module
in docstrings only); these tests hold that the names it finds, and so the renames, do not depend on
that text, and that the text is indeed left out.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.catalog.entry import CatalogEntry
from generator.ingest.pipeline import IngestInputs, ingest
from generator.render.context import ModelView, provider_view
from generator.render.model_types import model_types
from generator.render.render import RUNTIME_MODULE, _typed_view
from generator.render.resources import _module_names, _probe_view, resource_clashes
from generator.render.templates import render_template
from tests.conftest import REPO
from tests.sdk.conftest import CATALOG

TINY = next(e for e in CATALOG if e.slug == "tinyllama_1_1b_chat_v1_0")
# Properties named like what run() and its module use, and classes named like the module's bindings.
SHADOWING = ["params", "given", "self", "MODEL_ID", "NotGiven", "prompt"]
# Description text that reads like code naming further names: were it parsed as code, or as names,
# `stream_settings`, `Mapping` and the rest would look used.
CODE_LIKE = "x \"\"\" + stream_settings(Mapping, omit) ''' def Any(self): import httpx \\ {{ given }}"


def _entry(text: str, slug: str = TINY.slug, nested: str = "options") -> CatalogEntry:
    properties: dict[str, Any] = {name: {"type": "string", "description": text} for name in SHADOWING}
    properties[nested] = {  # a class of its own, named after the property
        "type": "object",
        "description": text,
        "properties": {"depth": {"type": "integer", "description": text}},
    }
    schema = {"type": "object", "properties": properties, "required": ["prompt"], "description": text}
    update = {"description": text, "display_name": f"Tiny {text}", "input_schema": schema, "slug": slug}
    return TINY.model_copy(update=update)


def _view(entry: CatalogEntry) -> ModelView:
    return ModelView(entry, model_types(entry, RUNTIME_MODULE), "probe-test")


def test_the_clashes_do_not_depend_on_description_text() -> None:
    plain, hostile = _view(_entry("")), _view(_entry(CODE_LIKE))
    clashes = resource_clashes(plain)
    assert {"params", "given", "self", "MODEL_ID", "NotGiven"} <= clashes
    assert "prompt" not in clashes
    assert resource_clashes(hostile) == clashes
    # The renamed types, and so the whole module, come out the same with either text.
    renamed = {e.slug: _typed_view(e, "probe-test").types for e in (_entry(""), _entry(CODE_LIKE))}
    assert len({tuple(p.name for v in t.variants for p in v.params) for t in renamed.values()}) == 1


def test_the_probe_renders_no_description_text() -> None:
    marker = "ZZdescriptionZZ"
    view = _view(_entry(marker))
    probe, _ = _probe_view(view)
    provider = provider_view(view.entry.provider, [probe])
    for asynchronous in (False, True):
        real = render_template(
            "resource.py.jinja", header="", provider=provider_view(view.entry.provider, [view]),
            model=view, asynchronous=asynchronous,
        )  # fmt: skip
        code = render_template(
            "resource.py.jinja", header="", provider=provider, model=probe, asynchronous=asynchronous
        )
        assert marker in real
        assert marker not in code


def test_models_of_one_structure_share_the_probe_and_keep_their_own_class_names() -> None:
    """Each model's resource class is named after its slug: a types class named so clashes, in
    that model only, though the probe of both is rendered once with a stand-in class name."""
    first, second = (
        _entry("", slug="alpha_one", nested="alpha_one"),
        _entry("", slug="beta_two", nested="alpha_one"),
    )
    before = _module_names.cache_info().hits
    assert "AlphaOne" in resource_clashes(_view(first))
    assert "AlphaOne" not in resource_clashes(_view(second))
    assert _module_names.cache_info().hits >= before + 2  # the sync and async probes, read back once
    third = _entry("", slug="gamma", nested="gamma")
    assert "Gamma" in resource_clashes(_view(third))


SHARED_PROBE_CATALOGS = ("hostile-text", "constructs", "uploads", "catalogs/cloudflare", "catalogs/segmind")


@pytest.mark.parametrize("fixture", SHARED_PROBE_CATALOGS)
def test_a_shared_probe_finds_what_the_models_own_probe_finds(fixture: str, tmp_path: Path) -> None:
    """The shared probe stands a fixed slug and model id in for the model's: were the template ever to
    build a name from either, this would tell, on catalogs whose names shadow the module's own."""
    root = REPO / "tests" / "fixtures" / fixture
    sources = tmp_path / "sources"
    shutil.copytree(root / "sources", sources)
    if (root / "providers").is_dir():
        shutil.copytree(root / "providers", tmp_path / "providers")
    result = ingest(IngestInputs.beside(sources))
    assert len(result.catalog) >= 3, fixture
    for entry in result.catalog:
        view = ModelView(entry, model_types(entry, RUNTIME_MODULE, frozenset()), "probe-test")
        assert resource_clashes(view) == resource_clashes(view, share=False), entry.key
