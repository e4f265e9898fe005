"""Keep credentials out of reprs, exception messages and logs."""

from collections.abc import Iterable, Mapping

REDACTED = "<redacted>"
SENSITIVE_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "cookie", "proxy-authorization"})
# Shorter values would blank out ordinary words in messages; real credentials are far longer.
_MIN_SECRET_LENGTH = 6


def redact_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return a copy of `headers` with credential values replaced by a placeholder."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {name: REDACTED if name.lower() in SENSITIVE_HEADERS else value for name, value in items}


def secrets_of(auth_value: str | None) -> tuple[str, ...]:
    """Return the strings to scrub for a credential: the value and, for `Bearer x`, the bare token."""
    if not auth_value:
        return ()
    scheme, _, token = auth_value.partition(" ")
    candidates = (auth_value, token.strip()) if scheme and token.strip() else (auth_value,)
    return tuple(secret for secret in candidates if len(secret) >= _MIN_SECRET_LENGTH)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each secret in `text` with a placeholder."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text
