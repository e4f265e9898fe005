"""Render the entry format's JSON Schema from the model; `python -m generator.catalog.schema` rewrites it."""

from __future__ import annotations

import json
from pathlib import Path

from generator.catalog.entry import CatalogEntry
from generator.catalog.entry_format import ENTRY_SCHEMA_RESOURCE


def render_entry_schema() -> str:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cardgen catalog entry",
        **CatalogEntry.model_json_schema(),
    }
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    target = Path(__file__).with_name(ENTRY_SCHEMA_RESOURCE)
    target.write_text(render_entry_schema(), "utf-8")
    print(f"wrote {target}")
