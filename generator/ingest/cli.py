"""The `cardgen ingest` command: sources -> catalog, every document an entry, a note or a diagnostic."""

from __future__ import annotations

import hashlib
import sys
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import click

from generator.cli_support import (
    DEFAULT_CATALOG,
    DEFAULT_SOURCES,
    folder_option,
    handoff,
    openable,
    overlays_option,
    providers_option,
    report,
    report_check,
    sync,
    uncollected,
    verbose_option,
    warn_not_kept,
)
from generator.diagnostics import Diagnostic, Level, count_warnings, has_errors
from generator.machine import diagnostics_json, emit, format_option, tree_json
from generator.tree import TreeDiff
from generator.wording import counted

if TYPE_CHECKING:
    from generator.catalog.store import Written
    from generator.ingest.cache import IngestCache
    from generator.ingest.pipeline import IngestResult
    from generator.ingest.replay import Outcome


@click.command("ingest")
@folder_option(
    "--sources",
    DEFAULT_SOURCES,
    "A docs folder as published: model pages in any known format, other pages noted and skipped.",
)
@providers_option
@overlays_option
@folder_option("--catalog", DEFAULT_CATALOG, "Where the normalized entries go.", "catalog_dir")
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
@click.option(
    "--strict",
    is_flag=True,
    help="Count warnings as errors (for CI): any unacknowledged warning writes nothing and exits 1.",
)
@verbose_option
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
    strict: bool,
) -> None:
    """Read every source document into one normalized, validated catalog entry per model.

    \b
    Every document becomes an entry, a note or a diagnostic:
      note     a page that is not a model page (an index, a listing, a "get started" page, a
               document in no format cardgen reads that shows no schema), or an older page of a
               model whose Cloudflare JSON document supersedes it: skipped
      warning  a fact a page leaves out, a range that disagrees with another document
      error    a page that does not parse, a schema that is not valid, two pages claiming one
               model, a file or folder that cannot be read, a sources folder that yields no
               entry, a document that yielded an entry in the catalog and no longer does

    Any error: nothing is written and the previous catalog stays as it was (with --keep-going
    the good entries are written), and the exit status is 1. Provider defaults ship with cardgen;
    `providers/<name>.yaml` beside the sources replaces them field by field. Defaults fill in what a
    document leaves out: what it states wins (a provider file that says otherwise is a warning).
    """
    from generator.ingest.places import ACKNOWLEDGED, places
    from generator.ingest.proof_file import keep_proofs, read_proofs
    from generator.ingest.replay import inputs_digest, replayed
    from generator.ingest.toolchain import ingest_toolchain

    as_json = output_format == "json"
    providers, overlays = providers or sources.parent / "providers", overlays or sources.parent / "overlays"
    tools = ingest_toolchain(providers)
    proofs = read_proofs(catalog_dir)  # files unchanged since the last ingest hashed them: not read again
    digest = inputs_digest(sources, providers, overlays, sources.parent / ACKNOWLEDGED, tools, proofs)
    again = replayed(catalog_dir, digest, proofs)
    if again is not None and not (strict and count_warnings(again.diagnostics)):
        # every input byte for byte as the last clean ingest read it: its outcome
        if not check:
            keep_proofs(catalog_dir, proofs)
        _replay_ingest(again, places(sources, providers, overlays), catalog_dir, check, verbose, as_json)
        return

    from generator.ingest.cache import load_cache
    from generator.ingest.pipeline import IngestInputs, ingest

    inputs = IngestInputs.beside(sources, providers, overlays, catalog_dir)
    with uncollected():
        cache = load_cache(catalog_dir, tools, proofs)  # what unchanged documents yielded last time
        result = ingest(inputs, cache)
    diagnostics = openable(result.diagnostics, places(sources, providers, overlays))
    if not as_json:
        report(diagnostics, verbose)
    warned = count_warnings(diagnostics) if strict else 0
    failed = has_errors(diagnostics) or warned > 0
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
            # the same keys as a run that wrote: nothing compared, nothing written
            emit({**document, "entries": len(result.catalog), "check": check, **tree_json(TreeDiff()),
                  "written": False})  # fmt: skip
        else:
            _say_stopped(catalog_dir, check, errors, warned)
        sys.exit(1)
    if not (as_json or strict or failed):
        _say_strict_refuses(diagnostics, sources.parent / ACKNOWLEDGED)
    diff, entries = _write_catalog(catalog_dir, result, cache, check, digest if not failed else None)
    document |= {"entries": entries, "check": check, **tree_json(diff), "written": not check}
    if as_json:
        emit({**document, "ok": document["ok"] and (diff.clean or not check)})
        sys.exit(1 if failed or (check and not diff.clean) else 0)
    if check:
        report_check(catalog_dir, diff, f"{sources} (run `cardgen ingest`)", entries)
    else:
        changed = len(diff.stale) + len(diff.missing)
        click.echo(
            f"ingested {counted(result.documents, 'document')} into {counted(entries, 'entry', 'entries')} in {catalog_dir}: "
            f"{changed} written, {len(diff.extra)} removed, {entries - changed} unchanged"
        )
        _name_removed(catalog_dir, diff.extra)
    if failed:
        click.echo(
            f"ingest failed: {errors} error(s); the good entries were written (--keep-going)", err=True
        )
        sys.exit(1)


