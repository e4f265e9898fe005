"""Diagnostics are values: collected, sorted and printed, never thrown halfway."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Level(enum.IntEnum):
    INFO = 0
    NOTE = 1  # shown without --verbose, changes nothing: a page skipped on purpose
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding about one place in one file."""

    file: str
    line: int | None
    level: Level
    message: str
    field: str | None = None

    def render(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.level.label}: {self.message}"

    def with_level(self, level: Level, suffix: str = "") -> Diagnostic:
        return Diagnostic(self.file, self.line, level, self.message + suffix, self.field)


def error(file: str, line: int | None, message: str, field: str | None = None) -> Diagnostic:
    return Diagnostic(file, line, Level.ERROR, message, field)


def warning(file: str, line: int | None, message: str, field: str | None = None) -> Diagnostic:
    return Diagnostic(file, line, Level.WARNING, message, field)


def note(file: str, line: int | None, message: str, field: str | None = None) -> Diagnostic:
    return Diagnostic(file, line, Level.NOTE, message, field)


def info(file: str, line: int | None, message: str, field: str | None = None) -> Diagnostic:
    return Diagnostic(file, line, Level.INFO, message, field)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.level is Level.ERROR for d in diagnostics)


def count_warnings(diagnostics: Iterable[Diagnostic]) -> int:
    """How many warnings (an acknowledged one is an info line: not counted)."""
    return sum(1 for d in diagnostics if d.level is Level.WARNING)


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(diagnostics), key=lambda d: (d.file, d.line or 0, -d.level, d.message))
