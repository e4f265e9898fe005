"""Compare pulled documents with a provider's folder, then write them atomically (or only report)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from generator.tree import write_atomically


@dataclass
class Pulled:
    """What a pull found upstream, each document under its key (a model id, or a page's file)."""

    documents: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (file name, text)
    failed: dict[str, str] = field(default_factory=dict)  # key -> why
    gone: dict[str, str] = field(default_factory=dict)  # key -> its file in the folder
    unmatched: list[str] = field(default_factory=list)  # --model globs that chose nothing, upstream or held
    held: dict[str, str] = field(default_factory=dict)  # key -> the page in another format kept for it


@dataclass(frozen=True)
class Changes:
    changed: dict[str, str]  # key -> file
    appeared: dict[str, str]
    unchanged: dict[str, str]
    gone: dict[str, str]

    @property
    def clean(self) -> bool:
        return not (self.changed or self.appeared or self.gone)

    def lines(self) -> list[str]:
        return [
            *(f"changed      {key} ({file})" for key, file in sorted(self.changed.items())),
            *(f"appeared     {key} ({file})" for key, file in sorted(self.appeared.items())),
            *(f"disappeared  {key} ({file})" for key, file in sorted(self.gone.items())),
        ]


def compare(folder: Path, pulled: Pulled) -> Changes:
    """Which pulled documents say something else than the files in folder (same_content)."""
    changed, appeared, unchanged = {}, {}, {}
    for key, (file, text) in pulled.documents.items():
        path = folder / file
        if not path.is_file():
            appeared[key] = file
        elif same_content(file, path.read_bytes(), text.encode()):
            unchanged[key] = file
        else:
            changed[key] = file
    return Changes(changed, appeared, unchanged, dict(pulled.gone))


def same_content(file: str, kept: bytes, pulled: bytes) -> bool:
    """Whether the file kept in the folder says what was pulled: byte for byte, or written otherwise.

    A file committed by hand, or touched by an editor or a hook (end-of-file fixers), may differ from
    what pull writes in form only: a JSON document indented otherwise or with its keys in another
    order, a page without (or with) a final newline. Rewriting it would move every line number and
    digest its catalog entry records, and `--check` would report drift nobody made upstream.
    """
    if kept == pulled:
        return True
    if file.endswith(".json"):
        try:
            return _canonical(kept) == _canonical(pulled)
        except ValueError:  # not JSON (any more): what was pulled replaces it
            return False
    return kept.rstrip(b"\r\n") == pulled.rstrip(b"\r\n")


def apply(folder: Path, pulled: Pulled, changes: Changes, prune: bool) -> None:
    """Write what changed or appeared, each file whole or not at all; remove the gone with prune."""
    folder.mkdir(parents=True, exist_ok=True)
    for key in [*changes.changed, *changes.appeared]:
        file, text = pulled.documents[key]
        write_atomically(folder / file, text)
    if prune:
        for file in changes.gone.values():
            (folder / file).unlink(missing_ok=True)


def _canonical(data: bytes) -> str:
    # Not `==` on the parsed values: Python counts `true == 1 == 1.0`, which JSON does not.
    return json.dumps(json.loads(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