def _say_strict_refuses(diagnostics: list[Diagnostic], acknowledged: Path) -> None:
    """After the warnings of a run without --strict: they pass here, and fail the --strict run a CI
    makes (`make check`), which a user who saw them scroll past in a successful run would not guess."""
    warned = count_warnings(diagnostics)
    if warned:
        click.echo(
            f"{warned} warning(s) above: `cardgen ingest --strict` (as `make check` and CI run it) fails "
            f"until each is answered as it says (a fix, an overlay, or {acknowledged})",
            err=True,
        )


def _say_stopped(catalog_dir: Path, check: bool, errors: int, warned: int) -> None:
    """Say why the run stopped before the catalog, and what that left undone."""
    found = f"{errors} error(s)" + (f" and {warned} warning(s) under --strict" if warned else "")
    done = f"{catalog_dir} not compared" if check else f"nothing written to {catalog_dir}"
    click.echo(f"ingest{' --check' if check else ''} failed: {found}; {done}", err=True)


REMOVED_NAMED = 20  # a catalog emptied by mistake names a few of its entries, not all of them


def _name_removed(catalog_dir: Path, removed: list[str]) -> None:
    """Name the entries this ingest removed (their documents are gone): a model leaving the SDK is
    worth a line of its own in a log, not only a count."""
    for name in removed[:REMOVED_NAMED]:
        click.echo(f"  removed {catalog_dir / name}")
    if len(removed) > REMOVED_NAMED:
        click.echo(f"  and {len(removed) - REMOVED_NAMED} more")


def _replay_ingest(
    outcome: Outcome,
    places: dict[str, Path],
    catalog_dir: Path,
    check: bool,
    verbose: bool,
    as_json: bool,
) -> None:
    """Say what the last clean ingest said, as a run that wrote nothing (places: see openable)."""
    from generator.ingest.places import ACKNOWLEDGED

    diagnostics = openable(outcome.diagnostics, places)
    if not as_json:
        report(diagnostics, verbose)
        _say_strict_refuses(diagnostics, places[ACKNOWLEDGED])  # --strict with warnings never replays
    if as_json:
        emit(
            {"command": "ingest", "ok": True, "documents": outcome.documents,
             "diagnostics": diagnostics_json(diagnostics), "entries": outcome.entries, "check": check,
             **tree_json(TreeDiff()), "written": not check}
        )  # fmt: skip
    elif check:
        report_check(catalog_dir, TreeDiff(), "", outcome.entries)
    else:
        click.echo(
            f"ingested {counted(outcome.documents, 'document')} into {counted(outcome.entries, 'entry', 'entries')} in {catalog_dir}: "
            f"0 written, 0 removed, {outcome.entries} unchanged"
        )


