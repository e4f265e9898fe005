"""What tests/conftest.py does before the suite runs: the long files first, pytest's plugins kept rewritten."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import hypothesis
import pytest

from tests.conftest import REPO

LONG = "tests/conformance/test_shards.py"  # marked long_file
SHORT = "tests/test_datatext.py"  # not marked


def test_the_files_marked_long_are_collected_first() -> None:
    """Given after a short file, the long file's tests still come first, each file in its own order."""
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", SHORT, LONG],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    collected = [line.split("::", 1)[0] for line in done.stdout.splitlines() if "::" in line]
    assert set(collected) == {SHORT, LONG}
    first_short = collected.index(SHORT)
    assert collected[:first_short] == [LONG] * first_short and LONG not in collected[first_short:]


def test_pytest_keeps_its_rewrite_of_the_plugins_modules() -> None:
    """The rewritten hypothesis modules are kept beside them, where this process or, when bytecode
    may not be written, the conftest's one warm-up run put them: no pytest process rewrites them again."""
    cache = Path(hypothesis.__file__).parent / "__pycache__"
    kept = cache / f"__init__.{sys.implementation.cache_tag}-pytest-{pytest.__version__}.pyc"
    assert kept.is_file(), f"no {kept.name} in {cache}"
