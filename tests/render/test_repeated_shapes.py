"""One object shape written in several places is one class, and every place refuses what the schema does.

Issue #12: a shape met twice was only given the same title; the code generator still wrote a class
per place (`NameTool1`, `Parameters1`) that the plan did not know, so its optional properties took
`null`. Now the shape is one `$defs` entry referenced from each place, and a class the plan did not
name is refused.
"""

from __future__ import annotations

import ast
import copy
import importlib
import itertools
import json
import re
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

_counter = itertools.count()

PARAMETERS = {
    "type": "object",
    "description": "JSON Schema of the tool's arguments",
    "properties": {
        "type": {"type": "string"},
        "required": {"type": "array", "items": {"type": "string"}},
        "properties": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {"type": {"type": "string"}, "description": {"type": "string"}},
                "required": ["type"],
            },
        },
    },
    "required": ["type"],
}
FUNCTION = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "parameters": PARAMETERS},
    "required": ["name", "parameters"],
}
# The same shape as a oneOf branch and as a property of the other branch (Cloudflare's tools),
# and again as two sibling properties.
REQUEST = {
    "type": "object",
    "properties": {
        "tools": {
            "type": "array",
            "items": {
                "type": "object",
                "oneOf": [
                    copy.deepcopy(FUNCTION),
                    {
                        "properties": {"type": {"type": "string"}, "function": copy.deepcopy(FUNCTION)},
                        "required": ["type", "function"],
                    },
                ],
            },
        },
        "first": copy.deepcopy(PARAMETERS),
        "second": copy.deepcopy(PARAMETERS),
    },
}
USAGE = {"type": "object", "properties": {"tokens": {"type": "integer"}}}
ANSWER = {"type": "object", "properties": {"response": {"type": "string"}, "usage": USAGE}}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("shapes")
    pkg = root / "shapespkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", "utf-8")
    for folder in ("runtime", "package"):
        for path in (REPO / "generator" / "templates" / folder).glob("*.py"):
            shutil.copy(path, pkg / path.name)
    sys.path.insert(0, str(root))
    yield pkg
    sys.path.remove(str(root))


Build = Callable[..., tuple[str, Any]]


@pytest.fixture
def build(package: Path) -> Build:
    def make(**roles: dict[str, Any]) -> tuple[str, Any]:
        code, _ = types_code(json.dumps(roles), "._models")
        name = f"m{next(_counter)}"
        (package / f"{name}.py").write_text(code, "utf-8")
        return code, importlib.import_module(f"shapespkg.{name}")

    return make


def _classes(code: str) -> list[str]:
    return [node.name for node in ast.parse(code).body if isinstance(node, ast.ClassDef)]


def _accepts(model: type[BaseModel], value: Any) -> bool:
    try:
        model.model_validate(value)
    except ValidationError:
        return False
    return True


def _tool(required: Any, wrapped: bool) -> dict[str, Any]:
    parameters = {"type": "object", "properties": {"x": {"type": "string"}}, "required": required}
    function = {"name": "f", "parameters": parameters}
    return {"type": "function", "function": function} if wrapped else function


def test_every_place_of_a_repeated_shape_refuses_null_like_the_schema(build: Build) -> None:
    _, module = build(Request=REQUEST)
    validator = jsonschema.Draft202012Validator(REQUEST)
    parameters: dict[str, Any] = {"type": "object", "required": None}
    bodies: list[dict[str, Any]] = [
        {"tools": [_tool(required, wrapped)]} for required in (None, ["x"]) for wrapped in (False, True)
    ]
    bodies += [{place: parameters} for place in ("first", "second")]
    bodies += [{place: {**parameters, "required": ["x"]}} for place in ("first", "second")]
    for body in bodies:
        assert _accepts(module.Request, body) == validator.is_valid(body), body
    assert not _accepts(module.Request, {"tools": [_tool(None, True)]})


