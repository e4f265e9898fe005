"""`make` checks the Python version first and never leaves a half-built venv for later runs to reuse."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import REPO

FAKE_PYTHON = """#!/bin/sh
# A stand-in interpreter: reports VERSION; `-m venv DIR` makes a venv whose pip always fails.
case "$1" in
  -V) echo "Python {version}" ;;
  -c) exit {too_old} ;;
  -m) mkdir -p "$3/bin" && printf '#!/bin/sh\\nexit 1\\n' > "$3/bin/python" && chmod +x "$3/bin/python" ;;
esac
"""


def _make(tmp_path: Path, version: str) -> subprocess.CompletedProcess[str]:
    python = tmp_path / "python"
    python.write_text(FAKE_PYTHON.format(version=version, too_old=int(version < "3.11")), "utf-8")
    python.chmod(0o755)
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), f"PYTHON={python}", f"VENV={tmp_path / 'venv'}", "setup"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_an_old_python_is_refused_in_one_line_before_any_venv(tmp_path: Path) -> None:
    done = _make(tmp_path, "3.10.12")
    assert done.returncode != 0
    assert done.stderr.splitlines()[0].startswith("make: cardgen needs Python 3.11 or newer; ")
    assert "is Python 3.10.12" in done.stderr
    assert not (tmp_path / "venv").exists()


def test_a_failed_install_removes_the_venv_and_says_what_it_was_doing(tmp_path: Path) -> None:
    (tmp_path / "venv" / "bin").mkdir(parents=True)  # half-built by an earlier run: no stamp
    done = _make(tmp_path, "3.11.9")
    assert done.returncode != 0
    assert "make: creating" in done.stdout and "installing cardgen" in done.stdout
    assert "failed; removed it" in done.stderr
    assert not (tmp_path / "venv").exists()
