"""The one `$ref` resolver: RFC 6901 pointers in percent-encoded URI fragments, and `$anchor` names."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from generator.backend.synth import Unsatisfiable, draw
from generator.cassettes.minimal import minimal_instance
from generator.ingest.hygiene import clean_schema
from generator.ingest.refs import canonical_ref, ref_through_refs, resolve_ref

DOCUMENT: dict[str, Any] = {
    "$defs": {
        "a/b": {"type": "string"},
        "m~n": {"type": "integer"},
        "percent%field": {"type": "boolean"},
        'quote"d': {"type": "null"},
        "named": {"$anchor": "here", "type": "number"},
        "other": {"$id": "https://example.org/other", "$anchor": "elsewhere"},
    },
    "list": [{"type": "array"}, {"type": "object"}],
}


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("#", DOCUMENT),
        ("#/$defs/a~1b", {"type": "string"}),
        ("#/$defs/m~0n", {"type": "integer"}),
        ("#/$defs/percent%25field", {"type": "boolean"}),
        ("#/$defs/quote%22d", {"type": "null"}),
        ("#/list/1", {"type": "object"}),
        ("#here", {"$anchor": "here", "type": "number"}),
    ],
)
def test_a_local_ref_resolves_as_the_standards_say(ref: str, expected: Any) -> None:
    assert resolve_ref(DOCUMENT, ref) == (True, expected)


@pytest.mark.parametrize(
    "ref",
    [
        "#/$defs/a/b",  # an unescaped "/" splits the key
        "#/list/01",  # RFC 6901: no leading zeros
        "#/list/2",
        "#/list/-",
        "#elsewhere",  # an anchor of another resource (its own $id)
        "#nowhere",
        "https://example.org/other",
        "other.json#/x",
    ],
)
def test_what_points_nowhere_is_not_found(ref: str) -> None:
    assert resolve_ref(DOCUMENT, ref) == (False, None)


MOVED: dict[str, Any] = {
    "$defs": {
        "_shape": {"properties": {"a/b": {"items": [{"type": "integer"}]}}},
        "moved": {"$ref": "#/$defs/_shape", "description": "kept beside the ref"},
        "again": {"$ref": "#moved"},
        "named": {"$anchor": "moved", "$ref": "#/$defs/moved"},
        "loop1": {"$ref": "#/$defs/loop2"},
        "loop2": {"$ref": "#/$defs/loop1"},
    }
}


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("#/$defs/moved/properties/a~1b/items/0", "#/$defs/_shape/properties/a~1b/items/0"),
        ("#/$defs/again/properties/a~1b", "#/$defs/_shape/properties/a~1b"),  # two refs, one an anchor
        ("#/$defs/moved/description", "#/$defs/moved/description"),  # there as written: kept
        ("#/$defs/moved", "#/$defs/moved"),
        ("#/$defs/moved/properties/nothing", "#/$defs/moved/properties/nothing"),  # nowhere either way
        ("#/$defs/loop1/properties/x", "#/$defs/loop1/properties/x"),
        ("#/$defs/_shape/properties/a%2Fb", "#/$defs/_shape/properties/a%2Fb"),
    ],
)
def test_a_path_through_a_schema_left_as_a_ref_points_into_its_content(ref: str, expected: str) -> None:
    assert ref_through_refs(MOVED, ref) == expected
    found, _ = resolve_ref(MOVED, expected)
    assert found == (expected != ref or resolve_ref(MOVED, ref)[0])


def test_an_anchor_declared_twice_in_one_resource_points_nowhere() -> None:
    twice = {"$defs": {"x": {"$anchor": "a"}, "y": {"$anchor": "a"}}}
    assert resolve_ref(twice, "#a") == (False, None)


def test_an_anchor_ref_is_stored_as_the_pointer_every_consumer_follows() -> None:
    assert canonical_ref(DOCUMENT, "#here") == "#/$defs/named"
    schema = {"type": "object", "properties": {"n": {"$ref": "#here"}}, "$defs": {"d": {"$anchor": "here"}}}
    assert clean_schema(schema).schema["properties"]["n"] == {"$ref": "#/$defs/d"}
    assert clean_schema({**schema, "properties": {"n": {"$ref": "#gone"}}}).findings[0].error


def test_the_backend_and_the_cassette_planner_follow_percent_encoded_refs() -> None:
    schema = {
        "type": "object",
        "required": ["p"],
        "properties": {"p": {"$ref": "#/$defs/percent%25field"}},
        "$defs": {"percent%field": {"type": "string", "minLength": 2}},
    }
    assert isinstance(minimal_instance(schema)["p"], str)
    drawn = draw(schema, Draft202012Validator(schema), seed=1)
    assert isinstance(drawn["p"], str) and len(drawn["p"]) >= 2
    broken = {**schema, "properties": {"p": {"$ref": "#/$defs/none"}}}
    with pytest.raises(Unsatisfiable, match="points nowhere"):
        draw(broken, Draft202012Validator(broken), seed=1, attempts=1)
