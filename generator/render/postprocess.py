"""Shape datamodel-code-generator's output so validation agrees with the JSON Schema exactly.

Edits are located with `ast` (never by pattern-matching code text) and applied as separate
passes, so no edit has to know about another:
  1. drop the unused root class and `Field(title=...)` noise the naming pass caused;
  2. wrap each union that came from a `oneOf` in `Annotated[..., ONE_OF]` (exactly one branch);
  3. mark optional properties whose schema rejects null with `NOT_NULL`;
  4. swap `StrictInt` for `JsonInt` (JSON Schema counts 1.0 as an integer) and point the
     base class at the package's own runtime.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from generator.render.datamodel import BASE_CLASS_MARKER, ROOT_CLASS_MARKER
from generator.render.schema_plan import TypePlan

RUNTIME_NAMES = ("JsonInt", "NOT_NULL", "ONE_OF", "StrictModel")


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str


def _offsets(source: str) -> list[int]:
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _span(node: ast.AST, starts: list[int]) -> tuple[int, int]:
    lineno, col = node.lineno, node.col_offset  # type: ignore[attr-defined]
    end_lineno, end_col = node.end_lineno, node.end_col_offset  # type: ignore[attr-defined]
    return starts[lineno - 1] + col, starts[end_lineno - 1] + end_col


def _segment(source: str, node: ast.AST, starts: list[int]) -> str:
    """The node's source text (ast.get_source_segment re-splits the source on every call)."""
    start, end = _span(node, starts)
    return source[start:end]


def _apply(source: str, edits: list[_Edit]) -> str:
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        source = source[: edit.start] + edit.text + source[edit.end :]
    return source


def _pass(source: str, collect: Callable[[ast.Module, str, list[int]], Iterator[_Edit]]) -> str:
    tree = ast.parse(source)
    starts = _offsets(source)
    edits = list(collect(tree, source, starts))
    return _apply(source, _outermost(edits))


def _outermost(edits: list[_Edit]) -> list[_Edit]:
    """Keep only edits not nested in another (each pass edits disjoint places)."""
    kept: list[_Edit] = []
    for edit in sorted(edits, key=lambda e: (e.start, -e.end)):
        if kept and edit.start < kept[-1].end:
            continue
        kept.append(edit)
    return kept


def _classes(tree: ast.Module) -> Iterator[ast.ClassDef]:
    return (node for node in tree.body if isinstance(node, ast.ClassDef))


def _fields(cls: ast.ClassDef) -> Iterator[tuple[str, ast.AnnAssign]]:
    """(property name as the schema spells it, its annotated assignment)."""
    for node in cls.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            yield _alias(node) or node.target.id, node


def _alias(node: ast.AnnAssign) -> str | None:
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "Field":
            for keyword in call.keywords:
                if keyword.arg == "alias" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return None


def _drop_root_and_titles(tree: ast.Module, source: str, starts: list[int]) -> Iterator[_Edit]:
    for cls in _classes(tree):
        if cls.name == ROOT_CLASS_MARKER:
            start, end = _span(cls, starts)
            yield _Edit(start, end, "")
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)):
            continue
        if node.value.id != "Annotated" or not isinstance(node.slice, ast.Tuple):
            continue
        kept = [e for e in node.slice.elts if not _is_title_only_field(e)]
        if len(kept) == len(node.slice.elts):
            continue
        parts = [_segment(source, e, starts) for e in kept]
        text = parts[0] if len(parts) == 1 else f"Annotated[{', '.join(parts)}]"
        yield _Edit(*_span(node, starts), text)


def _is_title_only_field(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Field"
        and not node.args
        and [k.arg for k in node.keywords] == ["title"]
    )


def _union_members(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _union_members(node.left), _union_members(node.right)
        return None if left is None or right is None else left + right
    return None


def _mark_one_of(plan: TypePlan) -> Callable[[ast.Module, str, list[int]], Iterator[_Edit]]:
    groups = {frozenset(group) for group in plan.one_of_groups}

    def collect(tree: ast.Module, source: str, starts: list[int]) -> Iterator[_Edit]:
        for cls in _classes(tree):
            for _, field in _fields(cls):
                for node in ast.walk(field.annotation):
                    members = _union_members(node) if isinstance(node, ast.BinOp) else None
                    if members and frozenset(members) in groups and len(members) == len(set(members)):
                        text = _segment(source, node, starts)
                        yield _Edit(*_span(node, starts), f"Annotated[{text}, ONE_OF]")

    return collect


def _mark_not_null(plan: TypePlan) -> Callable[[ast.Module, str, list[int]], Iterator[_Edit]]:
    def collect(tree: ast.Module, source: str, starts: list[int]) -> Iterator[_Edit]:
        for cls in _classes(tree):
            rules = plan.classes.get(cls.name)
            if rules is None:
                continue
            for prop, field in _fields(cls):
                if prop not in rules.not_null:
                    continue
                if not any(
                    isinstance(n, ast.Constant) and n.value is None for n in ast.walk(field.annotation)
                ):
                    continue  # the type itself already rejects null
                text = _segment(source, field.annotation, starts)
                annotated = isinstance(field.annotation, ast.Subscript) and text.startswith("Annotated[")
                marked = f"{text[:-1]}, NOT_NULL]" if annotated else f"Annotated[{text}, NOT_NULL]"
                yield _Edit(*_span(field.annotation, starts), marked)

    return collect


def _runtime_names(tree: ast.Module, source: str, starts: list[int]) -> Iterator[_Edit]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "StrictInt":
            yield _Edit(*_span(node, starts), "JsonInt")
        elif isinstance(node, ast.ImportFrom):
            names = [alias.name for alias in node.names]
            if node.module == BASE_CLASS_MARKER.rpartition(".")[0]:
                yield _Edit(*_span(node, starts), "")
            elif node.module == "pydantic" and "StrictInt" in names:
                kept = sorted(n for n in names if n != "StrictInt")
                yield _Edit(*_span(node, starts), f"from pydantic import {', '.join(kept)}" if kept else "")


def shape_models(code: str, plan: TypePlan, runtime_module: str) -> str:
    """Apply every pass; runtime_module is the relative import of the runtime, e.g. '..._models'."""
    code = _pass(code, _drop_root_and_titles)
    code = _pass(code, _mark_one_of(plan))
    code = _pass(code, _mark_not_null(plan))
    code = _pass(code, _runtime_names)
    body = "\n".join(line for line in code.splitlines() if not line.startswith("#   filename:"))
    body = body.replace("# generated by datamodel-codegen:\n", "", 1)
    tree = ast.parse(body)
    mentioned = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    used = [name for name in RUNTIME_NAMES if name in mentioned]
    imports = f"from {runtime_module} import {', '.join(used)}\n" if used else ""
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    if "Annotated" in mentioned and "Annotated" not in imported:
        imports = f"from typing import Annotated\n{imports}"  # the rules above may be its only use
    future, _, rest = body.partition("from __future__ import annotations\n")
    return f"{future.strip()}\nfrom __future__ import annotations\n\n{imports}{rest}".lstrip()
