"""The schema walker's reading of single nodes, and the cases that must report nothing."""

from __future__ import annotations

from typing import Any

import pytest

from generator.evolve import diff_schema
from generator.evolve.schema_facts import bound, contrast, join, kinds, match_branches, nullable, short


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": ["string", "null"]}, True),
        ({"type": "string"}, False),
        ({"type": "string", "enum": ["a", None]}, False),  # the type rejects null first
        ({"enum": ["a", None]}, True),
        ({"const": None}, True),
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, True),
        ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, False),
        ({"oneOf": [{"type": "string"}, {}]}, None),
        ({}, None),
        ({"description": "anything"}, None),
    ],
)
def test_nullable(schema: dict[str, Any], expected: bool | None) -> None:
    assert nullable(schema) is expected


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string"}, {"string"}),
        ({"type": ["integer", "null"]}, {"integer"}),
        ({"enum": ["a", "b", None]}, {"string"}),
        ({"const": 3}, {"integer"}),
        ({"properties": {}}, {"object"}),
        ({"items": {}}, {"array"}),
        ({}, None),
    ],
)
def test_kinds(schema: dict[str, Any], expected: set[str] | None) -> None:
    assert kinds(schema) == (None if expected is None else frozenset(expected))


def test_bounds_take_the_tightest_keyword_draft_4_and_2020_12() -> None:
    assert bound({"minimum": 0, "exclusiveMinimum": 0}, lower=True) == (0, True, "exclusiveMinimum")
    assert bound({"minimum": 0, "exclusiveMinimum": True}, lower=True) == (0, True, "minimum")
    assert bound({"maximum": 5, "exclusiveMaximum": 7}, lower=False) == (5, False, "maximum")
    assert bound({"maximum": True}, lower=False) is None


def test_paths_quote_what_is_not_an_identifier() -> None:
    assert join("$", "properties") == "$.properties"
    assert join("$.properties", "a.b") == '$.properties["a.b"]'
    assert join("$.oneOf", 2) == "$.oneOf[2]"


def test_branches_pair_by_title_then_required_then_type_then_a_lone_pair() -> None:
    old: list[tuple[int, dict[str, Any]]] = [
        (0, {"title": "T", "required": ["x"]}),
        (1, {"required": ["y"]}),
        (2, {"type": "string"}),
        (3, {"required": ["gone"]}),
    ]
    new: list[tuple[int, dict[str, Any]]] = [
        (0, {"type": "string"}),
        (1, {"required": ["y", "z"]}),
        (2, {"required": ["x"], "title": "T"}),
    ]
    pairs, removed, added = match_branches(old, new)
    assert [(before[0], after[0]) for before, after in pairs] == [(2, 0), (0, 2)]
    assert [index for index, _ in removed] == [1, 3]  # two left on one side: no guessing
    assert [index for index, _ in added] == [1]


def test_a_lone_unmatched_pair_is_compared_not_replaced() -> None:
    old = {"oneOf": [{"required": ["a"], "properties": {"a": {"type": "string"}}}]}
    new = {"oneOf": [{"required": ["b"], "properties": {"b": {"type": "string"}}}]}
    rules = sorted(c.rule for c in diff_schema(old, new, "request", "$"))
    assert rules == ["request-property-added-required", "request-property-removed"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"type": "object", "properties": {"a": {}}}, {"properties": {"a": {}}}),  # implied object
        ({"enum": ["a", "b"]}, {"type": "string", "enum": ["b", "a"]}),  # order and implied type
        ({"type": ["string", "null"]}, {"type": ["null", "string"]}),
        ({"type": "number"}, {"type": ["number", "integer"]}),  # integer is a number
        ({"minLength": 0}, {}),  # the default minimum
        ({"additionalProperties": True}, {}),
        (
            {"anyOf": [{"type": "string"}, {"type": "null"}]},
            {"anyOf": [{"type": "null"}, {"type": "string"}]},
        ),
    ],
)
def test_equivalent_spellings_report_nothing(old: dict[str, Any], new: dict[str, Any]) -> None:
    assert diff_schema(old, new, "request", "$") == []
    assert diff_schema(old, new, "response", "$") == []


def test_unrelated_types_are_one_change_not_a_cascade() -> None:
    old = {"type": "string", "maxLength": 3}
    new = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    changes = diff_schema(old, new, "request", "$.x")
    assert [(c.rule, c.path, c.old, c.new) for c in changes] == [
        ("request-type-changed", "$.x.type", "string", "object")
    ]


def test_a_change_that_narrows_one_bound_and_widens_the_other_reports_both() -> None:
    changes = diff_schema({"minimum": 0, "maximum": 5}, {"minimum": 1, "maximum": 9}, "request", "$")
    assert sorted((c.rule, c.path) for c in changes) == [
        ("request-range-narrowed", "$.minimum"),
        ("request-range-widened", "$.maximum"),
    ]
    assert {c.message for c in changes} == {"lower bound >= 0 -> >= 1", "upper bound <= 5 -> <= 9"}


def test_true_and_1_are_different_constants() -> None:
    changes = diff_schema({"const": True}, {"const": 1}, "request", "$")
    assert [c.rule for c in changes] == ["request-type-changed"]


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("温度", 'properties["温度"]'),  # as written, not `\u6e29\u5ea6`
        ("top-p", "properties.top-p"),
        ('say "hi"', 'properties["say \\"hi\\""]'),
        ("a\nb", 'properties["a\\nb"]'),
        ("user\u202egnp.exe", 'properties["user\\u202egnp.exe"]'),  # a bidi override cannot turn the text
        ("a\u2028b", 'properties["a\\u2028b"]'),
    ],
)
def test_a_path_shows_a_key_as_written_but_what_cannot_be_printed(key: str, shown: str) -> None:
    assert join("properties", key) == shown


def test_two_long_texts_are_cut_inside_their_quotes_where_they_differ() -> None:
    """Each side a whole-looking JSON string: its quotes kept, what is cut marked inside them."""
    old = "A tiny chat model, described in both Cloudflare formats; this JSON page is the current one"
    new = "A tiny chat model, EDITED description for the trial."
    assert contrast(old, new) == (
        '"...chat model, described in both Cloudflare formats; th..." -> '
        '"...chat model, EDITED description for the trial."'
    )
    quoted = "a" * 50 + '"q\n'  # cut as text, then written as JSON: no escape split at either cut
    assert contrast(quoted + "x" * 30, quoted + "y" * 30) == (
        '"...aaaaaaaaa\\"q\\n' + "x" * 30 + '" -> "...aaaaaaaaa\\"q\\n' + "y" * 30 + '"'
    )
    assert short(old) == '"A tiny chat model, described in both Cloudflare formats..."'  # its quotes kept
    assert contrast("short", "other") == '"short" -> "other"'
    assert contrast(["a" * 70], ["a" * 70, "b"]).endswith('", "b"]')  # not a string: cut as before
