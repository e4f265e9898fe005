"""The toolchain digests cover all of cardgen's code that shapes what they vouch for: a change to any
of it renders every model again (instead of reusing its files or its kept typed code), and voids
the ingest cache (instead of replaying kept extractions)."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from generator.ingest import toolchain as ingest_toolchain
from generator.render import toolchain as render_toolchain

PACKAGE = "generator"


def _module_file(module: str) -> Path | None:
    path = render_toolchain.GENERATOR.parent.joinpath(*module.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None  # a name imported from a module, not a module


def _imported(path: Path, module: str) -> set[str]:
    """The modules of this package that path imports (any name that may be one), wherever the import is."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name == PACKAGE or name.startswith(PACKAGE + ".")}


def _closure(start: list[str]) -> set[Path]:
    """Every file those modules run when imported: the modules they import, and each one's packages."""
    seen: set[Path] = set()
    todo = list(start)
    while todo:
        module = todo.pop()
        parents = [".".join(module.split(".")[:n]) for n in range(1, module.count(".") + 1)]
        todo.extend(parent for parent in parents if _module_file(parent) not in seen)
        path = _module_file(module)
        if path is None or path in seen:
            continue
        seen.add(path)
        todo.extend(_imported(path, module))
    return seen


def test_the_renderer_digest_covers_everything_render_imports() -> None:
    render = sorted(render_toolchain.RENDERER.glob("*.py"))
    closure = _closure([f"{PACKAGE}.render.{path.stem}" for path in render])
    outside = {path.relative_to(render_toolchain.GENERATOR).as_posix() for path in closure} - {
        path.relative_to(render_toolchain.GENERATOR).as_posix() for path in render
    }
    assert sorted(outside) == sorted(render_toolchain.RENDERER_IMPORTS)


@pytest.mark.parametrize("name", ["ingest/ecma_regex.py", "catalog/entry.py"])
def test_a_change_to_code_render_imports_changes_the_toolchain(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "generator"
    shutil.copytree(render_toolchain.GENERATOR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(render_toolchain, "GENERATOR", copy)
    monkeypatch.setattr(render_toolchain, "RENDERER", copy / "render")
    before = render_toolchain.toolchain()
    (copy / name).write_text((copy / name).read_text("utf-8") + "# changed\n", "utf-8")
    after = render_toolchain.toolchain()
    assert {key for key in before if before[key] != after[key]} == {"renderer"}


def test_the_ingest_digest_covers_everything_ingest_imports() -> None:
    root = ingest_toolchain.GENERATOR
    covered = {path for folder, pattern in ingest_toolchain.CODE for path in (root / folder).glob(pattern)}
    ingest = sorted((root / "ingest").rglob("*.py"))
    modules = [".".join((PACKAGE, *path.relative_to(root).with_suffix("").parts)) for path in ingest]
    closure = _closure([module.removesuffix(".__init__") for module in modules])
    missing = sorted(path.relative_to(root).as_posix() for path in closure - covered)
    assert missing == ["__init__.py"]  # cardgen's version, a toolchain entry of its own
