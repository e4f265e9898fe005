"""`cardgen conform --backend URL` against a plain `cardgen serve`, as the README says it works."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import REPO, cardgen


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def _served(project: Path, *options: str) -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--catalog", "catalog/models", "--port", str(port), *options],
        cwd=project, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                httpx.get(f"{url}/__cardgen/requests")
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _conform(project: Path, url: str, env: dict[str, str] | None = None) -> dict[str, str]:
    clean = {"CARDGEN_CONFORMANCE_KEY": ""} if env is None else env
    arguments = ["--backend", url, "--model", "cloudflare/tinyllama*", "--examples", "2", "--format", "json"]
    done = cardgen(project, "conform", *arguments, env=clean, expect=0)
    [model] = json.loads(done.stdout)["models"]
    return {column: result["outcome"] for column, result in model["properties"].items()}


def test_conform_against_a_plain_cardgen_serve(seed_project: Path) -> None:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("CARDGEN_CONFORMANCE", "CLOUDFLARE_"))
    }
    with _served(seed_project) as url:
        done = subprocess.run(
            [sys.executable, "-m", "generator", "conform", "--backend", url, "--model", "cloudflare/tinyllama*",
             "--examples", "2", "--format", "json"],
            cwd=seed_project, env={**environment, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
            check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [model] = json.loads(done.stdout)["models"]
    outcomes = {column: result["outcome"] for column, result in model["properties"].items()}
    assert (outcomes["client"], outcomes["stream"], outcomes["faults"]) == ("ok", "ok", "ok")
    assert outcomes["401"] == "n/a", "a server without --token accepts any key: it cannot refuse a wrong one"


def test_conform_checks_401_against_a_cardgen_serve_with_a_token(seed_project: Path) -> None:
    with _served(seed_project, "--token", "s3cret") as url:
        # Twice against one server: it counts attempts for as long as it runs, each run its own.
        runs = [_conform(seed_project, url, {"CARDGEN_CONFORMANCE_KEY": "s3cret"}) for _ in range(2)]
    for outcomes in runs:
        assert (outcomes["client"], outcomes["faults"], outcomes["401"]) == ("ok", "ok", "ok")
