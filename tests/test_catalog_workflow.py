""".github/workflows/catalog.yml: what users gate pull requests on is what .ci/run checks here."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.conftest import REPO


def _jobs() -> dict[str, Any]:
    document = yaml.safe_load((REPO / ".github" / "workflows" / "catalog.yml").read_text("utf-8"))
    return dict(document["jobs"])


def _steps() -> list[dict[str, Any]]:
    return [step for job in _jobs().values() for step in job["steps"]]


def _make_targets(text: str) -> set[str]:
    return {
        target
        for line in re.findall(r"^\s*(?:run:\s*)?make ([\w -]+)$", text, re.M)
        for target in line.split()
    }


def test_it_runs_every_make_target_ci_runs() -> None:
    runs = "\n".join(str(step.get("run", "")) for step in _steps())
    ci = (REPO / ".ci" / "run").read_text("utf-8")
    assert _make_targets(ci) <= _make_targets(runs) | {"setup"}, (
        "a target .ci/run runs that catalog.yml skips"
    )


def test_a_breaking_change_passes_only_with_the_label() -> None:
    diff = next(step for step in _steps() if "cardgen diff" in str(step.get("run", "")))
    assert diff["run"].endswith(" $ALLOW")
    expected = (
        "contains(github.event.pull_request.labels.*.name, 'breaking-accepted') && '--allow-breaking' || ''"
    )
    assert diff["env"]["ALLOW"] == "${{ " + expected + " }}"


def test_a_label_reruns_the_diff_alone() -> None:
    jobs = _jobs()
    assert "labeled" in jobs["check"]["if"] and "unlabeled" in jobs["check"]["if"]
    assert any("cardgen diff" in str(step.get("run", "")) for step in jobs["breaking"]["steps"])
    assert not any("cardgen diff" in str(step.get("run", "")) for step in jobs["check"]["steps"])
