"""The `cardgen generate` command: catalog -> the SDK and its tests, reusing what has not changed."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from generator.cli_support import (
    DEFAULT_CATALOG,
    DEFAULT_OUT,
    folder_option,
    handoff,
    label,
    package_option,
    recordings_option,
    report_check,
    sync,
    uncollected,
    warn_not_kept,
)
from generator.machine import emit, format_option, tree_json
from generator.tree import TreeDiff, foreign_files
from generator.wording import counted

if TYPE_CHECKING:
    from generator.catalog.entry import CatalogEntry
    from generator.catalog.store import Catalog, LoadedCatalog
    from generator.generate import Generation, Previous
    from generator.proofs import Proofs
    from generator.unchanged import Record, RunInputs, Unchanged


@click.command("generate")
@folder_option("--catalog", DEFAULT_CATALOG, "The catalog to render.", "catalog_dir")
@folder_option("--out", DEFAULT_OUT, "Directory that receives the package and its tests.")
@package_option
@recordings_option
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
    formatted in memory first; the output directory changes only when all of it succeeded (a
    Ctrl-C while the files are written takes effect once they all are).
    When neither the inputs nor the output changed since the last run, nothing is parsed or
    rendered at all (<out>/.cardgen-cache/ remembers that run). Entries an ingest wrote, or an
    earlier run parsed, are read back from their JSON (<catalog>/.cardgen-cache/entries/). A model
    rendered again for anything but its schemas takes its pydantic code from the code an earlier
    run made of the same schemas (<out>/.cardgen-cache/types/). Deleting any cache is always safe.
    """
    from generator.render.pool import helper
    from generator.unchanged import unproven_output

    # Forked before anything is read: the helper loads the code generator (~0.2 s) on the other core
    # while this process proves what is unchanged and reads the catalog; a no-op run stops it unused.
    # First it proves the output's files by stat (~20 ms at 500 models), which rendering asks about.
    with helper(warm_up_renderer, first=partial(unproven_output, out)):
        _generate_command(catalog_dir, out, package, recordings, check, output_format)


def warm_up_renderer() -> None:
    """Load the renderer and the code generator: what typing the first model would load."""
    from generator.render.render import warm_up

    warm_up()


