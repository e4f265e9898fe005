"""Which model each output file belongs to: reuse copies a model's files, and only its own."""

from __future__ import annotations

from collections import Counter
from pathlib import PurePosixPath

from generator.lockfile import files_by_model, owner_of
from generator.render.render import RenderOptions, render
from tests.conftest import seed_catalog


def test_a_models_async_and_raw_modules_are_its_own_and_their_packages_no_models() -> None:
    catalog = seed_catalog()
    files = render(catalog, RenderOptions())
    owned = files_by_model("modelsdk", files)
    assert {f"{e.provider}/{e.slug}" for e in catalog} <= set(owned)
    for entry in catalog:
        resources = PurePosixPath("modelsdk", "resources", entry.provider)
        mine = owned[f"{entry.provider}/{entry.slug}"]
        assert resources / f"{entry.slug}.py" in mine
        assert resources / "_async" / f"{entry.slug}.py" in mine
        assert resources / "_raw" / f"{entry.slug}.py" in mine
        assert resources / "_async_raw" / f"{entry.slug}.py" in mine
        assert PurePosixPath("modelsdk", "types", entry.provider, f"{entry.slug}.py") in mine
        typed_dicts = PurePosixPath("modelsdk", "types", entry.provider, "_dicts", f"{entry.slug}.py")
        assert (typed_dicts in mine) == (typed_dicts in files)
    assert any(p.parts[3] == "_dicts" for paths in owned.values() for p in paths)  # the chat models'
    for top, folder in (
        ("resources", "_async"),
        ("resources", "_raw"),
        ("resources", "_async_raw"),
        ("types", "_dicts"),
    ):
        package = PurePosixPath("modelsdk", top, "cloudflare", folder, "__init__.py")
        assert package in files
        assert owner_of(package, "modelsdk") is None
    # Each of a provider's async modules has one owner, so regenerating one model leaves the others'.
    counts = Counter(p for paths in owned.values() for p in paths)
    assert max(counts.values()) == 1
