"""Write a rendered file tree to disk all-or-nothing, and compare one with what is on disk."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath
from typing import Any

MANIFEST = ".cardgen-files"

FileTree = Mapping[PurePosixPath, str]

# What staging_file and _staging_folder name what they make (`.b.py.1234abcd.part`): a run killed
# before it renamed one into place leaves it behind, hidden, for a later write to remove.
STAGED = re.compile(r"\..+\.[0-9a-f]{8}\.part", re.DOTALL)


class UnsafeTarget(Exception):
    """The output directory holds files cardgen did not write."""


@dataclass
class TreeDiff:
    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.stale or self.missing or self.extra)

    def lines(self) -> list[str]:
        return (
            [f"stale:   {p}" for p in self.stale]
            + [f"missing: {p}" for p in self.missing]
            + [f"extra:   {p}" for p in self.extra]
        )


def is_dropping(relative: PurePath) -> bool:
    """A cache or hidden file that tools leave beside sources (and our manifest): never content."""
    return any(part.startswith(".") or part == "__pycache__" for part in relative.parts)


def is_build_output(relative: str) -> bool:
    """What `pip install <out>` leaves in the project root it builds from: never content, never foreign."""
    top = relative.split("/", 1)[0]  # not PurePosixPath(...).parts: ~35x the time, on every file of out
    return top in {"build", "dist"} or top.endswith(".egg-info")


def _dropping(name: str) -> bool:
    return name.startswith(".") or name == "__pycache__"


def files_below(
    root: Path,
    *,
    hidden: bool,
    linked: bool = False,
    depth: int | None = None,
    linked_files: bool = True,
    unreadable: list[tuple[str, OSError]] | None = None,
    staged: list[str] | None = None,
) -> list[str]:
    """Names (`a/b.py`) of the files below root, in no order; [] if there is no such folder.

    hidden: also hidden files and caches, and what is in hidden folders; linked: enter folders that
    are symbolic links (as glob does; rglob does not); depth: only files exactly that many folders
    down; linked_files: also files that are symbolic links (to a file). unreadable: where given, each
    folder that cannot be listed (`a/`, `` for root) and why is put there and left out, instead of
    raising. staged: where given (and hidden is not), the files a killed write staged and left
    (named as STAGED: `a/.b.py.1234abcd.part`) are put there. os.scandir: its entries tell files
    from folders without a stat each, where pathlib's globs cost ~5 ms for every thousand files.
    """
    names: list[str] = []
    folders = [("", str(root), 0)]
    while folders:
        prefix, folder, level = folders.pop()
        try:
            entries = os.scandir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as problem:
            if unreadable is None:
                raise
            unreadable.append((prefix, problem))
            continue
        with entries:
            for entry in entries:
                if not hidden and _dropping(entry.name):
                    if staged is not None and _is_staged(entry):
                        staged.append(prefix + entry.name)
                    continue
                if entry.is_dir(follow_symlinks=linked):
                    if depth is None or level < depth:
                        folders.append((f"{prefix}{entry.name}/", entry.path, level + 1))
                elif (
                    entry.is_file()
                    and (depth is None or level == depth)
                    and (linked_files or not entry.is_symlink())
                ):
                    names.append(prefix + entry.name)
    return names


def _staged_stem(name: str) -> str:
    return name.encode("utf-8")[:100].decode("utf-8", "ignore")  # bytes: NAME_MAX counts them


def _staged_name(name: str) -> str:
    """A new name for a file or folder staged in place of `name` (STAGED matches it)."""
    return f".{_staged_stem(name)}.{os.urandom(4).hex()}.part"


def _is_staged(entry: os.DirEntry[str]) -> bool:
    return STAGED.fullmatch(entry.name) is not None and entry.is_file(follow_symlinks=False)


def yaml_files(root: Path, depth: int) -> list[str]:
    """Names (`a/b.yaml`) of the `*.yaml` files exactly depth folders below root, as glob finds them."""
    return [
        name for name in files_below(root, hidden=True, linked=True, depth=depth) if name.endswith(".yaml")
    ]


def on_disk(target: Path) -> set[str]:
    """Files below target (`a/b.py`), less caches and hidden files; hidden folders are not entered."""
    return set(files_below(target, hidden=False))


def _manifest(target: Path) -> set[str]:
    return set(_manifest_text(target).splitlines())


def _manifest_text(target: Path) -> str:
    path = target / MANIFEST
    return path.read_text("utf-8") if path.is_file() else ""


def foreign_files(target: Path, names: Iterable[str]) -> list[str]:
    """Of these files below target, those cardgen did not write there (its manifest does not list them)."""
    owned = _manifest(target)
    return [name for name in names if name not in owned]


# The sha256 of a file below the target by its name, when known without reading it; else None.
Proven = Callable[[str], str | None]


def compare_tree(
    target: Path, files: FileTree, kept: Collection[str] = (), proven: Proven | None = None
) -> TreeDiff:
    """What differs between the rendered files and the directory.

    kept: files of the tree (`a/b.py`) found in target as they should be just before, given in
    files or not; not read again. proven: files compared by digest where it knows theirs (not read
    either).
    """
    return _compare(on_disk(target), target, files, kept, proven)


def _compare(
    present: set[str], target: Path, files: FileTree, kept: Collection[str], proven: Proven | None
) -> TreeDiff:
    """compare_tree, given the files on disk (on_disk's)."""
    wanted = {str(p): text for p, text in files.items()}
    known = set(kept)
    diff = TreeDiff()
    for name in sorted(wanted.keys() | known):
        if name not in present:
            diff.missing.append(name)
        elif name not in known and not _same(target, name, wanted[name].encode("utf-8"), proven):
            diff.stale.append(name)
    diff.extra = sorted(name for name in present - wanted.keys() - known if not is_build_output(name))
    return diff


def _same(target: Path, name: str, wanted: bytes, proven: Proven | None) -> bool:
    digest = proven(name) if proven is not None else None
    if digest is not None:
        return digest == hashlib.sha256(wanted).hexdigest()
    return (target / name).read_bytes() == wanted


def write_atomically(path: Path, text: str | Iterable[str], *, durable: bool = True) -> None:
    """Write text (or its lines) to a temporary file beside path, then rename it over path: a
    reader never sees half a file. durable: flushed to the disk first (a cache need not be)."""
    lines = [text] if isinstance(text, str) else text
    _write_staged(path, lambda out: out.writelines(lines), durable, "w", "utf-8")  # lines: no big copy


def write_lines_atomically(path: Path, lines: Iterable[bytes], *, durable: bool = True) -> None:
    """write_atomically for lines already encoded (UTF-8): those a cache read back as they were."""
    _write_staged(path, lambda out: out.writelines(lines), durable, "wb", None)


def _write_staged(
    path: Path, write: Callable[[Any], object], durable: bool, mode: str, encoding: str | None
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = staging_file(path)
    try:
        with os.fdopen(handle, mode, encoding=encoding, newline="" if encoding else None) as out:
            write(out)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def staging_file(path: Path) -> tuple[int, Path]:
    """A new empty file beside path, open for writing, to be renamed over it: (descriptor, its path).

    Created as open() creates a file, mode 0o666 less the umask (tempfile.mkstemp's 0o600 would
    leave every generated module, entry and cassette readable by its owner alone: a package copied
    into an image, or vendored, that another user cannot import). O_EXCL: never one another writer made.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)  # Windows: no \r\n for \n
    for _ in range(100):
        stem = path.name.encode("utf-8")[:100].decode("utf-8", "ignore")  # bytes: NAME_MAX counts them
        # _staged_name's, written out: the cassette harness keeps a copy of this function
        candidate = path.with_name(f".{stem}.{os.urandom(4).hex()}.part")
        try:
            return os.open(candidate, flags, 0o666), candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"no free name for a temporary file beside {path}")


def _check_path(name: PurePosixPath) -> None:
    if name.is_absolute() or ".." in name.parts or not name.parts:
        raise ValueError(f"refusing to write outside the output directory: {name}")


def write_tree(
    target: Path, files: FileTree, kept: Collection[str] = (), proven: Proven | None = None
) -> TreeDiff:
    """Make target hold exactly files and kept: stage every change first, then swap each into place.

    Unchanged files are not touched (their mtime stays); kept ones (see compare_tree) are not even
    read. Files a previous run wrote and this one does not are removed; files cardgen never wrote
    make it refuse rather than delete them.

    A run killed anywhere (kill -9) leaves a tree the next write mends: at every instant the
    manifest lists each file cardgen may have put there (else the next run would refuse them as
    foreign), and what the killed run staged (STAGED files in the folders of the tree, a first
    tree's folder beside it) is removed by the next write, found by the walk that compares.
    """
    for name in files:
        _check_path(name)
    with _one_writer(target):
        return _write_tree(target, files, kept, proven)


@contextmanager
def _one_writer(target: Path) -> Iterator[None]:
    """Hold the lock of target's folder while a write compares and swaps: a second run writing the
    same tree waits for the first to end, then compares with what it left. (The staged files it
    removes are then a killed run's, never a live one's.) The kernel lets go of a killed holder's
    lock. Where there is no flock (Windows), or no folder yet to lock, writes are not serialized."""
    try:
        import fcntl  # noqa: PLC0415 - not on Windows
    except ImportError:
        yield
        return
    try:
        handle = os.open(target.parent, os.O_RDONLY)
    except OSError:  # no parent yet (a first write makes it), or one not to be opened: no lock
        yield
        return
    try:
        with suppress(OSError):  # a file system without locks (some network ones): written unserialized
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # and with it the lock


def _write_tree(target: Path, files: FileTree, kept: Collection[str], proven: Proven | None) -> TreeDiff:
    staged: list[str] = []  # left by a killed write: found by the walk that compares, not one more
    diff = _compare(set(files_below(target, hidden=False, staged=staged)), target, files, kept, proven)
    vanished = [name for name in diff.missing if PurePosixPath(name) not in files]
    if vanished:  # kept without their text: nothing to write them back from
        raise UnsafeTarget(f"{target}: {', '.join(vanished[:5])} vanished while being written; run again")
    listed = _manifest_text(target)
    owned = set(listed.splitlines())
    foreign = [name for name in diff.extra if name not in owned]
    if foreign:
        raise UnsafeTarget(
            f"{target} holds files cardgen did not write ({', '.join(foreign[:5])}); "
            "move them away or choose another output directory"
        )
    # Ctrl-C (or a SIGTERM) halfway would leave some files new and some old, or a first tree
    # partly written: the signal waits until the tree is whole, then acts as it would have.
    with signals_deferred():
        _remove_staged(target, staged)
        names = {*map(str, files), *kept}
        manifest = "".join(f"{path}\n" for path in sorted(names))
        if not os.path.lexists(target):  # a dangling link is not nothing: it fails below, at once
            _write_first_tree(target, files, diff.missing, manifest)
            return diff
        # Before a file is put in place, the manifest lists it, and after, it still lists each one
        # not removed yet: a run killed in between leaves none the next would take for foreign.
        both = (
            None
            if listed == manifest or owned.issuperset(names)
            else "".join(f"{path}\n" for path in sorted(owned | names))
        )
        _stage_and_swap(target, files, diff, both)
        if (both or listed) != manifest or not (target / MANIFEST).is_file():
            write_atomically(target / MANIFEST, manifest)  # never half a list of what is ours
    return diff


def _remove_staged(target: Path, staged: list[str]) -> None:
    """Remove what a killed write staged and left: these files below target (and the folders made for
    them alone), and a first tree's staging folders beside target. Never another hidden file."""
    for name in staged:
        path = target / name
        with suppress(OSError):  # gone meanwhile, or not ours to remove: the write itself goes on
            path.unlink()
            _remove_empty_parents(path.parent, target)
    staged_here = re.compile(rf"\.{re.escape(_staged_stem(target.name))}\.[0-9a-f]{{8}}\.part", re.DOTALL)
    try:
        with os.scandir(target.parent) as entries:
            beside = [
                entry.path
                for entry in entries
                if staged_here.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False)
            ]
    except OSError:  # no parent yet, or one not to be listed: a first write makes it, or fails there
        return
    for folder in beside:
        shutil.rmtree(folder, ignore_errors=True)


def _stage_and_swap(target: Path, files: FileTree, diff: TreeDiff, both: str | None) -> None:
    """Write each changed file beside its place, then rename them all into place and remove the
    extra ones; both: a manifest of the files before and after, written first where the one on disk
    does not list them all. A file that cannot be staged undoes the staging: target stays as it was."""
    staged: list[tuple[Path, Path]] = []
    folders: set[Path] = set()  # made already: one mkdir a folder, not one a file
    try:
        for changed in diff.stale + diff.missing:
            destination = target / changed
            if destination.parent not in folders:
                destination.parent.mkdir(parents=True, exist_ok=True)
                folders.add(destination.parent)
            handle, temporary = staging_file(destination)
            staged.append((temporary, destination))
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(files[PurePosixPath(changed)])
        if both is not None:
            write_atomically(target / MANIFEST, both)
    except BaseException:
        for staged_file, _ in staged:
            staged_file.unlink(missing_ok=True)
            _remove_empty_parents(staged_file.parent, target)
        raise
    for staged_file, destination in staged:
        staged_file.replace(destination)
    for extra in diff.extra:
        (target / extra).unlink()
        _remove_empty_parents((target / extra).parent, target)


def _write_first_tree(target: Path, files: FileTree, names: list[str], manifest: str) -> None:
    """A tree where there was none: written whole into a folder beside target, which is then
    renamed to it. The tree appears at once, with one rename instead of one a file (at 500 models,
    5,000 files); a failed write leaves neither folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)  # as staging_file's
    staging = _staging_folder(target)
    try:
        folders = {staging}
        for name in names:
            path = staging / name
            if path.parent not in folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                folders.add(path.parent)
            with os.fdopen(os.open(path, flags, 0o666), "w", encoding="utf-8", newline="") as stream:
                stream.write(files[PurePosixPath(name)])
        with os.fdopen(
            os.open(staging / MANIFEST, flags, 0o666), "w", encoding="utf-8", newline=""
        ) as stream:
            stream.write(manifest)  # the list of what is ours comes with the tree, not after it
        staging.rename(target)  # fails if another writer made target meanwhile (unless empty)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _staging_folder(target: Path) -> Path:
    """A new empty folder beside target (mode 0o777 less the umask, as mkdir gives)."""
    for _ in range(100):
        candidate = target.with_name(_staged_name(target.name))
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"no free name for a temporary folder beside {target}")


@contextmanager
def signals_deferred(signals: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)) -> Iterator[None]:
    """Hold these signals until the block ends, then deliver them to the handlers they had.

    Only the main thread can set handlers; elsewhere the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {number: signal.signal(number, lambda got, _frame: received.append(got)) for number in signals}
    try:
        yield
    finally:
        for number, handler in previous.items():
            # None: a handler set outside Python, which cannot be restored; the default is closest
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        for got in dict.fromkeys(received):  # each once, in the order they came
            signal.raise_signal(got)


def _remove_empty_parents(directory: Path, stop: Path) -> None:
    while directory != stop and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent
