"""hypothesis-jsonschema strategies built once per schema, not once per drawn value.

hypothesis-jsonschema 0.23.1 builds the strategy for an object's property while it draws the
object: `from_object_schema` calls `merged_as_strategies` (and `__from_schema` for additional
properties) for every key of every example, so each example canonicalises the property's schema
and compiles its validators again. That was about a third of a model's conformance time. Both
functions depend only on the schemas and the alphabet, so they are memoised here by the schemas'
canonical JSON: the same strategies, so the same values for the same choices, each built once per
process, also across models whose properties share a schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from hypothesis_jsonschema import _from_schema
from hypothesis_jsonschema._encode import encode_canonical_json

Key = tuple[str, str, bool, str | None]
BUILT: dict[Key, st.SearchStrategy[Any]] = {}  # what was built, by function, schemas and alphabet
_PATCHED = ("merged_as_strategies", "__from_schema")


def _key(function: str, schemas: Any, alphabet: Any) -> Key | None:
    try:
        text = encode_canonical_json(schemas)
    except (TypeError, ValueError):  # not JSON: build it as the library would, every time
        return None
    return function, text, bool(alphabet.allow_x00), alphabet.codec


def _memoised(function: str, build: Callable[..., st.SearchStrategy[Any]]) -> Callable[..., Any]:
    def memoised(schemas: Any, *, alphabet: Any, custom_formats: Any) -> st.SearchStrategy[Any]:
        key = None if custom_formats is not None else _key(function, schemas, alphabet)
        if key is None:  # a caller's own formats are strategies of theirs, not keyed by value
            return build(schemas, alphabet=alphabet, custom_formats=custom_formats)
        strategy = BUILT.get(key)
        if strategy is None:
            strategy = BUILT[key] = build(schemas, alphabet=alphabet, custom_formats=custom_formats)
        return strategy

    memoised.cardgen_memoised = True  # type: ignore[attr-defined]
    return memoised


def install() -> None:
    """Memoise hypothesis-jsonschema's strategy builders in this process (once; a no-op after)."""
    for name in _PATCHED:
        build = getattr(_from_schema, name, None)
        if build is None or getattr(build, "cardgen_memoised", False):
            continue  # another version without it, or already done: nothing to do
        setattr(_from_schema, name, _memoised(name, build))
