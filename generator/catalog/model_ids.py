"""Which model ids the catalog takes: each becomes file names (its entry, its modules, its tests)."""

from __future__ import annotations

import re

MODEL_ID = re.compile(r"[A-Za-z0-9@_][A-Za-z0-9@._:+-]*(/[A-Za-z0-9@_][A-Za-z0-9@._:+-]*)*")
# A model's longest file name is its test module, `test_<provider>__<slug>.py`; a slug is its id's,
# or a few characters more where two would collide. File systems take 255 bytes a name: 160 leave
# room for a provider's name of up to ~80 (an id of 236 characters failed). Staged copies' names are
# cut to fit (tree.py).
MAX_MODEL_ID = 160


def model_id_problem(model_id: str) -> str | None:
    """Why model_id cannot name files below the SDK's package, or None."""
    if not MODEL_ID.fullmatch(model_id) or any(p in {".", ".."} for p in model_id.split("/")):
        return f"model id {model_id!r} is not a safe path; ids are /-separated [A-Za-z0-9@._:+-] segments"
    if len(model_id) > MAX_MODEL_ID:
        return (
            f"model id {model_id[:40]!r}... is {len(model_id)} characters long; at most {MAX_MODEL_ID} "
            "are taken, as the SDK's files are named after it"
        )
    return None
