"""`python -m tests.render.typed_child CATALOG OUT [--store FOLDER] WORKERS...`: typed_views in a
fresh interpreter.

CATALOG is a pickled Catalog; OUT receives the pickled TypedViews, one per WORKERS value, each
typed with cold caches (with --store: a TypesStore in FOLDER, written after each); `helper` types them one after the other in pool.helper's process. A fresh interpreter runs no other thread, so the pool may fork (a test
process may run a server thread left over from an earlier test, and then the pool does not fork).
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from generator.lockfile import model_key
from generator.render.model_types import clear_caches
from generator.render.pool import helper, helper_batches, usable_cores
from generator.render.render import RenderOptions, TypedViews, typed_views, warm_up
from generator.render.types_store import TypesStore

TOOLCHAIN = "typed-child"  # the store's toolchain digest: any fixed text


def main(catalog_file: Path, out: Path, workers: list[str]) -> None:
    catalog = pickle.loads(catalog_file.read_bytes())  # written by the test itself
    folder = Path(workers[1]) if workers[:1] == ["--store"] else None
    workers = workers[2:] if folder is not None else workers
    results: list[TypedViews] = []
    for count in workers:
        clear_caches()
        store = TypesStore(folder, TOOLCHAIN) if folder is not None else None
        if count == "helper":
            served = helper_batches()
            with helper(warm_up):
                results.append(typed_views(catalog, RenderOptions(), workers=1, store=store))
            if usable_cores() > 1 and helper_batches() != served + 1:
                raise SystemExit("the helper did not type the models")
        else:
            results.append(typed_views(catalog, RenderOptions(), workers=int(count), store=store))
        if store is not None:
            store.write([model_key(entry) for entry in catalog])
    out.write_bytes(pickle.dumps(results))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
