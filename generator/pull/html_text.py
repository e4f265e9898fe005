"""An HTML page reduced to the text a browser's "save as text" gives, which the extractors read.

Scripts, styles and the page's chrome (`nav`, `header`, `footer`) are dropped; blocks end lines;
table rows become `| cell | cell |` lines; `pre` keeps its line breaks; everything else has its
whitespace collapsed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

DROPPED = frozenset({"script", "style", "noscript", "template", "svg", "nav", "header", "footer", "head"})
BLOCKS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "dt",
        "dd",
        "dl",
        "blockquote",
        "figure",
        "figcaption",
        "form",
        "aside",
        "table",
        "title",
    }
)
_SPACES = re.compile(r"[ \t\r\f\v\n]+")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.dropped = 0
        self.pre = 0
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED:
            self.dropped += 1
        elif tag == "pre":
            self._end_line()
            self.pre += 1
        elif tag == "tr":
            if "".join(self.line).strip():
                self._end_line()
            self.row = []
        elif tag in {"td", "th"}:
            self.cell = []
        elif tag in BLOCKS:
            self._end_line()

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED:
            self.dropped = max(0, self.dropped - 1)
        elif tag == "pre":
            self._end_line()
            self.pre = max(0, self.pre - 1)
        elif tag in {"td", "th"} and self.cell is not None and self.row is not None:
            self.row.append(_SPACES.sub(" ", "".join(self.cell)).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.lines.append("| " + " | ".join(self.row) + " |")
            self.row = None
        elif tag in BLOCKS:
            self._end_line()

    def handle_data(self, data: str) -> None:
        if self.dropped:
            return
        if self.cell is not None:
            self.cell.append(data)
        elif self.pre:
            *complete, rest = data.split("\n")
            for piece in complete:
                self.line.append(piece)
                self.lines.append("".join(self.line).rstrip())
                self.line = []
            self.line.append(rest)
        else:
            self.line.append(_SPACES.sub(" ", data))

    def _end_line(self) -> None:
        text = "".join(self.line)
        self.lines.append(text.rstrip() if self.pre else text.strip())
        self.line = []


def html_to_text(html: str) -> str:
    """The page's text: one line per block, at most one blank line in a row, a final newline."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    parser._end_line()
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(parser.lines)).strip("\n")
    return text + "\n"


def looks_like_html(content_type: str, text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return "html" in content_type.lower() or head.startswith(("<!doctype html", "<html"))
