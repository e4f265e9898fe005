"""Decide whether and how long to wait before retrying a request."""

import email.utils
import random
import time

import httpx

RETRYABLE_STATUS = frozenset({408, 409, 429})
BACKOFF_BASE = 0.5
BACKOFF_FACTOR = 2.0
BACKOFF_CAP = 8.0
RETRY_AFTER_CAP = 60.0
# Not the shared module generator: a caller's random.seed() must not make many processes retry in lockstep.
_JITTER = random.SystemRandom()
# Errors that mean the request may never have reached the server or its answer was lost in transit;
# a malformed URL or an unsupported scheme would fail the same way again.
RETRYABLE_ERRORS: tuple[type[httpx.RequestError], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)


def is_retryable_status(status_code: int) -> bool:
    """Return whether an answer with this status is worth another attempt."""
    return status_code in RETRYABLE_STATUS or status_code >= 500


def parse_retry_after(headers: httpx.Headers) -> float | None:
    """Return the wait the server asks for, in seconds, from `retry-after-ms` or `Retry-After`."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000
        except ValueError:
            pass
        else:
            if value >= 0:
                return value
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        return _seconds_until(raw)
    return value if value >= 0 else None


def _seconds_until(http_date: str) -> float | None:
    """Return the seconds from now until an HTTP-date, or None if it does not parse."""
    try:
        moment = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - time.time())


def retry_delay(attempt: int, retry_after: float | None) -> float:
    """Return the wait before retry number `attempt + 1`: the server's wish, capped, else jittered backoff."""
    if retry_after is not None:
        return min(retry_after, RETRY_AFTER_CAP)
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * BACKOFF_FACTOR**attempt)
    # Full jitter spreads the retries of many clients that failed together.
    return _JITTER.uniform(0.0, ceiling)
