"""Join caller-built paths to the base URL so that they can never change its scheme or host."""

import re
import urllib.parse

import httpx

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_FORBIDDEN = re.compile(r"[?#\\\x00-\x20\x7f]")
_DOT_SEGMENTS = frozenset({".", ".."})


def normalize_base_url(base_url: str) -> str:
    """Return `base_url` without its trailing slash; raise ValueError unless it is a plain http(s) URL."""
    url = httpx.URL(base_url)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
    if url.userinfo:
        # Credentials in the URL would show up in reprs and logs; they belong in auth_value.
        raise ValueError("base_url must not contain credentials; pass the key as api_key (or in the environment)")
    if url.query or url.fragment:
        raise ValueError("base_url must not contain a query or a fragment")
    return str(url).rstrip("/")


def join_path(base_url: str, path: str) -> str:
    """Return `base_url` + `path`; raise ValueError for a path that could leave the base URL."""
    if path.startswith("//") or _SCHEME.match(path):
        raise ValueError(f"path must be relative to the base URL, got {path!r}")
    if _FORBIDDEN.search(path):
        raise ValueError(
            f"path must not contain '?', '#', backslashes, spaces or control characters: {path!r}"
        )
    for segment in path.split("/"):
        # A server may decode %2e%2e before resolving dot segments, so check the decoded form too.
        if segment in _DOT_SEGMENTS or ("%" in segment and urllib.parse.unquote(segment) in _DOT_SEGMENTS):
            raise ValueError(f"path must not contain '.' or '..' segments: {path!r}")
    return f"{base_url}/{path.lstrip('/')}"
