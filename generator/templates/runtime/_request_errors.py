"""Explain a call refused before anything is sent; loaded only when a call goes wrong.

A misspelt argument gets its close matches; invalid arguments, the errors of the input alternative
they chose.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

_MAX_LISTED_ERRORS = 5


def unexpected_keywords(method: str, given: Iterable[str], names: frozenset[str]) -> TypeError:
    """Return the TypeError for keyword arguments outside `names`, with the close matches of each."""
    parts: list[str] = []
    for name in sorted(set(given) - names):
        matches = difflib.get_close_matches(name, sorted(names), n=3)
        hint = f" (did you mean {' or '.join(repr(m) for m in matches)}?)" if matches else ""
        parts.append(f"{name!r}{hint}")
    return TypeError(
        f"{method}() got unexpected keyword argument(s) {', '.join(parts)}; "
        "properties the input schema allows beyond the named arguments go in extra_body={...}"
    )


def chosen_errors(
    exc: ValidationError, params: Any, branches: tuple[type[BaseModel], ...]
) -> ValidationError:
    """Return the errors of the branch the caller's arguments select, else `exc` itself."""
    if not branches or not isinstance(params, Mapping):
        return exc
    chosen = [
        branch
        for branch in branches
        if all(
            name in params or (field.alias is not None and field.alias in params)
            for name, field in branch.model_fields.items()
            if field.is_required()
        )
    ]
    if not chosen:
        return exc
    best = max(chosen, key=lambda b: sum(1 for f in b.model_fields.values() if f.is_required()))
    try:
        best.model_validate(params)
    except ValidationError as branch_exc:
        return branch_exc
    return exc


def summary(label: str, exc: ValidationError) -> str:
    """Name each argument at fault, the type of the value passed and the rule; never the value itself."""
    errors = exc.errors(include_url=False)
    lines: list[str] = []
    for error in errors[:_MAX_LISTED_ERRORS]:
        where = ".".join(str(part) for part in error["loc"]) or "<input>"
        if error["type"] == "missing":
            lines.append(f"{where}: missing, a required argument")
        else:
            lines.append(f"{where}: got {type(error['input']).__name__}: {error['msg']}")
    if len(errors) > _MAX_LISTED_ERRORS:
        lines.append(f"... and {len(errors) - _MAX_LISTED_ERRORS} more")
    count = f"{len(errors)} invalid argument{'s' if len(errors) != 1 else ''}"
    return f"{label}: {count}: " + "; ".join(lines)
