"""The README's keyword table is the one keywords.py gives."""

from __future__ import annotations

from generator.ingest.keywords import ANNOTATIONS, DRAFT_2020_12, ENFORCED, keyword_table
from tests.conftest import REPO


def test_readme_table_matches_keywords() -> None:
    assert keyword_table() in (REPO / "README.md").read_text("utf-8")


def test_every_set_holds_draft_keywords_only() -> None:
    assert ENFORCED <= DRAFT_2020_12
    assert ANNOTATIONS <= DRAFT_2020_12
    assert not ENFORCED & ANNOTATIONS