def _generate_command(
    catalog_dir: Path, out: Path, package: str, recordings: Path | None, check: bool, output_format: str
) -> None:
    as_json = output_format == "json"
    started = time.perf_counter()
    from generator.unchanged import (
        CACHE_DIR,
        Record,
        RunInputs,
        forget,
        inputs_digest,
        keep_proofs,
        unchanged,
    )

    run = RunInputs(catalog_dir, recordings or catalog_dir.parent / "recordings", package, label(catalog_dir))
    _refuse_misplaced_recordings(run.recordings, out, check, as_json)
    record = Record.read(out)
    proofs = record.proven()  # files unchanged since the last run hashed them are not read again
    # Taken before anything is read, so a catalog edited meanwhile is not recorded as this one.
    digest = inputs_digest(run, proofs)
    same = unchanged(out, digest, record, proofs)
    if same is not None:  # the inputs and every output file are as the last run left them
        if not check:
            keep_proofs(out, record, proofs)
        _report_unchanged(out, same, check, as_json, time.perf_counter() - started)
        return
    from generator.catalog.parsed import keep_parsed, parsed_folder  # pydantic, YAML: not for a no-op

    generation, previous, loaded = _generate(run, out, check, as_json, proofs, record)
    files = generation.files
    if not check:
        try:
            forget(out)
        except OSError as exc:  # a record left would vouch for a tree this run is about to change
            _failed(out, check, as_json, f"cannot remove the last run's record from {out / CACHE_DIR}: {exc}\n"
                    "make that folder writable, or delete it (it is a cache: always safe)")  # fmt: skip
    diff = sync(out, files, check, "generate", generation.kept.keys(), _proven(out, proofs))
    if not check:
        # What it parsed is not parsed again.
        unparsed = keep_parsed(catalog_dir, loaded.parsed, loaded.damaged)
        if unparsed is not None:
            warn_not_kept(
                "the parsed entries", parsed_folder(catalog_dir), unparsed, "every run parses them again"
            )
        types = generation.types
        if types is not None and (unkept := types.write(generation.models)) is not None:
            warn_not_kept(
                "the typed code", types.folder, unkept, "a model rendered again runs the code generator"
            )
        recorded = digest is not None and Record(
            inputs=digest, version=generation.lock.version, files=generation.digests,
            models=len(generation.models), proofs=proofs.record(),
            formatted=generation.formatted, formatted_by=generation.tools, stored=generation.lock.stored,
        ).write(out)  # fmt: skip
        if digest is not None and not recorded:
            click.echo(
                f"warning: could not record this run in {out / CACHE_DIR}: the output is written; the next "
                "run renders again what this one would have let it skip",
                err=True,
            )
    foreign = (
        foreign_files(out, diff.extra) if check else []
    )  # files cardgen did not write: never its to mend
    why = _why(previous, generation, catalog_dir, out, diff, foreign) if check and not diff.clean else []
    kept_types = generation.types.typed_from_kept if generation.types is not None else 0
    if as_json:
        clean = diff.clean or not check
        emit(
            {"command": "generate", "ok": clean, "check": check, "version": generation.lock.version,
             "files": generation.count, **tree_json(diff), "why": why,
             "rendered": len(generation.rendered), "reused": len(generation.reused),
             "typed_from_kept": kept_types, "error": None}
        )  # fmt: skip
        sys.exit(0 if clean else 1)
    if check:
        foreign_only = not (diff.stale or diff.missing) and foreign == diff.extra  # generate would refuse
        hint = "move the files cardgen did not write away" if foreign_only else "run `cardgen generate`"
        report_check(out, diff, f"{catalog_dir} ({hint})", generation.count, tuple(why))
        return
    changed = len(diff.stale) + len(diff.missing)
    click.echo(
        f"generated {generation.count} files in {out} (version {generation.lock.version}): {changed} written, "
        f"{len(diff.extra)} removed, {generation.count - changed} unchanged; {counted(len(generation.rendered), 'model')} "
        f"rendered, {len(generation.reused)} reused{f', {kept_types} typed from kept code' if kept_types else ''} "
        f"({time.perf_counter() - started:.1f}s)"
    )


def _generate(
    run: RunInputs, out: Path, check: bool, as_json: bool, proofs: Proofs, record: Record
) -> tuple[Generation, Previous, LoadedCatalog]:
    """Render the catalog against the previous output; on failure say so and exit 1.

    Also the catalog as read: each entry's JSON by the sha256 of its file's text, where JSON gives
    the entry back (kept beside the catalog for the next run).
    """
    from generator.catalog.parsed import ParsedEntries
    from generator.catalog.store import read_catalog
    from generator.generate import Previous, generate
    from generator.lockfile import LOCK_NAME, read_lock
    from generator.recordings import Recordings
    from generator.render.changelog import CHANGELOG_NAME
    from generator.render.context import RenderError
    from generator.render.format import FormatError
    from generator.render.render import RenderOptions
    from generator.render.types_store import FOLDER as TYPES_FOLDER
    from generator.unchanged import cache_path, helped_intact

    intact = helped_intact(out, record, proofs)
    previous = Previous(
        read_lock(out / LOCK_NAME), _read_text(out / CHANGELOG_NAME), intact,
        record.formatted, record.formatted_by, record.stored,
    )  # fmt: skip
    try:
        # Entries whose text an ingest wrote or a run parsed are not parsed again; those the lock
        # proves validated, text unchanged, are not schema-checked again.
        with uncollected():
            given = handoff()
            written = given.written if given is not None else {}  # `cardgen build`: what its ingest wrote
            known = previous.lock.known_entries() if previous.lock else None
            loaded = read_catalog(
                run.catalog, known, ParsedEntries(run.catalog), written, proofs, check=_entry_errors
            )
        catalog = loaded.catalog
        _refuse_orphan_recordings(run, catalog)
        click.echo(
            f"rendering {counted(len(catalog), 'model')} from {run.catalog} as `{run.package}`...", err=True
        )
        generation = generate(
            catalog,
            RenderOptions(package=run.package, catalog_label=run.catalog_label),
            Recordings.below(run.recordings, run.recording_names, proofs),
            previous,
            loaded.texts,
            loaded.entry_jsons(),
            run.toolchain,
            cache_path(out, TYPES_FOLDER),  # typed code earlier runs made: a model changed elsewhere finds it
        )
    except (ValueError, RenderError, FormatError) as exc:
        _failed(out, check, as_json, str(exc))
    return generation, previous, loaded


