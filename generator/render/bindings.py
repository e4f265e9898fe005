"""Names a generated module binds for itself, and the properties and classes that would shadow them.

A class attribute named like an import (`Field`, `Annotated`, `JsonInt`) or a class of the module
hides it inside the class body: pydantic then resolves annotations and calls defaults against the
field, not the import. Which names are bound is read from the module itself, never kept as a list.
"""

from __future__ import annotations

import ast

from generator.render.syntax import all_nodes, parsed


def imported_names(tree: ast.Module) -> set[str]:
    """Every name an import binds, and the name it imports when it binds it under an alias."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                names.add(alias.name.partition(".")[0])
                if alias.asname:
                    names.add(alias.asname)
    return names


def module_bindings(tree: ast.Module) -> set[str]:
    """Every name the module binds at its top level: imports, classes, functions, assignments."""
    names = imported_names(tree)
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def field_alias(node: ast.AnnAssign) -> str | None:
    """The `alias=` of the field's `Field(...)`, if it has one."""
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id.startswith("Field")
        ):
            for keyword in call.keywords:
                if keyword.arg == "alias" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return None


def shadowing_fields(code: str, reserved: frozenset[str] = frozenset()) -> dict[str, str]:
    """{property as the schema spells it: the Python name to give it} for fields whose name misleads.

    - Named like a binding. A property the code generator renamed its own way (`Options` ->
      `Options_1` beside a class `Options`) counts too, so that every such property is renamed
      alike: `Options_`. reserved are names another module uses with these fields (run()'s own
      names in the resource module).
    - Named otherwise than Python reads it: Python folds identifiers to NFKC, so a field written
      `ﬁ` is `fi` to pydantic, and would be sent and read under that name.
    - Named like another field of its class, or like another field's property: the class accepts
      a field by its name as by its property, so `a_b` (for `a-b`) would take the property `a_b`.
    """
    tree = parsed(code)
    bound = module_bindings(tree) | reserved
    shadowing: dict[str, str] = {}
    lines = code.split("\n")  # the code generator's "\n" lines, every other break escaped (postprocess)
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
        fields = []  # (Python's name, the name as written, the property)
        for node in cls.body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                written = _written(lines, node.target)
                fields.append((node.target.id, written, field_alias(node) or written))
        for index, (name, written, prop) in enumerate(fields):
            others = fields[:index] + fields[index + 1 :]
            if name in bound:
                shadowing[prop] = f"{name}_"
            elif prop in bound and name != f"{prop}_":
                shadowing[prop] = f"{prop}_"
            elif written != name or (name != prop and name in {other for _, _, other in others}):
                before = shadowing.get(prop)  # one name a property, whichever classes it is in
                taken = bound | {n for n, _, _ in others} | {p for _, _, p in others}
                taken |= set(shadowing.values()) - {before}
                if before is None or before in taken:
                    shadowing[prop] = _free(name if written != name else f"{name}_", taken)
    return shadowing


def _written(lines: list[str], name: ast.Name) -> str:
    """The name as the source spells it: ast gives it NFKC-folded, with offsets in UTF-8 bytes."""
    line = lines[name.lineno - 1].encode("utf-8")
    return line[name.col_offset : name.end_col_offset].decode("utf-8")


def _free(name: str, taken: set[str]) -> str:
    while name in taken:
        name = f"{name}_"
    return name


def shadowing_classes(code: str) -> set[str]:
    """Classes named like something the module imports (`class Field` beside pydantic's Field)."""
    tree = parsed(code)
    imported = imported_names(tree)
    return {node.name for node in tree.body if isinstance(node, ast.ClassDef) and node.name in imported}


def names_used(tree: ast.Module) -> set[str]:
    """Every name the module binds or reads anywhere: its bindings, arguments, locals and globals."""
    names = module_bindings(tree)
    for node in all_nodes(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names
