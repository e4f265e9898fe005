"""The `cardgen` command line."""

from __future__ import annotations

import gc
import importlib
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import click

from generator import __version__
from generator.diagnostics import Diagnostic, Level, has_errors
from generator.machine import append_step_summary, diagnostics_json, emit, format_option, tree_json
from generator.tree import TreeDiff

if TYPE_CHECKING:
    from generator.generate import Generation, Previous
    from generator.ingest.cache import IngestCache
    from generator.ingest.pipeline import IngestResult
    from generator.ingest.replay import Outcome
    from generator.unchanged import RunInputs, Unchanged

# Each command's module is imported when that command runs (the backend alone takes ~0.5 s to import),
# so a command pays only for what it uses. `cardgen --help` lists them from here: name -> (module,
# command object, short help); tests/test_cli_lazy.py checks the help matches the command's own.
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
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

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their short help, without importing the lazy ones."""
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        rows = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name) or click.Command(name, help=LAZY_COMMANDS[name][2])
            if not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


DEFAULT_SOURCES = Path("catalog/sources")
DEFAULT_CATALOG = Path("catalog/models")
DEFAULT_OUT = Path("generated")
CONFORM_NEEDS = ("pytest", "hypothesis", "hypothesis_jsonschema")  # the `conform` extra


def _report(diagnostics: Iterable[Diagnostic], verbose: bool) -> None:
    for diagnostic in diagnostics:
        if diagnostic.level >= Level.NOTE or verbose:
            click.echo(diagnostic.render(), err=True)


def _openable(diagnostic: Diagnostic, base: Path | None) -> Diagnostic:
    """The diagnostic naming its file from the current directory; provenance keeps the catalog's name."""
    if base is None or not (base / diagnostic.file).exists():
        return diagnostic
    return replace(diagnostic, file=Path(os.path.relpath(base / diagnostic.file)).as_posix())


