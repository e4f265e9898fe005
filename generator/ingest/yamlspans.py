"""Parse YAML and remember the line span of every mapping key, for provenance."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

MAX_YAML_DEPTH = 64
MAX_YAML_NODES = 100_000  # after aliases expand: `*a` repeated is how a billion laughs start

_Loader: type[yaml.SafeLoader | yaml.CSafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _runaway_quote(text: str, problem: int) -> int | None:
    """The 0-based line where a quoted string that ran on to the problem's line opened, if one did.

    An unclosed quote swallows the lines after it up to the next quote; the parser then complains
    there, lines below the mistake.
    """
    last: yaml.Token | None = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.line >= problem:
                break
            last = token
    except yaml.YAMLError:
        pass
    if (
        isinstance(last, yaml.ScalarToken)
        and last.style in {'"', "'"}
        and last.start_mark.line < last.end_mark.line == problem
    ):
        return int(last.start_mark.line)
    return None


class YamlProblem(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class LocatedYaml:
    data: Any
    spans: dict[str, tuple[int, int]]  # dotted key path -> first and last line

    def lines(self, path: str) -> tuple[int, int] | None:
        return self.spans.get(path)


def load_located(text: str, first_line: int = 1) -> LocatedYaml:
    """Load YAML safely; first_line is where text starts in its file."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + first_line if exc.problem_mark else None
        context = ""
        if exc.context and exc.context_mark and exc.context_mark.line + first_line != line:
            context = f" ({exc.context} opened on line {exc.context_mark.line + first_line})"
        opened = _runaway_quote(text, exc.problem_mark.line) if exc.problem_mark else None
        if opened is not None and line is not None:
            context = f" (the quoted string opened here runs on to line {line})"
            line = opened + first_line
        raise YamlProblem(f"YAML does not parse: {exc.problem or exc}{context}", line) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(f"YAML does not parse: {exc}", None) from exc
    except RecursionError as exc:
        raise YamlProblem("YAML nested too deeply", None) from exc
    if node is None:
        return LocatedYaml(None, {})
    spans: dict[str, tuple[int, int]] = {}
    _collect(node, "", spans, first_line, 0, [0])
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader
    except yaml.MarkedYAMLError as exc:  # e.g. a constructor problem compose does not see
        line = exc.problem_mark.line + first_line if exc.problem_mark else None
        reason = " ".join(part for part in (exc.context, exc.problem) if part) or str(exc)
        raise YamlProblem(f"YAML does not load: {reason}", line) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(f"YAML does not load: {exc}", None) from exc
    except ValueError as exc:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        long_number = re.search(r"\d{4000,}", text)
        line = text.count("\n", 0, long_number.start()) + first_line if long_number else None
        raise YamlProblem(f"YAML does not load: {str(exc).split(';')[0]}", line) from exc
    return LocatedYaml(data, spans)


def _collect(
    node: yaml.Node, prefix: str, spans: dict[str, tuple[int, int]], base: int, depth: int, count: list[int]
) -> None:
    if depth > MAX_YAML_DEPTH:
        raise YamlProblem(f"YAML nested deeper than {MAX_YAML_DEPTH} levels", node.start_mark.line + base)
    count[0] += 1
    if count[0] > MAX_YAML_NODES:
        raise YamlProblem(
            f"YAML expands to more than {MAX_YAML_NODES} values (aliases repeated?)",
            node.start_mark.line + base,
        )
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            end_line = value_node.end_mark.line + base
            if value_node.end_mark.column == 0 and end_line > key_node.start_mark.line + base:
                end_line -= 1  # block values end at column 0 of the next line
            spans[key] = (key_node.start_mark.line + base, end_line)
            _collect(value_node, key, spans, base, depth + 1, count)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect(item, f"{prefix}[{index}]", spans, base, depth + 1, count)
