"""The `cardgen record` command."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

import click
import httpx

from generator.backend.server import running_backend
from generator.cassettes.record import TIMEOUT, model_folder, record_models
from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog, load_catalog
from generator.cli_support import DEFAULT_CATALOG, DEFAULT_RECORDINGS, folder_option
from generator.diagnostics import Level, has_errors, sort_diagnostics
from generator.selection import model_selected, models_option, no_model_matches, unmatched_models
from generator.tree import UnsafeTarget, write_tree
from generator.wording import counted


@contextmanager
def _backend_url(backend: str, catalog: Catalog, seed: int) -> Iterator[str]:
    if backend == "local":
        with running_backend(catalog, seed=seed) as handle:
            yield handle.url
        return
    url = httpx.URL(backend)
    if url.scheme not in ("http", "https") or not url.host:
        raise click.BadParameter(
            f"expected `local` or an http(s) URL, got {backend!r}", param_hint="--backend"
        )
    yield backend


def _selected(catalog: Catalog, patterns: tuple[str, ...]) -> list[CatalogEntry]:
    return [e for e in catalog if model_selected(e.provider, e.slug, patterns)]


def _kept(out: Path, selected: list[CatalogEntry]) -> dict[PurePosixPath, str]:
    """Cassettes already in out for models not recorded now: a partial run leaves them as they are."""
    if not out.is_dir():
        return {}
    folders = {model_folder(e) for e in selected}
    kept: dict[PurePosixPath, str] = {}
    for path in sorted(out.rglob("*.yaml")):
        relative = PurePosixPath(path.relative_to(out).as_posix())
        if relative.parent not in folders and not any(part.startswith(".") for part in relative.parts):
            kept[relative] = path.read_text("utf-8")
    return kept


@click.command("record")
@folder_option("--catalog", DEFAULT_CATALOG, "The entries whose models to record.", "catalog_dir")
@click.option(
    "--backend",
    default="local",
    show_default=True,
    help="`local` (start the local backend) or the base URL of a server to record from.",
)
@folder_option("--out", DEFAULT_RECORDINGS, "Where cassettes go, as <provider>/<slug>/<name>.yaml.")
@models_option("Glob over `<provider>/<slug>`, or over the slug alone.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the local backend's answers.")
def record_command(catalog_dir: Path, backend: str, out: Path, patterns: tuple[str, ...], seed: int) -> None:
    """Record each model's example requests (else a minimal one), and one stream, as cassettes.

    Requests go out in the provider's protocol: its path, auth header and envelope. The key
    comes from the provider's env var (`auth.env_var` of the entry) and path parameters from
    theirs; for `--backend local`, and whenever a variable is unset, dummies are sent. Cassettes
    never hold credentials: auth headers are dropped, path parameters become placeholders such
    as ACCOUNT_ID, and the URI names the provider's real host whatever backend answered.

    A 429 (its Retry-After honoured, up to 5 s), a 5xx or a broken connection is tried again,
    three attempts in all. All or nothing: any request that still fails leaves OUT as it was.
    Models not selected by --model keep their cassettes.
    """
    try:
        catalog = load_catalog(catalog_dir)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    unmatched = unmatched_models(((e.provider, e.slug) for e in catalog), patterns)
    if unmatched:
        raise no_model_matches(catalog_dir, unmatched)
    selected = _selected(catalog, patterns)
    with (
        _backend_url(backend, catalog, seed) as url,
        httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client,
    ):
        recording = record_models(
            selected,
            url,
            client=client,
            environ={} if backend == "local" else None,
            origin=catalog_dir.as_posix(),
        )
    for diagnostic in sort_diagnostics(recording.diagnostics):
        if diagnostic.level >= Level.WARNING:
            click.echo(diagnostic.render(), err=True)
    if has_errors(recording.diagnostics):
        click.echo(f"record failed; nothing written to {out}", err=True)
        sys.exit(1)
    try:
        diff = write_tree(out, _kept(out, selected) | recording.files)
    except UnsafeTarget as exc:
        click.echo(f"record: {exc}", err=True)
        sys.exit(1)
    changed = len(diff.stale) + len(diff.missing)
    click.echo(
        f"recorded {counted(len(recording.files), 'cassette')} of {counted(len(selected), 'model')} from {backend} into {out}: "
        f"{changed} written, {len(diff.extra)} removed, {len(recording.files) - changed} unchanged"
    )
