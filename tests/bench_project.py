"""A temporary cardgen project for `make bench`, driven from the command line as a user drives it.

Every command runs in its own process from the project root (`cardgen ingest`, `record`, `generate`,
`conform` with their default paths) and is measured by wall time and by the peak resident
memory of its largest process, so whatever the generator does inside shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tests.bench_scale import Files, edit_one, edit_outside_schemas, synthetic_sources, write_files

CARDGEN = Path(sys.executable).with_name("cardgen")
GNU_TIME = Path("/usr/bin/time")
LOCK_NAMES = ("cardgen.lock", "cardgen.store", ".cardgen")  # the lock and any store beside it
# cardgen's own modules run from their bytecode, as in any install: a caller's environment that
# forbids writing it (this machine's does) would have each command compile again every module whose
# bytecode is older than its source.
COMMAND_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


@dataclass(frozen=True)
class Run:
    """One measured command."""

    seconds: float
    peak_rss_mib: float
    code: int
    output: str

    def check(self, what: str) -> Run:
        if self.code != 0:
            raise RuntimeError(f"{what} exited {self.code}:\n{self.output[-3000:]}")
        return self


def measure(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run a command to its end: wall seconds, peak RSS of its largest process, exit code, output.

    The peak is GNU time's where /usr/bin/time exists; os.wait4's alone would never read below this
    process's own size, which a forked child starts as.
    """
    with tempfile.TemporaryDirectory() as scratch:
        log, peak = Path(scratch) / "log", Path(scratch) / "peak"
        wrapped = [str(GNU_TIME), "-f", "%M", "-o", str(peak), *command] if GNU_TIME.exists() else command
        with log.open("w", encoding="utf-8") as out:
            started = time.perf_counter()
            process = subprocess.Popen(wrapped, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        kib = int(peak.read_text("utf-8").split()[-1]) if GNU_TIME.exists() else usage.ru_maxrss
        return Run(seconds, kib / 1024, process.returncode, log.read_text("utf-8"))


class Project:
    """A project folder holding a synthetic catalog's sources; catalog/ and generated/ as cardgen writes them."""

    def __init__(self, root: Path, size: int) -> None:
        self.root, self.size = root, size
        self.files: Files = synthetic_sources(size)
        write_files(root, self.files)

    def cardgen(self, *args: str) -> Run:
        return measure([str(CARDGEN), *args], self.root, COMMAND_ENV).check(f"cardgen {' '.join(args)}")

    def ingest(self) -> Run:
        return self.cardgen("ingest")

    def record(self) -> Run:
        """Cassettes from the local backend, as the conformance suite's replays need them."""
        return self.cardgen("record", "--backend", "local")

    def generate(self) -> Run:
        return self.cardgen("generate")

    def regenerate(self) -> tuple[float, float]:
        """Ingest, then generate: wall seconds of each."""
        return self.ingest().seconds, self.generate().seconds

    def noop(self, runs: int = 3) -> tuple[float, float]:
        """Ingest + generate when nothing changed: the run of median total, as (ingest, generate) seconds."""
        return sorted((self.regenerate() for _ in range(runs)), key=sum)[runs // 2]

    def build(self) -> Run:
        """`cardgen build`: ingest, then generate, in one process."""
        return self.cardgen("build")

    def one_change(self, runs: int = 3) -> tuple[PurePosixPath, tuple[float, float], float]:
        """Edit one source document, then regenerate: (ingest, generate) seconds of the two commands,
        and seconds of `cardgen build`; each the median of runs, each run after an edit of its own."""
        edited, separate, built = PurePosixPath(), [], []
        for run in range(runs):
            edited = edit_one(self.root, self.files, 2 * run + 1)
            separate.append(self.regenerate())
            edit_one(self.root, self.files, 2 * run + 2)
            built.append(self.build().seconds)
        return edited, sorted(separate, key=sum)[runs // 2], sorted(built)[runs // 2]

    def one_change_outside_schemas(self, runs: int = 3) -> tuple[float, float]:
        """Edit one model's description, outside its schemas, then regenerate with the two commands:
        (ingest, generate) seconds, the median of runs, each run after an edit of its own."""
        separate = []
        for run in range(runs):
            edit_outside_schemas(self.root, self.files, run + 1)
            separate.append(self.regenerate())
        return sorted(separate, key=sum)[runs // 2]

    def generate_in_process(self, out: Path) -> float:
        """`cardgen generate` called in a fresh interpreter, timed around the call (imports excluded)."""
        code = (
            "import sys, time; from generator.cli import cli; t = time.perf_counter(); "
            "cli.main(sys.argv[1:], standalone_mode=False); print('seconds', time.perf_counter() - t)"
        )
        run = measure(
            [sys.executable, "-c", code, "generate", "--out", str(out)], self.root, COMMAND_ENV
        ).check("generate")
        return float(next(line for line in run.output.splitlines() if line.startswith("seconds ")).split()[1])

    def comparator(self) -> dict[str, float]:
        """datamodel-code-generator alone on this catalog's schemas (tests/bench_comparator.py)."""
        command = [sys.executable, "-m", "tests.bench_comparator", str(self.root / "catalog" / "models")]
        run = measure(command, Path(__file__).resolve().parent.parent, COMMAND_ENV).check("the comparator")
        figures: dict[str, float] = json.loads(next(s for s in run.output.splitlines() if s.startswith("{")))
        return figures

    def conform(self, workers: int = 2, examples: int = 10) -> Run:
        args = ["conform", "-n", str(workers), "--examples", str(examples), "--backend", "local"]
        return measure([str(CARDGEN), *args], self.root, COMMAND_ENV)

    def forget_output(self) -> None:
        """Move the catalog and the generated SDK with their caches out of the way, as before the
        first ingest. Moved, not deleted: on a disk mounted with `discard` (this machine's), deleting
        thousands of files slows the writes that follow for seconds, which the next run would count as
        its own; the folders go with the project's scratch folder, once the figures are taken."""
        aside = self.root / ".set-aside"
        aside.mkdir(exist_ok=True)
        for folder in (self.root / "catalog" / "models", self.root / "generated"):
            if folder.exists():
                folder.rename(aside / f"{len(list(aside.iterdir()))}-{folder.name}")

    def lock_bytes(self) -> dict[str, int]:
        """Bytes of generated/cardgen.lock and of each store beside it, by name."""
        out = self.root / "generated"
        return {name: tree_bytes(out / name) for name in LOCK_NAMES if (out / name).exists()}


def tree_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
