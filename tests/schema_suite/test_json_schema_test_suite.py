"""The official JSON-Schema-Test-Suite (draft 2020-12) through the real pipeline.

Each group's schema becomes the input schema of a model in a Cloudflare JSON document; all the
documents are ingested as one catalog, generated as one package and imported once. A group that
ingest refuses is listed in `refused.txt` with its reasons (the keyword and where); every other
group must generate, import, and agree with the suite on every test, in Python and in JSON mode.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from generator.catalog.store import Catalog
from generator.diagnostics import Level
from generator.generate import Previous, generate
from generator.ingest.pipeline import IngestInputs, ingest
from generator.render.model_types import model_types
from generator.render.render import RUNTIME_MODULE, RenderOptions
from tests.conftest import REPO, assert_snapshot

SUITE = REPO / "tests" / "fixtures" / "json-schema-test-suite"
REFUSED = Path(__file__).parent / "refused.txt"
PACKAGE = "suitesdk"
OUTPUT = {"type": "object", "properties": {"response": {"type": "string"}}}


@dataclass(frozen=True)
class Group:
    slug: str  # the model's name: `<file>-<index>`
    where: str  # `<file>.json #<index>: <description>`
    schema: Any
    tests: list[dict[str, Any]]


def _groups() -> list[Group]:
    groups = []
    for path in sorted(SUITE.glob("*.json")):
        for index, group in enumerate(json.loads(path.read_text("utf-8"))):
            slug = f"{re.sub(r'[^a-z0-9]+', '-', path.stem.lower())}-{index}"
            where = f"{path.name} #{index}: {group['description']}"
            groups.append(Group(slug, where, group["schema"], group["tests"]))
    return groups


def _document(group: Group) -> str:
    return json.dumps(
        {
            "name": f"@cf/suite/{group.slug}",
            "description": group.where,
            "task": {"name": "Text Generation"},
            "properties": [],
            "schema": {"input": group.schema, "output": OUTPUT},
        },
        indent=2,
    )


@dataclass
class Run:
    groups: list[Group]
    refused: dict[str, list[str]]  # slug -> ingest's errors, with file and line
    crashed: dict[str, str]  # slug -> how generate or import failed
    requests: dict[str, type[BaseModel]]  # slug -> the generated Request class


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    root = tmp_path_factory.mktemp("suite")
    groups = _groups()
    folder = root / "sources" / "cloudflare"
    folder.mkdir(parents=True)
    for group in groups:
        (folder / f"{group.slug}.json").write_text(_document(group), "utf-8")
    result = ingest(IngestInputs.beside(root / "sources"))
    refused: dict[str, list[str]] = {}
    for diagnostic in result.diagnostics:
        if diagnostic.level is Level.ERROR:
            slug = PurePosixPath(diagnostic.file).stem
            refused.setdefault(slug, []).append(diagnostic.render())
    catalog = Catalog(tuple(e for e in result.catalog if _slug(e.model_id) not in refused))
    crashed: dict[str, str] = {}
    try:
        generation = generate(catalog, RenderOptions(package=PACKAGE), {}, Previous(None, None, _none))
    except Exception:  # find the groups that crash it, one by one, and generate the others
        crashed = _crashes(catalog)
        catalog = Catalog(tuple(e for e in catalog if _slug(e.model_id) not in crashed))
        generation = generate(catalog, RenderOptions(package=PACKAGE), {}, Previous(None, None, _none))
    out = root / "gen"
    for path, text in generation.files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text, "utf-8")
    sys.path.insert(0, str(out))
    try:
        requests = {}
        for entry in catalog:
            slug = _slug(entry.model_id)
            try:
                module = importlib.import_module(f"{PACKAGE}.types.cloudflare.{slug.replace('-', '_')}")
            except Exception as exc:
                crashed[slug] = f"import: {type(exc).__name__}: {exc}"
            else:
                requests[slug] = module.Request
        yield Run(groups, refused, crashed, requests)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _slug(model_id: str) -> str:
    return model_id.rsplit("/", 1)[-1]


def _crashes(catalog: Catalog) -> dict[str, str]:
    crashed = {}
    for entry in catalog:
        try:
            model_types(entry, RUNTIME_MODULE)
        except Exception as exc:
            crashed[_slug(entry.model_id)] = f"generate: {type(exc).__name__}: {exc}"
    return crashed


def _none(files: Mapping[str, str]) -> bool:
    return False  # no previous output


def _verdict(request: type[BaseModel], data: Any, json_mode: bool) -> bool | str:
    try:
        if json_mode:
            request.model_validate_json(json.dumps(data))
        else:
            request.model_validate(data)
    except ValidationError:
        return False
    except Exception as exc:  # anything but a validation error is a crash, and a disagreement
        return f"{type(exc).__name__}: {exc}"
    return True


def test_refused_groups_are_listed(run: Run) -> None:
    lines = []
    for group in run.groups:
        for message in run.refused.get(group.slug, []):
            lines.append(f"{group.where}\n    {message}\n")
    assert_snapshot(REFUSED, "".join(lines))


def test_every_group_is_refused_or_generated(run: Run) -> None:
    crashed = [f"{g.where}\n    {run.crashed[g.slug]}" for g in run.groups if g.slug in run.crashed]
    assert not crashed, f"{len(crashed)} groups not refused crash:\n" + "\n".join(crashed)
    missing = [g.where for g in run.groups if g.slug not in run.refused and g.slug not in run.requests]
    assert not missing, "neither refused nor generated:\n" + "\n".join(missing)


def test_generated_classes_agree_with_the_suite(run: Run) -> None:
    disagreements = []
    agreed = 0
    for group in run.groups:
        request = run.requests.get(group.slug)
        if request is None:
            continue
        for test in group.tests:
            for mode in ("python", "json"):
                verdict = _verdict(request, test["data"], mode == "json")
                if verdict is test["valid"]:
                    agreed += 1
                    continue
                disagreements.append(
                    f"{group.where} / {test['description']} ({mode} mode): "
                    f"instance {json.dumps(test['data'])[:200]}, suite says "
                    f"{'valid' if test['valid'] else 'invalid'}, class says {verdict!r}"
                )
    assert not disagreements, f"{len(disagreements)} disagreements ({agreed} agree):\n" + "\n".join(
        disagreements
    )
