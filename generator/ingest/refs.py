"""Local `$ref`s of a schema: each must point somewhere, and not back into itself."""

from __future__ import annotations

from typing import Any

DATA_KEYS = frozenset({"enum", "const", "default", "examples", "example"})
Problem = tuple[str, str]  # (JSON pointer of the `$ref`, what is wrong)


def pointer(path: str, key: object) -> str:
    """A JSON pointer for messages: keys are a document's text, so control characters are escaped."""
    return f"{path}/{shown(str(key).replace('~', '~0').replace('/', '~1'))}"


def shown(text: str) -> str:
    """text, with newlines and terminal escapes spelled out so a message stays one honest line."""
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def local_ref_problems(schema: dict[str, Any]) -> list[Problem]:
    """Refs that point nowhere, only at each other, or back into the schema they point to.

    Recursive schemas are valid JSON Schema, but the SDK generator cannot type them (it emits a
    base class it never defines), so they are refused here rather than failing at import later.
    """
    refs = _refs(schema, "")
    edges = {ref: _refs_inside(schema, ref) for ref in {ref for _, ref in refs}}
    recursive = _on_cycles(edges)
    verdicts: dict[str, str | None] = {}  # one verdict per distinct ref, however often it is used
    problems: list[Problem] = []
    for path, ref in refs:
        if ref not in verdicts:
            verdicts[ref] = _chain_problem(schema, ref)
            if verdicts[ref] is None and ref in recursive:
                verdicts[ref] = (
                    f"`$ref` {ref!r} makes the schema recursive, which the SDK generator cannot type (yet)"
                )
        problem = verdicts[ref]
        if problem:
            problems.append((pointer(path, "$ref"), problem))
    return sorted(problems)


def _refs(node: Any, path: str) -> list[tuple[str, str]]:
    """(path, ref) of every local `$ref` below node, outside data keywords."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[Any, str]] = [(node, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, list):
            stack.extend((sub, pointer(where, i)) for i, sub in enumerate(item))
        elif isinstance(item, dict):
            if isinstance(item.get("$ref"), str):
                found.append((where, item["$ref"]))
            stack.extend((v, pointer(where, k)) for k, v in item.items() if k not in DATA_KEYS)
    return found


def _resolve(schema: dict[str, Any], ref: str) -> tuple[bool, Any]:
    node: Any = schema
    for raw in ref[1:].lstrip("/").split("/") if ref not in ("#", "#/") else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and len(part) < 10 and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


def _chain_problem(schema: dict[str, Any], ref: str) -> str | None:
    seen: list[str] = []
    while True:
        if ref in seen:
            return f"`$ref` {seen[0]!r} only leads back to itself ({' -> '.join([*seen, ref])})"
        seen.append(ref)
        found, target = _resolve(schema, ref)
        if not found:
            return f"`$ref` {ref!r} points to nothing in this schema"
        following = target.get("$ref") if isinstance(target, dict) else None
        if not isinstance(following, str) or len(target) > 1:
            return None
        ref = following


def _refs_inside(schema: dict[str, Any], ref: str) -> set[str]:
    """Refs within ref's target. Each node lies below at most MAX depth targets, so this is bounded."""
    found, target = _resolve(schema, ref)
    return {r for _, r in _refs(target, "")} if found else set()


def _on_cycles(edges: dict[str, set[str]]) -> set[str]:
    """Refs that can reach themselves again (Tarjan's strongly connected components, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cyclic: set[str] = set()
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
                    cyclic.update(component)
    return cyclic
