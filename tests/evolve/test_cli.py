"""`cardgen diff` on catalog directories and on git revisions: output, exit codes, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.catalog import store
from generator.catalog.parsed import keep_parsed
from generator.catalog.store import Catalog, dump_entry, entry_path, read_catalog
from generator.evolve import RevisionError, load_catalog_at
from generator.evolve.cli import diff_command
from tests.conftest import REPO
from tests.evolve.cases import CASES

BY_ID = {case.id: case for case in CASES}
GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}


def write_catalog(directory: Path, catalog: Catalog) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for entry in catalog:
        path = directory / entry_path(entry)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_entry(entry), "utf-8")
    return directory


def catalog_dirs(tmp_path: Path, case_id: str) -> tuple[str, str]:
    old, new = BY_ID[case_id].catalogs()
    return str(write_catalog(tmp_path / "old", old)), str(write_catalog(tmp_path / "new", new))


def run(*args: str) -> Result:
    return CliRunner().invoke(diff_command, list(args))


def texts(catalog: Catalog) -> list[str]:
    return [dump_entry(entry) for entry in catalog]


@pytest.mark.parametrize("case_id", ["request-property-removed", "request-range-narrowed"])
def test_breaking_changes_exit_1_unless_allowed(tmp_path: Path, case_id: str) -> None:
    old, new = catalog_dirs(tmp_path, case_id)
    refused = run(old, new)
    assert refused.exit_code == 1, refused.output
    assert case_id in refused.stdout
    assert "suggested version bump: major (minor below 1.0)" in refused.stdout
    assert "--allow-breaking" in refused.stderr
    allowed = run(old, new, "--allow-breaking")
    assert allowed.exit_code == 0, allowed.output
    assert allowed.stdout == refused.stdout


@pytest.mark.parametrize(
    ("case_id", "bump"), [("request-property-added-optional", "minor"), ("description-changed", "patch")]
)
def test_changes_that_break_nothing_exit_0(tmp_path: Path, case_id: str, bump: str) -> None:
    result = run(*catalog_dirs(tmp_path, case_id))
    assert result.exit_code == 0, result.output
    below = {"major": "minor", "minor": "patch"}.get(bump)
    shown = f"{bump} ({below} below 1.0)" if below else bump
    assert result.stdout.endswith(f"suggested version bump: {shown}\n")
    assert result.stderr == ""


def test_json_output(tmp_path: Path) -> None:
    old, new = catalog_dirs(tmp_path, "request-oneof-branch-removed")
    result = run(old, new, "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert (document["command"], document["ok"], document["bump"]) == ("diff", False, "major")  # exit 1
    [model] = document["models"]
    assert model["status"] == "changed"
    assert [(c["rule"], c["severity"], c["path"]) for c in model["changes"]] == [
        ("request-oneof-branch-removed", "breaking", "$.input_schema.oneOf[1]")
    ]
    accepted = run(old, new, "--json", "--allow-breaking")
    assert (accepted.exit_code, json.loads(accepted.stdout)["ok"]) == (0, True)


def test_identical_catalogs(tmp_path: Path) -> None:
    old, _ = catalog_dirs(tmp_path, "model-removed")
    result = run(old, old)
    assert (result.exit_code, result.stdout) == (0, "no changes\nsuggested version bump: none\n")
    assert json.loads(run(old, old, "--json").stdout) == {
        "command": "diff",
        "ok": True,
        "bump": "none",
        "bump_below_1_0": "none",
        "breaking": False,
        "counts": {"breaking": 0, "breaking-wire": 0, "compatible": 0, "informational": 0},
        "models": [],
    }


@pytest.mark.parametrize(
    ("case_id", "breaking"), [("request-range-narrowed", True), ("description-changed", False)]
)
def test_json_says_whether_anything_breaks_and_counts_by_severity(
    tmp_path: Path, case_id: str, breaking: bool
) -> None:
    old, new = catalog_dirs(tmp_path, case_id)
    document = json.loads(run(old, new, "--format", "json", "--allow-breaking").stdout)
    assert document["breaking"] is breaking
    severities = [c["severity"] for m in document["models"] for c in m["changes"]]
    assert document["counts"] == {
        s: severities.count(s) for s in ("breaking", "breaking-wire", "compatible", "informational")
    }
    assert (
        run(old, new, "--json", "--allow-breaking").stdout
        == run(old, new, "--format", "json", "--allow-breaking").stdout
    )


def test_a_markdown_report_is_appended_to_the_github_step_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", "utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    old, new = catalog_dirs(tmp_path, "request-oneof-branch-removed")
    assert run(old, new).exit_code == 1
    text = summary.read_text("utf-8")
    assert text.startswith("earlier step\n### cardgen diff: breaking\n")
    assert "suggested version bump: **major (minor below 1.0)**" in text
    assert "| breaking | `request-oneof-branch-removed` | `$.input_schema.oneOf[1]` |" in text


def test_an_argument_that_is_neither_directory_nor_revision_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    old, _ = catalog_dirs(tmp_path, "model-removed")
    result = run(old, "no/such/thing")
    assert result.exit_code == 2
    assert "NEW: 'no/such/thing' is neither a catalog directory nor a git revision" in result.stderr


def test_a_folder_that_holds_no_catalog_exits_2_not_every_model_removed(tmp_path: Path) -> None:
    old, _ = catalog_dirs(tmp_path, "model-removed")
    elsewhere = tmp_path / "generated"
    (elsewhere / "modelsdk").mkdir(parents=True)
    (elsewhere / ".cardgen-files").write_text("modelsdk/__init__.py\n", "utf-8")
    result = run(old, str(elsewhere))
    assert result.exit_code == 2
    assert f"NEW: '{elsewhere}' holds no catalog (no `<provider>/<slug>.yaml` entry)" in result.stderr
    emptied = tmp_path / "emptied"  # every model gone: a catalog still, its manifest alone
    emptied.mkdir()
    (emptied / ".cardgen-files").write_text("", "utf-8")
    assert run(old, str(emptied)).exit_code == 1  # breaking: models removed


def test_a_folder_of_other_projects_is_no_catalog_not_a_broken_entry(tmp_path: Path) -> None:
    old, _ = catalog_dirs(tmp_path, "model-removed")
    (tmp_path / "elsewhere" / "ci-clone").mkdir(parents=True)  # as /tmp, with a checkout in it
    (tmp_path / "elsewhere" / "ci-clone" / ".pre-commit-config.yaml").write_text("repos: []\n", "utf-8")
    result = run(old, str(tmp_path / "elsewhere"))
    assert result.exit_code == 2
    assert (
        f"NEW: '{tmp_path / 'elsewhere'}' holds no catalog (no `<provider>/<slug>.yaml` entry; "
        in result.stderr
    )


def test_an_unreadable_entry_exits_2_naming_the_file(tmp_path: Path) -> None:
    old, new = catalog_dirs(tmp_path, "model-removed")
    broken = Path(new) / "acme" / "broken.yaml"
    broken.parent.mkdir()
    broken.write_text("format: 1\nslug: x\n", "utf-8")
    result = run(old, new)
    assert result.exit_code == 2
    assert "broken.yaml: not a catalog entry" in result.stderr


def test_output_is_the_same_under_any_hash_seed(tmp_path: Path) -> None:
    old, new = catalog_dirs(tmp_path, "request-branches-matched-by-required")
    code = "import sys; from generator.evolve.cli import diff_command; diff_command(sys.argv[1:])"
    outputs = set()
    for seed in ("0", "1"):
        done = subprocess.run(
            [sys.executable, "-c", code, old, new, "--json", "--allow-breaking"],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert "request-length-narrowed" in outputs.pop()


# Git revisions


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], env=GIT_ENV, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with two commits: the catalog of a case before, then after its change."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    old, new = BY_ID["request-property-removed"].catalogs()
    models = write_catalog(root / "catalog" / "models", old)
    (models / ".cardgen-files").write_text("not an entry\n", "utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "old")
    write_catalog(models, new)
    git(root, "commit", "-q", "-am", "new")
    return root


def test_load_catalog_at_a_revision(repo: Path) -> None:
    old, new = BY_ID["request-property-removed"].catalogs()
    assert texts(load_catalog_at("HEAD~1", repo)) == texts(old)
    assert texts(load_catalog_at("HEAD", repo)) == texts(new)
    sha = git(repo, "rev-parse", "HEAD~1").strip()
    assert texts(load_catalog_at(sha, repo / "catalog")) == texts(old)  # from a subdirectory, too


def test_diff_between_revisions(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    status = git(repo, "status", "--porcelain")
    result = run("HEAD~1", "HEAD", "--json")
    assert result.exit_code == 1, result.output
    [model] = json.loads(result.stdout)["models"]
    assert [c["rule"] for c in model["changes"]] == ["request-property-removed"]
    assert run("HEAD", "HEAD").stdout == "no changes\nsuggested version bump: none\n"
    assert git(repo, "status", "--porcelain") == status  # nothing checked out or written


def test_a_revisions_entries_the_work_tree_parsed_are_not_parsed_again(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cardgen diff HEAD catalog/models` at 500 models: 1.55 s -> 0.52 s. Entries whose text the work
    tree's catalog holds are read back from the JSON kept beside it; only the changed ones are parsed."""
    monkeypatch.chdir(repo)
    models = repo / "catalog" / "models"
    keep_parsed(models, read_catalog(models).parsed)  # as ingest or generate leaves them
    parsed: list[str] = []
    load = store.load_entry_yaml

    def counted(text: str, origin: str) -> object:
        parsed.append(origin)
        return load(text, origin)

    monkeypatch.setattr(store, "load_entry_yaml", counted)
    assert run("HEAD", "catalog/models").stdout.startswith("no changes")
    assert parsed == []
    result = run("HEAD~1", "catalog/models")
    assert result.exit_code == 1 and "request-property-removed" in result.stdout
    assert len(parsed) == 1 and parsed[0].startswith("HEAD~1:catalog/models/")  # the text the work tree lacks


