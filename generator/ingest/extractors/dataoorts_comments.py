"""Parameters a Dataoorts request example shows commented out (`#"steps": 20,`): optional ones."""

from __future__ import annotations

import ast
import io
import tokenize
from typing import Any

from generator.ingest.text import Found

_JSON_NAMES = {"true": True, "false": False, "null": None}
_MAX_JOINED = 20  # comment lines one commented-out value may span ("size": [ ... ])


def commented_parameters(block: Found, payload: str, data_key: str) -> dict[str, tuple[Any, tuple[int, int]]]:
    """`key: (value, lines)` for each whole-line comment inside `payload[data_key]` that reads as a dict entry."""
    data = _data_dict(ast.parse(block.value), payload, data_key)
    if data is None:
        return {}
    inside = [(v.lineno, v.end_lineno or v.lineno) for v in data.values]
    rows = [
        (row, text)
        for row, text in _comment_lines(block.value)
        if data.lineno < row < (data.end_lineno or data.lineno) and not any(a <= row <= b for a, b in inside)
    ]
    first = block.lines[0]
    found: dict[str, tuple[Any, tuple[int, int]]] = {}
    index = 0
    while index < len(rows):
        entries, used = _entries(rows, index)
        for key, value in entries.items():
            span = (first + rows[index][0] - 1, first + rows[index + used - 1][0] - 1)
            found.setdefault(str(key), (value, span))
        index += used
    return found


def _data_dict(tree: ast.Module, payload: str, data_key: str) -> ast.Dict | None:
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and [getattr(t, "id", None) for t in node.targets] == [payload]
            and isinstance(node.value, ast.Dict)
        ):
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == data_key and isinstance(value, ast.Dict):
                    return value
    return None


def _comment_lines(source: str) -> list[tuple[int, str]]:
    """Comments that are a whole line, by line number, without their `#`."""
    lines = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT and not token.line[: token.start[1]].strip():
                lines.append((token.start[0], token.string.lstrip("#").strip()))
    except (tokenize.TokenError, SyntaxError):
        pass
    return lines


def _entries(rows: list[tuple[int, str]], index: int) -> tuple[dict[Any, Any], int]:
    """The dict entries starting at `rows[index]`, joining following comment lines a value spans."""
    if not rows[index][1].startswith(("'", '"')):
        return {}, 1
    text = ""
    for used in range(1, min(_MAX_JOINED, len(rows) - index) + 1):
        row, line = rows[index + used - 1]
        if used > 1 and row != rows[index + used - 2][0] + 1:
            break
        text += line + "\n"
        entries = _as_dict(text)
        if entries is not None:
            return entries, used
    return {}, 1


def _as_dict(text: str) -> dict[Any, Any] | None:
    try:
        tree = _JsonNames().visit(ast.parse("{" + text + "}", mode="eval"))
        value = ast.literal_eval(tree)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


class _JsonNames(ast.NodeTransformer):
    """`true`, `false`, `null`: a comment is never run, so pages spell values the JSON way too."""

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in _JSON_NAMES:
            return ast.copy_location(ast.Constant(_JSON_NAMES[node.id]), node)
        return node
