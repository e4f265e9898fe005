"""The generated package installs without writing into what `generate` owns, and its tests run without cardgen."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO, build_seed_project, cardgen

pytestmark = pytest.mark.long_file  # started first: see tests/conftest.py

PINNED = ("pytest", "hypothesis", "hypothesis-jsonschema", "pytest-xdist")


def _pins(requirements: list[str]) -> dict[str, str]:
    return {
        name: requirement
        for requirement in requirements
        if (name := re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0]) in PINNED
    }


def test_the_test_extra_pins_what_cardgen_conform_pins(seed_project: Path) -> None:
    generated = tomllib.loads((seed_project / "generated" / "pyproject.toml").read_text("utf-8"))
    ours = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    test_extra = _pins(generated["project"]["optional-dependencies"]["test"])
    assert set(test_extra) == set(PINNED)
    assert test_extra == _pins(ours["project"]["optional-dependencies"]["conform"])


def test_the_test_extra_declares_every_package_the_tests_import(seed_project: Path) -> None:
    import ast

    meta = tomllib.loads((seed_project / "generated" / "pyproject.toml").read_text("utf-8"))["project"]
    declared = {
        re.split(r"[<>=!~ \[]", r, maxsplit=1)[0].replace("-", "_").lower()
        for r in [*meta["dependencies"], *meta["optional-dependencies"]["test"]]
    } | {"yaml"} - {"pyyaml"}
    imported: set[str] = set()
    tests = seed_project / "generated" / "tests"
    local = {p.stem for p in tests.glob("*.py")} | {
        "modelsdk",
        "generator",
    }  # generator: --backend local only
    for module in tests.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - local - {"__future__", "pydantic_core"}
    assert third_party <= declared, f"imported but not declared: {sorted(third_party - declared)}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A seed project whose generated package was `pip install`ed, with its test extra, into a fresh venv.

    --no-compile: pip would byte-compile every dependency (hypothesis, pydantic, ...), a quarter of the
    install's time; Python compiles what the tests import when they import it."""
    project = build_seed_project(tmp_path_factory.mktemp("project"))
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-compile", f"{project / 'generated'}[test]"],
        check=True, capture_output=True,
    )  # fmt: skip
    return project, venv / "bin" / "python"


def test_installing_the_package_leaves_generate_check_clean(installed: tuple[Path, Path]) -> None:
    project, _ = installed
    done = cardgen(project, "generate", "--check")
    assert "is up to date" in done.stdout
    cardgen(project, "generate")  # and generate still writes there: pip's files are not foreign


def test_the_installed_package_imports_from_anywhere(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, python = installed
    done = subprocess.run(
        [str(python), "-c", "import modelsdk; print(modelsdk.Cloudflare.__name__, modelsdk.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.startswith("Cloudflare ") and "site-packages" in done.stdout


def test_the_generated_tests_pass_with_only_the_test_extra(installed: tuple[Path, Path]) -> None:
    project, python = installed
    bare = {"PATH": "/usr/bin:/bin", "CI": "1"}  # no PYTHONPATH: nothing of this checkout
    no_cardgen = subprocess.run(
        [str(python), "-c", "import generator"], cwd=project, env=bare, capture_output=True, check=False
    )
    assert no_cardgen.returncode != 0
    done = subprocess.run(
        [str(python), "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", "--backend", "recorded",
         "--examples", "3"],
        cwd=project / "generated", capture_output=True, text=True, check=False,
        env=bare,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout


def test_the_sdist_ships_a_conformance_suite_that_runs(installed: tuple[Path, Path], tmp_path: Path) -> None:
    """setuptools alone puts the test_*.py files in an sdist, not their conftest, harness or
    cassettes: pytest then knew no `--backend`. MANIFEST.in grafts tests/ whole."""
    project, python = installed
    source = tmp_path / "source"
    shutil.copytree(
        project / "generated", source, ignore=shutil.ignore_patterns("__pycache__", ".cardgen-cache")
    )
    build = "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))"
    done = subprocess.run(
        [str(python), "-c", build, str(tmp_path / "dist")],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    sdist = tmp_path / "dist" / done.stdout.split()[-1]
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
        archive.extractall(tmp_path / "unpacked", filter="data")
    expected = {"tests/conftest.py", "tests/_backends.py", "tests/_cassettes.py", "CHANGELOG.md", "ruff.toml"}
    assert expected <= names, sorted(expected - names)
    assert any(name.startswith("tests/cassettes/") and name.endswith(".yaml") for name in names)
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    (unpacked,) = (tmp_path / "unpacked").iterdir()
    test_file = sorted((unpacked / "tests").glob("test_*.py"))[0].name
    done = subprocess.run(
        [str(python), "-m", "pytest", f"tests/{test_file}", "-q", "-p", "no:cacheprovider", "--backend",
         "recorded", "--examples", "2"],
        cwd=unpacked, capture_output=True, text=True, check=False, env={"PATH": "/usr/bin:/bin", "CI": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
