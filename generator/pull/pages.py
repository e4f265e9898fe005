"""Page-based providers (Dataoorts, Segmind): each configured page fetched and stored as published.

Markdown and text are stored byte for byte (line endings as sent); an HTML page is reduced to its
text first (`html_text.py`). A page that answers 404 is gone upstream.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from generator.pull.config import PageSpec
from generator.pull.fetch import FetchError, get
from generator.pull.folder import Pulled
from generator.pull.html_text import html_to_text, looks_like_html
from generator.selection import name_selected, unmatched_names


def pull_pages(
    client: httpx.Client,
    pages: tuple[PageSpec, ...],
    base_url: str | None,
    folder: Path,
    patterns: tuple[str, ...],
    progress: Callable[[str], None],
) -> Pulled:
    chosen = [page for page in pages if name_selected((page.file, page.url), patterns)]
    pulled = Pulled(unmatched=unmatched_names(((page.file, page.url) for page in pages), patterns))
    for index, page in enumerate(chosen, start=1):
        url = rebase(page.url, base_url) if base_url else page.url
        try:
            response = get(client, url)
        except FetchError as exc:
            if exc.status in {404, 410}:
                if (folder / page.file).is_file():
                    pulled.gone[page.file] = page.file
                progress(f"[{index}/{len(chosen)}] {page.file}: gone upstream ({url})")
            else:
                pulled.failed[page.file] = str(exc)
                progress(f"[{index}/{len(chosen)}] {page.file}: FAILED: {exc}")
            continue
        text = response.text
        if looks_like_html(response.headers.get("content-type", ""), text):
            text = html_to_text(text)
        pulled.documents[page.file] = (page.file, text)
        progress(f"[{index}/{len(chosen)}] {page.file}")
    return pulled


def rebase(url: str, base_url: str) -> str:
    """url with its scheme and host (and any path prefix) taken from base_url."""
    base, page = urlsplit(base_url), urlsplit(url)
    return urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + page.path, page.query, ""))
