"""The generate stage end to end: reuse what has not changed, render the rest, version and lock it."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from generator.catalog.store import Catalog
from generator.entry_store import blob_path
from generator.lockfile import (
    LOCK_NAME,
    Lock,
    build_lock,
    cache_key,
    lock_text,
    model_key,
    toolchain,
)
from generator.render.changelog import CHANGELOG_NAME, changelog_text, next_version
from generator.render.context import recordings_of
from generator.render.format import format_tree
from generator.render.render import RenderOptions, render

# Whether the output directory holds each of these files (`a/b.py` -> sha256) as it is.
IntactFiles = Callable[[Mapping[str, str]], bool]


@dataclass(frozen=True)
class Previous:
    """What the output directory held before this run."""

    lock: Lock | None
    changelog: str | None
    intact: IntactFiles


@dataclass(frozen=True)
class Generation:
    files: dict[PurePosixPath, str]  # written by this run: rendered, the changelog, the lock and its store
    lock: Lock
    rendered: list[str]  # models rendered afresh
    reused: list[str]  # models whose files were kept from the previous run
    kept: dict[str, str]  # the reused models' files (`a/b.py`), found intact and left as they are: sha256

    @property
    def count(self) -> int:
        """Files in the output tree: written and kept."""
        return len(self.files) + len(self.kept)


def _keys(
    catalog: Catalog,
    options: RenderOptions,
    recordings: Mapping[PurePosixPath, str],
    tools: Mapping[str, str],
) -> dict[str, str]:
    grouped = recordings_of(recordings)
    keys = {}
    for entry in catalog:
        name = model_key(entry)
        # Paths count too: a renamed cassette is a different file in the output.
        own = json.dumps({str(path): text for path, text in grouped.get(name, {}).items()}, sort_keys=True)
        keys[name] = cache_key(entry, options.package, options.catalog_label, own, tools)
    return keys


def _reusable(keys: Mapping[str, str], previous: Previous, package: str) -> dict[str, dict[str, str]]:
    """Files (`a/b.py` -> sha256) of models whose cache key is unchanged and whose files are still
    as they were written."""
    if previous.lock is None or previous.lock.package != package:
        return {}
    kept: dict[str, dict[str, str]] = {}
    for name, key in keys.items():
        before = previous.lock.models.get(name)
        if before is not None and before.key == key and before.files and previous.intact(before.files):
            kept[name] = before.files
    return kept


def generate(
    catalog: Catalog,
    options: RenderOptions,
    recordings: Mapping[PurePosixPath, str],
    previous: Previous,
    entry_texts: Mapping[str, str] | None = None,  # read_catalog's digests, for the next run to trust
) -> Generation:
    tools = toolchain()  # read once: it hashes the templates and the renderer's code
    keys = _keys(catalog, options, recordings, tools)
    version, changes = next_version(previous.lock, catalog, keys, options.version)
    options = replace(options, version=version)
    reused = _reusable(keys, previous, options.package)
    files = format_tree(render(catalog, options, recordings, reused))
    files[PurePosixPath(CHANGELOG_NAME)] = changelog_text(
        previous.changelog, options.package, version, changes
    )
    lock = build_lock(catalog, options.package, version, keys, files, previous.lock, entry_texts, tools)
    files[LOCK_NAME] = lock_text(lock)
    files.update((blob_path(digest), text) for digest, text in lock.store.items())
    rendered = sorted(set(keys) - set(reused))
    kept = {path: sha for files_of in reused.values() for path, sha in files_of.items()}
    return Generation(dict(sorted(files.items())), lock, rendered, sorted(reused), kept)
