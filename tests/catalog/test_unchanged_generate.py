"""A no-op `cardgen generate` is proved from digests; anything changed since makes it a normal run."""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from generator.catalog import entry_format
from generator.catalog.store import exact_json, read_catalog
from generator.cli import cli
from generator.unchanged import CACHE_DIR, STATE_NAME, Record

NOOP = "0 written, 0 removed"


@pytest.fixture
def project(tmp_path: Path, seed_project: Path) -> Path:
    shutil.copytree(seed_project / "catalog", tmp_path / "catalog")
    shutil.copytree(seed_project / "generated", tmp_path / "generated")
    return tmp_path


def _generate(root: Path, *extra: str) -> Result:
    with contextlib.chdir(root):  # as the seed project was generated: headers name catalog/models
        return CliRunner().invoke(cli, ["generate", *extra])


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and CACHE_DIR not in p.parts
    }


def _noop(root: Path) -> Result:
    """A run proved a no-op: it does not even say it is rendering."""
    outcome = _generate(root)
    assert outcome.exit_code == 0, outcome.output
    assert NOOP in outcome.stdout and "rendering" not in outcome.stderr, outcome.output
    return outcome


def test_a_second_run_is_proved_unchanged_and_says_what_a_full_one_does(project: Path) -> None:
    assert _generate(project).exit_code == 0  # brings the seed's output up to date and records it
    (project / "generated" / CACHE_DIR / STATE_NAME).unlink()
    normal = _generate(project)  # nothing changed, found the long way: it renders
    assert "rendering" in normal.stderr and NOOP in normal.stdout, normal.output
    assert (project / "generated" / CACHE_DIR / STATE_NAME).is_file()
    before = _tree(project / "generated")
    again = _noop(project)
    assert again.stdout.split(" (")[0] == normal.stdout.split(" (")[0]
    assert "0 models rendered, 5 reused" in again.stdout
    assert _tree(project / "generated") == before
    checked = _generate(project, "--check", "--format", "json")
    assert checked.exit_code == 0
    report = json.loads(checked.stdout)
    assert (report["ok"], report["rendered"], report["reused"], report["stale"]) == (True, 0, 5, [])


def _edit_output(root: Path) -> None:
    target = root / "generated" / "modelsdk" / "providers" / "segmind.py"
    target.write_text(target.read_text("utf-8") + "# hand edit\n", "utf-8")


def _delete_output(root: Path) -> None:
    next((root / "generated" / "modelsdk" / "types").rglob("*.py")).unlink()


def _edit_entry(root: Path) -> None:
    target = next((root / "catalog" / "models" / "cloudflare").glob("*.yaml"))
    data = yaml.safe_load(target.read_text("utf-8"))
    data["description"] = "Edited."
    target.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def _rename_cassette(root: Path) -> None:
    cassette = next((root / "catalog" / "recordings").rglob("*.yaml"))
    cassette.rename(cassette.with_name("renamed.yaml"))


def _drop_manifest(root: Path) -> None:
    (root / "generated" / ".cardgen-files").unlink()


@pytest.mark.parametrize(
    "change",
    [_edit_output, _delete_output, _edit_entry, _rename_cassette, _drop_manifest],
    ids=lambda f: f.__name__,
)
def test_any_change_makes_a_normal_run_that_equals_one_without_the_record(
    project: Path, change: object
) -> None:
    _generate(project)
    change(project)  # type: ignore[operator]
    twin = project / "twin"
    shutil.copytree(project / "catalog", twin / "catalog")
    shutil.copytree(project / "generated", twin / "generated")
    shutil.rmtree(twin / "generated" / CACHE_DIR)
    outcome = _generate(project)
    assert outcome.exit_code == 0, outcome.output
    assert "rendering" in outcome.stderr, outcome.output  # a normal run
    assert _generate(twin).exit_code == 0
    assert _tree(project / "generated") == _tree(twin / "generated")
    _noop(project)


