"""Text shown in Markdown (CI job summaries, the SDK's CHANGELOG): a document's words stay words."""

from __future__ import annotations

import re

_MARKDOWN_ESCAPES = str.maketrans(
    {
        "|": "\\|",  # a new table cell
        "<": "&lt;",  # no HTML: a comment or <details> in a document's text would hide what follows
        "&": "&amp;",
        "\n": " ",  # a new row, or a new list item
        "\r": " ",
    }
)


def markdown_text(text: str) -> str:
    """Text in a Markdown table cell or list item (cardgen's messages, a document's text in them):
    no HTML, no new cell or line; otherwise as written, to read in the file too (`->`, `\\u2028`).
    Backticks are cardgen's code spans, kept."""
    # A backslash before a `|` would escape the backslash that keeps the `|` in its cell.
    return re.sub(r"\\(?=\|)", r"\\\\", text).translate(_MARKDOWN_ESCAPES)


def markdown_code(text: str) -> str:
    """Text as an inline code span, safe in a table cell: fenced by more backticks than it holds
    (backslashes mean nothing inside), its `|` escaped as GitHub's tables want."""
    flat = text.replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    fence = "`" * (max(map(len, re.findall("`+", flat)), default=0) + 1)
    padded = f" {flat} " if flat.startswith("`") or flat.endswith("`") else flat
    return f"{fence}{padded}{fence}"
