"""How answers are checked: each `oneOf` read as `anyOf`, since providers write `oneOf` for branches that overlap.

Shipped with the conformance harness and loaded by cardgen's local backend as well: one copy of the rule.
"""

from typing import Any

DATA_KEYS = frozenset({"enum", "const", "default", "examples", "example"})  # values, not schemas
NAMED_SCHEMAS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})


def as_read(schema: Any) -> Any:
    """An answer's schema as the SDK reads it: each `oneOf` an `anyOf`, since answers may fit several branches."""
    if isinstance(schema, list):
        return [as_read(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    read: dict[str, Any] = {}
    for key, value in schema.items():
        if key in DATA_KEYS:
            read[key] = value
        elif key in NAMED_SCHEMAS and isinstance(value, dict):
            read[key] = {name: as_read(sub) for name, sub in value.items()}
        elif key == "oneOf" and "anyOf" in schema:  # both: each must hold
            read["allOf"] = [*read.get("allOf", []), {"anyOf": as_read(value)}]
        elif key == "allOf":
            read["allOf"] = [*as_read(value), *read.get("allOf", [])]
        else:
            read["anyOf" if key == "oneOf" else key] = as_read(value)
    return read
