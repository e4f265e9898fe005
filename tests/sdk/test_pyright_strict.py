"""The generated package is pyright-strict clean, with the settings `make typecheck` uses on generated/.

Two fixture catalogs between them reach the runtime modules and the resource template's branches:
the seed catalog (streaming, envelopes, unions, three providers) and the uploads one (raw bodies,
multipart forms, a raw-content alternative to keyword inputs).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO, cardgen

pytestmark = pytest.mark.long_file  # started first: see tests/conftest.py

CONFIG = REPO / "tests" / "pyright-generated.json"  # what `make typecheck` runs pyright with


def _pyright_errors(package: Path, work: Path) -> list[str]:
    """Run pyright with CONFIG's settings on `package`; return its errors as `file:line: message (rule)`."""
    config = json.loads(CONFIG.read_text("utf-8"))
    config["include"] = [os.path.relpath(package, work)]  # pyright ignores an absolute `include`
    (work / "pyrightconfig.json").write_text(json.dumps(config), "utf-8")
    pyright = (
        Path(sys.executable).parent / "pyright"
    )  # the dev extra's pinned wrapper, not whatever is on PATH
    assert pyright.exists(), "pyright is part of the dev extra: `make setup`"
    done = subprocess.run(
        [str(pyright), "-p", str(work), "--pythonpath", sys.executable, "--outputjson"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    report = json.loads(done.stdout)
    assert report["summary"]["filesAnalyzed"] > 10, done.stdout  # it did check the package
    return [
        f"{Path(d['file']).relative_to(package)}:{d['range']['start']['line'] + 1}: {d['message']} ({d.get('rule')})"
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]


def test_generated_packages_are_pyright_strict_clean(seed_project: Path, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    for part in ("sources", "providers"):
        shutil.copytree(FIXTURES / "uploads" / part, uploads / part)
    cardgen(uploads, "ingest", "--sources", "sources", "--providers", "providers", "--catalog", "models")
    cardgen(uploads, "generate", "--catalog", "models", "--out", "gen")
    assert CONFIG.exists() and json.loads(CONFIG.read_text("utf-8"))["typeCheckingMode"] == "strict"
    found = {
        "seed": _pyright_errors(seed_project / "generated" / "modelsdk", tmp_path),
        "uploads": _pyright_errors(uploads / "gen" / "modelsdk", tmp_path),
    }
    assert found == {"seed": [], "uploads": []}
