"""The entry format's JSON Schema, and the digest naming what a recorded validation was made against.

A module apart from the store: a no-op `cardgen generate` puts the digest in what it proves
unchanged, and must not import the entry's pydantic models or YAML to get it.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

ENTRY_SCHEMA_RESOURCE = "entry.schema.json"
ENTRY_CHECKS = 2  # 2: the model's schemas checked as ingest checks them (1: the entry format alone)


@cache
def entry_json_schema() -> dict[str, Any]:
    text = resources.files("generator.catalog").joinpath(ENTRY_SCHEMA_RESOURCE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def entry_schema_digest() -> str:
    """sha256 of what a recorded validation was made against: the entry format's JSON Schema, and
    (ENTRY_CHECKS) the checks of its schemas that read_catalog's caller runs besides."""
    schema = json.dumps(entry_json_schema(), sort_keys=True)
    return hashlib.sha256(f"{ENTRY_CHECKS}\0{schema}".encode()).hexdigest()
