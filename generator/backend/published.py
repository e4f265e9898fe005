"""A catalog entry published back as the provider would list it: Cloudflare's JSON format.

The inverse of the Cloudflare JSON reader (`ingest/extractors/cloudflare_json.py`), so what
`cardgen serve` lists and `cardgen pull` stores ingests into the entry it was made from: model
id, display name, description, task, tags, flags, limits, pricing, attributes and both schemas.
A `false` flag and the properties' order are not kept by ingest, so they are not given back.
"""

from __future__ import annotations

import uuid
from typing import Any

from generator.catalog.entry import CatalogEntry

# Attributes the reader makes from top-level fields, not from `properties`.
TOP_LEVEL = {
    "cloudflare_model_uuid",
    "cloudflare_source",
    "created_at",
    "cloudflare_task_uuid",
    "task_description",
}
PROPERTY_LIMITS = ("context_window", "max_input_tokens", "max_total_tokens")
_NAMESPACE = uuid.UUID("6f1c1f0e-3c55-4d5e-9a43-8f6f2a3a0c17")


def search_item(entry: CatalogEntry) -> dict[str, Any]:
    """What `GET .../ai/models/search` lists for the entry: the document without its schema."""
    attributes = entry.attributes
    source = attributes.get("cloudflare_source", "1")
    return {
        "id": attributes.get("cloudflare_model_uuid") or str(uuid.uuid5(_NAMESPACE, entry.model_id)),
        "source": int(source) if source.isdigit() else source,
        "name": entry.model_id,
        "description": entry.description,
        "task": {
            "id": attributes.get("cloudflare_task_uuid") or str(uuid.uuid5(_NAMESPACE, entry.task)),
            "name": entry.task.replace("-", " ").title(),
            "description": attributes.get("task_description", ""),
        },
        "created_at": attributes.get("created_at", ""),
        "tags": list(entry.tags),
        "properties": _properties(entry),
    }


def schema_of(entry: CatalogEntry) -> dict[str, Any]:
    """What `GET .../ai/models/schema?model=` answers for the entry; a stream is an SSE `oneOf` branch."""
    output = entry.output_schema
    if entry.streaming.supported:
        media = entry.streaming.content_type or "text/event-stream"
        output = {"oneOf": [output, {"type": "string", "contentType": media, "format": "binary"}]}
    return {"input": entry.input_schema, "output": output}


def _properties(entry: CatalogEntry) -> list[dict[str, Any]]:
    properties: list[dict[str, Any]] = []
    if entry.pricing:
        offers = [
            {"unit": p.unit or p.item, "price": _number(p.amount), "currency": p.currency}
            for p in entry.pricing
        ]
        properties.append({"property_id": "price", "value": offers})
    for name in PROPERTY_LIMITS:
        limit = getattr(entry.limits, name)
        if limit is not None:
            properties.append({"property_id": name, "value": str(limit)})
    properties.extend({"property_id": flag, "value": "true"} for flag in entry.flags)
    properties.extend(
        {"property_id": name, "value": value}
        for name, value in entry.attributes.items()
        if name not in TOP_LEVEL
    )
    return properties


def _number(amount: str) -> int | float | str:
    """The amount as a JSON number written exactly as the entry keeps it, else as text."""
    for kind in (int, float):
        try:
            value = kind(amount)
        except ValueError:
            continue
        if str(value) == amount:
            return value
    return amount