def test_a_repeated_shape_is_one_class_and_no_class_is_numbered(build: Build) -> None:
    code, _ = build(Request=REQUEST, Response=ANSWER, StreamChunk=copy.deepcopy(ANSWER))
    names = _classes(code)
    assert not [name for name in names if re.search(r"\d$", name)], names
    assert names.count("Parameters") == 1
    assert len([name for name in names if "Usage" in name]) == 1, names
    # Each place keeps its own field docstring.
    assert code.count('"""\n    JSON Schema of the tool\'s arguments\n    """') >= 3


def test_a_oneof_branch_that_repeats_a_shape_stays_in_its_exclusive_union(build: Build) -> None:
    schema = {"type": "object", "properties": {"p": PARAMETERS, "choice": {"oneOf": [PARAMETERS, FUNCTION]}}}
    code, module = build(Request=copy.deepcopy(schema))
    validator = jsonschema.Draft202012Validator(schema)
    both = {"type": "t", "name": "f", "parameters": {"type": "o"}}
    values: list[dict[str, Any]] = [
        {"choice": {"type": "t"}},
        {"choice": {"name": "f", "parameters": {"type": "o"}}},
        {"choice": both},
        {"choice": {"type": "t", "required": None}},
        {"p": {"type": "t", "required": None}},
    ]
    for value in values:
        assert _accepts(module.Request, value) == validator.is_valid(value), value
    assert "ONE_OF" in code


@pytest.mark.parametrize("keyword", ["$defs", "definitions"])
def test_definitions_of_one_shape_are_one_class_and_every_ref_reads_it(build: Build, keyword: str) -> None:
    """Two definitions of one shape: each became a `$ref` to the shared shape, which the code
    generator wrote as a class of its own wrapping the shape's (`Alpha1`), and generate stopped."""
    shape = {"type": "object", "properties": {"v": {"type": "integer"}}}
    schema = {
        "type": "object",
        keyword: {
            "Alpha": copy.deepcopy(shape),
            "Beta": copy.deepcopy(shape),
            "Gamma": {"$ref": f"#/{keyword}/Beta"},
        },
        "properties": {
            "a": {"$ref": f"#/{keyword}/Alpha"},
            "b": {"$ref": f"#/{keyword}/Beta", "description": "The second place."},
            "c": {"$ref": f"#/{keyword}/Gamma"},
        },
    }
    code, module = build(Request=schema)
    names = _classes(code)
    assert not [n for n in names if re.search(r"\d$", n)], code
    # Beta, met second, and Gamma, a definition that is only a `$ref`, stay classes of their own.
    assert names.count("Alpha") == 1 and {"Beta", "Gamma"} <= set(names), names
    validator = jsonschema.Draft202012Validator(schema)
    for value in (
        {"a": {"v": 1}, "b": {"v": 2}, "c": {"v": 3}},
        {"b": {"v": "2"}},
        {"c": {"v": None}},
        {"a": 1},
    ):
        assert _accepts(module.Request, value) == validator.is_valid(value), value
    assert module.Request.model_validate({"a": {"v": 2}}).a == module.Alpha(v=2)
    assert "The second place." in code


@pytest.mark.parametrize("other", ["number", "string"])
def test_bytes_meet_an_exclusive_union_as_the_ints_they_stand_for(build: Build, other: str) -> None:
    """Bytes where a `oneOf` of arrays is asked for are judged as their ints: an int array's member
    alone took bytes, so exactly one member fitted and `[1, 2]`, which fits both, was sent."""
    ints = {"type": "array", "items": {"type": "integer"}}
    schema = {
        "type": "object",
        "properties": {"image": {"oneOf": [ints, {"type": "array", "items": {"type": other}}]}},
        "required": ["image"],
    }
    _, module = build(Request=schema)
    validator = jsonschema.Draft202012Validator(schema)
    for given, as_json in ((b"\x01\x02", [1, 2]), (bytearray(), []), (memoryview(b"\xff"), [255])):
        assert _accepts(module.Request, {"image": given}) == validator.is_valid({"image": as_json}), given
        assert _accepts(module.Request, {"image": given}) == _accepts(module.Request, {"image": as_json})


