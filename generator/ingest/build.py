"""Build catalog entries from extracted facts, provider defaults and overlays."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog, entry_format_errors
from generator.diagnostics import Diagnostic, Level, error, info, note, warning
from generator.ingest.acknowledged import Acknowledgement
from generator.ingest.checks import check_catalog, check_entry, provider_disagreements
from generator.ingest.duplicates import resolve_duplicate_ids
from generator.ingest.extractors import detect
from generator.ingest.facts import Extraction, Fact
from generator.ingest.hygiene import clean_schema_facts
from generator.ingest.jsonspans import JsonProblem, parse_json
from generator.ingest.overlays import Overlay, merge_patch
from generator.ingest.pages import non_model_reason, shows_a_model
from generator.ingest.providers import ProviderDefaults, shipped_providers, unheeded_defaults
from generator.ingest.schemas import property_schemas
from generator.ingest.slugs import assign_slugs
from generator.ingest.sources import SourceDocument

# A page that shows no model and whose extractor finds none of these describes no model (a billing
# page that names the provider's host, say); a model page, however damaged, keeps one of them.
MODEL_PAGE_FACTS = ("task", "input_schema", "output_schema")
STREAM_DETAILS = ("format", "content_type", "request_flag", "terminator", "chunk_schema")


def extract_document(document: SourceDocument) -> tuple[Extraction | None, list[Diagnostic]]:
    """A document's extraction (None: not a model page, unknown, or failed) and its diagnostics."""
    malformed = _malformed_json(document)
    if malformed is not None:
        return None, [malformed]
    reason = non_model_reason(document)
    if reason is not None:
        return None, [note(document.name, None, f"not a model page: {reason}; skipped")]
    extractor = detect(document)
    if extractor is None:  # every document an entry, a note or an error: never a warning CI passes over
        if shows_a_model(document):
            why = (
                "shows what a model page shows (a schema, a request for one model, or a model-info table"
                " naming one) but in no format cardgen reads (cut short?)"
            )
            fix = "mend it, write it in one of the formats the README lists, or move it out of the sources"
            return None, [error(document.name, None, f"{why}: its model would be lost; {fix}")]
        return None, [
            note(document.name, None, "not a model page: no format cardgen reads, and no schema; skipped")
        ]
    extraction = extractor.extract(document)
    misplaced = _provider_by_folder(extraction)
    if misplaced is not None:
        return None, [*extraction.diagnostics, misplaced]
    failed = any(d.level is Level.ERROR for d in extraction.diagnostics)
    if not failed and not shows_a_model(document) and not _describes_a_model(extraction):
        return None, [note(document.name, None, "not a model page: it states no task and no schema; skipped")]
    return (None if failed else extraction), list(extraction.diagnostics)


def _malformed_json(document: SourceDocument) -> Diagnostic | None:
    """A `.json` document that does not parse is an error at its line, whatever else it holds.

    Recognising a page comes after: a model page cut short (a save or a pull interrupted) would
    otherwise look like no format at all and be skipped with a warning, losing its model quietly.
    """
    if document.path.suffix.lower() != ".json":
        return None
    try:
        parse_json(document.text)
    except JsonProblem as exc:
        return error(document.name, exc.line, str(exc))
    return None


def _provider_by_folder(extraction: Extraction) -> Diagnostic | None:
    """Serve the model by the provider its folder names (`sources/<provider>/...`), as the README
    lays sources out: a page in its provider's format under a folder of the project's own provider
    (`sources/acmeai/`, with `providers/acmeai.yaml`) is that provider's. A page filed under
    another provider cardgen ships is an error: its format and its folder disagree."""
    parts = extraction.document.path.parts
    folder = parts[1] if len(parts) > 2 else None  # a page right below sources/ has none
    if folder is None or folder == extraction.provider:
        return None
    if folder in shipped_providers():
        return error(
            extraction.document.name,
            None,
            f"a {extraction.provider} page filed under sources/{folder}/: move it to "
            f"sources/{extraction.provider}/, or to a folder of a provider of your own",
        )
    extraction.provider = folder
    return None


