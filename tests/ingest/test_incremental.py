"""Incremental ingest: documents whose bytes, code and defaults are unchanged keep their extraction.

Each case ingests a fixture catalog once (which leaves the cache), changes something, ingests again
with the cache, and compares with a fresh ingest of the same inputs in a copy without it: the same
entry files and the same diagnostics, every warning included.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.ingest import sources as sources_module
from generator.ingest import toolchain as ingest_toolchain
from generator.ingest.build import extract_document
from generator.ingest.cache import (
    CACHE_FILE,
    IngestCache,
    KeptExtraction,
    Uncacheable,
    cache_lines,
    decode_json,
    encode,
    encode_built,
    load_cache,
)
from generator.ingest.pipeline import IngestInputs, ingest
from generator.ingest.replay import RUN_FILE, catalog_digest
from tests.conftest import FIXTURES

pytestmark = pytest.mark.long_file  # started first: see tests/conftest.py

CATALOGS = FIXTURES / "catalogs"


def _project(tmp_path: Path, provider: str, name: str = "project") -> Path:
    root = tmp_path / name / "catalog"
    shutil.copytree(CATALOGS / provider / "sources", root / "sources")
    if (CATALOGS / provider / "overlays").is_dir():
        shutil.copytree(CATALOGS / provider / "overlays", root / "overlays")
    return root


def _ingest(root: Path) -> dict[str, object]:
    args = ["ingest", "--sources", "catalog/sources", "--catalog", "catalog/models", "--format", "json"]
    with contextlib.chdir(root.parent):  # diagnostics name files from here: the same in every copy
        outcome = CliRunner().invoke(cli, args)
    report: dict[str, object] = json.loads(outcome.stdout)
    report["exit"] = outcome.exit_code
    report["catalog"] = {
        p.relative_to(root / "models").as_posix(): p.read_text("utf-8")
        for p in sorted((root / "models").glob("*/*.yaml"))
    }
    for moving in ("stale", "missing", "extra"):  # what this run wrote depends on what was there
        report.pop(moving, None)
    return report


def _same_as_fresh(tmp_path: Path, root: Path) -> dict[str, object]:
    """Ingest root (its cache in place) and a copy of its inputs without the cache; they must agree."""
    assert (root / "models" / CACHE_FILE).is_file()
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(root, fresh / "catalog")
    shutil.rmtree(fresh / "catalog" / "models" / CACHE_FILE.parent)
    incremental = _ingest(root)
    assert incremental == _ingest(fresh / "catalog")
    return incremental


def _cached_ingest(root: Path) -> IngestCache:
    inputs = IngestInputs.beside(root / "sources", catalog=root / "models")
    cache = load_cache(root / "models", ingest_toolchain.ingest_toolchain(inputs.providers))
    ingest(inputs, cache)
    return cache


def _hits(root: Path) -> int:
    return _cached_ingest(root).hits


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.mark.parametrize("provider", ["cloudflare", "dataoorts", "segmind"])
def test_a_second_ingest_reuses_every_document_and_reports_the_same(tmp_path: Path, provider: str) -> None:
    root = _project(tmp_path, provider)
    first = _ingest(root)
    documents = first["documents"]
    assert isinstance(documents, int) and documents > 3
    said = {d["level"] for d in first["diagnostics"]}  # type: ignore[attr-defined]
    assert said & {"warning", "note"}, "a fixture with something to say again"
    assert _hits(root) == documents
    again = _same_as_fresh(tmp_path, root)
    assert again == first, "a kept document's diagnostics are reported again"


def test_the_second_run_prints_the_same_warnings(tmp_path: Path) -> None:
    root = _project(tmp_path, "segmind")  # pages that do not say whether their models stream
    args = ["ingest", "--sources", str(root / "sources"), "--catalog", str(root / "models")]
    first, second = CliRunner().invoke(cli, args), CliRunner().invoke(cli, args)
    warnings = [line for line in first.stderr.splitlines() if ": warning: " in line]
    assert warnings
    assert [line for line in second.stderr.splitlines() if ": warning: " in line] == warnings


def _override_defaults(root: Path) -> None:
    (root / "providers").mkdir()
    (root / "providers" / "cloudflare.yaml").write_text("streaming:\n  terminator: '[END]'\n", "utf-8")


CHANGES: dict[str, Callable[[Path], object]] = {
    "changed": lambda root: _edit(
        root / "sources" / "cloudflare" / "chat-tiny.json", '"description": "', '"description": "Edited. '
    ),
    "removed": lambda root: (root / "sources" / "cloudflare" / "docs-paint-fast.txt").unlink(),
    "added": lambda root: shutil.copy(
        root / "sources" / "cloudflare" / "fm-hear-base.md",
        root / "sources" / "cloudflare" / "fm-hear-copy.md",
    ),
    "broken": lambda root: _edit(root / "sources" / "cloudflare" / "classify-50.json", "{", "{{"),
    "renamed": lambda root: (root / "sources" / "cloudflare" / "embed-base-m3.json").rename(
        root / "sources" / "cloudflare" / "embed-base-m3-renamed.json"
    ),
    "provider override": _override_defaults,
    # A second model whose id ends like chat-tiny's: it takes a longer slug, chat-tiny keeps its own.
    "slug taken": lambda root: (root / "sources" / "cloudflare" / "chat-tiny-other.json").write_text(
        (root / "sources" / "cloudflare" / "chat-tiny.json")
        .read_text("utf-8")
        .replace("@cf/cardgen/chat-tiny", "@cf/other/chat-tiny"),
        "utf-8",
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_after_a_change_the_incremental_ingest_equals_a_fresh_one(tmp_path: Path, change: str) -> None:
    root = _project(tmp_path, "cloudflare")
    before = _ingest(root)
    CHANGES[change](root)
    after = _same_as_fresh(tmp_path, root)
    assert after != before, "the change shows"


def test_only_the_changed_document_is_extracted_again(tmp_path: Path) -> None:
    root = _project(tmp_path, "cloudflare")
    documents = _ingest(root)["documents"]
    CHANGES["changed"](root)
    assert _hits(root) == documents - 1  # type: ignore[operator]


def test_only_the_changed_entries_are_built_and_checked_again(tmp_path: Path) -> None:
    root = _project(tmp_path, "cloudflare")
    _ingest(root)
    assert _cached_ingest(root).built == 0
    CHANGES["changed"](root)
    assert _cached_ingest(root).built == 1
    _same_as_fresh(tmp_path, root)
    CHANGES["slug taken"](root)
    assert _cached_ingest(root).built == 1, "the new model alone: chat-tiny keeps its slug"
    catalog = _same_as_fresh(tmp_path, root)["catalog"]
    assert "cloudflare/chat_tiny.yaml" in catalog and "cloudflare/other_chat_tiny.yaml" in catalog  # type: ignore[operator]


def test_a_document_whose_extraction_is_kept_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its digest (the inputs' proof, taken first) finds its extraction: its bytes are not needed.
    One read all the same (its entry built again for another slug) reads as the digest said."""
    root = _project(tmp_path, "cloudflare")
    _ingest(root)
    read: list[str] = []
    reading = sources_module.read_document

    def counted(path: Path, name: PurePosixPath) -> object:
        read.append(str(name))
        return reading(path, name)

    monkeypatch.setattr(sources_module, "read_document", counted)
    CHANGES["changed"](root)
    assert _ingest(root)["exit"] == 0
    assert read == ["sources/cloudflare/chat-tiny.json"]  # the changed document alone
    read.clear()
    assert _same_as_fresh(tmp_path, root)["exit"] == 0  # nothing changed: nothing read; fresh: all
    assert len(read) == _ingest(root)["documents"]
    document = sources_module.SourceDocument.unread(
        PurePosixPath("sources/x.json"), "0" * 64, root / "sources" / "cloudflare" / "chat-tiny.json"
    )
    assert document.text == (root / "sources" / "cloudflare" / "chat-tiny.json").read_text("utf-8")
    assert sources_module.SourceDocument.unread(PurePosixPath("gone"), "0" * 64, root / "gone").text == ""


