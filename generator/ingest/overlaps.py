"""Find `oneOf` branches that overlap: one value fits two of them, so `oneOf` rejects it.

Providers write `oneOf` where they mean "one of these shapes", with branches that require
nothing: every answer then fits several branches and a strict reader rejects them all. The check
is by witness, so it never reports an overlap that is not one: a small value built for each pair
of branches (`{}`, each branch's smallest instance, its default and examples) that both accept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.ingest.refs import DATA_KEYS, SCHEMA_MAPS, pointer

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

SCALARS: tuple[Any, ...] = ({}, [], "", 0, 0.5, False, None)
SHOWN = 60  # characters of a witness a diagnostic quotes


@dataclass(frozen=True)
class Overlap:
    path: str  # JSON pointer to the `oneOf`
    branches: tuple[int, int]
    witness: Any  # a value both branches accept

    def describe(self) -> str:
        shown = json.dumps(self.witness, sort_keys=True)
        shown = shown if len(shown) <= SHOWN else shown[: SHOWN - 1] + "…"
        first, second = self.branches
        return f"at {self.path}: branches {first} and {second} overlap (both accept {shown})"


def overlapping_one_ofs(schema: Any) -> list[Overlap]:
    """Every `oneOf` in schema with two branches some one value fits, the first such pair each."""
    if not isinstance(schema, dict | bool):
        return []
    one_ofs = list(_one_ofs(schema, ""))
    if not one_ofs:
        return []  # and jsonschema (~50 ms to import) is not loaded: most schemas have no oneOf
    import jsonschema  # noqa: PLC0415

    try:
        validator = jsonschema.Draft202012Validator(schema)
        found = []
        for path, rest, branches in one_ofs:
            overlap = _first_overlap(validator, path, rest, branches)
            if overlap is not None:
                found.append(overlap)
        return found
    except (jsonschema.exceptions.SchemaError, jsonschema.exceptions.RefResolutionError, RecursionError):
        return []  # an invalid schema is reported by the schema checks


def _one_ofs(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any], list[Any]]]:
    """(path of each `oneOf`, the rest of the schema holding it, its branches)."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _one_ofs(item, pointer(path, index))
        return
    if not isinstance(node, dict):
        return
    branches = node.get("oneOf")
    if isinstance(branches, list) and len(branches) > 1:
        yield pointer(path, "oneOf"), {k: v for k, v in node.items() if k != "oneOf"}, branches
    for key, value in node.items():
        if key in DATA_KEYS:
            continue
        if key in SCHEMA_MAPS and isinstance(value, dict):
            for name, sub in value.items():
                yield from _one_ofs(sub, pointer(pointer(path, key), name))
        else:
            yield from _one_ofs(value, pointer(path, key))


def _first_overlap(
    validator: Validator, path: str, rest: dict[str, Any], branches: list[Any]
) -> Overlap | None:
    # A witness must fit what holds the oneOf too: `[]` fits two branches of bare `properties`,
    # but not beside `type: object`.
    holder = validator.evolve(schema=rest)
    checks = [validator.evolve(schema=branch) for branch in branches]
    for first in range(len(branches)):
        for second in range(first + 1, len(branches)):
            for candidate in _candidates(branches[first], branches[second]):
                if (
                    checks[first].is_valid(candidate)
                    and checks[second].is_valid(candidate)
                    and holder.is_valid(candidate)
                ):
                    return Overlap(path, (first, second), candidate)
    return None


def _candidates(*branches: Any) -> Iterator[Any]:
    yield from SCALARS
    for branch in branches:
        if not isinstance(branch, dict):
            continue
        yield _smallest(branch)
        for key in ("default", "const"):
            if key in branch:
                yield branch[key]
        for key in ("examples", "enum"):
            values = branch.get(key)
            if isinstance(values, list):
                yield from values


def _smallest(branch: dict[str, Any]) -> Any:
    """The branch's required properties with the plainest value their type allows."""
    properties = branch.get("properties")
    required = branch.get("required")
    if not isinstance(required, list):
        return {}
    plain = {
        "string": "",
        "integer": 0,
        "number": 0,
        "boolean": False,
        "array": [],
        "object": {},
        "null": None,
    }
    smallest: dict[str, Any] = {}
    for name in required:
        sub = properties.get(name) if isinstance(properties, dict) else None
        kind = sub.get("type") if isinstance(sub, dict) else None
        if isinstance(sub, dict) and "const" in sub:
            smallest[str(name)] = sub["const"]
        elif isinstance(sub, dict) and isinstance(sub.get("enum"), list) and sub["enum"]:
            smallest[str(name)] = sub["enum"][0]
        else:
            smallest[str(name)] = plain.get(kind if isinstance(kind, str) else "string", "")
    return smallest
