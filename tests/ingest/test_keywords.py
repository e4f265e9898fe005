"""keywords.py: each keyword occurrence the classes would not enforce, with its schema path."""

from __future__ import annotations

from generator.ingest.keywords import unenforced


def _found(schema: object) -> list[tuple[str, str]]:
    return [(u.path, u.keyword) for u in unenforced(schema)]


def test_enforced_keywords_pass() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer", "minimum": 0}, "b": {"type": ["string", "null"]}},
        "required": ["a"],
        "oneOf": [{"properties": {"a": {"const": "x"}}, "required": ["a"]}, {"type": "object"}],
    }
    assert _found(schema) == []


def test_unenforced_keyword_is_named_with_its_path() -> None:
    schema = {"type": "object", "properties": {"a": {"not": {"type": "string"}}}}
    assert _found(schema) == [("/properties/a/not", "not")]
    assert unenforced(schema)[0].describe("input_schema") == (
        "input_schema at /properties/a/not: keyword `not` is not enforced by the generated classes; refused"
    )


def test_type_specific_keyword_without_type_is_refused() -> None:
    assert _found({"minimum": 1.1}) == [("/minimum", "minimum")]
    assert _found({"type": ["string", "number"], "maxLength": 3}) == [("/maxLength", "maxLength")]


def test_loose_values_and_shapes_are_refused() -> None:
    assert _found({"enum": [False, "a"]}) == [("/enum", "enum")]
    assert _found({"type": "object", "required": ["x"]}) == [("/required", "required")]
    assert _found({"type": "object", "properties": {"a": False}}) == [("/properties/a", "properties")]
    assert _found({"type": "string", "format": "date-time"}) == [("/format", "format")]
    assert _found({"type": "string", "format": "binary"}) == []


def test_names_in_properties_are_not_keywords() -> None:
    assert _found({"type": "object", "properties": {"not": {"type": "string"}}}) == []
