"""What the README says of an exit status or a version bump is what the code does."""

from __future__ import annotations

import re

from generator.backend.cli import CANNOT_LISTEN
from generator.evolve.changes import bump_below_1_0
from generator.pull.cli import FAILED
from tests.conftest import REPO

README = re.sub(r"\s+", " ", (REPO / "README.md").read_text("utf-8"))  # sentences, not lines


def test_a_model_that_still_fails_to_pull_exits_as_the_pull_does() -> None:
    assert f"its document is kept (even with `--prune`), and the exit status is {FAILED} " in README


def test_the_version_bump_below_1_0_is_as_the_code_moves_it() -> None:
    major, minor = bump_below_1_0("major"), bump_below_1_0("minor")
    assert (
        f"major for breaking changes, {major} below 1.0; minor for compatible ones, {minor} below 1.0;"
        in README
    )


def test_serve_names_the_status_of_a_port_in_use() -> None:
    assert f"{CANNOT_LISTEN} when the port is in use" in README
