"""Keep what a cassette may hold of an exchange: no credentials, nothing that changes per run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from generator.render.cassettes import Headers
from generator.shipped import shipped

redact = shipped("runtime", "_redact")
_headers = shipped("tests", "_cassette_headers")
KEPT_REQUEST_HEADERS: frozenset[str] = _headers.KEPT_REQUEST_HEADERS
DROPPED_RESPONSE_HEADERS: frozenset[str] = _headers.DROPPED_RESPONSE_HEADERS


def scrub_text(text: str, secrets: Mapping[str, str]) -> str:
    """Replace each secret value, in any form the SDK's rule knows, by its placeholder."""
    scrubbed: str = redact.scrub(text, secrets)
    return scrubbed


def scrub_bytes(data: bytes, secrets: Mapping[str, str]) -> bytes:
    """Replace each secret value inside a body, text or binary, by its placeholder."""
    scrubbed: bytes = redact.scrub_bytes(data, secrets)
    return scrubbed


def scrub_body(body: str | bytes, secrets: Mapping[str, str]) -> str | bytes:
    """Scrub a stored body, whichever type it is stored as."""
    return scrub_text(body, secrets) if isinstance(body, str) else scrub_bytes(body, secrets)


def request_headers(headers: Iterable[tuple[str, str]], secrets: Mapping[str, str]) -> Headers:
    return tuple(
        (name.lower(), scrub_text(value, secrets))
        for name, value in headers
        if name.lower() in KEPT_REQUEST_HEADERS
    )


def response_headers(headers: Iterable[tuple[str, str]], secrets: Mapping[str, str]) -> Headers:
    """Each kept response header, scrubbed; one named like a credential (set-cookie) redacted whole."""
    return tuple(
        (name.lower(), redact.REDACTED if redact.is_sensitive_header(name) else scrub_text(value, secrets))
        for name, value in headers
        if name.lower() not in DROPPED_RESPONSE_HEADERS
    )
