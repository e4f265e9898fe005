"""Issue #13: MODELSDK_LOG=info|debug logs each request to stderr through `logging`, credentials redacted."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

SCRIPT = textwrap.dedent(
    """
    import httpx, modelsdk
    def answer(request):
        return httpx.Response(200, json={"result": {"response": "ok"}, "success": True, "errors": []})
    cf = modelsdk.Cloudflare(api_key="cf-secret-token-123", account_id="acct", transport=httpx.MockTransport(answer))
    cf.models.tinyllama_1_1b_chat_v1_0.run(messages=[{"role": "user", "content": "hi"}])
    """
)


def _run(sdk: Any, level: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "MODELSDK_LOG"}
    if level is not None:
        env["MODELSDK_LOG"] = level
    env["PYTHONPATH"] = str(Path(sdk.__file__).parent.parent)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "cf-secret-token-123" not in done.stderr
    return done.stderr


@pytest.mark.parametrize("level", [None, "", "warning"])
def test_without_the_switch_nothing_is_logged(sdk: Any, level: str | None) -> None:
    assert _run(sdk, level) == ""


def test_info_logs_one_line_per_attempt(sdk: Any) -> None:
    lines = _run(sdk, "info").splitlines()
    assert len(lines) == 1, lines
    assert "INFO" in lines[0] and "POST https://api.cloudflare.com/" in lines[0]
    assert "-> 200 (attempt 1 of 3)" in lines[0]


def test_debug_adds_headers_and_body_with_the_key_redacted(sdk: Any) -> None:
    text = _run(sdk, "DEBUG")
    assert "request headers:" in text and "'authorization': '<redacted>'" in text
    assert 'request body: {"messages":[{"role":"user","content":"hi"}]}' in text
    assert "response headers:" in text


RETRIED = SCRIPT.replace(
    "def answer(request):",
    "calls = []\ndef answer(request):\n    calls.append(1)\n"
    "    if len(calls) == 1:\n        return httpx.Response(503, headers={'retry-after': '0.01'})",
)


def test_info_says_how_long_it_waits_before_a_retry_and_names_the_clients_line(sdk: Any) -> None:
    env = {**os.environ, "MODELSDK_LOG": "info", "PYTHONPATH": str(Path(sdk.__file__).parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", RETRIED], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert ["-> 503 (attempt 1 of 3)" in lines[0], "retrying in 0.01 s" in lines[1]] == [True, True], lines
    assert "-> 200 (attempt 2 of 3)" in lines[2]
    client = (Path(sdk.__file__).parent / "_base_client.py").read_text("utf-8").splitlines()
    call = next(n for n, line in enumerate(client, 1) if "log_attempt(logger" in line)
    assert f"modelsdk._base_client:{call} - INFO]" in lines[0]  # the logger's module, and a line of it
