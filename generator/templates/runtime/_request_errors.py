"""Explain a call refused before anything is sent; loaded only when a call goes wrong.

A misspelt argument gets its close matches; invalid arguments, the errors of the input alternative
they chose.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from ._validation import place

_MAX_LISTED_ERRORS = 5


def non_finite_error(body: object, model_id: str) -> Exception | None:
    """Return the RequestValidationError for a body holding NaN or an infinity, which JSON cannot
    carry (a dump to `null` would change it), naming where, at any depth; None if it holds none."""
    from ._request import RequestValidationError

    loc = _non_finite_at(body, (), set())
    if loc is None:
        return None
    where = ".".join(map(str, loc)) or "<input>"
    message = f"{model_id}: {where} is not a finite number, which JSON cannot carry"
    return RequestValidationError(message, [{"type": "finite_number", "loc": loc, "msg": message}])


def _non_finite_at(value: object, loc: tuple[int | str, ...], seen: set[int]) -> tuple[int | str, ...] | None:
    """Where the first NaN or infinity in value is; seen: the containers walked (a body holding
    itself is the encoder's own refusal, not walked for ever)."""
    if isinstance(value, float):
        return None if math.isfinite(value) else loc
    marker = id(value)  # taken before isinstance() narrows value to a container of unknowns
    if not isinstance(value, Mapping | list | tuple) or marker in seen:
        return None
    seen.add(marker)
    items = (
        cast("Mapping[str, object]", value).items()
        if isinstance(value, Mapping)
        else enumerate(cast("Sequence[object]", value))
    )
    for key, item in items:
        found = _non_finite_at(item, (*loc, key), seen)
        if found is not None:
            return found
    return None


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
        where = place(loc) or "<input>"
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
