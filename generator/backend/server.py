"""Run the backend with uvicorn: in the foreground for the CLI, or in a thread for tests."""

from __future__ import annotations

import logging
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import uvicorn

from generator.backend.app import Backend, BackendOptions
from generator.backend.faults import parse_faults
from generator.backend.guarded import head_deadline_protocol
from generator.catalog.store import Catalog

STARTUP_TIMEOUT = 10.0
SHUTDOWN_TIMEOUT = 5.0
# The `cut` fault leaves a response unfinished on purpose; uvicorn reports that as an error.
_CUT_MESSAGE = "ASGI callable returned without completing response."


@dataclass(frozen=True)
class BackendHandle:
    """A running backend: where it listens and what it has been asked."""

    url: str
    backend: Backend

    def requests(self, key: str) -> int:
        """Attempts seen for a fault key (the `x-cardgen-fault-key` header) or a body key."""
        return self.backend.ledger.count(key)

    @property
    def total_requests(self) -> int:
        return self.backend.ledger.total()

    def request_counts(self) -> dict[str, int]:
        return self.backend.ledger.snapshot()

    def reset(self) -> None:
        self.backend.ledger.reset()


@contextmanager
def running_backend(
    catalog: Catalog,
    *,
    seed: int = 0,
    token: str | None = None,
    faults: str | None = None,
    examples: bool = False,
    host: str = "127.0.0.1",
    documents: Path | None = None,
) -> Iterator[BackendHandle]:
    """Serve catalog on a free port of host in a background thread until the block ends."""
    options = BackendOptions(seed, token, parse_faults(faults) if faults else None, examples, documents)
    backend = Backend(catalog, options)
    _quiet_cut_reports()
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on accepted sockets whose proto says TCP, and
    # without it every answer (head and body written apart) waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(_config(backend, host, port))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="cardgen-backend", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the backend did not start on {host}:{port}")
            time.sleep(0.005)
        yield BackendHandle(f"http://{host}:{port}", backend)
    finally:
        server.should_exit = True
        thread.join(SHUTDOWN_TIMEOUT)
        sock.close()


def serve_forever(catalog: Catalog, options: BackendOptions, host: str, port: int) -> None:
    """Serve in the foreground, logging one line per request, until Ctrl-C or SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    _quiet_cut_reports()
    backend = Backend(catalog, options)
    server = uvicorn.Server(_config(backend, host, port))
    with _stopped_by_signals():
        server.run()


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """Exit 0 once uvicorn has shut down on SIGINT or SIGTERM."""
    # uvicorn shuts down gracefully, restores these handlers and raises the signal again.
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _exit_cleanly) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _config(backend: Backend, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        backend.app,
        host=host,
        port=port,
        http=head_deadline_protocol(backend.options.header_timeout),
        ws="none",
        lifespan="off",
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=1,
    )


class _CutFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _CUT_MESSAGE


def _quiet_cut_reports() -> None:
    log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _CutFilter) for f in log.filters):
        log.addFilter(_CutFilter())
