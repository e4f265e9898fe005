"""Catalog entries as JSON, by the sha256 of their file's text: parsed once, by whichever command met them first.

`<catalog>/.cardgen-cache/entries/<code>/<sha256>.json` holds the JSON of the entry that an entry file
with that text gives, once that entry passed every check: written by `cardgen ingest` for the
entries it wrote (each passed the entry format before it was dumped, and dump_entry writes text
that reads back as the same entry), and by `cardgen generate` for those it had to parse and
validate itself (a catalog from git, an entry edited by hand). Reading an entry back from its JSON
skips the YAML, the entry format's JSON Schema and jsonschema's import. <code> names what parses,
checks and reads back entries (entry_model_digest): JSON kept by other code is never read.
One small file per text, so an edit costs one file, not a rewrite. A damaged file is a miss (the
entry file is parsed, and the file written again); deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterator, Mapping
from functools import cache
from pathlib import Path

import pydantic
import pydantic_core
import yaml

from generator.tree import write_atomically
from generator.versions import version

PARSED_DIR = Path(".cardgen-cache") / "entries"  # below the catalog directory
SUFFIX = ".json"


@cache
def entry_model_digest() -> str:
    """What parses an entry file, checks it and reads its JSON back: the catalog package's code and
    entry schema, pydantic's, PyYAML's (and which loader) and jsonschema's versions."""
    tools = (
        pydantic.VERSION,
        pydantic_core.__version__,
        yaml.__version__,
        yaml.__with_libyaml__,
        version("jsonschema"),
    )
    digest = hashlib.sha256("\0".join(map(str, tools)).encode())
    for path in sorted(Path(__file__).parent.iterdir()):
        if path.suffix in {".py", ".json"}:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def parsed_folder(catalog: Path) -> Path:
    return catalog / PARSED_DIR / entry_model_digest()[:32]


class ParsedEntries(Mapping[str, str]):
    """The entries' JSON below a catalog, by the sha256 of their file's text; each file read when asked for."""

    def __init__(self, catalog: Path) -> None:
        self.folder = parsed_folder(catalog)
        self._names: frozenset[str] | None = None

    def listed(self) -> frozenset[str]:
        if self._names is None:
            try:
                self._names = frozenset(
                    path.name.removesuffix(SUFFIX)
                    for path in self.folder.iterdir()
                    if path.name.endswith(SUFFIX)
                )
            except OSError:
                self._names = frozenset()
        return self._names

    def __getitem__(self, digest: str) -> str:
        if digest not in self.listed():
            raise KeyError(digest)
        try:
            return (self.folder / f"{digest}{SUFFIX}").read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyError(digest) from exc

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.listed()))

    def __len__(self) -> int:
        return len(self.listed())

    def __contains__(self, digest: object) -> bool:
        return digest in self.listed()


def keep_parsed(
    catalog: Path, entries: Mapping[str, str | Callable[[], str | None]], damaged: Collection[str] = ()
) -> OSError | None:
    """Leave below catalog the JSON of exactly these entries, by the sha256 of their file's text.

    Each value is the entry's JSON, or gives it (None: JSON does not give this entry back, so none
    is kept), called only for texts not kept yet or whose file was found damaged. Files of texts no
    longer in the catalog, and folders of other catalog code, are removed. A cache: what cannot be
    written is left out, and the error that stopped it returned for the caller to say.
    """
    parsed = ParsedEntries(catalog)
    present = parsed.listed()
    try:
        for digest, json_of in entries.items():
            if digest not in present or digest in damaged:
                text = json_of() if callable(json_of) else json_of
                if text is not None:
                    write_atomically(parsed.folder / f"{digest}{SUFFIX}", text, durable=False)
        for digest in present - entries.keys():
            (parsed.folder / f"{digest}{SUFFIX}").unlink(missing_ok=True)
        for other in parsed.folder.parent.iterdir():
            if other != parsed.folder and other.is_dir():
                for stale in other.iterdir():
                    stale.unlink(missing_ok=True)
                other.rmdir()
    except OSError as error:
        return error
    return None
