"""Decide whether and how long to wait before retrying a request.

The policy (written down in the generated README):

- a retry happens only before the answer's first byte reached the caller, at most `max_retries` times;
- `x-should-retry: true` or `false` from the server decides; without it, 408, 409, 429, 5xx and
  network failures that may not have reached the server are retried;
- the wait is the server's `retry-after-ms` or `Retry-After` when it is above 0 and at most
  `RETRY_AFTER_CAP` seconds; otherwise (absent, 0, unparseable or too long) the backoff:
  `min(BACKOFF_CAP, BACKOFF_BASE * BACKOFF_FACTOR ** n)` times a jitter factor in `[1 - JITTER, 1]`.
"""

import email.utils
import random
import time

import httpx

RETRYABLE_STATUS = frozenset({408, 409, 429})
BACKOFF_BASE = 0.5
BACKOFF_FACTOR = 2.0
BACKOFF_CAP = 8.0
RETRY_AFTER_CAP = 60.0
# Bounded jitter: a wait is never below (1 - JITTER) of its backoff step, so never a burst of retries.
JITTER = 0.25
SHOULD_RETRY_HEADER = "x-should-retry"
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


def should_retry(response: httpx.Response) -> bool:
    """Return whether a failed answer is worth another attempt: the server's `x-should-retry`, else its status."""
    wish = response.headers.get(SHOULD_RETRY_HEADER, "").strip().lower()
    if wish == "true":
        return True
    if wish == "false":
        return False
    return is_retryable_status(response.status_code)


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
    """Return the wait before retry number `attempt + 1`: the server's wish within the cap, else backoff."""
    if retry_after is not None and 0 < retry_after <= RETRY_AFTER_CAP:
        return retry_after
    # 0 would retry back to back and a wish over the cap would stall the caller: both take the backoff.
    return backoff(attempt)


def backoff(attempt: int) -> float:
    """Return the capped exponential backoff before retry number `attempt + 1`, with bounded jitter."""
    step = min(BACKOFF_CAP, BACKOFF_BASE * BACKOFF_FACTOR**attempt)
    # The jitter spreads the retries of many clients that failed together without ever bunching them.
    return step * (1.0 - JITTER * _JITTER.random())
