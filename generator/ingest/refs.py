"""Local `$ref`s of a schema: each must point somewhere, and not back into itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from generator.ingest.jsonspans import pointer as raw_pointer

DATA_KEYS = frozenset({"enum", "const", "default", "examples", "example"})
# Keywords whose value maps names to schemas: a key there is a name (a property may be `default`).
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
Problem = tuple[str, str]  # (JSON pointer of the `$ref`, what is wrong)
Levels = tuple[
    int, list[tuple[int, str, str]]
]  # the deepest level below a schema; its refs' (level, path, ref)
_INDEX = re.compile(r"0|[1-9][0-9]{0,8}")  # RFC 6901 array index: no leading zeros


def pointer(path: str, key: object) -> str:
    """A JSON pointer for messages: keys are a document's text, so control characters are escaped."""
    return f"{path}/{shown(str(key).replace('~', '~0').replace('/', '~1'))}"


def shown(text: str) -> str:
    """text, with newlines and terminal escapes spelled out so a message stays one honest line."""
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def local_ref_problems(schema: dict[str, Any], max_depth: int) -> list[Problem]:
    """Refs that point nowhere, only at each other, or back into the schema they point to.

    Recursive schemas are valid JSON Schema, but the SDK generator cannot type them (it emits a
    base class it never defines), so they are refused here rather than failing at import later.
    """
    deepest, located = _levels(schema)
    inside: dict[str, Levels] = {}  # each ref's target, walked once for its refs and its depth
    pending = [ref for _, _, ref in located]
    while pending:  # the refs of targets too (one may point into data, which the walk above skips)
        ref = pending.pop()
        if ref not in inside:
            found, target = resolve_ref(schema, ref)
            inside[ref] = _levels(target) if found else (0, [])
            pending.extend(r for _, _, r in inside[ref][1])
    cycles = _cycles({ref: {r for _, _, r in refs} for ref, (_, refs) in inside.items()})
    verdicts: dict[str, str | None] = {}  # one verdict per distinct ref, however often it is used
    told: set[int] = set()  # the cycles said: once each, at their first ref in the document
    problems: list[Problem] = []
    for _, path, ref in sorted(located, key=lambda use: use[1]):
        if ref not in verdicts:
            verdicts[ref] = _chain_problem(schema, ref)
        problem = verdicts[ref]
        cycle = cycles.get(ref) if problem is None else None
        if cycle is not None and id(cycle) not in told:
            told.add(id(cycle))
            problem = f"`$ref` {ref!r} makes the schema recursive{_others(cycle, ref)}, which the SDK generator cannot type (yet)"
        if problem:
            problems.append((pointer(path, "$ref"), problem))
    if not problems and located:
        problems.extend(_too_deep((deepest, located), inside, max_depth))
    return sorted(problems)


def _levels(node: Any) -> Levels:
    """The deepest level below node (node itself 0, every list and dict item one more; a map of
    named schemas is no level of its own: a property is one below its object, as hygiene counts
    nesting written out), and each local `$ref` below it as (its level, its path, the ref)."""
    deepest, found = 0, []
    for item, where, level in schema_values(node):
        deepest = max(deepest, level)
        if isinstance(item, dict) and isinstance(item.get("$ref"), str):
            found.append((level, where, item["$ref"]))
    return deepest, found


def schema_values(node: Any, path: str = "") -> Iterator[tuple[Any, str, int]]:
    """(value, JSON pointer, level) of node and of everything inside it but data keywords' values
    (`enum`, `default`, ...): a map of named schemas (`properties`) is walked, its keys being names,
    not keywords (a property named `default` is a schema). A map itself is not yielded."""
    stack: list[tuple[Any, str, int, bool]] = [(node, path, 0, False)]
    while stack:
        item, where, level, is_map = stack.pop()
        if not is_map:
            yield item, where, level
        if isinstance(item, list):
            stack.extend((sub, pointer(where, i), level + 1, False) for i, sub in enumerate(item))
        elif isinstance(item, dict):
            for key, value in item.items():
                if is_map or key not in DATA_KEYS:
                    named = not is_map and key in SCHEMA_MAPS and isinstance(value, dict)
                    stack.append((value, pointer(where, key), level if named else level + 1, named))


