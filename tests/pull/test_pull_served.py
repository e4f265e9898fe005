"""`cardgen pull` end to end against `cardgen serve`: a served catalog pulled into an empty folder.

The served catalog is tests/fixtures/catalogs/cloudflare's JSON documents, ingested. "The pulled
catalog equals the served one" means: ingesting the pulled folder gives, for every served model
and no other, an entry equal in every field but `provenance` (file names, hashes and line numbers
are the pulled documents' own): model id, slug, display name, description, task, tags, flags,
attributes, limits, pricing, endpoint, auth, request, response, streaming, input and output
schemas, errors and examples.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from generator.backend import published
from generator.backend.server import BackendHandle, running_backend
from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog
from generator.cli import cli
from generator.diagnostics import has_errors
from generator.ingest.pipeline import IngestInputs, ingest
from generator.pull import cloudflare, fetch
from tests.conftest import FIXTURES

JSON_FIXTURES = FIXTURES / "catalogs" / "cloudflare" / "sources" / "cloudflare"
ENV = {"CLOUDFLARE_AUTH_TOKEN": "test-token", "CLOUDFLARE_ACCOUNT_ID": "acct"}


def _ingested(sources: Path) -> Catalog:
    result = ingest(IngestInputs.beside(sources))
    assert not has_errors(result.diagnostics), [d.render() for d in result.diagnostics]
    return result.catalog


@pytest.fixture(scope="module")
def served_catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    folder = tmp_path_factory.mktemp("served") / "sources" / "cloudflare"
    folder.mkdir(parents=True)
    for path in sorted(JSON_FIXTURES.glob("*.json")):
        shutil.copy(path, folder / path.name)
    return _ingested(folder.parent)


@pytest.fixture
def backend(served_catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> Iterator[BackendHandle]:
    monkeypatch.setattr(fetch, "BACKOFF", 0.0)
    monkeypatch.setattr(cloudflare, "PER_PAGE", 5)  # 14 models: three pages
    with running_backend(served_catalog) as handle:
        yield handle


def pull(backend: BackendHandle, sources: Path, *args: str) -> Result:
    argv = ["pull", "cloudflare", "--sources", str(sources), "--base-url", backend.url, *args]
    return CliRunner().invoke(cli, argv, env=ENV, catch_exceptions=False)


def comparable(entry: CatalogEntry) -> dict[str, Any]:
    return entry.model_dump(mode="json", exclude={"provenance"})


def test_a_pulled_catalog_ingests_into_the_served_one(
    backend: BackendHandle, served_catalog: Catalog, tmp_path: Path
) -> None:
    done = pull(backend, tmp_path / "sources")
    assert done.exit_code == 0, done.output
    pulled = {e.model_id: comparable(e) for e in _ingested(tmp_path / "sources")}
    served = {e.model_id: comparable(e) for e in served_catalog}
    assert len(served) == 14
    assert pulled == served
    assert "[14/14] @cf/cardgen/translate-m" in done.output


def test_a_second_pull_writes_nothing(backend: BackendHandle, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    assert pull(backend, sources).exit_code == 0
    before = {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in (sources / "cloudflare").iterdir()}
    again = pull(backend, sources)
    after = {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in (sources / "cloudflare").iterdir()}
    assert again.exit_code == 0, again.output
    assert after == before
    assert "wrote 0 changed and 0 new, 14 unchanged, 0 gone upstream" in again.output
    assert pull(backend, sources, "--check").exit_code == 0


def test_documents_are_cloudflare_json_with_fixed_key_order(backend: BackendHandle, tmp_path: Path) -> None:
    assert pull(backend, tmp_path / "sources", "--model", "@cf/cardgen/chat-*").exit_code == 0
    text = (tmp_path / "sources" / "cloudflare" / "chat-tiny.json").read_text("utf-8")
    document = json.loads(text)
    assert list(document) == list(cloudflare.KEYS)
    assert text == json.dumps(document, indent=4, ensure_ascii=False) + "\n"
    assert sorted(p.name for p in (tmp_path / "sources" / "cloudflare").iterdir()) == [
        "chat-1b-instruct.json",
        "chat-tiny.json",
    ]


def test_check_lists_changed_appeared_and_disappeared(backend: BackendHandle, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    folder = sources / "cloudflare"
    assert pull(backend, sources).exit_code == 0
    changed = json.loads((folder / "speak-1.json").read_text("utf-8"))
    changed["description"] = "Something else."
    (folder / "speak-1.json").write_text(json.dumps(changed), "utf-8")
    (folder / "hear-base.json").unlink()
    gone = {**changed, "name": "@cf/cardgen/retired"}
    (folder / "retired.json").write_text(json.dumps(gone), "utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    checked = pull(backend, sources, "--check")

    assert checked.exit_code == 1
    assert "changed      @cf/cardgen/speak-1 (speak-1.json)" in checked.output
    assert "appeared     @cf/cardgen/hear-base (hear-base.json)" in checked.output
    assert "disappeared  @cf/cardgen/retired (retired.json)" in checked.output
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before

    kept = pull(backend, sources)
    assert kept.exit_code == 0, kept.output
    assert (folder / "retired.json").is_file()
    assert "1 gone upstream, kept (remove them with --prune)" in kept.output
    assert pull(backend, sources, "--prune").exit_code == 0
    assert not (folder / "retired.json").exists()
    assert pull(backend, sources, "--check").exit_code == 0


def test_a_model_glob_that_matches_nothing_upstream_or_held_is_exit_2_not_a_green_check(
    backend: BackendHandle, tmp_path: Path
) -> None:
    sources = tmp_path / "sources"
    assert pull(backend, sources).exit_code == 0
    for extra in ([], ["--check"]):
        typo = pull(backend, sources, "--model", "@cf/cardgen/nomatch*", *extra)
        assert typo.exit_code == 2, typo.output
        assert "Invalid value for --model: '@cf/cardgen/nomatch*' matches no cloudflare model" in typo.output
        assert "pulled 0" not in typo.output
    # a glob that names only a document held in the folder is a model gone upstream: a pull as asked
    held = json.loads((sources / "cloudflare" / "speak-1.json").read_text("utf-8"))
    (sources / "cloudflare" / "retired.json").write_text(
        json.dumps({**held, "name": "@cf/x/retired"}), "utf-8"
    )
    gone = pull(backend, sources, "--model", "@cf/x/*", "--check")
    assert gone.exit_code == 1 and "disappeared  @cf/x/retired (retired.json)" in gone.output


def test_model_given_twice_pulls_the_models_of_both_and_a_glob_of_nothing_is_refused(
    backend: BackendHandle, tmp_path: Path
) -> None:
    sources = tmp_path / "sources"
    both = pull(backend, sources, "--model", "@cf/cardgen/speak-*", "--model", "@cf/cardgen/hear-*")
    assert both.exit_code == 0, both.output
    assert sorted(p.name for p in (sources / "cloudflare").iterdir()) == ["hear-base.json", "speak-1.json"]
    typo = pull(backend, sources, "--model", "@cf/cardgen/haer-*", "--model", "@cf/cardgen/speak-*")
    assert typo.exit_code == 2, typo.output
    assert "Invalid value for --model: '@cf/cardgen/haer-*' matches no cloudflare model" in typo.output


def test_a_document_kept_in_another_form_is_not_drift_and_stays_as_it_is(
    backend: BackendHandle, tmp_path: Path
) -> None:
    """Indented otherwise, keys in another order, no final newline: the same document, not rewritten."""
    sources = tmp_path / "sources"
    assert pull(backend, sources).exit_code == 0
    path = sources / "cloudflare" / "speak-1.json"
    document = json.loads(path.read_text("utf-8"))
    reordered = json.dumps(dict(reversed(list(document.items()))), indent=2, ensure_ascii=True)
    path.write_text(reordered, "utf-8")

    checked = pull(backend, sources, "--check")
    again = pull(backend, sources)

    assert checked.exit_code == 0, checked.output
    assert again.exit_code == 0, again.output
    assert "wrote 0 changed and 0 new, 14 unchanged" in again.output
    assert path.read_text("utf-8") == reordered


def test_a_failing_model_is_reported_and_the_others_are_written(
    backend: BackendHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    assert pull(backend, sources).exit_code == 0
    stale = json.loads((sources / "cloudflare" / "speak-1.json").read_text("utf-8"))
    (sources / "cloudflare" / "speak-1.json").write_text(json.dumps({**stale, "description": "old"}), "utf-8")
    (sources / "cloudflare" / "paint-xl.json").unlink()
    schema_of = published.schema_of

    def broken(entry: CatalogEntry) -> dict[str, Any]:
        if entry.model_id == "@cf/cardgen/embed-base-m3":
            raise RuntimeError("the schema store is down")
        return schema_of(entry)

    monkeypatch.setattr(published, "schema_of", broken)
    done = pull(backend, sources, "--prune")

    assert done.exit_code == 2  # a broken pull, not drift
    assert "error: cloudflare @cf/cardgen/embed-base-m3: GET " in done.output
    assert "HTTP 500" in done.output and "after 3 attempts" in done.output
    assert (sources / "cloudflare" / "paint-xl.json").is_file()
    assert json.loads((sources / "cloudflare" / "speak-1.json").read_text("utf-8")) == stale
    assert (sources / "cloudflare" / "embed-base-m3.json").is_file()  # failed, not gone: --prune keeps it


def test_a_model_that_fails_once_is_retried(
    backend: BackendHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema_of = published.schema_of
    failed: list[str] = []

    def flaky(entry: CatalogEntry) -> dict[str, Any]:
        if entry.model_id == "@cf/cardgen/rerank-base" and not failed:
            failed.append(entry.model_id)
            raise RuntimeError("once")
        return schema_of(entry)

    monkeypatch.setattr(published, "schema_of", flaky)
    done = pull(backend, tmp_path / "sources")
    assert done.exit_code == 0, done.output
    assert failed and (tmp_path / "sources" / "cloudflare" / "rerank-base.json").is_file()


def test_credentials_come_from_the_environment(backend: BackendHandle, tmp_path: Path) -> None:
    argv = ["pull", "cloudflare", "--sources", str(tmp_path), "--base-url", backend.url]
    done = CliRunner().invoke(cli, argv, env={"CLOUDFLARE_AUTH_TOKEN": "", "CLOUDFLARE_ACCOUNT_ID": ""})
    assert done.exit_code == 2
    assert "set CLOUDFLARE_AUTH_TOKEN and CLOUDFLARE_ACCOUNT_ID" in done.output


def test_a_listing_that_cannot_be_fetched_is_exit_2_not_drift(tmp_path: Path) -> None:
    """A drift monitor (`pull --check`) tells `1, something changed` from `2, the pull failed`."""
    argv = ["pull", "cloudflare", "--sources", str(tmp_path), "--base-url", "http://127.0.0.1:9", "--check"]
    done = CliRunner().invoke(cli, argv, env=ENV, catch_exceptions=False)
    assert done.exit_code == 2, done.output
    assert "pull cloudflare failed; nothing written" in done.output


@pytest.mark.parametrize(
    "given", [(), ("--model", "*", "--model", "*"), ("--model", "*", "--model", "@cf/*")]
)
def test_upstream_with_none_of_the_models_held_removes_nothing(
    backend: BackendHandle, tmp_path: Path, given: tuple[str, ...]
) -> None:
    """An empty listing (an outage, a wrong --base-url) is not "every model gone": nothing is
    written or pruned, and the pull fails (exit 2) rather than proposing to remove the catalog."""
    sources = tmp_path / "sources"
    assert pull(backend, sources).exit_code == 0
    before = {p.name: p.read_bytes() for p in (sources / "cloudflare").iterdir()}
    with running_backend(Catalog(())) as empty:
        done = pull(empty, sources, "--prune", *given)  # the whole provider, however many globs say so
    assert done.exit_code == 2, done.output
    assert f"upstream has none of the {len(before)} documents held" in done.output
    assert {p.name: p.read_bytes() for p in (sources / "cloudflare").iterdir()} == before