Extract = Callable[[SourceDocument], tuple[Extraction | None, list[Diagnostic]]]


def extract_all(
    documents: Sequence[SourceDocument], extract: Extract = extract_document
) -> tuple[list[Extraction], list[Diagnostic]]:
    """Every document becomes an extraction, a note (not a model page) or a diagnostic."""
    extractions: list[Extraction] = []
    diagnostics: list[Diagnostic] = []
    for document in documents:
        extraction, found = extract(document)
        diagnostics.extend(found)
        if extraction is not None:
            extractions.append(extraction)
    return extractions, diagnostics


def _describes_a_model(extraction: Extraction) -> bool:
    """A task, or a schema the page shows; a schema derived from nothing on the page is no sign."""
    return any(
        fact.how == "stated" or fact.lines is not None
        for key in MODEL_PAGE_FACTS
        if (fact := extraction.facts.get(key)) is not None
    )


Built = tuple[CatalogEntry | None, list[Diagnostic], list[Diagnostic]]
Build = Callable[[Extraction, ProviderDefaults, str, Overlay | None], Built]


def build_entry(
    extraction: Extraction, defaults: ProviderDefaults, slug: str, overlay: Overlay | None
) -> Built:
    """The entry an extraction makes (None on errors), what building it found, what checking it found.

    A function of the document (name and bytes), its provider's defaults, its slug and its overlay.
    """
    entry, problems = _build_entry(extraction, defaults, slug, overlay)
    texts = {extraction.document.name: extraction.document.text}  # problems at their keyword's line
    return entry, problems, check_entry(entry, texts) if entry is not None else []


def build_catalog(
    documents: Sequence[SourceDocument],
    providers: dict[str, ProviderDefaults],
    overlays: Sequence[Overlay],
    acknowledged: Sequence[Acknowledgement] = (),
    extract: Extract = extract_document,  # one document's extraction; the ingest cache's, say
    build: Build | None = None,  # one extraction's entry and findings; default build_entry
    previous: Mapping[str, str]
    | None = None,  # document -> the entry file it made (`<provider>/<slug>.yaml`)
    listed: Collection[str] | None = None,  # every document's name, read or refused; None: unknown
) -> tuple[Catalog, list[Diagnostic]]:
    """Extract, merge, patch and validate; entries with errors are left out, and reported."""
    extractions, diagnostics = extract_all(documents, extract)
    extractions = resolve_duplicate_ids(extractions, diagnostics)
    kept: dict[str, dict[str, str]] = {}  # provider -> model id -> the slug its entry has now
    for extraction in extractions:
        entry_file = (previous or {}).get(extraction.document.name, "")
        provider, _, file = entry_file.partition("/")
        if provider == extraction.provider and file.endswith(".yaml"):
            kept.setdefault(provider, {})[str(extraction.value("model_id"))] = file.removesuffix(".yaml")
    slugs = {
        provider: assign_slugs(
            (str(e.value("model_id")) for e in extractions if e.provider == provider), kept.get(provider)
        )
        for provider in {e.provider for e in extractions}
    }
    by_target = {(o.provider, o.slug): o for o in overlays}
    entries: list[CatalogEntry] = []
    for extraction in extractions:
        defaults = providers.get(extraction.provider)
        if defaults is None:
            known = ", ".join(sorted(providers)) or "none"
            diagnostics.append(
                error(
                    extraction.document.name,
                    None,
                    f"no defaults for provider {extraction.provider!r} (cardgen knows {known}); "
                    f"write providers/{extraction.provider}.yaml beside the sources",
                )
            )
            continue
        slug = slugs[extraction.provider][str(extraction.value("model_id"))]
        overlay = by_target.pop((extraction.provider, slug), None)
        entry, problems, checked = (build or build_entry)(extraction, defaults, slug, overlay)
        diagnostics.extend(problems)
        if overlay is not None:
            diagnostics = _settled_by_overlay(diagnostics, extraction.document.name, overlay)
        if entry is not None:
            diagnostics.extend(checked)
            entries.append(entry)
    patched = {(o.provider, o.slug) for o in overlays}
    for overlay in by_target.values():
        others = (
            slug
            for slug in slugs.get(overlay.provider, {}).values()
            if (overlay.provider, slug) not in patched
        )
        diagnostics.append(_overlay_without_entry(overlay, others, previous or {}, listed))
    entries.sort(key=lambda e: e.key)
    diagnostics.extend(check_catalog(entries, acknowledged, listed))
    diagnostics.extend(provider_disagreements(entries))
    return Catalog(tuple(entries)), diagnostics


