"""The `cardgen diff` command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.catalog.parsed import ParsedEntries
from generator.catalog.store import Catalog
from generator.evolve.entry_diff import diff_catalogs
from generator.evolve.report import render_json, render_markdown, render_text
from generator.evolve.revisions import RevisionError, catalog_in_repository, load_catalog_at
from generator.machine import append_step_summary, format_option


class InputError(click.ClickException):
    """A catalog could not be read: exit 2, so that 1 keeps meaning 'breaking'."""

    exit_code = 2


def _load(spec: str, name: str, other: str) -> Catalog:
    """A catalog argument; a revision's catalog is read where the other argument's folder sits in
    the repository (`cardgen diff HEAD sdk/catalog/models` reads HEAD's sdk/catalog/models)."""
    # A revision's entries that the work tree's catalog holds too (most of them) are read back from
    # the JSON kept beside it, not parsed again.
    parsed = ParsedEntries(Path(other)) if Path(other).is_dir() else None
    try:
        return load_catalog_at(spec, near=catalog_in_repository(other), parsed=parsed)
    except RevisionError as exc:
        raise InputError(f"{name}: {exc}") from exc
    except ValueError as exc:
        raise InputError(f"{name} ({spec}): {exc}") from exc


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON document instead of the report (= --format json)."
)
@format_option("text: the report; json: one JSON document with `breaking`, `counts`, `bump` and the changes.")
@click.option("--allow-breaking", is_flag=True, help="Exit 0 even when something breaks callers.")
def diff_command(old: str, new: str, as_json: bool, output_format: str, allow_breaking: bool) -> None:
    """Say what changing the catalog from OLD to NEW does to callers of the generated SDK.

    \b
    OLD and NEW are catalog directories (e.g. catalog/models) or git revisions of
    this repository (HEAD~1, origin/main, a sha), read with git without a checkout;
    a directory wins over a revision of the same name. A revision's catalog is read
    where the other side's folder sits in the repository (else catalog/models), or
    where REV:path says; a revision with no catalog there is refused (exit 2).

    Every change gets a stable rule id and a severity: breaking (callers' code stops
    type-checking), breaking-wire (it compiles, but requests or responses that worked
    now fail), compatible, informational. The suggested version bump follows: major,
    minor, patch or none.

    \b
    Exit status: 0 nothing breaking (or --allow-breaking), 1 something breaking,
    2 a catalog could not be read. With $GITHUB_STEP_SUMMARY set, the report is appended
    to it in Markdown.
    """
    as_json = as_json or output_format == "json"
    before, after = _load(old, "OLD", new), _load(new, "NEW", old)
    try:
        diff = diff_catalogs(before, after)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    ok = not diff.breaking or allow_breaking
    click.echo(render_json(diff, ok) if as_json else render_text(diff), nl=False)
    append_step_summary(render_markdown(diff))
    if diff.breaking and not allow_breaking:
        if not as_json:
            click.echo("breaking changes found (pass --allow-breaking to accept them)", err=True)
        sys.exit(1)
