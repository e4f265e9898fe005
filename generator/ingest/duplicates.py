"""One model claimed by several documents: an error, unless one format supersedes the others.

Cloudflare publishes its catalog as one JSON file per model today; its front-matter pages and
scraped docs pages describe the same models as they were. So when every claimant of a model is a
Cloudflare document, each in a different format, and one of them is the JSON format, the JSON
document makes the entry and each other one is a note naming it (with the facts in which they
differ): keeping a model's older page beside its JSON is a supported setup, which needs no answer,
so a note (a page skipped on purpose), not a warning `--strict` would fail on with nothing to answer it.
Two documents of one format claiming one model are always an error: nothing says which is right.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from generator.diagnostics import Diagnostic, error, info, note
from generator.ingest.facts import Extraction

# extractor -> the extractors whose documents it supersedes when both describe one model
SUPERSEDES: dict[str, frozenset[str]] = {
    "cloudflare-json": frozenset({"cloudflare-frontmatter", "cloudflare-docs-page"}),
}
_FLATTENED = ("attributes",)  # compared key by key, so the report names the attribute


def resolve_duplicate_ids(
    extractions: Sequence[Extraction], diagnostics: list[Diagnostic]
) -> list[Extraction]:
    """One extraction per (provider, model id); what was set aside or refused goes to diagnostics."""
    claims: dict[tuple[str, str], list[Extraction]] = {}
    for extraction in extractions:
        claims.setdefault((extraction.provider, str(extraction.value("model_id"))), []).append(extraction)
    kept = []
    for (provider, model_id), claimants in claims.items():
        if len(claimants) == 1:
            kept.append(claimants[0])
            continue
        winner = superseding(claimants)
        if winner is None:
            diagnostics.extend(_refused(provider, model_id, claimants))
            continue
        kept.append(winner)
        for loser in claimants:
            if loser is not winner:
                diagnostics.extend(_superseded(provider, model_id, winner, loser))
    return kept


def superseding(claimants: Sequence[Extraction]) -> Extraction | None:
    """The claimant whose format supersedes every other claimant's (all formats distinct), if any."""
    formats = [c.extractor for c in claimants]
    if len(set(formats)) != len(formats):
        return None
    for claimant in claimants:
        others = {f for f in formats if f != claimant.extractor}
        if others <= SUPERSEDES.get(claimant.extractor, frozenset()):
            return claimant
    return None


def differences(winner: Extraction, loser: Extraction) -> tuple[list[str], list[str], list[str]]:
    """Fields both state differently, fields only the winner states, fields only the loser states."""
    ours, theirs = _comparable(winner), _comparable(loser)
    differ = sorted(key for key in ours.keys() & theirs.keys() if ours[key] != theirs[key])
    only_winner = sorted(key for key in ours.keys() - theirs.keys() if ours[key] not in ([], {}, ""))
    only_loser = sorted(key for key in theirs.keys() - ours.keys() if theirs[key] not in ([], {}, ""))
    return differ, only_winner, only_loser


def _comparable(extraction: Extraction) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, fact in extraction.facts.items():
        if key in _FLATTENED and isinstance(fact.value, dict):
            values.update({f"{key}.{name}": value for name, value in fact.value.items()})
        elif key == "examples":
            values[key] = [{k: v for k, v in example.items() if k != "lines"} for example in fact.value]
        else:
            values[key] = fact.value
    return values


def _line(extraction: Extraction) -> int | None:
    lines = extraction.facts["model_id"].lines
    return lines[0] if lines else None


def _superseded(provider: str, model_id: str, winner: Extraction, loser: Extraction) -> list[Diagnostic]:
    differ, only_winner, only_loser = differences(winner, loser)
    parts = []
    if differ:
        parts.append(f"the two differ in {', '.join(differ)}")
    if only_winner:
        parts.append(f"only {winner.document.name} states {', '.join(only_winner)}")
    if only_loser:
        parts.append(f"only this document states {', '.join(only_loser)}")
    found = "; ".join(parts) if parts else "the two state the same facts"
    return [
        note(
            loser.document.name,
            _line(loser),
            f"{provider} model {model_id!r} is also described by {winner.document.name} ({winner.extractor}), "
            f"which supersedes this {loser.extractor} document; the entry is made from that one; {found}",
        ),
        info(
            winner.document.name,
            _line(winner),
            f"{provider} model {model_id!r}: this document supersedes {loser.document.name} ({loser.extractor})",
        ),
    ]


def _refused(provider: str, model_id: str, claimants: Sequence[Extraction]) -> list[Diagnostic]:
    names = [c.document.name for c in claimants]
    return [
        error(
            claimant.document.name,
            _line(claimant),
            f"{provider} model {model_id!r} is also claimed by "
            + ", ".join(n for n in names if n != claimant.document.name),
        )
        for claimant in claimants
    ]
