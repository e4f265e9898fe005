"""What an extractor returns: facts keyed by entry field, each with where it was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from generator.diagnostics import Diagnostic, Level
from generator.ingest.sources import SourceDocument

How = Literal["stated", "derived", "default", "overlay"]


@dataclass(frozen=True)
class Fact:
    value: Any
    lines: tuple[int, int] | None
    how: How = "stated"
    note: str | None = None
    file: str | None = None  # None: the extraction's own document


@dataclass
class Extraction:
    """Facts one extractor read from one document, plus what it noticed."""

    extractor: str
    document: SourceDocument
    provider: str
    facts: dict[str, Fact] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def state(self, key: str, value: Any, lines: tuple[int, int] | None, note: str | None = None) -> None:
        self.facts[key] = Fact(value, lines, "stated", note)

    def derive(self, key: str, value: Any, lines: tuple[int, int] | None, note: str) -> None:
        """Record an inferred fact, unless the document states that field outright."""
        existing = self.facts.get(key)
        if existing is None or existing.how != "stated":
            self.facts[key] = Fact(value, lines, "derived", note)

    def report(self, level: Level, line: int | None, message: str, key: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(self.document.name, line, level, message, key))

    def value(self, key: str, default: Any = None) -> Any:
        fact = self.facts.get(key)
        return default if fact is None else fact.value
