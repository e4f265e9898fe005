"""Whatever a client sends, the backend answers in the provider's envelope and stays up."""

from __future__ import annotations

import dataclasses
import json
import logging
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from click.testing import CliRunner

from generator.backend import server
from generator.backend.cli import serve_command
from generator.backend.guarded import head_deadline_protocol
from generator.backend.server import BackendHandle, running_backend
from generator.catalog.store import Catalog
from tests.backend.calls import auth_headers, call, error_of, model_path, valid_input, wrap
from tests.backend.conftest import ENTRIES

ENTRY = ENTRIES[0]
LIMIT = 4096


@pytest.fixture
def tight(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> Iterator[BackendHandle]:
    """A backend with a 4 KiB body limit and half-second head and body deadlines."""
    monkeypatch.setattr(server, "head_deadline_protocol", lambda _: head_deadline_protocol(0.5))
    with running_backend(catalog) as handle:
        options = handle.backend.options
        handle.backend.options = dataclasses.replace(options, max_body_bytes=LIMIT, body_timeout=0.5)
        yield handle


def raw_connection(handle: BackendHandle) -> socket.socket:
    parts = urlsplit(handle.url)
    assert parts.hostname is not None and parts.port is not None
    return socket.create_connection((parts.hostname, parts.port), timeout=5)


def head(handle: BackendHandle, length: int) -> bytes:
    headers = {**auth_headers(ENTRY), "content-type": "application/json", "content-length": str(length)}
    lines = [f"{ENTRY.endpoint.method} {model_path(ENTRY)} HTTP/1.1", "host: local"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_all(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def assert_in_envelope(response: httpx.Response, status: int, words: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert any(words in message for _, message in error_of(ENTRY, response)), response.text


@pytest.mark.parametrize("depth", [1000, 5000, 200_000])
def test_json_nested_past_the_interpreters_depth_is_a_400_in_the_envelope(
    client: httpx.Client, depth: int
) -> None:
    body = json.dumps(wrap(ENTRY, valid_input(ENTRY)))[:-1] + ', "deep": ' + "[" * depth + "]" * depth + "}"
    response = client.post(
        model_path(ENTRY), content=body, headers={**auth_headers(ENTRY), "content-type": "application/json"}
    )
    assert_in_envelope(response, 400, "")
    assert response.status_code == 400
    assert call(client, ENTRY, valid_input(ENTRY)).status_code == 200  # still serving


def test_a_body_over_the_limit_is_a_413_in_the_envelope(tight: BackendHandle) -> None:
    with httpx.Client(base_url=tight.url, timeout=10) as http:
        big = json.dumps(wrap(ENTRY, {"prompt": "x" * (LIMIT * 4)}))
        declared = http.post(model_path(ENTRY), content=big, headers=auth_headers(ENTRY))
        assert_in_envelope(declared, 413, f"over {LIMIT} bytes")
        chunked = http.post(
            model_path(ENTRY),
            content=iter([big[i : i + 1000].encode() for i in range(0, len(big), 1000)]),
            headers=auth_headers(ENTRY),
        )
        assert_in_envelope(chunked, 413, f"over {LIMIT} bytes")
        assert call(http, ENTRY, valid_input(ENTRY)).status_code == 200
    assert tight.total_requests == 1  # refused bodies are not even counted


def test_a_body_slower_than_its_deadline_is_a_408_and_the_connection_closes(tight: BackendHandle) -> None:
    with raw_connection(tight) as sock:
        sock.sendall(head(tight, 100) + b'{"prompt": ')
        started = time.monotonic()
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"did not arrive within 0.5 s" in answer
    assert time.monotonic() - started < 5


def test_a_head_slower_than_its_deadline_closes_the_connection(tight: BackendHandle) -> None:
    with raw_connection(tight) as sock:
        sock.sendall(head(tight, 2)[:20])
        started = time.monotonic()
        assert read_all(sock) == b""
        assert 0.3 < time.monotonic() - started < 5
    with httpx.Client(base_url=tight.url, timeout=10) as http:  # and the server still answers
        assert call(http, ENTRY, valid_input(ENTRY)).status_code == 200


def test_a_client_that_hangs_up_is_logged_in_one_line(
    tight: BackendHandle, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        with raw_connection(tight) as sock:
            sock.sendall(head(tight, 1000) + b'{"prompt": "')
            time.sleep(0.1)
        deadline = time.monotonic() + 5
        while "client disconnected" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
    lines = [record.getMessage() for record in caplog.records if "disconnected" in record.getMessage()]
    assert len(lines) == 1 and "\n" not in lines[0], caplog.text
    assert "Traceback" not in caplog.text
    assert all(record.exc_info is None for record in caplog.records)


def test_the_limits_are_serve_options() -> None:
    text = CliRunner().invoke(serve_command, ["--help"]).output
    for option in ("--max-body-size", "--body-timeout", "--header-timeout", "at most 60000"):
        assert option in text
