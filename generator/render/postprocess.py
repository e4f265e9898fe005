"""Shape datamodel-code-generator's output so validation agrees with the JSON Schema exactly.

Edits are located with `ast` (never by pattern-matching code text) and applied as separate
passes, so no edit has to know about another:
  1. drop the unused root class and `Field(title=...)` noise the naming pass caused;
  2. wrap each union that came from a `oneOf` in `Annotated[..., ONE_OF]` (exactly one branch);
  3. mark optional properties whose schema rejects null with `NOT_NULL`, and arrays of integers
     `BYTES_AS_INTS` (bytes are a `Sequence[int]` to a type checker: taken as their values);
  4. swap `StrictInt` for `JsonInt` (JSON Schema counts 1.0 as an integer) and point the
     base class, and `RootModel`, at the package's own runtime;
  5. give each class with rules pydantic cannot express (schema_rules.py) a validator checking them;
  6. escape every control or separator character a string holds raw (descriptions in docstrings).
ast counts columns in UTF-8 bytes, so edits are applied to the encoded source.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from generator.render.datamodel import BASE_CLASS_MARKER, ROOT_CLASS_MARKER, CodegenError
from generator.render.pytext import docstring_literal, trailing_space, unprintable
from generator.render.schema_plan import TypePlan
from generator.render.source_text import SourceText
from generator.render.syntax import all_nodes, parsed, union_operands

RUNTIME_NAMES = ("BYTES_AS_INTS", "Base64Text", "JsonInt", "JsonNumber", "NOT_NULL", "ONE_OF", "StrictModel")
RULES = "schema_rules"  # from the runtime's `_constraints` module
RULES_ATTRIBUTE = "cardgen_rules_"
# JSON Schema counts 1.0 as an integer, and any JSON number as a number: the runtime's own types.
SWAPPED = {"StrictInt": "JsonInt", "StrictFloat": "JsonNumber"}
# pydantic's RootModel builds `RootModel[X]` when a module subclasses it: the runtime's `_root` defers it.
ROOT_MODEL = "RootModel"


@dataclass(frozen=True)
class _Edit:
    start: int  # byte offsets into the UTF-8 source
    end: int
    text: str


class _Source(SourceText):
    """The module's text, and edits located by its nodes."""

    def edit(self, node: ast.AST, text: str) -> _Edit:
        return _Edit(*self.span(node), text)


@dataclass
class _Parsed:
    """The module as one pass reads it: its tree, its text, and (on first use) every node in one list."""

    tree: ast.Module
    source: _Source

    @cached_property
    def nodes(self) -> list[ast.AST]:
        return all_nodes(self.tree)


def _apply(data: bytes, edits: list[_Edit]) -> bytes:
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        data = data[: edit.start] + edit.text.encode("utf-8") + data[edit.end :]
    return data


_Collect = Callable[[_Parsed], Iterator[_Edit]]


def _passes(code: str, collects: Iterable[_Collect]) -> str:
    """code after each pass in turn; a pass that edits nothing leaves its parse (and its list of
    nodes) to the next one (about half of them, on a typical catalog). No pass changes the tree."""
    module: _Parsed | None = None
    for collect in collects:
        if module is None:
            module = _Parsed(parsed(code), _Source.of(code))
        edits = _outermost(list(collect(module)))
        if edits:
            code, module = _apply(module.source.data, edits).decode("utf-8"), None
    return code


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
            alias = _alias(node)  # "" is a property's name too
            yield alias if alias is not None else node.target.id, node


def _alias(node: ast.AnnAssign) -> str | None:
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "Field":
            for keyword in call.keywords:
                if keyword.arg == "alias" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return None


def _drop_root_and_titles(module: _Parsed) -> Iterator[_Edit]:
    source = module.source
    for cls in _classes(module.tree):
        if cls.name == ROOT_CLASS_MARKER:
            yield source.edit(cls, "")
    for node in module.nodes:
        if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)):
            continue
        if node.value.id != "Annotated" or not isinstance(node.slice, ast.Tuple):
            continue
        kept = [e for e in node.slice.elts if not _is_title_only_field(e)]
        if len(kept) == len(node.slice.elts):
            continue
        parts = [source.segment(e) for e in kept]
        text = parts[0] if len(parts) == 1 else f"Annotated[{', '.join(parts)}]"
        yield source.edit(node, text)


def _is_title_only_field(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Field"
        and not node.args
        and [k.arg for k in node.keywords] == ["title"]
    )


def _union_members(node: ast.expr) -> list[str] | None:
    """The class names of `A | B | ...`, in order; None if anything else is in it."""
    operands = union_operands(node)
    names = [n.id for n in operands if isinstance(n, ast.Name)]
    return names if len(names) == len(operands) else None


