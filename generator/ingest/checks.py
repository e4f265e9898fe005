"""Checks on built entries: valid schemas, examples that fit them, documents that disagree."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import Any, TypeVar

from generator.catalog.entry import SHARED_FIELDS, CatalogEntry, shared_value
from generator.diagnostics import Diagnostic, Level, error, warning
from generator.ingest.acknowledged import Acknowledgement, acknowledge, stale
from generator.ingest.hygiene import clean_schema
from generator.ingest.keywords import subschemas, unenforced
from generator.ingest.overlaps import overlapping_one_ofs
from generator.ingest.providers import BUILTIN_PREFIX
from generator.ingest.refs import pointer, shown
from generator.ingest.schema_lines import keyword_lines
from generator.ingest.schemas import metaschema_errors, property_schemas, violations
from generator.ingest.uploads import is_binary, is_json_media, media_of

K = TypeVar("K")
RANGE_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
ANSWERS_READ = "answers are read as anyOf: the first branch that fits"


def _where(entry: CatalogEntry, field: str) -> tuple[str, int | None]:
    source = entry.provenance.fields.get(field)
    if source is None:
        return entry.provenance.source.path, None
    return source.file, source.lines[0] if source.lines else None


def _dotted(schema: Any) -> list[tuple[str, str]]:
    """Definitions whose name holds a dot, and refs through a name with one (a property's): the code
    generator reads `a.b` as class b of a module a and refuses the schema, so generate would fail on
    a catalog ingest had accepted."""
    names = [
        (pointer(pointer(where, keyword), name), "a definition name with a dot; rename it (an overlay can)")
        for where, node in subschemas(schema)
        for keyword in ("$defs", "definitions")
        if isinstance(node.get(keyword), dict)
        for name in node[keyword]
        if "." in str(name)
    ]
    refs = [
        (pointer(where, "$ref"), f"`$ref` {shown(ref)!r} passes through a name with a dot; point it at a "
         "definition of its own instead (an overlay can)")
        for where, node in subschemas(schema)
        if isinstance(ref := node.get("$ref"), str) and _through_dotted_property(ref)
    ]  # fmt: skip
    return sorted(names + refs)


def _through_dotted_property(ref: str) -> bool:
    """A step of ref's path holds a dot and names no definition (a dotted definition is told above)."""
    steps = ref.partition("#")[2].split("/")
    return any(
        "." in step and steps[i - 1] not in ("$defs", "definitions") for i, step in enumerate(steps) if i
    )


def _unsupported_calls(entry: CatalogEntry) -> list[Diagnostic]:
    """What the entry says of its calls that the SDK would not do: it POSTs a JSON body (or the raw
    bytes `request.raw_body` allows) and reads a JSON answer (or the bytes a binary output_schema
    declares). Said here rather than left for the SDK to ignore."""
    found = []
    if entry.endpoint.method.upper() != "POST":
        found.append(("endpoint.method", f"method {entry.endpoint.method}: the SDK calls models with POST"))
    if not is_json_media(media_of(entry.request.content_type)):
        found.append(
            ("request.content_type", f"request content type {entry.request.content_type}: the SDK sends JSON"
             " (raw bytes only where request.raw_body allows them)")
        )  # fmt: skip
    if not is_binary(entry.output_schema) and not is_json_media(media_of(entry.response.content_type)):
        found.append(
            ("response.content_type", f"response content type {entry.response.content_type}: the SDK reads"
             " JSON, or raw bytes where output_schema is a binary string")
        )  # fmt: skip
    return [error(*_where(entry, field), message, field) for field, message in found]


def entry_errors(entry: CatalogEntry) -> list[str]:
    """What ingest refuses in an entry, for one generate reads from a file no check has seen."""
    return [d.render() for d in check_entry(entry) if d.level is Level.ERROR]


def check_entry(entry: CatalogEntry, texts: Mapping[str, str] | None = None) -> list[Diagnostic]:
    """What is wrong with an entry; texts: documents by name (`sources/...`), to tell a problem
    inside a schema at its keyword's line rather than the schema's first (schema_lines.py)."""
    diagnostics: list[Diagnostic] = []
    schemas: dict[str, Any] = {
        "input_schema": entry.input_schema,
        "output_schema": entry.output_schema,
    }
    if entry.streaming.chunk_schema is not None:
        schemas["streaming.chunk_schema"] = entry.streaming.chunk_schema
    valid: dict[str, bool] = {}
    for field, schema in schemas.items():
        problems = metaschema_errors(schema)
        valid[field] = not problems
        file, line = _where(entry, field)
        at = keyword_lines((texts or {}).get(file), line, schema)
        diagnostics.extend(
            error(file, at(path), f"{field} is not a valid JSON Schema: {p}") for path, p in problems[:5]
        )
        # Documents' schemas were cleaned while building; this catches what an overlay brought in.
        diagnostics.extend(
            error(
                file,
                at(f.path),
                f"{field} at {f.path or '/'}: {f.message}{'' if f.error else ' is not allowed'}",
            )
            for f in clean_schema(schema).findings
        )
        if valid[field]:
            diagnostics.extend(error(file, at(u.path), u.describe(field), field) for u in unenforced(schema))
            diagnostics.extend(
                error(file, at(where), f"{field} at {where}: {why}", field) for where, why in _dotted(schema)
            )
            policy = "a request must still fit exactly one" if field == "input_schema" else ANSWERS_READ
            diagnostics.extend(
                warning(file, at(o.path), f"{field} {o.describe()}; {policy}")
                for o in overlapping_one_ofs(schema)
            )
    for index, example in enumerate(entry.examples):
        file, line = _where(entry, f"examples[{index}]")
        if valid["input_schema"]:
            diagnostics.extend(
                warning(file, line, f"example {example.name!r} request does not fit input_schema: {m}")
                for m in violations(entry.input_schema, example.request)
            )
        if valid["output_schema"] and example.response is not None:
            diagnostics.extend(
                warning(file, line, f"example {example.name!r} response does not fit output_schema: {m}")
                for m in violations(entry.output_schema, example.response)
            )
    diagnostics.extend(_unsupported_calls(entry))
    if entry.request.raw_body is not None and entry.request.envelope is not None:
        file, line = _where(entry, "request.raw_body")
        diagnostics.append(error(file, line, "a raw-bytes input cannot travel inside the request envelope"))
    flag = entry.streaming.request_flag
    if entry.streaming.supported and flag and not property_schemas(entry.input_schema, flag):
        file, line = _where(entry, "input_schema")
        diagnostics.append(
            warning(file, line, f"the model streams but input_schema has no `{flag}` property")
        )
    return diagnostics


def _range(schema: dict[str, Any]) -> tuple[Any, ...] | None:
    bounds = tuple(schema.get(key) for key in RANGE_KEYS)
    return None if all(b is None for b in bounds) else bounds


def _describe(bounds: tuple[Any, ...]) -> str:
    low = bounds[0] if bounds[0] is not None else bounds[2]
    high = bounds[1] if bounds[1] is not None else bounds[3]
    return f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"


NAMED_PER_RANGE = 3  # documents named per differing range; a catalog of hundreds names the rest by count


def _others(by_document: dict[str, tuple[Any, ...]], disagreeing: list[str]) -> str:
    """The other ranges, each with a few of its documents: a line stays short at any catalog size."""
    grouped: dict[str, list[str]] = {}
    for document in disagreeing:
        grouped.setdefault(_describe(by_document[document]), []).append(document)
    return "; ".join(
        f"{described} in {_named(documents)}" for described, documents in sorted(grouped.items())
    )


def _named(documents: Sequence[str]) -> str:
    """A few documents by name, the rest by count: a line stays short at any catalog size. Never
    "and 1 more" or "and 2 more": naming them is as short, and acknowledged.yaml must list each."""
    if len(documents) <= NAMED_PER_RANGE + 2:
        return ", ".join(documents)
    rest = len(documents) - NAMED_PER_RANGE
    return (
        ", ".join(documents[:NAMED_PER_RANGE]) + f" and {rest} more (acknowledged.yaml takes a glob for them)"
    )


def _unusual(values: Mapping[K, Hashable]) -> list[K]:
    """The keys whose value is not the most common one: every key when the most common is tied."""
    counts = Counter(values.values())
    if len(counts) < 2:
        return []
    usual, usual_count = counts.most_common(1)[0]
    tied = sum(1 for c in counts.values() if c == usual_count) > 1
    return [key for key, value in values.items() if value != usual or tied]


def provider_disagreements(entries: Sequence[CatalogEntry]) -> list[Diagnostic]:
    """An error at each model whose value of a field one provider client holds for all its models
    (base URL, path, auth, envelopes) is not its provider's usual one; at every model of a tie.

    generate would refuse the catalog: said here, at the fact that differs (an overlay, a page),
    with where each value came from, since what resolves it depends on that.
    """
    diagnostics: list[Diagnostic] = []
    by_provider: dict[str, list[CatalogEntry]] = {}
    for entry in entries:
        by_provider.setdefault(entry.provider, []).append(entry)
    for provider, models in sorted(by_provider.items()):
        for field in SHARED_FIELDS:
            values = {e.key: repr(shared_value(e, field)) for e in models}
            unusual = set(_unusual(values))
            for entry in sorted((e for e in models if e.key in unusual), key=lambda e: e.key):
                value = values[entry.key]
                others = [e for e in models if values[e.key] != value]
                origin = _origin(entry, field)
                origins = {origin, *(_origin(e, field) for e in others)}
                file, line = _where(entry, field)
                diagnostics.append(
                    error(
                        file, line,
                        f"{entry.model_id}: {field} is {value[:120]} here ({_said(origin, _HERE)}) but "
                        f"{_elsewhere(others, values, field)}; one {provider} client holds it for all its "
                        f"models: {_resolving(field, provider, origins)}", field,
                    )
                )  # fmt: skip
    return diagnostics


# How a shared field's value came to an entry, said of the entry in question and of the others.
_HERE = {
    "document": "stated by this document",
    "overlay": "set by its overlay",
    "cardgen": "cardgen's default",
}
_THERE = {
    "document": "stated by their documents",
    "overlay": "set by their overlays",
    "cardgen": "cardgen's default",
}


def _origin(entry: CatalogEntry, field: str) -> str:
    """Where an entry's value of field came from: "document", "overlay", "cardgen" (a default
    that ships), or the project's provider file (`providers/<provider>.yaml`). A section (`auth`)
    is told by its most specific part: an overlay's, else its document's, else the project's file's."""
    sources = [s for key, s in entry.provenance.fields.items() if key == field or key.startswith(f"{field}.")]
    if any(s.how == "overlay" for s in sources):
        return "overlay"
    if not sources or any(s.how != "default" for s in sources):
        return "document"
    project = sorted(s.file for s in sources if not s.file.startswith(BUILTIN_PREFIX))
    return project[0] if project else "cardgen"


def _said(origin: str, words: Mapping[str, str]) -> str:
    return words.get(origin, f"from {origin}")


def _elsewhere(others: Sequence[CatalogEntry], values: Mapping[tuple[str, str], str], field: str) -> str:
    """The other values, each with a few of its documents and where it came from."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for other in others:
        grouped.setdefault((values[other.key], _origin(other, field)), []).append(
            other.provenance.source.path
        )
    return "; ".join(
        f"{value[:120]} in {_named(sorted(documents))} ({_said(origin, _THERE)})"
        for (value, origin), documents in sorted(grouped.items())
    )


def _resolving(field: str, provider: str, origins: set[str]) -> str:
    """What makes the models agree, given where their values came from."""
    files = sorted(origin for origin in origins if origin not in _HERE)  # the project's provider file
    if "overlay" in origins:
        return "set it alike in every overlay that sets it, or remove it there"
    if files and "document" in origins:
        runtime = (
            " (to call another host, give the generated client `base_url=` or its `<PROVIDER>_BASE_URL`"
            " at run time)"
            if field == "endpoint.base_url"
            else ""
        )
        return (
            f"a value a document states wins over {files[0]}, which only fills in what documents leave"
            f" out: set it there as the documents state it, or remove it there{runtime}"
        )
    if {"document", "cardgen"} <= origins:
        return (
            f"set it in providers/{provider}.yaml as the documents state it (models whose documents"
            " leave it out take it from there), or patch the models that differ with overlays"
        )
    return "patch the models that differ with overlays that set it alike"


def check_catalog(
    entries: Sequence[CatalogEntry],
    acknowledged: Sequence[Acknowledgement] = (),
    documents: Collection[str] | None = None,
) -> list[Diagnostic]:
    """Warn where models' documents give the same parameter different ranges, unless acknowledged
    (documents: the sources' names, to find acknowledgements that list a removed one)."""
    ranges: dict[str, dict[str, tuple[Any, ...]]] = {}
    lines: dict[str, int | None] = {}
    for entry in entries:
        lines[entry.provenance.source.path] = _where(entry, "input_schema")[1]
        properties = {
            name
            for branch in [entry.input_schema, *entry.input_schema.get("oneOf", [])]
            if isinstance(branch, dict)
            for name in (branch.get("properties") or {})
        }
        for name in sorted(properties):
            found = {_range(s) for s in property_schemas(entry.input_schema, name)} - {None}
            if len(found) == 1:
                ranges.setdefault(name, {})[entry.provenance.source.path] = found.pop()  # type: ignore[assignment]
    diagnostics: list[Diagnostic] = []
    used: set[Acknowledgement] = set()
    unacknowledged: dict[str, set[str]] = {}  # by field, the documents of disagreements left standing
    for name, by_document in sorted(ranges.items()):
        for document in sorted(_unusual(by_document)):
            bounds = by_document[document]
            disagreeing = sorted(d for d, b in by_document.items() if b != bounds)
            others = _others(by_document, disagreeing)
            disagreement = warning(
                document, lines[document], f"`{name}` ranges over {_describe(bounds)} here but {others}", name
            )
            told = acknowledge(disagreement, disagreeing, acknowledged, used)
            if told is disagreement:
                unacknowledged.setdefault(name, set()).update([document, *disagreeing])
            diagnostics.append(told)
    return diagnostics + stale(acknowledged, used, unacknowledged, documents)
