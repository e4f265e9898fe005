"""What `cardgen build` has its helper type while generate starts: the models its ingest changed.

By the time generate asks the helper (pool.helper) to type a changed model, the helper has made
its code already, while this process wrote the catalog and proved the rest of the output unchanged
(~40 ms of a one-model regeneration at 500 models); the typing job finds it in the helper's caches
(model_types.types_code). Light to import: a build whose ingest changed nothing never loads the
renderer here.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from generator.render.pool import MIN_GROUPS, ahead

if TYPE_CHECKING:
    from generator.catalog.entry import CatalogEntry
    from generator.render.types_store import TypesStore


def type_ahead(entries: Sequence[CatalogEntry], types_folder: Path) -> bool:
    """Send entries to the helper to type now, but those whose typed code types_folder (the
    output's store, types_store.py) keeps; False when nothing was sent. Only as few as typed_views
    leaves to the helper: more go to a pool of workers, which waits for nothing sent ahead."""
    if not entries or len(entries) >= MIN_GROUPS:
        return False
    return ahead(partial(_typed_unless_kept, types_folder=types_folder), entries)


def _typed_unless_kept(entry: CatalogEntry, types_folder: Path) -> None:
    """In the helper: type entry, unless the store keeps its typed code."""
    from generator.render.render import type_unless_kept  # noqa: PLC0415 - loaded there already

    type_unless_kept(entry, _store(types_folder))


@cache
def _store(folder: Path) -> TypesStore:
    """The store generate will open in folder, as it opens it (one per helper: it only reads)."""
    from generator.render.toolchain import toolchain  # noqa: PLC0415 - in the helper
    from generator.render.types_store import TypesStore  # noqa: PLC0415

    return TypesStore.of(folder, toolchain())
