"""An installed cardgen: the wheel holds every template, and `conform` names the extra it needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


def _tracked(under: str) -> set[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", under],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return {line for line in listed.splitlines() if (REPO / line).is_file()}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    from tests.wheel_check import build_wheel

    return zipfile.ZipFile(build_wheel(tmp_path_factory.mktemp("wheel")))


def test_the_wheel_holds_every_template_and_provider_default(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    wanted = _tracked("generator/templates") | _tracked("generator/ingest/provider_defaults")
    assert wanted, "no templates found"
    assert sorted(wanted - names) == []


def test_conform_without_pytest_names_the_extra(tmp_path: Path) -> None:
    hide = "import sys; sys.modules['pytest'] = None; from generator.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", hide, "conform", "--out", str(tmp_path), "--format", "json"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2  # a usage error
    said = "cardgen conform needs pytest: pip install 'cardgen[conform]'"
    assert done.stderr.endswith(f"Error: {said}\n")
    assert json.loads(done.stdout) == {"command": "conform", "ok": False, "error": said}


def test_dev_is_conform_plus_the_lint_and_type_tools() -> None:
    extras = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["optional-dependencies"]
    assert "cardgen[conform]" in extras["dev"]
    assert {"pytest", "hypothesis", "hypothesis-jsonschema"} <= {p.split("==")[0] for p in extras["conform"]}
