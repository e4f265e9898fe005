"""Python source parsed once for all its readers, and every node of a tree in one pass.

A model's types module is read by half a dozen steps (post-processing, signatures, TypedDicts,
shadowing checks), most of them reading the same text: at 500 models, 12 parses a model, half of
them repeats. Trees handed out here are shared: their readers never change them.
"""

from __future__ import annotations

import ast
from functools import lru_cache


@lru_cache(maxsize=16)  # the steps reading one text follow each other; nothing older is asked again
def parsed(code: str) -> ast.Module:
    """code's tree, the same object for every reader of the same text: read it, never change it."""
    return ast.parse(code)


def all_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of tree, itself included, as `ast.walk` finds them (in another order): one list
    for a pass to filter, without walk's generator call per node (about a third faster)."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, ast.AST):
                stack.append(value)
            elif isinstance(value, list):
                stack.extend(item for item in value if isinstance(item, ast.AST))
    return found


def union_operands(node: ast.expr) -> list[ast.expr]:
    """The operands of `A | B | C`, in order (`(A | B) | C` alike); [node] if it is no union.

    A loop, not recursion: `A | B | C` nests to the left as deep as the union is long, and a
    schema's `anyOf` of a thousand branches exceeded Python's recursion limit.
    """
    operands: list[ast.expr] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, ast.BinOp) and isinstance(current.op, ast.BitOr):
            pending += [current.right, current.left]  # the left one next: the order is kept
        else:
            operands.append(current)
    return operands
