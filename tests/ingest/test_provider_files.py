"""A project's `providers/<provider>.yaml`: the defaults for what documents leave out, never over what they state."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner, Result

from generator.cli import cli
from tests.conftest import FIXTURES

CATALOGS = FIXTURES / "catalogs"
GATEWAY = "https://gateway.example.com"


def _project(root: Path, provider: str, pages: list[str], provider_file: str) -> Path:
    """Fixture pages of one provider under root/sources, and root/providers/<provider>.yaml."""
    folder = root / "sources" / provider
    folder.mkdir(parents=True)
    for page in pages:
        shutil.copy(CATALOGS / provider / "sources" / provider / page, folder / page)
    (root / "providers").mkdir()
    (root / "providers" / f"{provider}.yaml").write_text(provider_file, "utf-8")
    return root


def _ingest(root: Path, *extra: str) -> Result:
    args = ["--sources", str(root / "sources"), "--catalog", str(root / "models"), *extra]
    return CliRunner().invoke(cli, ["ingest", *args])


def _said(outcome: Result, level: str) -> list[str]:
    return [line for line in outcome.stderr.splitlines() if f": {level}: " in line]


def test_a_provider_file_a_document_overrides_is_a_warning_not_silence(tmp_path: Path) -> None:
    """Every Dataoorts page states its URL: the file's base_url is used by none of them, and says so."""
    provider_file = f"provider: dataoorts\nstreaming:\n  supported: false\nendpoint:\n  base_url: {GATEWAY}\n"
    root = _project(tmp_path, "dataoorts", ["whisper.md"], provider_file)
    outcome = _ingest(root)
    assert outcome.exit_code == 0, outcome.output
    [warned] = _said(outcome, "warning")
    assert warned.endswith(
        "whisper.md:43: warning: endpoint.base_url is 'https://cloud.dataoorts.com' here, and "
        f"providers/dataoorts.yaml:5 sets '{GATEWAY}': a value a document states wins over the provider "
        "file, which only fills in what documents leave out; remove it there, or patch this model with an overlay"
    )
    entry = yaml.safe_load((root / "models" / "dataoorts" / "whisper.yaml").read_text("utf-8"))
    assert entry["endpoint"]["base_url"] == "https://cloud.dataoorts.com"
    assert entry["streaming"]["supported"] is False  # what the page leaves out, the file supplies
    assert _ingest(root, "--strict").exit_code == 1  # answered by removing it there, or by an overlay


def test_a_shared_value_split_by_the_provider_file_says_where_each_side_came_from(tmp_path: Path) -> None:
    """A docs page states Cloudflare's host; two front-matter pages take the file's: which documents
    state the value and which took it from the file, and the advice is not "set it in providers/"."""
    pages = ["docs-caption-small.txt", "fm-classify-50.md", "fm-detect-50.md"]
    root = _project(
        tmp_path, "cloudflare", pages, f"provider: cloudflare\nendpoint:\n  base_url: {GATEWAY}\n"
    )
    outcome = _ingest(root)
    assert outcome.exit_code == 1, outcome.output
    [refused] = [line for line in _said(outcome, "error") if "client holds it" in line]
    assert refused.split(": error: ")[1] == (
        "@cf/cardgen/caption-small-docs: endpoint.base_url is 'https://api.cloudflare.com' here (stated by "
        f"this document) but '{GATEWAY}' in sources/cloudflare/fm-classify-50.md, sources/cloudflare/"
        "fm-detect-50.md (from providers/cloudflare.yaml); one cloudflare client holds it for all its models: "
        "a value a document states wins over providers/cloudflare.yaml, which only fills in what documents "
        "leave out: set it there as the documents state it, or remove it there (to call another host, give "
        "the generated client `base_url=` or its `<PROVIDER>_BASE_URL` at run time)"
    )
    assert refused.split(": error: ")[0].endswith("docs-caption-small.txt:8")
    [warned] = _said(outcome, "warning")  # the file's value, unused for the page that states its own
    assert (
        "docs-caption-small.txt:8: warning: endpoint.base_url is 'https://api.cloudflare.com' here" in warned
    )

    (root / "providers" / "cloudflare.yaml").write_text("provider: cloudflare\n", "utf-8")  # as advised
    assert _ingest(root).exit_code == 0


def test_a_provider_file_that_agrees_with_the_documents_says_nothing(tmp_path: Path) -> None:
    pages = ["docs-caption-small.txt", "fm-classify-50.md"]
    same = "provider: cloudflare\nendpoint:\n  base_url: https://api.cloudflare.com\n"
    outcome = _ingest(_project(tmp_path, "cloudflare", pages, same), "--strict")
    assert outcome.exit_code == 0, outcome.output
