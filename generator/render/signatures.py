"""Keyword-argument signatures for `run()`/`stream()`, read off the generated request classes."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from keyword import iskeyword

from generator.render.bindings import field_alias
from generator.render.source_text import SourceText
from generator.render.syntax import parsed, union_operands

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
    default: str = ""  # the schema's default as Python source; "" when there is none
    limits: str = ""  # the schema's range and length rules, e.g. "0 <= value <= 5"

    @property
    def help(self) -> str:
        """The line `help(run)` shows for this argument: description, default, range."""
        return self.help_in("")

    def help_in(self, alternative: str) -> str:
        """The help line, saying which input alternative requires the argument when there are several."""
        required = f"Required ({alternative})." if alternative else "Required."
        parts = [self.doc.rstrip(".") + "." if self.doc else ""]
        parts.append(required if self.required else (f"Default: {self.default}." if self.default else ""))
        parts.append(f"Range: {self.limits}." if self.limits else "")
        return " ".join(part for part in parts if part) or "Optional."


@dataclass(frozen=True)
class Variant:
    class_name: str
    params: tuple[Param, ...]
    root: bool = False  # a RootModel: the input is one JSON value (an array, a string), its `root`


@dataclass(frozen=True)
class _Module:
    source: SourceText
    models: set[str]  # StrictModel classes: callers may pass them or plain mappings
    roots: dict[str, ast.expr]  # RootModel classes (and their bare subclasses) -> what they wrap

    @classmethod
    def of(cls, code: str, classes: dict[str, ast.ClassDef]) -> _Module:
        models = {name for name, node in classes.items() if _is_model(node)}
        return cls(SourceText.of(code), models, _roots(classes))


def _type(
    node: ast.expr,
    module: _Module,
    drop_none: bool,
    seen: frozenset[str] = frozenset(),
    *,
    typed: frozenset[str] = frozenset(),
) -> str:
    """Field annotation -> what a caller may pass: builtins for strict types, a model or its TypedDict."""
    source = module.source
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        head = node.value.id
        if head == "Annotated":
            inner = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
            return _type(inner, module, drop_none, seen, typed=typed)
        if head == "Literal":
            return source.segment(node) or "Any"
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        inner_types = [_type(a, module, False, seen, typed=typed) for a in args]
        container = {"list": "Sequence", "dict": "Mapping"}.get(head, head)
        return f"{container}[{', '.join(inner_types)}]"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        parts: dict[str, None] = {}  # in order, each once
        for side in union_operands(node):
            text = _type(side, module, drop_none, seen, typed=typed)
            parts.update((part, None) for part in text.split(" | ") if not (drop_none and part == "None"))
        return " | ".join(parts) or "Any"
    if isinstance(node, ast.Name):
        if node.id in module.roots and node.id not in seen:
            # Callers pass what a RootModel wraps (a str, a list of ints), never the wrapper itself.
            return _type(module.roots[node.id], module, drop_none, seen | {node.id}, typed=typed)
        if node.id in module.models:
            return f"{node.id} | {typed_dict_name(node.id) if node.id in typed else 'Mapping[str, Any]'}"
        return _BUILTIN.get(node.id, node.id)
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    return source.segment(node) or "Any"


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
    tree = parsed(code)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    module = _Module.of(code, classes)
    bound = set(classes) | {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    typed = frozenset(name for name in module.models if typed_dict_name(name) in bound)
    variants = []
    for name in class_names:
        node = classes[name]
        params = []
        for index, statement in enumerate(node.body):
            if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
                continue
            annotation = _type(
                statement.annotation, module, _marks_not_null(statement.annotation), typed=typed
            )
            params.append(
                Param(
                    statement.target.id,
                    annotation,
                    statement.value is None,
                    _docstring_after(node.body, index),
                    _default(statement, module.source),
                    _limits(statement.annotation, module.source),
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


TYPED_DICT_SUFFIX = "Dict"
# What a TypedDict's annotations may name besides builtins and the module's classes: what the
# types module imports for them, and lazy_dicts' module of them imports alone.
TYPED_DICT_IMPORTS = (
    "from collections.abc import Mapping, Sequence\n"
    "from typing import Any, Literal, NotRequired, Required, TypedDict\n"
)


def typed_dict_name(class_name: str) -> str:
    return f"{class_name}{TYPED_DICT_SUFFIX}"


def with_typed_dicts(code: str) -> str:
    """The types module with a TypedDict beside each model class, for callers who pass plain dicts.

    Keys are the JSON names, required as the schema says; a nested object is its class or its
    TypedDict, so a type checker rejects `{"role": "user", "content": 1}` where content is a string.
    """
    tree = parsed(code)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    module = _Module.of(code, classes)
    taken = set(classes)
    if any(typed_dict_name(name) in taken for name in module.models) or "Request" not in classes:
        return code  # a schema class already has such a name: keep the plain Mapping typing
    reachable = frozenset(_reachable(classes, module, "Request"))
    blocks = [_typed_dict(classes[name], module, reachable) for name in sorted(reachable)]
    if not blocks:
        return code
    head, marker, tail = code.partition("from __future__ import annotations\n")
    prefix = f"{head}{marker}{TYPED_DICT_IMPORTS}" if marker else TYPED_DICT_IMPORTS + head
    return f"{prefix}{tail.rstrip()}\n\n\n" + "\n\n\n".join(blocks) + "\n"


def _typed_dict(node: ast.ClassDef, module: _Module, typed: frozenset[str]) -> str:
    fields: list[tuple[str, str]] = []
    for statement in node.body:
        if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
            continue
        key = field_alias(statement) or statement.target.id
        annotation = _type(statement.annotation, module, _marks_not_null(statement.annotation), typed=typed)
        marker = "Required" if statement.value is None else "NotRequired"
        fields.append((key, f"{marker}[{annotation}]"))
    name = typed_dict_name(node.name)
    if all(key.isidentifier() and not iskeyword(key) for key, _ in fields):
        body = "".join(f"    {key}: {annotation}\n" for key, annotation in fields) or "    pass\n"
        return f'class {name}(TypedDict):\n    """`{node.name}` as a plain dict."""\n\n{body}'
    items = "".join(f"        {key!r}: {annotation!r},\n" for key, annotation in fields)
    return f"{name} = TypedDict(\n    {name!r},\n    {{\n{items}    }},\n)\n"


def _reachable(classes: dict[str, ast.ClassDef], module: _Module, root: str) -> set[str]:
    """The model classes a caller's input may contain: those `root` reaches through its fields."""
    found: set[str] = set()
    stack = [root]
    while stack:
        name = stack.pop()
        node = classes.get(name)
        if node is None:
            continue
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and child.id in classes and child.id not in found | {name}:
                found.add(child.id)
                stack.append(child.id)
    return found & module.models


_LIMITS = {
    "ge": "value >= {}",
    "gt": "value > {}",
    "le": "value <= {}",
    "lt": "value < {}",
    "min_length": "length >= {}",
    "max_length": "length <= {}",
    "multiple_of": "a multiple of {}",
    "pattern": "matches {}",
}


def _default(statement: ast.AnnAssign, source: SourceText) -> str:
    """The default a field really has: `= None` on a field that may not be null only means unset."""
    value = statement.value
    if value is None or (isinstance(value, ast.Constant) and value.value is None):
        return ""
    return source.segment(value)


def _limits(annotation: ast.expr, source: SourceText) -> str:
    """The `Field(ge=..., max_length=...)` rules on a field's own value, in words."""
    rules: list[str] = []
    for node in ast.walk(annotation):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Field":
            for keyword in node.keywords:
                template = _LIMITS.get(keyword.arg or "")
                if template is not None:
                    rules.append(template.format(source.segment(keyword.value)))
    return ", ".join(rules)
