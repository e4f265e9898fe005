"""Prove an installed cardgen works outside any checkout: build the wheel, install it, use it.

Copies the sources cardgen is built from into a temporary directory (so the build writes nothing
into this tree), builds the wheel there with `pip wheel` (build isolation), installs it with its
`conform` extra into a fresh virtualenv, and in an empty folder holding only a copy of the Segmind
fixture documents runs the README's steps with that venv's `cardgen`: ingest, record, generate,
conform --backend local and --backend recorded. Exits 1 if any step fails.

    python -m tests.wheel_check [--keep]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCUMENTS = REPO / "tests" / "fixtures" / "catalogs" / "segmind"
_DROPPINGS = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")


def build_wheel(scratch: Path) -> Path:
    """Build cardgen's wheel from a copy of its sources; the path of the .whl."""
    source = scratch / "source"
    shutil.copytree(REPO / "generator", source / "generator", ignore=_DROPPINGS)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(scratch / "dist"), str(source)],
        check=True,
    )  # fmt: skip
    (wheel,) = (scratch / "dist").glob("cardgen-*.whl")
    return wheel


def _step(title: str, command: list[str], cwd: Path) -> None:
    started = time.perf_counter()
    print(f"wheel check: {title}", flush=True)
    done = subprocess.run(command, cwd=cwd, check=False)
    if done.returncode != 0:
        print(f"wheel check: FAILED at `{' '.join(command)}` (exit {done.returncode})", file=sys.stderr)
        raise SystemExit(1)
    print(f"wheel check: {title}: ok ({time.perf_counter() - started:.0f}s)", flush=True)


def run(scratch: Path) -> None:
    wheel = build_wheel(scratch)
    venv = scratch / "venv"
    _step("fresh venv", [sys.executable, "-m", "venv", str(venv)], scratch)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _step(f"install {wheel.name}[conform]", [*pip, f"{wheel}[conform]"], scratch)
    project = scratch / "project"
    shutil.copytree(DOCUMENTS, project / "catalog")
    cardgen = str(venv / "bin" / "cardgen")
    _step("cardgen ingest", [cardgen, "ingest"], project)
    _step("cardgen record", [cardgen, "record"], project)
    _step("cardgen generate", [cardgen, "generate"], project)
    _step("cardgen generate --check", [cardgen, "generate", "--check"], project)
    _step(
        "cardgen conform --backend local",
        [cardgen, "conform", "--backend", "local", "--examples", "5"],
        project,
    )
    _step(
        "cardgen conform --backend recorded",
        [cardgen, "conform", "--backend", "recorded", "--examples", "5"],
        project,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and print it")
    arguments = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="cardgen-wheel-"))
    try:
        run(scratch)
        print(
            "wheel check: the installed wheel ingests, records, generates and conforms outside the checkout"
        )
    finally:
        if arguments.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
