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


def test_the_overlay_of_a_removed_or_failing_page_says_what_to_do(tmp_path: Path) -> None:
    """Told by the document that made the entry last time, not by a look-alike slug: deepseek_math_7b_base
    has a close sibling (deepseek_coder_6_7b_base_awq) that an overlay must never be pointed at."""
    root = build_seed_project(tmp_path)
    overlay = root / "catalog" / "overlays" / "cloudflare" / "deepseek_math_7b_base.yaml"
    overlay.parent.mkdir(exist_ok=True)
    overlay.write_text("reason: the page omits its tags\npatch:\n  tags: [math]\n", "utf-8")
    cardgen(root, "ingest")
    page = root / "catalog" / "sources" / "cloudflare" / "deepseek-math-7b-base.md"
    text = page.read_text("utf-8")
    page.write_text("", "utf-8")  # still there, but gives no entry
    failing = cardgen(root, "ingest", expect=1)
    assert (
        "overlays/cloudflare/deepseek_math_7b_base.yaml: error: no catalog entry cloudflare/deepseek_math_7b_base "
        "to patch (its page sources/cloudflare/deepseek-math-7b-base.md no longer gives the entry: mend the page "
        "(see its diagnostics))"
    ) in failing.stdout + failing.stderr
    page.unlink()
    gone = cardgen(root, "ingest", expect=1)
    assert (
        "overlays/cloudflare/deepseek_math_7b_base.yaml: error: no catalog entry cloudflare/deepseek_math_7b_base "
        "to patch (its page sources/cloudflare/deepseek-math-7b-base.md left the sources: delete the overlay)"
    ) in gone.stdout + gone.stderr
    assert "did you mean" not in gone.stdout + gone.stderr
    page.write_text(text, "utf-8")
    assert "overlays/" not in cardgen(root, "ingest").stdout
