"""A model's TypedDicts in a module of their own, `types/<provider>/_dicts/<slug>.py`, loaded when first used.

They are for type checkers and for callers who pass plain dicts: a call builds none of them, yet in
the types module, which every first call imports, compiling and making them cost about half a
millisecond a model. The types module keeps them importable: it re-exports them for type checkers
(`if TYPE_CHECKING:`) and loads them for a caller who asks (a module `__getattr__` that type
checkers do not see, so a misspelt name is still an error there).
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass

from generator.render.bindings import imported_names, module_bindings
from generator.render.postprocess import FUTURE_IMPORT, is_functional_typed_dict
from generator.render.signatures import TYPED_DICT_IMPORTS
from generator.render.source_text import SourceText
from generator.render.syntax import parsed

# A TypedDict naming anything but these, builtins, the types module's classes and each other stays
# in the types module.
_IMPORTED = frozenset(imported_names(ast.parse(TYPED_DICT_IMPORTS)))
# Names the re-export binds or uses in the types module: a schema class of such a name keeps them there.
_REEXPORT_NAMES = frozenset(
    {
        "TYPE_CHECKING",
        "__getattr__",
        "__dir__",
        "AttributeError",
        "getattr",
        "globals",
        "sorted",
        "list",
        "str",
        "object",
    }
)
_TYPE_CHECKING_IMPORT = "from typing import TYPE_CHECKING\n"


@dataclass(frozen=True)
class TypedDicts:
    """The TypedDicts of one types module, moved out of it. Free of the model's slug (the types
    of models with the same schemas are made once): `reexport` and `module` put it in."""

    body: str  # their definitions, in the order they were written
    names: tuple[str, ...]
    classes: tuple[str, ...]  # the types module's classes they name, imported by their module
    # The types module kept `from __future__ import annotations` (eager_annotations left it as it
    # was): the TypedDicts may name each other before they are made, so their module keeps it too.
    future: bool = False

    def reexport(self, slug: str) -> str:
        """What ends the types module: the TypedDicts for type checkers, and loaded on first use."""
        listed = "".join(f"        {name} as {name},\n" for name in self.names)
        return (
            f"\n\nif TYPE_CHECKING:\n    from ._dicts.{slug} import (\n{listed}    )\nelse:\n\n"
            "    def __getattr__(name: str) -> object:\n"
            '        """One of the TypedDicts above, loaded with their module the first time one is asked for."""\n'
            f"        if name not in {self.names!r}:\n"
            '            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")\n'
            f"        from ._dicts import {slug} as typed_dicts\n\n"
            "        return getattr(typed_dicts, name)\n\n"
            "    def __dir__() -> list[str]:\n"
            '        """The module\'s names, the TypedDicts among them (`dir()`, completion in a REPL)."""\n'
            f"        return sorted({{*globals(), *{self.names!r}}})\n"
        )

    def module(self, slug: str) -> str:
        """The TypedDicts' module, but its file header and docstring."""
        imported = f"from ..{slug} import {', '.join(self.classes)}\n" if self.classes else ""
        future = f"{FUTURE_IMPORT}\n" if self.future else ""
        return f"{future}{TYPED_DICT_IMPORTS}\n{imported}\n\n{self.body}"


def split_typed_dicts(code: str) -> tuple[str, TypedDicts | None]:
    """The types module without its TypedDicts (ready for `TypedDicts.reexport`), and them; or the
    module as it is and None where they must stay (none there, or a name the move needs is taken)."""
    tree = parsed(code)
    dicts = [node for node in tree.body if _is_typed_dict(node)]
    imports = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    if not dicts or not imports:
        return code, None
    names = tuple(bound_name(node) for node in dicts)
    dicts_named = frozenset(names)
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)} - set(names)
    bound = module_bindings(tree)
    used = {name for node in dicts for name in _names_read(node)}
    foreign = used - _IMPORTED - set(names) - classes - set(dir(builtins))
    if foreign or bound & _REEXPORT_NAMES or any(_names_one(node, dicts_named) for node in tree.body):
        return code, None
    source = SourceText.of(code)
    spans = [source.span(node) for node in dicts]
    body = "\n\n\n".join(source.data[start:end].decode("utf-8") for start, end in spans)
    kept = source.data
    for start, end in reversed(spans):  # each a whole top-level statement, from its line's start
        kept = kept[:start] + kept[end:]
    # After the last import (the TypedDicts all come after it, so its offset still holds).
    after_imports = source.starts[max(node.end_lineno or node.lineno for node in imports)]
    types_code = kept[:after_imports] + _TYPE_CHECKING_IMPORT.encode() + kept[after_imports:]
    future = any(isinstance(node, ast.ImportFrom) and node.module == "__future__" for node in imports)
    moved = TypedDicts(body + "\n", names, tuple(sorted(classes & used)), future)
    return types_code.decode("utf-8").rstrip() + "\n", moved


def _is_typed_dict(node: ast.stmt) -> bool:
    if is_functional_typed_dict(node):
        return True
    return isinstance(node, ast.ClassDef) and any(
        isinstance(base, ast.Name) and base.id == "TypedDict" for base in node.bases
    )


def _names_read(node: ast.stmt) -> set[str]:
    """The names a TypedDict reads, those of its string annotations too: a functional TypedDict's
    types are strings (`{"a-b": "NotRequired[Inner | InnerDict]"}`), as is an annotation that
    eager_annotations quoted; a name they read must reach the TypedDicts' module all the same."""
    if isinstance(node, ast.ClassDef):
        heads: list[ast.AST] = [*node.bases, *node.keywords]
        annotations = [s.annotation for s in node.body if isinstance(s, ast.AnnAssign)]
    else:
        assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
        call = node.value
        heads = [call.func, *call.keywords, *call.args[2:]]
        fields = call.args[1] if len(call.args) > 1 else None
        annotations = [v for v in fields.values if v is not None] if isinstance(fields, ast.Dict) else []
        if fields is not None and not isinstance(fields, ast.Dict):
            heads.append(fields)
    names = {n.id for head in heads for n in ast.walk(head) if isinstance(n, ast.Name)}
    for annotation in annotations:
        names |= _annotation_names(annotation)
    return names


def _annotation_names(node: ast.expr) -> set[str]:
    """The names an annotation reads, reading a string in it as the annotation it quotes (but
    the values of a `Literal[...]`, which are data)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            quoted = ast.parse(node.value.strip(), mode="eval").body
        except SyntaxError:
            return {node.value}  # no name a module binds: the TypedDicts stay where they are
        return _annotation_names(quoted)
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Literal":
        return {"Literal"}
    names: set[str] = set()
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr):
            names |= _annotation_names(child)
    return names


def bound_name(node: ast.stmt) -> str:
    """The name a class or a functional TypedDict (`X = TypedDict("X", {...})`) binds."""
    if isinstance(node, ast.ClassDef):
        return node.name
    assert isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    return node.targets[0].id


def _names_one(node: ast.stmt, names: frozenset[str]) -> bool:
    """A statement that is not a TypedDict yet names one (the types module's classes never do)."""
    if _is_typed_dict(node):
        return False
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))
