"""Line-aware helpers for reading scraped and markdown documents."""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator.ingest.sources import text_lines


def line_at(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return bisect.bisect_left(_newlines(text), offset) + 1


@lru_cache(maxsize=4)
def _newlines(text: str) -> list[int]:
    """Offsets of every newline; counting from 0 per lookup made many lookups quadratic."""
    return [match.start() for match in re.finditer("\n", text)]


def span_of(text: str, start: int, end: int) -> tuple[int, int]:
    return line_at(text, start), line_at(text, max(start, end - 1))


@dataclass(frozen=True)
class Found:
    value: str
    start: int
    end: int
    lines: tuple[int, int]


def search(pattern: str | re.Pattern[str], text: str, group: int = 1) -> Found | None:
    match = re.search(pattern, text)
    if match is None:
        return None
    return Found(match.group(group), match.start(), match.end(), span_of(text, *match.span()))


def search_all(pattern: str | re.Pattern[str], text: str, group: int = 1) -> list[Found]:
    return [
        Found(m.group(group), m.start(), m.end(), span_of(text, *m.span()))
        for m in re.finditer(pattern, text)
    ]


@dataclass(frozen=True)
class TableRow:
    cells: tuple[str, ...]
    line: int


def table_rows(text: str) -> Iterator[TableRow]:
    """Yield markdown table rows (`| a | b |`), skipping separator rows."""
    for number, line in enumerate(text_lines(text), start=1):
        stripped = line.strip()
        if not stripped.startswith("|"):
            continue
        cells = tuple(cell.strip() for cell in stripped.strip("|").split("|"))
        if all(re.fullmatch(r":?-{2,}:?", cell) for cell in cells if cell):
            continue
        yield TableRow(cells, number)


@dataclass(frozen=True)
class JsonFound:
    value: Any
    lines: tuple[int, int]
    end: int


class JsonTextError(ValueError):
    """JSON that does not parse, with the document line it starts on."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def decode_json_at(text: str, offset: int) -> JsonFound:
    """Decode one JSON value starting at offset (whitespace allowed before it)."""
    while offset < len(text) and text[offset].isspace():
        offset += 1
    try:
        value, end = json.JSONDecoder().raw_decode(text, offset)
    except json.JSONDecodeError as exc:
        raise JsonTextError(
            f"{exc.msg} (line {exc.lineno}, column {exc.colno})", line_at(text, exc.pos)
        ) from exc
    except RecursionError as exc:
        raise JsonTextError("JSON nested too deeply", line_at(text, offset)) from exc
    except ValueError as exc:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        raise JsonTextError(str(exc).split(";")[0], line_at(text, offset)) from exc
    return JsonFound(value, span_of(text, offset, end), end)


def fenced_blocks(text: str, language: str) -> list[Found]:
    """The bodies of ``` fenced blocks of one language, with their line spans."""
    opener = re.compile(rf"^```{re.escape(language)}[ \t]*\n", re.MULTILINE)
    closer = re.compile(r"^```", re.MULTILINE)
    found: list[Found] = []
    position = 0
    # Found by hand, not by one lazy regex: that rescans to the end from every unclosed opener.
    while (start := opener.search(text, position)) is not None:
        end = closer.search(text, start.end())
        if end is None:
            break
        found.append(
            Found(
                text[start.end() : end.start()],
                start.end(),
                end.start(),
                span_of(text, start.end(), end.start()),
            )
        )
        position = end.end()
    return found


def split_front_matter(text: str) -> tuple[str, int] | None:
    """The YAML between leading `---` lines and the line it starts on, or None."""
    lines = text_lines(text, keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return "".join(lines[1:index]), 2
    return None


def parse_number(raw: str) -> int | float:
    cleaned = raw.replace(",", "")
    value = float(cleaned)
    return int(value) if re.fullmatch(r"-?\d+", cleaned) and math.isfinite(value) else value


_SUFFIX = {"k": 1024, "m": 1024 * 1024}


def parse_token_count(raw: str) -> int | None:
    """'4,096 tokens' -> 4096; '128K' -> 131072 (token windows count in powers of two)."""
    match = re.search(r"(\d[\d,]*)\s*([kKmM]?)\b", raw)
    if match is None:
        return None
    digits = match.group(1).replace(",", "")
    if len(digits) > 18:
        return None
    number = int(digits)
    return number * _SUFFIX.get(match.group(2).lower(), 1)
