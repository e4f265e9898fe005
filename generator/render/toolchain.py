"""What shapes the generated files besides the catalog: versions, the templates and cardgen's rendering code.

A module apart from the lock and the renderer: a no-op `cardgen generate` hashes this toolchain to
prove nothing changed, and must not import what rendering needs (the catalog's pydantic models,
jinja2: ~0.2 s of a no-op run).
"""

from __future__ import annotations

from pathlib import Path

from generator import __version__
from generator.digests import files_digest
from generator.shipped import TEMPLATES
from generator.tree import is_dropping
from generator.versions import version

GENERATOR = Path(__file__).resolve().parent.parent
RENDERER = GENERATOR / "render"  # the code that turns entries into files
# What render/ imports from the rest of cardgen, directly or not (paths below GENERATOR): it shapes
# the output as much, so a change to it must not leave a model's files reused (or its typed code
# kept). tests/test_toolchain.py checks that this is the whole closure.
RENDERER_IMPORTS = (
    "__init__.py", "datatext.py", "digests.py", "entry_store.py", "lockfile.py", "markdown.py", "memo.py", "proofs.py", "recordings.py",
    "shipped.py", "tree.py", "versions.py", "wording.py", "catalog/__init__.py", "catalog/entry.py", "catalog/entry_format.py", "catalog/model_ids.py",
    "catalog/parsed.py", "catalog/store.py", "evolve/__init__.py", "evolve/changes.py",
    "evolve/entry_diff.py", "evolve/revisions.py", "evolve/rules.py", "evolve/schema_diff.py",
    "evolve/schema_facts.py", "ingest/__init__.py", "ingest/ecma_regex.py", "ingest/jsonspans.py",
    "ingest/keywords.py", "ingest/overlaps.py", "ingest/refs.py",
)  # fmt: skip
PINNED = ("datamodel-code-generator", "ruff", "pydantic", "jinja2")


def renderer_digest() -> str:
    """render/'s code and what it imports from the rest of cardgen."""
    imported = ((f"../{name}", GENERATOR / name) for name in RENDERER_IMPORTS)
    return files_digest([*_files(RENDERER, "*.py"), *imported])


def _files(root: Path, pattern: str) -> list[tuple[str, Path]]:
    return [
        (p.relative_to(root).as_posix(), p)
        for p in root.rglob(pattern)
        if p.is_file() and not is_dropping(p.relative_to(root))
    ]


def toolchain() -> dict[str, str]:
    """Versions, templates and rendering code that shape the output; any change invalidates every model."""
    return {
        "cardgen": __version__,
        "renderer": renderer_digest(),
        **{name: version(name) for name in PINNED},
        "templates": files_digest(_files(TEMPLATES, "*")),
    }
