"""Typed code kept across runs: a model rendered again for anything but its schemas (its endpoint,
a provider default, its recordings, a description outside the schemas) does not run the code
generator again, nor load it (~0.2 s, the largest part of regenerating one model).

`<out>/.cardgen-cache/types/<key>.json` holds what `model_types.types_code` made of one model's
schemas: the code and the names of its request alternatives. The key is the sha256 of everything
types_code reads (the schemas, the runtime module, the names reserved) and of the toolchain (cardgen,
its rendering code and templates, the pinned code generator and formatter), so a file is only ever
found by a run that would make the same code. A file that is missing, unreadable or does not match
its own digest is made again; deleting the folder is always safe.

Workers only read. What they make comes back with their results and is written by the run that
started them, after it has written the output (`write`), never by a run that checks or fails. The
folder keeps the files of the most recently used keys: twice as many as the catalog has models, and
SPARE more (a model can take more than one: see model_types.SHADOWING_ROUNDS).
"""

from __future__ import annotations

import json
import os
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from generator.lockfile import sha256_text
from generator.tree import write_atomically

FOLDER = Path(".cardgen-cache") / "types"  # below the output directory
FORMAT = 1
SPARE = 64

KeptTypes = tuple[str, tuple[str, ...]]  # types_code's result: the code, the request alternatives


class NotKept(LookupError):
    """The store lacks this typed code (and the caller asked not to make it)."""


@dataclass
class TypesStore:
    """The kept typed code of one output directory, for one toolchain."""

    folder: Path
    toolchain: str  # sha256 of the toolchain's JSON (generate.py's tools_id)
    touch: bool = True  # a file found is marked used (not in a run that writes nothing)
    made: dict[str, KeptTypes] = field(default_factory=dict)  # made by this run, not yet written

    def key(self, roles_json: str, runtime_module: str, reserved: frozenset[str]) -> str:
        return sha256_text(json.dumps([FORMAT, self.toolchain, roles_json, runtime_module, sorted(reserved)]))

    def get(self, key: str) -> KeptTypes | None:
        """The typed code kept under key, or None."""
        if key in self.made:
            return self.made[key]
        path = self.folder / f"{key}.json"
        try:
            kept = json.loads(path.read_text("utf-8"))
            code, variants, digest = kept["code"], kept["variants"], kept["sha256"]
        except (OSError, ValueError, TypeError, KeyError):  # missing, unreadable, not this format
            return None
        valid = (
            isinstance(code, str) and isinstance(variants, list) and all(isinstance(v, str) for v in variants)
        )
        if not valid or digest != _digest(code, variants):  # cut short, or edited
            return None
        if self.touch:
            with suppress(OSError):
                os.utime(path)  # used: the last files `write` would drop
        return code, tuple(variants)

    def keep(self, key: str, types: KeptTypes) -> None:
        """Remember what this process made, to be written by `write` (here or in the run that forked it)."""
        self.made[key] = types

    def made_since(self, count: int) -> dict[str, KeptTypes]:
        """What was kept after the first count items: one job's share, for its results."""
        return dict(list(self.made.items())[count:])

    def write(self, models: int) -> None:
        """Write what this run made; then drop the least recently used files beyond what a catalog
        of this many models keeps."""
        limit = 2 * models + SPARE
        # The output is written by now: a folder that cannot take the files (read-only, full) only
        # means the code generator runs again next time.
        with suppress(OSError):
            for key, (code, variants) in self.made.items():
                text = json.dumps(
                    {"code": code, "variants": list(variants), "sha256": _digest(code, list(variants))}
                )
                write_atomically(self.folder / f"{key}.json", text, durable=False)
        self.made.clear()
        with suppress(OSError):
            files = [entry for entry in os.scandir(self.folder) if entry.name.endswith(".json")]
            if len(files) > limit:
                files.sort(key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
                for stale in files[limit:]:
                    Path(stale.path).unlink(missing_ok=True)


def _digest(code: str, variants: list[str]) -> str:
    return sha256_text(json.dumps([code, variants]))
