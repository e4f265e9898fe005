"""The `cardgen build` command: `cardgen ingest`, then `cardgen generate`, in one process."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click

from generator.cli_support import (
    DEFAULT_CATALOG,
    DEFAULT_OUT,
    DEFAULT_SOURCES,
    Handoff,
    folder_option,
    overlays_option,
    package_option,
    providers_option,
    recordings_option,
    verbose_option,
)


@click.command("build")
@folder_option("--sources", DEFAULT_SOURCES, "The docs folder to ingest (as `cardgen ingest --sources`).")
@providers_option
@overlays_option
@folder_option("--catalog", DEFAULT_CATALOG, "Where the entries go, and what is rendered.", "catalog_dir")
@folder_option("--out", DEFAULT_OUT, "Directory that receives the package and its tests.")
@package_option
@recordings_option
@verbose_option
@click.pass_context
def build_command(
    ctx: click.Context,
    sources: Path,
    providers: Path | None,
    overlays: Path | None,
    catalog_dir: Path,
    out: Path,
    package: str,
    recordings: Path | None,
    verbose: bool,
) -> None:
    """Ingest the sources into the catalog, then render the catalog into the SDK: the usual loop.

    \b
    The same as `cardgen ingest` followed by `cardgen generate` with these options, writing and
    saying what each does, in one process, which is sooner: the two share their imports, generate
    takes the entries ingest just wrote as they are, and the other core proves the output's files
    unchanged and loads the code generator while ingest runs, then types the models ingest built
    while generate starts. When ingest fails, nothing is generated and the exit status is 1.
    For CI checks and JSON output, run the two commands with --check and --format json.
    """
    from generator.generate_cli import generate_command, warm_up_renderer
    from generator.ingest.cli import ingest_command
    from generator.render.pool import helper
    from generator.unchanged import unproven_output

    ctx.obj = given = Handoff()  # what ingest wrote, generate need not parse again
    # The helper proves the output's files first (as generate's own would), then loads the renderer.
    with helper(warm_up_renderer, first=partial(unproven_output, out)):
        ctx.invoke(
            ingest_command, sources=sources, providers=providers, overlays=overlays,
            catalog_dir=catalog_dir, check=False, keep_going=False, verbose=verbose, output_format="text",
        )  # fmt: skip
        if given.changed:
            from generator.render.ahead import type_ahead
            from generator.render.types_store import FOLDER as TYPES_FOLDER
            from generator.unchanged import cache_path

            # The helper types them while generate reads and proves the rest.
            type_ahead(given.changed, cache_path(out, TYPES_FOLDER))
        ctx.invoke(
            generate_command, catalog_dir=catalog_dir, out=out, package=package, recordings=recordings,
            check=False, output_format="text",
        )  # fmt: skip
