"""The helper process: forked early, it does the serial work it is handed; without it, the same.

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
