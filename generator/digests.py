"""Digests: of a text or bytes, and of a set of files by name and content (what the lock and the
ingest cache key code and defaults by)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def sha256_text(text: str | bytes) -> str:
    """sha256 of a text's UTF-8 bytes (or of bytes), in hex."""
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


def files_digest(files: Iterable[tuple[str, Path]]) -> str:
    """sha256 over (name, bytes) of each file, in name order: renaming, editing, adding or removing one moves it."""
    digest = hashlib.sha256()
    for name, path in sorted(files):
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
