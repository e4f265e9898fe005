"""Drive cardgen as a user would, in child processes: ingest, record, generate, mypy --strict, conform."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_python(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CI": "1"}  # derandomized hypothesis, no example database
    return subprocess.run(
        [sys.executable, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def ingest_and_record(sources: Path, root: Path) -> None:
    """`root/models` ingested from sources, `root/recordings` recorded from the local backend."""
    ok(run_python("-m", "generator", "ingest", "--sources", sources, "--catalog", root / "models", cwd=root))
    ok(
        run_python(
            "-m", "generator", "record", "--catalog", root / "models", "--out", root / "recordings", cwd=root
        )
    )


def generate(root: Path) -> None:
    ok(
        run_python(
            "-m", "generator", "generate", "--catalog", root / "models", "--out", root / "gen", cwd=root
        )
    )


def strict_errors(root: Path, good_use: str, bad_use: str) -> set[int]:
    """Check the package and `good_use` with mypy --strict; return the lines of `bad_use` it flags."""
    gen = root / "gen"
    (gen / "good_use.py").write_text(good_use, "utf-8")
    (gen / "bad_use.py").write_text(bad_use, "utf-8")
    strict = ("-m", "mypy", "--strict", "--config-file", os.devnull)  # the cache: conftest's MYPY_CACHE_DIR
    ok(run_python(*strict, "modelsdk", "good_use.py", cwd=gen))
    done = run_python(*strict, "bad_use.py", cwd=gen)
    return {int(line.split(":")[1]) for line in done.stdout.splitlines() if ": error:" in line}


# Examples per property in a fixture catalog's conformance run: every check still runs on every model
# (derandomized: the same examples each run), in a third of the time 10 took. `CARDGEN_EXAMPLES=N make
# test` asks these runs, and `cardgen conform`'s own, for N instead: a longer campaign.
FIXTURE_EXAMPLES = "3"


def conformance_rows(root: Path, provider: str, backend: str = "local") -> list[str]:
    """Run `cardgen conform`; assert no row failed or skipped; return the provider's rows."""
    examples = () if os.environ.get("CARDGEN_EXAMPLES") else ("--examples", FIXTURE_EXAMPLES)
    arguments = ("--catalog", root / "models", "--out", root / "gen", *examples)
    table = ok(run_python("-m", "generator", "conform", "--backend", backend, *arguments, cwd=root))
    rows = [line for line in table.splitlines() if line.startswith(f"{provider}/")]
    assert not [row for row in rows if "FAIL" in row or "skip" in row], table
    return rows
