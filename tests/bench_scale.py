"""Synthetic source folders for `make bench`: the fixture catalogs' model documents, cloned.

Clone i of a seed document names the model `<its id>-c<i:04d>` and carries `Clone i.` in a
description inside its input schema, so each clone ingests into an entry of its own whose schema is
its own. Seeds are the model documents of tests/fixtures/catalogs/: Cloudflare's JSON documents,
each in the three formats that folder holds (JSON, docs page, front-matter page, the latter two
written as its build.py writes them), and Dataoorts' and Segmind's pages, cloned as text (the model
id replaced, the mark put into a parameter's description; a Dataoorts page without a hyper-parameter
table gets one, with one optional `clone_label`). Overlays follow their model. Providers take turns, so
even a small catalog holds all three.
"""

from __future__ import annotations

import copy
import importlib.util
import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

from generator.catalog.entry import CatalogEntry
from generator.diagnostics import has_errors
from generator.ingest.pipeline import IngestInputs, ingest
from tests.conftest import FIXTURES

CATALOGS = FIXTURES / "catalogs"
SOURCES = PurePosixPath("catalog/sources")  # where `cardgen ingest` looks, from the project root
OVERLAYS = PurePosixPath("catalog/overlays")
HYPER_HEADING = re.compile(r"^#+ .*hyper-?parameters.*$", re.IGNORECASE | re.MULTILINE)
TABLE_ROW = re.compile(r"^\| *([A-Za-z_]\w*) *\| *(.*?) *\|$", re.MULTILINE)
ADDED_TABLE = (
    "\n### You can include additional hyperparameters as optional settings:\n\n"
    "| clone_label | {mark} A label kept with the request, default none |\n|------|------|\n"
)

Files = dict[PurePosixPath, str]


@dataclass(frozen=True)
class Seed:
    """One model document and how to clone it under index i."""

    provider: str
    name: str
    clone: Callable[[int], Files]


def mark(index: int) -> str:
    return f"Clone {index}."


def synthetic_sources(size: int) -> Files:
    """`size` model documents (and their overlays), by path from the project root."""
    seeds = all_seeds()
    files: Files = {}
    for index in range(size):
        files.update(seeds[index % len(seeds)].clone(index))
    return files


def write_files(root: Path, files: Files) -> None:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")


def edit_one(root: Path, files: Files, edit: int = 1) -> PurePosixPath:
    """Change clone 0's schema description in its source document (each edit number to its own
    text); return that document's path."""
    path = next(p for p in sorted(files) if p.is_relative_to(SOURCES) and mark(0) in files[p])
    (root / path).write_text(files[path].replace(mark(0), f"Clone 0, edit {edit}."), "utf-8")
    return path


def edit_outside_schemas(root: Path, files: Files, edit: int = 1) -> PurePosixPath:
    """Change clone 0's model description, outside its schemas (clone 0 is a Cloudflare JSON
    document); return that document's path."""
    path = next(p for p in sorted(files) if p.is_relative_to(SOURCES) and mark(0) in files[p])
    model = json.loads(files[path])
    model["description"] = f"{model['description']} Edit {edit}."
    (root / path).write_text(json.dumps(model, indent=4, ensure_ascii=False) + "\n", "utf-8")
    return path


@cache
def all_seeds() -> tuple[Seed, ...]:
    """Every seed, the providers taking turns."""
    by_provider = [cloudflare_seeds(), text_seeds("dataoorts", _dataoorts), text_seeds("segmind", _segmind)]
    turns = itertools.zip_longest(*by_provider)
    return tuple(seed for turn in turns for seed in turn if seed is not None)


