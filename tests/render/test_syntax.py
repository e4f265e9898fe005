"""syntax.py: one parse shared by every reader of a text, and every node of a tree in one list."""

from __future__ import annotations

import ast
from collections import Counter

from generator.catalog.entry import CatalogEntry
from generator.diagnostics import has_errors
from generator.ingest.pipeline import IngestInputs, ingest
from generator.render import syntax
from generator.render.model_types import clear_caches, model_types
from generator.render.render import RUNTIME_MODULE
from tests.conftest import FIXTURES, REPO

CATALOGS = [FIXTURES / "catalogs" / "cloudflare", FIXTURES / "hostile-text"]


def _entries() -> list[CatalogEntry]:
    entries: list[CatalogEntry] = []
    for root in CATALOGS:
        result = ingest(IngestInputs(root / "sources", root / "providers", root / "overlays"))
        assert not has_errors(result.diagnostics), [d.render() for d in result.diagnostics]
        entries.extend(result.catalog)
    return entries


def test_typing_again_from_the_shared_trees_gives_the_same_types() -> None:
    """Every reader of a parsed tree leaves it as it found it: a second typing of the same models,
    the types caches cleared, reads the trees the first one parsed (and its readers walked) and
    must make exactly what the first made."""
    entries = _entries()
    assert len(entries) > 20
    clear_caches()
    first = [model_types(entry, RUNTIME_MODULE) for entry in entries]
    clear_caches()  # the types, not the parses: the code generator writes the same texts again
    hits = syntax.parsed.cache_info().hits
    again = [model_types(entry, RUNTIME_MODULE) for entry in entries]
    assert syntax.parsed.cache_info().hits > hits  # the second typing read shared trees
    assert again == first


def test_all_nodes_are_the_nodes_ast_walk_finds() -> None:
    for path in sorted((REPO / "generator" / "render").glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        # As often as walk finds each: the shared `Load()`/`Store()` contexts once per place too.
        assert Counter(map(id, syntax.all_nodes(tree))) == Counter(map(id, ast.walk(tree))), path


def test_a_text_is_parsed_once_for_every_reader() -> None:
    code = "class A:\n    x: int\n"
    assert syntax.parsed(code) is syntax.parsed(code)
    assert ast.dump(syntax.parsed(code)) == ast.dump(ast.parse(code))
