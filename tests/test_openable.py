"""Diagnostics name their files from where the command runs: what an editor or a terminal opens."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.cli_support import openable
from generator.diagnostics import Diagnostic, Level
from tests.conftest import FIXTURES


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
            found = openable(diagnostics, {"sources": base / "sources", "overlays": base / "overlays"})
            expected = [os.path.relpath(base / names[0]), os.path.relpath(base / names[1]), "sources/gone.md"]
            assert [d.file for d in found] == [*expected, os.path.relpath(catalog / "overlays")]
            assert [(d.line, d.level, d.message) for d in found] == [
                (d.line, d.level, d.message) for d in diagnostics
            ]


def test_a_name_stands_for_its_folder_whatever_that_folder_is_called(tmp_path: Path) -> None:
    (tmp_path / "docs" / "segmind").mkdir(parents=True)
    (tmp_path / "docs" / "segmind" / "a.txt").write_text("a", "utf-8")
    (tmp_path / "known.yaml").write_text("acknowledged: []", "utf-8")
    diagnostics = [
        Diagnostic("sources/segmind/a.txt", 1, Level.WARNING, "a document"),
        Diagnostic("sources", None, Level.ERROR, "the folder itself"),
        Diagnostic("acknowledged.yaml", 2, Level.WARNING, "a file"),
    ]
    places = {"sources": tmp_path / "docs", "acknowledged.yaml": tmp_path / "known.yaml"}
    with contextlib.chdir(tmp_path):
        assert [d.file for d in openable(diagnostics, places)] == ["docs/segmind/a.txt", "docs", "known.yaml"]


def _folders_not_named_as_cardgen_names_them(root: Path) -> None:
    """Segmind's pages under docs/, a broken overlay under patches/, a broken provider file under
    defaults/, and a stale acknowledgement beside docs/."""
    shutil.copytree(FIXTURES / "catalogs" / "segmind" / "sources", root / "docs")
    (root / "patches" / "segmind").mkdir(parents=True)
    (root / "patches" / "segmind" / "deepseek_reasoner.yaml").write_text("patch: {}\n", "utf-8")
    (root / "defaults").mkdir()
    (root / "defaults" / "segmind.yaml").write_text("streaming: {supported: false}\n", "utf-8")
    (root / "acknowledged.yaml").write_text(
        "acknowledged:\n  - field: top_p\n    documents: [sources/nobody/*]\n    reason: none\n", "utf-8"
    )


@pytest.mark.parametrize("sources", ["docs", "docs/segmind", "absolute"])
@pytest.mark.parametrize("output_format", ["text", "json"])
def test_ingest_names_each_file_as_it_is_on_disk(tmp_path: Path, sources: str, output_format: str) -> None:
    _folders_not_named_as_cardgen_names_them(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    here = tmp_path / "elsewhere" if sources == "absolute" else tmp_path
    folder = tmp_path / "docs" if sources == "absolute" else Path(sources)
    args = ["ingest", "--sources", str(folder), "--catalog", str(tmp_path / "out" / "models")]
    args += ["--overlays", str(tmp_path / "patches"), "--providers", str(tmp_path / "defaults")]
    with contextlib.chdir(here):
        outcome = CliRunner().invoke(cli, [*args, "--format", output_format])
        if output_format == "json":
            files = {d["file"] for d in json.loads(outcome.stdout)["diagnostics"]}
        else:
            files = {line.split(":")[0] for line in outcome.stderr.splitlines() if ": " in line}
            files.discard("ingest failed")
        assert files, outcome.output
        assert [name for name in sorted(files) if not Path(name).exists()] == []
    named = {Path(os.path.relpath(here / name, tmp_path)).parts[0] for name in files}
    # a document, the overlay, the provider file and acknowledged.yaml each had something to say
    # (acknowledged.yaml is read beside the sources folder: not beside docs/segmind)
    said = {"docs", "patches", "defaults", "acknowledged.yaml"}
    assert named == (said - {"acknowledged.yaml"} if sources == "docs/segmind" else said)