@contextmanager
def _uncollected() -> Iterator[None]:
    """Build a large catalog without the cycle collector walking it again each time it grows.

    What is built here is data kept to the end of the command (parsed JSON and YAML, entries,
    extractions, and the modules imported meanwhile): the collector would walk the growing heap
    again and again and free nearly nothing (50-80 ms at 500 models). When the command is the
    whole process (main), all of it is then frozen (gc.freeze), so later collections do not walk
    it either; reference counting still frees it. Called in a longer process, the collector is
    only paused: freezing would keep that process's uncollected cycles for good.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _Process.whole:
            gc.freeze()
        if enabled:
            gc.enable()


class _Process:
    whole = False  # set by main: this command is the process, and ends with it


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cardgen")
def cli() -> None:
    """Turn LLM providers' model documents into a catalog and a typed Python SDK.

    \b
    Typical use, from the project root:
      cardgen ingest      catalog/sources -> catalog/models
      cardgen generate    catalog/models  -> generated/
      cardgen catalog     list what the catalog holds
    """


@cli.command("ingest")
@click.option(
    "--sources",
    type=click.Path(path_type=Path),
    default=DEFAULT_SOURCES,
    show_default=True,
    help="A docs folder as published: model pages in any known format, other pages noted and skipped.",
)
@click.option(
    "--providers",
    type=click.Path(path_type=Path),
    default=None,
    help="Overrides of the provider defaults cardgen ships, field by field [default: providers/ beside the sources].",
)
@click.option(
    "--overlays",
    type=click.Path(path_type=Path),
    default=None,
    help="Maintainers' patches [default: overlays/ beside the sources].",
)
@click.option(
    "--catalog",
    "catalog_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_CATALOG,
    show_default=True,
    help="Where the normalized entries go.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 if the catalog differs from a fresh ingest.",
)
@click.option(
    "--keep-going",
    is_flag=True,
    help="On errors, still write the good entries (and keep the last entry of a document that "
    "no longer yields one); exit 1 all the same.",
)
@click.option("-v", "--verbose", is_flag=True, help="Also print informational diagnostics.")
@format_option(
    "text for people; json: one JSON document on stdout, every diagnostic (info included) an object."
)
def ingest_command(
    sources: Path,
    providers: Path | None,
    overlays: Path | None,
    catalog_dir: Path,
    check: bool,
    keep_going: bool,
    verbose: bool,
    output_format: str,
) -> None:
    """Read every source document into one normalized, validated catalog entry per model.

    \b
    Every document becomes an entry, a note or a diagnostic:
      note     a page that is not a model page (an index, a listing, a "get started" page): skipped
      warning  a document no extractor recognises, a fact a page leaves out
      error    a page that does not parse, a schema that is not valid, two pages claiming one
               model, a sources folder that yields no entry, a document that yielded an entry in
               the catalog and no longer does

    Any error: nothing is written and the previous catalog stays as it was (with --keep-going
    the good entries are written), and the exit status is 1. Provider defaults ship with cardgen;
    `providers/<name>.yaml` beside the sources overrides them field by field.
    """
    from generator.ingest.acknowledged import FILE_NAME as ACKNOWLEDGED
    from generator.ingest.replay import inputs_digest, replayed
    from generator.ingest.toolchain import ingest_toolchain

    as_json = output_format == "json"
    providers, overlays = providers or sources.parent / "providers", overlays or sources.parent / "overlays"
    tools = ingest_toolchain(providers)
    digest = inputs_digest(sources, providers, overlays, sources.parent / ACKNOWLEDGED, tools)
    again = replayed(catalog_dir, digest)
    if again is not None:  # every input byte for byte as the last clean ingest read it: its outcome
        _replay_ingest(again, sources, catalog_dir, check, verbose, as_json)
        return

    from generator.ingest.cache import load_cache
    from generator.ingest.pipeline import IngestInputs, ingest, render_catalog

    inputs = IngestInputs.beside(sources, providers, overlays, catalog_dir)
    with _uncollected():
        cache = load_cache(catalog_dir, inputs.providers)  # what unchanged documents yielded last time
        result = ingest(inputs, cache)
    diagnostics = [_openable(d, sources.parent) for d in result.diagnostics]
    if not as_json:
        _report(diagnostics, verbose)
    failed = has_errors(diagnostics)
    errors = sum(1 for d in diagnostics if d.level is Level.ERROR)
    document: dict[str, Any] = {
        "command": "ingest",
        "ok": not failed,
        "documents": result.documents,
        "diagnostics": diagnostics_json(
            d for d in diagnostics if d.level >= Level.NOTE or verbose or as_json
        ),
    }
    if failed and (check or not keep_going):
        if as_json:
            emit({**document, "entries": len(result.catalog), "written": False})
        else:
            click.echo(f"ingest failed: {errors} error(s); nothing written to {catalog_dir}", err=True)
        sys.exit(1)
    files, verified = render_catalog(result.catalog, cache, catalog_dir)
    if failed:  # --keep-going: a document that broke keeps the entry it had
        files.update({PurePosixPath(lost): (catalog_dir / lost).read_text("utf-8") for lost in result.lost})
    diff = _sync(catalog_dir, files, check, "ingest", verified)
    if not check:
        _remember_ingest(catalog_dir, cache, result, files, digest if not failed else None)
    document |= {"entries": len(files), "check": check, **tree_json(diff)}
    if as_json:
        emit({**document, "ok": document["ok"] and (diff.clean or not check)})
        sys.exit(1 if failed or (check and not diff.clean) else 0)
    if check:
        _report_check(catalog_dir, diff, f"{sources} (run `cardgen ingest`)", len(files))
    else:
        changed = len(diff.stale) + len(diff.missing)
        click.echo(
            f"ingested {result.documents} documents into {len(files)} entries in {catalog_dir}: "
            f"{changed} written, {len(diff.extra)} removed, {len(files) - changed} unchanged"
        )
    if failed:
        click.echo(
            f"ingest failed: {errors} error(s); the good entries were written (--keep-going)", err=True
        )
        sys.exit(1)


def _replay_ingest(
    outcome: Outcome, sources: Path, catalog_dir: Path, check: bool, verbose: bool, as_json: bool
) -> None:
    """Say what the last clean ingest said, as a run that wrote nothing."""
    diagnostics = [_openable(d, sources.parent) for d in outcome.diagnostics]
    if not as_json:
        _report(diagnostics, verbose)
    if as_json:
        emit(
            {"command": "ingest", "ok": True, "documents": outcome.documents,
             "diagnostics": diagnostics_json(diagnostics), "entries": outcome.entries, "check": check,
             **tree_json(TreeDiff())}
        )  # fmt: skip
    elif check:
        _report_check(catalog_dir, TreeDiff(), "", outcome.entries)
    else:
        click.echo(
            f"ingested {outcome.documents} documents into {outcome.entries} entries in {catalog_dir}: "
            f"0 written, 0 removed, {outcome.entries} unchanged"
        )


def _remember_ingest(
    catalog_dir: Path,
    cache: IngestCache,
    result: IngestResult,
    files: dict[PurePosixPath, str],
    digest: str | None,
) -> None:
    """Keep what this ingest extracted and wrote; digest (a clean run's): replay it next time."""
    from generator.catalog.store import entry_path
    from generator.ingest.cache import cache_lines, write_cache
    from generator.ingest.replay import RUN_FILE, Outcome, run_text

    entries = ((e.model_dump_json(), files[entry_path(e)], e.provenance.source.path) for e in result.catalog)
    write_cache(catalog_dir, cache_lines(cache, entries))
    if digest is None:
        (catalog_dir / RUN_FILE).unlink(missing_ok=True)
    else:
        outcome = Outcome(result.documents, len(files), result.diagnostics)
        write_cache(catalog_dir, run_text(digest, catalog_dir, outcome), RUN_FILE)


@cli.command("catalog")
@click.option(
    "--catalog",
    "catalog_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_CATALOG,
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True, help="Print every entry, schemas included, as a JSON array.")
def catalog_command(catalog_dir: Path, as_json: bool) -> None:
    """List the models in the catalog."""
    from generator.catalog.store import load_catalog

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


def _label(directory: Path) -> str:
    """How generated headers name a directory: relative to here, so output never holds our paths."""
    try:
        return directory.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return directory.name


@cli.command("generate")
@click.option(
    "--catalog",
    "catalog_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_CATALOG,
    show_default=True,
    help="The catalog to render.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Directory that receives the package and its tests.",
)
@click.option(
    "--package",
    default="modelsdk",
    show_default=True,
    help="Import name of the generated package; vendor it under any name.",
)
@click.option(
    "--recordings",
    type=click.Path(path_type=Path),
    default=None,
    help="Cassettes from `cardgen record` [default: recordings/ beside the catalog].",
)
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 listing stale, missing and extra files, and why."
)
@format_option()
def generate_command(
    catalog_dir: Path, out: Path, package: str, recordings: Path | None, check: bool, output_format: str
) -> None:
    """Render the catalog into a typed Python SDK (pydantic types, sync and async clients) and its tests.

    Models whose catalog entry, recordings and toolchain are unchanged since the last run (see
    <out>/cardgen.lock) keep their files untouched. The package version moves by what changed in
    the catalog (`cardgen diff` rules) and <out>/CHANGELOG.md says why. Everything is rendered and
    formatted in memory first; the output directory changes only when all of it succeeded.
    When neither the inputs nor the output changed since the last run, nothing is parsed or
    rendered at all (<out>/.cardgen-cache/ remembers that run; deleting it is always safe).
    """
    as_json = output_format == "json"
    started = time.perf_counter()
    from generator.unchanged import (
        ENTRIES_NAME,
        RunInputs,
        forget,
        inputs_digest,
        remember,
        unchanged,
        write_cache,
    )

    run = RunInputs(
        catalog_dir, recordings or catalog_dir.parent / "recordings", package, _label(catalog_dir)
    )
    # Taken before anything is read, so a catalog edited meanwhile is not recorded as this one.
    digest = inputs_digest(run)
    same = unchanged(out, digest)
    if same is not None:  # the inputs and every output file are as the last run left them
        _report_unchanged(out, same, check, as_json, time.perf_counter() - started)
        return
    generation, previous, parsed = _generate(run, out, check, as_json)
    files = generation.files
    if not check:
        forget(out)
    diff = _sync(out, files, check, "generate", generation.verified)
    if not check:
        if parsed is not None:
            write_cache(out, ENTRIES_NAME, parsed)
        verified = {str(p) for p in generation.verified}  # hashed as they were read: the lock has them
        hashed = {
            p: sha for m in generation.lock.models.values() for p, sha in m.files.items() if p in verified
        }
        remember(out, digest, {str(p): text for p, text in files.items()}, generation.lock.version,
                 len(generation.rendered) + len(generation.reused), hashed)  # fmt: skip
    why = _why(previous, generation, catalog_dir) if check and not diff.clean else []
    if as_json:
        clean = diff.clean or not check
        emit(
            {"command": "generate", "ok": clean, "check": check, "version": generation.lock.version,
             "files": len(files), **tree_json(diff), "why": why,
             "rendered": len(generation.rendered), "reused": len(generation.reused)}
        )  # fmt: skip
        sys.exit(0 if clean else 1)
    if check:
        _report_check(out, diff, f"{catalog_dir} (run `cardgen generate`)", len(files), tuple(why))
        return
    changed = len(diff.stale) + len(diff.missing)
    click.echo(
        f"generated {len(files)} files in {out} (version {generation.lock.version}): {changed} written, "
        f"{len(diff.extra)} removed, {len(files) - changed} unchanged; {len(generation.rendered)} models "
        f"rendered, {len(generation.reused)} reused ({time.perf_counter() - started:.1f}s)"
    )


