"""Untrusted text written into Python source: every character it cannot hold raw is escaped.

Python source may not hold NUL; C0/C1 controls, DEL and the separators U+2028/U+2029/U+0085 are
legal inside string literals but `str.splitlines()`, editors and formatters take several for line
ends. So anything `str.isprintable()` rejects is written as an escape sequence, which reads back
as the same text.
"""

from __future__ import annotations


def one_line(value: object) -> str:
    """value as text on one line: whitespace runs (U+2028, U+0085, form feed and the like too) as one space."""
    return " ".join(str(value).split())


def escape_unprintable(text: str, keep: str = "") -> str:
    """text with each unprintable character (except those in keep) as a backslash escape.

    Backslashes already in text are not touched: escape them first when they must read back.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in keep else repr(ch)[1:-1] for ch in text)


def docstring_literal(value: str) -> str:
    """A triple-quoted literal that reads back as value, its line breaks kept as they are.

    A space that ends a line is written `\\x20`: linters take it for trailing whitespace (W291).
    """
    escaped = escape_unprintable(value.replace("\\", "\\\\").replace('"', '\\"'), keep="\n")
    lines = escaped.split("\n")
    ended = [line.rstrip(" ") + "\\x20" * (len(line) - len(line.rstrip(" "))) for line in lines[:-1]]
    return '"""' + "\n".join([*ended, lines[-1]]) + '"""'


def trailing_space(source: str) -> bool:
    """Whether a line of source ends in a space (one followed by a line break)."""
    return " \n" in source


def unprintable(text: str, allowed: str = "\n") -> str | None:
    """The first character of text that may not stand raw in generated source, or None."""
    return next((ch for ch in text if not ch.isprintable() and ch not in allowed), None)
