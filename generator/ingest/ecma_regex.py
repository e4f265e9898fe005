"""JSON Schema's regular expressions (ECMA-262) as Python `re` patterns that match the same strings.

JSON Schema's `pattern` and `patternProperties` are ECMA-262 expressions; Python's `re` reads the
same text otherwise: `$` also matches before a final line feed, `\\d` and `\\w` take any script's
digits and letters, `.` matches a carriage return, and `[^]` and `[]` are errors. The SDK's classes,
its run-time rules and its conformance tests all use Python's `re` (pydantic's `python-re` engine),
on patterns written here, so all three agree with each other and with the schema as JSON Schema
reads it. Ingest has refused what would not carry over (lookarounds, backreferences).
"""

from __future__ import annotations

from typing import Any

# ECMA-262 white space and line terminators (`\s`), as the inside of a Python character class.
_SPACE = r"\t\n\x0b\x0c\r\x20\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_INSIDE = {"d": "0-9", "w": "A-Za-z0-9_", "s": _SPACE}  # in a class of their own or of the pattern
_LINE_ENDS = r"\n\r\u2028\u2029"  # what `.` does not match


def python_pattern(pattern: str) -> str:
    """The Python `re` pattern that matches (`search`) exactly what `pattern` matches in ECMA-262."""
    out: list[str] = []
    i, in_class, ascii_only = 0, False, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            i += 2
            if escaped.lower() in _INSIDE:
                inside = _INSIDE[escaped.lower()]
                negated = escaped.isupper()
                if in_class and negated:
                    out.append(f"\\{escaped}")  # \\D, \\W: ASCII-based under the flag below (ingest
                    ascii_only = True  # refuses `\\S` in brackets: its ASCII reading is not ECMA's)
                elif in_class:
                    out.append(inside)
                else:
                    out.append(f"[{'^' if negated else ''}{inside}]")
            elif escaped in "bB" and not in_class:
                ascii_only = True
                out.append(f"\\{escaped}")
            else:
                out.append(f"\\{escaped}")
            continue
        i += 1
        if in_class:
            in_class = char != "]"
            out.append("\\[" if char == "[" else char)  # Python warns of a set nested in a set
        elif char == "[" and pattern.startswith("]", i):
            out.append("(?!)")  # `[]` matches nothing
            i += 1
        elif char == "[" and pattern.startswith("^]", i):
            out.append("[\\s\\S]")  # `[^]` matches any character
            i += 2
        elif char == "[":
            in_class = True
            out.append(char)
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
        elif char == "$":
            out.append("\\Z")  # the end of the input only
        elif char == ".":
            out.append(f"[^{_LINE_ENDS}]")
        else:
            out.append(char)
    # `\b`, `\B` and a class's `\D`, `\W` see ECMA's digits and word characters, ASCII ones:
    # Python's ASCII flag makes them so (its other effects are on `\d`, `\w`, `\s`, written out).
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
