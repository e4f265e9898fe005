"""Generated request/response classes accept exactly what their JSON Schema accepts."""

from __future__ import annotations

import importlib
import itertools
import json
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel, ValidationError

from generator.render.model_types import types_code
from tests.conftest import REPO

TEMPLATES = REPO / "generator" / "templates"
_counter = itertools.count()


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("types")
    pkg = root / "typespkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", "utf-8")
    for folder in ("runtime", "package"):
        for path in (TEMPLATES / folder).glob("*.py"):
            shutil.copy(path, pkg / path.name)
    sys.path.insert(0, str(root))
    yield pkg
    sys.path.remove(str(root))


Build = Callable[..., Any]


@pytest.fixture
def build(package: Path) -> Build:
    """Generate the types of some schemas, import them, return the module."""

    def make(**roles: dict[str, Any]) -> Any:
        code, _ = types_code(json.dumps(roles), "._models")
        name = f"m{next(_counter)}"
        (package / f"{name}.py").write_text(code, "utf-8")
        return importlib.import_module(f"typespkg.{name}")

    return make


def _accepts(model: type[BaseModel], value: Any) -> bool:
    try:
        model.model_validate(value)
    except ValidationError:
        return False
    return True


def assert_agree(schema: dict[str, Any], model: type[BaseModel], values: list[Any]) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    for value in values:
        assert _accepts(model, value) == validator.is_valid(value), (value, validator.is_valid(value))


CHAT = {
    "type": "object",
    "oneOf": [
        {
            "properties": {
                "prompt": {"type": "string", "minLength": 1, "maxLength": 10},
                "raw": {"type": "boolean", "default": False},
                "top_k": {"type": "integer", "minimum": 1, "maximum": 50},
                "temperature": {"type": "number", "minimum": 0, "maximum": 5},
            },
            "required": ["prompt"],
        },
        {
            "properties": {
                "messages": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"role": {"type": "string"}, "content": {"type": "string"}},
                        "required": ["role", "content"],
                    },
                },
                "temperature": {"type": "number"},
            },
            "required": ["messages"],
        },
    ],
}
MESSAGES = [{"role": "user", "content": "hi"}]


def test_the_cases_pydantic_gets_wrong_by_default(build: Build) -> None:
    module = build(Request=CHAT)
    assert_agree(
        CHAT,
        module.Request,
        [
            {"prompt": "x", "temperature": None},
            {"prompt": "x", "top_k": "3"},
            {"prompt": "x", "raw": "true"},
            {"prompt": "x", "messages": MESSAGES},
            {"prompt": "x", "top_k": 3.0},
            {"prompt": "x", "top_k": True},
            {"prompt": "x", "top_k": 0},
            {"prompt": ""},
            {"prompt": "x" * 11},
            {"prompt": "x", "unknown": [1]},
            {"messages": MESSAGES, "temperature": 7},
            {"messages": [{"role": "user"}]},
            {"messages": MESSAGES, "temperature": 1},
            {},
            "not an object",
        ],
    )


def test_variants_are_named_after_what_they_require(build: Build) -> None:
    module = build(Request=CHAT)
    assert {"PromptRequest", "MessagesRequest", "Request", "Message"} <= set(vars(module))
    assert not any(
        name.startswith("Model") or name[-1].isdigit() for name in vars(module) if name[0].isupper()
    )


def test_unset_optionals_are_not_dumped_and_defaults_are_the_schemas(build: Build) -> None:
    module = build(Request=CHAT)
    request = module.Request.model_validate({"prompt": "x"})
    assert request.root.raw is False
    assert request.model_dump(mode="json", exclude_unset=True) == {"prompt": "x"}


