"""Python names made once from untrusted text: identifiers, class names, constants."""

from __future__ import annotations

import builtins
import keyword
import re
from functools import cache

# Keywords and builtins: `True`, `Exception`, `print`, `match`...
RESERVED_NAMES = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))


def words(text: str) -> list[str]:
    """'tinyllama-1.1b chatV1' -> ['tinyllama', '1', '1b', 'chat', 'V1']."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]


@cache  # pure, and asked for the same names thousands of times (templates, each model's probes)
def class_name(text: str, fallback: str = "Model") -> str:
    """PascalCase identifier; never a keyword or builtin, never starting with a digit."""
    name = "".join(w[:1].upper() + w[1:] for w in words(text)) or fallback
    if name[0].isdigit():
        name = f"{fallback}{name}"
    return f"{name}_" if name in RESERVED_NAMES else name


@cache
def snake_name(text: str, fallback: str = "value") -> str:
    name = "_".join(w.lower() for w in words(text)) or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    return f"{name}_" if name in RESERVED_NAMES else name


def singular(name: str) -> str:
    """Name for one item of a list property: 'messages' -> 'message', 'entries' -> 'entry'."""
    lowered = name.lower()
    if lowered.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    if lowered.endswith(("sses", "shes", "ches", "xes")):
        return name[:-2]
    if lowered.endswith("s") and not lowered.endswith("ss") and len(name) > 3:
        return name[:-1]
    return f"{name}_item"
