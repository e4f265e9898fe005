"""The README's rule table is the rule table."""

from __future__ import annotations

from generator.evolve.rules import rules_markdown
from tests.conftest import REPO


def test_readme_lists_every_diff_rule_as_the_code_defines_it() -> None:
    assert rules_markdown().strip() in (REPO / "README.md").read_text("utf-8")