def test_a_kept_documents_facts_are_decoded_when_asked_for_or_extracted_again(tmp_path: Path) -> None:
    """A kept document gives its model id without its facts decoded; asked for its facts, it gives
    them as the extraction did, and where the cache's bytes no longer decode, as extracting it does."""
    root = _project(tmp_path, "cloudflare")
    _ingest(root)
    cache = load_cache(root / "models", ingest_toolchain.ingest_toolchain(root / "providers"))
    path = root / "sources" / "cloudflare" / "chat-tiny.json"
    document, _ = sources_module.read_document(path, PurePosixPath("sources/cloudflare/chat-tiny.json"))
    assert document is not None
    fresh, _ = extract_document(document)
    assert fresh is not None
    kept, _ = cache.extract(document)
    assert isinstance(kept, KeptExtraction)
    assert kept.value("model_id") == fresh.value("model_id")
    assert kept._encoded is not None  # the model id alone: nothing decoded
    assert kept.facts == fresh.facts and kept._encoded is None
    damaged = KeptExtraction(kept.extractor, document, kept.provider, None, b"{not json", [])
    assert damaged.facts == fresh.facts


def test_the_run_record_holds_the_catalog_as_the_ingest_left_it(tmp_path: Path) -> None:
    """The digests of the entry files an ingest rewrote are of the files it wrote, not of those it
    read before: an entry put back as it was (git checkout) is written again, not replayed."""
    root = _project(tmp_path, "cloudflare")
    _ingest(root)
    entry = root / "models" / "cloudflare" / "chat_tiny.yaml"
    before = entry.read_text("utf-8")
    CHANGES["changed"](root)
    _ingest(root)
    recorded = json.loads((root / "models" / RUN_FILE).read_text("utf-8"))["catalog"]
    assert recorded == catalog_digest(root / "models")
    after = entry.read_text("utf-8")
    entry.write_text(before, "utf-8")
    _ingest(root)
    assert entry.read_text("utf-8") == after


