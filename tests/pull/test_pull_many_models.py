"""Issue #17's measure: a served catalog of several hundred models, pulled, then changed upstream.

The 14 model documents of tests/fixtures/catalogs/cloudflare are served again and again under
numbered ids (`@cf/cardgen/chat-tiny-007`, 300 in all). Pulled into an empty folder, every model
is there, a second pull rewrites nothing and `--check` is clean. Then the server changes one
model, adds one and drops one: `pull --check` names exactly those three, and once pulled and
ingested `cardgen diff OLD NEW` names exactly those three.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from generator.backend.server import BackendHandle, running_backend
from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog
from generator.cli import cli
from generator.diagnostics import has_errors
from generator.ingest.pipeline import IngestInputs, ingest
from generator.pull import cloudflare
from tests.conftest import FIXTURES

pytestmark = pytest.mark.long_file  # started first: see tests/conftest.py

JSON_FIXTURES = FIXTURES / "catalogs" / "cloudflare" / "sources" / "cloudflare"
SIZE = 300
ENV = {"CLOUDFLARE_AUTH_TOKEN": "test-token", "CLOUDFLARE_ACCOUNT_ID": "acct"}
WORDS = ("changed ", "appeared ", "disappeared ")  # the lines `pull --check` starts with
CHANGED, ADDED, REMOVED = "@cf/cardgen/speak-1-003", "@cf/cardgen/newcomer", "@cf/cardgen/paint-xl-010"


def model_documents() -> list[tuple[str, dict[str, Any]]]:
    """The fixture's Cloudflare JSON model documents (not its listings), by file stem."""
    found = []
    for path in sorted(JSON_FIXTURES.glob("*.json")):
        document = json.loads(path.read_text("utf-8"))
        if isinstance(document, dict) and isinstance(document.get("schema"), dict):
            found.append((path.stem, document))
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    folder = tmp_path_factory.mktemp("served") / "sources" / "cloudflare"
    folder.mkdir(parents=True)
    documents = model_documents()
    for index in range(SIZE):
        stem, document = documents[index % len(documents)]
        number = f"{index // len(documents):03d}"
        renamed = {**document, "name": f"{document['name']}-{number}"}
        (folder / f"{stem}-{number}.json").write_text(json.dumps(renamed, indent=4) + "\n", "utf-8")
    result = ingest(IngestInputs.beside(folder.parent))
    assert not has_errors(result.diagnostics), [d.render() for d in result.diagnostics]
    assert len(result.catalog) == SIZE
    return result.catalog


@pytest.fixture
def backend(served: Catalog) -> Iterator[BackendHandle]:
    with running_backend(served) as handle:
        yield handle


def upstream_changes(catalog: Catalog) -> Catalog:
    """One model's description changed, one model added (a copy under a new id), one removed."""
    entries: dict[str, CatalogEntry] = {e.model_id: e for e in catalog if e.model_id != REMOVED}
    entries[CHANGED] = entries[CHANGED].model_copy(update={"description": "Now speaks more slowly."})
    base = entries["@cf/cardgen/chat-tiny-000"]
    attributes = {k: v for k, v in base.attributes.items() if k != "cloudflare_model_uuid"}
    entries[ADDED] = base.model_copy(update={"model_id": ADDED, "slug": "newcomer", "attributes": attributes})
    return Catalog(tuple(sorted(entries.values(), key=lambda e: e.key)))


def run(*argv: str) -> Result:
    return CliRunner().invoke(cli, list(argv), env=ENV, catch_exceptions=False)


def pull(backend: BackendHandle, sources: Path, *args: str) -> Result:
    return run("pull", "cloudflare", "--sources", str(sources), "--base-url", backend.url, *args)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) for p in folder.iterdir()}


def test_every_model_is_pulled_and_a_second_pull_rewrites_nothing(
    backend: BackendHandle, served: Catalog, tmp_path: Path
) -> None:
    sources = tmp_path / "sources"
    first = pull(backend, sources)
    assert first.exit_code == 0, first.output
    assert (
        f"wrote 0 changed and {SIZE} new, 0 unchanged, 0 gone upstream (0 removed), 0 failed" in first.output
    )
    assert set(cloudflare.documents_in(sources / "cloudflare")) == {e.model_id for e in served}
    before = snapshot(sources / "cloudflare")
    assert len(before) == SIZE

    again = pull(backend, sources)

    assert again.exit_code == 0, again.output
    assert f"wrote 0 changed and 0 new, {SIZE} unchanged, 0 gone upstream" in again.output
    assert snapshot(sources / "cloudflare") == before
    checked = pull(backend, sources, "--check")
    assert checked.exit_code == 0, checked.output


def test_check_and_diff_name_exactly_the_changed_added_and_removed_models(
    backend: BackendHandle, served: Catalog, tmp_path: Path
) -> None:
    sources, old, new = tmp_path / "sources", tmp_path / "old", tmp_path / "new"
    assert pull(backend, sources).exit_code == 0
    assert run("ingest", "--sources", str(sources), "--catalog", str(old)).exit_code == 0

    with running_backend(upstream_changes(served)) as changed_server:
        checked = pull(changed_server, sources, "--check")
        assert checked.exit_code == 1
        lines = [line.strip() for line in checked.output.splitlines()]
        named = [line.split()[:2] for line in lines if line.startswith(WORDS)]
        assert sorted(named) == [["appeared", ADDED], ["changed", CHANGED], ["disappeared", REMOVED]]
        pruned = pull(changed_server, sources, "--prune")
        assert pruned.exit_code == 0, pruned.output

    shutil.copytree(old, new)  # as a user keeps the last catalog: ingest reads again only what changed
    assert run("ingest", "--sources", str(sources), "--catalog", str(new)).exit_code == 0
    diff = run("diff", str(old), str(new), "--format", "json")
    assert diff.exit_code == 1  # a removed model breaks its callers
    statuses = {model["model_id"]: model["status"] for model in json.loads(diff.output)["models"]}
    assert statuses == {CHANGED: "changed", ADDED: "added", REMOVED: "removed"}
