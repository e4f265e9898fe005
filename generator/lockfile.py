"""The generation lock: what a generated tree was made from, to tell why it is stale and what to reuse.

Per model it holds digests only (entry, cache key, files); the entries themselves, for the next run
to diff against, are in the content store beside it (generator/entry_store.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.catalog.entry import CatalogEntry
from generator.catalog.entry_format import entry_schema_digest
from generator.catalog.store import Catalog, KnownEntries
from generator.datatext import printable_json
from generator.digests import sha256_text
from generator.entry_store import STORE_DIR, DirectoryStore, join_entry, split_entry
from generator.render.toolchain import toolchain

LOCK_NAME = PurePosixPath("cardgen.lock")
LOCK_FORMAT = 2  # 1 held each entry whole in its model's line


# A model's modules besides resources/<provider>/<slug>.py and types/<provider>/<slug>.py, as
# <top>/<provider>/<folder>/<slug>.py: its async calls, its raw-response ones (sync and async), its TypedDicts.
SIDE_FOLDERS = {"resources": ("_async", "_raw", "_async_raw"), "types": ("_dicts",)}


def model_key(entry: CatalogEntry) -> str:
    return f"{entry.provider}/{entry.slug}"


def owner_of(path: PurePosixPath, package: str) -> str | None:
    """The `<provider>/<slug>` whose files include path, or None for files shared by all models."""
    parts = path.parts
    if len(parts) == 4 and parts[0] == package and parts[1] in {"types", "resources"}:
        return f"{parts[2]}/{PurePosixPath(parts[3]).stem}"
    side_module = len(parts) == 5 and parts[0] == package and parts[3] in SIDE_FOLDERS.get(parts[1], ())
    if side_module and parts[4] != "__init__.py":
        return f"{parts[2]}/{PurePosixPath(parts[4]).stem}"
    if len(parts) == 2 and parts[0] == "tests" and "__" in parts[1]:
        provider, _, slug = PurePosixPath(parts[1]).stem.removeprefix("test_").partition("__")
        return f"{provider}/{slug}"
    if len(parts) == 4 and parts[:2] == ("tests", "schemas"):
        return f"{parts[2]}/{PurePosixPath(parts[3]).stem}"
    if len(parts) == 5 and parts[:2] == ("tests", "cassettes"):
        return f"{parts[2]}/{parts[3]}"
    return None


def files_by_model(package: str, paths: Iterable[PurePosixPath]) -> dict[str, list[PurePosixPath]]:
    """The output files that belong to each model alone."""
    owned: dict[str, list[PurePosixPath]] = {}
    for path in sorted(paths):
        owner = owner_of(path, package)
        if owner is not None:
            owned.setdefault(owner, []).append(path)
    return owned


@dataclass(frozen=True)
class ModelLock:
    entry: str  # digest of the catalog entry as generated, in the store: to diff the next catalog against
    key: str  # what the model's files depend on: entry, package, provider, recordings, toolchain
    files: dict[str, str]  # path -> sha256 of its content
    line: str | None = field(default=None, compare=False)  # its line in the lock file, when read from one


@dataclass(frozen=True)
class Lock:
    package: str
    version: str
    toolchain: dict[str, str]
    documents: dict[str, str]  # source path -> sha256 the entries were read from
    models: dict[str, ModelLock] = field(default_factory=dict)
    # Catalog files (`<provider>/<slug>.yaml`) -> sha256 of the text validated against the entry schema
    # whose digest is entry_schema: the next run does not check those against the entry schema again.
    entry_texts: dict[str, str] = field(default_factory=dict)
    entry_schema: str = ""
    # digest -> text of the stored entries and schemas: all of them when built (but those in kept),
    # read lazily when read.
    store: Mapping[str, str] = field(default_factory=dict, compare=False)
    # digests stored by an earlier run and kept as they are in the output: no text here
    kept: frozenset[str] = field(default=frozenset(), compare=False)
    stored: dict[str, list[str]] = field(default_factory=dict, compare=False)  # model -> its entry's digests

    def moved_tools(self, tools: Mapping[str, str]) -> list[str]:
        """The parts of a toolchain (`toolchain()`) that are not as this lock's run had them."""
        return sorted(name for name, digest in tools.items() if self.toolchain.get(name) != digest)

    def known_entries(self) -> KnownEntries:
        """The catalog files this lock proves validated against the entry schema."""
        return KnownEntries(self.entry_schema, self.entry_texts)

    def catalog(self, only: Iterable[str] | None = None) -> Catalog:
        """The catalog it was generated from (or just the named models of it)."""
        names = self.models if only is None else [n for n in only if n in self.models]
        # An entry missing from the store (deleted or edited by hand) is left out: the diff sees it added.
        stored = (join_entry(self.models[n].entry, self.store) for n in names)
        entries = (CatalogEntry.model_validate(data) for data in stored if data is not None)
        return Catalog(tuple(sorted(entries, key=lambda e: e.key)))


