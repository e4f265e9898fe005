"""SourceText slices the same text ast.get_source_segment does, on any line ending and any character."""

from __future__ import annotations

import ast

import pytest

from generator.render.source_text import SourceText

MODULES = {
    "non-ASCII names and values": 'température: int = 5\n名前 = "naïve é"\nx = f(ß=1, ü=[1, 2])\n',
    "separators inside strings": 'a = "line\u2028sep\u0085nel"\nb = "\\x0c"\nc = ("é", \'\u2029\')\n',
    "form feed between statements": "a = 1\n\x0c\nb = (2 +\n     3)\n",
    "CRLF and CR line ends": "a = 1\r\nb = [\r\n  'é',\r\n]\rc = {'k': 'ü'}\n",
    "multi-line nodes": 'def f(\n    x: "é" = 1,\n) -> None:\n    """doc\u2028with é\n    more"""\n',
}


@pytest.mark.parametrize("code", MODULES.values(), ids=MODULES.keys())
def test_every_node_reads_as_ast_reads_it(code: str) -> None:
    source = SourceText.of(code)
    nodes = [node for node in ast.walk(ast.parse(code)) if getattr(node, "end_col_offset", None) is not None]
    assert len(nodes) > 5
    for node in nodes:
        assert source.segment(node) == ast.get_source_segment(code, node), ast.dump(node)