def test_a_kept_documents_damaged_facts_are_kept_again_as_extracted(tmp_path: Path) -> None:
    root = _project(tmp_path, "cloudflare")
    _ingest(root)
    path = root / "sources" / "cloudflare" / "chat-tiny.json"
    document, _ = sources_module.read_document(path, PurePosixPath("sources/cloudflare/chat-tiny.json"))
    assert document is not None
    cache = load_cache(root / "models", ingest_toolchain.ingest_toolchain(root / "providers"))
    cache.documents[document.name]["facts"] = b"{damaged"
    kept, _ = cache.extract(document)
    assert isinstance(kept, KeptExtraction)
    fresh, _ = extract_document(document)
    assert fresh is not None and kept.facts == fresh.facts
    repaired = cache.used[document.name]
    assert isinstance(repaired["facts"], dict)  # what the next run reads: the facts extracted again
    assert "cloudflare/chat-tiny.json" in "".join(line.decode() for line in cache_lines(cache, None))


def test_the_json_kept_for_each_entry_is_its_own(tmp_path: Path) -> None:
    """Entries read back from the cache or built afresh are not dumped again: what stands in is theirs."""
    root = _project(tmp_path, "cloudflare")
    _ingest(root)
    CHANGES["changed"](root)
    inputs = IngestInputs.beside(root / "sources", catalog=root / "models")
    cache = load_cache(root / "models", ingest_toolchain.ingest_toolchain(inputs.providers))
    result = ingest(inputs, cache)
    assert cache.built == 1 and len(cache.dumped) == len(result.catalog)  # kept and built alike
    for entry in result.catalog:
        assert cache.entry_json(entry) == entry.model_dump_json()
    copy = next(iter(result.catalog)).model_copy(update={"description": "another"})
    assert cache.entry_json(copy) == copy.model_dump_json()  # not the JSON of the entry it came from


OVERLAY = Path("overlays") / "segmind" / "deepseek_reasoner.yaml"
OVERLAY_CHANGES: dict[str, Callable[[Path], object]] = {
    "edited": lambda root: _edit(root / OVERLAY, "description: The answer.", "description: Edited."),
    "removed": lambda root: (root / OVERLAY).unlink(),
    "moved to another model": lambda root: (root / OVERLAY).rename(
        root / OVERLAY.with_name("sdxl_txt2img.yaml")
    ),
}


