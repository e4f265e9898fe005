"""How a `cardgen` process ends: an ingest or generate that built a catalog ends at once, its output
flushed and its status kept; other runs end as Python ends them.

The heap such a run holds is taken back by the operating system, not freed object by object: the
interpreter's teardown (and so any atexit handler) does not run. A wrapper registers a handler
that writes a marker, then runs cardgen's own entry point: the marker shows which ending it took.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli_support import exit_status
from tests.conftest import CATALOG_ROOT, REPO, build_seed_project

MARKER = "interpreter teardown ran"
WRAPPER = (
    "import atexit, sys\n"
    f"atexit.register(lambda: print({MARKER!r}, file=sys.stderr))\n"
    "sys.argv = ['cardgen', *sys.argv[1:]]\n"
    "from generator.cli import main\n"
    "main()\n"
)


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """cardgen ARGS through its entry point, output to pipes (block-buffered, so unflushed text would be lost)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", WRAPPER, *args], cwd=root, env=env, capture_output=True, text=True, check=False
    )


def test_exit_status_reads_system_exit_as_the_interpreter_does(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_status(SystemExit()) == 0
    assert exit_status(SystemExit(0)) == 0
    assert exit_status(SystemExit(2)) == 2
    assert exit_status(SystemExit("no catalog here")) == 1
    assert capsys.readouterr().err == "no catalog here\n"


def test_a_run_that_built_the_catalog_ends_at_once_with_its_output_and_status(tmp_path: Path) -> None:
    for part in ("sources", "overlays", "recordings"):
        shutil.copytree(CATALOG_ROOT / part, tmp_path / "catalog" / part)
    ingest = _run(tmp_path, "ingest", "--format", "json")
    assert ingest.returncode == 0, ingest.stderr
    assert json.loads(ingest.stdout)["ok"] is True  # the whole document, flushed before the end
    assert MARKER not in ingest.stderr
    generate = _run(tmp_path, "generate")
    assert generate.returncode == 0, generate.stderr
    assert re.match(r"generated \d+ files in generated .*\n\Z", generate.stdout)  # flushed before the end
    assert generate.stderr.startswith("rendering 5 models")
    assert MARKER not in generate.stderr


def test_a_failed_run_keeps_its_status_and_its_words(tmp_path: Path) -> None:
    root = build_seed_project(tmp_path)
    page = root / "catalog" / "sources" / "cloudflare" / "tinyllama-1.1b-chat-v1.0.md"
    page.write_text(page.read_text("utf-8").replace("---\n", "---\nname: [unclosed\n", 1), "utf-8")
    failed = _run(root, "ingest", "--format", "json")
    assert failed.returncode == 1
    document = json.loads(failed.stdout)
    assert document["ok"] is False
    assert any(d["level"] == "error" for d in document["diagnostics"])
    assert MARKER not in failed.stderr


def test_a_run_that_built_nothing_ends_as_python_ends(tmp_path: Path) -> None:
    root = build_seed_project(tmp_path)
    again = _run(root, "ingest")  # every input as the last ingest read it: replayed, nothing built
    assert again.returncode == 0, again.stderr
    assert "0 written" in again.stdout
    assert MARKER in again.stderr
