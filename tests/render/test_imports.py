"""Imports a rendered module never mentions are left out before ruff sees the tree (render/imports.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path, PurePosixPath

import pytest
from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from generator.diagnostics import has_errors
from generator.ingest.pipeline import IngestInputs, ingest
from generator.render.imports import used_imports
from generator.render.render import RenderOptions, render
from tests.conftest import FIXTURES

BLOCK = """
from collections.abc import Generator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

import httpx

from ..._models import NOT_GIVEN, NotGiven as Missing

if TYPE_CHECKING:  # load when first needed
    from ..._base_client import SyncAPIClient

    from ..._streaming import StreamSettings
"""


def test_names_the_code_never_mentions_are_left_out() -> None:
    code = "\n\ndef run(a: Mapping[str, Any], b: Missing = NOT_GIVEN) -> SyncAPIClient: ...\n"
    assert used_imports(BLOCK, code) == (
        "\nfrom collections.abc import Mapping\nfrom typing import TYPE_CHECKING, Any\n\n"
        "from ..._models import NOT_GIVEN, NotGiven as Missing\n\n"
        "if TYPE_CHECKING:  # load when first needed\n    from ..._base_client import SyncAPIClient\n"
    )


def test_a_guard_left_empty_goes_with_its_name() -> None:
    code = "\n\ndef run() -> Generator[int, None, None]: ...\nhttpx.get\n"
    assert used_imports(BLOCK, code) == ("\nfrom collections.abc import Generator\n\nimport httpx\n")


def test_a_name_in_any_text_stays_for_ruff_to_judge() -> None:
    """A docstring naming `overload` keeps it: only text that never contains a name proves it unused."""
    code = '\n\ndef run() -> None:\n    """Unlike overload, this..."""\n'
    assert "overload" in used_imports(BLOCK, code)


def test_parenthesized_imports_keep_one_name_a_line_and_long_ones_are_split() -> None:
    block = "from _conformance import (\n    check_a,\n    check_b,\n)\nfrom m import " + ", ".join(
        f"Name{i}" for i in range(20)
    )
    code = "check_b() " + " ".join(f"Name{i}" for i in range(20))
    kept = used_imports(block, code)
    assert kept.startswith("from _conformance import check_b\nfrom m import (\n    Name0,\n    Name1,\n")
    assert kept.endswith("    Name19,\n)")
    names = [f"型名{i}" for i in range(16)]
    wide = "from m import " + ", ".join(names)  # under 110 characters, over 110 columns
    assert len(wide) <= 110 < len(wide) + sum(name.count("型名") * 2 for name in names)
    assert used_imports(wide, " ".join(names)).startswith("from m import (\n    型名0,\n")


@pytest.mark.parametrize(
    "block",
    [
        "import os; import sys",
        "from m import *",
        "x = 1",
        "from m import (a, b)",
        "from m import (\n    a,\n",
    ],
)
def test_a_block_in_any_other_shape_is_left_as_it_is(block: str) -> None:
    assert used_imports(block, "") == block


# Not hostile-text: its properties named `Literal` or `Any` keep typing's names by text, for ruff to judge.
CATALOGS = ["seed-catalog", "first-not-streaming", "uploads", "catalogs/dataoorts", "catalogs/segmind"]


@pytest.mark.parametrize("name", CATALOGS)
def test_rendered_model_modules_need_no_import_fixes_from_ruff(name: str, tmp_path: Path) -> None:
    """Each model's four resource modules and its test module, and each provider's `_typed.py`
    (an import a model), as rendered (before ruff): nothing
    for ruff's unused-import and import-order fixes in their import blocks, which cost it ~5x a
    clean check. (A method's own import, split by isort where a long slug makes it too long, is
    not the block's.)"""
    root = FIXTURES / name
    result = ingest(IngestInputs(root / "sources", root / "providers", root / "overlays"))
    assert not has_errors(result.diagnostics), result.diagnostics
    files = render(result.catalog, RenderOptions())
    slugs = {entry.slug for entry in result.catalog}
    checked = [
        path
        for path in files
        if (path.parts[1:2] == ("resources",) and (path.stem in slugs or path.name == "_typed.py"))
        or (path.parts[0] == "tests" and path.name.startswith("test_"))
    ]
    assert len(checked) == 5 * len(slugs) + len({entry.provider for entry in result.catalog})
    for path in [*checked, PurePosixPath("ruff.toml")]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(files[path], "utf-8")
    ruff = [find_ruff_bin(), "check", "--no-cache", "--config", "ruff.toml", "--output-format", "json"]
    done = subprocess.run(
        [*ruff, "--select", "F401,F811,I001", *map(str, checked)],
        cwd=tmp_path,
        capture_output=True,
        check=False,
        text=True,
    )
    found = [
        f"{Path(d['filename']).relative_to(tmp_path)}: {d['code']} {d['message']}"
        for d in json.loads(done.stdout)
        if d["location"]["column"] <= len("    f")  # the module's block, its TYPE_CHECKING part included
    ]
    assert found == []
