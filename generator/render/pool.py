"""Independent per-model work on every core: forked workers, results in the order of the items.

Workers are forked, so they inherit the items and the function instead of receiving them pickled
(and whatever the first item, done here before forking, loaded and cached); only item indices go
out and results come back. Items that share a key go to one worker together, so work keyed by
content (one schema met by many models) is done once, by that worker's caches. Where fork is
missing or unsafe (not Linux, another thread running, a daemon process), or the work is too small
to pay for starting processes, the items are done here, one after the other, or, inside
`helper()`, by one process forked early that has meanwhile loaded what the work needs. Work known
before it is asked for can be sent to that helper ahead (`ahead()`): what it leaves in the helper's
caches, the later call finds done. And the helper can be given one thing to do first, whose answer
this process reads when it wants it, if it has come (`first_answer()`), never waiting for it.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import ForkingPickler
from typing import Any, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")

# Fewer distinct keys are done here. The pool costs ~50-100 ms (forking, feeding the workers), won
# back only when the workers get a core each; when another session keeps one busy, they share one.
MIN_GROUPS = 16

# Bytes sent ahead that the helper may not have read yet: its connection (multiprocessing's duplex
# Pipe, a socket pair) holds more than this unread (on Linux the socket's buffer, 208 KiB by default;
# 64 KiB for a plain pipe), so sending no more never waits for a helper still preparing.
PIPE_ROOM = 60_000
# What the forked workers run: set just before the pool forks, read by the workers' copies.
_WORK: list[tuple[Callable[[Any], Any], Sequence[Any]]] = []
# The helper process of the innermost `helper()`, and this end of its pipe.
_HELPERS: list[tuple[BaseProcess, Connection]] = []
_SERVED = [0]  # batches a helper did, in this process's life
_AHEAD = [0]  # bytes sent ahead to the helper since it last answered (so read all before)
_FIRST = "first"  # tags the message with what the helper's `first` gave (a batch's answer is a bool's)
_FIRST_ANSWER: list[object] = []  # that answer, once read
# The most a `first` answer may be (pickled): one write (multiprocessing sends more than 16 KiB as
# a header, then the body: first_answer() could see the one and wait for the other), which the
# connection holds unread (the helper never waits to send it).
FIRST_ROOM = 16_000


def helper_batches() -> int:
    """How many batches of work helpers have done for this process."""
    return _SERVED[0]


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
        helped = _by_helper(function, items) if items else None
        return helped if helped is not None else [function(item) for item in items]
    _stop_helpers()  # the pool's workers get every core
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


@contextmanager
def helper(prepare: Callable[[], object], first: Callable[[], object] | None = None) -> Iterator[None]:
    """Fork one process now that runs prepare() (imports, warm caches) while this one goes on.

    Until the block ends, map_grouped hands it the work it would do here one item after the other:
    the loading prepare() does (~0.2 s of imports for the code generator) then costs this process
    nothing, when the other core is free. Work it cannot do (it died, it raised) is done here, so
    results never depend on it. Nothing is forked where forking is unsafe or there is one core.
    first: run there before prepare; what it gives (when it pickles into FIRST_ROOM) is sent back
    at once, for first_answer().
    """
    if _HELPERS or usable_cores() < 2 or not can_fork():  # an outer block's helper serves this one too
        yield
        return
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(theirs, ours, prepare, first), daemon=True)
    process.start()
    theirs.close()
    _HELPERS.append((process, ours))
    try:
        yield
    finally:
        _stop_helpers()


def _serve(
    connection: Connection,
    other_end: Connection,
    prepare: Callable[[], object],
    first: Callable[[], object] | None,
) -> None:
    """The helper: first (its answer sent back), prepare, then do each batch sent until the pipe
    closes (answering those that ask)."""
    other_end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's; it ends the helper
    # Mostly imports: nothing for the garbage collector to find, ~20 ms of its passes over what they
    # load (the code generator's). Frozen then: later passes do not walk it either.
    gc.disable()
    try:
        if first is not None:
            with suppress(Exception):  # no answer: the parent does that work itself
                message = ForkingPickler.dumps((_FIRST, first()))
                if len(message) <= FIRST_ROOM:
                    connection.send_bytes(message)
        with suppress(Exception):  # only a head start: the work itself meets and reports any problem
            prepare()
    finally:
        gc.freeze()
        gc.enable()
    while True:
        try:
            function, items, answer = connection.recv()
        except (EOFError, OSError):
            return
        if not answer:  # work sent ahead: what it leaves in this process's caches is its point
            for item in items:
                with suppress(Exception):  # the batch asked for later meets and reports any problem
                    function(item)
            continue
        try:
            reply: tuple[bool, object] = (True, [function(item) for item in items])
        except BaseException as exc:  # the parent does the batch itself and meets it
            reply = (False, repr(exc))
        connection.send(reply)


def _by_helper(function: Callable[[T], R], items: Sequence[T]) -> list[R] | None:
    """The helper's results for items, or None when there is no helper or it could not do them."""
    if not _HELPERS:
        return None
    connection = _HELPERS[-1][1]
    try:
        connection.send((function, items, True))
        message = connection.recv()
        if message[0] == _FIRST:  # sent before any batch's answer: kept for first_answer()
            _FIRST_ANSWER.append(message[1])
            message = connection.recv()
        done, results = cast("tuple[bool, list[R]]", message)
        _AHEAD[0] = 0  # it answered: what was sent ahead before is read
    except (EOFError, OSError, pickle.PicklingError, TypeError, AttributeError):  # dead, or not picklable
        _stop_helpers()
        return None
    if not done:
        return None
    _SERVED[0] += 1
    return results


def ahead(function: Callable[[T], object], items: Sequence[T]) -> bool:
    """Have the helper run function on each item now, its results dropped, while this process goes
    on: for work a later map_grouped call will ask for, when function keeps what it computes in
    caches (functools.cache) the later items find there. Batches are done in the order sent, so the
    later call waits at most for this one to end. False when nothing was sent: no helper, items
    that do not pickle, or more than the connection holds unread (PIPE_ROOM).

    Results never depend on it: the later call does all its work as if nothing had been sent ahead,
    only faster, and in the helper that did it or here alike.
    """
    if not _HELPERS:
        return False
    try:
        message = ForkingPickler.dumps((function, items, False))  # as Connection.send would pickle it
    except Exception:  # not picklable (of many kinds): nothing is sent, nothing lost
        return False
    if _AHEAD[0] + len(message) > PIPE_ROOM:  # this process could wait for a helper still preparing
        return False
    try:
        _HELPERS[-1][1].send_bytes(message)
    except OSError:  # the helper died: the later call does the work here
        _stop_helpers()
        return False
    _AHEAD[0] += len(message)
    return True


def first_answer() -> object | None:
    """What the helper's `first` gave, if it has come by now (this never waits for it); None if not,
    or if there is no helper. Read once: a later call gives the same."""
    if not _FIRST_ANSWER and _HELPERS:
        connection = _HELPERS[-1][1]
        try:
            # No batch is ever left unanswered (map_grouped reads each answer): what is there is it.
            if connection.poll(0):
                message = connection.recv()
                if message[0] == _FIRST:
                    _FIRST_ANSWER.append(message[1])
        except (EOFError, OSError):  # the helper died: work it would have done is done here
            _stop_helpers()
    return _FIRST_ANSWER[0] if _FIRST_ANSWER else None


def _stop_helpers() -> None:
    _AHEAD[0] = 0
    _FIRST_ANSWER.clear()
    while _HELPERS:
        process, connection = _HELPERS.pop()
        connection.close()
        process.terminate()
        process.join()
