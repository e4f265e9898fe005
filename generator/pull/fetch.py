"""Requests with bounded retries: 429, 5xx and broken connections are tried again, with backoff.

`pull` GETs documents with it, and `record` sends each recorded request through it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

ATTEMPTS = 3
BACKOFF = 0.5  # seconds before the second attempt; doubled each time
MAX_WAIT = 5.0  # no Retry-After makes one wait longer than this
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class FetchError(Exception):
    """A request that failed for good: the last status or transport error, said plainly."""

    def __init__(self, message: str, status: int | None = None, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def get(client: httpx.Client, url: str, params: dict[str, str | int] | None = None) -> httpx.Response:
    """The response to GET url (status 2xx), after up to ATTEMPTS tries; FetchError otherwise."""
    return retried(lambda: client.get(url, params=params), f"GET {url}")


def retried(send: Callable[[], httpx.Response], what: str) -> httpx.Response:
    """send()'s response (status 2xx, its body read), after up to ATTEMPTS tries; FetchError otherwise.

    what names the request in a transport error's message (`POST https://...`). Any other 4xx
    than 429 is not tried again: the same request would get the same answer.
    """
    problem = FetchError(f"{what}: not tried")
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(_wait(problem, attempt))
        try:
            response = send()
        except httpx.HTTPError as exc:  # also a body cut midway, which only reading it finds
            problem = FetchError(f"{what}: {type(exc).__name__}: {exc}")
            continue
        if response.is_success:
            return response
        problem = FetchError(
            f"{response.request.method} {response.url}: HTTP {response.status_code}{_said(response)}",
            response.status_code,
            response.headers.get("retry-after"),
        )
        if response.status_code != 429 and response.status_code < 500:
            raise problem
    raise FetchError(f"{problem} (after {ATTEMPTS} attempts)", problem.status)


def _wait(problem: FetchError, attempt: int) -> float:
    if problem.retry_after is not None and problem.retry_after.strip().isdigit():
        return min(float(problem.retry_after), MAX_WAIT)
    return min(BACKOFF * 2.0 ** (attempt - 1), MAX_WAIT)


def _said(response: httpx.Response) -> str:
    """The error message a provider put in its body, shortened, if any."""
    text = response.text.strip().replace("\n", " ")
    return f": {text[:200]}" if text else ""
