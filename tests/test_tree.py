"""All-or-nothing tree writes and drift comparison."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from types import FrameType

import pytest

from generator.tree import (
    MANIFEST,
    UnsafeTarget,
    compare_tree,
    is_dropping,
    on_disk,
    write_atomically,
    write_tree,
)
from tests.conftest import REPO, umask


def test_write_then_compare_is_clean(tmp_path: Path) -> None:
    files = {PurePosixPath("a/b.txt"): "one\n", PurePosixPath("c.txt"): "two\n"}
    write_tree(tmp_path / "out", files)
    assert compare_tree(tmp_path / "out", files).clean
    assert (tmp_path / "out" / "a" / "b.txt").read_text("utf-8") == "one\n"


@pytest.mark.parametrize("mask", [0o022, 0o027], ids=["umask-022", "umask-027"])
def test_files_get_the_mode_a_plain_write_gives_under_the_umask(tmp_path: Path, mask: int) -> None:
    target = tmp_path / "out"
    with umask(mask):
        write_tree(target, {PurePosixPath("pkg/new.py"): "x\n", PurePosixPath("stale.py"): "1\n"})
        write_tree(
            target, {PurePosixPath("pkg/new.py"): "x\n", PurePosixPath("stale.py"): "2\n"}
        )  # rewritten
        write_atomically(tmp_path / "cache" / "entry.json", "{}")
        (tmp_path / "plain.txt").write_text("p", "utf-8")
    files = [target / "pkg" / "new.py", target / "stale.py", tmp_path / "cache" / "entry.json"]
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in files}
    assert modes == dict.fromkeys(modes, stat.S_IMODE((tmp_path / "plain.txt").stat().st_mode))
    assert set(modes.values()) == {0o666 & ~mask}  # readable by others unless the umask says no
    folders = {stat.S_IMODE(folder.stat().st_mode) for folder in (target, target / "pkg")}
    assert folders == {0o777 & ~mask}  # as mkdir makes them: a first tree is written in a folder of its own


@pytest.mark.parametrize("letter", ["m", "名"], ids=["ascii", "cjk"])
def test_a_name_as_long_as_the_file_system_allows_is_written(tmp_path: Path, letter: str) -> None:
    """NAME_MAX (255) counts bytes: a staged name must fit too, for a file and for a first tree's folder."""
    stem = letter * (250 // len(letter.encode("utf-8")))
    name, folder = PurePosixPath(stem + ".py"), tmp_path / stem  # 253 and 252 bytes, or 249 and 246
    write_tree(folder, {name: "x\n"})  # a first tree
    write_tree(folder, {name: "z\n"})  # the file staged beside itself
    write_atomically(tmp_path / name.name, "y\n")
    assert (folder / name).read_text("utf-8") == "z\n"
    assert (tmp_path / name.name).read_text("utf-8") == "y\n"


def test_a_dangling_link_as_target_is_refused_and_nothing_is_left(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.symlink_to(tmp_path / "gone")
    with pytest.raises(OSError):
        write_tree(target, {PurePosixPath("a.txt"): "x\n"})
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


def test_the_generated_harness_stages_files_as_cardgen_does() -> None:
    """Its cassette writer may not import cardgen, so it has its own copy: the same code, docstring aside."""

    def body(path: Path, name: str) -> list[str]:
        tree = ast.parse(path.read_text("utf-8"))
        function = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name)
        return [ast.dump(statement) for statement in function.body[1:]]

    ours = body(REPO / "generator" / "tree.py", "staging_file")
    assert ours == body(REPO / "generator" / "templates" / "tests" / "_cassettes.py", "_staging_file")


def test_the_manifest_is_replaced_whole_not_rewritten_in_place(tmp_path: Path) -> None:
    """A run killed while the manifest is written must not leave half of it: the files it no longer
    names would be foreign to the next run, which then refuses to write at all."""
    target = tmp_path / "out"
    write_tree(target, {PurePosixPath("a.py"): "a\n"})
    before = (target / MANIFEST).stat().st_ino
    write_tree(target, {PurePosixPath("a.py"): "a\n", PurePosixPath("b.py"): "b\n"})
    assert (target / MANIFEST).read_text("utf-8") == "a.py\nb.py\n"
    assert (target / MANIFEST).stat().st_ino != before  # a new file renamed over it
    assert not list(target.rglob("*.part"))


# A write killed (SIGKILL: nothing of cardgen runs after it) at the Nth call that changes the disk.
KILLED_WRITE = """
import json, os, signal, sys
from pathlib import Path, PurePosixPath
from generator.tree import write_tree

target, tree, kill_at = Path(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
calls = 0

def killing(real):
    def call(*args, **kwargs):
        global calls
        calls += 1
        if calls == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return call

for name in ("open", "mkdir", "fsync", "replace", "rename", "unlink", "rmdir"):
    setattr(os, name, killing(getattr(os, name)))
write_tree(target, {PurePosixPath(name): text for name, text in tree.items()})
"""

OLD = {"keep.py": "k\n", "stale.py": "old\n", "pkg/old.py": "o\n", "gone/extra.py": "x\n"}
NEW = {"keep.py": "k\n", "stale.py": "new\n", "pkg/old.py": "o2\n", "pkg/new.py": "a\n", "a/b/new.py": "n\n"}
OTHER = {"keep.py": "k\n", "stale.py": "other\n", "pkg/old.py": "o3\n", "third.py": "t\n"}


def tree_of(files: dict[str, str]) -> dict[PurePosixPath, str]:
    return {PurePosixPath(name): text for name, text in files.items()}


def killed_write(target: Path, files: dict[str, str], kill_at: int) -> bool:
    """Write files to target in a process killed at its kill_at-th change to the disk: whether it was."""
    done = subprocess.run(
        [sys.executable, "-c", KILLED_WRITE, str(target), json.dumps(files), str(kill_at)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, -signal.SIGKILL), done.stderr
    return done.returncode == -signal.SIGKILL


def snapshot(target: Path) -> tuple[list[str], dict[str, str]]:
    """What target's folder holds beside it, and every file below target, hidden ones too, by text."""
    files = {
        path.relative_to(target).as_posix(): path.read_text("utf-8")
        for path in target.rglob("*")
        if path.is_file()
    }
    return sorted(path.name for path in target.parent.iterdir()), files


@pytest.mark.parametrize("before", [OLD, None], ids=["tree", "first-tree"])
def test_a_write_killed_at_any_point_is_mended_by_the_next_one(
    tmp_path: Path, before: dict[str, str] | None
) -> None:
    """kill -9 at each step of a write, then write again, with other files or the same: it neither
    refuses (files the killed run put in place are listed as ours) nor leaves the killed run's staged
    files and folders behind; the tree's files, hidden ones too, are those a write into an empty
    folder makes. (A folder made or emptied just before the kill may stay, empty: not a file.)"""
    clean: dict[str, tuple[list[str], dict[str, str]]] = {}
    for name, files in (("other", OTHER), ("new", NEW)):
        write_tree(tmp_path / "clean" / name / "out", tree_of(files))
        clean[name] = snapshot(tmp_path / "clean" / name / "out")
    left_staged = 0
    kill_at = 1
    while True:
        site = tmp_path / str(kill_at)
        site.mkdir()
        if before is not None:
            write_tree(site / "out", tree_of(before))
        killed = killed_write(site / "out", NEW, kill_at)
        if not killed:
            break
        left_staged += any(".part" in path.name for path in site.rglob("*"))
        shutil.copytree(site, tmp_path / f"{kill_at}-again", symlinks=True)
        for name, files, folder in (("other", OTHER, site), ("new", NEW, tmp_path / f"{kill_at}-again")):
            write_tree(folder / "out", tree_of(files))  # no UnsafeTarget
            assert snapshot(folder / "out") == clean[name], f"killed at call {kill_at}, then {name}"
        kill_at += 1
    assert kill_at > 10  # the write was killed at each of its steps before it ran whole
    assert left_staged  # and some of those kills left a staged file or folder
    assert snapshot(site / "out")[1] == snapshot(tmp_path / "clean" / "new" / "out")[1]


def test_only_what_cardgen_stages_is_removed_as_left_over(tmp_path: Path) -> None:
    target = tmp_path / "out"
    files = {PurePosixPath("a.py"): "a\n", PurePosixPath("pkg/b.py"): "b\n"}
    write_tree(target, files)
    ours = [
        "out/.a.py.0123abcd.part",
        "out/pkg/.b.py.89abcdef.part",
        "out/..cardgen-files.0f0f0f0f.part",
        "out/made/for/.d.py.11111111.part",  # folders made for it, holding nothing else: removed too
        ".out.22222222.part/a.py",  # a first tree's staging folder
        ".out.33333333.part/pkg/.cardgen-files",
    ]
    others = [
        "out/.keep",
        "out/pkg/.b.py.part",
        "out/.a.py.0123abcd.part.bak",
        "out/.a.py.0123ABCD.part",
        "out/.a.py.123abcd.part",
        "out/.cardgen-cache/.x.json.44444444.part",  # in a hidden folder: not the tree's
        ".out.55555555.part",  # a file, not a folder
        ".other.66666666.part/x",
        ".out.7777777.part/x",
    ]
    for name in ours + others:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", "utf-8")
    (target / "pkg" / ".e.py.88888888.part").mkdir()  # a folder: staged files are files
    before = (target / MANIFEST).stat().st_ino
    assert write_tree(target, files).clean
    for name in [*ours, "out/made", ".out.22222222.part", ".out.33333333.part"]:
        assert not (tmp_path / name).exists(), name
    for name in others:
        assert (tmp_path / name).is_file(), name
    assert (target / "pkg" / ".e.py.88888888.part").is_dir()
    assert (target / MANIFEST).stat().st_ino == before  # nothing changed: the manifest is not written


def test_a_write_that_changes_no_name_leaves_the_manifest_as_it_is(tmp_path: Path) -> None:
    target = tmp_path / "out"
    write_tree(target, {PurePosixPath("a.py"): "a\n", PurePosixPath("b.py"): "b\n"})
    before = (target / MANIFEST).stat()
    assert write_tree(target, {PurePosixPath("a.py"): "a\n", PurePosixPath("b.py"): "b\n"}).clean
    assert write_tree(target, {PurePosixPath("a.py"): "changed\n", PurePosixPath("b.py"): "b\n"}).stale
    after = (target / MANIFEST).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_failed_write_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out"
    write_tree(target, {PurePosixPath("keep.txt"): "old\n", PurePosixPath("blocker"): "a file\n"})
    # `blocker` is a file, so a file below it cannot be staged: the whole write must fail.
    files = {PurePosixPath("keep.txt"): "new\n", PurePosixPath("blocker/x.txt"): "x\n"}
    with pytest.raises(OSError):
        write_tree(target, files)
    assert (target / "keep.txt").read_text("utf-8") == "old\n"
    assert not list(target.rglob("*.part"))  # no staged file left behind


class Stopped(Exception):
    """What the test's own handler raises for the signal it was sent."""


@pytest.fixture(params=[signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def stop_signal(request: pytest.FixtureRequest) -> Iterator[signal.Signals]:
    """A signal whose handler raises Stopped, as Ctrl-C's raises KeyboardInterrupt."""

    def stop(number: int, _frame: FrameType | None) -> None:
        raise Stopped(number)

    number: signal.Signals = request.param
    previous = signal.signal(number, stop)
    try:
        yield number
    finally:
        signal.signal(number, previous)


class SignalledWhileWritten(dict[PurePosixPath, str]):
    """A tree that sends its process a signal when the write reads its tenth file's text: in the
    middle of the write, whatever the order files are written in (nothing else reads a text)."""

    def __init__(self, files: dict[PurePosixPath, str], number: signal.Signals) -> None:
        super().__init__(files)
        self.number, self.read, self.sent = number, 0, False

    def __getitem__(self, name: PurePosixPath) -> str:
        self.read += 1
        if self.read == 10:
            self.sent = True
            os.kill(os.getpid(), self.number)
        return super().__getitem__(name)


def test_a_signal_during_the_write_waits_until_the_tree_is_whole(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    target = tmp_path / "first"  # a first tree: no folder yet
    files = {PurePosixPath(f"pkg/{i}/m.py"): f"{i}\n" for i in range(20)} | {PurePosixPath("a.toml"): "x\n"}
    tree = SignalledWhileWritten(files, stop_signal)
    with pytest.raises(Stopped):  # acted on as it would have been, once the tree is written
        write_tree(target, tree)
    assert tree.sent
    assert compare_tree(target, files).clean
    assert (target / ".cardgen-files").read_text("utf-8").splitlines() == sorted(map(str, files))


class Watched(dict[PurePosixPath, str]):
    """A tree that notes, each time the write reads a file's text, whether target exists yet."""

    def __init__(self, files: dict[PurePosixPath, str], target: Path) -> None:
        super().__init__(files)
        self.target, self.seen = target, set[bool]()

    def __getitem__(self, name: PurePosixPath) -> str:
        self.seen.add(self.target.exists())
        return super().__getitem__(name)


def test_a_first_tree_appears_whole(tmp_path: Path) -> None:
    """Written beside target, then renamed to it: no reader ever sees half a first tree."""
    target = tmp_path / "first"
    files = {PurePosixPath(f"pkg/{i}/m.py"): f"{i}\n" for i in range(5)} | {PurePosixPath("a.toml"): "x\n"}
    tree = Watched(files, target)
    write_tree(target, tree)
    assert tree.seen == {False}
    assert compare_tree(target, files).clean
    assert list(tmp_path.iterdir()) == [target]  # the folder it was written in is the tree now


def test_a_first_write_that_fails_leaves_no_folder(tmp_path: Path) -> None:
    target = tmp_path / "first"
    files = {PurePosixPath("a/ok.txt"): "x\n", PurePosixPath("b/c/bad.txt"): "\udc80"}  # not UTF-8
    with pytest.raises(UnicodeEncodeError):
        write_tree(target, files)
    assert list(tmp_path.iterdir()) == []  # neither the tree nor the folder it was written in


def test_paths_outside_the_target_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="outside"):
        write_tree(tmp_path, {PurePosixPath("../escape.txt"): "x"})
    assert not (tmp_path.parent / "escape.txt").exists()


def test_foreign_files_are_not_deleted(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("x", "utf-8")
    with pytest.raises(UnsafeTarget):
        write_tree(tmp_path, {PurePosixPath("a.txt"): "a"})
    assert (tmp_path / "mine.txt").exists()


def test_what_pip_install_leaves_in_the_project_root_is_neither_drift_nor_foreign(tmp_path: Path) -> None:
    files = {PurePosixPath("pyproject.toml"): "[project]\n", PurePosixPath("sdk/__init__.py"): ""}
    write_tree(tmp_path, files)
    for left in ("build/lib/sdk/__init__.py", "sdk.egg-info/PKG-INFO", "dist/sdk-0.1.0.tar.gz"):
        (tmp_path / left).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / left).write_text("x", "utf-8")
    assert compare_tree(tmp_path, files).clean
    write_tree(tmp_path, files)  # no UnsafeTarget, and pip's files stay
    assert (tmp_path / "sdk.egg-info" / "PKG-INFO").exists()
    (tmp_path / "sdk" / "build").mkdir()
    (tmp_path / "sdk" / "build" / "x.py").write_text("x", "utf-8")  # below the root: a hand edit
    assert compare_tree(tmp_path, files).extra == ["sdk/build/x.py"]


def test_a_package_named_build_is_still_checked(tmp_path: Path) -> None:
    files = {PurePosixPath("build/__init__.py"): ""}
    assert compare_tree(tmp_path, files).missing == ["build/__init__.py"]


def test_on_disk_lists_the_files_a_recursive_glob_finds_less_hidden_ones(tmp_path: Path) -> None:
    for name in ("a.py", "pkg/b.py", "pkg/deep/c.txt", ".hidden", "pkg/.cache/d", "pkg/__pycache__/e.pyc"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", "utf-8")
    (tmp_path / "empty").mkdir()
    (tmp_path / "link.py").symlink_to(tmp_path / "a.py")
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path, target_is_directory=True)
    expected = {
        p.relative_to(tmp_path).as_posix()
        for p in tmp_path.rglob("*")
        if p.is_file() and not is_dropping(p.relative_to(tmp_path))
    }
    assert on_disk(tmp_path) == expected == {"a.py", "link.py", "pkg/b.py", "pkg/deep/c.txt"}
    assert on_disk(tmp_path / "missing") == set()


def test_a_proven_digest_stands_for_the_file_and_others_are_read(tmp_path: Path) -> None:
    files = {PurePosixPath("a.py"): "a\n", PurePosixPath("b.py"): "b\n", PurePosixPath("c.py"): "c\n"}
    write_tree(tmp_path, files)
    (tmp_path / "c.py").write_text("changed\n", "utf-8")
    digests = {"a.py": hashlib.sha256(b"a\n").hexdigest(), "b.py": hashlib.sha256(b"other\n").hexdigest()}
    read: list[str] = []

    def proven(name: str) -> str | None:
        read.append(name)
        return digests.get(name)

    diff = compare_tree(tmp_path, files, (), proven)
    assert diff.stale == ["b.py", "c.py"]  # b by its digest, c read: no digest for it
    assert read == ["a.py", "b.py", "c.py"]


def test_kept_files_are_wanted_unread_and_a_vanished_one_is_refused(tmp_path: Path) -> None:
    write_tree(tmp_path, {PurePosixPath("a.py"): "a\n", PurePosixPath("k.py"): "k\n"})
    (tmp_path / "k.py").write_text("not read\n", "utf-8")
    kept = ["k.py"]
    assert compare_tree(tmp_path, {PurePosixPath("a.py"): "a\n"}, kept).clean
    assert write_tree(tmp_path, {PurePosixPath("a.py"): "a\n"}, kept).clean  # k.py stays, not extra
    assert (tmp_path / ".cardgen-files").read_text("utf-8") == "a.py\nk.py\n"
    (tmp_path / "k.py").unlink()
    with pytest.raises(UnsafeTarget, match=r"k\.py vanished"):
        write_tree(tmp_path, {PurePosixPath("a.py"): "a\n"}, kept)


_PAUSED_WRITER = """
import pathlib, sys
from pathlib import Path, PurePosixPath
from generator.tree import write_tree

real = pathlib.Path.replace
paused = []


def replace(self, target):  # the first file staged and about to be put in place: wait to be told
    if not paused:
        paused.append(self)
        print("staged", flush=True)
        sys.stdin.readline()
    return real(self, target)


pathlib.Path.replace = replace
write_tree(Path(sys.argv[1]), {PurePosixPath("a.py"): "A\\n", PurePosixPath("b/c.py"): "A\\n"})
"""

_WRITER = """
import sys
from pathlib import Path, PurePosixPath
from generator.tree import write_tree

write_tree(Path(sys.argv[1]), {PurePosixPath("a.py"): "B\\n", PurePosixPath("b/c.py"): "B\\n"})
"""


def test_a_second_writer_waits_for_the_first_and_leaves_its_staged_files_alone(tmp_path: Path) -> None:
    """Two runs writing one tree at once: the second removed the first's staged files as a killed
    run's leftovers, and the first failed halfway (FileNotFoundError), the tree part old, part new."""
    target = tmp_path / "out"
    write_tree(target, {PurePosixPath("a.py"): "0\n", PurePosixPath("b/c.py"): "0\n"})
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    paused = [sys.executable, "-c", _PAUSED_WRITER, str(target)]
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    with subprocess.Popen(paused, env=env, **pipes) as first:  # type: ignore[call-overload]
        assert first.stdout.readline() == "staged\n"
        staged = sorted(p.name for p in target.rglob(".*.part"))
        assert staged
        with subprocess.Popen([sys.executable, "-c", _WRITER, str(target)], env=env) as second:
            with pytest.raises(subprocess.TimeoutExpired):
                second.wait(timeout=1.5)  # waiting for the first's lock
            assert sorted(p.name for p in target.rglob(".*.part")) == staged
            _, errors = first.communicate("go\n", timeout=60)
            assert first.returncode == 0, errors
            assert second.wait(timeout=60) == 0
    assert (target / "a.py").read_text("utf-8") == (target / "b" / "c.py").read_text("utf-8") == "B\n"
    assert not list(target.rglob(".*.part"))


def test_a_tree_is_written_where_the_file_system_takes_no_locks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import fcntl

    def refused(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", refused)
    target = tmp_path / "out"
    write_tree(target, {PurePosixPath("a.py"): "1\n"})
    write_tree(target, {PurePosixPath("a.py"): "2\n"})
    assert (target / "a.py").read_text("utf-8") == "2\n"
