"""Explain a call refused before anything is sent; loaded only when a call goes wrong.

A misspelt argument gets its close matches; invalid arguments, the errors of the input alternative
they chose.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

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


def summary(label: str, exc: ValidationError, given: Any = None) -> str:
    """Name each argument at fault, the type of the value passed and the rule; never the value itself.

    given: the arguments as passed. A value that fits none of a union's members (an int or a float,
    say) is one invalid argument, not one per member: pydantic names each member after the value.
    """
    grouped: dict[tuple[Any, ...], list[Any]] = {}
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        member = len(loc) > 1 and error["type"] != "missing" and not _holds(given, loc[:-1])
        grouped.setdefault(loc[:-1] if member else loc, []).append(error)
    lines: list[str] = []
    for loc, errors in list(grouped.items())[:_MAX_LISTED_ERRORS]:
        where = ".".join(str(part) for part in loc) or "<input>"
        error = errors[0]
        if error["type"] == "missing":
            lines.append(f"{where}: missing, a required argument")
        elif len(errors) > 1:
            rules = " / ".join(e["msg"] for e in errors)
            lines.append(f"{where}: got {type(error['input']).__name__}: fits none of its types ({rules})")
        else:
            lines.append(f"{where}: got {type(error['input']).__name__}: {error['msg']}")
    if len(grouped) > _MAX_LISTED_ERRORS:
        lines.append(f"... and {len(grouped) - _MAX_LISTED_ERRORS} more")
    count = f"{len(grouped)} invalid argument{'s' if len(grouped) != 1 else ''}"
    return f"{label}: {count}: " + "; ".join(lines)


def _holds(given: object, path: tuple[object, ...]) -> bool:
    """Whether the arguments hold a mapping or a list at path: then its last part is a key, not a member."""
    value = given
    for part in path:
        if isinstance(value, Mapping):
            mapping = cast("Mapping[object, object]", value)
            if part not in mapping:
                return False
            value = mapping[part]
        elif isinstance(value, list | tuple):
            items = cast("Sequence[object]", value)
            if not (isinstance(part, int) and 0 <= part < len(items)):
                return False
            value = items[part]
        elif isinstance(value, BaseModel):
            value = getattr(value, str(part), None)
        else:
            return False
    return isinstance(value, Mapping | list | tuple | BaseModel)
