"""Dataoorts' hyper-parameter table: one optional request property per row, typed by the example."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.diagnostics import Level
from generator.ingest.facts import Extraction
from generator.ingest.schemas import infer_schema
from generator.ingest.text import parse_number, table_rows

HYPER_HEADING = re.compile(r"^#+ .*hyper-?parameters", re.IGNORECASE | re.MULTILINE)
_BOUND = {
    "default": re.compile(r"default\s+(-?[\d.,]+)", re.IGNORECASE),
    "minimum": re.compile(r"\bmin(?:imum)?\s+(-?[\d.,]+)", re.IGNORECASE),
    "maximum": re.compile(r"\bmax(?:imum)?\s+(-?[\d.,]+)", re.IGNORECASE),
}
# A word default ends its clause ("default en", "default `mean`;"): "default value is 5" names none.
_WORD_DEFAULT = re.compile(r"default\s+(`?)([A-Za-z][\w-]*)\1(?=\s*(?:[.;)]|$))", re.IGNORECASE)
_ONE_OF = re.compile(r"one of\s+([^.;]+)", re.IGNORECASE)
_ONLY_BOUNDS = re.compile(
    r"^(?:\s*(?:default|minimum|maximum|min|max|and)\s*(?:-?[\d.,]+)?)*\s*$", re.IGNORECASE
)
_NUMERIC = ("integer", "number")


@dataclass(frozen=True)
class Parameter:
    """What one row of the table says: bounds, a default, allowed values, a description."""

    line: int
    facts: dict[str, Any] = field(default_factory=dict)
    choices: tuple[str, ...] = ()


def hyper_parameters(found: Extraction) -> dict[str, Parameter]:
    """The rows of the table under the hyper-parameter heading, by parameter name."""
    heading = HYPER_HEADING.search(found.document.text)
    if heading is None:
        return {}
    start = found.document.text.count("\n", 0, heading.start()) + 1
    params: dict[str, Parameter] = {}
    for row in table_rows(found.document.text):
        if row.line <= start or len(row.cells) < 2 or not re.fullmatch(r"[A-Za-z_]\w*", row.cells[0]):
            continue
        params[row.cells[0]] = _read_row(row.cells[1], row.line)
    return params


def _read_row(text: str, line: int) -> Parameter:
    facts: dict[str, Any] = {}
    for key, pattern in _BOUND.items():
        match = pattern.search(text)
        if match:
            facts[key] = parse_number(match.group(1).rstrip(".,"))
    word = _WORD_DEFAULT.search(text)
    if "default" not in facts and word is not None:
        facts["default"] = word.group(2)
    choices: tuple[str, ...] = ()
    one_of = _ONE_OF.search(text)
    if one_of is not None:
        words = re.split(r"\s*,\s*(?:or\s+)?|\s+or\s+", one_of.group(1).strip())
        choices = tuple(w.strip("`'\" ") for w in words if w.strip("`'\" "))
    if not _ONLY_BOUNDS.match(text):
        facts["description"] = text.rstrip(".")
    return Parameter(line, facts, choices)


def parameter_schema(name: str, param: Parameter, example: Any, found: Extraction) -> dict[str, Any]:
    """A property schema: the type from the example (else the row's values), then the row's facts."""
    schema = _typed(name, param, example, found)
    kind = schema.get("type")
    if "description" in param.facts:
        schema["description"] = param.facts["description"]
    if param.choices and kind == "string":
        schema["enum"] = list(param.choices)
    if "default" in param.facts:
        if _fits(param.facts["default"], kind):
            schema["default"] = param.facts["default"]
        else:
            found.report(
                Level.WARNING, param.line, f"`{name}`: default {param.facts['default']!r} is no {kind}"
            )
    for key in ("minimum", "maximum"):
        if key in param.facts and kind in _NUMERIC:
            schema[key] = param.facts[key]
        elif key in param.facts:
            found.report(Level.WARNING, param.line, f"`{name}`: a {key} for a {kind} is ignored")
    return schema


def _typed(name: str, param: Parameter, example: Any, found: Extraction) -> dict[str, Any]:
    if example is not None and not isinstance(example, bool | int | float):
        return infer_schema(example)
    if isinstance(example, bool):
        return {"type": "boolean"}
    if isinstance(example, int):
        floats = [v for k, v in param.facts.items() if k in _BOUND and isinstance(v, float)]
        return {"type": "number" if floats else "integer"}
    if isinstance(example, float):
        return {"type": "number"}
    if param.choices or isinstance(param.facts.get("default"), str):
        return {"type": "string"}
    found.report(Level.INFO, param.line, f"`{name}`: type not stated and not in the example; taken as number")
    return {"type": "number"}


def _fits(value: Any, kind: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return False