def _failed(out: Path, check: bool, as_json: bool, why: str) -> NoReturn:
    """Say that generate wrote nothing, and why; exit 1."""
    if as_json:  # the keys of a run that rendered, nothing in them, and why not
        emit(
            {"command": "generate", "ok": False, "check": check, "version": None, "files": 0,
             "stale": [], "missing": [], "extra": [], "why": [], "rendered": 0, "reused": 0,
             "typed_from_kept": 0, "error": why}
        )  # fmt: skip
    else:
        click.echo(f"generate failed; nothing written to {out}:\n{why}", err=True)
    sys.exit(1)


def _refuse_misplaced_recordings(recordings: Path, out: Path, check: bool, as_json: bool) -> None:
    """A file among the cassettes that no run reads is an error, in every run (an unchanged one too):
    the model it was meant for would be tested without it, and nothing would say so."""
    from generator.recordings import misplaced

    found = misplaced(recordings)
    if found:
        _failed(out, check, as_json, "\n".join(
            f"{recordings / name}: error: not read as a cassette: cassettes are "
            "<provider>/<slug>/<name>.yaml, one folder per model (move it there, or away)"
            for name in found
        ))  # fmt: skip


def _refuse_orphan_recordings(run: RunInputs, catalog: Catalog) -> None:
    """Cassettes of a model no longer in the catalog are an error, as an overlay of one is: they
    would stay behind forever, unread, and a model that comes back under that slug would replay them."""
    from generator.recordings import orphans

    left = orphans(run.recording_names, (f"{entry.provider}/{entry.slug}" for entry in catalog))
    if left:
        raise ValueError(
            "\n".join(
                f"{run.recordings / model}/: error: cassettes of `{model}`, which is not in {run.catalog}; "
                "its page was removed, or now gives another model id: delete the folder (a renamed model's "
                "own are recorded with `cardgen record --model`), or restore the page"
                for model in left
            )
        )


def _entry_errors(entry: CatalogEntry) -> list[str]:
    """Ingest's checks, for an entry no ingest wrote or checked (loaded only when one is parsed)."""
    from generator.ingest.checks import entry_errors

    return entry_errors(entry)


def _why(
    previous: Previous,
    generation: Generation,
    catalog_dir: Path,
    out: Path,
    diff: TreeDiff,
    foreign: list[str],
) -> list[str]:
    from generator.ingest.sources import load_sources
    from generator.lockfile import edited_by_hand, why_stale

    documents, _ = load_sources(catalog_dir.parent / "sources")
    edited = edited_by_hand(previous.lock, out, diff.stale) if previous.lock is not None else []
    others = [*diff.stale, *diff.missing, *(name for name in diff.extra if name not in foreign)]
    return why_stale(
        previous.lock, generation.lock, {d.name: d.sha256 for d in documents}, edited, foreign, others
    )


def _report_unchanged(out: Path, same: Unchanged, check: bool, as_json: bool, seconds: float) -> None:
    if as_json:
        emit(
            {"command": "generate", "ok": True, "check": check, "version": same.version,
             "files": same.files, **tree_json(TreeDiff()), "why": [], "rendered": 0, "reused": same.models,
             "typed_from_kept": 0, "error": None}
        )  # fmt: skip
    elif check:
        report_check(out, TreeDiff(), "", same.files)
    else:
        click.echo(
            f"generated {same.files} files in {out} (version {same.version}): 0 written, 0 removed, "
            f"{same.files} unchanged; 0 models rendered, {same.models} reused ({seconds:.1f}s)"
        )


def _read_text(path: Path) -> str | None:
    return path.read_text("utf-8") if path.is_file() else None


def _proven(out: Path, proofs: Proofs) -> Callable[[str], str | None]:
    """The sha256 of a file in out that proofs vouch for; None for any other."""

    def proven(name: str) -> str | None:
        try:
            return proofs.proven(f"out/{name}", out / name)
        except OSError:
            return None

    return proven
