"""The line where a keyword inside a schema is written, for diagnostics that name a schema path.

A schema's fact knows the lines its value spans; a problem at `/oneOf/0/properties/prompt/type` is
better told at the line of that `type`. The document's text is read again only for a diagnostic,
and a line is given only where certain: the JSON written from the schema's first line holds, at
that path, the very value the entry's schema holds there. Otherwise (a schema written as YAML, or
as a JSON string inside YAML, or changed by an overlay) the schema's first line stands.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from generator.ingest.jsonspans import LocatedJson, scan_spans
from generator.ingest.refs import resolve_ref

_DECODER = json.JSONDecoder()
_OPENERS = re.compile(r"[{\[]")

Lines = Callable[[str], int | None]  # schema path (a JSON pointer) -> its line, or the schema's own


def keyword_lines(text: str | None, first_line: int | None, schema: Any) -> Lines:
    """Lines of paths inside schema, which text writes from first_line on (1-based)."""
    if text is None or first_line is None:
        return lambda _at: first_line
    located: list[LocatedJson | None] = []  # found on first use, at most once

    def line_of(at: str) -> int | None:
        if not located:
            located.append(_locate(text, first_line, schema))
        found = located[0]
        written = None if found is None else found.written(at)  # exactly there, not an ancestor
        if found is None or written is None:
            return first_line
        same, value = resolve_ref(schema, "#" + quote(at, safe=""))
        lines = found.lines(at)
        return lines[0] if same and lines and json.loads(written) == value else first_line

    return line_of


def _locate(text: str, first_line: int, schema: Any) -> LocatedJson | None:
    """The JSON value written from first_line on that is the schema, with its values' spans."""
    newlines = [m.start() for m in re.finditer("\n", text)]
    if first_line < 1 or first_line > len(newlines) + 1:
        return None
    start = 0 if first_line == 1 else newlines[first_line - 2] + 1
    end = newlines[first_line - 1] if first_line <= len(newlines) else len(text)
    for opener in _OPENERS.finditer(text, start, end):
        try:
            value, _ = _DECODER.raw_decode(text, opener.start())
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict) and isinstance(schema, dict) and value.keys() == schema.keys():
            return LocatedJson(value, text, scan_spans(text, opener.start()), newlines)
    return None
