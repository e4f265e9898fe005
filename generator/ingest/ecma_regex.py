"""JSON Schema's regular expressions (ECMA-262) as Python `re` patterns that match the same strings.

JSON Schema's `pattern` and `patternProperties` are ECMA-262 expressions; Python's `re` reads the
same text otherwise: `$` also matches before a final line feed, `\\d` and `\\w` take any script's
digits and letters, `.` matches a carriage return, and `[^]` and `[]` are errors. The SDK's classes,
its run-time rules and its conformance tests all use Python's `re` (pydantic's `python-re` engine),
on patterns written here, so all three agree with each other and with the schema as JSON Schema
reads it. Ingest has refused what would not carry over (lookarounds, backreferences).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# ECMA-262 white space and line terminators (`\s`), as the inside of a Python character class.
_SPACE = r"\t\n\x0b\x0c\r\x20\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# What `\d`, `\w` and `\s` take, written inside a class (theirs, or one of the pattern's).
CLASS_SETS = {"d": "0-9", "w": "A-Za-z0-9_", "s": _SPACE}
_LINE_ENDS = r"\n\r\u2028\u2029"  # what `.` does not match


def tokens(pattern: str) -> Iterator[tuple[int, str, str, bool]]:
    """(index, kind, text, inside a class) of each piece of the pattern, read as ECMA-262 reads it.

    kind: "escape" (`\\x`), "open" (`[` or `[^`), "close" (a class's `]`), "empty" (`[]`, which
    matches nothing), "full" (`[^]`, any character) or "char". The one walk over a pattern's text:
    python_pattern rewrites what it yields, and ingest (patterns.py) refuses from it.
    """
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            yield i, "escape", pattern[i : i + 2], in_class
            i += 2
        elif in_class:
            yield i, "close" if char == "]" else "char", char, True
            in_class, i = char != "]", i + 1
        elif char == "[" and pattern.startswith("]", i + 1):
            yield i, "empty", "[]", False
            i += 2
        elif char == "[" and pattern.startswith("^]", i + 1):
            yield i, "full", "[^]", False
            i += 3
        elif char == "[":
            opener = "[^" if pattern.startswith("^", i + 1) else "["
            yield i, "open", opener, False
            in_class, i = True, i + len(opener)
        else:
            yield i, "char", char, False
            i += 1


def python_pattern(pattern: str) -> str:
    """The Python `re` pattern that matches (`search`) exactly what `pattern` matches in ECMA-262."""
    out: list[str] = []
    ascii_only = False
    for _, kind, text, in_class in tokens(pattern):
        if kind == "escape":
            escaped = text[1]
            if escaped.lower() in CLASS_SETS:
                inside = CLASS_SETS[escaped.lower()]
                negated = escaped.isupper()
                if in_class and negated:
                    out.append(text)  # \\D, \\W: ASCII-based under the flag below (ingest
                    ascii_only = True  # refuses `\\S` in brackets: its ASCII reading is not ECMA's)
                elif in_class:
                    out.append(inside)
                else:
                    out.append(f"[{'^' if negated else ''}{inside}]")
            else:
                ascii_only = ascii_only or (escaped in "bB" and not in_class)
                out.append(text)
        elif kind == "empty":
            out.append("(?!)")  # `[]` matches nothing
        elif kind == "full":
            out.append("[\\s\\S]")  # `[^]` matches any character
        elif in_class and text == "[":
            out.append("\\[")  # Python warns of a set nested in a set
        elif kind == "char" and not in_class and text == "$":
            out.append("\\Z")  # the end of the input only
        elif kind == "char" and not in_class and text == ".":
            out.append(f"[^{_LINE_ENDS}]")
        else:
            out.append(text)
    # `\\b`, `\\B` and a class's `\\D`, `\\W` see ECMA's digits and word characters, ASCII ones:
    # Python's ASCII flag makes them so (its other effects are on `\\d`, `\\w`, `\\s`, written out).
    return ("(?a)" if ascii_only else "") + "".join(out)


def python_patterns(schema: Any, original_as: str | None = None) -> Any:
    """The schema (changed in place) with every `pattern` and `patternProperties` key written for Python.

    original_as: a key beside each `pattern` to keep the document's own text under, for messages.
    """
    from generator.ingest.keywords import subschemas  # noqa: PLC0415 - the one walk of a schema

    for _, node in list(subschemas(schema)):
        if isinstance(node.get("pattern"), str):
            if original_as is not None:
                node[original_as] = node["pattern"]
            node["pattern"] = python_pattern(node["pattern"])
        table = node.get("patternProperties")
        if isinstance(table, dict):
            written: dict[str, Any] = {}
            for key, sub in table.items():
                at = python_pattern(str(key))
                # Two keys one text for Python (`^\\d$` and `^[0-9]$`): a name matching it takes both.
                written[at] = {"allOf": [written[at], sub]} if at in written else sub
            node["patternProperties"] = written
    return schema


DOCUMENT_PATTERN = "x-cardgen-document-pattern"  # python_patterns(..., DOCUMENT_PATTERN) keeps it there


def as_documented(error: Any) -> str:
    """A jsonschema error's message, naming a pattern as the document wrote it (its validator's schema
    went through python_patterns with DOCUMENT_PATTERN)."""
    schema = error.schema
    if error.validator == "pattern" and isinstance(schema, dict) and DOCUMENT_PATTERN in schema:
        return f"{error.instance!r} does not match {schema[DOCUMENT_PATTERN]!r}"
    return str(error.message)
