"""Entries may only leave the catalog with their documents: a damaged page must not drop its model."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import yaml

from generator.catalog.store import Catalog, entry_path
from generator.diagnostics import Diagnostic, Level, error
from generator.ingest.places import SOURCES_PREFIX
from generator.ingest.sources import SourceDocument
from generator.proofs import Proofs
from generator.tree import yaml_files

_Loader: type[yaml.SafeLoader | yaml.CSafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def previous_sources(
    catalog_dir: Path, known: Mapping[str, str] | None = None, proofs: Proofs | None = None
) -> dict[str, str]:
    """Source document -> entry file, for each entry the catalog on disk holds now.

    known: sha256 of an entry file's bytes -> its source, as the last ingest wrote it; such a file
    is not parsed again, nor read where proofs vouch for it.
    """
    proofs = proofs if proofs is not None else Proofs()
    found: dict[str, str] = {}
    for entry_file in sorted(yaml_files(catalog_dir, 1)):  # `<provider>/<slug>.yaml`; none if no folder
        path, name = catalog_dir / entry_file, f"catalog/{entry_file}"
        try:
            digest = proofs.proven(name, path)
            source = (known or {}).get(digest) if digest is not None else None
            if source is None:
                data, digest = proofs.read_bytes(name, path)
                source = (known or {}).get(digest) or _source_of(data)
        except OSError:
            continue
        if source is not None:
            found[source] = entry_file
    return found


def _source_of(data: bytes) -> str | None:
    try:
        entry = yaml.load(data.decode("utf-8"), Loader=_Loader)  # noqa: S506 (a safe loader)
        source = entry["provenance"]["source"]["path"]
    except (UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError):
        return None  # not an entry cardgen wrote; `ingest` replaces it either way
    return source if isinstance(source, str) else None


def lost_entries(
    previous: dict[str, str],
    documents: Sequence[SourceDocument],
    catalog: Catalog,
    diagnostics: Iterable[Diagnostic],
) -> dict[str, Diagnostic]:
    """Entry file -> an error, for each document that exists but no longer yields the entry it did."""
    producing = {entry.provenance.source.path for entry in catalog}
    kept = {str(entry_path(entry)) for entry in catalog}  # another document may now yield it
    why: dict[str, list[str]] = {}
    for diagnostic in diagnostics:
        if diagnostic.level >= Level.NOTE:
            why.setdefault(diagnostic.file, []).append(diagnostic.message)
    lost: dict[str, Diagnostic] = {}
    for document in documents:
        entry = previous.get(document.name)
        if entry is None or document.name in producing or entry in kept:
            continue
        reasons = "; ".join(why.get(document.name, [])) or "it yields no entry"
        lost[entry] = error(
            document.name,
            None,
            f"produced the catalog entry {entry} and no longer does ({reasons}); "
            "mend the document, or delete it to remove the model",
        )
    return lost


def nothing_ingested(documents: int, catalog: Catalog, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """An error when nothing else explains an empty catalog: exit 0 with no models helps nobody."""
    if len(catalog) or any(d.level is Level.ERROR for d in diagnostics):
        return []
    return [error(str(SOURCES_PREFIX), None, f"no model entry came out of {documents} document(s)")]
