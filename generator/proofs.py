"""Files' digests proven by stat instead of read again, as git tells a clean work tree.

A proof is what stat said of a file (size, mtime, ctime, inode, device) just before it was read and
hashed, with that digest. While stat says exactly that again, the file holds those bytes: writing
to a file moves its ctime to the clock's now, and no call can set a ctime back. One gap remains: a
write within the same tick of the clock as the stat leaves ctime where it was. So a file whose
ctime is within RACY_NS of the moment it was seen gets no proof (it is read again next time), and
a proof is only ever made before reading, never from bytes this process wrote.

A Proofs serves one run: the digest it gave for a name stands for the rest of the run, and the
file is not looked at again (a run proves its catalog and cassettes for the inputs' digest, then
again where it uses them). A run that writes a file it asked about says so (forget), before it
asks about it again.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

RACY_NS = 2_000_000_000  # far more than any file system's clock tick (FAT's 2 s included)

Stat = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device


def stat_of(path: str | Path) -> Stat:
    """What stat says of a file, as a proof holds it."""
    found = os.stat(path)  # noqa: PTH116 - thousands of files: no Path object each
    return (found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino, found.st_dev)


def _proof(recorded: Any) -> tuple[Stat, str] | None:
    """A recorded proof (`[size, mtime_ns, ctime_ns, inode, device, sha256]`), None if it is not one."""
    if type(recorded) is not list or len(recorded) != 6:  # the five of Stat and the digest
        return None
    size, mtime, ctime, inode, device, digest = recorded
    # int exactly, not bool: JSON's true is no size. Spelled out: thousands a run.
    if type(size) is type(mtime) is type(ctime) is type(inode) is type(device) is int and type(digest) is str:
        return (size, mtime, ctime, inode, device), digest
    return None


class Proofs:
    """The proofs a previous run left, and those this run can leave for the next, by file name."""

    def __init__(self, known: Mapping[str, Any] | None = None, racy_ns: int | None = None) -> None:
        self._racy_ns = RACY_NS if racy_ns is None else racy_ns
        # As recorded (JSON data), each looked at when its file is: a run asks for a few of thousands.
        self._known: Mapping[str, Any] = known or {}
        self.now: dict[str, tuple[Stat, str]] = {}  # this run's: what the next run may trust
        self._given: dict[str, str] = {}  # the digest this run gave for each name it asked about
        self.read = 0  # files this run had to read

    def sha256(self, name: str, path: str | Path, unreadable: str | None = None) -> str:
        """The file's sha256, from its proof if stat still says the same, else read. A file that is
        gone or cannot be read raises OSError, or gives unreadable where that is given."""
        try:
            given = self._given.get(name)
            if given is not None:
                return given
            seen = stat_of(path)
            digest = self._vouched(name, seen)
            return digest if digest is not None else self._hash(name, path, seen)[1]
        except OSError:
            if unreadable is None:
                raise
            return unreadable

    def digests(
        self, label: str, root: str | Path, names: Iterable[str], unreadable: str | None = None
    ) -> list[tuple[str, str]]:
        """(name, sha256) of each file `<root>/<name>`, known to the proofs as `<label>/<name>`
        (unreadable: as sha256 gives it)."""
        base = str(root)
        return [
            (name, self.sha256(f"{label}/{name}", os.path.join(base, name), unreadable))  # noqa: PTH118
            for name in names
        ]

    def proven(self, name: str, path: str | Path) -> str | None:
        """The file's sha256 if this run gave it already or a proof vouches for it (stat alone),
        else None; OSError if gone (and not given already)."""
        given = self._given.get(name)
        return given if given is not None else self._vouched(name, stat_of(path))

    def _vouched(self, name: str, seen: Stat) -> str | None:
        """The digest a proof gives for what stat saw of the file, if one does."""
        proof = self.now.get(name) or _proof(self._known.get(name))
        if proof is not None and proof[0] == seen:
            return self._accept(name, proof)
        return None

    def _accept(self, name: str, proof: tuple[Stat, str]) -> str:
        """Give proof's digest for name, this run and (the proof kept) the next."""
        self.now[name] = proof
        self._given[name] = proof[1]
        return proof[1]

    def given(self, name: str) -> str | None:
        """The digest this run gave for name already, if it did (nothing is looked at)."""
        return self._given.get(name)

    def unproven(
        self, label: str, root: str | Path, names: Iterable[str], most: int
    ) -> frozenset[str] | None:
        """Those of names (`<label>/<name>` to the proofs, `<root>/<name>` on disk) no proof vouches
        for by stat alone (nothing is read); None once there are more than most. The rest are
        proven, as proven() proves them: one pass over thousands of files, stat after stat."""
        unproven: set[str] = set()
        base = os.path.join(str(root), "")  # noqa: PTH118 - the folder, its separator after it
        for name in names:
            try:
                found = self.proven(f"{label}/{name}", base + name)
            except OSError:  # gone, or not a file
                found = None
            if found is None:
                unproven.add(name)
                if len(unproven) > most:
                    return None
        return frozenset(unproven)

    def take(self, names: Iterable[str]) -> None:
        """Take names as proven: stat said what their proofs say just now, in another process of
        this run that holds the same proofs (`cardgen generate`'s helper, render/pool.py). A name
        this run gave a digest for already keeps it (it was looked at later, here)."""
        for name in names:
            proof = _proof(self._known.get(name))
            if proof is not None and name not in self._given:
                self._accept(name, proof)

    def forget(self, names: Iterable[str]) -> None:
        """This run wrote (or removed) these files: what it knew of them no longer holds."""
        for name in names:
            self._given.pop(name, None)
            self.now.pop(name, None)

    def read_bytes(self, name: str, path: str | Path) -> tuple[bytes, str]:
        """The file's bytes and their sha256, read; proven for the next run where it is not racy."""
        return self._hash(name, path, stat_of(path))

    def _hash(self, name: str, path: str | Path, seen: Stat) -> tuple[bytes, str]:
        with open(path, "rb") as stream:  # noqa: PTH123 - thousands of files: os-level is faster
            data = stream.read()
        self.read += 1
        digest = self._given[name] = hashlib.sha256(data).hexdigest()
        if seen[2] < time.time_ns() - self._racy_ns:  # seen before reading, and not changed lately
            self.now[name] = (seen, digest)
        return data, digest

    def record(self) -> dict[str, list[Any]]:
        """This run's proofs as JSON data, for Proofs(...) next time."""
        return {name: [*seen, digest] for name, (seen, digest) in sorted(self.now.items())}