def _unions(annotation: ast.expr) -> Iterator[tuple[ast.BinOp, list[str] | None]]:
    """Each union in an annotation, with its class names as _union_members gives them: `A | B | C`
    and the `A | B` it nests (each a union of its own, as ast reads it), in linear time."""
    inner: set[int] = set()  # the left sides of a `|` seen: met again below their top
    for top in ast.walk(annotation):
        if not (isinstance(top, ast.BinOp) and isinstance(top.op, ast.BitOr)) or id(top) in inner:
            continue
        spine: list[ast.BinOp] = []
        node: ast.expr = top
        while isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            spine.append(node)
            inner.add(id(node))
            node = node.left
        members = _union_members(node)
        for union in reversed(spine):  # the innermost first, one member more each
            right = _union_members(union.right)
            members = None if members is None or right is None else [*members, *right]
            yield union, members


def _mark_one_of(plan: TypePlan) -> _Collect:
    groups = {frozenset(group) for group in plan.one_of_groups}

    def collect(module: _Parsed) -> Iterator[_Edit]:
        source = module.source
        for cls in _classes(module.tree):
            annotations = [field.annotation for _, field in _fields(cls)] + _extra_annotations(cls)
            for annotation in annotations:
                for node, members in _unions(annotation):
                    if members and frozenset(members) in groups and len(members) == len(set(members)):
                        text = source.segment(node)
                        yield source.edit(node, f"Annotated[{text}, ONE_OF]")

    return collect


def _extra_annotations(cls: ast.ClassDef) -> list[ast.expr]:
    """The types in `__annotations__ = {'__pydantic_extra__': Dict[str, A | B]}`: what the code
    generator writes for `additionalProperties` beside `properties`."""
    return [
        value
        for node in cls.body
        if isinstance(node, ast.Assign)
        and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["__annotations__"]
        and isinstance(node.value, ast.Dict)
        for value in node.value.values
    ]


def _mark_not_null(plan: TypePlan) -> _Collect:
    def collect(module: _Parsed) -> Iterator[_Edit]:
        source = module.source
        for cls in _classes(module.tree):
            rules = plan.classes.get(cls.name)
            if rules is None:
                # A class the plan never named knows no NOT_NULL rules: with properties of its own
                # it would take null where its schema does not. Refused rather than written.
                # (A root class the generator makes for a union holds no properties.)
                if any(prop != "root" for prop, _ in _fields(cls)):
                    raise CodegenError(f"the code generator wrote class {cls.name}, which no schema names")
                continue
            for prop, field in _fields(cls):
                if prop not in rules.not_null:
                    continue
                if not any(
                    isinstance(n, ast.Constant) and n.value is None for n in ast.walk(field.annotation)
                ):
                    continue  # the type itself already rejects null
                text = source.segment(field.annotation)
                annotated = isinstance(field.annotation, ast.Subscript) and text.startswith("Annotated[")
                marked = f"{text[:-1]}, NOT_NULL]" if annotated else f"Annotated[{text}, NOT_NULL]"
                yield source.edit(field.annotation, marked)

    return collect


def _bytes_as_ints(module: _Parsed) -> Iterator[_Edit]:
    """`list[StrictInt]` fields (items a root class of an int too) also take bytes, as their values:
    a type checker lets `bytes` pass for the `Sequence[int]` run() declares (an image's or audio's
    bytes), so the class does too."""
    source = module.source
    classes = list(_classes(module.tree))
    int_roots = {
        cls.name
        for cls in classes
        for name, field in _fields(cls)
        if name == "root" and _is_int(field.annotation)
    }
    for cls in classes:
        for _, field in _fields(cls):
            for node in ast.walk(field.annotation):
                if (
                    isinstance(node, ast.Subscript)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "list"
                    and (
                        _is_int(node.slice)
                        or (isinstance(node.slice, ast.Name) and node.slice.id in int_roots)
                    )
                ):
                    yield source.edit(node, f"Annotated[{source.segment(node)}, BYTES_AS_INTS]")


