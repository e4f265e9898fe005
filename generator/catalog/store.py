"""Read and write catalog entries as diff-friendly YAML, one file per model."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import yaml

from generator.catalog.entry import CatalogEntry
from generator.catalog.entry_format import entry_json_schema, entry_schema_digest
from generator.catalog.parsed import ParsedEntries
from generator.datatext import PrintableDumper, needs_double_quotes, printable_yaml
from generator.memo import remembered
from generator.proofs import Proofs
from generator.tree import yaml_files

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

# The C loader is ten times faster on large catalogs; the pure one is the fallback.
_Loader: type[yaml.SafeLoader | yaml.CSafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Catalog:
    """All entries, sorted by provider then slug."""

    entries: tuple[CatalogEntry, ...]

    def __iter__(self) -> Iterator[CatalogEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def providers(self) -> list[str]:
        return sorted({e.provider for e in self.entries})

    def of_provider(self, provider: str) -> list[CatalogEntry]:
        return [e for e in self.entries if e.provider == provider]


def entry_path(entry: CatalogEntry) -> PurePosixPath:
    return _entry_path(entry.provider, entry.slug)


@cache
def _entry_path(provider: str, slug: str) -> PurePosixPath:
    return PurePosixPath(provider) / f"{slug}.yaml"


class _Dumper(PrintableDumper):
    """Block style for multi-line strings, so descriptions diff line by line."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and value == value.strip() and "\t" not in value else None
    if needs_double_quotes(value):
        # Only double quotes have escapes. NEL, LS and PS are line breaks to YAML 1.1 (PyYAML) and plain
        # characters to YAML 1.2: raw, a reader folds them, or keeps the indentation after them, by its
        # version; bidi and zero-width characters would show a reader other text (datatext.py).
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_entry(entry: CatalogEntry) -> str:
    data = entry.model_dump(mode="json", exclude_none=True)
    text = yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
    return printable_yaml(text)


@cache
def _entry_validator() -> Validator:
    import jsonschema  # noqa: PLC0415 - 60 ms to import; a no-op run validates nothing

    schema = entry_json_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema)


@remembered("entry_format")
def entry_format_errors(data: Any) -> list[str]:
    """Check data against the entry format's JSON Schema; one message per violation."""
    errors = sorted(_entry_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '<entry>'}: {e.message}" for e in errors]


def entry_from_json(kept: str) -> CatalogEntry | None:
    """The entry a kept JSON text (catalog.parsed) holds; None when it is damaged: the file is parsed."""
    with contextlib.suppress(ValueError, TypeError):
        return CatalogEntry.model_validate_json(kept)
    return None


def parse_entry(text: str, origin: str, *, validated: bool = False, data: Any = None) -> CatalogEntry:
    """Parse and validate one stored entry; raise ValueError naming the file on any problem.

    validated: this very text passed the entry schema before, so only pydantic checks it now.
    data: what this very text parses to, kept from an earlier parse: the YAML is not read again.
    """
    if data is None:
        data = load_entry_yaml(text, origin)
    problems = [] if validated else entry_format_errors(data)
    if problems:
        raise ValueError(f"{origin}: not a catalog entry: " + "; ".join(problems[:5]))
    return CatalogEntry.model_validate(data)


