"""`--format json` on ingest, generate --check and conform; conform's --junitxml; CI step summaries."""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path
from xml.etree import ElementTree

from click.testing import CliRunner, Result

from generator.cli import LazyGroup
from tests.conftest import FIXTURES, cardgen

BAD = FIXTURES / "bad" / "docs-page-schema-not-json"
DIAGNOSTIC_KEYS = ["file", "line", "level", "message", "field"]


def _project(tmp_path: Path, seed_project: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(seed_project, root, ignore=shutil.ignore_patterns("__pycache__", ".*cache"))
    return root


def test_ingest_json_holds_each_diagnostic_as_an_object(tmp_path: Path) -> None:
    shutil.copytree(BAD / "sources", tmp_path / "catalog" / "sources")
    done = cardgen(tmp_path, "ingest", "--format", "json", expect=1)
    document = json.loads(done.stdout)
    assert (document["command"], document["ok"], document["written"]) == ("ingest", False, False)
    # the keys of a run that wrote, whatever happened: a CI step reads them without a branch
    assert (document["check"], document["stale"], document["missing"], document["extra"]) == (
        False,
        [],
        [],
        [],
    )
    errors = [d for d in document["diagnostics"] if d["level"] == "error"]
    assert [list(d) for d in errors] == [DIAGNOSTIC_KEYS]
    assert errors[0]["file"] == "catalog/sources/cloudflare/page.txt"
    assert errors[0]["line"] == 130
    assert errors[0]["message"].startswith("API Schemas: the input schema is not JSON")
    assert "error:" not in done.stderr, "json mode prints no text diagnostics"


def test_ingest_json_has_the_same_keys_whatever_happened(tmp_path: Path, seed_project: Path) -> None:
    root = _project(tmp_path, seed_project)
    fresh = json.loads(cardgen(root, "ingest", "--format", "json").stdout)
    replayed = json.loads(cardgen(root, "ingest", "--format", "json").stdout)  # inputs unchanged
    checked = json.loads(cardgen(root, "ingest", "--check", "--format", "json").stdout)
    shutil.copy(BAD / "sources" / "cloudflare" / "page.txt", root / "catalog" / "sources" / "cloudflare")
    failed = json.loads(cardgen(root, "ingest", "--format", "json", expect=1).stdout)
    kept = json.loads(cardgen(root, "ingest", "--keep-going", "--format", "json", expect=1).stdout)
    assert list(fresh) == list(replayed) == list(checked) == list(failed) == list(kept)
    # written: whether catalog/models now holds the run's outcome (the good entries, with --keep-going)
    assert [d["written"] for d in (fresh, replayed, checked, failed, kept)] == [
        True,
        True,
        False,
        False,
        True,
    ]


def test_ingest_check_json_lists_what_differs(tmp_path: Path, seed_project: Path) -> None:
    root = _project(tmp_path, seed_project)
    clean = json.loads(cardgen(root, "ingest", "--check", "--format", "json").stdout)
    assert (clean["ok"], clean["check"], clean["stale"], clean["missing"], clean["extra"]) == (
        True,
        True,
        [],
        [],
        [],
    )
    assert clean["entries"] == 5
    (root / "catalog" / "models" / "cloudflare" / "deepseek_math_7b_base.yaml").unlink()
    document = json.loads(cardgen(root, "ingest", "--check", "--format", "json", expect=1).stdout)
    assert (document["ok"], document["missing"]) == (False, ["cloudflare/deepseek_math_7b_base.yaml"])


def test_generate_check_json_lists_stale_files_and_why(tmp_path: Path, seed_project: Path) -> None:
    root = _project(tmp_path, seed_project)
    clean = json.loads(cardgen(root, "generate", "--check", "--format", "json").stdout)
    assert (clean["command"], clean["ok"], clean["stale"], clean["why"]) == ("generate", True, [], [])
    edited = root / "generated" / "modelsdk" / "README.md"
    edited.write_text(edited.read_text("utf-8") + "hand edit\n", "utf-8")
    (root / "generated" / "stray.txt").write_text("x", "utf-8")
    document = json.loads(cardgen(root, "generate", "--check", "--format", "json", expect=1).stdout)
    assert document["ok"] is False
    assert document["stale"] == ["modelsdk/README.md"]
    assert document["extra"] == ["stray.txt"]
    assert any("by hand" in reason for reason in document["why"]), document["why"]


def test_generate_check_under_another_package_name_says_so(tmp_path: Path, seed_project: Path) -> None:
    """The tree was generated as `acme`; checked as the default package, the cause is the name (it
    said the files were edited by hand), and checked as `acme` it is up to date."""
    root = _project(tmp_path, seed_project)
    cardgen(root, "generate", "--package", "acme")
    document = json.loads(cardgen(root, "generate", "--check", "--format", "json", expect=1).stdout)
    assert document["why"] == [
        "generated as the package `acme`, rendered now as `modelsdk` (`--package acme` renders it as it was)"
    ], document["why"]
    assert json.loads(cardgen(root, "generate", "--check", "--package", "acme", "--format", "json").stdout)[
        "ok"
    ]


def test_generate_json_keeps_its_keys_when_rendering_fails(tmp_path: Path, seed_project: Path) -> None:
    root = _project(tmp_path, seed_project)
    folder = next((root / "catalog" / "recordings" / "segmind").iterdir())
    (root / "catalog" / "models" / "segmind" / f"{folder.name}.yaml").unlink()  # its cassettes now refused
    failed = json.loads(cardgen(root, "generate", "--format", "json", expect=1).stdout)
    clean = json.loads(
        cardgen(_project(tmp_path / "clean", seed_project), "generate", "--format", "json").stdout
    )
    unchanged_root = _project(tmp_path / "unchanged", seed_project)
    cardgen(unchanged_root, "generate")
    unchanged = json.loads(cardgen(unchanged_root, "generate", "--format", "json").stdout)
    assert list(clean) == list(failed) == list(unchanged), "the same keys whatever happened"
    assert (failed["ok"], failed["stale"], failed["why"]) == (False, [], [])
    assert "cassettes of `segmind/" in failed["error"]
    assert (clean["error"], unchanged["error"]) == (None, None)


def test_conform_json_junitxml_and_step_summary(tmp_path: Path, seed_project: Path) -> None:
    summary = tmp_path / "summary.md"
    junit = tmp_path / "reports" / "conform.xml"
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    arguments = ["--backend", "recorded", "--model", "segmind/*", "--examples", "3", "--junitxml", str(junit)]
    done = cardgen(seed_project, "conform", *arguments, "--format", "json", env=env)
    document = json.loads(done.stdout)
    assert (document["command"], document["ok"], document["pytest_exit"]) == ("conform", True, 0)
    [model] = document["models"]
    assert model["model"] == "segmind/deepseek_reasoner"
    assert model["properties"]["request"] == {"outcome": "ok", "defects": [], "failures": []}
    assert model["properties"]["client"]["outcome"] == "n/a"
    cases = list(ElementTree.parse(junit).getroot().iter("testcase"))
    assert any(case.get("name", "").endswith("recordings_replay") for case in cases)
    text = summary.read_text("utf-8")
    assert text.startswith("### cardgen conform: passed\n")
    assert "| `segmind/deepseek_reasoner` | ok |" in text


def test_a_step_summary_that_cannot_be_written_is_a_warning_not_a_failure(seed_project: Path) -> None:
    catalog = str(seed_project / "catalog" / "models")
    env = {"GITHUB_STEP_SUMMARY": str(seed_project / "no-such-folder" / "summary.md")}
    done = cardgen(seed_project, "diff", catalog, catalog, "--json", env=env)  # exit 0: nothing changed
    assert json.loads(done.stdout)["ok"] is True
    assert "warning: cannot append the report to $GITHUB_STEP_SUMMARY" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (seed_project / "no-such-folder").exists()


def test_a_command_asked_for_json_that_cannot_start_still_answers_in_json(tmp_path: Path) -> None:
    """A usage error, or an input the command cannot read, before the command's own document: on
    stdout `command`, `ok: false` and the message; on stderr what click says (with the usage line)."""
    for args, status, words in (
        (["ingest", "--format", "json", "--no-such-flag"], 2, "No such option '--no-such-flag'"),
        (["conform", "--backend", "nowhere", "--format=json"], 2, "Invalid value for --backend"),
        (["diff", "no-such-old", "no-such-new", "--json"], 2, "OLD: 'no-such-old' is neither"),
        (["catalog", "--catalog", "missing", "--json"], 1, "missing: no catalog here"),
    ):
        done = cardgen(tmp_path, *args, expect=status)
        document = json.loads(done.stdout)
        assert list(document) == ["command", "ok", "error"], args
        assert (document["command"], document["ok"]) == (args[0], False)
        assert document["error"].startswith(words), document
        assert words in done.stderr


def test_a_command_not_asked_for_json_or_without_it_prints_nothing_on_stdout(tmp_path: Path) -> None:
    for args in (
        ["ingest", "--no-such-flag"],  # text asked for
        ["serve", "--format", "json", "--port", "x"],  # serve has no JSON to answer in
        ["--format", "json", "ingest"],  # an option of no command
        ["ingest", "--format", "json", "--format", "text", "--no-such-flag"],  # click takes the last
    ):
        done = cardgen(tmp_path, *args, expect=2)
        assert done.stdout == "", args
        assert "Usage: cardgen" in done.stderr


def test_a_path_no_command_foresaw_it_could_not_use_is_an_error_not_a_traceback(
    tmp_path: Path, seed_project: Path
) -> None:
    """An OSError about a path (here a symlink loop among the recordings): `Error: path: why`, exit 1,
    and with --format json the document every command answers with when it cannot start."""
    project = tmp_path / "project"
    shutil.copytree(seed_project, project, symlinks=True)
    loop = project / "catalog" / "recordings" / "segmind" / "deepseek_reasoner" / "loop"
    loop.symlink_to("loop")
    said = "catalog/recordings/segmind/deepseek_reasoner/loop: Too many levels of symbolic links"
    done = cardgen(project, "generate", expect=1)
    assert f"Error: {said}" in done.stderr
    assert "Traceback" not in done.stderr
    answered = cardgen(project, "generate", "--format", "json", expect=1)
    assert json.loads(answered.stdout) == {"command": "generate", "ok": False, "error": said}


def _raising(error: OSError) -> Result:
    group = LazyGroup(name="cardgen")

    @group.command("boom")
    def boom() -> None:
        raise error

    return CliRunner().invoke(group, ["boom"])


def test_a_path_problem_is_said_and_any_other_oserror_keeps_its_traceback() -> None:
    said = _raising(OSError(errno.ELOOP, "Too many levels of symbolic links", "catalog/x"))
    assert (said.exit_code, said.output) == (1, "Error: catalog/x: Too many levels of symbolic links\n")
    kept = _raising(OSError(errno.EBADF, "Bad file descriptor", "catalog/x"))  # ours, not the user's path
    assert isinstance(kept.exception, OSError) and kept.exception.errno == errno.EBADF
    pathless = _raising(OSError(errno.EACCES, "Permission denied"))
    assert isinstance(pathless.exception, OSError)
