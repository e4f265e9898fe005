"""ruff formats the rendered tree in a scratch folder: in memory where the system has room, else on disk.

Either way the formatted files are the same; a memory folder that fails meanwhile costs only time.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from generator.render import format as formatting

CONFIG = 'line-length = 100\ntarget-version = "py311"\n'
TREE = {
    PurePosixPath("ruff.toml"): CONFIG,
    PurePosixPath("pkg/mod.py"): "import os,sys\nx=[1,\n2]\n",
    PurePosixPath("pkg/ü_notes.md"): "# Notes\n\n```python\ny  =  'ü'\n```\n",
    PurePosixPath("pkg/data.json"): '{"a":  1}\n',
}


def test_a_memory_folder_is_used_only_with_room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setattr(formatting, "MEMORY_FOLDER", tmp_path)
    free = os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize
    assert formatting.scratch_parent(1000) == str(tmp_path)
    assert formatting.scratch_parent(free) is None  # it must hold twice the tree
    monkeypatch.setattr(formatting, "MEMORY_FOLDER", tmp_path / "missing")
    assert formatting.scratch_parent(1000) is None
    (tmp_path / "a-file").write_text("", "utf-8")
    monkeypatch.setattr(formatting, "MEMORY_FOLDER", tmp_path / "a-file")
    assert formatting.scratch_parent(1000) is None


def test_a_tmpdir_the_user_set_is_where_the_scratch_tree_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(formatting, "MEMORY_FOLDER", tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "theirs"))
    assert formatting.scratch_parent(1000) is None


def test_the_tree_is_formatted_alike_in_memory_and_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMPDIR", raising=False)
    memory = tmp_path / "memory"
    memory.mkdir()
    monkeypatch.setattr(formatting, "MEMORY_FOLDER", memory)
    in_memory = formatting.format_tree(dict(TREE))
    monkeypatch.setattr(formatting, "MEMORY_FOLDER", tmp_path / "missing")
    on_disk = formatting.format_tree(dict(TREE))
    assert in_memory == on_disk
    assert in_memory[PurePosixPath("pkg/mod.py")] == "x = [1, 2]\n"  # unused imports fixed, then formatted
    assert in_memory[PurePosixPath("pkg/ü_notes.md")].endswith('y = "ü"\n```\n')
    assert in_memory[PurePosixPath("pkg/data.json")] == TREE[PurePosixPath("pkg/data.json")]
    assert list(memory.iterdir()) == []  # the scratch tree is gone


def test_a_memory_folder_that_fails_meanwhile_costs_only_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = formatting.format_tree(dict(TREE))
    vanished = tmp_path / "vanished"  # had room when asked; gone when the tree is written
    monkeypatch.setattr(formatting, "scratch_parent", lambda size: str(vanished))
    assert formatting.format_tree(dict(TREE)) == expected


def test_what_ruff_still_finds_after_its_fixes_is_refused_not_written() -> None:
    """An undefined name (a base class the code generator left behind) made a module that failed on
    import, and generate wrote it: ruff's fixes ran, its findings were not read."""
    tree = {**TREE, PurePosixPath("pkg/types.py"): "import os\n\n\nclass Y(CardgenUnusedRoot):\n    x: int\n"}
    with pytest.raises(
        formatting.FormatError, match=r"pkg/types\.py:\d+:\d+: F821 Undefined name `CardgenUnusedRoot`"
    ):
        formatting.format_tree(tree)
    fixed = formatting.format_tree({**TREE, PurePosixPath("pkg/types.py"): "import os\nx=1\n"})
    assert fixed[PurePosixPath("pkg/types.py")] == "x = 1\n"  # fixable findings are still fixed
