"""Tell from digests alone that `cardgen generate` would change nothing, and remember each run for that.

A run's outcome is a function of its inputs: the catalog files, the recordings, the package name, how
headers name the catalog, the toolchain, and the previous output (its lock and changelog). After a
run writes its output, the digest of those inputs and the digest of every file written are kept in
`<out>/.cardgen-cache/generate.json` (hidden, so never content of the tree). When the next run finds
the same inputs and every output file as it was written, it would write exactly the same files:
nothing is parsed, validated or rendered. Anything else, or no record at all, is a normal run.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.tree import MANIFEST, is_build_output, on_disk

CACHE_DIR = ".cardgen-cache"  # a hidden folder: never content, safe to delete, usually git-ignored
STATE_NAME = "generate.json"
ENTRIES_NAME = "entries.json"  # the catalog files' entries as JSON, by digest (catalog.store.parsed_text)
STATE_FORMAT = 1


@dataclass(frozen=True)
class RunInputs:
    """What a `cardgen generate` run reads, besides its previous output."""

    catalog: Path
    recordings: Path
    package: str
    catalog_label: str


@dataclass(frozen=True)
class Unchanged:
    """What the previous run wrote, proved still current."""

    files: int
    version: str
    models: int


def _file_digests(root: Path, pattern: str) -> list[tuple[str, str]]:
    if not root.is_dir():
        return []
    return [
        (path.relative_to(root).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest())
        for path in sorted(root.glob(pattern))
        if path.is_file()
    ]


def inputs_digest(run: RunInputs) -> str | None:
    """sha256 of everything the run reads besides its output; None when there is no catalog to read."""
    if not run.catalog.is_dir():
        return None
    from generator.lockfile import toolchain  # noqa: PLC0415 - pydantic, only once there is a catalog

    head = {
        "format": STATE_FORMAT,
        "package": run.package,
        "catalog_label": run.catalog_label,
        "toolchain": toolchain(),
        "python": list(sys.version_info[:2]),
    }
    digest = hashlib.sha256(json.dumps(head, sort_keys=True).encode())
    # The same globs generate reads with: catalog entries and recordings (cassettes).
    for label, root, pattern in (
        ("catalog", run.catalog, "*/*.yaml"),
        ("recordings", run.recordings, "*/*/*.yaml"),
    ):
        for name, sha in _file_digests(root, pattern):
            digest.update(f"{label}\0{name}\0{sha}\n".encode())
    return digest.hexdigest()


def _read_state(out: Path) -> dict[str, object] | None:
    try:
        data = json.loads(cache_path(out, STATE_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == STATE_FORMAT else None


def _on_disk(out: Path) -> set[str]:
    """The files write_tree would see in out: less hidden files, caches and pip's build output."""
    return {name for name in on_disk(out) if not is_build_output(name)}


def _sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _intact(out: Path, files: dict[str, str]) -> bool:
    if _on_disk(out) != set(files):
        return False
    manifest = out / MANIFEST
    if not manifest.is_file() or manifest.read_text("utf-8") != "".join(
        f"{name}\n" for name in sorted(files)
    ):
        return False  # write_tree keeps it; a missing one would be written again
    return all(_sha256(out / name) == sha for name, sha in files.items())


def unchanged(out: Path, digest: str | None) -> Unchanged | None:
    """What out holds, if the last run there read inputs of this digest and its files are intact."""
    if digest is None:
        return None
    state = _read_state(out)
    if state is None or state.get("inputs") != digest:
        return None
    files, version, models = state.get("files"), state.get("version"), state.get("models")
    if not (isinstance(files, dict) and isinstance(version, str) and isinstance(models, int)):
        return None
    if not all(isinstance(sha, str) for sha in files.values()) or not _intact(out, files):
        return None
    return Unchanged(len(files), version, models)


def cache_path(out: Path, name: str) -> Path:
    return out / CACHE_DIR / name


def write_cache(out: Path, name: str, text: str) -> None:
    """Replace one file of out's cache at once, so a reader never sees half of it."""
    path = cache_path(out, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{name}-", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    Path(temporary).replace(path)


def remember(
    out: Path,
    digest: str | None,
    files: dict[str, str],
    version: str,
    models: int,
    known: Mapping[str, str] | None = None,
) -> None:
    """Record a run that wrote files (path -> text) to out from inputs of this digest.

    known: the sha256 of files this run read back from out and hashed already, by path.
    """
    if digest is None:
        forget(out)
        return
    known = known or {}
    state = {
        "format": STATE_FORMAT,
        "inputs": digest,
        "version": version,
        "models": models,
        "files": {
            name: known.get(name) or hashlib.sha256(text.encode("utf-8")).hexdigest()
            for name, text in sorted(files.items())
        },
    }
    write_cache(out, STATE_NAME, json.dumps(state, indent=0, sort_keys=True) + "\n")


def forget(out: Path) -> None:
    """Drop the record before out changes, so a half-finished write is never taken for a finished one."""
    cache_path(out, STATE_NAME).unlink(missing_ok=True)
