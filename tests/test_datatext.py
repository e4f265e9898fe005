"""Untrusted text in the JSON and YAML cardgen writes: what str.isprintable() rejects is escaped
(generator/datatext.py), and reads back as the same text."""

from __future__ import annotations

import json

import pydantic_core
import pytest
import yaml

from generator.datatext import PrintableDumper, needs_double_quotes, printable_json, printable_yaml

# Bidi controls (override, isolate), zero-width and format characters, spaces other than the space,
# line breaks to YAML 1.1, the BOM, DEL, a C1 control, and format characters beyond the BMP.
HIDDEN = [
    "\u202e", "\u2066", "\u200b", "\u200f", "\u00a0", "\u00ad", "\u3000", "\u2028", "\x85", "\ufeff",
    "\x7f", "\x9b", "\U000e0001", "\U0001d173",
]  # fmt: skip
READABLE = "naïve Größe 日本語 😀"


def visible(text: str, layout: str = "\n") -> bool:
    return all(char.isprintable() or char in layout for char in text)


@pytest.mark.parametrize("char", HIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_json_escapes_every_unprintable_character_and_reads_back(char: str) -> None:
    value = {"description": f"{READABLE} {char} end", f"key{char}": [char, "\\" + char]}
    for text in (
        json.dumps(value, ensure_ascii=False, indent=1),
        pydantic_core.to_json(value).decode("utf-8"),
    ):
        written = printable_json(text)
        assert visible(written)
        assert json.loads(written) == value
        assert READABLE in written  # text that needs no escape stays as it is


class _Dumper(PrintableDumper):
    """Double quotes where needs_double_quotes says, as cardgen's YAML writers choose them."""


_Dumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style='"' if needs_double_quotes(value) else None
    ),
)


def _dumped(value: str) -> str:
    return printable_yaml(yaml.dump({"d": value}, Dumper=_Dumper, allow_unicode=True, width=100))


@pytest.mark.parametrize("char", HIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_yaml_double_quotes_escape_every_unprintable_character(char: str) -> None:
    for value in (f"{READABLE} {char} end", f"line one\nline {char} two", char, f"\\{char}\\"):
        written = _dumped(value)
        assert visible(written)
        assert yaml.safe_load(written) == {"d": value}
    assert "naïve Größe 日本語" in _dumped(f"{READABLE} {char} end")  # the text around stays readable


def test_readable_yaml_and_json_are_written_as_they_are() -> None:
    assert not needs_double_quotes(f"{READABLE}\n\ttabbed")
    assert READABLE in _dumped(READABLE)
    text = json.dumps({"d": READABLE}, ensure_ascii=False)
    assert printable_json(text) == text
