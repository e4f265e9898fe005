"""The seed catalog (tests/fixtures/seed-catalog), served on loopback for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from generator.backend.server import BackendHandle, running_backend
from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog
from tests.conftest import seed_catalog

CATALOG = seed_catalog()
ENTRIES = list(CATALOG)
TOKEN = "s3cret-token"


def entry_id(entry: CatalogEntry) -> str:
    return f"{entry.provider}/{entry.slug}"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return CATALOG


@pytest.fixture(scope="session")
def backend(catalog: Catalog) -> Iterator[BackendHandle]:
    """A server that accepts any token, seed 0."""
    with running_backend(catalog, seed=0) as handle:
        yield handle


@pytest.fixture(scope="session")
def guarded_backend(catalog: Catalog) -> Iterator[BackendHandle]:
    """A server that accepts only TOKEN."""
    with running_backend(catalog, seed=0, token=TOKEN) as handle:
        yield handle


@pytest.fixture
def client(backend: BackendHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=backend.url, timeout=10) as http:
        yield http
