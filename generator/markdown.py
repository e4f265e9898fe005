"""Text shown in Markdown (the SDK's README and CHANGELOG, CI job summaries): a document's words stay words.

Whatever a document says is shown as written, one line, and never read as markup: no emphasis,
link, image, HTML, heading, code span or table cell comes out of it.
"""

from __future__ import annotations

import re

from generator.render.pytext import escape_unprintable, one_line

# ASCII punctuation Markdown may read as markup (CommonMark lets any of it be backslash-escaped).
_MARKUP = re.compile(r"([`*_\[\]<|#~&])")  # `>` and `!` mean nothing without `<` or `[`
# A backslash that would escape the punctuation after it: doubled, so that it shows as written.
_ESCAPING = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
_SPAN = re.compile(r"`([^`]*)`")  # one of cardgen's own code spans in a message


def markdown_text(value: object) -> str:
    """Text safe in a Markdown table cell or list item: one line, markup characters and controls escaped."""
    return _escaped(one_line(value))


def _escaped(text: str) -> str:
    return escape_unprintable(_MARKUP.sub(r"\\\1", _ESCAPING.sub(r"\\\\", text)))


def markdown_code(value: object) -> str:
    """Text safe inside single backticks in a table: one line, no backticks, pipes and controls escaped."""
    return escape_unprintable(one_line(value).replace("`", "'").replace("|", "\\|"))


def markdown_message(message: str) -> str:
    """One of cardgen's messages (its code spans in backticks, a document's text around and in them)
    in a table cell or list item: each span a span still, everything else text."""
    parts = _SPAN.split(one_line(message))  # text, span, text, span, ..., text
    return "".join(f"`{markdown_code(part)}`" if i % 2 else _escaped(part) for i, part in enumerate(parts))
