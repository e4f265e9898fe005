"""An ingest that removes entries (their documents are gone) names them, not only counts them."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import build_seed_project, cardgen


def test_the_entries_an_ingest_removes_are_named(tmp_path: Path) -> None:
    root = build_seed_project(tmp_path)
    (root / "catalog" / "sources" / "cloudflare" / "tinyllama-1.1b-chat-v1.0.md").unlink()
    done = cardgen(root, "ingest")
    assert ", 1 removed, " in done.stdout
    assert "  removed catalog/models/cloudflare/tinyllama_1_1b_chat_v1_0.yaml\n" in done.stdout
    again = cardgen(root, "ingest")
    assert "removed catalog" not in again.stdout  # nothing removed the second time


def test_the_overlay_of_a_removed_page_says_what_to_do(tmp_path: Path) -> None:
    root = build_seed_project(tmp_path)
    (root / "catalog" / "sources" / "segmind" / "deepseek-r1.txt").unlink()
    done = cardgen(root, "ingest", expect=1)
    assert (
        "overlays/segmind/deepseek_reasoner.yaml: error: no catalog entry segmind/deepseek_reasoner to patch "
        "(delete the overlay if its model's page left the sources, or name it after an entry)"
    ) in done.stdout + done.stderr
