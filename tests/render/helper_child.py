"""`python -m tests.render.helper_child CASE`: pool.helper in a fresh interpreter, printing JSON.

A fresh interpreter runs no other thread, so the helper may fork (a test process may run a server
thread left over from an earlier test, and then it does not).
"""

from __future__ import annotations

import gc
import json
import os
import signal
import sys
import time
from functools import cache

from generator.render import pool

PREPARED: list[int] = []  # pids that ran prepare


COLLECTING: list[bool] = []  # whether the garbage collector ran during prepare


def prepare() -> None:
    PREPARED.append(os.getpid())
    COLLECTING.append(gc.isenabled())
    time.sleep(SLOW_START[0])


def collector(item: int) -> tuple[int, bool, bool, list[bool]]:
    """In the helper, after prepare: the collector on again, what prepare loaded frozen."""
    return os.getpid(), gc.isenabled(), gc.get_freeze_count() > 0, COLLECTING


SLOW_START = [0.0]  # seconds prepare takes: a helper still preparing reads nothing meanwhile


def pid_and_square(item: int) -> tuple[int, int]:
    return os.getpid(), item * item


def refuse_three(item: int) -> tuple[int, int]:
    if item == 3:
        raise ValueError("three")
    return pid_and_square(item)


@cache
def cached_square(item: int) -> int:
    if item == 3:
        raise ValueError("three")  # not cached: asked again, it raises again
    return item * item


def found_cached(item: int) -> tuple[int, bool, int]:
    """(pid, whether cached_square knew item before, the square): a cache hit is work done ahead."""
    before = cached_square.cache_info().hits
    square = cached_square(item)
    return os.getpid(), cached_square.cache_info().hits > before, square


FIRST_TAKES = [0.0]  # seconds the helper's first work takes


def first_work() -> dict[str, object]:
    time.sleep(FIRST_TAKES[0])
    return {"pid": os.getpid(), "prepared_before": list(PREPARED)}


def too_big_first() -> str:
    return "x" * (pool.FIRST_ROOM + 1)


def raising_first() -> str:
    raise ValueError("first")


def first_case(case: str) -> dict[str, object]:
    """The helper's first answer: read when this process wants it, never waited for."""
    FIRST_TAKES[0] = 1.0 if case == "first-slow" else 0.0
    first = {"first-big": too_big_first, "first-raises": raising_first}.get(case, first_work)
    with pool.helper(prepare, first=first):
        started = time.perf_counter()
        early = pool.first_answer()  # the slow one has not come
        early_seconds = time.perf_counter() - started
        if case == "first-read":  # left to come, then read without a batch
            time.sleep(0.5)
            answer = pool.first_answer()
            results = pool.map_grouped(pid_and_square, [1, 2], [1, 2], 1)
        else:  # a batch's answer comes after it: kept aside, then read
            results = pool.map_grouped(pid_and_square, [1, 2], [1, 2], 1)
            answer = pool.first_answer()
        again = pool.first_answer()
    return {
        "here": os.getpid(),
        "early": early,
        "early_seconds": early_seconds,
        "answer": answer,
        "again": again,
        "squares": [square for _, square in results],
        "pids": [pid for pid, _ in results],
        "after": pool.first_answer(),  # no helper: nothing
    }


def helper_pid() -> int:
    [(process, _)] = pool._HELPERS
    assert process.pid is not None
    return process.pid


def main(case: str) -> dict[str, object]:
    if case.startswith("first"):
        return first_case(case)
    items = [1, 2, 3, 4]
    SLOW_START[0] = 1.0 if case == "too-much-ahead" else 0.0
    with pool.helper(prepare):
        if case == "served":
            results = pool.map_grouped(pid_and_square, items, items, 1)
        elif case == "killed":
            os.kill(helper_pid(), signal.SIGKILL)
            os.waitpid(helper_pid(), 0)
            results = pool.map_grouped(pid_and_square, items, items, 1)
        elif case in ("ahead", "not-ahead", "too-much-ahead"):
            sent: object = False
            if case == "ahead":  # 3 raises there; 1 and 2 are done all the same
                sent = pool.ahead(cached_square, [3, 1, 2])
            elif case == "too-much-ahead":  # the helper sleeps in prepare, reading nothing
                started = time.perf_counter()
                count = pool.PIPE_ROOM * 6 // 10 // 5  # 60 % of the room: 5 bytes an item, pickled
                first = pool.ahead(cached_square, [1, 2, *range(100_000, 100_000 + count)])
                second = pool.ahead(cached_square, list(range(200_000, 200_000 + count)))  # not beside it
                whole = pool.ahead(cached_square, list(range(10**6, 11 * 10**5)))  # more than a socket holds
                seconds = time.perf_counter() - started
                sent = {"first": first, "second": second, "whole": whole, "seconds": seconds}
            found = pool.map_grouped(found_cached, [1, 2, 4], [1, 2, 4], 1)
            return {"here": os.getpid(), "sent": sent, "found": found, "helpers": len(pool._HELPERS)}
        elif case == "collector":
            [(pid, enabled, frozen, during)] = pool.map_grouped(collector, [0], [0], 1)
            return {"here": os.getpid(), "pid": pid, "enabled": enabled, "frozen": frozen, "during": during}
        elif case == "raises":
            try:
                pool.map_grouped(refuse_three, items, items, 1)
            except ValueError as exc:
                return {"raised": str(exc), "helpers": len(pool._HELPERS)}
            return {"raised": None}
        else:
            raise SystemExit(f"no case {case}")
        after = len(pool._HELPERS)
    return {
        "here": os.getpid(),
        "pids": [pid for pid, _ in results],
        "squares": [square for _, square in results],
        "prepared_here": PREPARED,
        "helpers_inside": after,
        "helpers_after": len(pool._HELPERS),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