NESTED = {
    "type": "object",
    "properties": {
        "tools": {
            "type": "array",
            "items": {
                "oneOf": [
                    {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
                    {
                        "type": "object",
                        "properties": {"function": {"type": "string"}},
                        "required": ["function"],
                    },
                ]
            },
        },
        "nullable": {"type": ["string", "null"]},
        "closed": {"type": "object", "properties": {"k": {"type": "string"}}, "additionalProperties": False},
        "mode": {"type": "string", "enum": ["fast", "slow"]},
        "seed": {"type": "integer", "maximum": 9999999999},
        "usage": {"type": "object", "properties": {"tokens": {"type": "integer"}}},
    },
}


def test_nested_one_of_null_closed_objects_enums_and_big_integers(build: Build) -> None:
    module = build(Request=NESTED)
    assert_agree(
        NESTED,
        module.Request,
        [
            {"tools": [{"name": "a"}, {"function": "f"}]},
            {"tools": [{"name": "a", "function": "f"}]},
            {"tools": [{}]},
            {"nullable": None},
            {"nullable": "x"},
            {"closed": {"k": "v"}},
            {"closed": {"k": "v", "other": 1}},
            {"closed": None},
            {"mode": "fast"},
            {"mode": "medium"},
            {"seed": 9999999999},
            {"seed": 10000000000},
            {"usage": None},
            {"usage": {"tokens": 1.0}},
            {"usage": {"tokens": 1.5}},
        ],
    )


def test_descriptions_become_docstrings_and_hostile_text_stays_data(build: Build) -> None:
    hostile = '""" + __import__("os").system("exit 3") + """ {{ x }} \\'
    schema = {
        "type": "object",
        "description": hostile,
        "properties": {"p": {"type": "string", "description": hostile, "default": hostile}},
    }
    module = build(Request=schema)
    assert hostile in (module.Request.__doc__ or "")
    assert module.Request.model_validate({}).p == hostile


def test_response_and_chunk_roles_share_one_module(build: Build) -> None:
    response = {"type": "object", "properties": {"response": {"type": "string"}}, "required": ["response"]}
    module = build(
        Request=CHAT,
        Response=response,
        StreamChunk={"type": "object", "properties": {"response": {"type": "string"}}},
    )
    assert_agree(response, module.Response, [{"response": "x"}, {}, {"response": None}, {"response": 1}])
    assert module.StreamChunk.model_validate({"response": "x"}).response == "x"


PRIMITIVES = {
    "type": "object",
    "properties": {
        "text": {
            "oneOf": [{"type": "string", "minLength": 1}, {"type": "array", "items": {"type": "string"}}]
        },
        "scale": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
        "key": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        "maybe": {"type": ["string", "null"]},
        "vectors": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
    },
}
SCORES = {"type": "array", "items": {"type": "object", "properties": {"label": {"type": "string"}}}}


def test_one_of_and_any_of_primitives_type_lists_and_array_roots(build: Build) -> None:
    module = build(Request=PRIMITIVES, Response=SCORES)
    assert_agree(
        PRIMITIVES,
        module.Request,
        [
            {"text": "a"},
            {"text": ""},
            {"text": ["a", "b"]},
            {"text": [1]},
            {"scale": 1.5},
            {"scale": 3},  # fits both branches of an exclusive oneOf
            {"scale": 3.0},
            {"scale": "3"},
            {"key": "a"},
            {"key": 2},
            {"key": 2.5},
            {"maybe": None},
            {"maybe": 1},
            {"vectors": [[1, 2.5], []]},
            {"vectors": [1]},
        ],
    )
    assert_agree(SCORES, module.Response, [[{"label": "a"}], [], {"label": "a"}, [{"label": None}]])
    assert module.Response.model_validate([{"label": "a"}]).root[0].label == "a"


POINTS = {
    "type": "object",
    "$defs": {"Point": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}},
    "properties": {
        "a": {"$ref": "#/$defs/Point"},
        "b": {"type": "array", "items": {"$ref": "#/$defs/Point"}},
        "c": {"$ref": "#/properties/a"},
    },
}


def test_local_refs_resolve_inside_their_own_schema(build: Build) -> None:
    response = {
        "type": "object",
        "properties": {"p": {"$ref": "#/$defs/Q"}},
        "$defs": {"Q": {"type": "string"}},
    }
    module = build(Request=POINTS, Response=response)
    assert_agree(
        POINTS,
        module.Request,
        [
            {"a": {"x": 1}},
            {"a": {"x": "1"}},
            {"b": [{"x": 2}, {}]},
            {"c": {"x": 3}},
            {"c": None},
            {"a": None},
        ],
    )
    assert_agree(response, module.Response, [{"p": "text"}, {"p": 1}, {"p": None}, {}])


def test_annotated_is_imported_when_only_the_rules_use_it(build: Build) -> None:
    schema = {"type": "object", "properties": {"mode": {"enum": ["a", "b"]}, "flag": {"const": "on"}}}
    module = build(Request=schema)
    assert_agree(schema, module.Request, [{"mode": "a"}, {"mode": None}, {"flag": "on"}, {"flag": "off"}])