def test_diff_between_a_revision_and_a_directory(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    old, _ = BY_ID["request-property-removed"].catalogs()
    write_catalog(repo / "catalog" / "models", old)  # an uncommitted edit: back to the old catalog
    result = run("HEAD", "catalog/models")
    assert result.exit_code == 0, result.output
    assert "request-property-added-optional  $.input_schema.properties.b" in result.stdout
    assert run("HEAD~1", "catalog/models").stdout.startswith("no changes")


def test_a_directory_wins_over_a_revision_of_the_same_name(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    old, _ = BY_ID["request-property-removed"].catalogs()
    write_catalog(repo / "HEAD", old)
    result = run("HEAD", "HEAD~1")  # the directory holds what HEAD~1 holds; the revision HEAD does not
    assert (result.exit_code, result.stdout) == (0, "no changes\nsuggested version bump: none\n")


@pytest.mark.parametrize("spec", ["no-such-branch", "", "--output=hijacked", "HEAD~5"])
def test_what_is_not_a_revision_is_refused(repo: Path, spec: str) -> None:
    with pytest.raises(RevisionError, match="is neither a catalog directory nor a git revision"):
        load_catalog_at(spec, repo)
    assert not (repo / "hijacked").exists()


def test_outside_a_repository_only_directories_work(tmp_path: Path) -> None:
    with pytest.raises(RevisionError, match="'HEAD' is neither"):
        load_catalog_at("HEAD", tmp_path)


def test_a_broken_entry_at_a_revision_is_named(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = repo / "catalog" / "models" / "acme" / "broken.yaml"
    broken.parent.mkdir()
    broken.write_text("format: 1\nslug: x\n", "utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "broken")
    with pytest.raises(ValueError, match=r"HEAD:catalog/models/acme/broken.yaml: not a catalog entry"):
        load_catalog_at("HEAD", repo)
    monkeypatch.chdir(repo)
    result = run("HEAD~1", "HEAD")
    assert result.exit_code == 2
    assert "broken.yaml" in result.stderr


def test_registered_as_cardgen_diff(tmp_path: Path) -> None:
    from generator.cli import cli

    assert "Exit status" in CliRunner().invoke(cli, ["diff", "--help"]).stdout
    old, new = catalog_dirs(tmp_path, "model-added")
    result = CliRunner().invoke(cli, ["diff", old, new])
    assert result.exit_code == 0, result.output
    assert "model-added" in result.stdout


def test_a_catalog_kept_elsewhere_in_the_repository_is_read_there_at_the_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An `sdk/` layout: `diff HEAD catalog/models` from sdk/ (or `diff HEAD sdk/catalog/models`
    from the top) reads HEAD's sdk/catalog/models, so a removed model is breaking, not unseen."""
    root = tmp_path / "mono"
    root.mkdir()
    git(root, "init", "-q")
    old, new = BY_ID["request-property-removed"].catalogs()
    models = write_catalog(root / "sdk" / "catalog" / "models", old)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "old")
    write_catalog(models, new)  # uncommitted: the change to compare
    monkeypatch.chdir(root / "sdk")
    from_sdk = run("HEAD", "catalog/models", "--json")
    assert from_sdk.exit_code == 1, from_sdk.output
    assert [c["rule"] for c in json.loads(from_sdk.stdout)["models"][0]["changes"]] == [
        "request-property-removed"
    ]
    monkeypatch.chdir(root)
    assert run("HEAD", "sdk/catalog/models").exit_code == 1
    assert run("HEAD:sdk/catalog/models", "sdk/catalog/models").exit_code == 1  # as git spells it
    elsewhere = tmp_path / "copy"
    write_catalog(elsewhere, new)
    refused = run("HEAD", str(elsewhere))  # outside the repository: HEAD's catalog/models, which it lacks
    assert refused.exit_code == 2
    assert (
        "holds no catalog at catalog/models" in refused.output
        and "REV:path/to/catalog/models" in refused.output
    )


def test_a_revision_folder_that_holds_files_but_no_entry_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`REV:catalog` (the models one level down) or `REV:generated` is no catalog: compared as an
    empty one, every model would count as added, and a removed one would pass as compatible."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    old, _ = BY_ID["request-property-removed"].catalogs()
    models = write_catalog(root / "catalog" / "models", old)
    (root / "catalog" / "README.md").write_text("the catalog\n", "utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "old")
    monkeypatch.chdir(root)
    provider = next(p.name for p in models.iterdir() if p.is_dir())
    for spec in ("HEAD:catalog", f"HEAD:catalog/models/{provider}", "HEAD:catalog/README.md"):  # a file too
        refused = run(spec, "catalog/models")
        assert refused.exit_code == 2, (spec, refused.output)
        assert (
            f"'{spec}' holds no catalog at " in refused.output
            and "(no `<provider>/<slug>.yaml` entry)" in refused.output
        )
    assert run("HEAD:catalog/models", "catalog/models").exit_code == 0  # the folder itself: no change
