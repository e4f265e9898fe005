"""The generate stage end to end: reuse what has not changed, render the rest, version and lock it."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TypeVar

from generator.catalog.store import Catalog
from generator.digests import sha256_text
from generator.entry_store import blob_name, blob_path
from generator.lockfile import (
    LOCK_NAME,
    Lock,
    build_lock,
    cache_key,
    lock_text,
    model_key,
)
from generator.recordings import Recordings, as_recordings
from generator.render.changelog import CHANGELOG_NAME, changelog_text, next_version
from generator.render.format import RUFF_CONFIG, format_tree
from generator.render.render import RenderOptions, render
from generator.render.toolchain import toolchain
from generator.render.types_store import TypesStore

# Whether the output directory holds each of these files (`a/b.py` -> sha256) as it is.
IntactFiles = Callable[[Mapping[str, str]], bool]
K = TypeVar("K")


@dataclass(frozen=True)
class Previous:
    """What the output directory held before this run."""

    lock: Lock | None
    changelog: str | None
    intact: IntactFiles
    # Files the last run formatted, `a/b.py` -> (sha256 of the text rendered, of the file formatted),
    # and the toolchain (Generation.tools) that formatted them.
    formatted: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    formatted_by: str = ""
    # By model, the digests the last run stored its entry as (Lock.stored).
    stored: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Generation:
    files: dict[PurePosixPath, str]  # written by this run: rendered, the changelog, the lock and its store
    lock: Lock
    rendered: list[str]  # models rendered afresh
    reused: list[str]  # models whose files were kept from the previous run
    kept: dict[str, str]  # files (`a/b.py`) found intact and left as they are: sha256
    formatted: dict[str, tuple[str, str]]  # for the next run's Previous.formatted
    tools: str  # sha256 of this run's toolchain, as JSON with sorted keys
    digests: dict[str, str]  # every file of the tree (`a/b.py`, written or kept) -> sha256
    # The typed code store this run read, with what it made: written once the run has succeeded.
    types: TypesStore | None = None

    @property
    def models(self) -> list[str]:
        """Every model of the catalog (`<provider>/<slug>`): rendered and reused."""
        return [*self.rendered, *self.reused]

    @property
    def count(self) -> int:
        """Files in the output tree: written and kept."""
        return len(self.files) + len(self.kept)


def _keys(
    catalog: Catalog,
    options: RenderOptions,
    recordings: Recordings,
    tools_json: str,
    entry_jsons: Mapping[str, str],
) -> dict[str, str]:
    grouped = recordings.by_model()
    keys = {}
    for entry in catalog:
        name = model_key(entry)
        # Paths count too: a renamed cassette is a different file in the output. A digest stands
        # for the text, so that only the cassettes of models rendered anew are read.
        own = json.dumps(
            {str(path): recordings.sha256(path) for path in grouped.get(name, [])}, sort_keys=True
        )
        keys[name] = cache_key(
            entry, options.package, options.catalog_label, own, tools_json, entry_jsons.get(name)
        )
    return keys


def _intact_groups(previous: Previous, groups: Mapping[K, Mapping[str, str]]) -> list[K]:
    """The groups (of `a/b.py` -> sha256) whose files are all in the output as they are: one check
    of them all, and of each group alone only where that fails."""
    everything = {name: sha for files in groups.values() for name, sha in files.items()}
    if previous.intact(everything):
        return list(groups)
    return [key for key, files in groups.items() if previous.intact(files)]


def _reusable(keys: Mapping[str, str], previous: Previous, package: str) -> dict[str, dict[str, str]]:
    """Files (`a/b.py` -> sha256) of models whose cache key is unchanged and whose files are still
    as they were written."""
    if previous.lock is None or previous.lock.package != package:
        return {}
    candidates = {}
    for name, key in keys.items():
        before = previous.lock.models.get(name)
        if before is not None and before.key == key and before.files:
            candidates[name] = before.files
    return {name: candidates[name] for name in _intact_groups(previous, candidates)}


def generate(
    catalog: Catalog,
    options: RenderOptions,
    recordings: Mapping[PurePosixPath, str],
    previous: Previous,
    entry_texts: Mapping[str, str] | None = None,  # read_catalog's digests, for the next run to trust
    entry_jsons: Mapping[str, str] | None = None,  # by model, its entry's model_dump_json(), if known
    tools: Mapping[str, str] | None = None,  # toolchain(), when the caller has it
    types_folder: Path | None = None,  # where earlier runs kept typed code (types_store.py)
) -> Generation:
    recordings = as_recordings(recordings)
    tools = dict(tools) if tools is not None else toolchain()  # once: it hashes the templates and code
    tools_json = json.dumps(tools, sort_keys=True)
    tools_id = toolchain_id(tools)
    store = TypesStore.of(types_folder, tools) if types_folder is not None else None
    keys = _keys(catalog, options, recordings, tools_json, entry_jsons or {})
    version, changes = next_version(previous.lock, catalog, keys, options.version, tools)
    options = replace(options, version=version)
    reused = _reusable(keys, previous, options.package)
    # Before rendering: a model typed by the helper (pool.py) is waited for there, and this proving
    # by stat needs nothing rendered.
    stored = _stored(keys, previous)
    tree = render(catalog, options, recordings, reused, store)
    files, unchanged, formatted = _formatted(tree, previous, tools_id)
    files[PurePosixPath(CHANGELOG_NAME)] = changelog_text(
        previous.changelog, options.package, version, changes
    )
    digests = {name: pair[1] for name, pair in formatted.items()}  # every rendered file, hashed once
    lock = build_lock(
        catalog, options.package, version, keys, files, previous.lock, entry_texts, tools, digests, stored
    )
    files[LOCK_NAME] = lock_text(lock)
    for name in (CHANGELOG_NAME, LOCK_NAME):
        digests[str(name)] = sha256_text(files[PurePosixPath(name)])
    for blob, text in lock.store.items():
        files[blob_path(blob)] = text
        digests[blob_name(blob)] = blob  # a blob is named by its sha256
    rendered = sorted(set(keys) - set(reused))
    kept = {path: sha for files_of in reused.values() for path, sha in files_of.items()} | unchanged
    kept.update((blob_name(blob), blob) for blob in lock.kept)
    for path in kept.keys() - formatted.keys():  # a reused model's files: formatted by an earlier run
        if path in previous.formatted and previous.formatted_by == tools_id:
            formatted[path] = previous.formatted[path]
    return Generation(
        dict(sorted(files.items())),
        lock,
        rendered,
        sorted(reused),
        kept,
        formatted,
        tools_id,
        digests | kept,
        store,
    )


def toolchain_id(tools: Mapping[str, str]) -> str:
    """The digest naming a toolchain (render.toolchain.toolchain()): what the last run's formatting was made by."""
    return sha256_text(json.dumps(tools, sort_keys=True))


