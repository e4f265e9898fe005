"""Untrusted text in the data files cardgen writes (JSON and YAML): escaped where it may not stand raw.

JSON and YAML let a string hold almost any character raw. Raw, U+2028 and NEL split lines for
`str.splitlines()` readers, and bidi controls (U+202E) or zero-width characters make a file, or a
reviewed diff of it, show other text than it holds. So what `str.isprintable()` rejects is written
as an escape, as the generated Python writes it (render/pytext.py); the layout's own newlines (and
tabs, which YAML keeps in its block scalars) stay as they are. Text that needs no escape, German or
Japanese text included, is written as it is.
"""

from __future__ import annotations

import yaml

from generator.render.pytext import escape_unprintable

LAYOUT = "\n\t"  # what may stand raw although str.isprintable() rejects it


def unprintable_in(text: str) -> set[str]:
    """The characters of text to escape."""
    if text.isprintable():  # the common case, without a set of every character
        return set()
    return {ch for ch in set(text) if not ch.isprintable() and ch not in LAYOUT}


def printable_json(text: str) -> str:
    """JSON text (json.dumps or pydantic_core.to_json with non-ASCII kept) with each unprintable
    character as a `\\u` escape. The encoders escape controls inside strings and put no other
    unprintable character outside them, so every one left stands in a string, where its escape
    reads back as the same character."""
    for char in unprintable_in(text):
        text = text.replace(char, _json_escape(char))
    return text


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, as JSON writes characters beyond the BMP
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def needs_double_quotes(value: str) -> bool:
    """Whether a YAML string must be written double-quoted: the only style with escapes."""
    return bool(unprintable_in(value))


def printable_yaml(text: str) -> str:
    """A YAML dump (its strings holding an unprintable character double-quoted: needs_double_quotes)
    with each such character PyYAML left raw as an escape. PyYAML escapes in double quotes only what
    YAML forbids raw; with allow_unicode it writes bidi, zero-width and other format characters as
    they are. Those stand only inside double quotes, where an escape reads back as the character;
    the text around them stays readable."""
    return escape_unprintable(text, keep=LAYOUT)  # Python's `\u200b`, `\U000e0001` are YAML's too


class PrintableDumper(yaml.SafeDumper):
    """A dumper that writes a key holding text to escape as `? "key"`: escaped, 121 characters
    can outgrow the 1024 a reader allows a simple key (`\\U0001F600` is ten)."""

    def check_simple_key(self) -> bool:
        event = self.event
        if isinstance(event, yaml.ScalarEvent) and unprintable_in(event.value):
            return False
        return bool(super().check_simple_key())