def _write_catalog(
    catalog_dir: Path, result: IngestResult, cache: IngestCache, check: bool, digest: str | None
) -> tuple[TreeDiff, int]:
    """Write (or with check compare) the entry files and remember the run (digest: a clean one's,
    None after --keep-going errors). What differs, and how many entry files the catalog holds."""
    from generator.catalog.parsed import keep_parsed, parsed_folder
    from generator.catalog.store import entry_path, exact_json
    from generator.ingest.pipeline import render_catalog
    from generator.ingest.proof_file import keep_proofs

    files, kept = render_catalog(result.catalog, cache, catalog_dir)  # kept: on disk as they should be
    if digest is None:  # --keep-going: a document that broke keeps the entry it had
        files.update({PurePosixPath(lost): (catalog_dir / lost).read_text("utf-8") for lost in result.lost})
    diff = sync(catalog_dir, files, check, "ingest", kept.keys())
    # The run's digests of what it rewrote are of the files before: the run record's catalog digest
    # (run_text) is taken after.
    cache.proofs.forget(f"catalog/{name}" for name in (*diff.stale, *diff.missing, *diff.extra))
    digests: dict[str, str] = {
        **{str(path): hashlib.sha256(text.encode("utf-8")).hexdigest() for path, text in files.items()},
        **kept,
    }
    if not check:
        written = _written(result, digests, cache)
        _remember_ingest(catalog_dir, cache, result, written, len(digests), digest)
        keep_proofs(catalog_dir, cache.proofs)
        # Each entry passed the entry format before it was dumped: generate need not parse them. Its
        # JSON is kept where JSON gives that entry back (checked only for texts not kept yet).
        parsed = {w.sha256: partial(exact_json, w.entry, w.json) for w in written.values()}
        unparsed = keep_parsed(catalog_dir, parsed)
        if unparsed is not None:
            warn_not_kept(
                "the parsed entries", parsed_folder(catalog_dir), unparsed, "generate parses them again"
            )
        given = handoff()
        if given is not None and digest is not None:
            given.written.update(written)
            changed = {*diff.stale, *diff.missing}  # the entry files this run wrote
            given.changed.extend(e for e in cache.fresh if str(entry_path(e)) in changed)
    return diff, len(digests)


def _written(result: IngestResult, digests: dict[str, str], cache: IngestCache) -> dict[str, Written]:
    """Each entry file this ingest left: its text's digest, the entry it was dumped from, its JSON."""
    from generator.catalog.store import Written, entry_path

    written = {}
    for entry in result.catalog:
        path = str(entry_path(entry))
        written[path] = Written(digests[path], entry, cache.entry_json(entry))
    return written


def _remember_ingest(
    catalog_dir: Path,
    cache: IngestCache,
    result: IngestResult,
    written: dict[str, Written],
    entries: int,
    digest: str | None,
) -> None:
    """Keep what this ingest extracted and left (written: its entry files; entries: how many the
    catalog holds); digest (a clean run's): replay it next time."""
    from generator.ingest.cache import cache_lines, write_cache
    from generator.ingest.replay import RUN_FILE, Outcome, run_text

    files = ((w.json, w.sha256, w.entry.provenance.source.path) for w in written.values())
    write_cache(catalog_dir, cache_lines(cache, files))
    if digest is None:
        (catalog_dir / RUN_FILE).unlink(missing_ok=True)
    else:
        outcome = Outcome(result.documents, entries, result.diagnostics)
        write_cache(catalog_dir, [run_text(digest, catalog_dir, outcome, cache.proofs).encode()], RUN_FILE)
