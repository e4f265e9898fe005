"""The ingest stage end to end: read inputs, build the catalog, render it to files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.catalog.store import Catalog, dump_entry, entry_path
from generator.diagnostics import Diagnostic, sort_diagnostics
from generator.ingest.build import build_catalog
from generator.ingest.overlays import load_overlays
from generator.ingest.providers import load_providers
from generator.ingest.sources import load_sources


@dataclass(frozen=True)
class IngestInputs:
    sources: Path
    providers: Path
    overlays: Path

    @classmethod
    def beside(
        cls, sources: Path, providers: Path | None = None, overlays: Path | None = None
    ) -> IngestInputs:
        """Providers and overlays default to siblings of the sources directory."""
        return cls(
            sources,
            providers or sources.parent / "providers",
            overlays or sources.parent / "overlays",
        )


@dataclass(frozen=True)
class IngestResult:
    catalog: Catalog
    documents: int
    diagnostics: list[Diagnostic]


def ingest(inputs: IngestInputs) -> IngestResult:
    documents, diagnostics = load_sources(inputs.sources)
    providers, provider_diagnostics = load_providers(inputs.providers)
    overlays, overlay_diagnostics = load_overlays(inputs.overlays)
    catalog, build_diagnostics = build_catalog(documents, providers, overlays)
    everything = diagnostics + provider_diagnostics + overlay_diagnostics + build_diagnostics
    return IngestResult(catalog, len(documents), sort_diagnostics(everything))


def render_catalog(catalog: Catalog) -> dict[PurePosixPath, str]:
    return {entry_path(entry): dump_entry(entry) for entry in catalog}