def cache_key(
    entry: CatalogEntry,
    package: str,
    catalog_label: str,
    recordings: str,
    tools_json: str,
    entry_json: str | None = None,
) -> str:
    """What a model's files depend on; the provider's shared fields are inside the entry itself.

    tools_json: toolchain() as JSON with sorted keys; entry_json: the entry's model_dump_json(),
    when the caller has it.
    """
    parts = [
        entry.model_dump_json() if entry_json is None else entry_json,
        package,
        catalog_label,
        recordings,
        tools_json,
    ]
    return sha256_text("\0".join(parts))


def build_lock(
    catalog: Catalog,
    package: str,
    package_version: str,
    keys: Mapping[str, str],
    files: Mapping[PurePosixPath, str],
    previous: Lock | None = None,
    entry_texts: Mapping[str, str] | None = None,
    tools: Mapping[str, str] | None = None,  # toolchain(), when the caller has it already
    digests: Mapping[str, str] | None = None,  # sha256 of files known already, given in files or not
    stored: Mapping[str, Sequence[str]] | None = None,  # models whose entry an earlier run stored
) -> Lock:
    """The lock of this generation. stored: by model, the digests an earlier run stored its entry
    as, where its cache key is unchanged (so is its entry) and those files are intact: the entry
    is not split and stored again, only named (Lock.kept)."""
    models = {}
    store: dict[str, str] = {}
    digests = digests or {}
    stored = stored or {}
    reused_store: set[str] = set()
    digests_of: dict[str, list[str]] = {}
    owned_by = files_by_model(package, {*files, *map(PurePosixPath, digests)})
    for entry in catalog:
        name = model_key(entry)
        before = previous.models.get(name) if previous else None
        if before is not None and name in stored:
            models[name] = before
            reused_store.update(stored[name])
            digests_of[name] = list(stored[name])
            continue
        digest, blobs = split_entry(entry.model_dump(mode="json", exclude_none=True))
        store.update(blobs)
        digests_of[name] = list(blobs)
        if before is not None and before.key == keys[name] and before.entry == digest:
            models[name] = before  # same key: same entry and, reused, the same files
            continue
        owned = owned_by.get(name, [])
        hashes = {str(p): digests.get(str(p)) or sha256_text(files[p]) for p in owned}
        models[name] = ModelLock(digest, keys[name], hashes)
    documents = {e.provenance.source.path: e.provenance.source.sha256 for e in catalog}
    texts = {
        path: sha for path, sha in sorted((entry_texts or {}).items()) if path.removesuffix(".yaml") in models
    }
    return Lock(
        package,
        package_version,
        dict(tools) if tools is not None else toolchain(),
        dict(sorted(documents.items())),
        models,
        texts,
        entry_schema_digest(),
        dict(sorted(store.items())),
        frozenset(reused_store - store.keys()),
        digests_of,
    )


