"""JSON Schema's patterns (ECMA-262) keep their meaning under Python's `re`: what the SDK's classes,
its run-time rules and its conformance tests read."""

from __future__ import annotations

import re

import pytest

from generator.render.ecma_regex import python_pattern

# (pattern, strings ECMA-262 finds it in, strings it does not): where Python's `re` reads the same
# text otherwise, the second list held a string Python's `re` would find it in.
CASES = [
    (r"^a\d+$", ["a1", "a12"], ["a1\n", "a\u0661", "xa1"]),  # `$` before a final line feed; Arabic-Indic one
    (r"b", ["abc"], ["xyz"]),
    (r"^.$", ["a", "\t"], ["\r", "\n", "\u2028", "\u2029"]),
    (r"^[]", [], ["a", ""]),  # an empty class matches nothing
    (r"^[^]$", ["\n", "a"], [""]),  # its negation matches any one character
    (r"^\w+$", ["ab_9"], ["\u00e9", "a-b"]),
    (r"^\W$", ["\u00e9", "-"], ["a"]),
    (r"^\s$", ["\ufeff", "\u00a0", " ", "\u2028"], ["a", "\x1c"]),
    (r"^\S$", ["a", "\x1c"], ["\ufeff", " "]),
    (r"\bcat\b", ["a cat.", "cat"], ["bobcat", "\u00e9cat"[1:] + "s"]),
    (r"^[\d.]+$", ["1.2"], ["\u0661"]),
    (r"^[^\d]$", ["a", "\u0661"], ["1"]),
    (r"^[\D]$", ["a", "\u0661"], ["1"]),
    (r"^[\w-]+$", ["a-b"], ["\u00e9"]),
    (r"^\d{2,3}$", ["12", "123"], ["1", "1234", "\u0661\u0662"]),
    (r"^\$\.$", ["$."], ["$x"]),  # escaped `$` and `.` stay literal
]


@pytest.mark.parametrize(("pattern", "found", "not_found"), CASES, ids=[c[0] for c in CASES])
def test_a_pattern_matches_in_python_what_it_matches_in_ecma_262(
    pattern: str, found: list[str], not_found: list[str]
) -> None:
    written = python_pattern(pattern)
    assert [s for s in found if not re.search(written, s)] == []
    assert [s for s in not_found if re.search(written, s)] == []
