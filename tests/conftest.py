"""Shared paths and helpers for the test tiers."""

from __future__ import annotations

import compileall
import contextlib
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import Phase, settings

from generator.catalog.store import Catalog
from generator.diagnostics import has_errors
from generator.ingest.pipeline import IngestInputs, ingest

# Every property test in this repository is reproducible: same examples on every run and machine.
# No shrinking: the tests that break a class, client or server on purpose (and so must see a property
# fail) spent most of their time making the failing example smaller; a failing test reports the
# first example that failed, the same on every run.
settings.register_profile(
    "cardgen",
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
)
settings.load_profile("cardgen")

REPO = Path(__file__).resolve().parent.parent
# Hypothesis keeps its Unicode tables in its storage folder, by default `.hypothesis` below the working
# directory: every scratch project a test runs a conformance suite in would build them again (~2 s
# each, the utf-8 codec table; two dozen projects in this suite). One folder for every process of the
# run, and of the next (its files are written atomically; examples are saved only for failures).
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(REPO / ".hypothesis"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The tests' own copy of the seed documents, never catalog/: documents added to or changed in the
# committed catalog must not change what these tests see (`make check` and `cardgen conform` check it).
CATALOG_ROOT = FIXTURES / "seed-catalog"
SOURCES = CATALOG_ROOT / "sources"
PROVIDERS = CATALOG_ROOT / "providers"  # absent, as in catalog/: cardgen's built-in defaults apply
OVERLAYS = CATALOG_ROOT / "overlays"
RECORDINGS = CATALOG_ROOT / "recordings"
UPDATE_SNAPSHOTS = os.environ.get("CARDGEN_UPDATE_SNAPSHOTS") == "1"


def assert_snapshot(path: Path, actual: str) -> None:
    """Compare with a committed snapshot; CARDGEN_UPDATE_SNAPSHOTS=1 rewrites it."""
    if UPDATE_SNAPSHOTS or not path.exists():
        path.write_text(actual, "utf-8")
        if not UPDATE_SNAPSHOTS:
            pytest.fail(f"snapshot {path} did not exist; written now, review and commit it")
    assert actual == path.read_text("utf-8"), f"differs from snapshot {path}"


@cache
def seed_catalog() -> Catalog:
    """The seed documents ingested in memory; known at collection time, so tests can parametrize on it."""
    result = ingest(IngestInputs(SOURCES, PROVIDERS, OVERLAYS))
    assert not has_errors(result.diagnostics), result.diagnostics
    return result.catalog


@contextmanager
def umask(mask: int) -> Iterator[None]:
    """Files this process creates meanwhile get mode 0o666 & ~mask, as a user's shell would give them."""
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def cardgen(
    root: Path, *args: str, expect: int = 0, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `cardgen ARGS` in root the way a user does: generated headers name paths relative to it."""
    env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == expect, done.stdout + done.stderr
    return done


def build_seed_project(root: Path) -> Path:
    """A project laid out like this repository, from the seed fixtures: catalog/ ingested, generated/."""
    for part in ("sources", "overlays", "recordings"):
        shutil.copytree(CATALOG_ROOT / part, root / "catalog" / part)
    cardgen(root, "ingest")
    cardgen(root, "generate")
    return root


def pytest_configure() -> None:
    """Before the workers start: cardgen's own modules compiled to bytecode, and, where bytecode may
    not be written, pytest's rewritten plugin modules kept (_write_plugin_rewrites). The suite runs
    cardgen in a few hundred subprocesses; where nothing has written its bytecode (a fresh clone, and
    PYTHONDONTWRITEBYTECODE set, as on this project's CI machines) each compiled every module it
    imported, ~0.3 s of CPU a command. compileall writes whatever that variable says, atomically,
    and only what is missing or stale."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # the controller, or a run without workers
        compileall.compile_dir(REPO / "generator", quiet=2)
        if sys.dont_write_bytecode:
            _write_plugin_rewrites()


def _write_plugin_rewrites() -> None:
    """pytest rewrites the asserts of its plugins' modules (hypothesis, xdist, anyio...: ~150 of
    them) in every process it starts, and keeps the result as bytecode beside them unless bytecode
    is not to be written: then each of the suite's ~60 pytest processes (this run's workers, every
    `cardgen conform` a test runs and its workers) rewrote them all again, ~1.3 s of CPU each. One
    pytest that may write bytecode, loading the plugins and collecting one module that imports what
    the generated suites import (hypothesis-jsonschema loads more of hypothesis), writes them for
    the rest (atomically; pytest reads them whatever the variable says). It also writes the plain
    bytecode of what it imports, as pip did at install for everything else in the venv. Nothing of
    this repository's pytest configuration applies to it (`-c /dev/null`); if it fails, the suite
    only runs slower."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTEST_ADDOPTS")}
    with tempfile.TemporaryDirectory(prefix="cardgen-plugins-") as empty:
        (Path(empty) / "test_imports.py").write_text("import hypothesis_jsonschema\n", "utf-8")
        unconfigured = ("-c", os.devnull, "-p", "no:cacheprovider", "--rootdir", empty)
        with contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run(
                [sys.executable, "-m", "pytest", "--collect-only", "-q", *unconfigured, empty],
                env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=120, check=False,
            )  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files marked long_file first, the rest after them, each in its own order (a stable sort).
    pytest-xdist (`--dist loadfile --no-loadscope-reorder`, as make test runs it) hands files to its
    workers in this order, the next one when a worker has two tests or fewer left: with the long
    files first and the many short ones filling in behind them, the workers finish at about the same
    time; a long file handed out last was run by one worker while the other had nothing left."""
    items.sort(key=lambda item: item.get_closest_marker("long_file") is None)


@pytest.fixture(scope="session", autouse=True)
def _one_mypy_cache_per_process(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every mypy run of this test process shares one cache (each xdist worker has its own basetemp,
    so no two processes write one cache). A cold run spends ~6 of its ~7 s on pydantic, httpx and
    typing, the same in every generated package. A package's own modules are reused only as mypy
    reuses any: each test writes its package to a folder of its own, and a module at another path
    is taken from the cache only where its text hashes the same."""
    os.environ["MYPY_CACHE_DIR"] = str(tmp_path_factory.getbasetemp() / "mypy-cache")


@pytest.fixture(scope="session")
def seed_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per session; tests must not change it (copy it first)."""
    return build_seed_project(tmp_path_factory.mktemp("seed-project"))


@pytest.fixture(scope="session")
def seed_sdk(seed_project: Path) -> Iterator[ModuleType]:
    """The seed project's generated package, imported as `modelsdk` (its tests' harness importable too)."""
    generated = seed_project / "generated"
    paths = [str(generated), str(generated / "tests")]
    sys.path[:0] = paths
    try:
        modelsdk = importlib.import_module("modelsdk")
        assert Path(str(modelsdk.__file__)).is_relative_to(generated), modelsdk.__file__
        yield modelsdk
    finally:
        for path in paths:
            sys.path.remove(path)
