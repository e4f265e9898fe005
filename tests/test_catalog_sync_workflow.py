""".github/workflows/catalog-sync.yml: its steps in order, and only cardgen commands and options that exist.

A workflow template is run by nobody here, so it rots silently when a command or an option is
renamed; this test reads every `cardgen` call in it, asks `cardgen <command> --help` through
click's CliRunner, and runs its inline Python scripts on a small diff.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "catalog-sync.yml"
SHELL_OPERATORS = {">", ">>", "<", "|", "||", "&&", ";", "2>", "2>&1"}
HEREDOC = re.compile(r"<<'(\w+)'")


def load() -> dict[Any, Any]:
    document = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    assert isinstance(document, dict)
    return document


def steps() -> list[dict[str, Any]]:
    return list(load()["jobs"]["sync"]["steps"])


def shell_lines(script: str) -> list[str]:
    """The script's shell lines, continuations joined and heredoc bodies left out."""
    lines, end = [], None
    for line in script.replace("\\\n", " ").splitlines():
        if end is not None:
            end = None if line.strip() == end else end
            continue
        lines.append(line)
        if match := HEREDOC.search(line):
            end = match.group(1)
    return lines


def heredocs(script: str) -> list[str]:
    """The bodies of the script's quoted heredocs (here, Python programs)."""
    return [body for _, body in re.findall(r"<<'(\w+)'[^\n]*\n(.*?)\n\1\n", script + "\n", re.S)]


def cardgen_calls(script: str) -> list[tuple[str, list[str]]]:
    """Each `cardgen COMMAND ...` in the script: the command and the options given to it."""
    calls = []
    for line in shell_lines(script):
        words = shlex.split(line, comments=True)
        for index, word in enumerate(words):
            if word == "cardgen" or word.endswith("/cardgen"):
                rest = words[index + 2 :]
                end = next((i for i, w in enumerate(rest) if w in SHELL_OPERATORS), len(rest))
                options = [w.split("=", 1)[0] for w in rest[:end] if w.startswith("-")]
                calls.append((words[index + 1], options))
    return calls


def all_calls() -> list[tuple[str, list[str]]]:
    return [call for step in steps() for call in cardgen_calls(step.get("run", ""))]


def test_it_runs_on_a_schedule_and_by_hand() -> None:
    document = load()
    triggers = document["on" if "on" in document else True]  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    assert triggers["schedule"][0]["cron"]


def test_the_steps_run_pull_ingest_diff_record_generate_conform_then_open_a_pull_request() -> None:
    commands = [command for command, _ in all_calls()]
    assert commands == ["pull", "ingest", "diff", "catalog", "record", "catalog", "generate", "conform"]
    uses = [step.get("uses", "") for step in steps()]
    assert re.fullmatch(r"peter-evans/create-pull-request@v\d+", uses[-1])
    assert "body-path" in steps()[-1]["with"]


def test_every_cardgen_command_and_option_it_uses_exists() -> None:
    for command, options in all_calls():
        help_text = CliRunner().invoke(cli, [command, "--help"])
        assert help_text.exit_code == 0, f"cardgen {command}: {help_text.output}"
        for option in options:
            assert re.search(rf"(^|[\s,]){re.escape(option)}\b", help_text.output, re.M), (
                f"cardgen {command} has no {option}"
            )


def test_a_conformance_failure_fails_the_run_before_any_pull_request() -> None:
    runs = [step.get("run", "") for step in steps()]
    conform = next(i for i, run in enumerate(runs) if "cardgen conform --backend recorded" in run)
    assert conform < len(runs) - 1  # the pull request is opened after it, by the last step
    assert not any(step.get("continue-on-error") or "always()" in str(step.get("if", "")) for step in steps())


def test_the_diff_is_taken_against_the_base_branch_and_never_stops_the_sync() -> None:
    diff_step = next(s for s in steps() if "cardgen diff" in s.get("run", ""))
    assert '"origin/$BASE" catalog/models --format json --allow-breaking' in diff_step["run"]
    # A scheduled run's event has no repository: default_branch is empty, and its own branch stands in.
    assert (
        load()["jobs"]["sync"]["env"]["BASE"]
        == "${{ github.event.repository.default_branch || github.ref_name }}"
    )


