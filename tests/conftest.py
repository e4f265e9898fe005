"""Shared paths and helpers for the test tiers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Every property test in this repository is reproducible: same examples on every run and machine.
settings.register_profile("cardgen", derandomize=True, database=None, deadline=None)
settings.load_profile("cardgen")

REPO = Path(__file__).resolve().parent.parent
CATALOG_ROOT = REPO / "catalog"
SOURCES = CATALOG_ROOT / "sources"
PROVIDERS = CATALOG_ROOT / "providers"
OVERLAYS = CATALOG_ROOT / "overlays"
MODELS = CATALOG_ROOT / "models"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
UPDATE_SNAPSHOTS = os.environ.get("CARDGEN_UPDATE_SNAPSHOTS") == "1"


def assert_snapshot(path: Path, actual: str) -> None:
    """Compare with a committed snapshot; CARDGEN_UPDATE_SNAPSHOTS=1 rewrites it."""
    if UPDATE_SNAPSHOTS or not path.exists():
        path.write_text(actual, "utf-8")
        if not UPDATE_SNAPSHOTS:
            pytest.fail(f"snapshot {path} did not exist; written now, review and commit it")
    assert actual == path.read_text("utf-8"), f"differs from snapshot {path}"