def _is_int(node: ast.expr) -> bool:
    """`StrictInt`, or `Annotated[StrictInt, ...]`."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Annotated":
        node = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
    return isinstance(node, ast.Name) and node.id == "StrictInt"


def _runtime_names(module: _Parsed) -> Iterator[_Edit]:
    source = module.source
    for node in module.nodes:
        if isinstance(node, ast.Name) and node.id in SWAPPED:
            yield source.edit(node, SWAPPED[node.id])
        elif isinstance(node, ast.ImportFrom):
            names = [alias.name for alias in node.names]
            if node.module == BASE_CLASS_MARKER.rpartition(".")[0]:
                yield source.edit(node, "")
            elif node.module == "pydantic" and (SWAPPED.keys() | {ROOT_MODEL}) & set(names):
                kept = sorted(n for n in names if n not in SWAPPED and n != ROOT_MODEL)
                yield source.edit(node, f"from pydantic import {', '.join(kept)}" if kept else "")
        elif isinstance(node, ast.Assign) and _allows_custom_types(node.value):
            # The generator's answer to a `customTypePath`; the runtime's types need no such licence.
            assert isinstance(node.value, ast.Call)
            kept = [source.segment(k) for k in node.value.keywords if k.arg != "arbitrary_types_allowed"]
            yield source.edit(node, f"model_config = ConfigDict({', '.join(kept)})" if kept else "")


def _allows_custom_types(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "ConfigDict"
        and any(k.arg == "arbitrary_types_allowed" for k in node.keywords)
    )


def _add_rules(plan: TypePlan) -> _Collect:
    def collect(module: _Parsed) -> Iterator[_Edit]:
        source = module.source
        written = {cls.name: cls for cls in _classes(module.tree)}
        for name, rules in sorted(plan.rules.items()):
            cls = written.get(name)
            if cls is None:
                raise CodegenError(
                    f"class {name} has rules to check at run time, but the code generator wrote no such class"
                )
            end = source.span(cls)[1]
            yield _Edit(end, end, f"\n\n    {RULES_ATTRIBUTE} = {RULES}({rules!r})")

    return collect


def _escape_text(module: _Parsed) -> Iterator[_Edit]:
    """Rewrite each string whose source holds a raw control or separator character with escapes.

    datamodel-code-generator writes descriptions into docstrings as they are (only NUL, quotes
    and backslashes escaped): a form feed, ESC or U+2028 would stand raw in the module.
    """
    docstrings: set[int] = set()
    in_fstrings: set[int] = set()
    strings: list[tuple[ast.Constant, str]] = []
    for node in module.nodes:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            docstrings.add(id(node.value))
        elif isinstance(node, ast.JoinedStr):
            in_fstrings.update(id(part) for part in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.append((node, node.value))
    source = module.source
    for node, text in strings:
        if id(node) in in_fstrings:
            continue
        written = source.segment(node)
        if unprintable(written) is None and not (id(node) in docstrings and trailing_space(written)):
            continue
        literal = docstring_literal(text) if id(node) in docstrings else repr(text)
        yield source.edit(node, literal)


def shape_models(code: str, plan: TypePlan, runtime_module: str) -> str:
    """Apply every pass; runtime_module is the relative import of the runtime, e.g. '..._models'."""
    code = _passes(
        code,
        (
            _drop_root_and_titles,
            _mark_one_of(plan),
            _mark_not_null(plan),
            _bytes_as_ints,
            _runtime_names,
            _add_rules(plan),
            _escape_text,
        ),
    )
    # Lines are "\n" lines: str.splitlines() would also split inside a docstring at U+2028.
    body = "\n".join(line for line in code.split("\n") if not line.startswith("#   filename:"))
    body = body.replace("# generated by datamodel-codegen:\n", "", 1)
    nodes = all_nodes(parsed(body))
    mentioned = {node.id for node in nodes if isinstance(node, ast.Name)}
    used = [name for name in RUNTIME_NAMES if name in mentioned]
    imports = f"from {runtime_module} import {', '.join(used)}\n" if used else ""
    if RULES in mentioned:
        imports += f"from {runtime_module.rpartition('.')[0]}._constraints import {RULES}\n"
    if ROOT_MODEL in mentioned:  # the runtime's, deferred like StrictModel (pydantic's import was dropped)
        imports += f"from {runtime_module.rpartition('.')[0]}._root import {ROOT_MODEL}\n"
    imported = {
        alias.asname or alias.name
        for node in nodes
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    if "Annotated" in mentioned and "Annotated" not in imported:
        imports = f"from typing import Annotated\n{imports}"  # the rules above may be its only use
    future, _, rest = body.partition("from __future__ import annotations\n")
    shaped = f"{future.strip()}\nfrom __future__ import annotations\n\n{imports}{rest}".lstrip()
    raw = unprintable(shaped)
    if raw is not None:  # a place the passes above do not know, e.g. a comment: refuse, never write it
        raise CodegenError(f"the generated types would hold a raw U+{ord(raw):04X} outside any string")
    return shaped


FUTURE_IMPORT = "from __future__ import annotations\n"


def eager_annotations(code: str) -> str:
    """The types module without `from __future__ import annotations`, its definitions in dependency order.

    With the future import every annotation is a string, which pydantic (and TypedDict) compile and
    evaluate one by one when the class is made: about a third of what making a class costs. Written
    after what they refer to, annotations are plain expressions instead; one that refers to a class
    further down (a cycle, or the class itself) is quoted, and evaluated later as before. A module
    holding anything but imports, its docstring, classes and functional TypedDicts is left as it is.
    """
    tree = parsed(code)
    source = _Source.of(code)
    definitions: dict[str, ast.ClassDef | ast.Assign] = {}
    header_end = 0
    for index, node in enumerate(tree.body):
        if isinstance(node, ast.ClassDef) and not node.decorator_list:
            definitions[node.name] = node
        elif is_functional_typed_dict(node):
            assert isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
            definitions[node.targets[0].id] = node
        elif definitions:
            return code  # a statement among the definitions: its place may matter
        elif isinstance(node, ast.Import | ast.ImportFrom) or (index == 0 and _is_docstring(node)):
            header_end = source.span(node)[1]
        else:
            return code
    if not definitions or FUTURE_IMPORT not in code:
        return code
    spans = [source.span(node) for node in definitions.values()]
    between = [source.data[end:start] for (_, end), (start, _) in itertools.pairwise(spans)]
    if source.data[header_end : spans[0][0]].strip() or any(gap.strip() for gap in between):
        return code  # a comment between the definitions: reordering would move it
    if source.data[spans[-1][1] :].strip():
        return code
    order = _dependency_order(definitions)
    defined: set[str] = set()
    blocks: list[str] = []
    for name in order:
        node = definitions[name]
        start, end = source.span(node)
        edits = [
            _Edit(*source.span(field.annotation), repr(source.segment(field.annotation)))
            for field, bound in _annotations_and_bound(node)
            # a class not made yet; or a name the class body has bound by now (a field's default),
            # which a string annotation also meets, where pydantic evaluates it as before
            if _names(field.annotation) & ((definitions.keys() - defined) | bound)
        ]
        blocks.append(
            _apply(
                source.data[start:end], [_Edit(e.start - start, e.end - start, e.text) for e in edits]
            ).decode()
        )
        defined.add(name)
    header = source.data[:header_end].decode("utf-8").replace(FUTURE_IMPORT, "", 1)
    return header.rstrip() + "\n\n\n" + "\n\n\n".join(blocks) + "\n"


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def is_functional_typed_dict(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "TypedDict"
    )


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in all_nodes(node) if isinstance(n, ast.Name)}


def _annotations_and_bound(node: ast.ClassDef | ast.Assign) -> Iterator[tuple[ast.AnnAssign, set[str]]]:
    """Each field, with the names the class body has bound before its annotation is evaluated
    (none for a functional TypedDict: its types are strings already)."""
    if not isinstance(node, ast.ClassDef):
        return
    bound: set[str] = set()
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign):
            yield statement, set(bound)
            if statement.value is not None:
                bound |= _names(statement.target)
        elif isinstance(statement, ast.Assign | ast.AugAssign | ast.FunctionDef | ast.ClassDef):
            bound |= {
                n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
            if isinstance(statement, ast.FunctionDef | ast.ClassDef):
                bound.add(statement.name)


def _dependency_order(definitions: dict[str, ast.ClassDef | ast.Assign]) -> list[str]:
    """The definitions, each after those it names where possible, else in their written order.

    What runs when a class is made (its bases, defaults, `Field(...)` arguments) must come first
    whatever happens; a class only its annotations name may follow, its annotation then quoted.
    """
    names = set(definitions)
    needs: dict[str, set[str]] = {}
    must: dict[str, set[str]] = {}
    for name, node in definitions.items():
        annotations = {id(field.annotation) for field, _ in _annotations_and_bound(node)}
        hard: set[str] = set()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.AnnAssign):
                if child.value is not None:
                    hard |= _names(child.value)
            elif id(child) not in annotations and not isinstance(child, ast.arguments):
                hard |= _names(child)
        needs[name] = (_names(node) & names) - {name}
        must[name] = (hard & names) - {name}
    order: list[str] = []
    done: set[str] = set()
    pending = list(definitions)  # written order
    while pending:
        ready = next((n for n in pending if needs[n] <= done), None)
        if ready is None:  # a cycle: the first one whose runtime needs are met goes first
            ready = next((n for n in pending if must[n] <= done), pending[0])
        order.append(ready)
        done.add(ready)
        pending.remove(ready)
    return order
