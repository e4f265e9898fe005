"""Run the generated suite in a child pytest, against the backend asked for."""

from __future__ import annotations

import contextlib
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from generator.backend.server import running_backend
from generator.catalog.store import load_catalog
from generator.conform.results import Results, read_junit


@dataclass(frozen=True)
class ConformOptions:
    tests: Path  # the generated tests/ directory
    catalog: Path
    backend: str  # local, recorded or a URL
    model_glob: str
    examples: int
    junitxml: Path | None = None  # where to keep pytest's JUnit XML report
    pytest_to_stderr: bool = False  # keep stdout for a JSON document


KEY = os.environ.get("CARDGEN_CONFORMANCE_KEY", "conformance-key")


@contextlib.contextmanager
def _backend_url(options: ConformOptions) -> Iterator[tuple[str, dict[str, str]]]:
    """The URL to test against, and the environment that tells the suite which credentials to use."""
    if options.backend == "recorded":
        yield options.backend, dict(os.environ)
        return
    if options.backend != "local":
        environment = dict(os.environ)
        if is_cardgen_backend(options.backend):  # `cardgen serve`: any non-empty key unless it has --token
            environment.setdefault("CARDGEN_CONFORMANCE_KEY", KEY)
        yield options.backend, environment
        return
    with running_backend(load_catalog(options.catalog), token=KEY) as handle:
        yield handle.url, {**os.environ, "CARDGEN_CONFORMANCE_KEY": KEY}


def is_cardgen_backend(url: str) -> bool:
    """Whether url is a `cardgen serve` (it answers GET /__cardgen/requests), not a live provider."""
    try:
        answer = httpx.get(f"{url.rstrip('/')}/__cardgen/requests", timeout=5)
        return answer.status_code == 200 and "by_key" in answer.json()
    except (httpx.HTTPError, ValueError):
        return False


def selected_modules(options: ConformOptions) -> list[Path]:
    """Test modules whose `<provider>/<slug>` (or slug) matches the glob."""
    modules = []
    for path in sorted(options.tests.glob("test_*__*.py")):
        provider, _, slug = path.stem.removeprefix("test_").partition("__")
        if fnmatch.fnmatch(f"{provider}/{slug}", options.model_glob) or fnmatch.fnmatch(
            slug, options.model_glob
        ):
            modules.append(path)
    return modules


def run_conformance(options: ConformOptions) -> tuple[int, Results]:
    """pytest's exit code and the verdicts; the local backend runs here, in a thread, meanwhile."""
    modules = selected_modules(options)
    if not modules:
        return 5, Results()
    with (
        _backend_url(options) as (url, environment),
        tempfile.TemporaryDirectory(prefix="cardgen-conform-") as scratch,
    ):
        report = Path(scratch) / "junit.xml"
        command = [
            sys.executable, "-m", "pytest", *map(str, modules), "-q", "--no-header", "-p", "no:cacheprovider",
            f"--rootdir={options.tests}", f"--junitxml={report}", "-o", "junit_family=xunit1",
            f"--backend={url}", f"--examples={options.examples}", f"--catalog={options.catalog}",
        ]  # fmt: skip
        stdout = 2 if options.pytest_to_stderr else None  # file descriptor 2: stderr
        done = subprocess.run(command, check=False, env=environment, stdout=stdout)  # noqa: S603 - our own interpreter and arguments
        if options.junitxml is not None and report.is_file():
            options.junitxml.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(report, options.junitxml)
        return done.returncode, read_junit(report)
