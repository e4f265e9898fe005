"""Diagnostics name a place the user can open: the real line, and the path from where the command ran."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.ingest.yamlspans import YamlProblem, load_located
from tests.conftest import SOURCES, cardgen

TINYLLAMA = SOURCES / "cloudflare" / "tinyllama-1.1b-chat-v1.0.md"


def _with_line_6(root: Path, text: str) -> Path:
    lines = TINYLLAMA.read_text("utf-8").split("\n")
    lines[5] = text
    page = root / "catalog" / "sources" / "cloudflare" / "x.md"
    page.parent.mkdir(parents=True)
    page.write_text("\n".join(lines), "utf-8")
    return page


def test_an_unclosed_quote_is_reported_where_it_opens() -> None:
    with pytest.raises(YamlProblem) as caught:
        load_located('a: 1\nb: "never closed\nc: 2\nd: "x"\n', first_line=2)
    assert caught.value.line == 3
    assert "runs on to line 5" in str(caught.value)


def test_a_yaml_error_on_line_6_is_reported_at_line_6_from_the_current_directory(tmp_path: Path) -> None:
    _with_line_6(tmp_path, '  bad: "unterminated')
    done = cardgen(tmp_path, "ingest", expect=1)
    assert done.stderr.startswith(
        "catalog/sources/cloudflare/x.md:6: error: front-matter: YAML does not parse"
    )


def test_paths_follow_the_sources_option_from_any_directory(tmp_path: Path) -> None:
    page = _with_line_6(tmp_path, "  bad: x: y")
    shutil.copy(page, page.with_name("y.md"))
    page.unlink()
    done = cardgen(tmp_path / "catalog", "ingest", "--sources", "sources", "--catalog", "models", expect=1)
    assert done.stderr.startswith("sources/cloudflare/y.md:6: error:")