def lock_text(lock: Lock) -> str:
    """JSON with one line per model: diffs show which models moved, and it writes fast at 500 models."""
    head = {
        "cardgen_lock": LOCK_FORMAT,
        "documents": lock.documents,
        "entry_schema": lock.entry_schema,
        "entry_texts": lock.entry_texts,
        "package": lock.package,
        "toolchain": lock.toolchain,
        "version": lock.version,
    }
    # Document names are the providers' file names: any character (datatext.py).
    lines = [
        printable_json(json.dumps(head, indent=1, sort_keys=True, ensure_ascii=False))[:-2]
        + ',\n "models": {'
    ]
    models = sorted(lock.models.items())
    for index, (name, model) in enumerate(models):
        line = model.line or _model_line(name, model)
        lines.append(line + ("," if index < len(models) - 1 else ""))
    lines.append(" }\n}\n")
    return "\n".join(lines)


def _model_line(name: str, model: ModelLock) -> str:
    body = {"entry": model.entry, "files": model.files, "key": model.key}
    return f"  {json.dumps(name)}: {json.dumps(body, sort_keys=True, ensure_ascii=False)}"


def read_lock(path: Path) -> Lock | None:
    """The lock a previous run wrote, or None (absent, unreadable or another format: start afresh).

    Its entries are read from the store beside it only when asked for. A lock of format 1 (entries
    inline) is read as well, so the version and changelog carry on from it.
    """
    try:
        text = path.read_text("utf-8")
    except OSError:
        return None
    head, models_at, rest = text.partition('\n "models": {\n')
    store: Mapping[str, str]
    try:
        data = json.loads(head.rstrip().removesuffix(",") + "}")
        lines = [line for line in rest.split("\n") if line.startswith('  "')]  # U+2028 may stand raw
        if not models_at or data.get("cardgen_lock") not in (1, LOCK_FORMAT):
            return None
        if data["cardgen_lock"] == 1:
            models, store = _read_format_1(lines)
        else:
            models, store = dict(_read_model_line(line) for line in lines), DirectoryStore(path.parent)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # not written by this version of cardgen: render everything afresh
    texts, schema = data.get("entry_texts", {}), data.get("entry_schema", "")
    if not isinstance(texts, dict) or not isinstance(schema, str):
        texts, schema = {}, ""  # then every entry is parsed and validated again
    described = (data["package"], data["version"], data["toolchain"], data["documents"])
    return Lock(*described, models, texts, schema, store)


def _read_model_line(line: str) -> tuple[str, ModelLock]:
    """One `  "name": {...}` line of the models section, kept verbatim for the next lock."""
    line = line.rstrip(",")
    ((name, model),) = json.loads("{" + line + "}").items()
    if not isinstance(model["entry"], str):
        raise TypeError(f"{name}: entry is not a digest")
    return name, ModelLock(model["entry"], model["key"], dict(model["files"]), line)


def _read_format_1(lines: list[str]) -> tuple[dict[str, ModelLock], dict[str, str]]:
    """Models of a lock that held each entry whole, their entries moved into a store in memory."""
    models: dict[str, ModelLock] = {}
    store: dict[str, str] = {}
    for line in lines:
        ((name, model),) = json.loads("{" + line.rstrip(",") + "}").items()
        digest, blobs = split_entry(model["entry"])
        store.update(blobs)
        models[name] = ModelLock(digest, model["key"], dict(model["files"]))
    return models, store


def footprint(files: Mapping[PurePosixPath, str]) -> dict[str, int]:
    """Bytes of the lock and of its store among a generated tree's files (`make bench` prints them)."""
    stored = [text.encode("utf-8") for path, text in files.items() if path.parent == STORE_DIR]
    return {
        "lock_bytes": len(files[LOCK_NAME].encode("utf-8")),
        "store_bytes": sum(map(len, stored)),
        "store_files": len(stored),
    }