def _overlay_without_entry(
    overlay: Overlay, others: Iterable[str], previous: Mapping[str, str], listed: Collection[str] | None
) -> Diagnostic:
    """An overlay whose file names no entry of this run: its model's page gone, or failing (the
    document that made the entry last time, previous, says which; listed: the sources' documents,
    None when the folder could not be listed), or its name misspelt (others: the provider's slugs
    that no overlay of their own patches)."""
    target = f"{overlay.provider}/{overlay.slug}"
    # With the sources themselves missing (said above), no page can be told gone.
    made_it = [] if listed is None else sorted(n for n, made in previous.items() if made == f"{target}.yaml")
    if made_it and made_it[0] in (listed or ()):
        advice = f"its page {made_it[0]} no longer gives the entry: mend the page (see its diagnostics)"
    elif made_it:
        advice = f"its page {made_it[0]} left the sources: delete the overlay"
    elif close := difflib.get_close_matches(overlay.slug, sorted(others), n=1):
        advice = f"did you mean {overlay.provider}/{close[0]}? An overlay patches the entry its file is named after"
    else:
        advice = "delete the overlay if its model's page left the sources, or name it after an entry"
    return error(overlay.file, None, f"no catalog entry {target} to patch ({advice})")


def _merged_facts(
    extraction: Extraction, defaults: ProviderDefaults
) -> tuple[dict[str, Fact], list[Diagnostic]]:
    facts = {**defaults.facts, **extraction.facts}
    name = extraction.document.name
    diagnostics = unheeded_defaults(defaults, extraction.facts, name)
    if "streaming.supported" not in facts:
        diagnostics.append(
            warning(
                name,
                None,
                "the document does not say whether the model streams; taken as not streaming (an overlay"
                f" can state it, or providers/{extraction.provider}.yaml for all the provider's models)",
                "streaming.supported",
            )
        )
        facts["streaming.supported"] = Fact(False, None, "derived", "not stated in the document")
    if facts["streaming.supported"].value is not True:
        for detail in STREAM_DETAILS:
            facts.pop(f"streaming.{detail}", None)
    if "display_name" not in facts:
        model_id = str(facts["model_id"].value)
        facts["display_name"] = Fact(
            model_id.rsplit("/", 1)[-1], facts["model_id"].lines, "derived", "the model id"
        )
    if "description" not in facts:
        facts["description"] = Fact("", None, "derived", "the document has none")
    missing = [key for key in ("task", "input_schema", "output_schema") if key not in facts]
    if missing:
        diagnostics.append(
            error(name, None, f"the document states no {', '.join(missing)} and none could be derived")
        )
        return facts, diagnostics
    diagnostics.extend(clean_schema_facts(facts, name, lambda: extraction.document.text))
    _derive_limits(facts)
    return facts, diagnostics


def _derive_limits(facts: dict[str, Fact]) -> None:
    """Length limits the input schema states for the prompt and for each message."""
    schema = facts["input_schema"]
    lengths = {
        "limits.max_prompt_length": [p.get("maxLength") for p in property_schemas(schema.value, "prompt")],
        "limits.max_message_length": [
            ((m.get("items") or {}).get("properties") or {}).get("content", {}).get("maxLength")
            for m in property_schemas(schema.value, "messages")
        ],
    }
    for key, found in lengths.items():
        values = {v for v in found if isinstance(v, int)}
        if values and key not in facts:
            facts[key] = Fact(min(values), schema.lines, "derived", "maxLength in input_schema", schema.file)


