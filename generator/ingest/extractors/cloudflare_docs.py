"""Cloudflare's developer docs page, scraped as text: info table, code examples, an API Schemas block."""

from __future__ import annotations

import re

from generator.diagnostics import Level
from generator.ingest.extractors.common import slugify_task, split_url, state_schemas
from generator.ingest.facts import Extraction
from generator.ingest.sources import SourceDocument
from generator.ingest.text import (
    JsonTextError,
    decode_json_at,
    line_at,
    parse_token_count,
    search,
    search_all,
    table_rows,
)

_RUN_CALL = re.compile(r"""env\.AI\.run\(\s*["']([^"']+)["']""")
_RUN_URL = re.compile(r"""(https://[\w.-]+)(/client/v4/accounts/)[^/\s"']+(/ai/run/)([^\s"'\\]+)""")
_AUTH_HEADER = re.compile(r"""-H\s+["'](Authorization):\s*Bearer\s+\$(\w+)["']""")
_ACCOUNT_VAR = re.compile(r"/accounts/\$(\w+)/")
_CURL_BODY = re.compile(r"""-d\s+'""")
MAX_EXAMPLES = 20  # each failed JSON decode counts lines from the top: unbounded, that is quadratic
_SCHEMAS_HEADING = re.compile(r"^API Schemas\s*$", re.MULTILINE)


class CloudflareDocsPage:
    name = "cloudflare-docs-page"

    def confidence(self, document: SourceDocument) -> float:
        text = document.text
        score = 0.0
        if _SCHEMAS_HEADING.search(text):
            score += 0.5
        if _RUN_CALL.search(text) or _RUN_URL.search(text):
            score += 0.4
        return score

    def extract(self, document: SourceDocument) -> Extraction:
        found = Extraction(self.name, document, "cloudflare")
        if not _read_model_id(found):
            return found
        _read_heading(found)
        _read_info_table(found)
        _read_endpoint(found)
        _read_examples(found)
        _read_schemas(found)
        return found


def _read_model_id(found: Extraction) -> bool:
    text = found.document.text
    mentions = search_all(_RUN_CALL, text) + search_all(_RUN_URL, text, group=4)
    ids = sorted({m.value for m in mentions})
    if not ids:
        found.report(Level.ERROR, None, "no model id found in the code examples")
        return False
    if len(ids) > 1:
        found.report(
            Level.ERROR,
            mentions[0].lines[0],
            f"code examples name different models: {', '.join(ids)}",
        )
        return False
    first = min(mentions, key=lambda m: m.start)
    found.state("model_id", ids[0], first.lines)
    return True


def _read_heading(found: Extraction) -> None:
    """Line 1 is '<name>[ Beta]'; line 2 is '<Task> • <author><description>'."""
    lines = found.document.lines
    title = lines[0].strip() if lines else ""
    if title.endswith(" Beta"):
        title = title.removesuffix(" Beta").strip()
        found.state("flags", ["beta"], (1, 1))
    if title:
        found.state("display_name", title, (1, 1))
    if len(lines) < 2 or "•" not in lines[1]:
        found.report(Level.WARNING, 2, "no '<task> • <description>' line after the title", "description")
        return
    task, _, rest = lines[1].partition("•")
    found.state("task", slugify_task(task), (2, 2))
    author = str(found.value("model_id")).split("/")[1] if "/" in str(found.value("model_id")) else ""
    rest = rest.strip()
    if author and rest.startswith(author):
        found.state("attributes", {"author": author}, (2, 2))
        rest = rest[len(author) :]
    found.state("description", rest.strip(), (2, 2))


def _read_info_table(found: Extraction) -> None:
    for row in table_rows(found.document.text):
        if len(row.cells) < 2:
            continue
        label = row.cells[0].rstrip(" ↗").strip().lower()
        value = row.cells[1].strip()
        if label == "context window":
            count = parse_token_count(value)
            if count is not None:
                found.state("limits.context_window", count, (row.line, row.line))
        elif label == "beta" and value.lower() in {"yes", "true"}:
            found.state("flags", ["beta"], (row.line, row.line))
        elif label == "terms and license":
            found.report(
                Level.INFO,
                row.line,
                "'Terms and License' is a link whose address the page text lacks",
            )


def _read_endpoint(found: Extraction) -> None:
    text = found.document.text
    url = search(_RUN_URL, text, group=0)
    if url is not None:
        match = _RUN_URL.search(url.value)
        assert match is not None
        parts = split_url(found, match.group(0), url.lines[0])
        if parts is None:
            return
        path = f"{match.group(2)}{{account_id}}{match.group(3)}{{model_id}}"
        found.state("endpoint.base_url", parts[0], url.lines)
        found.state("endpoint.path", path, url.lines)
        found.state("endpoint.method", "POST", url.lines)
    account = search(_ACCOUNT_VAR, text)
    if account is not None:
        found.state("endpoint.path_params", {"account_id": account.value}, account.lines)
    header = search(_AUTH_HEADER, text, group=0)
    if header is not None:
        match = _AUTH_HEADER.search(header.value)
        assert match is not None
        found.state("auth.scheme", "bearer", header.lines)
        found.state("auth.header", match.group(1), header.lines)
        found.state("auth.env_var", match.group(2), header.lines)
    stream = search(r"Worker - Streaming", text, group=0)
    if stream is not None and "text/event-stream" in text:
        found.state(
            "streaming.supported",
            True,
            stream.lines,
            "a streaming example answers text/event-stream",
        )


def _read_examples(found: Extraction) -> None:
    text = found.document.text
    examples = []
    for index, match in enumerate(_CURL_BODY.finditer(text)):
        if index == MAX_EXAMPLES:
            found.report(
                Level.WARNING,
                line_at(text, match.start()),
                f"more than {MAX_EXAMPLES} curl examples; the rest are ignored",
            )
            break
        try:
            body = decode_json_at(text, match.end())
        except JsonTextError as exc:
            found.report(Level.WARNING, exc.line, f"curl example body is not JSON: {exc}")
            continue
        examples.append({"name": "curl", "request": body.value, "lines": body.lines})
    if examples:
        found.state("examples", examples, examples[0]["lines"])


def _read_schemas(found: Extraction) -> None:
    text = found.document.text
    heading = _SCHEMAS_HEADING.search(text)
    if heading is None:
        found.report(Level.ERROR, None, "no 'API Schemas' section")
        return
    start = text.find("{", heading.end())
    if start < 0:
        found.report(Level.ERROR, line_at(text, heading.start()), "'API Schemas' holds no JSON")
        return
    decoded = []
    offset = start
    for part in ("input", "output"):
        try:
            value = decode_json_at(text, offset)
        except JsonTextError as exc:
            found.report(Level.ERROR, exc.line, f"API Schemas: the {part} schema is not JSON: {exc}")
            return
        if not isinstance(value.value, dict):
            found.report(Level.ERROR, value.lines[0], f"API Schemas: the {part} schema is not a JSON object")
            return
        decoded.append(value)
        offset = value.end
    state_schemas(found, (decoded[0].value, decoded[0].lines), (decoded[1].value, decoded[1].lines))
