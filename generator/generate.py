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
    sha256_text,
    toolchain,
)
from generator.render.changelog import CHANGELOG_NAME, changelog_text, next_version
from generator.render.context import recordings_of
from generator.render.format import format_tree
from generator.render.render import RenderOptions, render

ReadFiles = Callable[[list[PurePosixPath]], dict[PurePosixPath, bytes] | None]


@dataclass(frozen=True)
class Previous:
    """What the output directory held before this run."""

    lock: Lock | None
    changelog: str | None
    read: ReadFiles  # the current bytes of some output files, or None if any is missing


@dataclass(frozen=True)
class Generation:
    files: dict[PurePosixPath, str]
    lock: Lock
    rendered: list[str]  # models rendered afresh
    reused: list[str]  # models whose files were kept from the previous run
    verified: frozenset[PurePosixPath]  # files read back from the output and found intact


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


def _reusable(
    keys: Mapping[str, str], previous: Previous, package: str
) -> dict[str, dict[PurePosixPath, str]]:
    """Files of models whose cache key is unchanged and whose files are still as they were written."""
    if previous.lock is None or previous.lock.package != package:
        return {}
    kept: dict[str, dict[PurePosixPath, str]] = {}
    for name, key in keys.items():
        before = previous.lock.models.get(name)
        if before is None or before.key != key or not before.files:
            continue
        paths = [PurePosixPath(p) for p in sorted(before.files)]
        found = previous.read(paths)
        if found is not None and all(sha256_text(found[p]) == before.files[str(p)] for p in paths):
            kept[name] = {path: data.decode("utf-8") for path, data in found.items()}
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
    files = render(catalog, options, recordings, reused)
    untouched = {path for kept in reused.values() for path in kept}
    files = format_tree(files, skip=untouched)
    files[PurePosixPath(CHANGELOG_NAME)] = changelog_text(
        previous.changelog, options.package, version, changes
    )
    lock = build_lock(catalog, options.package, version, keys, files, previous.lock, entry_texts, tools)
    files[LOCK_NAME] = lock_text(lock)
    files.update((blob_path(digest), text) for digest, text in lock.store.items())
    rendered = sorted(set(keys) - set(reused))
    return Generation(dict(sorted(files.items())), lock, rendered, sorted(reused), frozenset(untouched))
