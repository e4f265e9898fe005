"""Render a catalog diff for people (grouped by model) and for machines (JSON)."""

from __future__ import annotations

import json
from typing import Any

from generator.evolve.changes import Bump, CatalogDiff, Change, bump_below_1_0
from generator.evolve.schema_facts import short
from generator.markdown import markdown_code, markdown_message
from generator.render.pytext import escape_unprintable

ABSENT = "(absent)"
WIDTH = 15  # the longest severity, "informational", and a space


def _value(value: Any) -> str:
    # As a Change escapes its message: after the cut, so no escape is cut in two.
    return ABSENT if value is None else escape_unprintable(short(value, 50))


def _change_lines(change: Change) -> list[str]:
    indent = " " * (2 + WIDTH)
    return [
        f"  {change.severity:<{WIDTH}}{change.rule}  {change.path}",
        f"{indent}{_value(change.old)} -> {_value(change.new)}",
        f"{indent}{change.message}",
    ]


def render_text(diff: CatalogDiff) -> str:
    """The report: each model's changes, most severe first, then counts and the suggested bump."""
    lines: list[str] = []
    for model in diff.models:
        lines.append(f"{model.provider} {model.model_id}: {model.status}")
        for change in model.changes:
            lines.extend(_change_lines(change))
        lines.append("")
    if diff.models:
        statuses = [model.status for model in diff.models]
        counts = diff.counts()
        lines.append(
            f"{len(statuses)} model(s): {statuses.count('added')} added, "
            f"{statuses.count('removed')} removed, {statuses.count('changed')} changed; "
            + ", ".join(f"{count} {severity}" for severity, count in counts.items())
        )
    else:
        lines.append("no changes")
    lines.append(f"suggested version bump: {_bump_text(diff.bump)}")
    return "\n".join(lines) + "\n"


def to_json(diff: CatalogDiff) -> dict[str, Any]:
    """The machine-readable document; models and changes in the diff's deterministic order."""
    return {
        "bump": diff.bump,
        "bump_below_1_0": bump_below_1_0(diff.bump),
        "breaking": diff.breaking,
        "counts": dict(diff.counts()),
        "models": [
            {
                "provider": model.provider,
                "model_id": model.model_id,
                "status": model.status,
                "changes": [
                    {
                        "rule": change.rule,
                        "severity": change.severity,
                        "path": change.path,
                        "old": change.old,
                        "new": change.new,
                        "message": change.message,
                    }
                    for change in model.changes
                ],
            }
            for model in diff.models
        ],
    }


def render_json(diff: CatalogDiff, ok: bool | None = None) -> str:
    """The diff as JSON; with ok (the exit status is 0), `command` and `ok` first, as every command's JSON."""
    head = {} if ok is None else {"command": "diff", "ok": ok}
    return json.dumps({**head, **to_json(diff)}, indent=2, ensure_ascii=False) + "\n"


def render_markdown(diff: CatalogDiff) -> str:
    """A CI job summary: the verdict, the counts, a row per change."""
    verdict = "breaking" if diff.breaking else "nothing breaking"
    counts = ", ".join(f"{count} {severity}" for severity, count in diff.counts().items())
    lines = [
        f"### cardgen diff: {verdict}",
        "",
        f"{len(diff.models)} model(s) changed; {counts}; suggested version bump: **{_bump_text(diff.bump)}**.",
    ]
    if diff.models:
        lines += ["", "| model | status | severity | rule | path | change |", "|---|---|---|---|---|---|"]
    for model in diff.models:
        name = f"`{model.provider}` `{markdown_code(model.model_id)}`"
        if not model.changes:
            lines.append(f"| {name} | {model.status} | | | | |")
        for change in model.changes:
            lines.append(
                f"| {name} | {model.status} | {change.severity} | `{change.rule}` | "
                f"`{markdown_code(change.path)}` | {markdown_message(change.message)} |"
            )
    return "\n".join(lines) + "\n"


def _bump_text(bump: Bump) -> str:
    """The bump, and what it is for a 0.x version when that differs (what `cardgen generate` applies)."""
    below = bump_below_1_0(bump)
    return bump if below == bump else f"{bump} ({below} below 1.0)"