_OBJECT = {"type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]}
# Property names whose class name the code generator would change (generate stopped: "wrote class
# FieldModel / Exception / True1, which no schema names"): one it imports (`Field`, the fallback of
# a name without a Latin letter), a builtin's (`Exception_`, whose `_` it drops), a keyword's.
NAMES_IT_WOULD_CHANGE = ["名前", "é", "exception", "value_error", "True", "None", "any", "strict_str"]


@pytest.mark.parametrize("name", NAMES_IT_WOULD_CHANGE)
def test_an_object_under_any_property_name_is_a_class_of_its_own(build: Build, name: str) -> None:
    # "strict_str": StrictStr is imported for `url`; "any": Any for a field of no type.
    schema = {"type": "object", "properties": {name: _OBJECT, "loose": {}}}
    module = build(Request=schema)
    validator = jsonschema.Draft202012Validator(schema)
    values: list[dict[str, Any]] = [
        {name: {"url": "u"}},
        {name: {"url": 1}},
        {name: {}},
        {name: None},
        {"loose": [1]},
    ]
    for value in values:
        assert _accepts(module.Request, value) == validator.is_valid(value), value
    own = [n for n, v in vars(module).items() if isinstance(v, type) and v.__module__ == module.__name__]
    assert not [n for n in own if n.endswith(("1", "Model"))], own


def test_a_one_type_list_is_that_type(build: Build) -> None:
    """`{"type": ["string"]}` beside null in an anyOf: a TypeError (a list as a dict key) stopped generate."""
    schema = {"type": "object", "properties": {"p": {"anyOf": [{"type": ["string"]}, {"type": "null"}]}}}
    module = build(Request=schema)
    validator = jsonschema.Draft202012Validator(schema)
    for value in ({"p": None}, {"p": "x"}, {"p": 1}, {}):
        assert _accepts(module.Request, value) == validator.is_valid(value), value


def test_every_class_like_name_the_code_generator_imports_is_kept_from_the_plan() -> None:
    """CODEGEN_IMPORTS is this version's list: a new version's new import would be renamed unseen."""
    import pkgutil

    import datamodel_code_generator
    from datamodel_code_generator.imports import Import

    from generator.render.datamodel import CODEGEN_IMPORTS

    declared: set[str] = set()
    for info in pkgutil.walk_packages(datamodel_code_generator.__path__, "datamodel_code_generator."):
        try:
            module = importlib.import_module(info.name)
        except Exception:  # optional back ends (msgspec...) need packages not installed
            continue
        declared |= {
            v.import_ for v in vars(module).values() if isinstance(v, Import) and v.import_[:1].isupper()
        }
    assert len(declared) > 40
    assert declared <= CODEGEN_IMPORTS, sorted(declared - CODEGEN_IMPORTS)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"p": {"anyOf": [{"type": "null"}, {"type": "null"}]}}},
        {
            "type": "object",
            "properties": {"p": {"anyOf": [{"type": "null"}, {"type": "null", "description": "d"}]}},
        },
        {"type": "object", "properties": {"p": {"anyOf": [{"const": None}, {"type": "null"}]}}},
        {"type": "object", "additionalProperties": {"anyOf": [{"const": None}, {"type": "null"}]}},
        {
            "type": "object",
            "properties": {"p": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "string"}]}},
        },
        # In a definition: the module failed on import (`class C(CardgenUnusedRoot)`).
        {
            "type": "object",
            "properties": {"p": {"$ref": "#/$defs/c"}},
            "$defs": {"c": {"anyOf": [{"type": "null"}, {"type": "null"}]}},
        },
    ],
)
def test_a_branch_written_twice_in_an_any_of_is_one_branch(build: Build, schema: dict[str, Any]) -> None:
    """The code generator read `anyOf: [{type: null}, {type: null}]` as Any: 5 and "x" passed."""
    module = build(Request=schema)
    validator = jsonschema.Draft202012Validator(schema)
    for value in ({"p": None}, {"p": 5}, {"p": "x"}, {"p": 1.5}, {}):
        assert _accepts(module.Request, value) == validator.is_valid(value), value


@pytest.mark.parametrize(
    "inner",
    [
        {"type": "object", "properties": {}, "minProperties": 1},
        {"type": "object", "properties": {}, "patternProperties": {"^x": {"type": "integer"}}},
        {"oneOf": [{"type": "object", "properties": {}, "minProperties": 1}]},
    ],
)
def test_an_empty_properties_map_inside_a_schema_is_no_class(build: Build, inner: dict[str, Any]) -> None:
    """Planned as a class the code generator never wrote (it writes a dict): generate stopped
    ("class P has rules to check at run time, but the code generator wrote no such class")."""
    schema = {"type": "object", "properties": {"p": inner}}
    module = build(Request=schema)
    validator = jsonschema.Draft202012Validator(schema)
    values: list[dict[str, Any]] = [
        {"p": {}},
        {"p": {"a": 1}},
        {"p": {"x": "no"}},
        {"p": {"x": 1}},
        {"p": []},
        {},
    ]
    for value in values:
        assert _accepts(module.Request, value) == validator.is_valid(value), value


