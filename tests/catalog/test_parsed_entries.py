"""Entries are parsed once: ingest leaves each entry's JSON beside the catalog, generate reads it back.

`<catalog>/.cardgen-cache/entries/` holds, by the sha256 of an entry file's text, the JSON of the
entry it gives. A generate run after an ingest then reads no YAML and imports no jsonschema;
one that had to parse (a catalog from git, an entry edited by hand) keeps what it parsed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from generator.catalog.parsed import PARSED_DIR, ParsedEntries, keep_parsed, parsed_folder
from generator.catalog.store import read_catalog
from tests.conftest import CATALOG_ROOT, REPO, cardgen

# `cardgen generate` in a fresh interpreter: did it import jsonschema, how many entry files did it parse?
CHILD = """
import json, sys
from generator.catalog import store
from generator.cli import cli

parsed = []
load = store.load_entry_yaml


def counted(text, origin):
    parsed.append(origin)
    return load(text, origin)


store.load_entry_yaml = counted
cli.main(sys.argv[1:] or ["generate"], standalone_mode=False)
print(json.dumps({"jsonschema": "jsonschema" in sys.modules, "parsed": len(parsed)}))
"""


def _project(root: Path) -> Path:
    for part in ("sources", "overlays", "recordings"):
        shutil.copytree(CATALOG_ROOT / part, root / "catalog" / part)
    return root


def _generate(root: Path, *command: str) -> dict[str, object]:
    """Run a cardgen command (generate unless told) in a fresh interpreter; what it parsed and imported."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *command],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def _digests(models: Path) -> dict[str, str]:
    return {
        path.relative_to(models).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(models.glob("*/*.yaml"))
    }


def test_generate_after_ingest_parses_no_entry_file(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cardgen(root, "ingest")
    models = root / "catalog" / "models"
    kept = ParsedEntries(models)
    assert set(kept) == set(_digests(models).values())
    by_yaml = read_catalog(models).catalog
    assert read_catalog(models, parsed=kept).catalog == by_yaml
    assert _generate(root) == {"jsonschema": False, "parsed": 0}


def test_generate_keeps_the_entries_it_parsed(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cardgen(root, "ingest")
    models = root / "catalog" / "models"
    shutil.rmtree(models / PARSED_DIR)  # a catalog as git gives it: nothing parsed yet
    first = _generate(root)
    assert first["parsed"] == len(_digests(models))
    edited = next(iter(sorted(models.glob("cloudflare/*.yaml"))))
    before = hashlib.sha256(edited.read_bytes()).hexdigest()
    data = yaml.safe_load(edited.read_text("utf-8"))
    data["description"] = "Edited by hand, ü."
    edited.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    assert _generate(root) == {"jsonschema": True, "parsed": 1}  # only the edited one, checked in full
    kept = ParsedEntries(models)
    assert set(kept) == set(_digests(models).values()) and before not in kept
    assert "Edited by hand, ü." in {e.description for e in read_catalog(models, parsed=kept).catalog}
    assert _generate(root) == {"jsonschema": False, "parsed": 0}


def test_damaged_or_foreign_json_is_not_taken(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cardgen(root, "ingest")
    models = root / "catalog" / "models"
    by_yaml = read_catalog(models).catalog
    folder = parsed_folder(models)
    files = sorted(folder.iterdir())
    files[0].write_text("{not json", "utf-8")
    files[1].write_text(json.dumps({"provider": 3}), "utf-8")
    assert read_catalog(models, parsed=ParsedEntries(models)).catalog == by_yaml
    # Another version of the catalog code wrote these: they are neither read nor kept.
    foreign = folder.parent / "other-catalog-code"
    folder.rename(foreign)
    assert len(ParsedEntries(models)) == 0
    keep_parsed(models, read_catalog(models).parsed)
    assert not foreign.exists() and set(ParsedEntries(models)) == set(_digests(models).values())


def test_only_the_entries_given_are_kept(tmp_path: Path) -> None:
    models = tmp_path / "models"
    keep_parsed(models, {"a" * 64: '{"x": 1}', "b" * 64: lambda: '{"x": 2}', "c" * 64: lambda: None})
    kept = ParsedEntries(models)
    assert dict(kept) == {"a" * 64: '{"x": 1}', "b" * 64: '{"x": 2}'}  # None: JSON does not give it back

    def never() -> str:
        raise AssertionError("an entry kept already is not dumped again")

    keep_parsed(models, {"b" * 64: never})
    assert dict(ParsedEntries(models)) == {"b" * 64: '{"x": 2}'}  # the rest: no longer in the catalog


def test_a_damaged_file_is_written_again(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cardgen(root, "ingest")
    models = root / "catalog" / "models"
    damaged = sorted(parsed_folder(models).iterdir())[0]
    good = damaged.read_text("utf-8")
    damaged.write_text('{"provider": 3}', "utf-8")
    assert _generate(root)["parsed"] == 1  # that entry's file, parsed instead
    assert damaged.read_text("utf-8") == good
    assert _generate(root) == {"jsonschema": False, "parsed": 0}


def test_ingest_says_when_the_parsed_entries_cannot_be_kept(tmp_path: Path) -> None:
    root = _project(tmp_path)
    entries = root / "catalog" / "models" / PARSED_DIR
    entries.parent.mkdir(parents=True)
    entries.write_text("a file where the parsed entries go", "utf-8")
    done = cardgen(root, "ingest")
    assert "warning: could not keep the parsed entries in" in done.stderr
    assert "generate parses them again" in done.stderr
    assert sorted((root / "catalog" / "models").glob("*/*.yaml"))  # the catalog is written all the same
    assert keep_parsed(root / "catalog" / "models", {"0" * 64: "{}"}) is not None
    entries.unlink()
    assert keep_parsed(root / "catalog" / "models", {"0" * 64: "{}"}) is None


def test_every_command_that_loads_the_catalog_reads_what_was_parsed(tmp_path: Path) -> None:
    """`cardgen catalog` (and record, serve, conform's backend, diff of a folder) after an ingest parses
    no entry file: ~1.3 s less at 500 models. An entry edited by hand is parsed, as it must be."""
    root = _project(tmp_path)
    cardgen(root, "ingest")
    assert _generate(root, "catalog", "--format", "json") == {"jsonschema": False, "parsed": 0}
    models = root / "catalog" / "models"
    edited = next(iter(sorted(models.glob("cloudflare/*.yaml"))))
    data = yaml.safe_load(edited.read_text("utf-8"))
    data["description"] = "Edited by hand."
    edited.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    assert _generate(root, "catalog") == {"jsonschema": True, "parsed": 1}
    listed = cardgen(root, "catalog", "--format", "json").stdout
    assert "Edited by hand." in listed
