"""Keep what a cassette may hold of an exchange: no credentials, nothing that changes per run."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType

from generator.render.cassettes import Headers


def _load_runtime_redact() -> ModuleType:
    """Load the SDK runtime's _redact.py itself: cassettes and the SDK scrub by one rule, one copy."""
    path = Path(__file__).resolve().parents[1] / "templates" / "runtime" / "_redact.py"
    spec = importlib.util.spec_from_file_location("generator.cassettes._runtime_redact", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


redact = _load_runtime_redact()

# Request headers are kept by allowlist, so no auth header (whatever its name) is ever stored.
KEPT_REQUEST_HEADERS = frozenset({"accept", "content-type"})
# Response headers that differ on every run, describe the connection, or carry credentials.
DROPPED_RESPONSE_HEADERS = frozenset(
    {
        "authorization",
        "connection",
        "content-encoding",
        "content-length",
        "cookie",
        "date",
        "keep-alive",
        "proxy-authorization",
        "server",
        "set-cookie",
        "transfer-encoding",
        "x-api-key",
    }
)


def scrub_text(text: str, secrets: Mapping[str, str]) -> str:
    """Replace each secret value, in any form the SDK's rule knows, by its placeholder."""
    scrubbed: str = redact.scrub(text, secrets)
    return scrubbed


def scrub_bytes(data: bytes, secrets: Mapping[str, str]) -> bytes:
    """Replace each secret value inside a body, text or binary, by its placeholder."""
    scrubbed: bytes = redact.scrub_bytes(data, secrets)
    return scrubbed


def scrub_body(body: str | bytes, secrets: Mapping[str, str]) -> str | bytes:
    """Scrub a stored body, whichever type it is stored as."""
    return scrub_text(body, secrets) if isinstance(body, str) else scrub_bytes(body, secrets)


def request_headers(headers: Iterable[tuple[str, str]], secrets: Mapping[str, str]) -> Headers:
    return tuple(
        (name.lower(), scrub_text(value, secrets))
        for name, value in headers
        if name.lower() in KEPT_REQUEST_HEADERS
    )


def response_headers(headers: Iterable[tuple[str, str]], secrets: Mapping[str, str]) -> Headers:
    return tuple(
        (name.lower(), scrub_text(value, secrets))
        for name, value in headers
        if name.lower() not in DROPPED_RESPONSE_HEADERS
    )