@pytest.mark.parametrize("change", sorted(OVERLAY_CHANGES))
def test_after_an_overlay_change_the_incremental_ingest_equals_a_fresh_one(
    tmp_path: Path, change: str
) -> None:
    root = _project(tmp_path, "segmind")
    before = _ingest(root)
    assert before["exit"] == 0 and "segmind/deepseek_reasoner.yaml" in before["catalog"]  # type: ignore[operator]
    OVERLAY_CHANGES[change](root)
    after = _same_as_fresh(tmp_path, root)
    assert after != before, "the change shows"


def test_an_entry_json_would_change_is_not_kept(tmp_path: Path) -> None:
    root = _project(tmp_path, "segmind")
    _ingest(root)
    entry = next(e for e in ingest(IngestInputs.beside(root / "sources")).catalog)
    assert encode_built((entry, [], [])) is not None
    changed = entry.model_copy(update={"input_schema": {**entry.input_schema, "enum": ({"a": 1},)}})
    assert encode_built((changed, [], [])) is None, "a tuple would come back a list"


def test_a_provider_defaults_change_voids_the_cache(tmp_path: Path) -> None:
    root = _project(tmp_path, "cloudflare")
    _ingest(root)
    CHANGES["provider override"](root)
    assert _hits(root) == 0


def test_a_change_to_the_ingest_code_voids_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path, "dataoorts")
    documents = _ingest(root)["documents"]
    assert _hits(root) == documents
    code = tmp_path / "generator"
    shutil.copytree(ingest_toolchain.GENERATOR, code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(ingest_toolchain, "GENERATOR", code)
    assert _hits(root) == documents, "the same code: the same key"
    extractor = code / "ingest" / "extractors" / "dataoorts_page.py"
    extractor.write_text(extractor.read_text("utf-8") + "# changed\n", "utf-8")
    assert _hits(root) == 0


def test_a_damaged_cache_is_ignored(tmp_path: Path) -> None:
    root = _project(tmp_path, "segmind")
    _ingest(root)
    cache = root / "models" / CACHE_FILE
    head, *lines = cache.read_text("utf-8").splitlines()
    damaged: dict[str, dict[str, Any]] = {
        "documents": {"sha256": "", "result": {"diagnostics": [["x"]], "extraction": 3}},
        "entries": {"entry": "{}", "problems": [], "checked": 1},
    }
    records = [json.loads(line.partition("\t")[0]) for line in lines]  # an entry's JSON, facts after a tab
    assert {section for section, _, _ in records} == set(damaged)
    assert {section for line, (section, _, _) in zip(lines, records, strict=True) if "\t" in line} == set(
        damaged
    )
    kept = [  # every other record damaged, and lines that are no records at all
        json.dumps([section, key, {**record, **damaged[section]}]) if index % 2 else lines[index]
        for index, (section, key, record) in enumerate(records)
    ]
    # an entry that is not JSON, or not an entry; a tab after what is not a record
    first = next(line for line in lines if line.startswith('["entries"')).partition("\t")[0]
    kept += [f"{first}\t{{not json", f"{first}\t[]", f"{first}\t", "[1]\t{}", '["documents"\t']
    kept += ['["documents","x",3]', '["documents","x",[]]\t{}']  # a document's record that is no mapping
    kept += ["[1]", '["entries"', '["nothing", "x", {}]', "", "null"]
    cache.write_text("\n".join([head, *kept]) + "\n", "utf-8")
    _same_as_fresh(tmp_path, root)
    cache.write_text("{not json", "utf-8")
    _same_as_fresh(tmp_path, root)


def test_check_reads_the_cache_and_writes_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path, "cloudflare")
    _ingest(root)
    cache = root / "models" / CACHE_FILE
    before = cache.read_bytes()
    CHANGES["changed"](root)
    args = ["ingest", "--sources", str(root / "sources"), "--catalog", str(root / "models"), "--check"]
    outcome = CliRunner().invoke(cli, args)
    assert outcome.exit_code == 1
    assert "stale:   cloudflare/chat_tiny.yaml" in outcome.stderr, outcome.stderr
    assert cache.read_bytes() == before


