"""The harness builds hypothesis-jsonschema's property strategies once per schema, and draws the same values."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import REPO

# One property schema shared by two object schemas that differ elsewhere, as clones of a model do.
MESSAGE = {
    "type": "object",
    "properties": {"role": {"enum": ["user", "system"]}, "content": {"type": "string", "maxLength": 8}},
    "required": ["role", "content"],
}


def _object(description: str) -> dict[str, object]:
    return {
        "type": "object",
        "description": description,
        "properties": {
            "messages": {"type": "array", "items": MESSAGE, "maxItems": 3},
            "temperature": {"type": "number", "minimum": 0, "maximum": 2},
            "n": {"type": "integer", "minimum": 1, "maximum": 4},
        },
        "required": ["messages"],
    }


@pytest.fixture(scope="module")
def harness(seed_sdk: ModuleType) -> tuple[ModuleType, ModuleType]:
    """The shipped _conformance and _strategy_cache modules (importing the first installs the second)."""
    return importlib.import_module("_conformance"), importlib.import_module("_strategy_cache")


def _draw(conformance: ModuleType, schema: dict[str, object], count: int) -> list[object]:
    """count values of the schema, the same on every run."""
    from hypothesis import given, settings

    drawn: list[object] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None)
    @given(conformance.valid_payloads(schema))
    def collect(value: object) -> None:
        drawn.append(value)

    collect()
    return drawn


def test_a_property_strategy_is_built_once_however_many_values_are_drawn(
    harness: tuple[ModuleType, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    """hypothesis-jsonschema canonicalises a schema each time it builds its strategy: count those calls."""
    from hypothesis_jsonschema import _canonicalise, _from_schema

    conformance, cache = harness
    cache.BUILT.clear()
    _draw(conformance, _object("first"), 5)
    assert cache.BUILT, "drawing objects built no property strategy through the cache"
    canonicalised: list[object] = []
    original = _canonicalise.canonicalish

    def counted(schema: Any) -> Any:
        canonicalised.append(schema)
        return original(schema)

    monkeypatch.setattr(_from_schema, "canonicalish", counted)
    before = {key for key in cache.BUILT if key[0] == "__from_schema"}
    drawn = _draw(conformance, _object("first"), 60)
    built = {key for key in cache.BUILT if key[0] == "__from_schema"} - before
    assert len(drawn) >= 30
    # Sixty objects, each with properties drawn afresh: a build only for a schema not met before.
    assert len(canonicalised) <= len(built), f"{len(canonicalised)} builds for {len(built)} new schemas"


def test_a_property_schema_shared_by_two_models_is_built_once(
    harness: tuple[ModuleType, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hypothesis_jsonschema import _canonicalise, _from_schema

    conformance, cache = harness
    cache.BUILT.clear()
    _draw(conformance, _object("model one"), 30)
    assert any("role" in key[1] for key in cache.BUILT), "the message schema was not built through the cache"
    messages: list[Any] = []
    original = _canonicalise.canonicalish

    def counted(schema: Any) -> Any:
        if isinstance(schema, dict) and "role" in schema.get("properties", {}):
            messages.append(schema)
        return original(schema)

    monkeypatch.setattr(_from_schema, "canonicalish", counted)
    assert len(_draw(conformance, _object("model two"), 30)) >= 10
    assert not messages, f"model two built the message strategy model one built, {len(messages)} times"


DRAW = """
import json, sys
sys.path[:0] = [sys.argv[1]]
if sys.argv[2] == "memoised":
    import _conformance  # installs the cache
from hypothesis import given, settings
from hypothesis_jsonschema import from_schema
drawn = []
@settings(max_examples=40, derandomize=True, database=None, deadline=None)
@given(from_schema(json.loads(sys.argv[3])))
def collect(value):
    drawn.append(value)
collect()
print(json.dumps(drawn, sort_keys=True))
"""


def test_memoised_strategies_draw_the_same_values_as_hypothesis_jsonschema_alone(seed_project: Path) -> None:
    tests = seed_project / "generated" / "tests"
    schema = json.dumps(_object("same values"))
    drawn = {}
    for mode in ("memoised", "plain"):
        done = subprocess.run(
            [sys.executable, "-c", DRAW, str(tests), mode, schema],
            capture_output=True,
            text=True,
            check=True,
            cwd=tests,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        drawn[mode] = json.loads(done.stdout)
    assert len(drawn["plain"]) >= 10
    assert drawn["memoised"] == drawn["plain"]


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"a": {"type": "object"}}},  # takes {"not": "valid"}
        {"type": "object", "properties": {"a": {"type": "object"}, "b": {}}},
        {"type": "object", "properties": {"a": {}}},  # no property can be wrong: no object at all
        {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
    ],
)
def test_an_invalid_payload_is_found_where_every_property_takes_an_object(
    harness: tuple[ModuleType, ModuleType], schema: dict[str, Any]
) -> None:
    """The 400 and 401 checks send a payload the schema rejects; where each property took an object,
    none of the candidates was rejected and both checks failed ("it accepts anything")."""
    import jsonschema

    conformance, _ = harness
    payload = conformance.invalid_payload(schema)
    assert not jsonschema.Draft202012Validator(schema).is_valid(payload), payload
    assert payload == conformance.invalid_payload(schema)  # the same every run
