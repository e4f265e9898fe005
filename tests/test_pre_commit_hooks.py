"""`.pre-commit-hooks.yaml`: each hook runs a cardgen command that exists, and only checks."""

from __future__ import annotations

import shlex

import yaml
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import REPO


def test_each_hook_runs_an_existing_cardgen_command_that_writes_nothing() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert [hook["id"] for hook in hooks] == [
        "cardgen-ingest-check",
        "cardgen-generate-check",
        "cardgen-diff",
    ]
    for hook in hooks:
        program, command, *arguments = shlex.split(hook["entry"])
        assert (program, hook["language"], hook["pass_filenames"]) == ("cardgen", "python", False)
        assert CliRunner().invoke(cli, [command, "--help"]).exit_code == 0
        assert "--check" in arguments or command == "diff"


def test_every_hook_runs_on_a_commit_that_only_deletes_files() -> None:
    """pre-commit gives hooks no deleted file: a `files:` filter would skip the commit that removes a
    document or an entry, the one whose check matters (a removed model is a breaking change)."""
    own = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text("utf-8"))["repos"][0]["hooks"]
    offered = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    for hook in [*own, *offered]:
        assert hook.get("always_run") is True and "files" not in hook, hook["id"]
