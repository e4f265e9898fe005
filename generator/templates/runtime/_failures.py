"""What a failed or a logged attempt needs: its status or connection error, the wait before a retry, its log lines.

Kept out of `_base_client`: a call that succeeds, with logging off, never compiles or runs this.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

import httpx

from ._content import decode_lenient
from ._logs import MAX_LOGGED_BODY
from ._redact import redact_headers, redact_url, scrub
from ._exceptions import told

if TYPE_CHECKING:
    from ._exceptions import APIConnectionError, APIStatusError


def wait_after_status(
    response: httpx.Response,
    attempt: int,
    retries: int,
    errors_key: str,
    secrets: tuple[str, ...],
    status_errors: Mapping[int, str] | None = None,
) -> float:
    """Return the wait before retrying a non-2xx answer (read), or raise its status error."""
    from ._retry import parse_retry_after, retry_delay, should_retry

    if attempt < retries and should_retry(response):
        return retry_delay(attempt, parse_retry_after(response.headers))
    raise status_error_for(response, errors_key, secrets, status_errors)


def wait_after_error(
    request: httpx.Request, exc: httpx.RequestError, attempt: int, retries: int, secrets: tuple[str, ...]
) -> float:
    """Return the wait before retrying after a network failure, or raise it as an SDK error.

    A read timeout is never retried: the request reached the server, which may still be generating,
    and sending it again would start (and bill) the same generation once more. Pass a longer
    `timeout`, or retry yourself on `APITimeoutError`.
    """
    from ._retry import RETRYABLE_ERRORS, retry_delay

    if attempt < retries and isinstance(exc, RETRYABLE_ERRORS) and not isinstance(exc, httpx.ReadTimeout):
        return retry_delay(attempt, None)
    raise connection_error_for(request, exc, secrets) from told(exc)


def status_error_for(
    response: httpx.Response,
    errors_key: str,
    secrets: tuple[str, ...],
    status_errors: Mapping[int, str] | None = None,
) -> APIStatusError:
    """Return the exception for a non-2xx answer whose body has been read."""
    from ._exceptions import provider_errors_of
    from ._exceptions import status_error as error_for

    body = decode_lenient(response)
    return error_for(
        response, body, provider_errors_of(body, errors_key), secrets=secrets, status_errors=status_errors
    )


def connection_error_for(request: httpx.Request, exc: httpx.RequestError, secrets: tuple[str, ...]) -> APIConnectionError:
    """Return the exception for a request that got no answer."""
    from ._exceptions import APIConnectionError, APITimeoutError

    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    what = "Request timed out" if cls is APITimeoutError else "Connection error"
    message = f"{what}: {request.method} {redact_url(request.url)}: {type(exc).__name__}: {exc}"
    return cls(scrub(message, secrets), request=request)


def closed_client_error(request: httpx.Request, owned: bool) -> APIConnectionError:
    """Return the exception for a request a closed HTTP client was asked to send (httpx's is a
    RuntimeError); owned: the SDK client built that HTTP client (else it is the caller's http_client)."""
    from ._exceptions import APIConnectionError

    why = (
        "call models of a client before its `with` block ends, or before close()"
        if owned
        else "the http_client passed to this client is closed"
    )
    return APIConnectionError(f"Client closed: {request.method} {redact_url(request.url)} was not sent; {why}", request=request)


def wait_after_cut(
    request: httpx.Request,
    response: httpx.Response,
    exc: httpx.RequestError,
    attempt: int,
    retries: int,
    secrets: tuple[str, ...],
) -> float:
    """Return the wait before retrying after an answer's body broke off, or raise it as an SDK error.

    A 2xx answer is never sent for again, as a read timeout is not: the server has done the work
    (and billed it). A failed answer (its status says the request was refused) is a network failure.
    """
    if response.is_success:
        raise cut_off_error(request, response, exc, secrets) from told(exc)
    return wait_after_error(request, exc, attempt, retries, secrets)


def cut_off_error(
    request: httpx.Request, response: httpx.Response, exc: httpx.RequestError, secrets: tuple[str, ...]
) -> APIConnectionError:
    """Return the exception for an answer whose status arrived and whose body then broke off."""
    from ._exceptions import APIConnectionError, APITimeoutError

    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    what = "Answer not decodable" if isinstance(exc, httpx.DecodingError) else "Answer cut off"
    message = (
        f"{what}: {request.method} {redact_url(request.url)}: {response.status_code} {response.reason_phrase}, "
        f"then {type(exc).__name__}: {exc} (not sent again: the server has answered)"
    )
    return cls(scrub(message, secrets), request=request)


def log_attempt(
    logger: logging.Logger,
    secrets: tuple[str, ...],
    request: httpx.Request,
    outcome: object,
    attempt: int,
    retries: int,
    response: httpx.Response | None,
) -> None:
    """Log one attempt at INFO; at DEBUG its headers and request body too, credentials redacted."""
    logger.info(
        "%s %s -> %s (attempt %d of %d)",
        request.method,
        scrub(str(redact_url(request.url)), secrets),
        outcome,
        attempt + 1,
        retries + 1,
        stacklevel=2,  # the record names the client's line, as its logger names the client's module
    )
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("request headers: %s", _scrubbed(request.headers, secrets), stacklevel=2)
        body = request.content[:MAX_LOGGED_BODY].decode("utf-8", "replace")
        logger.debug("request body: %s", scrub(body, secrets), stacklevel=2)
        if response is not None:
            logger.debug("response headers: %s", _scrubbed(response.headers, secrets), stacklevel=2)


def _scrubbed(headers: httpx.Headers, secrets: tuple[str, ...]) -> str:
    return scrub(repr(redact_headers(headers.multi_items())), secrets)
