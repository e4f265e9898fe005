"""The `cardgen` command line."""

from __future__ import annotations

import errno
import gc
import importlib
import importlib.util
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from generator import __version__
from generator.cli_support import DEFAULT_CATALOG, DEFAULT_OUT, Process, exit_now, exit_status, folder_option
from generator.machine import append_step_summary, emit, format_option
from generator.selection import models_option, no_model_matches, unmatched_models

# Each command's module is imported when that command runs (the backend alone takes ~0.5 s to import),
# so a command pays only for what it uses. `cardgen --help` lists them from here: name -> (module,
# command object, short help); tests/test_cli_lazy.py checks the help matches the command's own.
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "build": (
        "generator.build_cli",
        "build_command",
        "Ingest the sources into the catalog, then render the catalog into the SDK: the usual loop.",
    ),
    "ingest": (
        "generator.ingest.cli",
        "ingest_command",
        "Read every source document into one normalized, validated catalog entry per model.",
    ),
    "generate": (
        "generator.generate_cli",
        "generate_command",
        "Render the catalog into a typed Python SDK (pydantic types, sync and async clients) and its tests.",
    ),
    "diff": (
        "generator.evolve.cli",
        "diff_command",
        "Say what changing the catalog from OLD to NEW does to callers of the generated SDK.",
    ),
    "pull": (
        "generator.pull.cli",
        "pull_command",
        "Fetch PROVIDER's model documents into <sources>/<provider>/, one file per model.",
    ),
    "record": (
        "generator.cassettes.cli",
        "record_command",
        "Record each model's example requests (else a minimal one), and one stream, as cassettes.",
    ),
    "serve": (
        "generator.backend.cli",
        "serve_command",
        "Serve every catalog model over HTTP, in its provider's protocol, for tests and local work.",
    ),
}

CONFORM_NEEDS = ("pytest", "hypothesis", "hypothesis_jsonschema")  # the `conform` extra
EXAMPLES_ENV = "CARDGEN_EXAMPLES"
DEFAULT_EXAMPLES = 20


# What may be wrong with a path the user gave or keeps (not with cardgen): an OSError of these,
# naming its path, is said as `Error: path: why` by any command that did not foresee it.
PATH_PROBLEMS = frozenset(
    {errno.ENOENT, errno.EACCES, errno.EPERM, errno.ELOOP, errno.EISDIR, errno.ENOTDIR}
    | {errno.ENAMETOOLONG, errno.ENOSPC, errno.EDQUOT, errno.EROFS}
)


class LazyGroup(click.Group):
    """A group whose LAZY_COMMANDS are imported only when invoked (or asked for by name)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module, attribute, _ = LAZY_COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            assert isinstance(command, click.Command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        given = list(args)  # parsing consumes them
        try:
            ctx = super().make_context(info_name, args, parent, **extra)
        except click.ClickException as error:
            self._answer_in_json(given, error)
            raise
        ctx.meta[_GIVEN] = given
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as error:
            self._answer_in_json(ctx.meta.get(_GIVEN, []), error)
            raise  # and click says it on stderr (a usage error with the usage line) and exits
        except OSError as error:
            if error.filename is None or error.errno not in PATH_PROBLEMS:  # else a traceback, for us
                raise
            # A file or folder no command foresaw it could not use (a symlink loop among the
            # recordings, a folder it may not read): said with its path, as any unreadable input is.
            stop = click.ClickException(_os_problem(error))
            self._answer_in_json(ctx.meta.get(_GIVEN, []), stop)
            raise stop from None

    def _answer_in_json(self, given: list[str], error: click.ClickException) -> None:
        """A command asked for JSON (`--format json`, `--json`) that stops on a usage error, or on
        an input it cannot read, before its own document: a JSON document on stdout too, so that a
        pipeline parsing it reads `ok: false` and why, not nothing."""
        ctx = getattr(error, "ctx", None) or click.Context(self)  # a usage error's own context
        name = next((arg for arg in given if not arg.startswith("-")), None)
        if name is None or name not in self.list_commands(ctx):
            return
        after = given[given.index(name) + 1 :]
        chosen = None  # the last --format given, as click takes it
        for index, arg in enumerate(after):
            if arg.startswith("--format="):
                chosen = arg.removeprefix("--format=")
            elif arg == "--format" and index + 1 < len(after):
                chosen = after[index + 1]
        wanted = "--json" in after or chosen == "json"  # --json (diff, catalog) whatever --format says
        if wanted and _speaks_json(self.get_command(ctx, name)):
            emit({"command": name, "ok": False, "error": error.format_message()})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their short help, without importing the lazy ones."""
        limit = 200  # each command's whole first sentence, wrapped by write_dl rather than cut with "..."
        rows = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name) or click.Command(name, help=LAZY_COMMANDS[name][2])
            if not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _speaks_json(command: click.Command | None) -> bool:
    """Whether the command has an output format of JSON to answer in."""
    return command is not None and any(param.name in {"output_format", "as_json"} for param in command.params)