def _too_deep(root: Levels, inside: dict[str, Levels], max_depth: int) -> list[Problem]:
    """The `$ref` through which the schema (root: its _levels) nests deeper than max_depth levels,
    each ref's target (inside: their _levels) counted where the ref stands, if any: as deep as if
    written out. (pydantic builds a chain of definitions by recursion: 58 of them, each
    `{properties: {next: {$ref}}}`, went past Python's limit; the limit keeps chains far shorter.)
    The refs form no cycle (checked before); a chain of them is followed by a loop."""
    deepest, root_refs = root
    uses: dict[str, dict[str, int]] = {}  # a ref -> the refs in its target, each at its deepest use
    depth: dict[str, int] = {}  # a ref's target, refs followed: how deep it goes
    pending = list(dict.fromkeys(ref for _, _, ref in root_refs))
    while pending:  # post-order: a ref's depth once every ref inside its target has one
        ref = pending[-1]
        if ref in depth:
            pending.pop()
            continue
        if ref not in uses:
            uses[ref] = {}
            for level, _, inner in inside[ref][1]:  # a ref used many times there: its deepest use
                uses[ref][inner] = max(level, uses[ref].get(inner, 0))
        waiting = [r for r in uses[ref] if r not in depth]
        if waiting:
            pending.extend(waiting)
            continue
        pending.pop()
        depth[ref] = max([inside[ref][0], *(level + depth[r] for r, level in uses[ref].items())])
    level, path, ref = max(
        ((level + depth[ref], path, ref) for level, path, ref in root_refs), default=(0, "", "")
    )
    if max(deepest, level) <= max_depth:
        return []
    return [
        (
            pointer(path, "$ref"),
            f"`$ref` {ref!r} nests the schema {level} levels deep through the refs it leads to; at most {max_depth} are taken",
        )
    ]


def resolve_ref(document: Any, ref: str) -> tuple[bool, Any]:
    """Where a local `$ref` points in document: (found, the value there).

    The one resolver of the project. `ref` is a URI fragment: percent-decoded first, then either an
    RFC 6901 JSON pointer (`#/a~1b/0`, `~1` for "/" and `~0` for "~") or a plain name that a
    schema in the document declares with `$anchor`.
    """
    found, node, _ = _walk(document, ref, follow=False)
    return found, node


def ref_through_refs(document: Any, ref: str) -> str:
    """ref, where its path crosses a schema that is now only a `$ref` to where its content went (a
    shape the type plan moved to `$defs`): the pointer into that content, which has the same shape.

    A path that exists as written is kept as written; one that leads nowhere either way too.
    """
    found, _, path = _walk(document, ref, follow=True)
    return "#" + path if found and path is not None else ref


def _walk(document: Any, ref: str, follow: bool) -> tuple[bool, Any, str | None]:
    """resolve_ref, and the JSON pointer of the place found when a `$ref` met midway was followed
    (follow: a schema lacking the path's next step whose `$ref` leads on), else None."""
    if not ref.startswith("#"):
        return False, None, None
    fragment = unquote(ref[1:])
    if fragment and not fragment.startswith("/"):
        path = anchor_path(document, fragment)
        return (False, None, None) if path is None else _walk(document, "#" + path, follow)
    parts = _steps(fragment)
    node, at, index = document, "", 0
    followed: set[str] = set()  # the places whose `$ref` was followed: a loop of them leads nowhere
    while index < len(parts):
        part = parts[index]
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and _INDEX.fullmatch(part) and int(part) < len(node):
            node = node[int(part)]
        elif follow and isinstance(node, dict) and isinstance(node.get("$ref"), str) and at not in followed:
            followed.add(at)
            target = unquote(canonical_ref(document, node["$ref"])[1:])
            if not node["$ref"].startswith("#") or (target and not target.startswith("/")):
                return False, None, None
            parts = _steps(target) + parts[index:]  # the rest of the path, from where the content is
            node, at, index = document, "", 0
            continue
        else:
            return False, None, None
        at += raw_pointer(part)
        index += 1
    return True, node, at if followed else None


