"""All-or-nothing tree writes and drift comparison."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from generator.tree import UnsafeTarget, compare_tree, write_tree


def test_write_then_compare_is_clean(tmp_path: Path) -> None:
    files = {PurePosixPath("a/b.txt"): "one\n", PurePosixPath("c.txt"): "two\n"}
    write_tree(tmp_path / "out", files)
    assert compare_tree(tmp_path / "out", files).clean
    assert (tmp_path / "out" / "a" / "b.txt").read_text("utf-8") == "one\n"


def test_a_failed_write_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out"
    write_tree(target, {PurePosixPath("keep.txt"): "old\n", PurePosixPath("blocker"): "a file\n"})
    # `blocker` is a file, so a file below it cannot be staged: the whole write must fail.
    files = {PurePosixPath("keep.txt"): "new\n", PurePosixPath("blocker/x.txt"): "x\n"}
    with pytest.raises(OSError):
        write_tree(target, files)
    assert (target / "keep.txt").read_text("utf-8") == "old\n"
    assert not [p for p in target.rglob(".cardgen-*") if p.name != ".cardgen-files"]


def test_paths_outside_the_target_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="outside"):
        write_tree(tmp_path, {PurePosixPath("../escape.txt"): "x"})
    assert not (tmp_path.parent / "escape.txt").exists()


def test_foreign_files_are_not_deleted(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("x", "utf-8")
    with pytest.raises(UnsafeTarget):
        write_tree(tmp_path, {PurePosixPath("a.txt"): "a"})
    assert (tmp_path / "mine.txt").exists()
