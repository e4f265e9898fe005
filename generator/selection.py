"""Which models a `--model` glob names, the same for every command that takes one."""

from __future__ import annotations

import fnmatch


def model_matches(provider: str, slug: str, pattern: str) -> bool:
    """pattern is a glob over `<provider>/<slug>` (`cloudflare/*`), or over the slug alone (`llama*`)."""
    return fnmatch.fnmatchcase(f"{provider}/{slug}", pattern) or fnmatch.fnmatchcase(slug, pattern)
