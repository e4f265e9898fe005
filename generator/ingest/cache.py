"""Incremental ingest: what one document yields is kept, keyed by its bytes, the code and the defaults.

Only per-document work is kept: a document's extraction (facts and diagnostics, before any other
document is looked at), an entry file's text by the entry it dumps, and an entry file's source by its
bytes. Everything across documents (duplicates, slugs, overlays, provider defaults merged in,
validation, continuity) runs on every ingest over the kept and the fresh extractions, and every
diagnostic of a kept extraction is reported again. The cache is `<catalog>/.cardgen-cache/ingest.json`
(hidden, so never an entry); it is void when cardgen's version, its ingest code, the provider defaults
(shipped or the project's overrides), PyYAML or Python's version differ. Deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, Level
from generator.ingest.build import extract_document
from generator.ingest.facts import Extraction, Fact
from generator.ingest.sources import SourceDocument
from generator.ingest.toolchain import ingest_toolchain
from generator.memo import Results

CACHE_FILE = Path(".cardgen-cache") / "ingest.json"  # below the catalog directory
CACHE_FORMAT = 1
_TUPLE = "__tuple__"


class Uncacheable(ValueError):
    """A value JSON would not give back as it was (a date, a set, a non-string key): not kept."""


def encode(value: Any) -> Any:
    """value as JSON that decode gives back equal and of the same types; Uncacheable otherwise."""
    if value is None or type(value) in {str, bool, int, float}:  # exactly: no enums, no subclasses
        return value
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, tuple):
        return {_TUPLE: [encode(item) for item in value]}
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value) or list(value) == [_TUPLE]:
            raise Uncacheable("a mapping JSON cannot hold as it is")
        return {key: encode(item) for key, item in value.items()}
    raise Uncacheable(f"a {type(value).__name__}")


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(item) for item in value]
    if isinstance(value, dict):
        if list(value) == [_TUPLE]:
            return tuple(decode(item) for item in value[_TUPLE])
        return {key: decode(item) for key, item in value.items()}
    return value


def _diagnostic(data: list[Any]) -> Diagnostic:
    file, line, level, message, field_ = data
    return Diagnostic(file, line, Level(level), message, field_)


def _encode_diagnostic(d: Diagnostic) -> list[Any]:
    return [encode(d.file), encode(d.line), int(d.level), encode(d.message), encode(d.field)]


def _encode_fact(fact: Fact) -> list[Any]:
    return [encode(fact.value), encode(fact.lines), encode(fact.how), encode(fact.note), encode(fact.file)]


def _encode_result(extraction: Extraction | None, diagnostics: list[Diagnostic]) -> dict[str, Any]:
    found: dict[str, Any] = {"diagnostics": [_encode_diagnostic(d) for d in diagnostics]}
    if extraction is not None:
        found["extraction"] = {
            "extractor": encode(extraction.extractor),
            "provider": encode(extraction.provider),
            "facts": {key: _encode_fact(fact) for key, fact in extraction.facts.items()},
            "diagnostics": [_encode_diagnostic(d) for d in extraction.diagnostics],
        }
    return found


def _decode_result(
    document: SourceDocument, found: dict[str, Any]
) -> tuple[Extraction | None, list[Diagnostic]]:
    diagnostics = [_diagnostic(d) for d in found["diagnostics"]]
    kept = found.get("extraction")
    if kept is None:
        return None, diagnostics
    facts = {key: Fact(*decode(fact)) for key, fact in kept["facts"].items()}
    own = [_diagnostic(d) for d in kept["diagnostics"]]
    return Extraction(kept["extractor"], document, kept["provider"], facts, own), diagnostics


@dataclass
class IngestCache:
    """Kept extractions, by document; entry texts by entry; entry sources by entry file bytes."""

    toolchain: dict[str, str]
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> sha256, result
    texts: dict[str, str] = field(default_factory=dict)  # sha256 of an entry's JSON -> of its file
    sources: dict[str, str] = field(default_factory=dict)  # sha256 of an entry file -> its source
    checks: dict[str, Any] = field(default_factory=dict)  # generator.memo's results, as recorded
    checks_used: Results = field(default_factory=dict)  # and those this run asked for
    used: dict[str, dict[str, Any]] = field(default_factory=dict)  # this run's documents
    hits: int = 0

    def extract(self, document: SourceDocument) -> tuple[Extraction | None, list[Diagnostic]]:
        """extract_document, or what it gave for these very bytes last time."""
        kept = self.documents.get(document.name)
        if kept is not None and kept.get("sha256") == document.sha256:
            try:
                result = _decode_result(document, kept["result"])
            except (KeyError, TypeError, ValueError):
                pass  # a damaged record: extract afresh
            else:
                self.used[document.name] = kept
                self.hits += 1
                return result
        extraction, diagnostics = extract_document(document)
        try:
            # Encoded now: later steps may change the extraction they are given.
            record = {"sha256": document.sha256, "result": _encode_result(extraction, diagnostics)}
        except Uncacheable:
            return extraction, diagnostics
        self.used[document.name] = record
        return extraction, diagnostics

    def text(self, entry_json: str, on_disk: Path) -> str | None:
        """The entry file's text if on_disk holds what dumping this entry gave last time."""
        expected = self.texts.get(hashlib.sha256(entry_json.encode()).hexdigest())
        if expected is None:
            return None
        try:
            data = on_disk.read_bytes()
        except OSError:
            return None
        return data.decode("utf-8") if hashlib.sha256(data).hexdigest() == expected else None


def load_cache(catalog: Path | None, providers: Path | None) -> IngestCache:
    """The cache below catalog, if it was made by this toolchain; else an empty one."""
    toolchain = ingest_toolchain(providers)
    fresh = IngestCache(toolchain)
    if catalog is None:
        return fresh
    try:
        data = json.loads((catalog / CACHE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return fresh
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or data.get("toolchain") != toolchain:
        return fresh
    parts = [data.get(key) for key in ("documents", "texts", "sources", "checks")]
    documents, texts, sources, checks = (part if isinstance(part, dict) else {} for part in parts)
    return IngestCache(toolchain, documents, texts, sources, checks)


def cache_text(cache: IngestCache, files: Iterable[tuple[str, str, str]] | None) -> str:
    """The cache after this run, which left files (entry JSON, text, source) in the catalog.

    files None: the catalog was not written, and what the last run recorded of it is kept.
    """
    texts, sources = ({}, {}) if files is not None else (cache.texts, cache.sources)
    for entry_json, text, source in files or ():
        text_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        texts[hashlib.sha256(entry_json.encode()).hexdigest()] = text_sha
        sources[text_sha] = source
    data = {
        "format": CACHE_FORMAT,
        "toolchain": cache.toolchain,
        "documents": dict(sorted(cache.used.items())),
        "texts": dict(sorted(texts.items())),
        "sources": dict(sorted(sources.items())),
        "checks": {name: dict(sorted(kept.items())) for name, kept in sorted(cache.checks_used.items())},
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_cache(catalog: Path, text: str, name: Path = CACHE_FILE) -> None:
    """Replace one file of the catalog's cache at once, so a reader never sees half of it."""
    path = catalog / name
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".ingest-", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    Path(temporary).replace(path)
