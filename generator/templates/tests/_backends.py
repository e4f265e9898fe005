"""Where the clients under test send their requests, and how to count what a backend saw."""

from __future__ import annotations

import functools
import os
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

KEY = os.environ.get("CARDGEN_CONFORMANCE_KEY", "conformance-key")
# Against a URL, dummy credentials only when asked for (cardgen conform sets this for its own
# backend); otherwise the clients read the provider's own variables, e.g. for a live provider.
DUMMY_CREDENTIALS_FOR_URLS = "CARDGEN_CONFORMANCE_KEY" in os.environ


@functools.cache
def tls() -> ssl.SSLContext:
    """One TLS context for the harness's own HTTP clients: loading the CA certificates is most of what one costs."""
    return httpx.create_ssl_context()


@functools.cache
def _admin_client() -> httpx.Client:
    """The client that asks a backend what it saw, shared by every test in this process."""
    return httpx.Client(verify=tls())


def close_admin_client() -> None:
    """Close the shared client, if a test opened it (the session's end)."""
    if _admin_client.cache_info().currsize:
        _admin_client().close()
        _admin_client.cache_clear()


@dataclass(frozen=True)
class Backend:
    """Where the clients under test send their requests."""

    kind: str  # local, recorded or url
    url: str | None

    def attempts(self, key: str) -> int:
        """Requests a cardgen backend saw with this fault key."""
        assert self.url is not None
        counts = _admin_client().get(f"{self.url.rstrip('/')}/__cardgen/requests").json()
        count: int = counts["by_key"].get(key, 0)
        return count

    def speaks_faults(self) -> bool:
        return self._admin() is not None

    def enforces_token(self) -> bool:
        """Whether the server refuses a wrong token (a cardgen backend started with a token)."""
        admin = self._admin()
        return bool(admin and admin.get("token_enforced", True))

    def _admin(self) -> dict[str, object] | None:
        """What a cardgen backend says at /__cardgen/requests; None from any other server."""
        if self.url is None:
            return None
        try:
            answer = _admin_client().get(f"{self.url.rstrip('/')}/__cardgen/requests")
            document = answer.json() if answer.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None
        return document if isinstance(document, dict) else None


def local_backend(catalog: str | None, project: Path) -> Iterator[Backend]:
    """Start cardgen's local backend for the catalog (default: the project's catalog/models)."""
    try:
        from generator.backend.server import running_backend
        from generator.catalog.store import load_catalog
    except ImportError:
        pytest.exit(
            "--backend local needs cardgen installed; or start one and pass --backend URL", returncode=4
        )
    directory = Path(catalog) if catalog else project / "catalog" / "models"
    with running_backend(load_catalog(directory), token=KEY) as handle:
        yield Backend("local", handle.url)
