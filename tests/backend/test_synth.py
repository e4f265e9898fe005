"""The instance generator: whatever the seed, instances fit their schema and repeat exactly."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.backend.merge import merge
from generator.backend.synth import Unsatisfiable, draw, generate, jsonable
from tests.backend.conftest import ENTRIES
from tests.conftest import REPO

# Shapes the generator builds right by construction, without retries.
SHAPES: list[dict[str, Any]] = [
    {"type": "string", "minLength": 3, "maxLength": 5},
    {"type": "string", "maxLength": 0},
    {"type": "integer", "minimum": -3, "maximum": 3},
    {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 2},
    {"type": "integer", "minimum": 10, "multipleOf": 7},
    {"type": "number", "minimum": 0.001, "maximum": 0.002},
    {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.01},
    {"type": "number", "maximum": -1e6},
    {"type": "number", "minimum": 1, "maximum": 2, "multipleOf": 0.25},
    {"type": ["string", "null"], "enum": ["a", None, 3]},
    {"const": {"fixed": [1, 2]}},
    {"type": "boolean", "default": True},
    {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 4},
    {"type": "array", "prefixItems": [{"type": "string"}, {"type": "null"}], "items": False, "minItems": 2},
    {"type": "array", "items": {"enum": [1, 2, 3, 4, 5, 6, 7, 8, 9]}, "uniqueItems": True, "maxItems": 2},
    {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "string", "format": "date-time"}},
        "required": ["a"],
        "additionalProperties": False,
    },
    {"type": "object", "additionalProperties": {"type": "boolean"}, "minProperties": 2},
    {"type": "object", "required": ["free"], "additionalProperties": {"type": "string"}},
    {
        "allOf": [
            {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]},
            {"required": ["y"]},
        ]
    },
    {"allOf": [{"type": "number", "minimum": 5}, {"type": "integer", "maximum": 6}]},
    {"anyOf": [{"type": "string", "minLength": 2}, {"type": "integer", "minimum": 100}]},
    {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 0}]},
    {
        "type": "object",
        "oneOf": [
            {"properties": {"prompt": {"type": "string"}}, "required": ["prompt"]},
            {"properties": {"messages": {"type": "array"}}, "required": ["messages"]},
        ],
    },
    {
        "$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}},
        "$ref": "#/$defs/node",
    },
    {"type": "string", "format": "binary"},
    {
        "type": "object",
        "properties": {"image": {"type": "string", "format": "binary"}},
        "required": ["image"],
    },
    True,  # type: ignore[list-item]
    {},
]
CATALOG_SCHEMAS = [
    schema
    for entry in ENTRIES
    for schema in (entry.input_schema, entry.output_schema, entry.streaming.chunk_schema)
    if schema is not None
]


def valid(schema: Any, instance: Any) -> bool:
    if schema is not True and schema.get("format") == "binary":
        return isinstance(instance, bytes)
    return bool(jsonschema.Draft202012Validator(schema).is_valid(jsonable(instance)))


@settings(max_examples=300, deadline=None)
@given(
    schema=st.sampled_from(SHAPES + CATALOG_SCHEMAS),
    seed=st.integers(0, 2**64),
    optional=st.sampled_from([0, 0.5, 1]),
)
def test_draw_always_fits_the_schema(schema: Any, seed: int, optional: float) -> None:
    instance = draw(schema, jsonschema.Draft202012Validator(schema), seed, optional=optional)
    assert valid(schema, instance)


@settings(max_examples=300, deadline=None)
@given(schema=st.sampled_from(SHAPES + CATALOG_SCHEMAS), seed=st.integers(0, 2**64))
def test_generate_fits_by_construction_or_says_it_cannot(schema: Any, seed: int) -> None:
    rng = random.Random(seed)
    try:
        instance = generate(schema, rng, validator=jsonschema.Draft202012Validator(schema))
    except Unsatisfiable:
        # Only a oneOf whose branches overlap may need another seed.
        assert "oneOf" in json.dumps(schema)
        return
    assert valid(schema, instance), instance


@given(seed=st.integers(0, 2**64))
def test_the_same_seed_gives_the_same_instance(seed: int) -> None:
    schema = ENTRIES[-1].output_schema
    validator = jsonschema.Draft202012Validator(schema)
    assert draw(schema, validator, seed) == draw(schema, validator, seed)


def test_optional_properties_come_and_go() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "null"}, "b": {"type": "null"}}}
    validator = jsonschema.Draft202012Validator(schema)
    seen = {tuple(draw(schema, validator, seed)) for seed in range(40)}
    assert seen == {(), ("a",), ("b",), ("a", "b")}
    assert draw(schema, validator, 1, optional=0) == {}
    assert draw(schema, validator, 1, optional=1) == {"a": None, "b": None}


def test_one_of_picks_an_instance_that_matches_one_branch_only() -> None:
    schema = {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 0}]}
    validator = jsonschema.Draft202012Validator(schema)
    for seed in range(50):
        value = draw(schema, validator, seed)
        assert (isinstance(value, int) and value < 0) or not float(value).is_integer()


@pytest.mark.parametrize(
    "schema",
    [
        False,
        {"type": "integer", "minimum": 3, "maximum": 2},
        {"enum": [1], "type": "string"},
        {"$ref": "http://x/y"},
    ],
)
def test_an_impossible_schema_is_unsatisfiable(schema: Any) -> None:
    with pytest.raises(Unsatisfiable):
        draw(schema, jsonschema.Draft202012Validator(schema), 0)


def test_merge_keeps_both_sides() -> None:
    merged = merge(
        {"type": ["number", "string"], "properties": {"a": {"minimum": 1}}, "required": ["a"], "maximum": 9},
        {"type": "integer", "properties": {"a": {"maximum": 5}, "b": {}}, "required": ["b"], "maximum": 4},
    )
    assert merged == {
        "type": ["integer"],
        "properties": {"a": {"minimum": 1, "maximum": 5}, "b": {}},
        "required": ["a", "b"],
        "maximum": 4,
    }


def test_instances_do_not_depend_on_the_hash_seed() -> None:
    script = (
        "import json, jsonschema; from generator.backend.synth import draw; from tests.backend.conftest import ENTRIES\n"
        "print(json.dumps([draw(e.output_schema, jsonschema.Draft202012Validator(e.output_schema), 3) for e in ENTRIES]))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in ("0", "1")
    }
    assert len(outputs) == 1
