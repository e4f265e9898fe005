"""The folders and the file an ingest reads, by the names its diagnostics give them, and where each is.

Constants only and one function: a no-op ingest names places when it replays the last run's
diagnostics, and must not import the parsers that read what these places hold.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

SOURCES_PREFIX = PurePosixPath("sources")  # a source document's name: sources/<provider>/<file>
PROVIDERS_PREFIX = "providers"  # a provider file's: providers/<provider>.yaml
OVERLAYS_PREFIX = "overlays"  # an overlay's: overlays/<provider>/<slug>.yaml
ACKNOWLEDGED = "acknowledged.yaml"  # known disagreements, beside the sources folder


def places(sources: Path, providers: Path, overlays: Path) -> dict[str, Path]:
    """Where the names diagnostics give files (`sources/...`, `overlays/...`) stand on disk."""
    return {
        str(SOURCES_PREFIX): sources,
        PROVIDERS_PREFIX: providers,
        OVERLAYS_PREFIX: overlays,
        ACKNOWLEDGED: sources.parent / ACKNOWLEDGED,
    }
