"""Keywords pydantic has no exact form for: the generated classes agree with jsonschema on each.

Each case is a property's schema (inside an object Request) or a whole Request schema, and values
both valid and invalid; the class must give jsonschema's (Draft202012Validator) verdict on every
value, read from Python objects and from JSON text.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import json
import shutil
import sys
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel, ValidationError

from generator.render.model_types import types_code
from tests.conftest import REPO

TEMPLATES = REPO / "generator" / "templates"
_counter = itertools.count()
Build = Callable[[dict[str, Any]], Any]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    root = tmp_path_factory.mktemp("keywords")
    pkg = root / "keywordspkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", "utf-8")
    for folder in ("runtime", "package"):
        for path in (TEMPLATES / folder).glob("*.py"):
            shutil.copy(path, pkg / path.name)
    sys.path.insert(0, str(root))

    def make(request: dict[str, Any]) -> Any:
        code, _ = types_code(json.dumps({"Request": request}), "._models")
        name = f"m{next(_counter)}"
        (pkg / f"{name}.py").write_text(code, "utf-8")
        return importlib.import_module(f"keywordspkg.{name}")

    yield make
    sys.path.remove(str(root))


def _verdicts(model: type[BaseModel], value: Any) -> tuple[bool, bool]:
    verdicts = []
    readers: tuple[Callable[[Any], Any], ...] = (
        model.model_validate,
        lambda v: model.model_validate_json(json.dumps(v)),
    )
    for read in readers:
        try:
            read(value)
        except ValidationError:
            verdicts.append(False)
        else:
            verdicts.append(True)
    return verdicts[0], verdicts[1]


def assert_agree(build: Build, schema: dict[str, Any], values: list[Any]) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    model = build(schema).Request
    wrong = []
    for value in values:
        expected = validator.is_valid(value)
        python, from_json = _verdicts(model, value)
        if (python, from_json) != (expected, expected):
            wrong.append((value, f"schema {expected}, python {python}, json {from_json}"))
    assert not wrong, wrong


def prop(schema: Any) -> dict[str, Any]:
    return {"type": "object", "properties": {"x": schema}}


def values(*xs: Any) -> list[Any]:
    return [{"x": x} for x in xs]


SCALARS: tuple[Any, ...] = (0, 1, 1.0, 0.0, True, False, None, "", "a", 0.6, 2, 1.1, [], {}, [1], {"a": 1})

PROPERTY_CASES: dict[str, tuple[Any, list[Any]]] = {
    "const_false_is_not_0": ({"const": False}, values(*SCALARS)),
    "const_1_is_not_true": ({"const": 1}, values(*SCALARS)),
    "enum_of_bools_and_numbers": ({"enum": [True, 0, "a"]}, values(*SCALARS)),
    "typed_const_integer": ({"type": "integer", "const": 2}, values(*SCALARS, 2.0)),
    "const_object": ({"const": {"a": 1}}, values(*SCALARS, {"a": 1.0}, {"a": True}, {"a": 1, "b": 2})),
    "enum_of_arrays": ({"enum": [[1], [False]]}, values(*SCALARS, [True], [0], [1.0], [False])),
    "untyped_minimum": ({"minimum": 1.1}, values(*SCALARS, "x", 1.1)),
    "untyped_maxlength": ({"maxLength": 1}, values(*SCALARS, "ab", [1, 2])),
    "untyped_pattern": ({"pattern": "^a"}, values(*SCALARS, "ba", "ab")),
    "untyped_items": ({"items": {"type": "integer"}}, values(*SCALARS, ["a"], [1, 2.0])),
    "multiple_of": ({"type": "number", "multipleOf": 0.0001}, values(0.0075, 0.00751, 1, 10**400 // 10**300)),
    "multiple_of_in_any_of": (
        {"anyOf": [{"multipleOf": 2}, {"type": "string"}]},
        values(*SCALARS, 3, 4, 4.0),
    ),
    "format_date_time": (
        {"type": "string", "format": "date-time"},
        values("2020-01-01T00:00:00Z", "nope", 1),
    ),
    "format_date": ({"type": "string", "format": "date"}, values("2020-01-01", "nope", 1)),
    "format_email": ({"type": "string", "format": "email"}, values("a@b.c", "nope", 1)),
    "format_hostname_in_all_of": ({"allOf": [{"format": "hostname"}]}, values("a.example", "-", 1, None)),
    "unique_items": (
        {"type": "array", "uniqueItems": True},
        values([1, 1.0], [1, True], [0, False], [[1], [True]], [{"a": 1}, {"a": 1.0}], ["a", "b"], []),
    ),
    "prefix_items": (
        {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "items": False},
        values([], [1], [1, "a"], ["a"], [1, 2], [1, "a", 3]),
    ),
    "contains": (
        {"type": "array", "contains": {"const": 1}, "maxContains": 2},
        values([], [1], [2], [1, 1, 1], [1.0, 2]),
    ),
    "not_type": ({"not": {"type": "string"}}, values(*SCALARS)),
    "if_then_else": (
        {"if": {"type": "integer"}, "then": {"minimum": 3}, "else": {"type": "string"}},
        values(*SCALARS, 3, 2.0),
    ),
    "min_max_properties": (
        {"type": "object", "minProperties": 1, "maxProperties": 2},
        values({}, {"a": 1}, {"a": 1, "b": 2}, {"a": 1, "b": 2, "c": 3}),
    ),
    "dependent_required": (
        {"type": "object", "dependentRequired": {"a": ["b"]}},
        values({}, {"a": 1}, {"a": 1, "b": 2}, {"b": 2}),
    ),
    "property_names": (
        {"type": "object", "propertyNames": {"maxLength": 2}},
        values({}, {"ab": 1}, {"abc": 1}),
    ),
    "pattern_properties": (
        {
            "type": "object",
            "patternProperties": {"^s_": {"type": "string"}},
            "additionalProperties": {"type": "integer"},
        },
        values({}, {"s_a": "x"}, {"s_a": 1}, {"b": 1}, {"b": "x"}),
    ),
    "ref_beside_type": (
        {"$ref": "#/$defs/positive", "type": "integer"},
        values(1, 2.0, 1.5, -1, "a"),
    ),
}


@pytest.mark.parametrize("case", sorted(PROPERTY_CASES))
def test_property_keyword_agrees_with_jsonschema(build: Build, case: str) -> None:
    schema, instances = PROPERTY_CASES[case]
    request = prop(schema)
    if case == "ref_beside_type":
        request["$defs"] = {"positive": {"minimum": 0}}
    assert_agree(build, request, instances)


def test_not_required_at_the_top_agrees_with_jsonschema(build: Build) -> None:
    # As real catalogs write it: a prompt or messages, never both.
    schema = {
        "type": "object",
        "properties": {"prompt": {"type": "string"}, "messages": {"type": "array"}, "n": {"type": "integer"}},
        "not": {"required": ["prompt", "messages"]},
    }
    cases = [{}, {"prompt": "p"}, {"messages": []}, {"prompt": "p", "messages": []}, {"n": 1}]
    assert_agree(build, schema, cases)


def test_rules_reach_nested_items_and_maps(build: Build) -> None:
    schema = {
        "type": "object",
        "properties": {
            "tags": {"type": "array", "items": {"type": "array", "uniqueItems": True}},
            "scores": {"type": "object", "additionalProperties": {"const": 1}},
            "inner": {"type": "object", "properties": {"k": {"not": {"const": 0}}}},
        },
    }
    cases = [
        {"tags": [[1, 2]]}, {"tags": [[1, 1]]}, {"scores": {"a": 1}}, {"scores": {"a": True}},
        {"inner": {"k": 1}}, {"inner": {"k": 0.0}}, {"inner": {"k": False}},
    ]  # fmt: skip
    assert_agree(build, schema, cases)


def test_a_value_sent_from_a_nested_instance_is_checked(build: Build) -> None:
    schema = prop({"type": "object", "properties": {"k": {"type": "integer"}}, "minProperties": 1})
    module = build(schema)
    inner = next(cls for name, cls in vars(module).items() if name.endswith("X") or name == "X")
    with pytest.raises(ValidationError):
        module.Request(x=inner())
    assert module.Request(x=inner(k=1)).model_dump(mode="json", exclude_unset=True) == {"x": {"k": 1}}


RUNTIME_SCHEMAS: list[Any] = [
    True, False, {"type": ["integer", "string"]}, {"enum": [1, True, None, [0], {"a": False}]},
    {"const": 0.0}, {"multipleOf": 1.5}, {"multipleOf": 0.123456789}, {"exclusiveMinimum": 1},
    {"exclusiveMaximum": 1}, {"minLength": 2}, {"pattern": "b+"}, {"minItems": 1, "maxItems": 2},
    {"uniqueItems": True}, {"uniqueItems": False}, {"prefixItems": [{"type": "boolean"}], "items": {"type": "string"}},
    {"contains": {"type": "integer"}, "minContains": 2}, {"contains": {"type": "integer"}, "minContains": 0},
    {"required": ["a"], "dependentSchemas": {"a": {"properties": {"b": {"type": "string"}}}}},
    {"properties": {"a": False}, "additionalProperties": False, "patternProperties": {"^x": True}},
    {"allOf": [{"minimum": 0}, {"maximum": 2}]}, {"oneOf": [{"type": "integer"}, {"minimum": 2}]},
    {"anyOf": [{"type": "string"}, {"type": "null"}]}, {"if": {"const": 1}, "then": False},
    {"if": {"const": 1}, "else": False}, {"then": False}, {"propertyNames": {"pattern": "^a"}},
]  # fmt: skip
RUNTIME_VALUES: list[Any] = [
    None, True, False, 0, 1, 1.0, 2, 2.5, 3.0, 1e308, 10**400, -0.0, "", "a", "ab", "bbb",
    [], [1], [True], [1, 1.0], [1, True], [0, False], [True, "a"], [1, 2, 3], [[0], [False]],
    {}, {"a": 1}, {"a": "s"}, {"a": 1, "b": 2}, {"x1": 1}, {"b": 1}, {"a": False}, {"a": 0},
]  # fmt: skip


def test_the_runtime_evaluator_agrees_with_jsonschema() -> None:
    """The validator classes run on their rules, checked directly on raw JSON values."""
    spec = importlib.util.spec_from_file_location("constraints", TEMPLATES / "package" / "_constraints.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    wrong = []
    for schema, value in itertools.product(RUNTIME_SCHEMAS, RUNTIME_VALUES):
        try:
            expected = jsonschema.Draft202012Validator(schema).is_valid(value)
        except OverflowError:  # jsonschema divides 10**400 by a float; we compare exactly
            continue
        if (module.problem(schema, value) is None) != expected:
            wrong.append((schema, value, expected))
    assert not wrong, wrong
