"""How cardgen words what it counts, in messages and in the files it writes."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`1 model`, `2 models`, `0 models`: a count and its noun, plural (`noun`s unless given) unless
    the count is one."""
    return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"
