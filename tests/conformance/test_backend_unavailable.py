"""A backend that cannot be tested against is said before any test runs, as any unreadable input is."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.conform.run import BackendUnavailable, is_cardgen_backend
from tests.conftest import cardgen


def _refusing_url() -> str:
    """A loopback URL where nothing listens: its port was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_a_local_backend_without_a_catalog_is_an_error_in_text_and_in_json(seed_project: Path) -> None:
    arguments = ["conform", "--catalog", "no-such-catalog", "--model", "segmind/*", "--examples", "2"]
    done = cardgen(seed_project, *arguments, expect=1)
    assert "Error: no-such-catalog: no catalog here (run `cardgen ingest` first)" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    answered = cardgen(seed_project, *arguments, "--format", "json", expect=1)
    document = json.loads(answered.stdout)
    assert document == {
        "command": "conform",
        "ok": False,
        "error": "no-such-catalog: no catalog here (run `cardgen ingest` first)",
    }
    assert "Traceback" not in answered.stderr


def test_a_url_where_nothing_answers_stops_before_any_test(seed_project: Path) -> None:
    """Not minutes per model of connection retries: one look, then the URL and the reason."""
    url = _refusing_url()
    done = cardgen(
        seed_project, "conform", "--backend", url, "--model", "segmind/*", "--examples", "2", expect=1
    )
    assert f"Error: {url}: cannot connect there (ConnectError:" in done.stderr
    assert "start the server, or check the URL" in done.stderr
    assert "passed" not in done.stdout + done.stderr  # pytest never started
    assert "Traceback" not in done.stderr


class _NotFound(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _server_answering_404() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_any_server_that_answers_is_tested_against_not_refused() -> None:
    """A live provider answers the probe with a 404 (or a 401): not cardgen's backend, but there."""
    with _server_answering_404() as url:
        assert is_cardgen_backend(url) is False


def test_a_url_that_is_no_url_is_refused_with_why() -> None:
    with pytest.raises(BackendUnavailable, match=r"http://\[::1: not a URL to connect to"):
        is_cardgen_backend("http://[::1")