def load_entry_yaml(text: str, origin: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark is not None else origin
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        raise ValueError(
            f"{where}: not valid YAML: {problem}" + (f" ({context})" if context else "")
        ) from exc


@dataclass(frozen=True)
class KnownEntries:
    """Entry files a previous run validated against the entry schema, as it recorded them (the lock)."""

    schema: str  # entry_schema_digest() when they were validated
    texts: Mapping[str, str] = field(default_factory=dict)  # `<provider>/<slug>.yaml` -> sha256 of its text


@dataclass(frozen=True)
class LoadedCatalog:
    catalog: Catalog
    texts: dict[str, str]  # `<provider>/<slug>.yaml` of its own entry -> sha256 of its text (validated)
    parsed: dict[str, str] = field(default_factory=dict)  # sha256 of a file's text -> its entry's JSON
    damaged: frozenset[str] = frozenset()  # texts whose JSON `parsed` (the argument) held was damaged

    def entry_jsons(self) -> dict[str, str]:
        """By `<provider>/<slug>`, the entry's model_dump_json(), for each entry this load knows it of."""
        found = {}
        for name, digest in self.texts.items():
            text = self.parsed.get(digest)
            if text is not None:
                found[name.removesuffix(".yaml")] = text
        return found


def exact_json(entry: CatalogEntry, text: str | None = None) -> str | None:
    """The entry's JSON (text, when it is already dumped), if reading it gives this very entry back
    (no tuple or date in a schema)."""
    text = entry.model_dump_json() if text is None else text
    return text if CatalogEntry.model_validate_json(text) == entry else None


@dataclass(frozen=True)
class Written:
    """An entry file as the ingest that wrote it in this process knows it."""

    sha256: str  # of the file's text
    entry: CatalogEntry  # the entry that text was dumped from
    json: str  # entry.model_dump_json()


def read_catalog(
    directory: Path,
    known: KnownEntries | None = None,
    parsed: Mapping[str, Any] | None = None,
    written: Mapping[str, Written] | None = None,
    proofs: Proofs | None = None,
    check: Callable[[CatalogEntry], list[str]] | None = None,
) -> LoadedCatalog:
    """Load every `<provider>/<slug>.yaml` below directory, with the digest of each file's text.

    A file whose text `known` recorded (against this entry schema) is not checked against the entry
    schema again, only by pydantic. A file whose text `parsed` holds the entry of (its JSON, see
    catalog.parsed; the entry this very text gave and that passed every check) is not parsed again.
    Nor is one that `written` (by name) says an ingest in this process wrote from an entry, when
    its text is that one and `known` recorded it: that entry is taken as it is. A file `proofs`
    vouches for (by its name below directory) is not even read when its text is one of those.
    check: what ingest would refuse in an entry (its schemas), for each file checked against the
    entry schema here: an entry edited by hand, or one from a catalog no run of this code has read.
    """
    proofs = proofs if proofs is not None else Proofs()
    if not directory.is_dir():
        raise ValueError(f"{directory}: no catalog here (run `cardgen ingest` first)")
    trusted = known is not None and known.schema == entry_schema_digest()
    entries, texts, jsons, damaged = [], {}, {}, set()
    for name in sorted(yaml_files(directory, 1)):  # `<provider>/<slug>.yaml`
        path = directory / name
        digest = proofs.sha256(f"catalog/{name}", path)
        validated = trusted and known is not None and known.texts.get(name) == digest
        entry, kept = None, None
        ours = (written or {}).get(name)
        if validated and ours is not None and ours.sha256 == digest:
            entry = ours.entry  # its JSON is kept where JSON gives it back, as all `parsed` holds does
            kept = ours.json if parsed is not None and digest in parsed else exact_json(entry, ours.json)
        else:
            kept = (parsed or {}).get(digest)
            if kept is not None:
                entry = entry_from_json(kept)
                if entry is None:
                    damaged.add(digest)
        if entry is None:
            data, digest = proofs.read_bytes(f"catalog/{name}", path)  # what is parsed is what is named
            validated = trusted and known is not None and known.texts.get(name) == digest
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ValueError(f"{path}: not UTF-8 text: {exc}") from exc
            entry = parse_entry(text, str(path), validated=validated)
            problems = check(entry) if check is not None and not validated else []
            if problems:
                raise ValueError(f"{path}: not an entry ingest would write: " + "; ".join(problems[:5]))
            kept = exact_json(entry)
        if kept is not None:
            jsons[digest] = kept
        entries.append(entry)
        if str(entry_path(entry)) == name:  # recorded by the path it is known by, so never mistaken
            texts[name] = digest
    return LoadedCatalog(
        Catalog(tuple(sorted(entries, key=lambda e: e.key))), texts, jsons, frozenset(damaged)
    )


def load_catalog(directory: Path) -> Catalog:
    """Load every `<provider>/<slug>.yaml` below directory; an entry whose text ingest or generate
    already parsed (and checked) is read back from its JSON beside the catalog (catalog.parsed)."""
    return read_catalog(directory, parsed=ParsedEntries(directory)).catalog
