"""Diagnostics name their files from where the command runs: what an editor or a terminal opens."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from generator.cli_support import openable
from generator.diagnostics import Diagnostic, Level


def _project(root: Path) -> Path:
    for name in ("sources/cloudflare/ü model.json", "overlays/cloudflare/x.yaml"):
        (root / "catalog" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "catalog" / name).write_text("{}", "utf-8")
    return root / "catalog"


@pytest.mark.parametrize("where", [".", "catalog", "catalog/sources/cloudflare", "elsewhere"])
def test_files_are_named_as_relpath_names_them_from_anywhere(tmp_path: Path, where: str) -> None:
    catalog = _project(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    names = ["sources/cloudflare/ü model.json", "overlays/cloudflare/x.yaml", "sources/gone.md"]
    diagnostics = [Diagnostic(name, 3, Level.WARNING, "message") for name in names]
    diagnostics.append(Diagnostic(str(catalog / "overlays"), None, Level.ERROR, "an absolute path"))
    with contextlib.chdir(tmp_path / where):
        for base in (catalog, Path(os.path.relpath(catalog))):
            found = openable(diagnostics, base)
            expected = [os.path.relpath(base / names[0]), os.path.relpath(base / names[1]), "sources/gone.md"]
            assert [d.file for d in found] == [*expected, os.path.relpath(catalog / "overlays")]
            assert [(d.line, d.level, d.message) for d in found] == [
                (d.line, d.level, d.message) for d in diagnostics
            ]
