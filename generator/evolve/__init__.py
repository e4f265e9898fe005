"""What a catalog change does to callers of the generated SDK: classified changes and a version bump."""

from generator.evolve.changes import CatalogDiff, Change, ModelDiff, bump_for
from generator.evolve.entry_diff import diff_catalogs, diff_entries
from generator.evolve.revisions import RevisionError, load_catalog_at
from generator.evolve.rules import RULES, Rule, Severity, rules_markdown
from generator.evolve.schema_diff import diff_schema

__all__ = [
    "RULES",
    "CatalogDiff",
    "Change",
    "ModelDiff",
    "RevisionError",
    "Rule",
    "Severity",
    "bump_for",
    "diff_catalogs",
    "diff_entries",
    "diff_schema",
    "load_catalog_at",
    "rules_markdown",
]
