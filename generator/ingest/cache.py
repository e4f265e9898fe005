"""Incremental ingest: what one document yields is kept, keyed by its bytes, the code and the defaults.

Only per-document work is kept: a document's extraction (facts and diagnostics, before any other
document is looked at), the entry it builds and that entry's checks (by the document's name and
bytes, its slug and its overlay's file and bytes: all an entry is made of), an entry file's text by
the entry it dumps, and an entry file's source by its bytes. Everything across documents (duplicates,
slugs, overlays, the range comparison, continuity) runs on every ingest over the kept and the fresh
results, and every diagnostic of a kept result is reported again. The cache is `<catalog>/.cardgen-cache/ingest.json`
(hidden, so never an entry); it is void when cardgen's version, its ingest code, the provider defaults
(shipped or the project's overrides), PyYAML or Python's version differ. Deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.catalog.entry import CatalogEntry
from generator.catalog.store import exact_json
from generator.diagnostics import Diagnostic, Level
from generator.ingest.build import Built, build_entry, extract_document
from generator.ingest.facts import Extraction, Fact
from generator.ingest.overlays import Overlay
from generator.ingest.providers import ProviderDefaults
from generator.ingest.sources import SourceDocument
from generator.memo import Results
from generator.proofs import Proofs
from generator.tree import write_lines_atomically

CACHE_FILE = Path(".cardgen-cache") / "ingest.json"  # below the catalog directory
CACHE_FORMAT = 5  # 4: an entry's JSON after a tab, as it is; 5: a document's facts after one too
_TUPLE = "__tuple__"


class Uncacheable(ValueError):
    """A value JSON would not give back as it was (a date, a set, a non-string key): not kept."""


def encode(value: Any) -> Any:
    """value as JSON that decode_json gives back equal and of the same types; Uncacheable otherwise."""
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


def _tuples(value: dict[str, Any]) -> Any:
    """One JSON object as encode meant it: a tuple where encode wrote one. json calls it on each
    object as it parses (innermost first): no second walk over the parsed value."""
    return tuple(value[_TUPLE]) if len(value) == 1 and _TUPLE in value else value


def decode_json(text: str | bytes) -> Any:
    """What encode gave, from its JSON text: equal, and of the same types."""
    return json.loads(text, object_hook=_tuples)


def _diagnostic(data: list[Any]) -> Diagnostic:
    file, line, level, message, field_ = data
    return Diagnostic(file, line, Level(level), message, field_)


def _encode_diagnostic(d: Diagnostic) -> list[Any]:
    return [encode(d.file), encode(d.line), int(d.level), encode(d.message), encode(d.field)]


def _encode_fact(fact: Fact) -> list[Any]:
    return [encode(fact.value), encode(fact.lines), encode(fact.how), encode(fact.note), encode(fact.file)]


def _encode_result(
    document: SourceDocument, extraction: Extraction | None, diagnostics: list[Diagnostic]
) -> dict[str, Any]:
    """A document's record: its digest, what extracting it found, and apart (`facts`, after a tab
    on its line) the facts, which a document whose entry is kept too is never asked for."""
    found: dict[str, Any] = {"diagnostics": [_encode_diagnostic(d) for d in diagnostics]}
    record: dict[str, Any] = {"sha256": document.sha256, "result": found}
    if extraction is not None:
        model_id = extraction.facts.get("model_id")
        found["extraction"] = {
            "extractor": encode(extraction.extractor),
            "provider": encode(extraction.provider),
            "model_id": None if model_id is None else _encode_fact(model_id),
            "diagnostics": [_encode_diagnostic(d) for d in extraction.diagnostics],
        }
        record["facts"] = {key: _encode_fact(fact) for key, fact in extraction.facts.items()}
    return record


def _decode_result(
    document: SourceDocument, record: dict[str, Any], repaired: Repaired | None = None
) -> tuple[Extraction | None, list[Diagnostic]]:
    found = record["result"]
    diagnostics = [_diagnostic(d) for d in found["diagnostics"]]
    kept = found.get("extraction")
    if kept is None:
        return None, diagnostics
    own = [_diagnostic(d) for d in kept["diagnostics"]]
    facts = record["facts"]
    if isinstance(facts, bytes):  # as the line holds them: decoded when first asked for
        model_id = None if kept["model_id"] is None else Fact(*kept["model_id"])
        extraction = KeptExtraction(
            kept["extractor"], document, kept["provider"], model_id, facts, own, repaired
        )
        return extraction, diagnostics
    decoded = {key: Fact(*fact) for key, fact in facts.items()}
    return Extraction(kept["extractor"], document, kept["provider"], decoded, own), diagnostics


# Told of a document extracted again because its kept facts no longer decode: its new record.
Repaired = Callable[[SourceDocument, Extraction | None, list[Diagnostic]], None]


class KeptExtraction(Extraction):
    """An extraction read back from the cache, its facts decoded when first used.

    Building the catalog asks a kept document for its model id alone (its entry is kept too), and
    decoding every fact of every document (their schemas, mostly) was most of reading the cache.
    Facts that no longer decode (a damaged line) are the document's, extracted again, and repaired
    is told (the cache keeps that extraction instead).
    """

    def __init__(
        self,
        extractor: str,
        document: SourceDocument,
        provider: str,
        model_id: Fact | None,
        facts: bytes,
        diagnostics: list[Diagnostic],
        repaired: Repaired | None = None,
    ) -> None:
        super().__init__(extractor, document, provider, {}, diagnostics)
        self._model_id = model_id
        self._encoded: bytes | None = facts
        self._repaired = repaired

    @property  # the field's value, decoded when first read
    def facts(self) -> dict[str, Fact]:
        if self._encoded is not None:
            encoded, self._encoded = self._encoded, None
            try:
                self._facts = {key: Fact(*fact) for key, fact in decode_json(encoded).items()}
            except (ValueError, TypeError, AttributeError):
                again, diagnostics = extract_document(self.document)
                self._facts = again.facts if again is not None else {}
                if self._repaired is not None:
                    self._repaired(self.document, again, diagnostics)
        return self._facts

    @facts.setter
    def facts(self, facts: dict[str, Fact]) -> None:
        self._facts, self._encoded = facts, None

    def value(self, key: str, default: Any = None) -> Any:
        if key == "model_id" and self._encoded is not None and self._model_id is not None:
            return self._model_id.value  # the one fact asked of every document
        return super().value(key, default)


def encode_built(built: Built) -> dict[str, Any] | None:
    """What build_entry gave, as JSON; None when JSON would not give the same entry back."""
    entry, problems, checked = built
    text = None
    if entry is not None:
        text = exact_json(entry)
        if text is None:  # a tuple or a date in a schema, say
            return None
    try:
        return {
            "entry": text,
            "problems": [_encode_diagnostic(d) for d in problems],
            "checked": [_encode_diagnostic(d) for d in checked],
        }
    except Uncacheable:
        return None


def decode_built(found: dict[str, Any]) -> Built:
    text = found["entry"]
    entry = None if text is None else CatalogEntry.model_validate_json(text)
    return entry, [_diagnostic(d) for d in found["problems"]], [_diagnostic(d) for d in found["checked"]]


def entry_key(document: SourceDocument, slug: str, overlay: Overlay | None) -> str:
    """What an entry is built from besides the toolchain (the provider defaults are part of it)."""
    parts = [document.name, document.sha256, slug, *((overlay.file, overlay.sha256) if overlay else ())]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


@dataclass
class IngestCache:
    """Kept extractions, by document; built entries by their inputs; entry texts by entry; entry
    sources by entry file bytes."""

    toolchain: dict[str, str]
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> sha256, result
    texts: dict[str, str] = field(default_factory=dict)  # sha256 of an entry's JSON -> of its file
    sources: dict[str, str] = field(default_factory=dict)  # sha256 of an entry file -> its source
    checks: dict[str, Any] = field(default_factory=dict)  # generator.memo's results, as recorded
    entries: dict[str, Any] = field(default_factory=dict)  # entry_key -> build_entry's result
    checks_used: Results = field(default_factory=dict)  # and those this run asked for
    used: dict[str, dict[str, Any]] = field(default_factory=dict)  # this run's documents
    entries_used: dict[str, dict[str, Any]] = field(default_factory=dict)  # this run's entries
    lines: dict[tuple[str, str], bytes] = field(default_factory=dict)  # each loaded record's line
    proofs: Proofs = field(default_factory=Proofs)  # the catalog's and the inputs' files, by stat
    dumped: dict[int, tuple[CatalogEntry, str]] = field(default_factory=dict)  # by id: entry, its JSON
    hits: int = 0
    built: int = 0  # entries built (not kept) this run
    fresh: list[CatalogEntry] = field(default_factory=list)  # of those, the ones built without errors

    def build(
        self, extraction: Extraction, defaults: ProviderDefaults, slug: str, overlay: Overlay | None
    ) -> Built:
        """build_entry, or what it gave for this document, slug and overlay last time."""
        key = entry_key(extraction.document, slug, overlay)
        kept = self.entries.get(key)
        if isinstance(kept, dict):
            try:
                result = decode_built(kept)
            except (KeyError, TypeError, ValueError):
                pass  # a damaged record: build afresh
            else:
                self.entries_used[key] = kept
                self._dumped(result[0], kept["entry"])
                return result
        result = build_entry(extraction, defaults, slug, overlay)
        self.built += 1
        if result[0] is not None:
            self.fresh.append(result[0])
        record = encode_built(result)
        if record is not None:
            self.entries_used[key] = record
            self._dumped(result[0], record["entry"])
        return result

    def _dumped(self, entry: CatalogEntry | None, text: str | None) -> None:
        if entry is not None and text is not None:
            self.dumped[id(entry)] = (entry, text)  # the entry is kept too: its id stays its own

    def entry_json(self, entry: CatalogEntry) -> str:
        """entry.model_dump_json(), without dumping again an entry this cache read or built."""
        known = self.dumped.get(id(entry))
        if known is not None and known[0] is entry:
            return known[1]
        text = entry.model_dump_json()
        self._dumped(entry, text)
        return text

    def extract(self, document: SourceDocument) -> tuple[Extraction | None, list[Diagnostic]]:
        """extract_document, or what it gave for these very bytes last time."""
        kept = self._kept_record(document.name, document.sha256)
        if kept is not None:
            try:
                result = _decode_result(document, kept, self._repair)
            except (KeyError, TypeError, ValueError):
                pass  # a damaged record: extract afresh
            else:
                self.used[document.name] = kept
                self.hits += 1
                return result
        extraction, diagnostics = extract_document(document)
        self._repair(document, extraction, diagnostics)
        return extraction, diagnostics

    def _repair(
        self, document: SourceDocument, extraction: Extraction | None, diagnostics: list[Diagnostic]
    ) -> None:
        """Keep what extracting document gave (for a kept one whose facts were damaged: instead)."""
        try:
            # Encoded now: later steps may change the extraction they are given.
            self.used[document.name] = _encode_result(document, extraction, diagnostics)
        except Uncacheable:
            self.used.pop(document.name, None)

    def unread(self, name: str) -> str | None:
        """The sha256 of the document name (`sources/...`) if a proof gave it this run and its
        extraction is kept for those bytes: it need not be read (load_sources)."""
        digest = self.proofs.given(name)
        return digest if digest is not None and self._kept_record(name, digest) is not None else None

    def _kept_record(self, name: str, sha256: str) -> dict[str, Any] | None:
        """The record kept of the document name for these bytes, if there is one."""
        kept = self.documents.get(name)
        return kept if isinstance(kept, dict) and kept.get("sha256") == sha256 else None

    def kept(self, entry_json: str, on_disk: Path, name: str) -> str | None:
        """The sha256 of the entry file on_disk (`catalog/<name>` to proofs), if it holds what
        dumping this entry gave last time; not read where a proof vouches for it."""
        expected = self.texts.get(hashlib.sha256(entry_json.encode()).hexdigest())
        if expected is None:
            return None
        try:
            return expected if self.proofs.sha256(f"catalog/{name}", on_disk) == expected else None
        except OSError:
            return None


_APART = {"entries": "entry", "documents": "facts"}  # each section's part that follows a tab


def _line(section: str, key: str, record: Any) -> str:
    """One record's line: its part that is not always needed after a tab, read when asked for. An
    entry's JSON, as it is: inside the line's JSON it would be a string, escaped here and unescaped
    on every load (~3 MB at 500 models), only to be parsed as JSON again; a document's facts (see
    KeptExtraction). JSON text holds no raw tab or line break (json and pydantic escape them)."""
    name = _APART[section]
    apart = record.get(name) if isinstance(record, dict) else None
    if apart is not None:
        rest = {field: value for field, value in record.items() if field != name}
        text = (
            apart if isinstance(apart, str) else json.dumps(apart, ensure_ascii=False, separators=(",", ":"))
        )
        return f"{json.dumps([section, key, rest], ensure_ascii=False, separators=(',', ':'))}\t{text}"
    return json.dumps([section, key, record], ensure_ascii=False, separators=(",", ":"))


def load_cache(catalog: Path | None, toolchain: dict[str, str], proofs: Proofs | None = None) -> IngestCache:
    """The cache below catalog, if it was made by this toolchain (ingest_toolchain); else an empty one.

    Its first line holds the toolchain and the small maps; each further line one document's or one
    entry's record (a damaged line is left out), kept as read so an unchanged record is not written
    out again. proofs: what the catalog's files are known to hold by stat (proof_file.read_proofs).
    """
    proofs = proofs if proofs is not None else Proofs()
    fresh = IngestCache(toolchain, proofs=proofs)
    if catalog is None:
        return fresh
    try:
        # Bytes, split into lines (not splitlines: U+2028), each decoded alone: a line with a letter
        # beyond ASCII does not make the whole 4 MB (at 500 models) a wider string to decode.
        head, *lines = (catalog / CACHE_FILE).read_bytes().split(b"\n")
        data = json.loads(head)
    except (OSError, ValueError):
        return fresh
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or data.get("toolchain") != toolchain:
        return fresh
    parts = [data.get(key) for key in ("texts", "sources", "checks")]
    texts, sources, checks = (part if isinstance(part, dict) else {} for part in parts)
    cache = IngestCache(toolchain, texts=texts, sources=sources, checks=checks, proofs=proofs)
    sections = {"documents": cache.documents, "entries": cache.entries}
    for line in lines:
        text, tab, apart = line.partition(b"\t")
        try:
            section, key, record = decode_json(text)
            if tab:  # an entry's JSON, decoded as it is parsed; a document's facts, when asked for
                record[_APART[section]] = apart.decode("utf-8") if section == "entries" else apart
            sections[section][key] = record
        except (ValueError, TypeError, KeyError):  # UnicodeDecodeError is a ValueError
            continue
        cache.lines[section, key] = line
    return cache


def cache_lines(cache: IngestCache, files: Iterable[tuple[str, str, str]] | None) -> list[bytes]:
    """The cache's lines after this run, which left files (entry JSON, sha256 of the file's text,
    source) in the catalog.

    files None: the catalog was not written, and what the last run recorded of it is kept.
    """
    texts, sources = ({}, {}) if files is not None else (cache.texts, cache.sources)
    for entry_json, text_sha, source in files or ():
        texts[hashlib.sha256(entry_json.encode()).hexdigest()] = text_sha
        sources[text_sha] = source
    head = {
        "format": CACHE_FORMAT,
        "toolchain": cache.toolchain,
        "texts": dict(sorted(texts.items())),
        "sources": dict(sorted(sources.items())),
        "checks": {name: dict(sorted(kept.items())) for name, kept in sorted(cache.checks_used.items())},
    }
    lines = [json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"]
    for section, used, loaded in (
        ("documents", cache.used, cache.documents),
        ("entries", cache.entries_used, cache.entries),
    ):
        for key, record in sorted(used.items()):
            kept = cache.lines.get((section, key)) if record is loaded.get(key) else None
            lines.append((kept or _line(section, key, record).encode()) + b"\n")
    return lines


def write_cache(catalog: Path, lines: Iterable[bytes], name: Path = CACHE_FILE) -> None:
    """Replace one file of the catalog's cache at once with lines (UTF-8: cache_lines's, say)."""
    write_lines_atomically(catalog / name, lines, durable=False)  # a lost cache only means work again
