"""The `cardgen pull` command."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
import httpx
from click.core import ParameterSource

from generator import __version__
from generator.cli_support import DEFAULT_SOURCES, folder_option
from generator.pull.cloudflare import ListingError, pull_cloudflare
from generator.pull.config import PullConfig, PullConfigError, load_pull_config
from generator.pull.fetch import TIMEOUT
from generator.pull.folder import Changes, Pulled, apply, compare
from generator.pull.pages import pull_pages
from generator.selection import models_option, quoted


@click.command("pull")
@click.argument("provider")
@folder_option("--sources", DEFAULT_SOURCES, "Documents go to <sources>/<provider>/.")
@models_option("Only the model ids (or page files) this glob matches.")
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 listing what changed, appeared, disappeared."
)
@click.option("--prune", is_flag=True, help="Remove the documents of models gone upstream.")
@click.option(
    "--base-url",
    default=None,
    help="Ask this server instead of the provider's (e.g. `cardgen serve`'s http://127.0.0.1:8787).",
)
def pull_command(
    provider: str, sources: Path, patterns: tuple[str, ...], check: bool, prune: bool, base_url: str | None
) -> None:
    """Fetch PROVIDER's model documents into <sources>/<provider>/, one file per model.

    \b
    cloudflare  the account's models through the REST API (CLOUDFLARE_AUTH_TOKEN,
                CLOUDFLARE_ACCOUNT_ID), each written in Cloudflare's JSON format
    dataoorts, segmind
                the pages listed under `pull: pages:` in the provider defaults (a
                providers/<name>.yaml beside the sources overrides them), stored as
                published; HTML is reduced to text

    A document is rewritten only when what it says changes (not its indentation, key order or
    final newline), and each file is written whole or not at all. A model gone upstream is
    reported; its document is removed only with --prune. A model that fails (after a few retries)
    is reported and the others are still written. A model whose document is a page in a format
    pull does not write keeps that page as it is (a note says so).

    \b
    Exit status: 0 done (with --check: nothing changed upstream); 1 with --check: something
    changed, appeared or disappeared; 2 the pull itself failed (no credentials, the listing or a
    model could not be fetched, a --model that matches no model listed upstream and no document
    in the folder), so that a drift monitor tells drift from a broken pull.
    """
    try:
        config = load_pull_config(provider, sources.parent / "providers")
    except PullConfigError as exc:
        raise PullFailed(str(exc)) from exc
    folder = sources / provider
    headers = {"User-Agent": f"cardgen/{__version__}"}

    def progress(line: str) -> None:
        click.echo(f"pull {provider} {line}", err=True)

    try:
        with httpx.Client(headers=headers, timeout=TIMEOUT, follow_redirects=True) as client:
            pulled = _pull(config, client, folder, patterns, base_url, progress)
    except ListingError as exc:
        click.echo(f"pull {provider} failed; nothing written: {exc}", err=True)
        sys.exit(FAILED)
    if pulled.unmatched:
        _refuse_a_glob_of_nothing(provider, folder, pulled.unmatched)
    if "*" in patterns and pulled.gone and not (pulled.documents or pulled.held or pulled.failed):
        _refuse_an_empty_upstream(provider, folder, len(pulled.gone))
    changes = compare(folder, pulled)
    _summarize(provider, folder, pulled, changes, check, prune)
    if check:
        sys.exit(FAILED if pulled.failed else 0 if changes.clean else 1)
    apply(folder, pulled, changes, prune)
    if pulled.failed:
        sys.exit(FAILED)


FAILED = 2  # the pull did not happen as asked: not drift


class PullFailed(click.ClickException):
    exit_code = FAILED


def _refuse_a_glob_of_nothing(provider: str, folder: Path, unmatched: list[str]) -> None:
    """A --model given that chose nothing is a usage error: a glob with a typo pulls nothing, and a
    drift monitor running it would stay green forever. The default `*` over an empty listing is not."""
    if click.get_current_context().get_parameter_source("patterns") is ParameterSource.DEFAULT:
        return
    raise click.BadParameter(
        f"{quoted(unmatched)} {'matches' if len(unmatched) == 1 else 'match'} no {provider} model listed "
        f"upstream (nor a configured page) and no document in {folder}; nothing was pulled (model ids as the provider publishes them, "
        "or page file names)",
        param_hint="--model",
    )


def _refuse_an_empty_upstream(provider: str, folder: Path, held: int) -> None:
    """The whole provider asked for, and upstream has none of the documents held: an outage's empty
    listing, every page a 404, or a --base-url that serves something else, not "every model removed"
    to prune. (A --model glob may name only models that are gone, as asked.)"""
    click.echo(
        f"pull {provider} failed; nothing written or removed: upstream has none of the {held} documents "
        f"held in {folder} (an outage, or a --base-url that serves other paths?)",
        err=True,
    )
    sys.exit(FAILED)


def _pull(
    config: PullConfig,
    client: httpx.Client,
    folder: Path,
    patterns: tuple[str, ...],
    base_url: str | None,
    report: Callable[[str], None],
) -> Pulled:
    if config.kind == "pages":
        return pull_pages(client, config.pages, base_url, folder, patterns, report)
    token = os.environ.get(config.token_env or "", "")
    account = os.environ.get(config.account_env or "", "")
    if not token or not account:
        raise PullFailed(
            f"{config.provider}: set {config.token_env} and {config.account_env} to pull through the API"
        )
    client.headers["Authorization"] = f"Bearer {token}"
    return pull_cloudflare(client, base_url or config.base_url, account, folder, patterns, report)


def _summarize(
    provider: str, folder: Path, pulled: Pulled, changes: Changes, check: bool, prune: bool
) -> None:
    for line in changes.lines():
        click.echo(f"  {line}", err=True)
    for key, page in sorted(pulled.held.items()):
        click.echo(
            f"note: {provider} {key}: kept as {page}, a page in a format pull does not write; remove it"
            " to have pull keep the model as its JSON document",
            err=True,
        )
    for key, why in sorted(pulled.failed.items()):
        click.echo(f"error: {provider} {key}: {why}", err=True)
    if changes.gone and not prune and not check:
        click.echo(f"{len(changes.gone)} gone upstream, kept (remove them with --prune)", err=True)
    verb = "would write" if check else "wrote"
    removed = len(changes.gone) if prune and not check else 0
    click.echo(
        f"pulled {len(pulled.documents)} {provider} documents into {folder}: {verb} "
        f"{len(changes.changed)} changed and {len(changes.appeared)} new, {len(changes.unchanged)} unchanged, "
        f"{len(changes.gone)} gone upstream ({removed} removed), {len(pulled.failed)} failed"
        + (f", {len(pulled.held)} kept as pages" if pulled.held else "")
    )