def _stored(keys: Mapping[str, str], previous: Previous) -> dict[str, Sequence[str]]:
    """By model, the digests the last run stored its entry as, where its cache key (so its entry)
    is unchanged and those files are intact in the output."""
    if previous.lock is None:
        return {}
    found = {}
    for name, key in keys.items():
        before, digests = previous.lock.models.get(name), previous.stored.get(name)
        if before is not None and before.key == key and digests and before.entry in digests:
            found[name] = digests
    files = {name: {blob_name(digest): digest for digest in digests} for name, digests in found.items()}
    return {name: found[name] for name in _intact_groups(previous, files)}  # a blob is named by its sha256


def _formatted(
    rendered: dict[PurePosixPath, str], previous: Previous, tools: str
) -> tuple[dict[PurePosixPath, str], dict[str, str], dict[str, tuple[str, str]]]:
    """The rendered files formatted; but those rendered as the last run rendered them (by this
    toolchain), whose formatted files are intact in the output: they stay as they are.

    Returns the files formatted, those that stay (`a/b.py` -> sha256), and for every one of
    them both digests (Previous.formatted, for the next run).
    """
    before = previous.formatted if previous.formatted_by == tools else {}
    texts = {str(path): sha256_text(text) for path, text in rendered.items()}
    same = {name: before[name][1] for name, sha in texts.items() if name in before and before[name][0] == sha}
    unchanged = {
        name: same[name] for name in _intact_groups(previous, {n: {n: sha} for n, sha in same.items()})
    }
    to_format = {path: text for path, text in rendered.items() if str(path) not in unchanged}
    files = format_tree(to_format, rendered[RUFF_CONFIG])  # the tree's ruff.toml, kept or not
    formatted = {name: (texts[name], sha) for name, sha in unchanged.items()}
    formatted.update((str(path), (texts[str(path)], sha256_text(text))) for path, text in files.items())
    return files, unchanged, formatted
