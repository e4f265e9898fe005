"""The `cardgen serve` command."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import click

from generator.backend.app import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_MAX_BODY_BYTES,
    BackendOptions,
)
from generator.backend.faults import FaultScript, FaultSpecError, parse_faults
from generator.backend.server import serve_forever
from generator.catalog.store import load_catalog
from generator.cli_support import DEFAULT_CATALOG, folder_option
from generator.wording import counted


def _faults(ctx: click.Context, param: click.Parameter, value: str | None) -> FaultScript | None:
    if not value:
        return None
    try:
        return parse_faults(value)
    except FaultSpecError as exc:
        raise click.BadParameter(str(exc)) from exc


@click.command("serve")
@folder_option("--catalog", DEFAULT_CATALOG, "The normalized entries to serve.", "catalog_dir")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep it loopback)."
)
@click.option("--port", type=int, default=8787, show_default=True, help="Port to listen on.")
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed for drawn responses: same seed + body, same bytes.",
)
@click.option("--token", default=None, help="Accept only this token [default: any non-empty token].")
@click.option(
    "--faults",
    callback=_faults,
    default=None,
    help="Fault script for every request, e.g. '429;retry-after=1;times=2' (grammar above).",
)
@click.option("--examples", is_flag=True, help="Answer the documents' example responses where they exist.")
@click.option(
    "--max-body-size",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BODY_BYTES,
    show_default=True,
    help="Largest request body in bytes; a larger one is answered 413 in the provider's envelope.",
)
@click.option(
    "--body-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_BODY_TIMEOUT,
    show_default=True,
    help="Seconds for a request body to arrive; a slower one is answered 408.",
)
@click.option(
    "--header-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_HEADER_TIMEOUT,
    show_default=True,
    help="Seconds for a request line and headers to arrive; a slower connection is closed.",
)
def serve_command(
    catalog_dir: Path,
    host: str,
    port: int,
    seed: int,
    token: str | None,
    faults: FaultScript | None,
    examples: bool,
    max_body_size: int,
    body_timeout: float,
    header_timeout: float,
) -> None:
    """Serve every catalog model over HTTP, in its provider's protocol, for tests and local work.

    Point a client at http://HOST:PORT instead of the provider's base URL. Paths, method, auth
    header and envelopes come from each catalog entry. Requests are checked against the model's
    input schema (400 with every problem and its JSON path); answers are drawn from the output
    schema, reproducibly for a given --seed and body, or streamed as SSE when the request sets
    the model's stream flag.

    \b
    Per-request headers:
      x-cardgen-example: 1       answer the document's example response, if it has one
      x-cardgen-fault: SPEC      inject a fault (overrides --faults)
      x-cardgen-fault-key: KEY   count attempts under KEY (default: hash of method, path, body)

    \b
    Fault SPEC := STEP[,STEP...]   STEP := KIND[;PARAM...]
      KIND   400..599 (e.g. 429, 500, 503, 406) | slow | cut | malformed
      PARAM  retry-after=SECONDS | retry-after-ms=MS | should-retry=0|1 (x-should-retry)
             | ms=MILLISECONDS (slow, default 200, at most 60000) | times=N
      A step with times=N covers the next N attempts of a key, one without covers the
      rest; past the script, requests succeed. '429;retry-after=0;times=2' fails twice.
      cut: a stream ends early without its terminator, a body stops half-way.
      malformed: 200 with a body that is not JSON.

    \b
    Also served:
      GET    /__cardgen/requests   attempts per key, and the total
      DELETE /__cardgen/requests   reset the counts
      GET    /__cardgen/models     every model with its method and path
      GET    /client/v4/accounts/ID/ai/models/search, .../schema?model=NAME
                                   Cloudflare's listing and schemas (`cardgen pull`)
      GET    /__cardgen/pages[/PROVIDER/FILE]
                                   each model's source page, from sources/ beside the catalog

    \b
    Exit status: 0 stopped by Ctrl-C or SIGTERM; 1 the catalog cannot be read; 2 a usage
    error; 3 HOST:PORT cannot be listened on (a port in use).
    """
    try:
        catalog = load_catalog(catalog_dir)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if not _is_loopback(host):
        click.echo(f"warning: serving on {host}, which is not a loopback address", err=True)
    _refuse_an_address_in_use(host, port)  # before saying it serves there
    click.echo(
        f"cardgen backend: {counted(len(catalog), 'model')} from {catalog_dir} on http://{host}:{port}",
        err=True,
    )
    options = BackendOptions(
        seed,
        token,
        faults,
        examples,
        catalog_dir.parent,
        max_body_bytes=max_body_size,
        body_timeout=body_timeout,
        header_timeout=header_timeout,
    )
    serve_forever(catalog, options, host, port)


CANNOT_LISTEN = 3  # uvicorn's own status, should the port be taken between the check and its bind


class CannotListen(click.ClickException):
    exit_code = CANNOT_LISTEN


def _refuse_an_address_in_use(host: str, port: int) -> None:
    """Bind each address host:port names, as the server will (SO_REUSEADDR, as asyncio sets it),
    and let it go; CannotListen when one is in use or cannot be had."""
    try:
        for family, kind, proto, _, address in socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        ):
            with socket.socket(family, kind, proto) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind(address)
    except OSError as exc:
        raise CannotListen(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; stop what listens there, "
            "or choose another --port"
        ) from exc


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
