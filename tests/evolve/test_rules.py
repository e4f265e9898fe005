"""Every rule, triggered by a catalog pair built for it; and the table itself."""

from __future__ import annotations

import pytest

from generator.evolve import RULES, diff_catalogs, rules_markdown
from generator.evolve.rules import SEVERITIES, rule_for
from tests.evolve.cases import CASES, Case


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_each_case_yields_exactly_its_changes(case: Case) -> None:
    old, new = case.catalogs()
    found = [(c.rule, c.severity, c.path) for c in diff_catalogs(old, new).changes]
    assert sorted(found) == sorted(case.expected)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_no_change_when_a_catalog_is_compared_with_itself(case: Case) -> None:
    for catalog in case.catalogs():
        diff = diff_catalogs(catalog, catalog)
        assert diff.models == ()
        assert diff.bump == "none"


def test_every_rule_in_the_table_is_exercised_by_a_case() -> None:
    emitted = set()
    for case in CASES:
        emitted |= {change.rule for change in diff_catalogs(*case.catalogs()).changes}
    expected = {rule for case in CASES for rule, _, _ in case.expected}
    assert emitted == expected
    missing = sorted({rule.id for rule in RULES} - emitted)
    assert not missing, f"rules no test triggers (add a case to tests/evolve/cases.py): {missing}"


def test_rule_ids_are_unique_kebab_case_and_severities_known() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.id == rule.id.lower() and " " not in rule.id and "_" not in rule.id
        assert rule.severity in SEVERITIES
        assert rule.meaning.endswith(".")


def test_narrowing_breaks_requests_and_widening_breaks_responses() -> None:
    assert rule_for("request", "enum-removed").severity == "breaking"
    assert rule_for("response", "enum-removed").severity == "compatible"
    assert rule_for("request", "enum-added").severity == "compatible"
    assert rule_for("response", "enum-added").severity == "breaking"
    assert rule_for("request", "became-optional").severity == "compatible"
    assert rule_for("response", "became-optional").severity == "breaking"


def test_rules_markdown_lists_every_rule_once_most_severe_first() -> None:
    text = rules_markdown()
    lines = text.splitlines()
    assert lines[:2] == ["| Rule | Severity | Meaning |", "| --- | --- | --- |"]
    rows = lines[2:]
    assert len(rows) == len(RULES)
    for rule in RULES:
        assert sum(f"| `{rule.id}` | {rule.severity} |" in row for row in rows) == 1
    order = [[str(s) for s in SEVERITIES].index(row.split(" | ")[1]) for row in rows]
    assert order == sorted(order)