def test_the_cache_file_is_deterministic(tmp_path: Path) -> None:
    one, two = _project(tmp_path, "dataoorts", "one"), _project(tmp_path, "dataoorts", "two")
    _ingest(one)
    _ingest(two)
    _ingest(two)
    assert (one / "models" / CACHE_FILE).read_bytes() == (two / "models" / CACHE_FILE).read_bytes()


def test_values_round_trip_with_their_types() -> None:
    value = {"a": (1, 2), "b": [1.0, True, None, {"c": ("x", [()])}], "d": -0.0, "e": 2**70}
    decoded = decode_json(json.dumps(encode(value)))
    assert decoded == value
    assert (
        type(decoded["a"]) is tuple and type(decoded["b"][3]["c"]) is tuple and type(decoded["b"][0]) is float
    )
    assert type(decoded["b"][3]["c"][1][0]) is tuple  # a tuple in a list in a tuple


@pytest.mark.parametrize(
    "value", [{1: "int key"}, datetime.date(2024, 1, 1), {"x"}, {"__tuple__": []}, b"bytes"]
)
def test_what_json_would_change_is_not_kept(value: object) -> None:
    with pytest.raises(Uncacheable):
        encode(value)


def test_an_unchanged_ingest_is_replayed_with_every_diagnostic(tmp_path: Path) -> None:
    root = _project(tmp_path, "segmind")  # warnings, notes, and an overlay's info line
    first = _ingest(root)
    assert (root / "models" / RUN_FILE).is_file()
    assert _ingest(root) == first
    args = ["ingest", "--sources", "catalog/sources", "--catalog", "catalog/models"]
    with contextlib.chdir(root.parent):
        texts = [CliRunner().invoke(cli, [*args, *extra]) for extra in ([], ["--check"], ["-v"])]
    assert [outcome.exit_code for outcome in texts] == [0, 0, 0]
    assert "0 written, 0 removed" in texts[0].stdout and ": warning: " in texts[0].stderr
    assert "catalog/models is up to date" in texts[1].stdout
    assert ": info: " in texts[2].stderr and ": info: " not in texts[0].stderr


def test_a_hand_edited_entry_is_no_replay(tmp_path: Path) -> None:
    root = _project(tmp_path, "segmind")
    _ingest(root)
    entry = next((root / "models").glob("*/*.yaml"))
    written = entry.read_text("utf-8")
    entry.write_text(written + "# edited\n", "utf-8")
    args = ["ingest", "--sources", "catalog/sources", "--catalog", "catalog/models", "--check"]
    with contextlib.chdir(root.parent):
        assert CliRunner().invoke(cli, args).exit_code == 1
    _same_as_fresh(tmp_path, root)
    assert entry.read_text("utf-8") == written


def test_a_failed_ingest_is_never_replayed(tmp_path: Path) -> None:
    root = _project(tmp_path, "cloudflare")
    _ingest(root)
    CHANGES["broken"](root)
    first, second = _ingest(root), _ingest(root)
    assert first["exit"] == second["exit"] == 1
    assert first == second
    assert "nothing written" not in json.dumps(first)  # the JSON report says written: false
    assert first["written"] is False


def test_an_ingest_called_in_process_leaves_the_collector_as_it_was(tmp_path: Path) -> None:
    root = _project(tmp_path, "dataoorts")
    frozen = gc.get_freeze_count()
    assert _ingest(root)["exit"] == 0
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_the_cardgen_process_freezes_what_it_loaded(tmp_path: Path) -> None:
    root = _project(tmp_path, "dataoorts")
    _ingest(root)
    _edit(next((root / "sources" / "dataoorts").glob("*.md")), "|", "| ")  # no replay: a real ingest
    # What is frozen when the command ends (main then ends the process at once: generator/cli.py).
    code = (
        "import gc, sys\nimport generator.cli as cli\nsys.argv = ['cardgen', 'ingest']\n"
        "def ending(status):\n    assert not status, status\n"
        "    print(gc.get_freeze_count(), gc.isenabled())\n    raise SystemExit(status)\n"
        "cli.exit_now = ending\ncli.main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root.parent, capture_output=True, text=True, check=True
    )
    frozen, enabled = done.stdout.splitlines()[-1].split()
    assert int(frozen) > 10_000 and enabled == "True", done.stdout