def _generate(
    run: RunInputs, out: Path, check: bool, as_json: bool
) -> tuple[Generation, Previous, str | None]:
    """Render the catalog against the previous output; on failure say so and exit 1.

    Also the text of out's parsed-entries cache when it changed (else None).
    """
    from generator.catalog.store import parsed_text, read_catalog, read_parsed
    from generator.generate import Previous, generate
    from generator.lockfile import LOCK_NAME, read_lock
    from generator.render.changelog import CHANGELOG_NAME
    from generator.render.context import RenderError
    from generator.render.format import FormatError
    from generator.render.render import RenderOptions
    from generator.tree import read_tree
    from generator.unchanged import ENTRIES_NAME, cache_path

    previous = Previous(read_lock(out / LOCK_NAME), _read_text(out / CHANGELOG_NAME), _reader(out))
    try:
        # Entries the lock proves validated, text unchanged, are not schema-checked again, and
        # those whose text the last run parsed are not parsed again.
        with _uncollected():
            parsed = read_parsed(cache_path(out, ENTRIES_NAME))
            known = previous.lock.known_entries() if previous.lock else None
            loaded = read_catalog(run.catalog, known, parsed)
        # Written once the output is.
        parsed_now = parsed_text(loaded.parsed) if loaded.parsed.keys() != parsed.keys() else None
        catalog = loaded.catalog
        click.echo(f"rendering {len(catalog)} models from {run.catalog} as `{run.package}`...", err=True)
        generation = generate(
            catalog,
            RenderOptions(package=run.package, catalog_label=run.catalog_label),
            read_tree(run.recordings, "*/*/*.yaml"),
            previous,
            loaded.texts,
        )
    except (ValueError, RenderError, FormatError) as exc:
        if as_json:
            emit({"command": "generate", "ok": False, "check": check, "error": str(exc)})
        else:
            click.echo(f"generate failed; nothing written to {out}:\n{exc}", err=True)
        sys.exit(1)
    return generation, previous, parsed_now


