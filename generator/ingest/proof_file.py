"""Where ingest keeps its proofs (generator/proofs.py) from one run to the next.

Its own module, apart from the ingest cache: a no-op ingest reads and keeps proofs and replays the
last run's outcome, and must not import what extracting a document needs (the catalog's pydantic
models, the parsers: at 500 models, ~0.4 s of what was a 0.6 s no-op on a slow machine).
"""

from __future__ import annotations

import json
from pathlib import Path

from generator.proofs import Proofs
from generator.tree import write_atomically

PROOFS_FILE = Path(".cardgen-cache") / "ingest-proofs.json"  # below the catalog directory


def read_proofs(catalog: Path) -> Proofs:
    """The proofs the last ingest into catalog left (sources/, providers/, overlays/, catalog/ names)."""
    try:
        known = json.loads((catalog / PROOFS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return Proofs()
    return Proofs(known if isinstance(known, dict) else None)


def keep_proofs(catalog: Path, proofs: Proofs) -> None:
    """Leave this run's proofs for the next, when it read anything the last one had not proven."""
    if proofs.read:
        text = json.dumps(proofs.record(), separators=(",", ":")) + "\n"
        write_atomically(catalog / PROOFS_FILE, text, durable=False)  # a lost proof only means a read
