"""The generated package installs without writing into what `generate` owns, and its tests run without cardgen."""

from __future__ import annotations

import re
import subprocess
import sys
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