def test_a_request_of_no_properties_is_still_a_class_taking_keywords(build: Build) -> None:
    module = build(Request={"type": "object", "properties": {}})
    assert issubclass(module.Request, BaseModel) and "root" not in module.Request.model_fields


@pytest.mark.parametrize("name", ["None", "True", "exception", "名前"])
def test_a_one_of_under_a_reserved_property_name_stays_exclusive(build: Build, name: str) -> None:
    """Its branch classes were planned `None_Integer`; the code generator wrote `NoneInteger`, the
    union was not the planned one, and its exactly-one check was silently left out."""
    schema = {
        "type": "object",
        "properties": {name: {"oneOf": [{"type": "integer", "maximum": -2}, {"type": "integer"}]}},
    }
    module = build(Request=schema)
    validator = jsonschema.Draft202012Validator(schema)
    for value in ({name: -3}, {name: 5}, {name: None}, {}):
        assert _accepts(module.Request, value) == validator.is_valid(value), value


@pytest.mark.parametrize(
    "inner",
    [
        {"type": "string", "enum": ["a", "bb"], "pattern": "b"},
        {"type": "array", "items": {"type": "string", "minLength": 3, "enum": ["b", "ccc"]}},
        {"enum": ["x", 1, 2.5, True], "type": "integer"},
        {"enum": [1, 5, 10], "minimum": 2, "multipleOf": 5},
    ],
)
def test_an_enum_keeps_only_the_values_its_other_keywords_accept(build: Build, inner: dict[str, Any]) -> None:
    """The code generator writes an enum as a Literal and drops the keywords beside it: "a" passed
    `enum: [a, bb], pattern: b`."""
    schema = {"type": "object", "properties": {"p": inner}}
    module = build(Request=schema)
    validator = jsonschema.Draft202012Validator(schema)
    values: list[Any] = ["a", "bb", ["b"], ["ccc"], "x", 1, 2.5, True, 5, 10]
    for value in values:
        assert _accepts(module.Request, {"p": value}) == validator.is_valid({"p": value}), value


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"m": {"type": "number"}}, "additionalProperties": {"minimum": 0}},
        {
            "type": "object",
            "properties": {"m": {"type": "number"}},
            "patternProperties": {"^x": {"type": "integer"}},
            "additionalProperties": {"multipleOf": 2},
        },
        {"type": "object", "properties": {"m": {}}, "additionalProperties": {"const": 1}},
    ],
)
def test_additional_properties_checked_at_run_time_judge_only_the_other_keys(
    build: Build, schema: dict[str, Any]
) -> None:
    """Checked at run time without the names beside it, `additionalProperties` judged the declared
    properties too: {"m": -1} was refused by `minimum: 0`, meant for other keys."""
    module = build(Request=schema)
    validator = jsonschema.Draft202012Validator(schema)
    values: list[dict[str, Any]] = [
        {"m": -1},
        {"m": 3},
        {"x1": -3},
        {"k": -1},
        {"k": 2},
        {"k": 1},
        {"m": 1, "k": 4},
    ]
    for value in values:
        assert _accepts(module.Request, value) == validator.is_valid(value), value


def test_a_property_named_empty_takes_null_only_where_its_schema_does(build: Build) -> None:
    schema = {"type": "object", "properties": {"": {"type": "number"}, "n": {"type": ["number", "null"]}}}
    module = build(Request=schema)
    validator = jsonschema.Draft202012Validator(schema)
    for value in ({"": None}, {"": 1}, {"n": None}, {}):
        assert _accepts(module.Request, value) == validator.is_valid(value), value


_CLOSED_EMPTY = {"type": "object", "additionalProperties": False}


@pytest.mark.parametrize(
    "inner",
    [
        _CLOSED_EMPTY,
        {"type": "array", "items": _CLOSED_EMPTY},
        {"anyOf": [_CLOSED_EMPTY, {"type": "null"}]},
        {"oneOf": [_CLOSED_EMPTY]},
        {"type": "object", "additionalProperties": {"type": "array", "items": _CLOSED_EMPTY}},
    ],
)
def test_an_object_that_takes_no_key_takes_none_wherever_it_stands(
    build: Build, inner: dict[str, Any]
) -> None:
    """Closed only where it was a field of its own: as items or a branch it was `dict[str, Any]`."""
    schema = {"type": "object", "properties": {"p": inner}}
    module = build(Request=schema)
    validator = jsonschema.Draft202012Validator(schema)
    values: list[Any] = [{}, {"x": 1}, [{}], [{"x": 1}], None, {"k": [{}]}, {"k": [{"x": 1}]}]
    for value in values:
        assert _accepts(module.Request, {"p": value}) == validator.is_valid({"p": value}), value