_GIVEN = "cardgen.given_args"  # the command line as given, kept in the group's context


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cardgen")
def cli() -> None:
    """Turn LLM providers' model documents into a catalog and a typed Python SDK.

    \b
    Typical use, from the project root:
      cardgen ingest      catalog/sources -> catalog/models
      cardgen generate    catalog/models  -> generated/
      cardgen build       both, in one process
      cardgen catalog     list what the catalog holds
      cardgen record      cassettes of each model, for tests that need no server
      cardgen conform     the generated conformance tests, as a table
      cardgen diff        what a catalog change does to the SDK's callers
      cardgen serve       every model over HTTP, for the SDK's tests and yours
    """


@cli.command("catalog")
@click.option(
    "--catalog",
    "catalog_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_CATALOG,
    show_default=True,
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print every entry, schemas included, as a JSON array (= --format json).",
)
@format_option("text: a table of the models; json: every entry, schemas included, as a JSON array.")
def catalog_command(catalog_dir: Path, as_json: bool, output_format: str) -> None:
    """List the models in the catalog."""
    from generator.catalog.store import load_catalog

    as_json = as_json or output_format == "json"

    try:
        catalog = load_catalog(catalog_dir)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps([e.model_dump(mode="json", exclude_none=True) for e in catalog], indent=2))
        return
    rows = [("PROVIDER", "MODEL ID", "SLUG", "TASK", "STREAM")] + [
        (e.provider, e.model_id, e.slug, e.task, "yes" if e.streaming.supported else "no") for e in catalog
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@cli.command("conform")
@click.option(
    "--backend",
    default="local",
    show_default=True,
    help="local (started and stopped here), recorded (cassettes, no server), or a URL.",
)
@models_option("Glob over `<provider>/<slug>`, or over the slug alone: 'cloudflare/*', 'llama*'.")
@click.option(
    "--examples",
    type=click.IntRange(min=1),
    default=None,
    callback=lambda _ctx, param, given: given if given is not None else _examples_from_environment(param),
    show_default=f"{DEFAULT_EXAMPLES}, or ${EXAMPLES_ENV}",
    help="Hypothesis examples per property.",
)
@folder_option("--out", DEFAULT_OUT, "Where `cardgen generate` wrote the SDK and its tests.")
@folder_option("--catalog", DEFAULT_CATALOG, "The catalog the local backend serves.", "catalog_dir")
@click.option(
    "--junitxml",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also keep pytest's JUnit XML report (xunit1) at this path, for CI test reports.",
)
@click.option(
    "-n",
    "--workers",
    default=None,
    metavar="auto|N",
    help="Run the models in N worker processes (pytest-xdist; auto: one per core), a model's tests on one worker.",
)
@click.option(
    "--shard",
    default=None,
    metavar="K/N",
    help="Run part K of N: every Nth model of the sorted selection, from the Kth. "
    "Jobs 1/N ... N/N run every selected model exactly once (a CI matrix).",
)
@format_option("text: the table; json: one JSON document on stdout, per model x property.")
def conform_command(
    backend: str,
    patterns: tuple[str, ...],
    examples: int,
    out: Path,
    catalog_dir: Path,
    junitxml: Path | None,
    workers: str | None,
    shard: str | None,
    output_format: str,
) -> None:
    """Run the generated conformance suite and print a table: model x property.

    \b
    Properties: each request/response/chunk class accepts exactly what its JSON Schema
    accepts; valid values round-trip; every valid request sent through the client is
    accepted and its answer parses (local or URL backends); errors and faults (400, 401,
    429 + Retry-After, 5xx, cut streams) behave (local backend); every cassette replays.
    With $GITHUB_STEP_SUMMARY set, the table is appended to it in Markdown.
    """
    from generator.conform.results import markdown, table
    from generator.conform.results import to_json as results_json
    from generator.conform.run import (
        BackendUnavailable,
        ConformOptions,
        Shard,
        keep_empty_report,
        run_conformance,
        selected_modules,
        tested_models,
    )

    if backend not in ("local", "recorded") and not backend.startswith(("http://", "https://")):
        raise click.BadParameter(
            f"expected local, recorded or an http:// or https:// URL, not {backend!r}", param_hint="--backend"
        )
    missing = [name for name in CONFORM_NEEDS if importlib.util.find_spec(name) is None]
    if missing:  # a usage error: said in --format json's document too
        raise click.UsageError(f"cardgen conform needs {', '.join(missing)}: pip install 'cardgen[conform]'")
    if workers is not None and workers != "auto" and not workers.isdigit():
        raise click.BadParameter(
            f"expected auto or a whole number of workers (0: none), not {workers!r}", param_hint="-n"
        )
    if workers is not None and importlib.util.find_spec("xdist") is None:
        raise click.UsageError("cardgen conform -n needs pytest-xdist: pip install 'cardgen[conform]'")
    try:
        part = None if shard is None else Shard.parse(shard)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--shard") from None
    options = ConformOptions(
        out / "tests", catalog_dir, backend, patterns, examples, junitxml, workers=workers, shard=part
    )
    if not options.tests.is_dir():
        raise click.ClickException(f"no generated tests in {options.tests}: run `cardgen generate` first")
    unmatched = unmatched_models(tested_models(options.tests), patterns)
    if unmatched:
        raise no_model_matches(options.tests, unmatched)
    if part is not None and not selected_modules(options):
        # more shards than models (every glob names one, checked above): nothing to do, not a failure
        click.echo(f"shard {shard}: no models (the selection has fewer than {part.count})", err=True)
        keep_empty_report(options)
        if output_format == "json":
            emit({"command": "conform", "ok": True, "pytest_exit": 5, "backend": backend,
                  "examples": examples, "models": []})  # fmt: skip
        return
    try:
        code, results = run_conformance(replace(options, pytest_to_stderr=output_format == "json"))
    except BackendUnavailable as exc:  # before any test ran: said like any input the command cannot read
        raise click.ClickException(str(exc)) from None
    failed = code != 0 or results.failed
    append_step_summary(markdown(results, examples, code))
    if output_format == "json":
        emit(
            {"command": "conform", "ok": not failed, "pytest_exit": code, "backend": backend,
             "examples": examples, "models": results_json(results, examples)}
        )  # fmt: skip
    else:
        click.echo("\n".join(table(results, examples)))
    if failed:
        if output_format != "json":
            click.echo(f"conformance failed (pytest exit {code})", err=True)
        sys.exit(1)


def _examples_from_environment(param: click.Parameter) -> int:
    """$CARDGEN_EXAMPLES when set, else the default: a whole number of at least 1, or a usage error.

    Zero or fewer examples would not skip the properties: hypothesis refuses them, and every
    model would show as failing every property, which a bad CI variable must not look like.
    """
    given = os.environ.get(EXAMPLES_ENV)
    if given is None:
        return DEFAULT_EXAMPLES
    try:
        examples = int(given)
    except ValueError:
        examples = 0
    if examples < 1:
        raise click.BadParameter(
            f"${EXAMPLES_ENV} is {given!r}: expected a whole number of at least 1 (or unset it for "
            f"{DEFAULT_EXAMPLES})",
            param=param,
        )
    return examples


def _os_problem(error: OSError) -> str:
    """`path: what is wrong with it` (both paths of a rename or a link)."""
    paths = " -> ".join(str(name) for name in (error.filename, error.filename2) if name is not None)
    return f"{paths}: {error.strerror or error}"


def main() -> None:
    Process.whole = True
    # A command is one short process that builds thousands of objects it keeps to its end (entries,
    # files, parsed schemas): at the default threshold the cycle collector walks them ~150 times a
    # run and frees next to nothing. Every 50 000 allocations it still runs (as mypy does).
    gc.set_threshold(50_000, 20, 20)
    try:
        cli(prog_name="cardgen")
    except SystemExit as stop:
        if not Process.frozen:  # a small heap, or a long-lived command (serve): the usual ending
            raise
        exit_now(exit_status(stop))
