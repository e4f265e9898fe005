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
    "JsonNumber": "float",  # an int is a float to a type checker
    "Base64Text": "str | bytes",  # bytes are base64-encoded
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
    root: bool = False  # a RootModel: the input is one JSON value (an array, a string), its `root`


@dataclass(frozen=True)
class _Module:
    source: str
    models: set[str]  # StrictModel classes: callers may pass them or plain mappings
    roots: dict[str, ast.expr]  # RootModel classes (and their bare subclasses) -> what they wrap


def _type(node: ast.expr, module: _Module, drop_none: bool, seen: frozenset[str] = frozenset()) -> str:
    """Field annotation -> what a caller may pass: builtins for strict types, dicts for models."""
    source = module.source
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        head = node.value.id
        if head == "Annotated":
            inner = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
            return _type(inner, module, drop_none, seen)
        if head == "Literal":
            return ast.get_source_segment(source, node) or "Any"
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        inner_types = [_type(a, module, False, seen) for a in args]
        container = {"list": "Sequence", "dict": "Mapping"}.get(head, head)
        return f"{container}[{', '.join(inner_types)}]"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        parts: list[str] = []
        for side in (node.left, node.right):
            text = _type(side, module, drop_none, seen)
            for part in text.split(" | "):
                if part not in parts and not (drop_none and part == "None"):
                    parts.append(part)
        return " | ".join(parts) or "Any"
    if isinstance(node, ast.Name):
        if node.id in module.roots and node.id not in seen:
            # Callers pass what a RootModel wraps (a str, a list of ints), never the wrapper itself.
            return _type(module.roots[node.id], module, drop_none, seen | {node.id})
        if node.id in module.models:
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
    module = _Module(code, {name for name, node in classes.items() if _is_model(node)}, _roots(classes))
    variants = []
    for name in class_names:
        node = classes[name]
        params = []
        for index, statement in enumerate(node.body):
            if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
                continue
            annotation = _type(statement.annotation, module, _marks_not_null(statement.annotation))
            params.append(
                Param(
                    statement.target.id,
                    annotation,
                    statement.value is None,
                    _docstring_after(node.body, index),
                )
            )
        ordered = tuple(sorted(params, key=lambda p: not p.required))
        variants.append(Variant(name, ordered, name in module.roots))
    return variants


def _is_model(node: ast.ClassDef) -> bool:
    return any(isinstance(base, ast.Name) and base.id == "StrictModel" for base in node.bases)


def _roots(classes: dict[str, ast.ClassDef]) -> dict[str, ast.expr]:
    """RootModel classes -> their `root` annotation; a bare subclass of one -> its base's name."""
    roots: dict[str, ast.expr] = {}
    for name, node in classes.items():
        if any(_is_root_model(base) for base in node.bases):
            for statement in node.body:
                target = statement.target if isinstance(statement, ast.AnnAssign) else None
                if (
                    isinstance(statement, ast.AnnAssign)
                    and isinstance(target, ast.Name)
                    and target.id == "root"
                ):
                    roots[name] = statement.annotation
    for name, node in classes.items():
        bases = [b for b in node.bases if isinstance(b, ast.Name)]
        if name not in roots and len(bases) == 1 and bases[0].id in roots:
            roots[name] = bases[0]
    return roots


def _is_root_model(base: ast.expr) -> bool:
    return (
        isinstance(base, ast.Subscript) and isinstance(base.value, ast.Name) and base.value.id == "RootModel"
    )
