"""Parse JSON and remember where every value is written, by JSON pointer, for provenance."""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

MAX_JSON_DEPTH = 128  # values deeper than this, or past the first MAX_JSON_SPANS, are located by an ancestor
MAX_JSON_SPANS = 100_000

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class JsonProblem(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def pointer(*parts: str | int) -> str:
    """RFC 6901: ('schema', 'a/b', 0) -> '/schema/a~1b/0'."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


@dataclass(frozen=True)
class LocatedJson:
    data: Any
    text: str
    spans: dict[str, tuple[int, int]]  # JSON pointer -> start and end offset of the value's text
    newlines: list[int] = field(repr=False)  # offset of every "\n", for offset -> line

    def lines(self, at: str) -> tuple[int, int] | None:
        """First and last line of the value at a pointer, or of its nearest located ancestor."""
        while at not in self.spans:
            if not at:
                return None
            at = at[: at.rfind("/")]
        start, end = self.spans[at]
        return self._line(start), self._line(max(start, end - 1))

    def written(self, at: str) -> str | None:
        """The value's text as the document writes it (a number keeps its digits: 0.000053)."""
        span = self.spans.get(at)
        return None if span is None else self.text[span[0] : span[1]]

    def _line(self, offset: int) -> int:
        return bisect.bisect_left(self.newlines, offset) + 1


def load_located_json(text: str) -> LocatedJson:
    """Parse text as JSON; raise JsonProblem with the line of anything that stops it."""
    data = parse_json(text)
    newlines = [m.start() for m in re.finditer("\n", text)]
    start = _SPACE.match(text, 0)
    return LocatedJson(data, text, scan_spans(text, start.end() if start else 0), newlines)


def scan_spans(text: str, at: int) -> dict[str, tuple[int, int]]:
    """The offsets of every value of the JSON value written at offset `at` (which must be valid JSON),
    by JSON pointer relative to it."""
    spans: dict[str, tuple[int, int]] = {}
    _Scanner(text, spans).value(at, "", 0)
    return spans


def parse_json(text: str) -> Any:
    """json.loads(text); raise JsonProblem with the line of anything that stops it."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonProblem(f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", exc.lineno) from exc
    except RecursionError as exc:
        raise JsonProblem("JSON nested too deeply", None) from exc
    except ValueError as exc:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        long_number = re.search(r"\d{4000,}", text)
        line = text.count("\n", 0, long_number.start()) + 1 if long_number else None
        raise JsonProblem(f"JSON does not load: {str(exc).split(';')[0]}", line) from exc


class _Scanner:
    """Walk text that json.loads accepted, recording each value's offsets under its pointer."""

    def __init__(self, text: str, spans: dict[str, tuple[int, int]]) -> None:
        self.text = text
        self.spans = spans

    def value(self, at: int, path: str, depth: int) -> int:
        opener = self.text[at]
        if opener not in "{[" or depth >= MAX_JSON_DEPTH or len(self.spans) >= MAX_JSON_SPANS:
            _, end = _DECODER.raw_decode(self.text, at)
        elif opener == "{":
            end = self._object(at, path, depth)
        else:
            end = self._array(at, path, depth)
        self.spans[path] = (at, end)
        return end

    def _skip(self, at: int) -> int:
        space = _SPACE.match(self.text, at)
        return space.end() if space else at

    def _object(self, at: int, path: str, depth: int) -> int:
        at = self._skip(at + 1)
        while self.text[at] != "}":
            key, at = _DECODER.raw_decode(self.text, at)
            at = self._skip(self._skip(at) + 1)  # past the colon
            at = self._skip(self.value(at, path + pointer(key), depth + 1))
            if self.text[at] == ",":
                at = self._skip(at + 1)
        return at + 1

    def _array(self, at: int, path: str, depth: int) -> int:
        at = self._skip(at + 1)
        index = 0
        while self.text[at] != "]":
            at = self._skip(self.value(at, path + pointer(index), depth + 1))
            index += 1
            if self.text[at] == ",":
                at = self._skip(at + 1)
        return at + 1
