"""Canaries for the test toolchain the conformance suite stands on."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from hypothesis import Phase, find, settings
from hypothesis_jsonschema import from_schema


def test_hypothesis_jsonschema_still_generates_objects() -> None:
    # hypothesis-jsonschema 0.23.1 breaks on every object schema with hypothesis >= 6.170.10
    # ('many' object has no attribute 'more'); this fails the day a dependency update brings that back.
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"a": {"type": "integer", "minimum": 3}},
        "required": ["a"],
    }
    # find() answers the smallest example: it shrinks, which the project's test profile leaves out.
    found = find(
        from_schema(schema),
        lambda value: value["a"] > 3,
        settings=settings(database=None, phases=list(Phase)),
    )
    assert found == {"a": 4}


def test_the_pinned_versions_are_the_ones_installed() -> None:
    assert version("hypothesis") == "6.170.9"
    assert version("hypothesis-jsonschema") == "0.23.1"
    assert version("datamodel-code-generator") == "0.89.0"
    assert version("ruff") == "0.17.5"
