"""Make an untrusted JSON Schema safe to keep: no outside references, no generator directives.

A document's schema reaches datamodel-code-generator, which follows `$ref`s to files and URLs and
obeys `x-python-*`-style keys that name Python types and imports. None of that may come from a
document: external references are errors, directives are dropped, and risky patterns are refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from generator.catalog.model_ids import model_id_problem
from generator.diagnostics import Diagnostic, error, warning
from generator.ingest.facts import Fact
from generator.ingest.patterns import pattern_problem
from generator.ingest.refs import (
    DATA_KEYS,
    SCHEMA_MAPS,
    local_ref_problems,
    pointer,
    shown,
    with_canonical_refs,
)
from generator.ingest.schema_lines import keyword_lines
from generator.ingest.schemas import unfit_defaults

# How deep a schema may nest, written out or through its refs (a property one level below its
# object, an item of `oneOf` two): every later stage takes what ingest takes. Past ~32 levels the
# conformance suite's generated values outgrow hypothesis's buffer (at 40, a minute for one model;
# at 63, no value at all), and at 58 chained definitions pydantic's build recursed past Python's limit.
MAX_SCHEMA_DEPTH = 32
REF_KEYS = ("$ref", "$dynamicRef", "$recursiveRef")
# datamodel-code-generator's extension keys that steer the Python it writes (types, imports, bases).
DIRECTIVE_KEYS = frozenset(
    {
        "customTypePath",
        "customBasePath",
        "x-is-base-class",
        "x-is-classvar",
        "x-enum-varnames",
        "x-enumNames",
        "x-enum-field-as-literal",
        "default_factory",  # not JSON Schema: it would write `Field(default_factory=...)`
    }
)
DIRECTIVE_PREFIXES = ("x-python-", "x-datamodel-code-generator")


@dataclass(frozen=True)
class Finding:
    error: bool  # False: the key is dropped, and that is all
    path: str  # JSON pointer into the schema
    message: str


@dataclass
class Cleaned:
    schema: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)


def is_directive(key: str) -> bool:
    return key in DIRECTIVE_KEYS or key.startswith(DIRECTIVE_PREFIXES)


def clean_schema(schema: dict[str, Any]) -> Cleaned:
    """A copy of schema without outside refs or directives, and what was wrong with it."""
    result = Cleaned({})
    cleaned = _clean(schema, "", 0, result.findings)
    result.schema = with_canonical_refs(cleaned) if isinstance(cleaned, dict) else {}
    if not any(f.error for f in result.findings):
        result.findings.extend(
            Finding(True, path, message)
            for path, message in local_ref_problems(result.schema, MAX_SCHEMA_DEPTH)
        )
    if not any(f.error for f in result.findings) and not lone_surrogates(result.schema):
        # A default is what the SDK's class declares: one that does not fit would be a type error.
        for path, node, why in unfit_defaults(result.schema):
            del node["default"]
            result.findings.append(Finding(False, path, f"a default that does not fit its schema ({why}),"))
    return result


def lone_surrogates(value: Any, path: str = "") -> list[tuple[str, str]]:
    """(JSON pointer, character) for each string or key in value that holds a lone surrogate.

    JSON's `\\ud800` and YAML's `"\\ud800"` escapes parse to a half of a UTF-16 pair that is no
    Unicode text: no UTF-8 file can hold it, so the catalog entry could never be written or read.
    """
    found: list[tuple[str, str]] = []
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            char = _surrogate(item)
            if char:
                found.append((where, char))
        elif isinstance(item, dict):
            for key, sub in item.items():
                char = _surrogate(str(key))
                if char:
                    found.append((pointer(where, key), char))
                stack.append((pointer(where, key), sub))
        elif isinstance(item, list):
            stack.extend((pointer(where, i), sub) for i, sub in enumerate(item))
    return sorted(found)


def _surrogate(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return text[exc.start]
    return None


def surrogate_message(field: str, where: str, char: str) -> str:
    return (
        f"{field} at {where or '/'}: a lone surrogate U+{ord(char):04X} is not text "
        "(a \\u escape without the other half of its pair)"
    )


def _clean(node: Any, path: str, depth: int, findings: list[Finding]) -> Any:
    if depth > MAX_SCHEMA_DEPTH:
        too_deep = f"nested deeper than {MAX_SCHEMA_DEPTH} levels"
        if not any(f.message == too_deep for f in findings):  # once: not again for each sibling below
            findings.append(Finding(True, path or "/", too_deep))
        return {}
    if isinstance(node, list):
        return [_clean(item, pointer(path, i), depth + 1, findings) for i, item in enumerate(node)]
    if not isinstance(node, dict):
        _check_finite(node, path, findings)
        return node
    kept: dict[str, Any] = {}
    for key, value in node.items():
        where = pointer(path, key)
        if is_directive(key):
            findings.append(Finding(False, where, f"generator directive `{shown(key)}`"))
        elif key in REF_KEYS and not (isinstance(value, str) and value.startswith("#")):
            findings.append(
                Finding(True, where, f"`{key}` {value!r} points outside the document; not followed")
            )
        elif key == "$id" and isinstance(value, str) and not value.startswith("#"):
            findings.append(Finding(False, where, f"`$id` {value!r} (it would move where refs resolve)"))
        elif key == "pattern" and isinstance(value, str):
            _check_pattern(value, where, findings)
            kept[key] = value
        elif key in DATA_KEYS:
            _check_finite(value, where, findings)
            kept[key] = value
        elif key in SCHEMA_MAPS and isinstance(value, dict):
            if key == "patternProperties":
                for name in value:
                    _check_pattern(str(name), pointer(where, name), findings)
            kept[key] = {
                name: _clean(sub, pointer(where, name), depth + 1, findings) for name, sub in value.items()
            }
        else:
            kept[key] = _clean(value, where, depth + 1, findings)
    return kept


def _check_finite(value: Any, where: str, findings: list[Finding]) -> None:
    """NaN and infinities parse (Python's json reads `NaN`, `1e999`) but are not JSON and not bounds."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            findings.append(Finding(True, where, f"{item} is not a finite number"))
            return
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _check_pattern(pattern: str, where: str, findings: list[Finding]) -> None:
    problem = pattern_problem(pattern)
    if problem:
        findings.append(Finding(True, where, f"pattern {pattern[:60]!r} refused: it {problem}"))


SCHEMA_FACTS = ("input_schema", "output_schema", "streaming.chunk_schema")


def clean_schema_facts(
    facts: dict[str, Fact], document: str, text: Callable[[], str] | None = None
) -> list[Diagnostic]:
    """Replace each schema fact by its cleaned copy; say what was dropped or refused, and where: at
    the keyword's own line where text (the document's, read only for a finding) shows it certainly.

    Every fact, not only the schemas, is checked for text no UTF-8 file can hold.
    """
    diagnostics: list[Diagnostic] = []
    for name, stated in facts.items():
        for where, char in lone_surrogates(stated.value):
            message = surrogate_message(name, where, char)
            diagnostics.append(error(stated.file or document, _line(stated), message, name))
    model_id = facts.get("model_id")
    if model_id is not None:
        problem = model_id_problem(str(model_id.value))
        if problem:
            diagnostics.append(error(model_id.file or document, _line(model_id), problem))
    for key in SCHEMA_FACTS:
        fact = facts.get(key)
        if fact is None or not isinstance(fact.value, dict):
            continue
        cleaned = clean_schema(fact.value)
        facts[key] = replace(fact, value=cleaned.schema)
        written = text() if text is not None and fact.file is None and cleaned.findings else None  # its own
        line_of = keyword_lines(written, _line(fact), fact.value)
        for finding in cleaned.findings:
            report = error if finding.error else warning
            dropped = "" if finding.error else " dropped"
            message = f"{key} at {finding.path or '/'}: {finding.message}{dropped}"
            diagnostics.append(report(fact.file or document, line_of(finding.path), message, key))
    return diagnostics


def _line(fact: Fact) -> int | None:
    return fact.lines[0] if fact.lines else None