def edited_by_hand(lock: Lock, out: Path, names: Iterable[str]) -> list[str]:
    """Of these output files, those that no longer hold what the lock says the run wrote into them."""
    written = {path: sha for model in lock.models.values() for path, sha in model.files.items()}
    edited = []
    for name in sorted(names):
        path = out / name
        if name in written and path.is_file() and sha256_text(path.read_bytes()) != written[name]:
            edited.append(name)
    return edited


def _cassettes(model: ModelLock) -> dict[str, str]:
    """The model's cassette files in the output, `tests/cassettes/...` -> sha256."""
    return {path: sha for path, sha in model.files.items() if path.startswith("tests/cassettes/")}


def why_stale(
    old: Lock | None,
    new: Lock,
    documents_now: Mapping[str, str],
    edited: Sequence[str] = (),
    foreign: Sequence[str] = (),
    stale: Sequence[str] | None = None,
) -> list[str]:
    """Where a difference between the committed tree and a fresh render comes from: every cause.

    edited: output files that no longer hold what the old lock says was written (edited_by_hand).
    foreign: extra files cardgen did not write there, which `cardgen generate` will not delete.
    stale: the files that differ from a fresh render, but foreign ones (None: some do).
    """
    if old is None:
        return ["no cardgen.lock: the tree was never generated, or was generated by hand"]
    reasons = []
    changed_docs = sorted(p for p, sha in documents_now.items() if old.documents.get(p) not in (None, sha))
    ingested = [p for p in changed_docs if new.documents.get(p) == documents_now[p]]  # in the catalog now
    if ingested:
        reasons.append(
            f"documents changed since generation: {', '.join(ingested)}; the catalog has them (run `cardgen generate`)"
        )
    if pending := [p for p in changed_docs if p not in ingested]:
        reasons.append(
            f"documents changed since generation: {', '.join(pending)}"
            " (run `cardgen ingest`, then `cardgen generate`)"
        )
    tools = old.moved_tools(new.toolchain)
    if tools:
        moved = ", ".join(f"{k} {old.toolchain.get(k, '-')[:12]} -> {new.toolchain[k][:12]}" for k in tools)
        reasons.append(f"toolchain changed: {moved}")
    if old.package != new.package:
        reasons.append(
            f"generated as the package `{old.package}`, rendered now as `{new.package}` "
            f"(`--package {old.package}` renders it as it was)"
        )
    added = sorted(set(new.models) - set(old.models))
    removed = sorted(set(old.models) - set(new.models))
    changed = sorted(
        n for n in set(new.models) & set(old.models) if new.models[n].entry != old.models[n].entry
    )
    for label, names in (("added", added), ("removed", removed), ("changed", changed)):
        if names:
            reasons.append(f"catalog entries {label}: {', '.join(names)}")
    if not tools and old.package == new.package:
        # Same entry, toolchain and package, yet another key: the model's recordings (its cassettes'
        # files differ), else the catalog's path (every file's header names it).
        rekeyed = [
            n
            for n in sorted(set(new.models) & set(old.models))
            if n not in changed and new.models[n].key != old.models[n].key
        ]
        recorded = [n for n in rekeyed if _cassettes(new.models[n]) != _cassettes(old.models[n])]
        if recorded:
            reasons.append(f"recordings changed for: {', '.join(recorded)} (run `cardgen generate`)")
        if relabeled := [n for n in rekeyed if n not in recorded]:
            reasons.append(
                f"rendered from another catalog path (named in each file's header): {', '.join(relabeled)}"
            )
    if edited:
        reasons.append(f"generated files edited by hand since generation: {', '.join(edited)}")
    if not reasons and (stale is None or stale):
        reasons.append("generated files were edited by hand (the lock matches a fresh render)")
    if foreign:
        reasons.append(
            f"files cardgen did not write: {', '.join(foreign)} (move them away: `cardgen generate` "
            "leaves them, and refuses to write beside them)"
        )
    return reasons
