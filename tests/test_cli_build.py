"""`cardgen build` is `cardgen ingest` then `cardgen generate`, in one process: the same files, the same words.

Two copies of the seed project (five models, three providers): one runs the two commands, the
other `cardgen build`, before and after a document is edited; their catalogs, generated trees and
messages must agree. A failing ingest stops the build before anything is generated.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.tree import is_dropping
from tests.conftest import CATALOG_ROOT, cardgen

EDITED = Path("catalog/sources/cloudflare/tinyllama-1.1b-chat-v1.0.md")


def _project(root: Path) -> Path:
    for part in ("sources", "overlays", "recordings"):
        shutil.copytree(CATALOG_ROOT / part, root / "catalog" / part)
    return root


def _tree(directory: Path) -> dict[str, bytes]:
    """The files cardgen writes as content (its hidden caches left out), by path."""
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not is_dropping(p.relative_to(directory))
    }


def _said(output: str) -> list[str]:
    """What a run says, less the seconds it took."""
    return [
        line.rsplit(" (", 1)[0] if line.startswith("generated ") else line for line in output.splitlines()
    ]


def _both(separate: Path, built: Path) -> tuple[list[str], list[str]]:
    one = cardgen(separate, "ingest")
    two = cardgen(separate, "generate")
    both = cardgen(built, "build")
    for part in ("catalog/models", "generated"):
        assert _tree(separate / part) == _tree(built / part), part
    return _said(one.stdout + two.stdout), _said(both.stdout)


def _edit(root: Path) -> None:
    path = root / EDITED
    text = path.read_text("utf-8")
    assert "TinyLlama" in text
    path.write_text(text.replace("TinyLlama", "TinyLlama (edited)", 1), "utf-8")


def test_build_writes_and_says_what_ingest_then_generate_do(tmp_path: Path) -> None:
    separate, built = _project(tmp_path / "separate"), _project(tmp_path / "built")
    said, built_said = _both(separate, built)
    assert built_said == said
    assert any(line.startswith("ingested ") for line in said)
    assert any(line.startswith("generated ") for line in said)
    _edit(separate)
    _edit(built)
    said, built_said = _both(separate, built)
    assert built_said == said
    assert any("1 model rendered" in line for line in said), said  # the edited model alone
    for root in (separate, built):  # the sources as they were: ingest replays, generate does not
        cassettes = root / "catalog" / "recordings" / "cloudflare" / "tinyllama_1_1b_chat_v1_0"
        (cassettes / "minimal.yaml").rename(cassettes / "renamed.yaml")
    said, built_said = _both(separate, built)
    assert built_said == said
    assert any("0 written" in line for line in said if line.startswith("ingested ")), said
    assert any("1 model rendered" in line for line in said), said
    for root in (
        separate,
        built,
    ):  # the two commands after builds: generate's own caches were left as they were
        path = root / EDITED
        path.write_text(path.read_text("utf-8").replace("(edited)", "(edited twice)"), "utf-8")
        cardgen(root, "ingest")
        cardgen(root, "generate")
    for part in ("catalog/models", "generated"):
        assert _tree(separate / part) == _tree(built / part), part


def test_a_failing_ingest_generates_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    cardgen(root, "build")
    before = _tree(root / "generated")
    (root / EDITED).write_text("---\nmodel: [unclosed\n---\n", "utf-8")
    failed = cardgen(root, "build", expect=1)
    assert "ingest failed" in failed.stderr
    assert "generated " not in failed.stdout
    assert _tree(root / "generated") == before
