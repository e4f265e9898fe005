"""Read pytest's JUnit XML into verdicts per model and property, and lay them out as a table."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from generator.markdown import markdown_code, markdown_message

PROPERTIES = {
    "agrees_with_the_input_schema": "request",
    "request_round_trips": "req-trip",
    "agrees_with_the_output_schema": "response",
    "response_round_trips": "resp-trip",
    "agrees_with_the_chunk_schema": "chunk",
    "client_against_backend": "client",
    "stream_against_backend": "stream",
    "errors_and_faults": "faults",
    "unauthorized": "401",
    "recordings_replay": "replay",
}
_MODULE = re.compile(r"test_(?P<provider>[a-z0-9_]+?)__(?P<slug>[a-z0-9_]+)$")


@dataclass
class ModelResult:
    outcomes: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    failures: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # whole messages
    defects: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class Results:
    models: dict[str, ModelResult] = field(default_factory=lambda: defaultdict(ModelResult))

    @property
    def failed(self) -> bool:
        return not self.models or any("FAIL" in r.outcomes.values() for r in self.models.values())


def read_junit(path: Path) -> Results:
    results = Results()
    if not path.is_file():
        return results
    for case in ElementTree.parse(path).getroot().iter("testcase"):  # noqa: S314 - pytest wrote it just now
        module = _MODULE.search(case.get("classname", "").rsplit(".", 1)[-1])
        if module is None:
            continue
        name = case.get("name", "").split("[")[0].removeprefix("test_")
        column = next((label for key, label in PROPERTIES.items() if name.endswith(key)), name)
        result = results.models[f"{module['provider']}/{module['slug']}"]
        result.seconds += float(case.get("time", "0"))
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            result.outcomes[column] = "FAIL"
            message = problem.get("message") or ""
            result.failures[column].append(message[:4000])
            first_line = (message.splitlines() or [""])[0]
            result.notes.append(f"{column}: {first_line[:300]}")
        elif result.outcomes.get(column) != "FAIL":  # a later pass never hides an earlier failure
            defects = [p.get("value", "") for p in case.iter("property") if p.get("name") == "defect"]
            passed = "defect" if defects else "ok"  # the document's fault, worked around: not a failure
            result.outcomes[column] = "n/a" if case.find("skipped") is not None else passed
            result.notes.extend(f"{column}: defect: {defect}" for defect in defects)
            result.defects[column].extend(defects)
    return results


def table(results: Results, examples: int) -> list[str]:
    columns = list(PROPERTIES.values())
    rows = [["MODEL", *(c.upper() for c in columns), "EXAMPLES", "TIME"]]
    for model, result in sorted(results.models.items()):
        rows.append(
            [model, *(result.outcomes.get(c, "-") for c in columns), str(examples), f"{result.seconds:.1f}s"]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    for model, result in sorted(results.models.items()):
        lines.extend(f"{model}: {note}" for note in result.notes)
    return lines


def to_json(results: Results, examples: int) -> list[dict[str, Any]]:
    """Per model, each property's outcome (ok, defect, n/a, FAIL, - when not run), defects and failures."""
    return [
        {
            "model": model,
            "seconds": round(result.seconds, 3),
            "examples": examples,
            "properties": {
                column: {
                    "outcome": result.outcomes.get(column, "-"),
                    "defects": result.defects.get(column, []),
                    "failures": result.failures.get(column, []),
                }
                for column in PROPERTIES.values()
            },
        }
        for model, result in sorted(results.models.items())
    ]


def markdown(results: Results, examples: int, code: int) -> str:
    """The table for a CI job summary: a row per model, a line per defect and failure."""
    columns = list(PROPERTIES.values())
    verdict = "failed" if code != 0 or results.failed else "passed"
    lines = [
        f"### cardgen conform: {verdict}",
        "",
        f"{len(results.models)} model(s), {examples} examples per property.",
        "",
        "| model | " + " | ".join(columns) + " | time |",
        "|---" * (len(columns) + 2) + "|",
    ]
    for model, result in sorted(results.models.items()):
        cells = [_badge(result.outcomes.get(column, "-")) for column in columns]
        lines.append(f"| `{model}` | " + " | ".join(cells) + f" | {result.seconds:.1f}s |")
    notes = [
        f"- `{markdown_code(model)}` {markdown_message(note)}"
        for model, r in sorted(results.models.items())
        for note in r.notes
    ]
    return "\n".join([*lines, *(["", *notes] if notes else [])]) + "\n"


def _badge(outcome: str) -> str:
    return {"FAIL": "**FAIL**", "defect": "defect"}.get(outcome, outcome)
