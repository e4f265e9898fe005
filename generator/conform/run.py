"""Run the generated suite in a child pytest, against the backend asked for."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from generator.backend.server import running_backend
from generator.catalog.store import load_catalog
from generator.conform.results import Results, read_junit
from generator.selection import model_selected


@dataclass(frozen=True)
class ConformOptions:
    tests: Path  # the generated tests/ directory
    catalog: Path
    backend: str  # local, recorded or a URL
    patterns: tuple[str, ...]  # --model globs: a model any of them names is run
    examples: int
    junitxml: Path | None = None  # where to keep pytest's JUnit XML report
    pytest_to_stderr: bool = False  # keep stdout for a JSON document
    workers: str | None = None  # pytest-xdist's -n: "auto" or a count; None runs in this process
    shard: Shard | None = None  # run only this part of the selected models


@dataclass(frozen=True)
class Shard:
    """Part K of N: the models at positions K-1, K-1+N, K-1+2N, ... of the sorted selection."""

    index: int  # K, from 1
    count: int  # N

    @classmethod
    def parse(cls, text: str) -> Shard:
        """Read `K/N` (1 <= K <= N); ValueError otherwise."""
        index, slash, count = text.partition("/")
        if not slash or not index.strip().isdigit() or not count.strip().isdigit():
            raise ValueError(f"expected K/N, e.g. 1/4, not {text!r}")
        shard = cls(int(index), int(count))
        if not 1 <= shard.index <= shard.count:
            raise ValueError(f"expected 1 <= K <= N in K/N, not {text!r}")
        return shard

    def take(self, models: list[Path]) -> list[Path]:
        """This shard's share of models; the N shards of one list partition it, counts differing by at most 1."""
        return sorted(models)[self.index - 1 :: self.count]


KEY = os.environ.get("CARDGEN_CONFORMANCE_KEY", "conformance-key")
PROBE_SECONDS = 5.0  # to connect to a URL backend before any test runs
PROBE_ATTEMPTS = 2


class BackendUnavailable(Exception):
    """The backend asked for cannot be tested against: no catalog for the local one to serve, or
    nothing answering at the URL given. Said before any test runs."""


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
    try:
        catalog = load_catalog(options.catalog)
    except ValueError as exc:  # no catalog there, or an entry that does not load: said with its file
        raise BackendUnavailable(str(exc)) from None
    with running_backend(catalog, token=KEY) as handle:
        yield handle.url, {**os.environ, "CARDGEN_CONFORMANCE_KEY": KEY}


def is_cardgen_backend(url: str) -> bool:
    """Whether url is a `cardgen serve` (it answers GET /__cardgen/requests), not a live provider.

    BackendUnavailable when nothing can be connected to there (twice, a second apart): every test
    would otherwise wait out the client's connection retries, example after example, for minutes
    per model. Any answer, or a slow one, is a server: the tests say what it does.
    """
    for attempt in range(PROBE_ATTEMPTS):
        try:
            answer = httpx.get(f"{url.rstrip('/')}/__cardgen/requests", timeout=PROBE_SECONDS)
        except httpx.InvalidURL as exc:
            raise BackendUnavailable(f"{url}: not a URL to connect to ({exc})") from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            if attempt + 1 < PROBE_ATTEMPTS:
                time.sleep(1.0)
                continue
            raise BackendUnavailable(
                f"{url}: cannot connect there ({type(exc).__name__}: {exc}); start the server, or check "
                "the URL (and the proxy or TLS settings of the environment)"
            ) from None
        except httpx.HTTPError:  # a read timeout, a protocol, proxy or scheme error: left to the tests
            return False
        try:
            return answer.status_code == 200 and "by_key" in answer.json()
        except ValueError:
            return False
    return False


def _test_modules(tests: Path) -> dict[tuple[str, str], Path]:
    """Each generated model's test module, by (provider, slug)."""
    modules = {}
    for path in sorted(tests.glob("test_*__*.py")):
        provider, _, slug = path.stem.removeprefix("test_").partition("__")
        modules[provider, slug] = path
    return modules


def tested_models(tests: Path) -> list[tuple[str, str]]:
    """The (provider, slug) of every model the generated tests cover."""
    return list(_test_modules(tests))


def selected_modules(options: ConformOptions) -> list[Path]:
    """Test modules whose `<provider>/<slug>` (or slug) any of the globs names."""
    modules = [
        path
        for (provider, slug), path in _test_modules(options.tests).items()
        if model_selected(provider, slug, options.patterns)
    ]
    return modules if options.shard is None else options.shard.take(modules)


EMPTY_JUNIT = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<testsuites><testsuite name="pytest" errors="0" failures="0" skipped="0" tests="0" time="0"/></testsuites>\n'
)


def keep_empty_report(options: ConformOptions) -> None:
    """With --junitxml, a report with no test in it: a CI job uploading the report of a shard that had
    nothing to do finds one."""
    if options.junitxml is not None:
        options.junitxml.parent.mkdir(parents=True, exist_ok=True)
        options.junitxml.write_text(EMPTY_JUNIT, "utf-8")


def run_conformance(options: ConformOptions) -> tuple[int, Results]:
    """pytest's exit code and the verdicts; the local backend runs here, in a thread, meanwhile."""
    modules = selected_modules(options)
    if not modules:
        keep_empty_report(options)
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
        if options.workers is not None:  # a model's tests stay together on one worker: its time is one row
            command += ["-n", options.workers, "--dist", "loadfile"]
        stdout = 2 if options.pytest_to_stderr else None  # file descriptor 2: stderr
        done = subprocess.run(command, check=False, env=environment, stdout=stdout)  # noqa: S603 - our own interpreter and arguments
        if options.junitxml is not None and report.is_file():
            options.junitxml.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(report, options.junitxml)
        return done.returncode, read_junit(report)
