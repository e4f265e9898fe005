"""Known disagreements acknowledged in acknowledged.yaml: info lines; stale or reasonless ones reported."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.diagnostics import Level
from generator.ingest.pipeline import IngestInputs, ingest
from tests.conftest import OVERLAYS, PROVIDERS, SOURCES

CODER = "sources/cloudflare/deepseek-coder-6.7b-base-awq.txt"
OTHERS = ["sources/cloudflare/tinyllama-1.1b-chat-v1.0.md", "sources/dataoorts/deepseek-math-7b-instruct.md"]


def _ingest(tmp_path: Path, acknowledged: str) -> list[tuple[str, str, str | None, str]]:
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES, sources)
    (tmp_path / "acknowledged.yaml").write_text(acknowledged, "utf-8")
    result = ingest(IngestInputs(sources, PROVIDERS, OVERLAYS))
    return [
        (d.level.label, d.file, d.field, d.message)
        for d in result.diagnostics
        if d.field or "acknowledg" in d.message
    ]


def _entry(field: str, documents: list[str], reason: str = "the providers document different ranges") -> str:
    listed = "".join(f"      - {d}\n" for d in documents)
    return f"  - field: {field}\n    documents:\n{listed}    reason: {reason}\n"


def test_without_acknowledgements_each_range_disagreement_is_a_warning(tmp_path: Path) -> None:
    found = _ingest(tmp_path, "acknowledged: []\n")
    ranges = [(level, field) for level, _, field, message in found if "ranges over" in message]
    assert ranges == [("warning", "frequency_penalty"), ("warning", "presence_penalty"), ("warning", "top_p")]


def test_an_acknowledged_disagreement_is_an_info_line_with_its_reason(tmp_path: Path) -> None:
    found = _ingest(tmp_path, "acknowledged:\n" + _entry("top_p", [CODER, *OTHERS]))
    [top_p] = [f for f in found if f[2] == "top_p"]
    assert top_p[:3] == ("info", CODER, "top_p")
    assert top_p[3].endswith("(acknowledged: the providers document different ranges)")
    assert {f[0] for f in found if f[2] != "top_p" and "ranges over" in f[3]} == {"warning"}


def test_an_acknowledgement_must_name_every_document_that_disagrees(tmp_path: Path) -> None:
    """A document joins the disagreement: the advice is to list it, not to remove a needed entry."""
    found = _ingest(tmp_path, "acknowledged:\n" + _entry("top_p", [CODER, OTHERS[0]]))
    assert ("warning", CODER, "top_p") in [f[:3] for f in found]
    stale = [f for f in found if f[1] == "acknowledged.yaml"]
    assert [(level, field) for level, _, field, _ in stale] == [("warning", "top_p")]
    assert stale[0][3].endswith(
        f"no longer covers the disagreement on `top_p`: it now also involves {OTHERS[1]}; add them to "
        "`documents` if the reason holds for them too"
    )
    assert "remove it" not in stale[0][3]


def test_an_acknowledgement_may_list_documents_by_glob(tmp_path: Path) -> None:
    found = _ingest(
        tmp_path, "acknowledged:\n" + _entry("top_p", ["sources/cloudflare/*", "sources/dataoorts/*"])
    )
    [top_p] = [f for f in found if f[2] == "top_p"]
    assert top_p[:3] == ("info", CODER, "top_p")
    narrow = _ingest(
        tmp_path / "narrow", "acknowledged:\n" + _entry("top_p", ["sources/cloudflare/*", "x/*"])
    )
    assert ("warning", CODER, "top_p") in [f[:3] for f in narrow]  # the Dataoorts page is not listed


def test_an_acknowledgement_that_matches_nothing_is_a_stale_warning(tmp_path: Path) -> None:
    found = _ingest(tmp_path, "acknowledged:\n" + _entry("temperature", [CODER, *OTHERS]))
    [stale] = [f for f in found if f[1] == "acknowledged.yaml"]
    assert stale[:3] == ("warning", "acknowledged.yaml", "temperature")
    # never matched, or matched once: the file cannot tell, so "any more" would not be true of both
    assert "any more" not in stale[3]
    assert stale[3].endswith(
        "matches no disagreement; remove it. acknowledged.yaml acknowledges only documents giving one "
        "parameter different ranges (`... ranges over ... here but ...`); answer another warning with "
        "an overlay or in providers/"
    )


def test_an_acknowledgement_listing_a_removed_document_says_to_take_it_out(tmp_path: Path) -> None:
    """Still covering the disagreement of the rest, it lists a page no longer among the sources."""
    gone = "sources/cloudflare/removed-page.md"
    found = _ingest(tmp_path, "acknowledged:\n" + _entry("top_p", [CODER, *OTHERS, gone, "sources/x/*"]))
    [top_p] = [f for f in found if f[2] == "top_p" and f[1] != "acknowledged.yaml"]
    assert top_p[0] == "info"  # the acknowledgement still answers the disagreement
    assert [f for f in found if f[1] == "acknowledged.yaml"] == [
        (
            "warning",
            "acknowledged.yaml",
            "top_p",
            f"acknowledgement of `top_p` lists {gone}, which is not among the sources (removed or "
            "renamed); take it out of `documents`",
        )
    ]  # a glob that matches nothing is no removed document


def test_a_listed_document_that_is_there_but_refused_is_not_called_removed(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES, sources)
    (sources / CODER.removeprefix("sources/")).write_text("", "utf-8")  # empty: refused, still a source
    (tmp_path / "acknowledged.yaml").write_text(
        "acknowledged:\n" + _entry("top_p", [CODER, *OTHERS]), "utf-8"
    )
    result = ingest(IngestInputs(sources, PROVIDERS, OVERLAYS))
    assert [d.message for d in result.diagnostics if d.file == CODER] == ["empty document"]
    assert not [d for d in result.diagnostics if "not among the sources" in d.message]


def test_an_acknowledgement_without_a_reason_is_an_error(tmp_path: Path) -> None:
    text = "acknowledged:\n" + _entry("top_p", [CODER, *OTHERS]).replace(
        "    reason: the providers document different ranges\n", ""
    )
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES, sources)
    (tmp_path / "acknowledged.yaml").write_text(text, "utf-8")
    result = ingest(IngestInputs(sources, PROVIDERS, OVERLAYS))
    errors = [d for d in result.diagnostics if d.level is Level.ERROR]
    assert [(d.file, d.line, d.message) for d in errors] == [
        ("acknowledged.yaml", 2, "an acknowledgement needs a `reason:` saying why it is right")
    ]


def test_a_disagreement_names_a_few_documents_per_range_at_any_catalog_size(tmp_path: Path) -> None:
    """Hundreds of documents agreeing with each other make one short line, not a list of them all."""
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES, sources)
    tinyllama = (sources / "cloudflare" / "tinyllama-1.1b-chat-v1.0.md").read_text("utf-8")
    assert "@cf/tinyllama/tinyllama-1.1b-chat-v1.0" in tinyllama
    for index in range(40):  # forty more documents with tinyllama's [0, 2] for top_p
        clone = tinyllama.replace("tinyllama-1.1b-chat-v1.0", f"tinyllama-clone-{index:02}")
        (sources / "cloudflare" / f"tinyllama-clone-{index:02}.md").write_text(clone, "utf-8")
    result = ingest(IngestInputs(sources, PROVIDERS, OVERLAYS))
    [coder] = [
        d.message for d in result.diagnostics if d.field == "top_p" and d.file.endswith(Path(CODER).name)
    ]
    assert coder.startswith("`top_p` ranges over [0.001, 1] here but [0, 2] in ")
    assert coder.endswith(" and 39 more (acknowledged.yaml takes a glob for them)"), coder  # 42 say [0, 2]
    assert len(coder) < 400


def test_a_disagreement_with_a_few_more_documents_names_them_all(tmp_path: Path) -> None:
    """ "and 1 more" would hide a document an acknowledgement must list, for no shorter line."""
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES, sources)
    tinyllama = (sources / "cloudflare" / "tinyllama-1.1b-chat-v1.0.md").read_text("utf-8")
    for index in range(3):  # five documents with tinyllama's [0, 2] for top_p
        clone = tinyllama.replace("tinyllama-1.1b-chat-v1.0", f"tinyllama-clone-{index:02}")
        (sources / "cloudflare" / f"tinyllama-clone-{index:02}.md").write_text(clone, "utf-8")
    result = ingest(IngestInputs(sources, PROVIDERS, OVERLAYS))
    [coder] = [
        d.message for d in result.diagnostics if d.field == "top_p" and d.file.endswith(Path(CODER).name)
    ]
    assert "more" not in coder and coder.count("sources/") == 5, coder


def test_one_glob_may_list_a_disagreement_within_one_provider(tmp_path: Path) -> None:
    """`sources/cloudflare/*` alone names many documents: a provider of hundreds of pages is one line."""
    found = _ingest(tmp_path, "acknowledged:\n" + _entry("top_p", ["sources/*"]))
    [top_p] = [f for f in found if f[2] == "top_p"]
    assert top_p[:3] == ("info", CODER, "top_p")
    one = _ingest(tmp_path / "one", "acknowledged:\n" + _entry("top_p", [CODER]))
    assert any(level == "error" and "at least two `documents` (or a glob)" in m for level, _, _, m in one)
