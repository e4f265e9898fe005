"""`cardgen serve`: its help, its options, and a real process stopped by a signal."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from generator.backend.cli import serve_command
from tests.backend.calls import auth_headers, call, valid_input
from tests.backend.conftest import ENTRIES
from tests.conftest import REPO

LAUNCH = "from generator.backend.cli import serve_command; serve_command(prog_name='cardgen serve')"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_help_explains_faults_and_endpoints() -> None:
    result = CliRunner().invoke(serve_command, ["--help"])
    assert result.exit_code == 0
    for text in (
        "--seed",
        "--token",
        "--faults",
        "--examples",
        "times=N",
        "x-cardgen-fault-key",
        "/__cardgen/requests",
    ):
        assert text in result.output


def test_a_bad_fault_spec_is_a_usage_error() -> None:
    result = CliRunner().invoke(serve_command, ["--faults", "429;wait=1"])
    assert result.exit_code == 2
    assert "expected one of" in result.output


def test_a_missing_catalog_is_reported() -> None:
    result = CliRunner().invoke(serve_command, ["--catalog", "no/such/dir"])
    assert result.exit_code == 1
    assert "no catalog here" in result.output


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_server_serves_logs_and_stops_cleanly(seed_project: Path, stop: signal.Signals) -> None:
    port = free_port()
    args = [
        "--catalog",
        str(seed_project / "catalog" / "models"),
        "--port",
        str(port),
        "--seed",
        "3",
        "--token",
        "t",
        "--faults",
        "slow;ms=1",
    ]
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, *args], cwd=REPO, stderr=subprocess.PIPE, text=True
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            deadline = time.monotonic() + 15
            while True:
                try:
                    http.get("/__cardgen/models")
                    break
                except httpx.TransportError:
                    assert process.poll() is None and time.monotonic() < deadline, "server did not start"
                    time.sleep(0.05)
            entry = ENTRIES[0]
            assert call(http, entry, valid_input(entry)).status_code == 401, "only --token passes"
            assert call(http, entry, valid_input(entry), headers=auth_headers(entry, "t")).status_code == 200
    finally:
        process.send_signal(stop)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    assert f"on http://127.0.0.1:{port}" in stderr
    assert f"model={ENTRIES[0].model_id} status=401" in stderr
    assert f"model={ENTRIES[0].model_id} status=200" in stderr
    assert "fault=slow" in stderr


def test_a_port_in_use_is_refused_before_anything_says_it_serves(seed_project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        catalog = str(seed_project / "catalog" / "models")
        result = CliRunner().invoke(serve_command, ["--catalog", catalog, "--port", str(port)])
    assert result.exit_code == 3, result.output
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in result.output
    assert "cardgen backend:" not in result.output


def test_cardgen_has_the_serve_command() -> None:
    from generator.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "serve [OPTIONS]" in result.output
