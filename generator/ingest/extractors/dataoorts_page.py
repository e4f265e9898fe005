"""Dataoorts' Jekyll pages: model-info table, a Python request, a JSON response, a hyper-parameter table."""

from __future__ import annotations

import ast
import re
from typing import Any

from generator.diagnostics import Level
from generator.ingest.extractors.common import slugify_task, split_url
from generator.ingest.extractors.dataoorts_comments import commented_parameters
from generator.ingest.extractors.dataoorts_params import HYPER_HEADING, hyper_parameters, parameter_schema
from generator.ingest.facts import Extraction
from generator.ingest.prices import read_prices
from generator.ingest.schemas import infer_schema
from generator.ingest.sources import SourceDocument
from generator.ingest.text import (
    Found,
    JsonTextError,
    TableRow,
    decode_json_at,
    fenced_blocks,
    parse_token_count,
    search,
    split_front_matter,
    table_rows,
)
from generator.ingest.yamlspans import YamlProblem, load_located

_ENVELOPE_KEYS = {"result", "success", "errors", "messages"}
_INFO_ATTRIBUTES = {
    "model hosted (region)": "hosted_region",
    "model available (region)": "available_region",
    "model base architecture": "base_architecture",
}


class DataoortsPage:
    name = "dataoorts-page"

    def confidence(self, document: SourceDocument) -> float:
        text = document.text
        score = 0.0
        if "dataoorts.com" in text:
            score += 0.5
        if split_front_matter(text) is not None and "| Model Name" in text:
            score += 0.4
        return score

    def extract(self, document: SourceDocument) -> Extraction:
        found = Extraction(self.name, document, "dataoorts")
        _read_front_matter(found)
        _read_info_table(found)
        request = _read_request_example(found)
        response = _read_response_example(found)
        _derive_schemas(found, request, response)
        return found


def _read_front_matter(found: Extraction) -> None:
    front = split_front_matter(found.document.text)
    if front is None:
        found.report(Level.ERROR, 1, "no front-matter")
        return
    try:
        parsed = load_located(front[0], first_line=front[1])
    except YamlProblem as problem:
        found.report(Level.ERROR, problem.line, f"front-matter: {problem}")
        return
    data = parsed.data if isinstance(parsed.data, dict) else {}
    if isinstance(data.get("title"), str):
        found.state("model_id", data["title"].strip(), parsed.lines("title"))
    if isinstance(data.get("parent"), str):
        found.state("task", slugify_task(data["parent"]), parsed.lines("parent"), "the page's docs section")
    dates = {k: str(data[k]) for k in ("published", "updated") if k in data}
    if dates:
        found.state("attributes", dates, parsed.lines("published") or parsed.lines("updated"))
    lines = found.document.lines
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), 0)
    for number in range(end + 1, len(lines)):
        heading = re.match(r"^###\s+(.+)$", lines[number])
        if heading and not HYPER_HEADING.match(lines[number]):
            found.state("description", heading.group(1).strip(), (number + 1, number + 1))
            break


def _info_rows(found: Extraction) -> list[TableRow]:
    hyper = HYPER_HEADING.search(found.document.text)
    limit = found.document.text.count("\n", 0, hyper.start()) + 1 if hyper else None
    return [r for r in table_rows(found.document.text) if limit is None or r.line < limit]


def _read_info_table(found: Extraction) -> None:
    attributes: dict[str, str] = dict(found.value("attributes", {}))
    attribute_lines = [found.facts["attributes"].lines] if "attributes" in found.facts else []
    prices = []
    price_lines = []
    for row in _info_rows(found):
        if len(row.cells) < 2:
            continue
        label, value, lines = row.cells[0].lower(), row.cells[1], (row.line, row.line)
        if label == "model name":
            if found.value("model_id") not in (None, value):
                found.report(Level.WARNING, row.line, f"model name {value!r} differs from the page title")
            found.state("model_id", value, lines)
        elif label == "model type":
            _state_task(found, value, lines)
        elif label.startswith("model cost"):
            reading = read_prices(label, value)
            if reading.problem is not None:
                found.report(
                    Level.WARNING, row.line, f"cost {value!r} not read: {reading.problem}", "pricing"
                )
            else:
                prices.extend(reading.prices)
                price_lines.append(lines)
        elif label == "context window":
            count = parse_token_count(value)
            if count is not None:
                found.state("limits.context_window", count, lines)
        elif label == "model endpoint access url":
            if (parts := split_url(found, value, row.line)) is not None:
                found.state("endpoint.base_url", parts[0], lines)
                found.state("endpoint.path", parts[1], lines)
        elif label in _INFO_ATTRIBUTES:
            attributes[_INFO_ATTRIBUTES[label]] = value
            attribute_lines.append(lines)
    if prices:
        found.state("pricing", prices, _union_lines(price_lines))
    if attributes:
        found.state("attributes", attributes, _union_lines([span for span in attribute_lines if span]))


def _state_task(found: Extraction, name: str, lines: tuple[int, int]) -> None:
    """The Model Type row names the task; the front-matter `parent` (the docs' section) should agree."""
    task = slugify_task(name)
    parent = found.facts.get("task")
    if parent is not None and parent.value != task:
        found.report(
            Level.WARNING, lines[0], f"model type {task!r} differs from the page's parent {parent.value!r}"
        )
    found.state("task", task, lines)


def _python_assignments(block: Found) -> dict[str, tuple[Any, tuple[int, int]]]:
    """Literal values assigned at top level of a Python example; never executes it."""
    tree = ast.parse(block.value)
    values: dict[str, tuple[Any, tuple[int, int]]] = {}
    first = block.lines[0]
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            end = node.end_lineno or node.lineno
            values[node.targets[0].id] = (value, (first + node.lineno - 1, first + end - 1))
    return values


