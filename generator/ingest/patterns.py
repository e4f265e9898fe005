"""Refuse schema `pattern`s that a backtracking engine could take exponential time to match."""

from __future__ import annotations

import importlib
import re
from typing import Any

from generator.ingest.ecma_regex import tokens

# The parsed form of a pattern is the only way to see its structure; typeshed does not cover it.
sre: Any = importlib.import_module("re._constants")
sre_parse: Any = importlib.import_module("re._parser")

MAX_PATTERN_LENGTH = 1000
_ANYTHING = frozenset({-1})  # "could start with any character"
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


def pattern_problem(pattern: str) -> str | None:
    """Why pattern is refused, or None when it matches in time linear-ish in the input.

    Refused rather than bounded: a timeout would make validation depend on machine speed, and the
    generated SDK (pydantic, a Rust regex engine) rejects lookarounds and backreferences anyway.
    """
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"is {len(pattern)} characters long (the limit is {MAX_PATTERN_LENGTH})"
    not_ecma = _not_ecma(pattern)
    if not_ecma:
        return not_ecma
    try:
        parsed = sre_parse.parse(pattern)
    except re.error as exc:
        return f"is not a regular expression: {exc}"
    except RecursionError:
        return "is nested too deeply"
    return _problem(list(parsed), inside_repeat=False)


def _problem(items: list[tuple[Any, Any]], inside_repeat: bool) -> str | None:
    for op, arg in items:
        found = _item_problem(op, arg, inside_repeat)
        if found:
            return found
    return None


def _item_problem(op: Any, arg: Any, inside_repeat: bool) -> str | None:
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return "uses a lookaround, (?=…)/(?!…)/(?<=…)/(?<!…)"
    if op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
        return "uses a backreference"
    if op in _REPEATS:
        _, high, body = arg
        repeats = high == sre.MAXREPEAT or high > 1
        if repeats and inside_repeat:
            return "nests one repetition inside another, as in (a+)+: exponential backtracking"
        if repeats and _overlapping_branches(list(body)):
            return "repeats alternatives that can match the same text, as in (a|a)*: exponential backtracking"
        return _problem(list(body), inside_repeat or repeats)
    if op is sre.SUBPATTERN:
        return _problem(list(arg[3]), inside_repeat)
    if op is sre.BRANCH:
        for branch in arg[1]:
            found = _problem(list(branch), inside_repeat)
            if found:
                return found
    if op is sre.ATOMIC_GROUP:
        return _problem(list(arg), inside_repeat)
    return None


def _overlapping_branches(items: list[tuple[Any, Any]]) -> bool:
    """Whether a repeated body holds an alternation whose branches can start alike."""
    for op, arg in items:
        if op is sre.SUBPATTERN and _overlapping_branches(list(arg[3])):
            return True
        if op is sre.BRANCH:
            seen: set[int] = set()
            for branch in arg[1]:
                first = _first_chars(list(branch))
                if first is _ANYTHING or _ANYTHING.issubset(seen) or seen & first:
                    return True
                seen |= first
    return False


def _first_chars(items: list[tuple[Any, Any]]) -> frozenset[int]:
    """Code points a sequence can begin with; _ANYTHING when unknown or empty-matching."""
    if not items:
        return _ANYTHING
    op, arg = items[0]
    if op is sre.LITERAL:
        return frozenset({arg})
    if op is sre.IN and all(kind in (sre.LITERAL, sre.RANGE) for kind, _ in arg):
        chars: set[int] = set()
        for kind, value in arg:
            low, high = (value, value) if kind is sre.LITERAL else value
            if high - low > 1024:
                return _ANYTHING
            chars.update(range(low, high + 1))
        return frozenset(chars)
    if op is sre.SUBPATTERN:
        return _first_chars(list(arg[3]))
    return _ANYTHING


_QUANTIFIER_END = re.compile(r"\{\d+(?:,\d*)?\}$")


def _not_ecma(pattern: str) -> str | None:
    """What Python's `re` reads in the pattern that ECMA-262 does not, or reads otherwise: refused,
    so that no pattern means one thing to its document and another to the SDK (ingest/ecma_regex.py)."""
    for i, kind, text, in_class in tokens(pattern):
        after = pattern[i + 1 : i + 2]
        if kind == "escape":
            if not in_class and text[1] in ("A", "Z"):
                return f"uses {text}, which ECMA-262 reads as the letter {text[1]}"
            if in_class and text[1] == "S":
                return "uses \\S inside brackets, which no Python class reads as ECMA-262 does; write the set out"
        elif kind != "char" or in_class:
            continue
        elif (
            text == "("
            and after == "?"
            and pattern[i + 2 : i + 3] not in (":", "=", "!")
            and (pattern[i + 2 : i + 4] not in ("<=", "<!"))
        ):
            return "uses a (?...) group ECMA-262 does not have (flags, names, atomic groups)"
        elif text == "{" and after == ",":
            return "uses {,n}, which ECMA-262 reads as the text {,n}"
        elif after == "+" and (text in "*+?" or (text == "}" and _QUANTIFIER_END.search(pattern[: i + 1]))):
            return "uses a possessive quantifier (*+, ++, ?+, {n}+), which ECMA-262 does not have"
    return None
