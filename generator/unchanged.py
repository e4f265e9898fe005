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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pydantic_core

from generator.proofs import Proofs
from generator.tree import MANIFEST, files_below, is_build_output, on_disk, write_atomically

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


def _file_digests(root: Path, depth: int, label: str, proofs: Proofs) -> list[tuple[str, str]]:
    """(name, sha256) of the `*.yaml` files depth folders below root (as `*/*.yaml` for 1), by name."""
    found = []
    for name in sorted(yaml_files(root, depth)):
        found.append((name, proofs.sha256(f"{label}/{name}", os.path.join(root, name))))  # noqa: PTH118
    return found


def yaml_files(root: Path, depth: int) -> list[str]:
    """Names (`a/b.yaml`) of the `*.yaml` files exactly depth folders below root, as glob finds them."""
    return [
        name for name in files_below(root, hidden=True, linked=True, depth=depth) if name.endswith(".yaml")
    ]


def load_state(out: Path) -> dict[str, object]:
    """What the last run that wrote out recorded there; empty if nothing (or another format)."""
    return _read_state(out) or {}


def proofs_of(state: Mapping[str, object]) -> Proofs:
    """The files' proofs the last run left (catalog/, recordings/ and out/ names), to trust by stat."""
    known = state.get("proofs")
    return Proofs(known if isinstance(known, dict) else None)


def inputs_digest(run: RunInputs, proofs: Proofs | None = None) -> str | None:
    """sha256 of everything the run reads besides its output; None when there is no catalog to read.

    Files proofs vouch for (unchanged since the last run hashed them) are not read again.
    """
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
    # The same files generate reads: catalog entries (*/*.yaml) and recordings (*/*/*.yaml).
    proofs = proofs if proofs is not None else Proofs()
    for label, root, depth in (("catalog", run.catalog, 1), ("recordings", run.recordings, 2)):
        for name, sha in _file_digests(root, depth, label, proofs):
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
            if proofs.sha256(f"out/{name}", os.path.join(root, name)) != sha:  # noqa: PTH118 - 3 000 files
                return False
    except OSError:  # missing, or not a file
        return False
    return True


def unchanged(
    out: Path, digest: str | None, state: Mapping[str, object] | None = None, proofs: Proofs | None = None
) -> Unchanged | None:
    """What out holds, if the last run there read inputs of this digest and its files are intact.

    state: load_state(out), when the caller has it; proofs: the files it may trust by stat.
    """
    if digest is None:
        return None
    state = load_state(out) if state is None else state
    if state.get("inputs") != digest:
        return None
    files, version, models = state.get("files"), state.get("version"), state.get("models")
    if not (isinstance(files, dict) and isinstance(version, str) and isinstance(models, int)):
        return None
    proofs = proofs if proofs is not None else Proofs()
    if not all(isinstance(sha, str) for sha in files.values()) or not _intact(out, files, proofs):
        return None
    return Unchanged(len(files), version, models)


def formatted_of(state: Mapping[str, object]) -> tuple[str, dict[str, tuple[str, str]]]:
    """The toolchain the last run formatted with, and for each file it formatted: the digests of
    the text rendered and of the file formatted (generate.Previous.formatted)."""
    record = state.get("formatted")
    if not isinstance(record, dict) or not isinstance(record.get("by"), str):
        return "", {}
    files = record.get("files")
    found = {
        name: (pair[0], pair[1])
        for name, pair in (files.items() if isinstance(files, dict) else ())
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(sha, str) for sha in pair)
    }
    return record["by"], found


def stored_of(state: Mapping[str, object]) -> dict[str, list[str]]:
    """By model, the digests the last run stored its entry as (generate.Previous.stored)."""
    record = state.get("stored")
    return {
        name: digests
        for name, digests in (record.items() if isinstance(record, dict) else ())
        if isinstance(digests, list) and all(isinstance(digest, str) for digest in digests)
    }


def keep_proofs(out: Path, state: Mapping[str, object], proofs: Proofs) -> None:
    """Record what a run that wrote nothing proved afresh, so the next one need not read it again."""
    if proofs.read and proofs.now.keys() - set(state.get("proofs") or {}):  # type: ignore[call-overload]
        write_cache(out, STATE_NAME, _state_text({**state, "proofs": proofs.record()}))


def _state_text(state: Mapping[str, object]) -> str:
    """The record as JSON, keys sorted (deterministic); pydantic-core's encoder, ~5x json's."""
    ordered = {
        key: dict(sorted(value.items())) if isinstance(value, dict) else value for key, value in state.items()
    }
    return pydantic_core.to_json(dict(sorted(ordered.items()))).decode("utf-8") + "\n"


def cache_path(out: Path, name: str) -> Path:
    return out / CACHE_DIR / name


def write_cache(out: Path, name: str, text: str) -> None:
    """Replace one file of out's cache at once."""
    write_atomically(cache_path(out, name), text, durable=False)  # a lost cache only means work again


def remember(
    out: Path,
    digest: str | None,
    files: Mapping[str, str],
    version: str,
    models: int,
    proofs: Proofs | None = None,
    formatted: Mapping[str, object] | None = None,
    stored: Mapping[str, list[str]] | None = None,
) -> None:
    """Record a run that left files (path -> sha256, every file of the tree) in out, from inputs of
    this digest.

    proofs: the files this run proved (never one it wrote: those are read again next time);
    formatted: which text each file was formatted from, and by which toolchain (formatted_of);
    stored: by model, the digests its entry is stored as (stored_of).
    """
    if digest is None:
        forget(out)
        return
    state = {
        "format": STATE_FORMAT,
        "inputs": digest,
        "version": version,
        "models": models,
        "files": dict(files),
        "proofs": proofs.record() if proofs is not None else {},
        "formatted": dict(formatted or {}),
        "stored": dict(stored or {}),
    }
    write_cache(out, STATE_NAME, _state_text(state))


def forget(out: Path) -> None:
    """Drop the record before out changes, so a half-finished write is never taken for a finished one."""
    cache_path(out, STATE_NAME).unlink(missing_ok=True)
