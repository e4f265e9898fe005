"""Reading steps that several formats share."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from generator.diagnostics import Level
from generator.ingest.facts import Extraction
from generator.ingest.schemas import has_boolean_property, split_stream_branch
from generator.ingest.uploads import split_raw_body

Located = tuple[dict[str, Any], tuple[int, int] | None]


def slugify_task(name: str) -> str:
    """'Text  Generation' and 'text-generation' both become 'text-generation'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def state_schemas(found: Extraction, input_schema: Located, output_schema: Located) -> None:
    """Record both schemas; an SSE `oneOf` branch of the output becomes the streaming fact."""
    schema, lines = input_schema
    split = split_raw_body(schema)
    if split.problem is not None:
        found.report(
            Level.ERROR, lines[0] if lines else None, f"input_schema: {split.problem}", "input_schema"
        )
    if split.raw_body is None:
        found.state("input_schema", schema, lines)
    else:
        found.derive("input_schema", split.input_schema, lines, split.note or "")
        found.derive("request.raw_body", split.raw_body, lines, split.note or "")
    streams_by_flag = has_boolean_property(schema, "stream")
    output, output_lines = output_schema
    response, stream_branch = split_stream_branch(output, streams_by_flag)
    if stream_branch is None:
        found.state("output_schema", output, output_lines)
        if not streams_by_flag:
            # Cloudflare's formats write the whole output; a model that streams has an SSE branch in it.
            found.derive("streaming.supported", False, output_lines, "no SSE branch and no `stream` input")
        return
    found.derive(
        "output_schema",
        response,
        output_lines,
        "the output's SSE `oneOf` branch is read as the stream",
    )
    found.derive("streaming.supported", True, output_lines, "the output has an SSE stream branch")
    if streams_by_flag:
        found.derive("streaming.request_flag", "stream", input_schema[1], "input has a boolean `stream`")


def split_url(found: Extraction, url: str, line: int | None) -> tuple[str, str] | None:
    """'https://host/a/b' -> ('https://host', '/a/b'); None, with a diagnostic, for what is no URL."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # an unbalanced `[` or `]` in the host: "Invalid IPv6 URL"
        found.report(Level.ERROR, line, f"endpoint URL {url!r} not read: {exc}", "endpoint.base_url")
        return None
    return f"{parts.scheme}://{parts.netloc}", parts.path or "/"