def test_a_foreign_file_in_the_output_is_still_refused(project: Path) -> None:
    _generate(project)
    (project / "generated" / "notes.txt").write_text("mine", "utf-8")
    outcome = _generate(project)
    assert outcome.exit_code == 1
    assert "holds files cardgen did not write (notes.txt)" in outcome.output


def test_another_package_name_is_no_noop(project: Path) -> None:
    _generate(project)
    outcome = _generate(project, "--package", "othersdk", "--check")
    assert outcome.exit_code == 1, outcome.output


def test_other_entry_checks_are_no_noop(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lock names what its entries were checked against: a change to that is a change to the output."""
    _generate(project)
    _noop(project)
    monkeypatch.setattr(entry_format, "ENTRY_CHECKS", entry_format.ENTRY_CHECKS + 1)
    entry_format.entry_schema_digest.cache_clear()
    try:
        outcome = _generate(project, "--check")
        assert outcome.exit_code == 1, outcome.output
        assert "stale:   cardgen.lock" in outcome.stderr
    finally:
        entry_format.entry_schema_digest.cache_clear()


def test_check_after_an_output_edit_fails_even_with_a_record(project: Path) -> None:
    _generate(project)
    _edit_output(project)
    outcome = _generate(project, "--check")
    assert outcome.exit_code == 1
    assert "stale:   modelsdk/providers/segmind.py" in outcome.stderr


def test_entries_are_kept_only_when_json_gives_them_back(project: Path) -> None:
    entry = read_catalog(project / "catalog" / "models").catalog.entries[0]
    assert exact_json(entry) == entry.model_dump_json()
    with_tuple = entry.model_copy(update={"input_schema": {**entry.input_schema, "enum": ({"a": 1},)}})
    assert exact_json(with_tuple) is None
    assert exact_json(with_tuple, with_tuple.model_dump_json()) is None


def test_the_record_reads_back_what_was_written_and_nothing_from_a_damaged_one(tmp_path: Path) -> None:
    record = Record(
        inputs="i", version="0.1.0", models=2, files={"a.py": "s"}, proofs={"out/a.py": [1, 2, 3, 4, 5, "s"]},
        formatted={"a.py": ("r", "s")}, formatted_by="t", stored={"p/m": ["d1", "d2"]},
    )  # fmt: skip
    record.write(tmp_path)
    assert Record.read(tmp_path) == record
    path = tmp_path / CACHE_DIR / STATE_NAME
    damaged = json.loads(path.read_text("utf-8"))
    damaged |= {
        "models": "2",
        "files": {"a.py": 1, "b.py": "s"},
        "formatted": {"by": 1, "files": {"a.py": ["r"]}},
    }
    path.write_text(json.dumps(damaged), "utf-8")
    assert Record.read(tmp_path) == Record(
        inputs="i", version="0.1.0", files={"b.py": "s"}, proofs=record.proofs, stored=record.stored
    )
    path.write_text("{not json", "utf-8")
    assert Record.read(tmp_path) == Record()


def test_a_record_is_the_same_text_with_and_without_pydantic_core_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A no-op run keeping new proofs writes the record by json's encoder (pydantic-core not loaded);
    a run that rendered, by pydantic-core's: the next run must read either alike."""
    record = Record(
        inputs="d" * 64, version="1.2.3", files={"modelsdk/a.py": "0" * 64, "modelsdk/ünï/名.py": "1" * 64},
        models=2, proofs={"catalog/x.yaml": [1, 2, 3, 4, 5, "2" * 64]}, formatted={"modelsdk/a.py": ("3" * 64, "5" * 64)},
        formatted_by="t", stored={"modelsdk/a.py": ["4" * 64]},
    )  # fmt: skip
    assert record.write(tmp_path / "core")
    monkeypatch.setitem(sys.modules, "pydantic_core", None)  # as in a process that never imported it
    assert record.write(tmp_path / "json")
    by_core, by_json = ((tmp_path / name / CACHE_DIR / STATE_NAME).read_bytes() for name in ("core", "json"))
    assert by_core == by_json
    assert Record.read(tmp_path / "json") == record