def _why(previous: Previous, generation: Generation, catalog_dir: Path) -> list[str]:
    from generator.ingest.sources import load_sources
    from generator.lockfile import why_stale

    documents, _ = load_sources(catalog_dir.parent / "sources")
    return why_stale(previous.lock, generation.lock, {d.name: d.sha256 for d in documents})


def _report_unchanged(out: Path, same: Unchanged, check: bool, as_json: bool, seconds: float) -> None:
    if as_json:
        emit(
            {"command": "generate", "ok": True, "check": check, "version": same.version,
             "files": same.files, **tree_json(TreeDiff()), "why": [], "rendered": 0, "reused": same.models}
        )  # fmt: skip
    elif check:
        _report_check(out, TreeDiff(), "", same.files)
    else:
        click.echo(
            f"generated {same.files} files in {out} (version {same.version}): 0 written, 0 removed, "
            f"{same.files} unchanged; 0 models rendered, {same.models} reused ({seconds:.1f}s)"
        )


def _sync(
    target: Path,
    files: dict[PurePosixPath, str],
    check: bool,
    command: str,
    verified: frozenset[PurePosixPath] = frozenset(),
) -> TreeDiff:
    """Write files to target, or with check only compare; exit 1 when the target is unsafe to write."""
    from generator.tree import UnsafeTarget, compare_tree, write_tree

    if check:
        return compare_tree(target, files, verified)
    try:
        return write_tree(target, files, verified)
    except UnsafeTarget as exc:
        click.echo(f"{command}: {exc}", err=True)
        sys.exit(1)


