"""A template's import block without the names its module never mentions, before ruff sees it.

A template imports what any of its variants may use (sync or async, streaming or not, raw or
typed); ruff's F401 fix would take the rest out. But a module ruff has to fix costs it ~5 times a
clean one: at 500 models the fixes were ~1 s of a 12 s generate, one core waiting on them. So each
name is kept only where the module's code after the imports contains it: a name that text never
contains cannot be used there, and one it does contain (in a docstring, say) stays for ruff to take
out. This never removes what ruff would keep; ruff still checks and fixes every file after it.

Only the layout our templates write is read: one statement per line, or `from m import (` with one
name per line up to `)`; blank lines; comments; `if TYPE_CHECKING:` with its indented imports.
A block in any other shape is returned as it is.
"""

from __future__ import annotations

import re
import unicodedata

LINE_LENGTH = 110  # the generated tree's ruff.toml: an import longer than this, isort splits
_GUARD = "if TYPE_CHECKING:"


def used_imports(block: str, code: str) -> str:
    """block with the imported names code never contains left out; statements and `if
    TYPE_CHECKING:` blocks left empty go, and the blank lines they leave with them. The newlines
    around the block stay as they were."""
    middle = block.strip("\n")
    kept = _kept_lines(middle.split("\n"), code) if middle else None
    if kept is None:
        return block
    kept = _without_empty_guards(kept)
    if "TYPE_CHECKING" not in code and not any(line.startswith(_GUARD) for line in kept):
        kept = _without_name(kept, "from typing import ", "TYPE_CHECKING")
    lead, tail = block[: len(block) - len(block.lstrip("\n"))], block[len(block.rstrip("\n")) :]
    return lead + "\n".join(_tidy_blank_lines(kept)) + tail


def _kept_lines(lines: list[str], code: str) -> list[str] | None:
    """The block's lines, each import with only the names code contains (none: the line goes);
    None if a line is not one the templates write."""
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        statement = line.lstrip(" ")
        indent = line[: len(line) - len(statement)]
        if not statement or statement.startswith("#") or line.startswith(_GUARD):
            kept.append(line)
            continue
        if statement.startswith("import "):
            module, _, alias = statement.removeprefix("import ").partition(" as ")
            if not _is_name(alias or module.split(".")[0]):
                return None
            if (alias or module.split(".")[0]) in code or alias == module:
                kept.append(line)
            else:
                _drop_comments_above(kept, indent)
            continue
        module, found, imported = statement.removeprefix("from ").partition(" import ")
        if not statement.startswith("from ") or not found:
            return None
        if imported == "(":  # one name a line, up to `)`
            end = index
            while end < len(lines) and lines[end].strip() != ")":
                end += 1
            if end == len(lines):
                return None
            names = [name.strip().removesuffix(",") for name in lines[index:end]]
            index = end + 1
        else:
            names = imported.split(", ")
        if not all(_is_name(name) for name in names):
            return None
        used = [name for name in names if name == "TYPE_CHECKING" or _used(name, code)]
        if used:
            kept.append(_from_import(indent, module, used))
        else:
            _drop_comments_above(kept, indent)
    return kept


def _used(name: str, code: str) -> bool:
    """Whether code may use the imported name; `a as a` is a re-export, which ruff keeps too."""
    original, _, alias = name.partition(" as ")
    return alias == original or (alias or original) in code


def _drop_comments_above(kept: list[str], indent: str) -> None:
    """The comment lines that introduced a statement left out go with it."""
    while kept and kept[-1].startswith(indent + "#"):
        kept.pop()


def _is_name(name: str) -> bool:
    """`a`, or `a as b`."""
    original, _, alias = name.partition(" as ")
    return original.isidentifier() and (not alias or alias.isidentifier())


def _from_import(indent: str, module: str, names: list[str]) -> str:
    """The statement as isort writes it: on one line, or one name a line where that is too long."""
    line = f"{indent}from {module} import {', '.join(names)}"
    if _width(line) <= LINE_LENGTH:
        return line
    inner = "".join(f"\n{indent}    {name}," for name in names)
    return f"{indent}from {module} import ({inner}\n{indent})"


def _width(line: str) -> int:
    """Columns, as ruff counts them: East Asian wide and full-width characters take two."""
    if line.isascii():
        return len(line)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


def _without_empty_guards(lines: list[str]) -> list[str]:
    """`if TYPE_CHECKING:` blocks with no import left in them, left out whole (comments too)."""
    result: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.startswith(_GUARD):
            end = index
            while end < len(lines) and (not lines[end].strip() or lines[end].startswith(" ")):
                end += 1
            if not any(inner.lstrip().startswith(("from ", "import ")) for inner in lines[index:end]):
                index = end
                continue
        result.append(line)
    return result


def _without_name(lines: list[str], prefix: str, name: str) -> list[str]:
    """name taken out of the one-line import that starts with prefix; the line, if it was the last."""
    result = []
    for line in lines:
        if not line.startswith(prefix):
            result.append(line)
        elif names := [n for n in line.removeprefix(prefix).split(", ") if n != name]:
            result.append(prefix + ", ".join(names))
    return result


def _tidy_blank_lines(lines: list[str]) -> list[str]:
    """No blank line first, last, twice in a row, or opening an indented block."""
    result: list[str] = []
    for line in lines:
        if not line.strip() and (not result or not result[-1].strip() or result[-1].startswith(_GUARD)):
            continue
        result.append(line)
    while result and not result[-1].strip():
        result.pop()
    return result


def natural_order(name: str) -> tuple[str | tuple[int, int], ...]:
    """The key isort (ruff's) sorts module names by: runs of digits by their value (`a_9b` before
    `a_10b`), more leading zeros first (`a_09` before `a_9`), the rest case-insensitively."""
    parts = re.split(r"(\d+)", name)
    return tuple((int(part), -len(part)) if index % 2 else part.lower() for index, part in enumerate(parts))
