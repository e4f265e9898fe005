"""The ingest stage end to end: read inputs, build the catalog, render it to files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog, dump_entry, entry_path
from generator.diagnostics import Diagnostic, Level, sort_diagnostics
from generator.ingest.acknowledged import load_acknowledged
from generator.ingest.build import build_catalog
from generator.ingest.cache import IngestCache
from generator.ingest.continuity import lost_entries, nothing_ingested, previous_sources
from generator.ingest.overlays import load_overlays
from generator.ingest.places import ACKNOWLEDGED
from generator.ingest.providers import load_providers
from generator.ingest.sources import load_sources
from generator.memo import remembering


@dataclass(frozen=True)
class IngestInputs:
    sources: Path
    providers: Path | None
    overlays: Path
    catalog: Path | None = None  # the catalog on disk now, whose entries must not vanish silently
    acknowledged: Path | None = None  # known disagreements; default: acknowledged.yaml beside the sources

    @classmethod
    def beside(
        cls,
        sources: Path,
        providers: Path | None = None,
        overlays: Path | None = None,
        catalog: Path | None = None,
    ) -> IngestInputs:
        """Providers and overlays default to siblings of the sources directory."""
        return cls(
            sources,
            providers or sources.parent / "providers",
            overlays or sources.parent / "overlays",
            catalog,
        )


@dataclass(frozen=True)
class IngestResult:
    catalog: Catalog
    documents: int
    diagnostics: list[Diagnostic]
    lost: tuple[str, ...] = ()  # entry files (`provider/slug.yaml`) whose documents no longer yield them


def ingest(inputs: IngestInputs, cache: IngestCache | None = None) -> IngestResult:
    """Read, extract, build and check; cache: extractions kept from earlier runs (and kept for later)."""
    documents, diagnostics = load_sources(inputs.sources, cache.unread if cache is not None else None)
    providers, provider_diagnostics = load_providers(inputs.providers)
    overlays, overlay_diagnostics = load_overlays(inputs.overlays)
    known = inputs.acknowledged or inputs.sources.parent / ACKNOWLEDGED
    acknowledged, acknowledged_diagnostics = load_acknowledged(known, ACKNOWLEDGED)
    # What the catalog on disk holds: each document's entry, whose slug a model keeps, and which
    # must not vanish silently.
    previous: dict[str, str] = {}
    if inputs.catalog is not None:
        recorded = cache.sources if cache is not None else None
        previous = previous_sources(inputs.catalog, recorded, cache.proofs if cache is not None else None)
    # Every document's name, read or refused (empty, too large...); none when the folder is no folder.
    listed = {d.name for d in documents} | {d.file for d in diagnostics} if inputs.sources.is_dir() else None
    if cache is None:
        catalog, build_diagnostics = build_catalog(
            documents, providers, overlays, acknowledged, previous=previous, listed=listed
        )
    else:
        # Unchanged documents' extractions and entries are kept; schema checks of unchanged schemas too.
        with remembering(cache.checks) as checks:
            catalog, build_diagnostics = build_catalog(
                documents, providers, overlays, acknowledged, cache.extract, cache.build, previous, listed
            )
        cache.checks_used = checks.used
    everything = diagnostics + provider_diagnostics + overlay_diagnostics + acknowledged_diagnostics
    everything += build_diagnostics
    everything += nothing_ingested(len(documents), catalog, everything)
    # An entry any of whose files has an error (its document, its overlay, the provider file a fact
    # came from) is left out, whatever was built: `--keep-going` writes what passed, and the entry
    # such a document had before is kept (lost_entries says so).
    broken = {d.file for d in everything if d.level is Level.ERROR}
    catalog = Catalog(tuple(e for e in catalog if not broken & _files_of(e)))
    lost = {}
    if inputs.catalog is not None:
        lost = lost_entries(previous, documents, catalog, everything)
        everything += lost.values()
    return IngestResult(catalog, len(documents), sort_diagnostics(everything), tuple(sorted(lost)))


def _files_of(entry: CatalogEntry) -> set[str]:
    """The files an entry was made from: its document, its overlays, each fact's file."""
    provenance = entry.provenance
    files = {provenance.source.path, *(overlay.path for overlay in provenance.overlays)}
    return files | {source.file for source in provenance.fields.values() if source.file}


def render_catalog(
    catalog: Catalog, cache: IngestCache | None = None, directory: Path | None = None
) -> tuple[dict[PurePosixPath, str], dict[str, str]]:
    """Each entry's file text; but those directory holds already as the cache recorded them, which
    are kept as they are: by path, the sha256 of their text (not dumped, and read only if no proof
    vouches for them)."""
    files, kept = {}, {}
    for entry in catalog:
        path = entry_path(entry)
        digest = None
        if cache is not None and directory is not None:
            digest = cache.kept(cache.entry_json(entry), directory / path, str(path))
        if digest is None:
            files[path] = dump_entry(entry)
        else:
            kept[str(path)] = digest
    return files, kept
