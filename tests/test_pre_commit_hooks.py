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
