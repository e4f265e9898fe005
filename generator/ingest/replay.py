"""An ingest whose inputs are byte for byte those of the last clean one answers as that one did.

After an ingest without errors has written the catalog, `<catalog>/.cardgen-cache/ingest-run.json`
keeps the digest of everything it read (every file below the sources, providers and overlays folders,
the acknowledgements, every file of the catalog folder, the ingest toolchain and the paths given) and
its outcome: the document count and every diagnostic. The same digest next time means the same
outcome, so the diagnostics are reported again, every warning included, and nothing is extracted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, Level
from generator.proofs import Proofs
from generator.tree import MANIFEST, files_below

RUN_FILE = Path(".cardgen-cache") / "ingest-run.json"  # below the catalog directory
RUN_FORMAT = 2  # 1 hashed each file's sha256 as bytes, not as hex
UNREADABLE = "unreadable"  # what the inputs digest takes for a file or folder it cannot read


@dataclass(frozen=True)
class Outcome:
    documents: int
    entries: int
    diagnostics: list[Diagnostic]


def _names(
    root: Path | None, everything: bool, unreadable: list[tuple[str, OSError]] | None = None
) -> list[str]:
    """Names (`a/b.md`) of the files below root, in path order; everything: hidden ones and caches too.
    unreadable: where given, folders that cannot be listed go there (see files_below)."""
    if root is None:
        return []
    names = files_below(root, hidden=everything, unreadable=unreadable)
    return sorted(names, key=lambda name: name.split("/"))


def inputs_digest(
    sources: Path,
    providers: Path | None,
    overlays: Path,
    acknowledged: Path,
    tools: dict[str, str],
    proofs: Proofs | None = None,
) -> str:
    """sha256 of every byte the ingest reads besides the catalog, by role, and of its toolchain.

    Taken before the ingest reads anything: a file changed meanwhile makes the record miss, not lie.
    Where the folders are does not count: diagnostics name files from the catalog root. Files
    proofs vouch for are not read again.
    """
    proofs = proofs if proofs is not None else Proofs()
    digest = hashlib.sha256(json.dumps({"format": RUN_FORMAT, "tools": tools}, sort_keys=True).encode())
    for label, root in (("sources", sources), ("providers", providers), ("overlays", overlays)):
        # A folder or file that cannot be read counts as such: the ingest that follows says so (a
        # diagnostic naming it), and a run with errors is never replayed.
        unreadable: list[tuple[str, OSError]] = []
        names = _names(root, everything=True, unreadable=unreadable)  # hidden too: more misses, never a lie
        for folder, _ in unreadable:
            digest.update(f"{label}\0{folder}\0{UNREADABLE}".encode())
        for name, sha in proofs.digests(label, root or Path(), names, UNREADABLE):
            digest.update(f"{label}\0{name}\0{sha}".encode())
    if acknowledged.is_file():
        digest.update(b"acknowledged\0" + proofs.sha256("acknowledged", acknowledged, UNREADABLE).encode())
    return digest.hexdigest()


def catalog_digest(catalog: Path, proofs: Proofs | None = None) -> str:
    """sha256 of the catalog folder as write_tree sees it: its entries, anything else, its manifest."""
    proofs = proofs if proofs is not None else Proofs()
    digest = hashlib.sha256()
    for name, sha in proofs.digests("catalog", catalog, _names(catalog, everything=False)):
        digest.update(f"{name}\0{sha}".encode())
    if (catalog / MANIFEST).is_file():
        digest.update(b"manifest\0" + hashlib.sha256((catalog / MANIFEST).read_bytes()).digest())
    return digest.hexdigest()


def replayed(catalog: Path, digest: str, proofs: Proofs | None = None) -> Outcome | None:
    """The outcome of the last clean ingest into catalog, if it read inputs of this digest and the
    catalog is as it left it."""
    try:
        data = json.loads((catalog / RUN_FILE).read_text("utf-8"))
        if data.get("format") != RUN_FORMAT or data.get("inputs") != digest:
            return None
        if data.get("catalog") != catalog_digest(catalog, proofs):
            return None
        diagnostics = [
            Diagnostic(f, line, Level(level), m, field) for f, line, level, m, field in data["diagnostics"]
        ]
        documents, entries = data["documents"], data["entries"]
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return None
    if not (isinstance(documents, int) and isinstance(entries, int)):
        return None
    return Outcome(documents, entries, diagnostics)


def run_text(digest: str, catalog: Path, outcome: Outcome, proofs: Proofs | None = None) -> str:
    """The record of a clean ingest from inputs of this digest, which has just written catalog."""
    diagnostics: list[list[Any]] = [
        [d.file, d.line, int(d.level), d.message, d.field] for d in outcome.diagnostics
    ]
    data = {
        "format": RUN_FORMAT,
        "inputs": digest,
        "catalog": catalog_digest(catalog, proofs),
        "documents": outcome.documents,
        "entries": outcome.entries,
        "diagnostics": diagnostics,
    }
    return json.dumps(data, ensure_ascii=False, indent=0) + "\n"
