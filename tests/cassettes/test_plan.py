"""What `cardgen record` sends: examples first, else the smallest valid request; one stream."""

from __future__ import annotations

from typing import Any

import pytest

from generator.cassettes.minimal import NoMinimalInstance, minimal_instance, schema_problems
from generator.cassettes.plan import PlannedRequest, UnplannableRequest, plan_requests
from generator.catalog.entry import Example
from tests.cassettes.conftest import ENTRIES, entry_id, entry_named

SCHEMAS: list[dict[str, Any]] = [
    {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "required": ["a"]},
    {"oneOf": [{"required": ["p"], "properties": {"p": {"type": "string", "maxLength": 2}}}]},
    {"allOf": [{"required": ["x"], "properties": {"x": {"enum": ["on", "off"]}}}, {"required": ["y"]}]},
    {
        "$defs": {"n": {"type": "number", "exclusiveMinimum": 3, "maximum": 10}},
        "properties": {"n": {"$ref": "#/$defs/n"}},
        "required": ["n"],
    },
    {
        "type": "object",
        "properties": {"list": {"type": "array", "minItems": 2, "items": {"type": "string", "minLength": 8}}},
        "required": ["list"],
    },
    {
        "type": "object",
        "properties": {"c": {"const": 7}, "t": {"type": ["null", "boolean"]}},
        "required": ["c", "t"],
    },
    {
        "properties": {"a": {"type": "string"}},
        "required": ["a"],
        "oneOf": [{"properties": {"b": {"type": "integer"}}, "required": ["b"]}],
    },
]


@pytest.mark.parametrize("schema", SCHEMAS)
def test_minimal_instance_fits_its_schema(schema: dict[str, Any]) -> None:
    assert schema_problems(schema, minimal_instance(schema)) == []


def test_minimal_instance_keeps_required_properties_only() -> None:
    assert minimal_instance(SCHEMAS[0]) == {"a": "Hello"}
    assert minimal_instance(SCHEMAS[1]) == {"p": "He"}
    assert minimal_instance(SCHEMAS[-1]) == {"a": "Hello", "b": 0}  # a oneOf branch adds to the base


def test_non_local_references_are_refused() -> None:
    with pytest.raises(NoMinimalInstance, match="non-local reference"):
        minimal_instance({"$ref": "https://example.org/schema.json"})


def test_schema_problems_name_the_place() -> None:
    assert schema_problems(SCHEMAS[0], {"a": 1}) == ["$.a: 1 is not of type 'string'"]


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_every_planned_request_fits_and_streams_carry_the_flag(entry: Any) -> None:
    planned = plan_requests(entry)
    assert [p.stream for p in planned].count(True) == (1 if entry.streaming.supported else 0)
    for request in planned:
        assert schema_problems(entry.input_schema, request.data) == []
        flag = entry.streaming.request_flag or "stream"
        assert (request.data.get(flag) is True) is request.stream


def test_examples_come_first_then_a_stream_built_from_the_first() -> None:
    entry = entry_named("cloudflare", "deepseek_coder_6_7b_base_awq")
    request = entry.examples[0].request
    assert plan_requests(entry) == [
        PlannedRequest("example-1", request, False),
        PlannedRequest("stream", {**request, "stream": True}, True),
    ]


def test_without_examples_the_request_is_minimal() -> None:
    entry = entry_named("cloudflare", "deepseek_math_7b_base")
    assert plan_requests(entry)[0] == PlannedRequest("minimal", {"prompt": "Hello"}, False)


def test_an_example_that_does_not_fit_the_schema_is_reported() -> None:
    entry = entry_named("segmind", "deepseek_reasoner")
    broken = entry.model_copy(
        update={"examples": [Example(name="x", request={"messages": "nope"}, response=None)]}
    )
    with pytest.raises(
        UnplannableRequest, match=r"request 'example-1' does not fit the input schema: \$\.messages"
    ):
        plan_requests(broken)
