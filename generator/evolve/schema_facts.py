"""Read what one JSON Schema node says: its types, nullability, constants, bounds, alternatives."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from generator.render.pytext import escape_unprintable

JsonSchema = dict[str, Any]
Branch = tuple[int, JsonSchema]
Bound = tuple[float, bool, str]  # value, exclusive, the keyword that says so

COMBINATORS = ("oneOf", "anyOf")
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")


def canonical(value: Any) -> str:
    """JSON text that is equal exactly when two values mean the same (so `1` differs from `true`)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def short(value: Any, width: int = 60) -> str:
    """value as JSON, cut to width. Raw: whoever shows it escapes what is unprintable, after the cut
    (a Change its message; the report the values beside it)."""
    return _cut(value, 0, width)


CONTEXT = 12  # characters kept before the first difference, when a value is cut to show it


def contrast(old: Any, new: Any, width: int = 60) -> str:
    """`old -> new`, each cut to width around where they first differ: two long values that share
    a beginning are not both shown as that same beginning."""
    was, now = canonical(old), canonical(new)
    if len(was) <= width and len(now) <= width:
        return f"{was} -> {now}"
    if isinstance(old, str) and isinstance(new, str):  # where the texts differ, not their JSON spellings
        was, now = old, new
    common = next(
        (i for i, (a, b) in enumerate(zip(was, now, strict=False)) if a != b), min(len(was), len(now))
    )
    start = max(0, common - CONTEXT)
    return f"{_cut(old, start, width)} -> {_cut(new, start, width)}"


def _cut(value: Any, start: int, width: int) -> str:
    """value as JSON from its character start, `...` where it is cut, about width long. A string is
    cut as text and then written as JSON: its quotes kept, no escape (`\\n`, `\\"`) cut in two."""
    head = "..." if start else ""
    if not isinstance(value, str):
        body = canonical(value)[start:]
        return head + (body if len(body) <= width else body[: width - 3] + "...")
    piece, tail = value[start:], ""
    room = width - 2 - len(head)  # the quotes
    if len(piece) > room:
        piece, tail = piece[: room - 3], "..."
    return f'"{head}{json.dumps(piece, ensure_ascii=False)[1:-1]}{tail}"'


def join(path: str, key: str | int) -> str:
    """Extend a path: `a.b`, `a["odd key"]`, `a["温度"]`, `a[0]`.

    A key is shown as written, but any character that is not printable (a control, a line
    separator, a bidi override, which could make the report read otherwise) is escaped.
    """
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _IDENTIFIER.match(key):
        return f"{path}.{key}"
    return f"{path}[{escape_unprintable(json.dumps(key, ensure_ascii=False))}]"


def mapping(value: Any) -> JsonSchema:
    return value if isinstance(value, dict) else {}


def as_schema(value: Any) -> JsonSchema:
    if isinstance(value, dict):
        return value
    return {"not": {}} if value is False else {}


def kinds(schema: JsonSchema) -> frozenset[str] | None:
    """Non-null types the node admits; None when it does not say (any)."""
    kind = schema.get("type")
    if isinstance(kind, str):
        return frozenset({kind} - {"null"})
    if isinstance(kind, list):
        return frozenset(k for k in kind if isinstance(k, str) and k != "null")
    listed = constants(schema)
    if listed is not None:
        return frozenset(json_type(value) for value in listed.values())
    if "properties" in schema:
        return frozenset({"object"})
    if "items" in schema:
        return frozenset({"array"})
    return None


def json_type(value: Any) -> str:
    """The JSON Schema type of a (non-null) JSON value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array"


def covers(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    return all(k in wide or (k == "integer" and "number" in wide) for k in narrow)


def is_null_branch(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    return schema.get("type") in ("null", ["null"]) or ("const" in schema and schema["const"] is None)


def nullable(schema: JsonSchema) -> bool | None:
    """Whether null validates; None when the node does not constrain it either way."""
    kind = schema.get("type")
    if kind is not None:
        return "null" in (kind if isinstance(kind, list) else [kind])
    if "const" in schema:
        return schema["const"] is None
    if isinstance(schema.get("enum"), list):
        return None in schema["enum"]
    for keyword in COMBINATORS:
        branches = schema.get(keyword)
        if isinstance(branches, list) and branches:
            answers = [nullable(as_schema(b)) for b in branches]
            if True in answers:
                return True
            return False if all(a is False for a in answers) else None
    return None


def constants(schema: JsonSchema) -> dict[str, Any] | None:
    """Allowed constants other than null, by canonical text; None when unrestricted."""
    if "const" in schema:
        found = [schema["const"]]
    elif isinstance(schema.get("enum"), list):
        found = schema["enum"]
    else:
        return None
    return {canonical(v): v for v in found if v is not None}


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def bound(schema: JsonSchema, lower: bool) -> Bound | None:
    """The tightest lower (or upper) bound, draft-4 boolean exclusives included."""
    plain, exclusive = ("minimum", "exclusiveMinimum") if lower else ("maximum", "exclusiveMaximum")
    found: list[Bound] = []
    if is_number(schema.get(plain)):
        found.append((schema[plain], schema.get(exclusive) is True, plain))
    if is_number(schema.get(exclusive)):
        found.append((schema[exclusive], True, exclusive))
    if not found:
        return None
    if lower:
        return max(found, key=lambda b: (b[0], b[1]))
    return min(found, key=lambda b: (b[0], not b[1]))


def show_bound(limit: Bound | None, lower: bool) -> str:
    if limit is None:
        return "none"
    sign = (">" if lower else "<") + ("" if limit[1] else "=")
    return f"{sign} {limit[0]}"


def branch_list(schema: JsonSchema, keyword: str) -> list[Branch]:
    """A combinator's alternatives with their positions, null-only ones left to the null check."""
    branches = schema.get(keyword)
    if not isinstance(branches, list):
        return []
    return [(i, as_schema(b)) for i, b in enumerate(branches) if not is_null_branch(b)]


def label(branch: JsonSchema) -> str:
    if isinstance(branch.get("title"), str):
        return repr(branch["title"])
    if branch.get("required"):
        return f"requiring {short(branch['required'])}"
    return short(branch)


def _title(branch: JsonSchema) -> str | None:
    title = branch.get("title")
    return title if isinstance(title, str) else None


def _required(branch: JsonSchema) -> str | None:
    required = branch.get("required")
    return canonical(sorted(map(str, required))) if isinstance(required, list) and required else None


def _shape(branch: JsonSchema) -> str | None:
    if "const" in branch:
        return "const:" + canonical(branch["const"])
    return None if "type" not in branch else "type:" + canonical(branch["type"])


def match_branches(
    old: list[Branch], new: list[Branch]
) -> tuple[list[tuple[Branch, Branch]], list[Branch], list[Branch]]:
    """Pair alternatives by title, then by required properties, then by type; a lone pair is a pair."""
    pairs: list[tuple[Branch, Branch]] = []
    old, new = list(old), list(new)
    keys: tuple[Callable[[JsonSchema], str | None], ...] = (_title, _required, _shape)
    for key in keys:
        for before in list(old):
            wanted = key(before[1])
            if wanted is None:
                continue
            same_old = [b for b in old if key(b[1]) == wanted]
            same_new = [b for b in new if key(b[1]) == wanted]
            if len(same_old) == 1 and len(same_new) == 1:
                pairs.append((before, same_new[0]))
                old.remove(before)
                new.remove(same_new[0])
    if len(old) == 1 and len(new) == 1:
        pairs.append((old.pop(), new.pop()))
    return sorted(pairs, key=lambda p: p[1][0]), old, new
