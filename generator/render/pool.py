"""Independent per-model work on every core: forked workers, results in the order of the items.

Workers are forked, so they inherit the items and the function instead of receiving them pickled
(and whatever the first item, done here before forking, loaded and cached); only item indices go
out and results come back. Items that share a key go to one worker together, so work keyed by
content (one schema met by many models) is done once, by that worker's caches. Where fork is
missing or unsafe (not Linux, another thread running, a daemon process), or the work is too small
to pay for starting processes, the items are done here, one after the other.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Fewer distinct keys are done here. The pool costs ~50-100 ms (forking, feeding the workers), won
# back only when the workers get a core each; when another session keeps one busy, they share one.
MIN_GROUPS = 16

# What the forked workers run: set just before the pool forks, read by the workers' copies.
_WORK: list[tuple[Callable[[Any], Any], Sequence[Any]]] = []


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def can_fork() -> bool:
    """Forking is available and safe here: no other thread could hold a lock the copy inherits.

    Linux only: macOS has fork, but system libraries there may not survive it.
    """
    return (
        sys.platform == "linux"
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and not multiprocessing.current_process().daemon  # a daemon process may not have children
    )


def processes_for(groups: int, workers: int | None = None) -> int:
    """How many processes to use for this many groups: 1 means here, one after the other.

    workers=None picks by itself (every usable core, when there are MIN_GROUPS groups); a number
    asks for at most that many, where forking is possible at all.
    """
    wanted = usable_cores() if workers is None else workers
    if workers is None and groups < MIN_GROUPS:
        return 1
    count = min(wanted, groups)
    return count if count > 1 and can_fork() else 1


def map_grouped(
    function: Callable[[T], R], items: Sequence[T], keys: Sequence[Hashable], processes: int
) -> list[R]:
    """[function(item) for item in items], items with the same key done in one process in order."""
    groups: dict[Hashable, list[int]] = {}
    for index, key in enumerate(keys):
        groups.setdefault(key, []).append(index)
    if processes <= 1:
        return [function(item) for item in items]
    # Largest groups first, so no long one starts last; the sort is stable, so the order is fixed.
    tasks = sorted(groups.values(), key=len, reverse=True)
    # One item here first: what it loads on first use (lazy imports, compiled templates, caches for
    # its key) the workers inherit, instead of each loading it again.
    first = tasks[0].pop(0)
    results: dict[int, R] = {first: function(items[first])}
    tasks = [task for task in tasks if task]
    _WORK[:] = [(function, items)]
    # Frozen objects are left out of garbage collection: the workers' collections do not walk
    # (and so copy) every page of the heap they inherited.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for done in pool.imap_unordered(_run_group, tasks):
                results.update(done)
    finally:
        gc.unfreeze()
        _WORK.clear()
    return [results[index] for index in range(len(items))]


def _run_group(indices: list[int]) -> list[tuple[int, Any]]:
    [(function, items)] = _WORK  # set by map_grouped before it forked this worker
    return [(index, function(items[index])) for index in indices]
