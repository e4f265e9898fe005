"""Each bad-document fixture triggers its diagnostics, with file and line, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.diagnostics import Level, has_errors
from generator.ingest.pipeline import IngestInputs, ingest
from tests.conftest import FIXTURES, PROVIDERS, assert_snapshot

BAD = sorted(p for p in (FIXTURES / "bad").iterdir() if p.is_dir())
ONLY_WARNS = {"example-does-not-fit-schema", "schema-generator-directive"}


def _inputs(fixture: Path) -> IngestInputs:
    return IngestInputs(fixture / "sources", PROVIDERS, fixture / "overlays")


@pytest.mark.parametrize("fixture", BAD, ids=[p.name for p in BAD])
def test_diagnostics_match_snapshot(fixture: Path) -> None:
    result = ingest(_inputs(fixture))
    shown = [d.render() for d in result.diagnostics if d.level >= Level.WARNING]
    assert_snapshot(fixture / "expected.txt", "\n".join(shown) + "\n")
    assert has_errors(result.diagnostics) is (fixture.name not in ONLY_WARNS)


@pytest.mark.parametrize("fixture", [p for p in BAD if p.name not in ONLY_WARNS], ids=lambda p: p.name)
def test_errors_leave_the_catalog_untouched(fixture: Path, tmp_path: Path) -> None:
    catalog = tmp_path / "models"
    (catalog / "cloudflare").mkdir(parents=True)
    previous = catalog / "cloudflare" / "kept.yaml"
    previous.write_text("the previous catalog\n", "utf-8")
    args = [
        "ingest",
        "--sources",
        str(fixture / "sources"),
        "--providers",
        str(PROVIDERS),
        "--overlays",
        str(fixture / "overlays"),
        "--catalog",
        str(catalog),
    ]
    outcome = CliRunner().invoke(cli, args)
    assert outcome.exit_code == 1, outcome.output
    assert "nothing written" in outcome.output
    assert sorted(p.name for p in catalog.rglob("*")) == ["cloudflare", "kept.yaml"]
    assert previous.read_text("utf-8") == "the previous catalog\n"
