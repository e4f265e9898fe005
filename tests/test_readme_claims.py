"""What the README says of an exit status is what the code does."""

from __future__ import annotations

import re

from generator.backend.cli import CANNOT_LISTEN
from tests.conftest import REPO

README = re.sub(r"\s+", " ", (REPO / "README.md").read_text("utf-8"))  # sentences, not lines


def test_serve_names_the_status_of_a_port_in_use() -> None:
    assert f"{CANNOT_LISTEN} when the port is in use" in README