def cloudflare_seeds() -> list[Seed]:
    folder = CATALOGS / "cloudflare" / "sources" / "cloudflare"
    seeds = []
    for path in sorted(folder.glob("*.json")):
        model = json.loads(path.read_text("utf-8"))
        if not (isinstance(model, dict) and isinstance(model.get("schema"), dict)):
            continue  # a listing
        for form in ("json", "docs", "fm"):
            seeds.append(Seed("cloudflare", f"{form}:{path.name}", partial(_cloudflare, model, form)))
    return seeds


def _cloudflare(model: dict[str, Any], form: str, index: int) -> Files:
    model_id = f"{model['name']}-c{index:04d}"
    schema = copy.deepcopy(model["schema"])
    schema["input"]["description"] = " ".join(filter(None, [schema["input"].get("description"), mark(index)]))
    clone = {**model, "name": model_id, "schema": schema}
    stem, folder = model_id.rsplit("/", 1)[-1], SOURCES / "cloudflare"
    if form == "json":
        return {folder / f"{stem}.json": json.dumps(clone, indent=4, ensure_ascii=False) + "\n"}
    if form == "docs":
        return {folder / f"docs-{stem}.txt": _cloudflare_build().docs_page(clone, model_id)}
    return {folder / f"fm-{stem}.md": _cloudflare_build().front_matter_page(clone, model_id)}


@cache
def _cloudflare_build() -> ModuleType:
    """tests/fixtures/catalogs/cloudflare/build.py, which writes the older formats from a JSON document."""
    path = CATALOGS / "cloudflare" / "build.py"
    spec = importlib.util.spec_from_file_location("cloudflare_fixture_build", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def text_seeds(provider: str, marked: Callable[[str, CatalogEntry, int], str]) -> list[Seed]:
    """A seed per document of the provider's fixture folder that ingests into an entry."""
    root = CATALOGS / provider
    result = ingest(IngestInputs.beside(root / "sources"))
    assert not has_errors(result.diagnostics), [d.render() for d in result.diagnostics]
    return [
        Seed(provider, entry.provenance.source.path, partial(_text_clone, root, entry, marked))
        for entry in sorted(result.catalog, key=lambda e: e.provenance.source.path)
    ]


def _text_clone(
    root: Path, entry: CatalogEntry, marked: Callable[[str, CatalogEntry, int], str], index: int
) -> Files:
    source = PurePosixPath(entry.provenance.source.path)  # sources/<provider>/<file>
    text = (root / source).read_text("utf-8")
    suffix = f"-c{index:04d}"
    cloned = marked(text.replace(entry.model_id, entry.model_id + suffix), entry, index)
    files = {SOURCES.parent / source.parent / f"{source.stem}{suffix}{source.suffix}": cloned}
    for overlay in entry.provenance.overlays:  # overlays/<provider>/<slug>.yaml
        path = PurePosixPath(overlay.path)
        files[OVERLAYS / path.parent.name / f"{entry.slug}{suffix.replace('-', '_')}.yaml"] = (
            root / path
        ).read_text("utf-8")
    return files


def _dataoorts(text: str, entry: CatalogEntry, index: int) -> str:
    """The mark first in the hyper-parameter table's first row; a table with it when there is none."""
    heading = HYPER_HEADING.search(text)
    if heading is None:
        return text.rstrip("\n") + "\n" + ADDED_TABLE.format(mark=mark(index))
    row = TABLE_ROW.search(text, heading.end())
    assert row is not None, f"{entry.provenance.source.path}: a hyper-parameter heading without a table"
    start = row.start(2)
    return f"{text[:start]}{mark(index)} {text[start:]}"


def _segmind(text: str, entry: CatalogEntry, index: int) -> str:
    """The mark after the first input-schema description the page states exactly once."""
    found = next((d for d in _descriptions(entry.input_schema) if text.count(d) == 1), None)
    assert found is not None, f"{entry.provenance.source.path}: no input description to mark"
    return text.replace(found, f"{found} {mark(index)}")


def _descriptions(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "description" and isinstance(value, str):
                yield value
            else:
                yield from _descriptions(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _descriptions(value)
