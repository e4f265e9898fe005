"""syntax.py: one parse shared by every reader of a text, and every node of a tree in one list."""

from __future__ import annotations

import ast
import importlib
import sys
from collections import Counter

import pytest

from generator.catalog.entry import CatalogEntry
from generator.diagnostics import has_errors
from generator.ingest.pipeline import IngestInputs, ingest
from generator.render import syntax
from generator.render.model_types import clear_caches, model_types
from generator.render.render import RUNTIME_MODULE
from tests.conftest import FIXTURES, REPO

CATALOGS = [FIXTURES / "catalogs" / "cloudflare", FIXTURES / "hostile-text"]
# Every module of the renderer that reads shared trees: found, not listed, so that a new reader is covered.
READERS = [
    module
    for module in (
        importlib.import_module(f"generator.render.{path.stem}")
        for path in sorted((REPO / "generator" / "render").glob("*.py"))
    )
    if module is not syntax and getattr(module, "parsed", None) is syntax.parsed
]


def _entries() -> list[CatalogEntry]:
    entries: list[CatalogEntry] = []
    for root in CATALOGS:
        result = ingest(IngestInputs(root / "sources", root / "providers", root / "overlays"))
        assert not has_errors(result.diagnostics), [d.render() for d in result.diagnostics]
        entries.extend(result.catalog)
    return entries


def test_no_reader_changes_a_shared_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every tree syntax.parsed() hands out while two fixture catalogs are typed is, once they are,
    still the tree of its text: no reader changed what the next one reads."""
    handed: list[tuple[str, ast.Module]] = []

    def recording(code: str) -> ast.Module:
        tree = syntax.parsed(code)
        handed.append((code, tree))
        return tree

    assert {reader.__name__.rpartition(".")[2] for reader in READERS} >= {
        "bindings",
        "lazy_dicts",
        "model_types",
        "postprocess",
        "signatures",
    }
    for reader in READERS:
        monkeypatch.setattr(reader, "parsed", recording)
    clear_caches()
    for entry in _entries():
        model_types(entry, RUNTIME_MODULE)
    clear_caches()
    assert len(handed) > 100 and len({id(tree) for _, tree in handed}) < len(handed)  # trees were shared
    for code, tree in handed:
        assert ast.dump(tree, include_attributes=True) == ast.dump(ast.parse(code), include_attributes=True)


def test_all_nodes_are_the_nodes_ast_walk_finds() -> None:
    for path in sorted((REPO / "generator" / "render").glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        # As often as walk finds each: the shared `Load()`/`Store()` contexts once per place too.
        assert Counter(map(id, syntax.all_nodes(tree))) == Counter(map(id, ast.walk(tree))), path


def test_a_text_is_parsed_once_for_every_reader() -> None:
    code = "class A:\n    x: int\n"
    assert syntax.parsed(code) is syntax.parsed(code)
    assert ast.dump(syntax.parsed(code)) == ast.dump(ast.parse(code))


def test_a_union_longer_than_the_recursion_limit_is_read_in_order() -> None:
    length = sys.getrecursionlimit() + 500
    union = ast.parse(" | ".join(f"A{i}" for i in range(length)), mode="eval").body
    assert [n.id for n in syntax.union_operands(union) if isinstance(n, ast.Name)] == [
        f"A{i}" for i in range(length)
    ]
    grouped = ast.parse("(A | B) | (C | None)", mode="eval").body
    assert [ast.unparse(n) for n in syntax.union_operands(grouped)] == ["A", "B", "C", "None"]
    assert [ast.unparse(n) for n in syntax.union_operands(ast.parse("A", mode="eval").body)] == ["A"]


@pytest.mark.parametrize("keyword", ["anyOf", "oneOf"])
def test_a_property_of_more_branches_than_the_recursion_limit_is_typed(keyword: str) -> None:
    """A schema's anyOf/oneOf of ~1,100 object branches: the types module and run()'s signature
    are written (every branch a class of the union), where walking `A | B | ...` recursed past the limit."""
    entry = next(e for e in _entries() if e.input_schema.get("properties"))
    count = sys.getrecursionlimit() + 100
    branches = [
        {"type": "object", "properties": {f"p{i}": {"type": "integer"}}, "required": [f"p{i}"]}
        for i in range(count)
    ]
    schema = {"type": "object", "properties": {"choice": {keyword: branches}}, "required": ["choice"]}
    clear_caches()
    typed = model_types(entry.model_copy(update={"input_schema": schema}), RUNTIME_MODULE)
    (variant,) = typed.variants
    (choice,) = variant.params
    assert len(choice.annotation.split(" | ")) >= count, choice.annotation[:300]
    assert ("ONE_OF" in typed.code) == (keyword == "oneOf")