def test_a_memoryview_gives_its_items_as_its_format_reads_them(build: Build) -> None:
    import array

    ints = {"type": "object", "properties": {"image": {"type": "array", "items": {"type": "integer"}}}}
    _, module = build(Request=ints)
    sent = module.Request.model_validate({"image": memoryview(array.array("H", [1000, 2]))})
    assert sent.model_dump(mode="json") == {"image": [1000, 2]}


def test_a_ref_in_a_property_named_default_points_where_it_pointed(build: Build) -> None:
    """Placed in the module's document, each `$ref` is rebased; one inside a property named like a
    data keyword was left as data and pointed nowhere."""
    schema = {
        "type": "object",
        "properties": {"default": {"$ref": "#/$defs/Choice"}},
        "$defs": {"Choice": {"type": "object", "properties": {"v": {"type": "integer"}}, "required": ["v"]}},
    }
    _, module = build(Request=schema)
    assert _accepts(module.Request, {"default": {"v": 1}})
    assert not _accepts(module.Request, {"default": {"v": "1"}})


_INNER = {"type": "object", "properties": {"y": {"type": "integer", "minimum": 0}}, "required": ["y"]}
_OUTER = {"type": "object", "properties": {"x": _INNER}}
# A `$ref` into a schema that repeats a shape met elsewhere: the repeat became a `$ref` to the shared
# shape, so the path written led nowhere (generate stopped: "wrote class X1, which no schema names"),
# or to a class the module could not define (`class Y(CardgenUnusedRoot)`, an import error).
REFS_INTO_REPEATS: dict[str, dict[str, Any]] = {
    "into the second of two definitions": {
        "properties": {
            "a": {"$ref": "#/$defs/Alpha"},
            "b": {"$ref": "#/$defs/Beta"},
            "c": {"$ref": "#/$defs/Beta/properties/x"},
        },
        "$defs": {"Alpha": _OUTER, "Beta": _OUTER},
    },
    "into the first of two definitions": {
        "properties": {
            "a": {"$ref": "#/$defs/Alpha"},
            "b": {"$ref": "#/$defs/Beta"},
            "c": {"$ref": "#/$defs/Alpha/properties/x"},
        },
        "$defs": {"Alpha": _OUTER, "Beta": _OUTER},
    },
    "into the second of two properties": {
        "properties": {"a": _OUTER, "b": _OUTER, "c": {"$ref": "#/properties/b/properties/x"}},
    },
    "into the first of two properties": {
        "properties": {"a": _OUTER, "b": _OUTER, "c": {"$ref": "#/properties/a/properties/x"}},
    },
    "through a nested repeat to a number": {
        "properties": {
            "a": {"$ref": "#/$defs/Alpha"},
            "z": _INNER,
            "c": {"$ref": "#/$defs/Alpha/properties/x/properties/y"},
        },
        "$defs": {"Alpha": _OUTER},
    },
}


@pytest.mark.parametrize("case", REFS_INTO_REPEATS)
def test_a_ref_into_a_repeated_shape_reads_what_it_points_at(build: Build, case: str) -> None:
    schema = {"type": "object", **copy.deepcopy(REFS_INTO_REPEATS[case])}
    code, module = build(Request=copy.deepcopy(schema))
    assert not [n for n in _classes(code) if re.search(r"\d$", n)], code
    validator = jsonschema.Draft202012Validator(schema)
    number = "properties/y" in json.dumps(schema)
    good, bad = (3, -1) if number else ({"y": 3}, {"y": -1})
    for value in ({"c": good}, {"c": bad}, {"c": "3"}, {"c": None}, {"a": {"x": {"y": 2}}, "c": good}):
        assert _accepts(module.Request, value) == validator.is_valid(value), value
