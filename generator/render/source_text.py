"""Source text of ast nodes, sliced from line offsets computed once per module.

`ast.get_source_segment` splits the whole module into lines on every call: reading each field's
default and range off a module of n lines costs O(n) per field, O(n^2) per module.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from typing import Self


@dataclass(frozen=True)
class SourceText:
    """Code as UTF-8 bytes: ast's col_offset and end_col_offset count bytes, not characters."""

    data: bytes
    starts: tuple[int, ...]  # byte offset of each line

    @classmethod
    @lru_cache(maxsize=16)  # as syntax.parsed: the steps reading one module ask for it in turn; immutable
    def of(cls, code: str) -> Self:
        data = code.encode("utf-8")
        starts = [0]
        # bytes.splitlines() ends lines at \n, \r\n and \r only, as Python's tokenizer does;
        # str.splitlines() would also end them at U+2028, U+0085, form feed and others.
        for line in data.splitlines(keepends=True):
            starts.append(starts[-1] + len(line))
        return cls(data, tuple(starts))

    def span(self, node: ast.AST) -> tuple[int, int]:
        """The node's start and end as byte offsets into data."""
        lineno, col = node.lineno, node.col_offset  # type: ignore[attr-defined]
        end_lineno, end_col = node.end_lineno, node.end_col_offset  # type: ignore[attr-defined]
        return self.starts[lineno - 1] + col, self.starts[end_lineno - 1] + end_col

    def segment(self, node: ast.AST) -> str:
        """The node's source text, as `ast.get_source_segment` gives it."""
        start, end = self.span(node)
        return self.data[start:end].decode("utf-8")