def test_a_one_of_for_other_keys_beside_properties_stays_exclusive(build: Build) -> None:
    """Typed in `__annotations__['__pydantic_extra__']`, the union was never marked exactly-one:
    1 fits both integer and number, and passed."""
    schema = {
        "type": "object",
        "properties": {"q": {}},
        "additionalProperties": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
    }
    module = build(Request=schema)
    validator = jsonschema.Draft202012Validator(schema)
    for value in ({"x": 1}, {"x": 1.5}, {"x": "a"}, {"q": 1}, {"q": "s", "y": 2.5}):
        assert _accepts(module.Request, value) == validator.is_valid(value), value


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"p": {"type": "array", "items": {"type": ["number", "null"]}}}},
        {
            "type": "object",
            "properties": {"p": {"type": "array", "items": {"type": ["number", "null"], "maximum": 5}}},
        },
        {"type": "object", "additionalProperties": {"anyOf": [{"type": "number"}, {"type": "null"}]}},
        {
            "type": "object",
            "properties": {
                "p": {
                    "type": "array",
                    "items": {"type": ["string", "null"], "format": "binary", "description": "base64"},
                }
            },
        },
    ],
)
def test_a_nullable_number_or_base64_text_as_an_element_takes_null(
    build: Build, schema: dict[str, Any]
) -> None:
    """`nullable` the code generator reads on a field only: `list[JsonNumber]` refused the nulls
    `items: {type: [number, null]}` takes (valid requests refused)."""
    module = build(Request=schema)
    validator = jsonschema.Draft202012Validator(schema)
    values: list[dict[str, Any]] = [
        {"p": [None]},
        {"p": [1.5]},
        {"p": [9]},
        {"p": ["aGk="]},
        {"x": None},
        {"x": 2},
    ]
    for value in values:
        assert _accepts(module.Request, value) == validator.is_valid(value), value


@pytest.mark.parametrize("kind", [["object", "null"], ["object"], ["null", "object"]])
def test_an_object_of_a_type_list_is_a_class(build: Build, kind: list[str]) -> None:
    """`type: [object, null]` with properties: generate stopped ("wrote class P, which no schema names")."""
    schema = {
        "type": "object",
        "properties": {"p": {"type": kind, "properties": {"q": {"type": "integer"}}}},
        "required": ["p"],
    }
    module = build(Request=schema)
    validator = jsonschema.Draft202012Validator(schema)
    for value in ({"p": None}, {"p": {"q": 1}}, {"p": {"q": "x"}}, {"p": {"q": None}}, {}):
        assert _accepts(module.Request, value) == validator.is_valid(value), value


_RULED = {
    "type": "object",
    "properties": {"s": {"minimum": 1}},
}  # `minimum` on an untyped value: checked at run time


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"q": {"type": "integer"}}, "$defs": {"B": _RULED}},
        {
            "type": "object",
            "properties": {"q": {"$ref": "#/$defs/A"}},
            "$defs": {
                "A": {
                    "type": "object",
                    "properties": {"b": {"$ref": "#/$defs/A/$defs/B"}},
                    "$defs": {"B": _RULED},
                },
                "C": _RULED,
            },
        },
        {
            "type": "object",
            "properties": {"q": {"$ref": "#/$defs/A"}},
            "$defs": {"A": {"$ref": "#/$defs/B"}, "B": _RULED},
        },
    ],
)
def test_a_definition_no_ref_reaches_is_left_out(build: Build, schema: dict[str, Any]) -> None:
    """Unused definitions are common in providers' schemas; one needing run-time rules stopped generate
    ("class B has rules to check at run time, but the code generator wrote no such class")."""
    module = build(Request=schema)
    validator = jsonschema.Draft202012Validator(schema)
    values: list[dict[str, Any]] = [
        {"q": 1},
        {"q": {"s": 0}},
        {"q": {"s": 2}},
        {"q": {"b": {"s": 0}}},
        {"q": {"b": {"s": 2}}},
    ]
    for value in values:
        assert _accepts(module.Request, value) == validator.is_valid(value), value
