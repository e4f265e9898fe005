"""JSON Schema's patterns (ECMA-262) keep their meaning under Python's `re`: what the SDK's classes,
its run-time rules and its conformance tests read."""

from __future__ import annotations

import re

import pytest

from generator.ingest.ecma_regex import python_pattern

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


def test_a_bracket_inside_a_class_is_written_as_a_literal_without_a_warning() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Python warns of a nested set; pydantic's -W error would fail
        written = re.compile(python_pattern("^[[a]+$"))
    assert written.search("[a[") and not written.search("b")


def test_pattern_keys_that_read_alike_in_python_keep_both_schemas() -> None:
    from generator.ingest.ecma_regex import python_patterns

    schema = {"patternProperties": {"^\\d$": {"type": "string"}, "^[0-9]$": {"minLength": 2}}}
    assert python_patterns(schema) == {
        "patternProperties": {"^[0-9]\\Z": {"allOf": [{"type": "string"}, {"minLength": 2}]}}
    }


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"^\Ab$", "\\A"),
        (r"a\Z", "\\Z"),
        (r"^a{,2}$", "{,n}"),
        (r"(?i)a", "(?...) group"),
        (r"(?P<x>a)", "(?...) group"),
        (r"(?>a)", "(?...) group"),
        (r"a*+", "possessive"),
        (r"a{2}+", "possessive"),
        (r"^[\S]$", "\\S inside brackets"),
    ],
)
def test_what_python_reads_otherwise_than_ecma_262_is_refused(pattern: str, why: str) -> None:
    from generator.ingest.patterns import pattern_problem

    problem = pattern_problem(pattern)
    assert problem is not None and why in problem, problem


@pytest.mark.parametrize("pattern", [r"^\++$", r"[*+]", r"a}+", r"[{,]", r"a+?", r"(?:a)b", r"^\S+$", r"\\A"])
def test_ecma_262_that_only_looks_like_python_syntax_is_accepted(pattern: str) -> None:
    from generator.ingest.patterns import pattern_problem

    assert pattern_problem(pattern) is None


def test_defaults_and_examples_are_checked_with_the_patterns_ecma_262_meaning() -> None:
    from generator.ingest.schemas import unfit_defaults, violations

    schema = {
        "type": "object",
        "properties": {"c": {"type": "string", "pattern": "^a\\d+$", "default": "a1\n"}},
    }
    assert [(where, why) for where, _, why in unfit_defaults(schema)] == [
        ("/properties/c/default", "'a1\\n' does not match '^a\\\\d+$'")
    ]
    assert violations(schema, {"c": "a\u0661"}) == ["/c: 'a\u0661' does not match '^a\\\\d+$'"]
