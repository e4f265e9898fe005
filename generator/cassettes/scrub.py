"""Keep what a cassette may hold of an exchange: no credentials, nothing that changes per run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import quote

from generator.render.cassettes import Headers

# Request headers are kept by allowlist, so no auth header (whatever its name) is ever stored.
KEPT_REQUEST_HEADERS = frozenset({"accept", "content-type"})
# Response headers that differ on every run, describe the connection, or carry credentials.
DROPPED_RESPONSE_HEADERS = frozenset(
    {
        "authorization",
        "connection",
        "content-encoding",
        "content-length",
        "cookie",
        "date",
        "keep-alive",
        "proxy-authorization",
        "server",
        "set-cookie",
        "transfer-encoding",
        "x-api-key",
    }
)


def scrub_text(text: str, secrets: Mapping[str, str]) -> str:
    """Replace each secret value, raw or percent-encoded, by its placeholder."""
    for value, placeholder in sorted(secrets.items(), key=lambda item: -len(item[0])):
        if value:
            text = text.replace(value, placeholder).replace(quote(value, safe=""), placeholder)
    return text


def request_headers(headers: Iterable[tuple[str, str]], secrets: Mapping[str, str]) -> Headers:
    return tuple(
        (name.lower(), scrub_text(value, secrets))
        for name, value in headers
        if name.lower() in KEPT_REQUEST_HEADERS
    )


def response_headers(headers: Iterable[tuple[str, str]], secrets: Mapping[str, str]) -> Headers:
    return tuple(
        (name.lower(), scrub_text(value, secrets))
        for name, value in headers
        if name.lower() not in DROPPED_RESPONSE_HEADERS
    )
