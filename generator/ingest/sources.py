"""Read the source documents: bytes, hash and text, bounded in size."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import cast

from generator.diagnostics import Diagnostic, error
from generator.ingest.places import SOURCES_PREFIX
from generator.tree import files_below

MAX_DOCUMENT_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class SourceDocument:
    """One vendor document as published.

    Its text is read when first asked for where the document was given unread (`unread`): one
    whose extraction the ingest cache keeps, by the sha256 its proof gives, is not read at all.
    """

    path: PurePosixPath  # under the catalog root, e.g. sources/cloudflare/x.md
    sha256: str
    _text: str | None = field(default=None, repr=False, compare=False)
    _file: Path | None = field(default=None, repr=False, compare=False)  # an unread document's

    @classmethod
    def unread(cls, path: PurePosixPath, sha256: str, file: Path) -> SourceDocument:
        """The document in file, known by its sha256, its text read only if asked for."""
        return cls(path, sha256, None, file)

    @property
    def text(self) -> str:
        if self._text is None:
            object.__setattr__(self, "_text", self._read())
        return cast("str", self._text)

    def _read(self) -> str:
        """An unread document's text. Its bytes were those of its sha256 when the ingest began; one
        replaced since (a race with an editor) reads as it is now, and one that no longer reads as
        text gives none: the next ingest, which sees its new digest, extracts it afresh."""
        assert self._file is not None  # a document made with its text has it
        document, _ = read_document(self._file, self.path)
        return document.text if document is not None else ""

    @property
    def name(self) -> str:
        return str(self.path)

    @property
    def lines(self) -> list[str]:
        return text_lines(self.text)


_LINE_END = re.compile(r"\r\n|\r|\n")


def text_lines(text: str, keepends: bool = False) -> list[str]:
    """The lines an editor shows: ended by \\n, \\r\\n or \\r only.

    str.splitlines() also ends lines at U+2028, U+2029, U+0085, form feed and other controls a
    description may hold, and every line number after one would be wrong.
    """
    if keepends:
        ends = [m.end() for m in _LINE_END.finditer(text)]
        starts = [0, *ends]
        return [text[a:b] for a, b in zip(starts, [*ends, len(text)], strict=True) if a < b]
    lines = _LINE_END.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def _documents(directory: Path, unreadable: list[tuple[str, OSError]]) -> list[str]:
    """Names (`a/b.md`) of the documents below directory, in path order: every file, in hidden
    folders too, but hidden files and symbolic links (a link to a folder is not entered either);
    folders that cannot be listed go to unreadable."""
    names = files_below(directory, hidden=True, linked_files=False, unreadable=unreadable)
    return sorted(
        (name for name in names if not name.rpartition("/")[2].startswith(".")),
        key=lambda name: name.split("/"),  # as paths sort: by folder, then name
    )


def load_sources(
    directory: Path, known: Callable[[str], str | None] | None = None
) -> tuple[list[SourceDocument], list[Diagnostic]]:
    """Read every file below directory; unreadable ones (files or folders) become diagnostics, not
    exceptions. known: the sha256 of a document (by name, `sources/...`) that need not be read, if
    it is one (the ingest cache's, for a document whose extraction it keeps)."""
    if not directory.is_dir():
        what = "is a file, not a folder of documents" if directory.exists() else "does not exist"
        return [], [error(str(directory), None, f"sources directory {what}")]
    documents: list[SourceDocument] = []
    unreadable: list[tuple[str, OSError]] = []
    names = _documents(directory, unreadable)
    diagnostics = [
        error(f"{SOURCES_PREFIX}/{folder}".rstrip("/"), None, f"folder cannot be read: {why.strerror or why}")
        for folder, why in unreadable
    ]
    for name in names:
        path = PurePosixPath(f"{SOURCES_PREFIX}/{name}")
        sha256 = known(str(path)) if known is not None else None
        if sha256 is not None:
            documents.append(SourceDocument.unread(path, sha256, directory / name))
            continue
        document, problem = read_document(directory / name, path)
        if document is not None:
            documents.append(document)
        if problem is not None:
            diagnostics.append(problem)
    return documents, diagnostics


def read_document(path: Path, name: PurePosixPath) -> tuple[SourceDocument | None, Diagnostic | None]:
    limit = MAX_DOCUMENT_BYTES // (1024 * 1024)
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            return None, error(str(name), None, f"{size} bytes is over the {limit} MiB document limit")
        with path.open("rb") as handle:
            # The size stat saw and a byte more: a read of the whole limit allocates it (4 MiB) for
            # every document. A file that grew since is read on, no further than the limit.
            data = handle.read(size + 1)
            if len(data) > size:
                data += handle.read(MAX_DOCUMENT_BYTES + 1 - len(data))
    except OSError as exc:
        return None, error(str(name), None, f"cannot be read: {exc.strerror or exc}")
    if len(data) > MAX_DOCUMENT_BYTES:
        return None, error(str(name), None, f"over the {limit} MiB document limit")
    return decode_document(data, name)


def decode_document(data: bytes, name: PurePosixPath) -> tuple[SourceDocument | None, Diagnostic | None]:
    if not data.strip():
        return None, error(str(name), None, "empty document")
    if b"\x00" in data:
        return None, error(str(name), None, "binary data (NUL bytes), not a text document")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, error(str(name), line, f"not UTF-8 text: {exc.reason} at byte {exc.start}")
    text = text.removeprefix("\ufeff")
    return SourceDocument(name, hashlib.sha256(data).hexdigest(), text), None
