"""Imports a rendered module never mentions are left out before ruff sees the tree (render/imports.py)."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path, PurePosixPath

import pytest
from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from generator.diagnostics import has_errors
from generator.ingest.pipeline import IngestInputs, ingest
from generator.render.imports import natural_order, used_imports
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


def test_re_exports_stay_and_a_comment_goes_with_its_import() -> None:
    """`a as a` is a re-export, which ruff keeps too; a comment introducing a statement left out goes."""
    block = "from a import A\n\n# why B\nfrom b import B\nfrom c import C as C\nimport os as os\n"
    assert used_imports(block, "A") == "from a import A\n\nfrom c import C as C\nimport os as os\n"


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


def _block_end(module: str) -> int:
    """The last line of the module's import block: its imports and `if TYPE_CHECKING:` block."""
    end = 0
    for node in ast.parse(module).body:
        guard = isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        if isinstance(node, ast.Import | ast.ImportFrom) or guard:
            end = node.end_lineno or end
        elif end and not isinstance(node, ast.Expr):  # past the block (its docstring is an Expr)
            break
    return end


def test_models_are_imported_in_the_order_isort_sorts_them(tmp_path: Path) -> None:
    """`_typed.py` imports one module a model, sorted with natural_order: as ruff sorts them."""
    slugs = [
        "qwen_14b",
        "a_10b",
        "Ab_2",
        "qwen_7b",
        "a_9b",
        "a_9",
        "b0",
        "a_09c",
        "llama_3_1_70b",
        "llama_3_10_8b",
    ]
    (tmp_path / "m.py").write_text(
        "".join(f"from .{slug} import X{i}\n" for i, slug in enumerate(slugs)), "utf-8"
    )
    fix = [find_ruff_bin(), "check", "--no-cache", "--isolated", "--select", "I001", "--fix", "-q", "m.py"]
    subprocess.run(fix, cwd=tmp_path, capture_output=True, check=False)
    ruffs = [
        line.split()[1].removeprefix(".") for line in (tmp_path / "m.py").read_text("utf-8").splitlines()
    ]
    assert sorted(slugs, key=natural_order) == ruffs


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
        if d["location"]["row"]
        <= _block_end(files[PurePosixPath(Path(d["filename"]).relative_to(tmp_path).as_posix())])
    ]
    assert found == []
