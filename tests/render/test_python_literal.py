"""The `py` filter: text of a document, read back as data whatever it holds, never as code."""

from __future__ import annotations

import ast

import pytest

from generator.render.templates import python_literal


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -7,
        "",
        'it\'s "quoted"',
        "a\u2028b\x00\u202e",
        {406: "credits"},
        {"k": {"n": [None][0]}},
    ],
)
def test_a_literal_reads_back_as_the_same_data(value: object) -> None:
    assert ast.literal_eval(python_literal(value)) == value


@pytest.mark.parametrize("value", [1.5, [1], {"k": [1]}, object()])
def test_what_has_no_literal_here_is_refused(value: object) -> None:
    with pytest.raises(TypeError, match="no literal for"):
        python_literal(value)
