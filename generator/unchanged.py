"""Tell from digests alone that `cardgen generate` would change nothing, and remember each run for that.

A run's outcome is a function of its inputs: the catalog files, the recordings, the package name, how
headers name the catalog, the toolchain, and the previous output (its lock and changelog). After a
run writes its output, the digest of those inputs and the digest of every file written are kept in
`<out>/.cardgen-cache/generate.json` (hidden, so never content of the tree). When the next run finds
the same inputs and every output file as it was written, it would write exactly the same files:
nothing is parsed, validated or rendered. Anything else, or no record at all, is a normal run.
The record also keeps the proofs of the files a run hashed (generator/proofs.py): files whose stat
has not moved since are not read again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, cast

from generator.proofs import Proofs, stat_of
from generator.recordings import PROOF_LABEL
from generator.tree import MANIFEST, is_build_output, on_disk, write_atomically, yaml_files

CACHE_DIR = ".cardgen-cache"  # a hidden folder: never content, safe to delete, usually git-ignored
STATE_NAME = "generate.json"
STATE_FORMAT = 1


@dataclass(frozen=True)
class RunInputs:
    """What a `cardgen generate` run reads, besides its previous output."""

    catalog: Path
    recordings: Path
    package: str
    catalog_label: str

    @cached_property
    def toolchain(self) -> dict[str, str]:
        """render.toolchain.toolchain(), hashed once a run (the templates and the renderer's code: ~5 ms)."""
        from generator.render.toolchain import toolchain  # noqa: PLC0415 - only once there is a catalog

        return toolchain()

    @cached_property
    def recording_names(self) -> list[str]:
        """The cassettes (`<provider>/<slug>/<name>.yaml`) below recordings, as glob finds them."""
        return sorted(yaml_files(self.recordings, 2))


@dataclass(frozen=True)
class Unchanged:
    """What the previous run wrote, proved still current."""

    files: int
    version: str
    models: int


@dataclass(frozen=True)
class Record:
    """What the last run that wrote out recorded there (`<out>/.cardgen-cache/generate.json`)."""

    inputs: str = ""  # inputs_digest of the run
    version: str = ""  # the package version it wrote
    models: int = 0
    files: dict[str, str] = field(default_factory=dict)  # every file of the tree (`a/b.py`) -> sha256
    proofs: dict[str, Any] = field(default_factory=dict)  # Proofs.record(): what it proved by stat
    # which text each file was formatted from, and the file formatted (sha256 each), by which toolchain
    formatted: dict[str, tuple[str, str]] = field(default_factory=dict)
    formatted_by: str = ""
    stored: dict[str, list[str]] = field(default_factory=dict)  # by model, its entry's store digests
    # What stat said of the file just before it was read (record_identity): which file, not what it says.
    seen: tuple[int, ...] = field(default=(), compare=False)

    @classmethod
    def read(cls, out: Path) -> Record:
        """The record in out; an empty one if there is none, or it is damaged or of another format."""
        path = cache_path(out, STATE_NAME)
        try:
            seen = stat_of(path)
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            return cls()
        files, formatted, stored, proofs = (data.get(k) for k in ("files", "formatted", "stored", "proofs"))
        formatted = formatted if isinstance(formatted, dict) else {}
        pairs = formatted.get("files")
        return cls(
            data["inputs"] if isinstance(data.get("inputs"), str) else "",
            data["version"] if isinstance(data.get("version"), str) else "",
            data["models"] if isinstance(data.get("models"), int) else 0,
            {n: sha for n, sha in files.items() if isinstance(sha, str)} if isinstance(files, dict) else {},
            proofs if isinstance(proofs, dict) else {},
            {
                name: (pair[0], pair[1])
                for name, pair in (pairs.items() if isinstance(pairs, dict) else ())
                if isinstance(pair, list) and len(pair) == 2 and all(isinstance(sha, str) for sha in pair)
            },
            formatted["by"] if isinstance(formatted.get("by"), str) else "",
            {
                name: digests
                for name, digests in (stored.items() if isinstance(stored, dict) else ())
                if isinstance(digests, list) and all(isinstance(digest, str) for digest in digests)
            },
            seen,
        )

    def write(self, out: Path) -> bool:
        """Keep this record in out's cache; False if the folder cannot take it (read-only, full)."""
        data = {
            "format": STATE_FORMAT,
            "inputs": self.inputs,
            "version": self.version,
            "models": self.models,
            "files": dict(sorted(self.files.items())),
            "proofs": dict(sorted(self.proofs.items())),
            "formatted": {"by": self.formatted_by, "files": dict(sorted(self.formatted.items()))},
            "stored": dict(sorted(self.stored.items())),
        }
        try:
            write_cache(out, STATE_NAME, _json_text(data) + "\n")
        except OSError:
            return False
        return True

    def proven(self) -> Proofs:
        """The proofs it left, to trust by stat (catalog/, recordings/ and out/ names)."""
        return Proofs(self.proofs)


def inputs_digest(run: RunInputs, proofs: Proofs | None = None) -> str | None:
    """sha256 of everything the run reads besides its output; None when there is no catalog to read.

    Files proofs vouch for (unchanged since the last run hashed them) are not read again.
    """
    if not run.catalog.is_dir():
        return None
    from generator.catalog.entry_format import entry_schema_digest  # noqa: PLC0415 - only with a catalog

    head = {
        "format": STATE_FORMAT,
        "package": run.package,
        "catalog_label": run.catalog_label,
        "toolchain": run.toolchain,
        "entry_schema": entry_schema_digest(),  # the lock records it: what entries were checked against
        "python": list(sys.version_info[:2]),
    }
    digest = hashlib.sha256(json.dumps(head, sort_keys=True).encode())
    # The same files generate reads: catalog entries (*/*.yaml) and recordings (*/*/*.yaml).
    proofs = proofs if proofs is not None else Proofs()
    for label, root, names in (
        ("catalog", run.catalog, sorted(yaml_files(run.catalog, 1))),
        (PROOF_LABEL, run.recordings, run.recording_names),
    ):
        for name, sha in proofs.digests(label, root, names):
            digest.update(f"{label}\0{name}\0{sha}\n".encode())
    return digest.hexdigest()


def _on_disk(out: Path) -> set[str]:
    """The files write_tree would see in out: less hidden files, caches and pip's build output."""
    return {name for name in on_disk(out) if not is_build_output(name)}


def _intact(out: Path, files: dict[str, str], proofs: Proofs) -> bool:
    if _on_disk(out) != set(files):
        return False
    manifest = out / MANIFEST
    if not manifest.is_file() or manifest.read_text("utf-8") != "".join(
        f"{name}\n" for name in sorted(files)
    ):
        return False  # write_tree keeps it; a missing one would be written again
    return files_intact(out, files, proofs)


def files_intact(out: Path, files: Mapping[str, str], proofs: Proofs) -> bool:
    """Whether out holds these files (`a/b.py` -> sha256) as they are: proven by stat, else read."""
    root = str(out)
    try:
        for name, sha in files.items():
            label = f"out/{name}"
            found = proofs.given(label)  # most of them, in a run whose helper proved them (helped_intact)
            if found is None:
                found = proofs.sha256(label, os.path.join(root, name))  # noqa: PTH118 - thousands of files
            if found != sha:
                return False
    except OSError:  # missing, or not a file
        return False
    return True


UNPROVEN_ROOM = 200  # more files changed than this: the helper's answer would not fit (pool.FIRST_ROOM)


def unproven_output(out: Path) -> tuple[tuple[object, ...], frozenset[str]] | None:
    """The record in out (record_identity) and those of its files stat does not prove (changed,
    gone, or never proven), where there are few; the rest are as the record says. What `cardgen
    generate`'s helper does first (pool.helper), while this process reads and renders the catalog:
    of the record only the names and proofs, as JSON gives them (what Record.read would leave out
    of a damaged one makes the identities differ, and the answer is not taken)."""
    path = cache_path(out, STATE_NAME)
    try:
        seen = stat_of(path)
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    files, proofs = (data.get(key) if isinstance(data, dict) else None for key in ("files", "proofs"))
    if not isinstance(files, dict) or not isinstance(proofs, dict) or data.get("format") != STATE_FORMAT:
        return None
    unproven = Proofs(proofs).unproven("out", out, files, UNPROVEN_ROOM)
    identity = _identity(data.get("inputs"), data.get("version"), len(files), seen)
    return None if unproven is None else (identity, unproven)


def record_identity(record: Record) -> tuple[object, ...]:
    """What tells records apart (as unproven_output names the one it read)."""
    return _identity(record.inputs, record.version, len(record.files), record.seen)


def _identity(inputs: object, version: object, files: int, seen: tuple[int, ...]) -> tuple[object, ...]:
    """The inputs and version of the run that left a record, its file count, and what stat said of
    the file it was read from (the same file, not one written again between two reads)."""
    return inputs, version, files, seen


def helped_intact(out: Path, record: Record, proofs: Proofs) -> Callable[[Mapping[str, str]], bool]:
    """files_intact for out, but the files of record that the helper proved meanwhile
    (unproven_output, if its answer has come when first asked) are taken as proven, not looked at."""
    asked: list[bool] = []

    def intact(files: Mapping[str, str]) -> bool:
        if not asked:
            asked.append(True)
            from generator.render.pool import first_answer  # noqa: PLC0415 - light, only when rendering

            helped = first_answer()
            if isinstance(helped, tuple) and helped[0] == record_identity(record):
                unproven = helped[1]
                proofs.take(f"out/{name}" for name in record.files if name not in unproven)
        return files_intact(out, files, proofs)

    return intact


def unchanged(out: Path, digest: str | None, record: Record, proofs: Proofs) -> Unchanged | None:
    """What out holds, if the run that left record there read inputs of this digest and its files
    are intact (proofs: the files it may trust by stat)."""
    if digest is None or not record.inputs or record.inputs != digest:
        return None
    if not _intact(out, record.files, proofs):
        return None
    return Unchanged(len(record.files), record.version, record.models)


def keep_proofs(out: Path, record: Record, proofs: Proofs) -> None:
    """Record what a run that wrote nothing proved afresh, so the next one need not read it again."""
    if proofs.read and proofs.now.keys() - record.proofs.keys():
        replace(record, proofs=proofs.record()).write(out)  # if it cannot be kept, the next run reads again


def _json_text(data: dict[str, Any]) -> str:
    """data as compact JSON: by pydantic-core's encoder where the run has loaded it (one that rendered),
    ~2x json's on a 500-model record; by json's in a no-op run keeping new proofs, where importing
    pydantic-core (~40 ms) would cost more than it saves. The same text either way."""
    core = sys.modules.get("pydantic_core")
    if core is None:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return cast("str", core.to_json(data).decode("utf-8"))


def cache_path(out: Path, name: str) -> Path:
    return out / CACHE_DIR / name


def write_cache(out: Path, name: str, text: str) -> None:
    """Replace one file of out's cache at once."""
    write_atomically(cache_path(out, name), text, durable=False)  # a lost cache only means work again


def forget(out: Path) -> None:
    """Drop the record before out changes, so a half-finished write is never taken for a finished one."""
    cache_path(out, STATE_NAME).unlink(missing_ok=True)
    cache_path(out, "entries.json").unlink(missing_ok=True)  # parsed entries, kept by the catalog now