def _report_check(
    target: Path, diff: TreeDiff, stale_against: str, count: int, why: tuple[str, ...] = ()
) -> None:
    """Say whether target is up to date; exit 1 listing what differs and why when it is not."""
    if diff.clean:
        click.echo(f"{target} is up to date ({count} files)")
        return
    click.echo(f"{target} is out of date with {stale_against}:", err=True)
    for line in diff.lines():
        click.echo(f"  {line}", err=True)
    for reason in why:
        click.echo(f"why: {reason}", err=True)
    sys.exit(1)


def _read_text(path: Path) -> str | None:
    return path.read_text("utf-8") if path.is_file() else None


def _reader(root: Path) -> Callable[[list[PurePosixPath]], dict[PurePosixPath, bytes] | None]:
    def read(paths: list[PurePosixPath]) -> dict[PurePosixPath, bytes] | None:
        found = {}
        for path in paths:
            try:
                with open(os.path.join(root, path), "rb") as stream:  # noqa: PTH118, PTH123 - 2 000 files
                    found[path] = stream.read()
            except OSError:  # missing, or not a file
                return None
        return found

    return read


@cli.command("conform")
@click.option(
    "--backend",
    default="local",
    show_default=True,
    help="local (started and stopped here), recorded (cassettes, no server), or a URL.",
)
@click.option(
    "--model", "model_glob", default="*", show_default=True, help="Models to run, e.g. 'cloudflare/*'."
)
@click.option(
    "--examples",
    type=int,
    default=lambda: int(os.environ.get("CARDGEN_EXAMPLES", "20")),
    show_default="20, or $CARDGEN_EXAMPLES",
    help="Hypothesis examples per property.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Where `cardgen generate` wrote the SDK and its tests.",
)
@click.option(
    "--catalog",
    "catalog_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_CATALOG,
    show_default=True,
    help="The catalog the local backend serves.",
)
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
    model_glob: str,
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
    from generator.conform.run import ConformOptions, Shard, run_conformance, selected_modules

    missing = [name for name in CONFORM_NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        click.echo(f"cardgen conform needs {', '.join(missing)}: pip install 'cardgen[conform]'", err=True)
        sys.exit(2)
    if workers is not None and workers != "auto" and not workers.isdigit():
        raise click.BadParameter(f"expected auto or a number, not {workers!r}", param_hint="-n")
    if workers is not None and importlib.util.find_spec("xdist") is None:
        click.echo("cardgen conform -n needs pytest-xdist: pip install 'cardgen[conform]'", err=True)
        sys.exit(2)
    try:
        part = None if shard is None else Shard.parse(shard)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--shard") from None
    options = ConformOptions(
        out / "tests", catalog_dir, backend, model_glob, examples, junitxml, workers=workers, shard=part
    )
    if not options.tests.is_dir():
        raise click.ClickException(f"no generated tests in {options.tests}: run `cardgen generate` first")
    if part is not None and not selected_modules(options) and selected_modules(replace(options, shard=None)):
        # more shards than models: this job has nothing to do, which is not a failure
        click.echo(f"shard {shard}: no models (the selection has fewer than {part.count})", err=True)
        if output_format == "json":
            emit({"command": "conform", "ok": True, "pytest_exit": 5, "backend": backend,
                  "examples": examples, "models": []})  # fmt: skip
        return
    code, results = run_conformance(replace(options, pytest_to_stderr=output_format == "json"))
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


def main() -> None:
    _Process.whole = True
    cli(prog_name="cardgen")
