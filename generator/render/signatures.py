"""Keyword-argument signatures for `run()`/`stream()`, read off the generated request classes."""

from __future__ import annotations

import ast
from dataclasses import dataclass

_BUILTIN = {
    "StrictStr": "str",
    "StrictFloat": "float",
    "StrictBool": "bool",
    "StrictBytes": "bytes",
    "JsonInt": "int",
    "Any": "Any",
}


@dataclass(frozen=True)
class Param:
    name: str  # the Python name of the field, as the class accepts it
    annotation: str
    required: bool
    doc: str


@dataclass(frozen=True)
class Variant:
    class_name: str
    params: tuple[Param, ...]


def _type(node: ast.expr, source: str, models: set[str], drop_none: bool) -> str:
    """Field annotation -> what a caller may pass: builtins for strict types, dicts for models."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        head = node.value.id
        if head == "Annotated":
            inner = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
            return _type(inner, source, models, drop_none)
        if head == "Literal":
            return ast.get_source_segment(source, node) or "Any"
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        inner_types = [_type(a, source, models, drop_none=False) for a in args]
        container = {"list": "Sequence", "dict": "Mapping"}.get(head, head)
        return f"{container}[{', '.join(inner_types)}]"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        parts: list[str] = []
        for side in (node.left, node.right):
            text = _type(side, source, models, drop_none)
            for part in text.split(" | "):
                if part not in parts and not (drop_none and part == "None"):
                    parts.append(part)
        return " | ".join(parts) or "Any"
    if isinstance(node, ast.Name):
        if node.id in models:
            return f"{node.id} | Mapping[str, Any]"
        return _BUILTIN.get(node.id, node.id)
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    return ast.get_source_segment(source, node) or "Any"


def _marks_not_null(node: ast.expr) -> bool:
    return isinstance(node, ast.Subscript) and any(
        isinstance(n, ast.Name) and n.id == "NOT_NULL" for n in ast.walk(node.slice)
    )


def _docstring_after(body: list[ast.stmt], index: int) -> str:
    following = body[index + 1] if index + 1 < len(body) else None
    if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
        value = following.value.value
        if isinstance(value, str):
            return " ".join(value.split())
    return ""


def request_variants(code: str, class_names: list[str]) -> list[Variant]:
    """Signatures for each named request class, in the order given."""
    tree = ast.parse(code)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    models = {name for name, node in classes.items() if _is_model(node)}
    variants = []
    for name in class_names:
        node = classes[name]
        params = []
        for index, statement in enumerate(node.body):
            if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
                continue
            annotation = _type(
                statement.annotation, code, models, drop_none=_marks_not_null(statement.annotation)
            )
            params.append(
                Param(
                    statement.target.id,
                    annotation,
                    statement.value is None,
                    _docstring_after(node.body, index),
                )
            )
        variants.append(Variant(name, tuple(sorted(params, key=lambda p: not p.required))))
    return variants


def _is_model(node: ast.ClassDef) -> bool:
    return any(isinstance(base, ast.Name) and base.id == "StrictModel" for base in node.bases)