def _read_request_example(found: Extraction) -> dict[str, Any] | None:
    blocks = fenced_blocks(found.document.text, "python")
    if not blocks:
        found.report(Level.WARNING, None, "no Python request example", "examples")
        return None
    try:
        assigned = _python_assignments(blocks[0])
    except (SyntaxError, RecursionError, MemoryError) as exc:
        found.report(Level.WARNING, blocks[0].lines[0], f"Python example does not parse: {exc}")
        return None
    if "url" in assigned and isinstance(assigned["url"][0], str):
        url, url_lines = assigned["url"]
        if (parts := split_url(found, url, url_lines[0] if url_lines else None)) is not None:
            found.state("endpoint.base_url", parts[0], url_lines)
            found.state("endpoint.path", parts[1], url_lines)
    post = search(r"requests\.(post|get)\(", blocks[0].value)
    if post is not None:
        method_line = blocks[0].lines[0] + post.lines[0] - 1
        found.state("endpoint.method", post.value.upper(), (method_line, method_line))
    headers = assigned.get("headers")
    if headers and isinstance(headers[0], dict):
        auth = headers[0].get("Authorization")
        if isinstance(auth, str) and auth.startswith("Bearer "):
            found.state("auth.scheme", "bearer", headers[1])
            found.state("auth.header", "Authorization", headers[1])
    payload = assigned.get("payload")
    if payload is None or not isinstance(payload[0], dict):
        found.report(Level.WARNING, blocks[0].lines[0], "Python example has no `payload` dict", "examples")
        return None
    body, lines = payload
    data_key = next((k for k in ("data", "input") if isinstance(body.get(k), dict)), None)
    if "model" not in body or data_key is None:
        found.report(Level.WARNING, lines[0], "payload is not a {model, data} envelope")
        return None
    found.state("request.envelope", {"model_key": "model", "data_key": data_key}, lines)
    if body["model"] != found.value("model_id"):
        found.report(Level.WARNING, lines[0], f"example payload names model {body['model']!r}")
    commented = commented_parameters(blocks[0], "payload", data_key)
    return {"request": body[data_key], "lines": lines, "commented": commented}


def _read_response_example(found: Extraction) -> dict[str, Any] | None:
    blocks = fenced_blocks(found.document.text, "json")
    if not blocks:
        found.report(Level.WARNING, None, "no JSON response example", "output_schema")
        return None
    try:
        decoded = decode_json_at(found.document.text, blocks[0].start)
    except JsonTextError as exc:
        found.report(Level.WARNING, exc.line, f"JSON response example does not parse: {exc}")
        return None
    body = decoded.value
    # `{"result": ...}` alone is the envelope too: taking it for the output would wrap the output twice.
    if isinstance(body, dict) and "result" in body and ("success" in body or body.keys() <= _ENVELOPE_KEYS):
        _state_envelope(found, body.keys() & _ENVELOPE_KEYS, decoded.lines)
        return {"response": body["result"], "lines": decoded.lines}
    return {"response": body, "lines": decoded.lines}


def _state_envelope(found: Extraction, shown: set[str], lines: tuple[int, int]) -> None:
    """A whole envelope is stated; keys an example leaves out are the provider's, as one client serves all."""
    if shown == _ENVELOPE_KEYS:
        envelope = {
            "result_key": "result",
            "success_key": "success",
            "errors_key": "errors",
            "messages_key": "messages",
        }
        found.state("response.envelope", envelope, lines)
        return
    found.report(
        Level.INFO,
        lines[0],
        f"the response example shows {', '.join(f'`{k}`' for k in sorted(shown))} of the envelope; "
        "the provider's envelope is kept",
        "response.envelope",
    )


def _derive_schemas(
    found: Extraction, request: dict[str, Any] | None, response: dict[str, Any] | None
) -> None:
    params = hyper_parameters(found)
    data: dict[str, Any] = request["request"] if request and isinstance(request["request"], dict) else {}
    properties: dict[str, Any] = {}
    for key, value in data.items():
        if key in params:
            properties[key] = parameter_schema(key, params[key], value, found)
        else:
            properties[key] = infer_schema(value)
    commented: dict[str, tuple[Any, tuple[int, int]]] = request["commented"] if request else {}
    for key, (value, _) in commented.items():
        if key in properties or (value is None and key not in params):
            continue
        properties[key] = (
            parameter_schema(key, params[key], value, found) if key in params else infer_schema(value)
        )
    for key, param in params.items():
        if key not in properties:
            properties[key] = parameter_schema(key, param, None, found)
    required = [key for key in data if key not in params]
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    lines = _union_lines(
        [request["lines"]] if request else [],
        [span for _, span in commented.values()],
        [(p.line, p.line) for p in params.values()],
    )
    example_part = (
        "the request example (commented-out parameters optional)" if commented else "the request example"
    )
    note = f"from {example_part} and the hyper-parameter table"
    found.derive("input_schema", schema, lines, note)
    if response is not None:
        found.derive(
            "output_schema",
            infer_schema(response["response"]),
            response["lines"],
            "from the response example",
        )
    else:
        found.derive("output_schema", {"type": "object"}, None, "no response example: any object")
    if request is not None:
        example: dict[str, Any] = {"name": "python", "request": data, "lines": request["lines"]}
        if response is not None:
            example["response"] = response["response"]
        found.state("examples", [example], request["lines"])


def _union_lines(*groups: list[tuple[int, int]]) -> tuple[int, int] | None:
    spans = [span for group in groups for span in group]
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)
