"""The helper process: forked early, it does the serial work it is handed, and work sent ahead of
the call that will want it; without it, the same.

Each case runs in a fresh interpreter (tests/render/helper_child.py), where forking is allowed.
"""

from __future__ import annotations

import json
from typing import Any

from generator.render.pool import usable_cores
from tests.conftest import REPO
from tests.render.pipeline import ok, run_python


def _case(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(ok(run_python("-m", "tests.render.helper_child", name, cwd=REPO)))
    return result


def test_the_helper_does_the_work_and_prepared_in_its_own_process() -> None:
    served = _case("served")
    assert served["squares"] == [1, 4, 9, 16]  # in the order of the items
    if usable_cores() < 2:  # one core: nothing is forked, the work is done here
        assert served["pids"] == [served["here"]] * 4
        return
    [helper] = set(served["pids"])
    assert helper != served["here"]
    assert served["prepared_here"] == []  # prepare ran in the helper, not here
    assert served["helpers_inside"] == 1
    assert served["helpers_after"] == 0  # stopped with the block


def test_work_a_dead_helper_cannot_do_is_done_here() -> None:
    if usable_cores() < 2:
        return
    killed = _case("killed")
    assert killed["squares"] == [1, 4, 9, 16]
    assert killed["pids"] == [killed["here"]] * 4
    assert killed["helpers_inside"] == 0  # given up, not asked again


def test_an_error_in_the_helper_is_met_here_as_it_would_be() -> None:
    raised = _case("raises")
    assert raised["raised"] == "three"


def test_work_sent_ahead_is_found_done_by_the_later_call() -> None:
    ahead, control = _case("ahead"), _case("not-ahead")
    if usable_cores() < 2:  # no helper: nothing is sent, the later call does it all here
        assert ahead["sent"] is False
        assert [hit for _, hit, _ in ahead["found"]] == [False, False, False]
        return
    assert ahead["sent"] is True
    [helper] = {pid for pid, _, _ in ahead["found"]}
    assert helper != ahead["here"]  # the helper did the later call
    # 1 and 2 were squared ahead (3 raised there, and the helper went on); 4 was not sent.
    assert ahead["found"] == [[helper, True, 1], [helper, True, 4], [helper, False, 16]]
    assert [hit for _, hit, _ in control["found"]] == [False, False, False]
    assert ahead["helpers"] == 1  # an error in work sent ahead does not stop the helper


def test_no_more_is_sent_ahead_than_the_connection_holds_unread() -> None:
    """While the helper prepares (a second, here) it reads nothing: what is sent ahead must fit
    unread, all messages together, or this process would wait for it."""
    if usable_cores() < 2:
        return
    sent = _case("too-much-ahead")["sent"]
    assert sent["first"] is True
    assert sent["second"] is False  # it fits alone, not beside the first
    assert sent["whole"] is False
    assert sent["seconds"] < 0.5  # nothing waited for the helper


def test_the_helpers_first_answer_is_read_when_wanted_and_never_waited_for() -> None:
    if usable_cores() < 2:
        alone = _case("first-read")
        assert alone["answer"] is None and alone["squares"] == [1, 4]  # no helper: no answer
        return
    read = _case("first-read")
    helper = read["answer"]["pid"]
    assert helper != read["here"] and read["pids"] == [helper, helper]
    assert read["answer"] == {"pid": helper, "prepared_before": []}  # done before prepare
    assert read["again"] == read["answer"]  # read once, given again
    assert read["after"] is None  # the helper stopped with its block
    # Not come yet when first asked (its work takes a second): None at once; then, after a batch
    # whose answer it came before, there.
    slow = _case("first-slow")
    assert slow["early"] is None and slow["early_seconds"] < 0.5
    assert slow["squares"] == [1, 4] and slow["answer"]["pid"] == slow["pids"][0]
    # An answer too large to send without waiting for this process, or none at all: batches as ever.
    for case in ("first-big", "first-raises"):
        none = _case(case)
        assert none["answer"] is None and none["squares"] == [1, 4]
        assert none["pids"] != [none["here"]] * 2  # the helper still did the batch


def test_the_helper_prepares_without_the_garbage_collector_and_freezes_what_it_loaded() -> None:
    """Preparing is mostly imports: the collector's passes over them (~20 ms for the code
    generator's) find nothing. Frozen afterwards, they are not walked by later passes either."""
    if usable_cores() < 2:
        return
    state = _case("collector")
    assert state["pid"] != state["here"]
    assert state["during"] == [False]
    assert state["enabled"] is True and state["frozen"] is True
