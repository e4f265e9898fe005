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
    schema = {"type": "object", "properties": {"a": {"$dynamicRef": "#x"}}}
    assert _found(schema) == [("/properties/a/$dynamicRef", "$dynamicRef")]
    assert unenforced(schema)[0].describe("input_schema") == (
        "input_schema at /properties/a/$dynamicRef: keyword `$dynamicRef` is not enforced by the "
        "generated classes; refused"
    )


def test_keywords_checked_at_run_time_pass_and_what_they_hold_is_checked_whole() -> None:
    # As real catalogs write it: `required` inside `not` names properties of the parent.
    schema = {
        "type": "object",
        "properties": {"prompt": {"type": "string"}},
        "not": {"required": ["prompt", "x"]},
    }
    assert _found(schema) == []
    assert _found({"type": "array", "uniqueItems": True, "prefixItems": [True, {"const": {"a": 1}}]}) == []
    assert _found({"if": {"minimum": 1}, "then": {"multipleOf": 2}, "else": False}) == []
    assert _found({"not": {"unevaluatedProperties": False}}) == [
        ("/not/unevaluatedProperties", "unevaluatedProperties")
    ]


def test_type_specific_keywords_apply_to_their_type_whatever_type_says() -> None:
    assert _found({"minimum": 1.1}) == []
    assert _found({"type": ["string", "number"], "maxLength": 3}) == []
    assert _found({"additionalProperties": {"type": "string"}}) == [
        ("/additionalProperties", "additionalProperties")
    ]


def test_loose_values_and_shapes_are_refused() -> None:
    assert _found({"enum": [False, "a"]}) == []  # JSON equality at run time: false is not 0
    assert _found({"type": "object", "required": ["x"]}) == [("/required", "required")]
    assert _found({"type": "object", "properties": {"a": False}}) == [("/properties/a", "properties")]
    assert _found({"type": "string", "format": "date-time"}) == []  # an annotation: a plain str
    assert _found({"type": "string", "format": "binary"}) == []


def test_names_in_properties_are_not_keywords() -> None:
    assert _found({"type": "object", "properties": {"not": {"type": "string"}}}) == []
