"""What a diff is made of: changes, per-model diffs, the catalog diff and its version bump."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from generator.evolve.rules import RULES_BY_ID, SEVERITIES, Severity
from generator.render.pytext import escape_unprintable

Bump = Literal["major", "minor", "patch", "none"]
Status = Literal["added", "removed", "changed"]

BREAKING: frozenset[Severity] = frozenset({"breaking", "breaking-wire"})


@dataclass(frozen=True)
class Change:
    """One classified difference at one place; `old`/`new` are JSON values (None when absent)."""

    rule: str
    path: str
    old: Any
    new: Any
    message: str

    def __post_init__(self) -> None:
        if self.rule not in RULES_BY_ID:
            raise ValueError(f"unknown rule id {self.rule!r}")
        # Messages quote the documents (property names, keywords, values, cut to a width first): JSON
        # leaves line separators, NEL and bidi overrides raw, which would split or reorder the
        # report's and the changelog's lines. Escaped here, once, for every rule.
        object.__setattr__(self, "message", escape_unprintable(self.message))

    @property
    def severity(self) -> Severity:
        return RULES_BY_ID[self.rule].severity

    @property
    def breaking(self) -> bool:
        return self.severity in BREAKING

    def sort_key(self) -> tuple[int, str, str, str]:
        return (SEVERITIES.index(self.severity), self.path, self.rule, self.message)


@dataclass(frozen=True)
class ModelDiff:
    provider: str
    model_id: str
    status: Status
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> bool:
        return any(change.breaking for change in self.changes)


def bump_for(severities: set[Severity]) -> Bump:
    """Semantic version bump for a set of severities."""
    if severities & BREAKING:
        return "major"
    if "compatible" in severities:
        return "minor"
    if "informational" in severities:
        return "patch"
    return "none"


def bump_below_1_0(bump: Bump) -> Bump:
    """The bump a 0.x version takes, as is usual: breaking moves the minor number, the rest the patch."""
    below: dict[Bump, Bump] = {"major": "minor", "minor": "patch"}
    return below.get(bump, bump)


@dataclass(frozen=True)
class CatalogDiff:
    """Every added, removed or changed model, sorted by provider then model id."""

    models: tuple[ModelDiff, ...]

    @property
    def changes(self) -> tuple[Change, ...]:
        return tuple(change for model in self.models for change in model.changes)

    @property
    def breaking(self) -> bool:
        return any(model.breaking for model in self.models)

    @property
    def bump(self) -> Bump:
        return bump_for({change.severity for change in self.changes})

    def counts(self) -> dict[Severity, int]:
        """Number of changes per severity, every severity present."""
        found = [change.severity for change in self.changes]
        return {severity: found.count(severity) for severity in SEVERITIES}
