"""Compare pulled documents with a provider's folder, then write them atomically (or only report)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.tree import write_atomically


@dataclass
class Pulled:
    """What a pull found upstream, each document under its key (a model id, or a page's file)."""

    documents: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (file name, text)
    failed: dict[str, str] = field(default_factory=dict)  # key -> why
    gone: dict[str, str] = field(default_factory=dict)  # key -> its file in the folder


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
    """Which pulled documents differ from the files in folder, byte for byte."""
    changed, appeared, unchanged = {}, {}, {}
    for key, (file, text) in pulled.documents.items():
        path = folder / file
        if not path.is_file():
            appeared[key] = file
        elif path.read_bytes() != text.encode():
            changed[key] = file
        else:
            unchanged[key] = file
    return Changes(changed, appeared, unchanged, dict(pulled.gone))


def apply(folder: Path, pulled: Pulled, changes: Changes, prune: bool) -> None:
    """Write what changed or appeared, each file whole or not at all; remove the gone with prune."""
    folder.mkdir(parents=True, exist_ok=True)
    for key in [*changes.changed, *changes.appeared]:
        file, text = pulled.documents[key]
        write_atomically(folder / file, text)
    if prune:
        for file in changes.gone.values():
            (folder / file).unlink(missing_ok=True)
