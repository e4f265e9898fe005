"""Python-safe, per-provider unique slugs from provider model ids."""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable


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


def assign_slugs(model_ids: Iterable[str]) -> dict[str, str]:
    """Give each id the shortest free candidate; ids are taken in sorted order, so it is stable."""
    ids = sorted(set(model_ids))
    wanted = {model_id: candidate_slugs(model_id) for model_id in ids}
    first_choice_count: dict[str, int] = {}
    for candidates in wanted.values():
        first_choice_count[candidates[0]] = first_choice_count.get(candidates[0], 0) + 1
    taken: set[str] = set()
    assigned: dict[str, str] = {}
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
