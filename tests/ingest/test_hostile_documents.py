"""Hostile text in documents is carried only as data, through ingest and into the generated SDK.

The fixtures' descriptions, titles, defaults and enum values try to break out of Python string
literals and templates, running `touch cardgen_pwned` and printing CARDGEN_PWNED. Model ids that
try to leave the package (`../`, absolute paths) are refused by ingest, and again by generate.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.diagnostics import Level
from generator.ingest.pipeline import IngestInputs, ingest
from tests.conftest import FIXTURES, PROVIDERS, REPO, assert_snapshot

HOSTILE = FIXTURES / "hostile"
ACCEPTED = HOSTILE / "injection-carried-as-data"
REFUSED = HOSTILE / "model-id-not-a-safe-path"
CANARY_FILE = "cardgen_pwned"
CANARY_LINE = "CARDGEN_PWNED"

# Imports every module of the package, then prints what the hostile text became, as JSON.
PROBE = """
import importlib, inspect, json, pkgutil, sys
import modelsdk
for module in pkgutil.walk_packages(modelsdk.__path__, "modelsdk."):
    importlib.import_module(module.name)
found = {}
for slug in sys.argv[1:]:
    types = importlib.import_module(f"modelsdk.types.cloudflare.{slug}")
    found[slug] = {
        "request_doc": inspect.cleandoc(types.Request.__doc__),
        "response_default": types.Response.model_fields["response"].default,
        "style_enum": types.Request.model_json_schema()["properties"]["style"]["anyOf"][0]["enum"],
    }
print("PROBE" + json.dumps(found))
"""


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        check=False,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _cardgen(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run(["-m", "generator", *args], cwd, {"PYTHONPATH": str(REPO)})


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _hostile_texts() -> dict[str, str]:
    """slug -> the hostile text its document carries (its description)."""
    texts = {}
    for path in sorted((ACCEPTED / "sources" / "cloudflare").glob("*.md")):
        front = yaml.safe_load(path.read_text("utf-8").split("---\n")[1])
        texts[path.stem.replace("-", "_")] = front["model"]["description"]
    return texts


def test_unsafe_model_ids_are_refused_by_ingest() -> None:
    result = ingest(IngestInputs(REFUSED / "sources", PROVIDERS, REFUSED / "overlays"))
    shown = [d.render() for d in result.diagnostics if d.level >= Level.WARNING]
    assert_snapshot(REFUSED / "expected.txt", "\n".join(shown) + "\n")
    assert len(result.catalog) == 0


def test_hostile_text_is_accepted_as_data() -> None:
    result = ingest(IngestInputs(ACCEPTED / "sources", PROVIDERS, ACCEPTED / "overlays"))
    assert [d for d in result.diagnostics if d.level is Level.ERROR] == []
    by_slug = {entry.slug: entry for entry in result.catalog}
    for slug, text in _hostile_texts().items():
        assert by_slug[slug].description == text
        assert by_slug[slug].display_name == text
        assert by_slug[slug].input_schema["properties"]["prompt"]["default"] == text


def test_generated_sdk_holds_hostile_text_only_as_data(tmp_path: Path) -> None:
    work = tmp_path / "cwd"  # the current directory of every process: a canary written here is caught
    work.mkdir()
    catalog, out = tmp_path / "catalog" / "models", tmp_path / "out"
    ingested = _cardgen(
        work, "ingest", "--sources", str(ACCEPTED / "sources"), "--providers", str(PROVIDERS),
        "--overlays", str(ACCEPTED / "overlays"), "--catalog", str(catalog),
    )  # fmt: skip
    assert ingested.returncode == 0, ingested.stderr
    before = _tree(tmp_path)
    generated = _cardgen(work, "generate", "--catalog", str(catalog), "--out", str(out))
    assert generated.returncode == 0, generated.stderr
    written = _tree(tmp_path) - before
    assert written and all(p == "out" or p.startswith("out/") for p in written), written - {"out"}

    for path in out.rglob("*.py"):
        ast.parse(path.read_text("utf-8"), str(path))  # raises on any file that does not parse

    texts = _hostile_texts()
    probe = _run(["-c", PROBE, *texts], work, {"PYTHONPATH": str(out)})
    assert probe.returncode == 0, probe.stderr
    assert CANARY_LINE not in probe.stdout.splitlines()
    assert CANARY_LINE not in probe.stderr.splitlines()
    assert _tree(work) == set(), "importing the SDK wrote files"
    assert not any(p.name == CANARY_FILE for p in tmp_path.rglob("*"))
    found = json.loads(probe.stdout.split("PROBE", 1)[1])
    for slug, text in texts.items():
        assert found[slug]["response_default"] == text
        assert found[slug]["request_doc"] == "\n".join(line.strip() for line in text.splitlines())
        assert set(texts.values()) <= set(found[slug]["style_enum"])


@pytest.mark.parametrize("model_id", ["../../escape", "/tmp/escape", "@cf/a/../../../escape"])
def test_generate_refuses_an_unsafe_model_id_that_reached_the_catalog(tmp_path: Path, model_id: str) -> None:
    """A hand-edited catalog is not ingest's output: generate checks the id again."""
    work = tmp_path / "cwd"
    work.mkdir()
    catalog, out = tmp_path / "catalog" / "models", tmp_path / "out"
    ingested = _cardgen(
        work, "ingest", "--sources", str(ACCEPTED / "sources"), "--providers", str(PROVIDERS),
        "--overlays", str(ACCEPTED / "overlays"), "--catalog", str(catalog),
    )  # fmt: skip
    assert ingested.returncode == 0, ingested.stderr
    entry = next(catalog.rglob("*.yaml"))
    data = yaml.safe_load(entry.read_text("utf-8"))
    data["model_id"] = model_id
    entry.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    generated = _cardgen(work, "generate", "--catalog", str(catalog), "--out", str(out))
    assert generated.returncode == 1
    assert "is not a safe path" in generated.stderr
    assert not out.exists() or _tree(out) == set()
    assert _tree(work) == set()
