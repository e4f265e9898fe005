"""Draw a string that a pattern matches, for the local backend's answers.

The pattern is the one the backend's validators hold: written for Python's `re` with JSON Schema's
meaning (ingest/ecma_regex.py); ingest has refused lookarounds and backreferences. The string is
built from the parsed pattern, each repetition a few times at most; the caller checks it (with
the lengths the schema also asks for) and draws again when it does not fit.
"""

from __future__ import annotations

import random
import re
import string
from typing import Any

from generator.ingest.ecma_regex import CLASS_SETS
from generator.ingest.patterns import sre, sre_parse  # the one access to re's parser

# What a class or `.` may give: printable ASCII, so answers stay readable text.
POOL = string.ascii_letters + string.digits + " -_.,:/"
MOST_EXTRA = 4  # repetitions beyond a quantifier's minimum


class NoMatch(Exception):
    """The pattern holds something no string is drawn for (a lookaround, say)."""


def draw_matching(pattern: str, rng: random.Random) -> str:
    """A string `re.search(pattern, ...)` finds the whole of (NoMatch when none can be drawn)."""
    try:
        parsed = sre_parse.parse(pattern)
    except re.error as exc:
        raise NoMatch(str(exc)) from exc
    return "".join(_items(list(parsed), rng))


def _items(items: list[tuple[Any, Any]], rng: random.Random) -> list[str]:
    out: list[str] = []
    for op, arg in items:
        out.extend(_item(op, arg, rng))
    return out


def _item(op: Any, arg: Any, rng: random.Random) -> list[str]:
    if op is sre.LITERAL:
        return [chr(arg)]
    if op is sre.NOT_LITERAL:
        return [rng.choice([c for c in POOL if ord(c) != arg])]
    if op is sre.ANY:
        return [rng.choice(POOL)]
    if op is sre.IN:
        return [rng.choice(_members(arg))]
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, body = arg
        top = low + MOST_EXTRA if high == sre.MAXREPEAT else min(high, low + MOST_EXTRA)
        return [part for _ in range(rng.randint(low, top)) for part in _items(list(body), rng)]
    if op is sre.SUBPATTERN:
        return _items(list(arg[3]), rng)
    if op is sre.ATOMIC_GROUP:
        return _items(list(arg), rng)
    if op is sre.BRANCH:
        return _items(list(rng.choice(arg[1])), rng)
    if op is sre.AT:
        return []  # an anchor: the string is drawn whole
    raise NoMatch(f"no string is drawn for {op}")


def _members(items: list[tuple[Any, Any]]) -> list[str]:
    """The characters of POOL a character class takes."""
    negated = bool(items) and items[0][0] is sre.NEGATE
    tests = items[1:] if negated else items
    taken = [c for c in POOL if any(_in(op, arg, c) for op, arg in tests) != negated]
    if not taken:
        raise NoMatch("a character class that takes no printable ASCII character")
    return taken


def _in(op: Any, arg: Any, char: str) -> bool:
    if op is sre.LITERAL:
        return bool(ord(char) == arg)
    if op is sre.RANGE:
        return bool(arg[0] <= ord(char) <= arg[1])
    if op is sre.CATEGORY:
        return re.fullmatch(_CATEGORIES.get(arg, "(?!)"), char) is not None
    return False


# What each category means: ECMA-262's sets, as ingest/ecma_regex.py writes them (one copy).
_CATEGORIES = {
    category: f"[{'^' if negated else ''}{CLASS_SETS[letter]}]"
    for letter, positive, negative in (
        ("d", sre.CATEGORY_DIGIT, sre.CATEGORY_NOT_DIGIT),
        ("w", sre.CATEGORY_WORD, sre.CATEGORY_NOT_WORD),
        ("s", sre.CATEGORY_SPACE, sre.CATEGORY_NOT_SPACE),
    )
    for category, negated in ((positive, False), (negative, True))
}
