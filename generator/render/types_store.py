"""Typed code kept across runs: a model rendered again for anything but its schemas (its endpoint,
a provider default, its recordings, a description outside the schemas) does not run the code
generator again, nor load it (~0.2 s, the largest part of regenerating one model).

`<out>/.cardgen-cache/types/<key>.json` holds what `model_types.types_code` made of one model's
schemas: the code and the names of its request alternatives. The key is the sha256 of everything
types_code reads (the schemas, the runtime module, the names reserved) and of what runs it
(cardgen's version and rendering code, the code generator, pydantic, inflect, Python's version), so
a file is only found by a run that would make the same code. A file that is missing, unreadable,
or does not match its own digest (which covers its key) is made again.

`index.json` names the keys each model took (one per shadowing round: see
model_types.SHADOWING_ROUNDS). A run records those of the models it typed, the models it reused
keep theirs, and the folder keeps the files of the catalog's models and no other.

Render and its workers only read. What a job made and the keys it took come back with its
results; the run writes them after it has written the output (`write`), never a run that checks
or fails. Deleting the folder is always safe.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.digests import sha256_text
from generator.tree import write_atomically
from generator.versions import version

FOLDER = "types"  # below the output directory's cache folder (unchanged.CACHE_DIR)
FORMAT = 2
INDEX = "index.json"
# Of render.toolchain.toolchain(): what types_code runs (not the templates, nor the formatter: it formats nothing).
TYPING_TOOLS = ("cardgen", "renderer", "datamodel-code-generator", "pydantic")
UNPINNED = ("inflect",)  # what the code generator names classes with (singulars), not pinned here

KeptTypes = tuple[str, tuple[str, ...]]  # types_code's result: the code, the request alternatives


class NotKept(LookupError):
    """The store lacks this typed code (and the caller asked not to make it)."""


@dataclass(frozen=True)
class Share:
    """What one model's typing made and which keys it took: a job's part, sent back with its result."""

    made: dict[str, KeptTypes]
    used: tuple[str, ...]


@dataclass
class TypesStore:
    """The kept typed code of one output directory, for one toolchain."""

    folder: Path
    toolchain: str  # the digest of what makes the code (see `of`)
    made: dict[str, KeptTypes] = field(default_factory=dict)  # by this process, not yet written
    used: list[str] = field(default_factory=list)  # keys found or made by this process, in order
    models: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the keys each model typed took
    found: dict[str, KeptTypes] = field(default_factory=dict)  # read from the folder by this process
    typed_from_kept: int = 0  # models typed from the folder alone, in this process (see render.typed_views)

    @classmethod
    def of(cls, folder: Path, tools: Mapping[str, str]) -> TypesStore:
        """The store in folder for this toolchain (render.toolchain.toolchain())."""
        makers = {name: tools.get(name, "") for name in TYPING_TOOLS}
        makers.update((name, _version(name)) for name in UNPINNED)
        makers["python"] = ".".join(map(str, sys.version_info[:2]))
        return cls(folder, sha256_text(json.dumps(makers, sort_keys=True)))

    def key(self, roles_json: str, runtime_module: str, reserved: frozenset[str]) -> str:
        return sha256_text(json.dumps([FORMAT, self.toolchain, roles_json, runtime_module, sorted(reserved)]))

    def get(self, key: str) -> KeptTypes | None:
        """The typed code kept under key, or None."""
        found = self.made.get(key) or self.found.get(key) or self._read(key)
        if found is not None:
            self.found[key] = found
            self.used.append(key)
        return found

    def keep(self, key: str, types: KeptTypes) -> None:
        """Remember what this process made, to be written by `write` (here or in the run that forked it)."""
        self.made[key] = types
        self.used.append(key)

    def mark(self) -> tuple[int, int]:
        return len(self.made), len(self.used)

    def since(self, mark: tuple[int, int]) -> Share:
        """What was made and taken after mark: one model's share."""
        made, used = mark
        return Share(dict(list(self.made.items())[made:]), tuple(self.used[used:]))

    def take(self, model: str, share: Share) -> None:
        """Record one model's share (`<provider>/<slug>`), made here or by a worker (its own copy of the store)."""
        self.made.update(share.made)
        self.models[model] = share.used

    def write(self, models: Collection[str]) -> OSError | None:
        """Write what this run made, and the index of the catalog's models (typed by this run or
        kept from the last); remove every other file. The error that stopped it, if one did.

        The output is written by now: a folder that cannot take the files (read-only, full, a file
        in its place) only means the code generator runs again next time, which the caller says.
        """
        catalog = set(models)
        last = self._index()
        index = {model: keys for model, keys in last.items() if model in catalog}
        index.update((model, keys) for model, keys in self.models.items() if model in catalog)
        if not self.made and index == last:
            return None  # a run that typed nothing new (every model reused or found): the folder is as it should be
        try:
            for key, (code, variants) in self.made.items():
                text = json.dumps(
                    {"code": code, "variants": list(variants), "sha256": _digest(key, code, variants)}
                )
                write_atomically(self.folder / f"{key}.json", text, durable=False)
            write_atomically(self.folder / INDEX, json.dumps(index, sort_keys=True), durable=False)
            wanted = {INDEX, *(f"{key}.json" for keys in index.values() for key in keys)}
            for entry in os.scandir(self.folder):
                if entry.name not in wanted and entry.is_file():
                    Path(entry.path).unlink(missing_ok=True)
        except OSError as error:
            return error
        finally:
            self.made.clear()
        return None

    def _read(self, key: str) -> KeptTypes | None:
        try:
            kept = json.loads((self.folder / f"{key}.json").read_text("utf-8"))
            code, variants, digest = kept["code"], kept["variants"], kept["sha256"]
        except (OSError, ValueError, TypeError, KeyError):  # missing, unreadable, not this format
            return None
        valid = (
            isinstance(code, str) and isinstance(variants, list) and all(isinstance(v, str) for v in variants)
        )
        if not valid or digest != _digest(key, code, tuple(variants)):  # cut short, edited, or moved
            return None
        return code, tuple(variants)

    def _index(self) -> dict[str, tuple[str, ...]]:
        """The last run's index; empty if there is none or it is damaged."""
        try:
            index = json.loads((self.folder / INDEX).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(index, dict):
            return {}
        return {
            model: tuple(keys)
            for model, keys in index.items()
            if isinstance(keys, list) and all(isinstance(key, str) for key in keys)
        }


def _digest(key: str, code: str, variants: tuple[str, ...]) -> str:
    return sha256_text(json.dumps([key, code, list(variants)]))


def _version(name: str) -> str:
    try:
        return version(name)
    except ModuleNotFoundError:  # importlib.metadata's PackageNotFoundError: not installed
        return ""
