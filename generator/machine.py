"""What commands print for machines: one JSON document on stdout, and CI's Markdown step summary."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from generator.diagnostics import Diagnostic
from generator.tree import TreeDiff

FORMATS = click.Choice(["text", "json"])
STEP_SUMMARY = "GITHUB_STEP_SUMMARY"
FC = TypeVar("FC", bound=Callable[..., Any])


def format_option(
    help_text: str = "text for people, json: one JSON document on stdout.",
) -> Callable[[FC], FC]:
    return click.option(
        "--format", "output_format", type=FORMATS, default="text", show_default=True, help=help_text
    )


def diagnostic_json(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "file": diagnostic.file,
        "line": diagnostic.line,
        "level": diagnostic.level.label,
        "message": diagnostic.message,
        "field": diagnostic.field,
    }


def diagnostics_json(diagnostics: Iterable[Diagnostic]) -> list[dict[str, Any]]:
    return [diagnostic_json(d) for d in diagnostics]


def tree_json(diff: TreeDiff) -> dict[str, list[str]]:
    return {"stale": list(diff.stale), "missing": list(diff.missing), "extra": list(diff.extra)}


def emit(document: dict[str, Any]) -> None:
    """Print the one JSON document the command answers with."""
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def append_step_summary(markdown: str) -> None:
    """Append to GitHub Actions' job summary when $GITHUB_STEP_SUMMARY names a file; else nothing.

    A summary that cannot be written is a warning on stderr: the command's own outcome (its
    exit status, its output on stdout) must not change because a side report failed.
    """
    target = os.environ.get(STEP_SUMMARY)
    if not target:
        return
    try:
        with Path(target).open("a", encoding="utf-8") as summary:
            summary.write(markdown if markdown.endswith("\n") else markdown + "\n")
    except OSError as exc:
        click.echo(
            f"warning: cannot append the report to ${STEP_SUMMARY} ({target}): {exc.strerror or exc}; "
            "the job summary misses it (point the variable at a writable file, or unset it)",
            err=True,
        )