def _assemble(facts: dict[str, Fact]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, fact in facts.items():
        if key == "examples":
            data["examples"] = [{k: v for k, v in ex.items() if k != "lines"} for ex in fact.value]
            continue
        section, _, leaf = key.partition(".")
        if leaf:
            data.setdefault(section, {})[leaf] = fact.value
        else:
            data[section] = fact.value
    return data


def _provenance(extraction: Extraction, facts: dict[str, Fact], slug_note: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, fact in sorted(facts.items()):
        if key == "examples":
            for index, example in enumerate(fact.value):
                fields[f"examples[{index}]"] = _source(extraction, Fact(None, example.get("lines"), fact.how))
            continue
        fields[key] = _source(extraction, fact)
    model_id_lines = facts["model_id"].lines
    fields["slug"] = {"file": extraction.document.name, "how": "derived", "note": slug_note}
    if model_id_lines:
        fields["slug"]["lines"] = list(model_id_lines)
    return {
        "source": {
            "path": extraction.document.name,
            "sha256": extraction.document.sha256,
            "extractor": extraction.extractor,
        },
        "fields": dict(sorted(fields.items())),
    }


def _source(extraction: Extraction, fact: Fact) -> dict[str, Any]:
    source: dict[str, Any] = {"file": fact.file or extraction.document.name, "how": fact.how}
    if fact.lines:
        source["lines"] = list(fact.lines)
    if fact.note:
        source["note"] = fact.note
    return source


def _settled_by_overlay(diagnostics: list[Diagnostic], document: str, overlay: Overlay) -> list[Diagnostic]:
    """A warning about a field the overlay supplies is no longer a warning."""
    touched = set(overlay.touched())
    return [
        d.with_level(Level.INFO, f" (supplied by {overlay.file})")
        if d.file == document and d.field in touched and d.level is Level.WARNING
        else d
        for d in diagnostics
    ]


def _apply_overlay(data: dict[str, Any], overlay: Overlay) -> dict[str, Any]:
    patched: dict[str, Any] = merge_patch(data, overlay.patch)
    fields = patched["provenance"]["fields"]
    for field in overlay.touched():
        source: dict[str, Any] = {"file": overlay.file, "how": "overlay"}
        if field in overlay.spans:
            source["lines"] = list(overlay.spans[field])
        fields[field] = source
    patched["provenance"]["fields"] = dict(sorted(fields.items()))
    patched["provenance"]["overlays"] = [
        {"path": overlay.file, "sha256": overlay.sha256, "reason": overlay.reason}
    ]
    return patched


def _build_entry(
    extraction: Extraction, defaults: ProviderDefaults, slug: str, overlay: Overlay | None
) -> tuple[CatalogEntry | None, list[Diagnostic]]:
    facts, diagnostics = _merged_facts(extraction, defaults)
    if any(d.level is Level.ERROR for d in diagnostics):
        return None, diagnostics
    data = _assemble(facts)
    data["slug"] = slug
    data["provider"] = extraction.provider
    data["format"] = 1
    data["provenance"] = _provenance(extraction, facts, "from the model id, unique per provider")
    if overlay is not None:
        data = _apply_overlay(data, overlay)
        diagnostics.append(info(overlay.file, None, f"applied to {extraction.provider}/{slug}"))
    problems = entry_format_errors(data)
    if problems:
        name = overlay.file if overlay else extraction.document.name
        return None, [
            *diagnostics,
            *(error(name, None, f"entry is not valid: {p}") for p in problems),
        ]
    try:
        return CatalogEntry.model_validate(data), diagnostics
    except ValidationError as exc:  # the JSON Schema and the model agree; this is a safety net
        return None, [
            *diagnostics,
            error(extraction.document.name, None, f"entry is not valid: {exc}"),
        ]
