"""`cardgen ingest` and `cardgen catalog` as a user runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import REPO, SOURCES, cardgen


@pytest.fixture
def models(seed_project: Path) -> Path:
    return seed_project / "catalog" / "models"


def _copy_catalog_root(tmp_path: Path, seed_project: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(seed_project / "catalog", root)
    return root


def _ingest(root: Path, *extra: str) -> tuple[int, str]:
    outcome = CliRunner().invoke(
        cli, ["ingest", "--sources", str(root / "sources"), "--catalog", str(root / "models"), *extra]
    )
    return outcome.exit_code, outcome.output


def test_a_fresh_ingest_checks_clean(seed_project: Path) -> None:
    assert "catalog/models is up to date (5 files)" in cardgen(seed_project, "ingest", "--check").stdout


def test_check_names_the_entries_that_differ(tmp_path: Path, seed_project: Path) -> None:
    root = _copy_catalog_root(tmp_path, seed_project)
    entry = root / "models" / "segmind" / "deepseek_reasoner.yaml"
    entry.write_text(entry.read_text("utf-8").replace("DeepSeek R1", "DeepSeek R2"), "utf-8")
    (root / "models" / "cloudflare" / "deepseek_math_7b_base.yaml").unlink()
    code, output = _ingest(root, "--check")
    assert code == 1
    assert "stale:   segmind/deepseek_reasoner.yaml" in output
    assert "missing: cloudflare/deepseek_math_7b_base.yaml" in output
    assert entry.read_text("utf-8").count("DeepSeek R2") == 1, "--check must not write"


def test_ingest_rewrites_only_what_changed_and_removes_stale_entries(
    tmp_path: Path, seed_project: Path
) -> None:
    root = _copy_catalog_root(tmp_path, seed_project)
    kept = root / "models" / "cloudflare" / "tinyllama_1_1b_chat_v1_0.yaml"
    before = kept.stat().st_mtime_ns
    (root / "sources" / "cloudflare" / "deepseek-math-7b-base.md").unlink()
    code, output = _ingest(root)
    assert code == 0, output
    assert "1 removed" in output
    assert not (root / "models" / "cloudflare" / "deepseek_math_7b_base.yaml").exists()
    assert kept.stat().st_mtime_ns == before


def test_ingest_is_byte_identical_across_runs_and_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    for seed in ("0", "1"):
        target = tmp_path / f"models-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "generator",
                "ingest",
                "--sources",
                str(SOURCES),
                "--catalog",
                str(target),
            ],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
        )
        outputs.append(
            {
                p.relative_to(target): p.read_bytes()
                for p in sorted(target.rglob("*"))
                if p.is_file() and p.name != "ingest-proofs.json"  # stat of this machine's files
            }
        )
    assert outputs[0] == outputs[1]
    # Five entries, the manifest, the cache, its run record and each entry's JSON (deterministic too).
    assert len(outputs[0]) == 13


def test_catalog_table_lists_every_model(models: Path) -> None:
    outcome = CliRunner().invoke(cli, ["catalog", "--catalog", str(models)])
    assert outcome.exit_code == 0
    lines = outcome.output.splitlines()
    assert lines[0].split() == ["PROVIDER", "MODEL", "ID", "SLUG", "TASK", "STREAM"]
    assert len(lines) == 6
    assert lines[1].split() == [
        "cloudflare",
        "@hf/thebloke/deepseek-coder-6.7b-base-awq",
        "deepseek_coder_6_7b_base_awq",
        "text-generation",
        "yes",
    ]


@pytest.mark.parametrize("flag", [("--json",), ("--format", "json")])  # as every command takes it, too
def test_catalog_json_is_every_entry_with_its_schemas(models: Path, flag: tuple[str, ...]) -> None:
    outcome = CliRunner().invoke(cli, ["catalog", *flag, "--catalog", str(models)])
    entries = json.loads(outcome.output)
    assert [e["slug"] for e in entries][-1] == "deepseek_reasoner"
    assert all("input_schema" in e and "output_schema" in e and "provenance" in e for e in entries)


def test_catalog_without_a_catalog_explains(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(cli, ["catalog", "--catalog", str(tmp_path / "none")])
    assert outcome.exit_code == 1
    assert "run `cardgen ingest` first" in outcome.output


def test_refuses_to_delete_files_it_did_not_write(tmp_path: Path, seed_project: Path) -> None:
    root = _copy_catalog_root(tmp_path, seed_project)
    (root / "models" / "notes.txt").write_text("mine\n", "utf-8")
    code, output = _ingest(root)
    assert code == 1
    assert "notes.txt" in output
    assert (root / "models" / "notes.txt").read_text("utf-8") == "mine\n"


@pytest.mark.parametrize("command", [["--help"], ["ingest", "--help"], ["catalog", "--help"]])
def test_help_explains(command: list[str]) -> None:
    outcome = CliRunner().invoke(cli, command, prog_name="cardgen")
    assert outcome.exit_code == 0
    assert "Usage: cardgen" in outcome.output


def test_strict_counts_warnings_as_errors_in_a_fresh_run_and_a_replayed_one(
    tmp_path: Path, seed_project: Path
) -> None:
    """The seed catalog's pages leave facts out (warnings): --strict stops there, and writes nothing."""
    root = _copy_catalog_root(tmp_path, seed_project)
    assert _ingest(root)[0] == 0  # a clean run, so the next one replays its outcome
    before = {p: p.read_bytes() for p in (root / "models").rglob("*.yaml")}
    for run in ("replayed", "checked"):
        code, output = _ingest(root, "--strict", *(("--check",) if run == "checked" else ()))
        assert code == 1, (run, output)
        said = (
            "ingest --check failed: " if run == "checked" else "ingest failed: "
        )  # --check writes nothing anyway
        assert said in output and "warning(s) under --strict; " in output, (run, output)
        assert output.rstrip().endswith("models not compared" if run == "checked" else "models"), (
            run,
            output,
        )
        assert "`cardgen ingest --strict`" not in output  # the failure itself says so
    assert {p: p.read_bytes() for p in (root / "models").rglob("*.yaml")} == before
    # Without it, the same warnings pass, fresh or replayed, and the run says that --strict would not.
    shutil.rmtree(root / "models" / ".cardgen-cache")  # its caches: the next run reads every document
    run_record = root / "models" / ".cardgen-cache" / "ingest-run.json"  # what a replay replays
    for run in ("fresh", "replayed"):
        assert run_record.exists() == (run == "replayed")
        code, output = _ingest(root)
        assert code == 0, output
        warned = output.count(": warning: ")
        assert warned, output
        assert (
            f"\n{warned} warning(s) above: `cardgen ingest --strict` (as `make check` and CI run it) fails "
            f"until each is answered as it says (a fix, an overlay, or {root / 'acknowledged.yaml'})\n"
        ) in output, (run, output)


def test_one_document_is_counted_as_one(tmp_path: Path, seed_project: Path) -> None:
    root = _copy_catalog_root(tmp_path, seed_project)
    for page in (root / "sources").rglob("*"):
        if page.is_file() and page.name != "deepseek-math-7b-base.md":
            page.unlink()
    shutil.rmtree(root / "overlays")
    code, output = _ingest(root, "--overlays", str(root / "overlays"))
    assert code == 0, output
    assert "ingested 1 document into 1 entry in " in output
    code, output = _ingest(root)  # replayed: the same words
    assert "ingested 1 document into 1 entry in " in output