def test_the_credentials_reach_only_the_steps_that_call_the_provider() -> None:
    assert not any(name.startswith("CLOUDFLARE") for name in load()["jobs"]["sync"]["env"])
    with_secrets = [step["name"] for step in steps() if "secrets." in json.dumps(step.get("env", {}))]
    assert with_secrets == ["Pull each provider's documents", "Record new and changed models"]


def test_the_pull_request_is_opened_with_a_token_that_starts_its_checks() -> None:
    assert steps()[-1]["with"]["token"] == "${{ secrets.CATALOG_SYNC_TOKEN || github.token }}"


def run_script(script: str, *args: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-", *map(str, args)], input=script, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_its_python_finds_new_models_and_puts_breaking_changes_first(tmp_path: Path) -> None:
    change = {"rule": "model-removed", "severity": "breaking", "path": "$", "old": "a", "new": None}
    diff = {
        "bump": "major",
        "bump_below_1_0": "minor",
        "models": [
            {"provider": "cloudflare", "model_id": "@cf/x/new", "status": "added", "changes": []},
            {
                "provider": "cloudflare",
                "model_id": "@cf/x/old",
                "status": "removed",
                "changes": [{**change, "message": "model removed"}],
            },
            {
                "provider": "cloudflare",
                "model_id": "@cf/x/reshaped",
                "status": "changed",
                "changes": [{**change, "rule": "response-type-changed", "message": "string -> integer"}],
            },
            {
                "provider": "cloudflare",
                "model_id": "@cf/x/reworded",
                "status": "changed",
                "changes": [{**change, "severity": "informational", "message": "description"}],
            },
        ],
    }
    entries = [
        {"provider": "cloudflare", "model_id": f"@cf/x/{name}", "slug": name}
        for name in ("new", "reshaped", "reworded")
    ]
    (tmp_path / "diff.json").write_text(json.dumps(diff), "utf-8")
    (tmp_path / "catalog.json").write_text(json.dumps(entries), "utf-8")
    (tmp_path / "diff.md").write_text("### cardgen diff: breaking\n", "utf-8")
    scripts = {step["name"]: heredocs(step["run"])[0] for step in steps() if "<<'EOF'" in step.get("run", "")}

    assert run_script(scripts["Diff against the base branch"], tmp_path / "diff.json").split() == [
        "bump=major",
        "bump_below_1_0=minor",
        "models=4",
    ]
    to_record = run_script(
        scripts["Record new and changed models"], tmp_path / "diff.json", tmp_path / "catalog.json"
    )
    assert (
        to_record == "cloudflare/new\ncloudflare/reshaped\n"
    )  # not the model whose description alone changed

    recordings = tmp_path / "recordings"
    for model in ("cloudflare/new", "cloudflare/reshaped", "cloudflare/old", "segmind/gone"):
        (recordings / model).mkdir(parents=True)
        (recordings / model / "minimal.yaml").write_text("interactions: []\n", "utf-8")
    said = run_script(scripts["Drop the cassettes of removed models"], tmp_path / "catalog.json", recordings)
    assert sorted(str(p.relative_to(recordings)) for p in recordings.glob("*/*")) == [
        "cloudflare/new",
        "cloudflare/reshaped",
    ]
    assert said.count("its model left the catalog") == 2
    warning = {
        "file": "acknowledged.yaml",
        "line": 3,
        "level": "warning",
        "message": "stale",
        "field": "top_p",
    }
    info = {**warning, "level": "info", "message": "fine"}
    (tmp_path / "ingest.json").write_text(json.dumps({"diagnostics": [warning, info]}), "utf-8")
    body = run_script(
        scripts["Pull request body (breaking changes first, then the whole report)"],
        tmp_path / "diff.json",
        tmp_path / "diff.md",
        tmp_path / "ingest.json",
    )
    assert "### Ingest warnings to review\n\n- `acknowledged.yaml:3`: stale\n" in body
    assert "fine" not in body
    assert body.startswith("Suggested version bump: **major** (minor below 1.0)\n\n### Breaking changes\n\n")
    assert body.index("`@cf/x/old` (removed): breaking `model-removed` model removed") < body.index(
        "### cardgen diff: breaking"
    )
