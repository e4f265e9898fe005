"""The lock's content store: each generated entry as files named by their sha256, schemas kept apart.

The lock names an entry by a digest; the entry's text lives in `<out>/cardgen.store/<digest>.json`
with its schemas replaced by their own digests, so identical schemas are stored once and the lock
stays the same size whatever the schemas weigh.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import pydantic_core

from generator.datatext import printable_json

STORE_DIR = PurePosixPath("cardgen.store")
# Where an entry holds schemas: each is stored on its own and the entry names its digest instead.
SCHEMA_FIELDS = (("input_schema",), ("output_schema",), ("streaming", "chunk_schema"))


def blob_path(digest: str) -> PurePosixPath:
    return PurePosixPath(blob_name(digest))


def blob_name(digest: str) -> str:
    """blob_path as the tree's file names are spelled (`cardgen.store/<digest>.json`), without a
    path object each: a run names thousands."""
    return f"{STORE_DIR}/{digest}.json"


def _text(value: object) -> str:
    """One line per top-level key, so a diff shows which part moved; Rust's encoder, 4x the stdlib's.

    Keys below the top keep the entry's own order: the same catalog always gives the same text.
    """
    if not isinstance(value, dict) or not value:
        return printable_json(_compact(value)) + "\n"
    members = (f" {_compact(key)}: {_compact(value[key])}" for key in sorted(value))
    return printable_json("{\n" + ",\n".join(members) + "\n}\n")  # document text: datatext.py


def _compact(value: object) -> str:
    return pydantic_core.to_json(value).decode("utf-8")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_entry(entry: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """The entry's digest and the texts it is stored as (digest -> text): its schemas and the rest."""
    blobs: dict[str, str] = {}
    rest = dict(entry)
    for *parents, name in SCHEMA_FIELDS:
        holder = rest
        for parent in parents:
            inner = holder.get(parent)
            if not isinstance(inner, dict):
                break
            inner = dict(inner)  # a copy: the caller's entry keeps its schemas
            holder[parent] = inner
            holder = inner
        else:
            if name in holder:
                text = _text(holder[name])
                holder[name] = _digest(text)
                blobs[holder[name]] = text
    text = _text(rest)
    digest = _digest(text)
    blobs[digest] = text
    return digest, blobs


def join_entry(digest: str, store: Mapping[str, str]) -> dict[str, Any] | None:
    """The entry split_entry stored under digest, or None when a piece is missing or not intact."""
    entry = _load(digest, store)
    if not isinstance(entry, dict):
        return None
    for *parents, name in SCHEMA_FIELDS:
        holder: Any = entry
        for parent in parents:
            holder = holder.get(parent) if isinstance(holder, dict) else None
        if isinstance(holder, dict) and name in holder:
            schema = _load(holder[name], store) if isinstance(holder[name], str) else None
            if schema is None:
                return None
            holder[name] = schema
    return entry


def _load(digest: str, store: Mapping[str, str]) -> Any:
    text = store.get(digest)
    if text is None or _digest(text) != digest:  # edited by hand: as good as missing
        return None
    return json.loads(text)


class DirectoryStore(Mapping[str, str]):
    """A store already written below an output directory, read file by file as entries are asked for."""

    def __init__(self, out: Path) -> None:
        self._root = out / STORE_DIR

    def __getitem__(self, digest: str) -> str:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise KeyError(digest)
        try:
            return (self._root / f"{digest}.json").read_text("utf-8")
        except OSError:
            raise KeyError(digest) from None

    def __iter__(self) -> Iterator[str]:
        if not self._root.is_dir():
            return iter(())
        return iter(sorted(p.stem for p in self._root.glob("*.json") if p.is_file()))

    def __len__(self) -> int:
        return sum(1 for _ in self)
