"""The SDK generated from the seed catalog (tests/fixtures/seed-catalog), and helpers to drive it in memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from generator.catalog.entry import CatalogEntry
from tests.conftest import seed_catalog

CATALOG = seed_catalog()
ENTRIES = list(CATALOG)
CREDENTIALS: dict[str, dict[str, str]] = {
    "cloudflare": {"api_key": "cf-secret-token", "account_id": "acct-123"},
    "dataoorts": {"api_key": "do-secret-key"},
    "segmind": {"api_key": "sg-secret-key"},
}


@pytest.fixture(scope="module")
def generated(seed_project: Path) -> Path:
    """The seed project's generated/ folder (built once per session)."""
    return seed_project / "generated"


def python_output(code: str, cwd: Path) -> str:
    """What `python -c code` prints, run in cwd without this test run's PYTHONPATH (the SDK alone)."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, capture_output=True, text=True, check=False,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def entry_id(entry: CatalogEntry) -> str:
    return f"{entry.provider}/{entry.slug}"


class Recorder:
    """An in-memory provider: records each request and answers from a queue (or a default)."""

    def __init__(self, default: Callable[[httpx.Request], httpx.Response]) -> None:
        self.requests: list[httpx.Request] = []
        self.queue: list[httpx.Response] = []
        self.default = default

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.queue.pop(0) if self.queue else self.default(request)

    @property
    def last_json(self) -> Any:
        return json.loads(self.requests[-1].content)


def wire_answer(entry: CatalogEntry, result: Any) -> dict[str, Any] | Any:
    envelope = entry.response.envelope
    if envelope is None:
        return result
    return {envelope.result_key: result, envelope.success_key: True, envelope.errors_key: [], "messages": []}


def sse(*events: str) -> bytes:
    return "".join(f"data: {event}\n\n" for event in events).encode()


@pytest.fixture
def sdk(seed_sdk: ModuleType) -> Any:
    return seed_sdk


def client_for(sdk: Any, entry: CatalogEntry, recorder: Recorder, **options: Any) -> Any:
    cls = getattr(sdk, entry.provider.capitalize())
    return cls(transport=httpx.MockTransport(recorder), **CREDENTIALS[entry.provider], **options)
