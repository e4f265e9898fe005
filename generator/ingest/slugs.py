"""Python-safe, per-provider unique slugs from provider model ids."""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable, Mapping


def _clean(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not slug:
        slug = "model"
    if slug[0].isdigit():
        slug = f"m_{slug}"
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        slug = f"{slug}_"
    return slug


def candidate_slugs(model_id: str) -> list[str]:
    """'@cf/meta/llama-3' -> ['llama_3', 'meta_llama_3', 'cf_meta_llama_3']: shortest first."""
    parts = [p for p in re.split(r"[/:]", model_id) if re.search(r"[A-Za-z0-9]", p)]
    candidates = [_clean("_".join(parts[-n:])) for n in range(1, len(parts) + 1)]
    return list(dict.fromkeys(candidates)) or [_clean(model_id)]


def is_slug_of(slug: str, model_id: str) -> bool:
    """Whether slug is one assign_slugs could give model_id: a candidate, or one with a `_N` suffix."""
    base = re.sub(r"_[0-9]+$", "", slug)
    return slug in candidate_slugs(model_id) or base in candidate_slugs(model_id)


def assign_slugs(model_ids: Iterable[str], kept: Mapping[str, str] | None = None) -> dict[str, str]:
    """Give each id the shortest free candidate; ids are taken in sorted order, so it is stable.

    kept: id -> the slug the catalog already gives it. A model keeps its slug (its module, its
    overlays and recordings are named by it), so a model that joins the catalog never renames one
    that is there: the newcomer takes a longer candidate instead.
    """
    ids = sorted(set(model_ids))
    known = set(ids)
    assigned = {
        model_id: slug
        for model_id, slug in (kept or {}).items()
        if model_id in known and is_slug_of(slug, model_id)
    }
    if len(set(assigned.values())) != len(assigned):  # a catalog edited by hand: no slug is kept
        assigned = {}
    ids = [model_id for model_id in ids if model_id not in assigned]
    wanted = {model_id: candidate_slugs(model_id) for model_id in ids}
    first_choice_count: dict[str, int] = {}
    for candidates in wanted.values():
        first_choice_count[candidates[0]] = first_choice_count.get(candidates[0], 0) + 1
    taken: set[str] = set(assigned.values())
    for model_id in ids:
        candidates = wanted[model_id]
        # A short name shared by two ids would make either one's slug depend on the other: skip it.
        usable = [
            c for c in candidates if c not in taken and (c != candidates[0] or first_choice_count[c] == 1)
        ]
        slug = usable[0] if usable else candidates[-1]
        suffix = 2
        base = slug
        while slug in taken:
            slug = f"{base}_{suffix}"
            suffix += 1
        taken.add(slug)
        assigned[model_id] = slug
    return assigned