def _steps(fragment: str) -> list[str]:
    """An RFC 6901 pointer's steps: `/a~1b/0` -> ['a/b', '0']."""
    return [raw.replace("~1", "/").replace("~0", "~") for raw in fragment.split("/")[1:]]


def target_of(document: Any, ref: str) -> Any:
    """The value a local `$ref` points at, or None when it points nowhere."""
    found, node = resolve_ref(document, ref)
    return node if found else None


def anchor_path(document: Any, name: str) -> str | None:
    """The JSON pointer of the one schema declaring `$anchor: name` in document's own resource.

    A schema with its own `$id` starts another resource, whose anchors a plain `#name` does not
    reach; two declarations of one name in the same resource make it point nowhere.
    """
    found: list[str] = []
    stack: list[tuple[Any, str, bool]] = [(document, "", False)]  # a value, its path, a map of schemas?
    while stack:
        node, path, is_map = stack.pop()
        if isinstance(node, dict) and is_map:  # keys are names: `default` may be a property
            stack.extend((v, path + raw_pointer(k), False) for k, v in node.items())
        elif isinstance(node, dict):
            if path and "$id" in node:
                continue
            if node.get("$anchor") == name:
                found.append(path)
            stack.extend(
                (v, path + raw_pointer(k), k in SCHEMA_MAPS) for k, v in node.items() if k not in DATA_KEYS
            )
        elif isinstance(node, list):
            stack.extend((v, path + raw_pointer(i), False) for i, v in enumerate(node))
    return found[0] if len(found) == 1 else None


def canonical_ref(document: Any, ref: str) -> str:
    """ref as the plain JSON pointer every consumer reads (`#/$defs/x`), when it names an anchor."""
    fragment = unquote(ref[1:]) if ref.startswith("#") else ""
    if fragment and not fragment.startswith("/"):
        path = anchor_path(document, fragment)
        if path is not None:
            return "#" + path
    return ref


def with_canonical_refs(schema: Any, document: Any = None) -> Any:
    """A copy of schema whose anchor `$ref`s are plain JSON pointers, so every consumer can follow them."""
    root = schema if document is None else document
    if isinstance(schema, list):
        return [with_canonical_refs(item, root) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {
        key: canonical_ref(root, value)
        if key == "$ref" and isinstance(value, str)
        else value
        if key in DATA_KEYS
        else with_canonical_refs(value, root)
        for key, value in schema.items()
    }


def _chain_problem(schema: dict[str, Any], ref: str) -> str | None:
    seen: list[str] = []
    while True:
        if ref in seen:
            return f"`$ref` {seen[0]!r} only leads back to itself ({' -> '.join([*seen, ref])})"
        seen.append(ref)
        found, target = resolve_ref(schema, ref)
        if not found:
            return f"`$ref` {ref!r} points to nothing in this schema"
        following = target.get("$ref") if isinstance(target, dict) else None
        if not isinstance(following, str) or len(target) > 1:
            return None
        ref = following


def _others(cycle: list[str], ref: str) -> str:
    """` (with the N other refs of its cycle: 'a', 'b', 'c' and M more)`, or nothing for a ref to itself."""
    others = [r for r in cycle if r != ref]
    if not others:
        return ""
    named = ", ".join(repr(r) for r in others[:3])
    rest = f" and {len(others) - 3} more" if len(others) > 3 else ""
    return (
        f" (with the {len(others)} other refs of its cycle: {named}{rest})"
        if len(others) > 1
        else f" (with {named})"
    )


def _cycles(edges: dict[str, set[str]]) -> dict[str, list[str]]:
    """Each ref that can reach itself again -> its cycle's refs, sorted (one list per cycle: Tarjan's
    strongly connected components, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cyclic: dict[str, list[str]] = {}
    for root in sorted(edges):
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(edges.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, pending = work[-1]
            if pending:
                following = pending.pop()
                if following not in index:
                    index[following] = low[following] = len(index)
                    stack.append(following)
                    on_stack.add(following)
                    work.append((following, sorted(edges.get(following, ()))))
                elif following in on_stack:
                    low[node] = min(low[node], index[following])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, ()):
                    component.sort()
                    cyclic.update(dict.fromkeys(component, component))
    return cyclic
