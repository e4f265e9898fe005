"""Conformance tests of the generated SDK: options, backends, and the reproducibility profile.

    pytest tests --backend local       start cardgen's local backend (needs cardgen installed)
    pytest tests --backend recorded    replay the cassettes in tests/cassettes, no server
    pytest tests --backend URL         any server that speaks the providers' protocols
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # the SDK package beside tests/, and the harness modules

from _backends import Backend, close_admin_client, local_backend  # noqa: E402 - needs the path above

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance")
    group.addoption("--backend", default=os.environ.get("CARDGEN_BACKEND", "recorded"), help="local, recorded or a URL")
    group.addoption(
        "--examples",
        type=_examples,
        default=os.environ.get("CARDGEN_EXAMPLES", "20"),
        help="hypothesis examples per property, at least 1 (env CARDGEN_EXAMPLES)",
    )
    group.addoption("--catalog", default=None, help="catalog for --backend local [default: ../catalog/models]")


def _examples(given: str) -> int:
    """A whole number of examples, at least 1: fewer would fail every property, not skip them."""
    try:
        count = int(given)
    except ValueError:
        count = 0
    if count < 1:
        raise pytest.UsageError(f"--examples (or CARDGEN_EXAMPLES) must be a whole number >= 1, not {given!r}")
    return count


@pytest.fixture(scope="session")
def examples(request: pytest.FixtureRequest) -> int:
    count: int = request.config.getoption("--examples")
    return count


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    choice: str = request.config.getoption("--backend")
    try:
        if choice == "recorded":
            yield Backend("recorded", None)
        elif choice == "local":
            yield from local_backend(request.config.getoption("--catalog"), HERE.parent.parent)
        else:
            yield Backend("url", choice)
    finally:
        close_admin_client()


