"""The root of every SDK error and the credentials each one is scrubbed against.

Apart from the other errors and from the scrubbing rule (`_redact`), which a call that succeeds
never loads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

# Shorter values would blank out ordinary words in messages; real credentials are far longer.
_MIN_SECRET_LENGTH = 6
# Every SDK exception is scrubbed against the credentials of the clients made in this process, so no
# path that builds a message (a validation error, a future one) can forget to.
_KNOWN: dict[str, None] = {}
_KNOWN_LOCK = threading.Lock()
_MAX_KNOWN = 256


def secrets_of(auth_value: str | None) -> tuple[str, ...]:
    """Return the strings to scrub for a credential: the value and, for `Bearer x`, the bare token."""
    if not auth_value:
        return ()
    scheme, _, token = auth_value.partition(" ")
    candidates = (auth_value, token.strip()) if scheme and token.strip() else (auth_value,)
    return tuple(secret for secret in candidates if len(secret) >= _MIN_SECRET_LENGTH)


def remember(secrets: Iterable[str]) -> None:
    """Add credentials to those every SDK exception message is scrubbed against."""
    with _KNOWN_LOCK:
        for secret in secrets:
            if len(secret) >= _MIN_SECRET_LENGTH:
                _KNOWN.pop(secret, None)
                _KNOWN[secret] = None
        while len(_KNOWN) > _MAX_KNOWN:
            del _KNOWN[next(iter(_KNOWN))]


def known_secrets() -> tuple[str, ...]:
    """Return the credentials remembered so far."""
    with _KNOWN_LOCK:
        return tuple(_KNOWN)


class SDKError(Exception):
    """Root of every error the SDK raises."""

    message: str

    def __init__(self, message: str) -> None:
        from ._redact import scrub  # loaded by the first error

        # Whatever built the message, no credential of this process's clients survives in it.
        message = scrub(message, known_secrets())
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[object, ...]:
        # pickle and copy rebuild an exception by calling its class with `args`; the subclasses take
        # keyword-only arguments, so an error raised in a worker process (ProcessPoolExecutor,
        # multiprocessing) could not reach its parent. Rebuilt as it is instead: class, message, attributes.
        return (_rebuilt, (type(self), self.args), _without_credentials(self.__dict__))


def _rebuilt(cls: type[SDKError], args: tuple[object, ...]) -> SDKError:
    error = cls.__new__(cls)
    error.args = args
    return error


def _without_credentials(state: dict[str, object]) -> dict[str, object]:
    """The attributes to pickle, the HTTP exchange without its credentials: a pickled error travels
    (to a result store, to another host), and a credential must not. Credential headers are
    redacted by name, and the answer's headers and body scrubbed of this process's credentials
    (a server may echo the key it was sent)."""
    import httpx  # loaded by now: an error with a request or an answer came from a call

    kept = dict(state)
    for name, value in state.items():
        if isinstance(value, httpx.Response):
            kept[name] = _answer_copy(value)
        elif isinstance(value, httpx.Request):
            kept[name] = _request_copy(value)
    return kept


def _request_copy(request: httpx.Request) -> httpx.Request:
    import httpx

    try:
        content = request.content
    except httpx.RequestNotRead:  # a streamed upload: its bytes are gone
        content = b""
    from ._redact import redact_url

    url = redact_url(request.url)
    return httpx.Request(request.method, url, headers=_headers_copy(request.headers), content=content)


def _answer_copy(response: httpx.Response) -> httpx.Response:
    import httpx

    from ._redact import scrub_bytes

    try:
        request: httpx.Request | None = _request_copy(response.request)
    except RuntimeError:  # an answer made without a request
        request = None
    try:
        content = scrub_bytes(response.content, known_secrets())
    except httpx.ResponseNotRead:
        content = b""
    # The body kept is the decoded one: its encoding and length headers would have it decoded again.
    kept = [(name, value) for name, value in response.headers.multi_items() if name.lower() not in _BODY_HEADERS]
    return httpx.Response(response.status_code, headers=_headers_copy(kept), content=content, request=request)


_BODY_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def _headers_copy(headers: httpx.Headers | list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers with credential ones redacted by name and the rest scrubbed of known credentials."""
    from ._redact import REDACTED, is_sensitive_header, scrub

    pairs = headers.multi_items() if not isinstance(headers, list) else headers
    secrets = known_secrets()
    return [(name, REDACTED if is_sensitive_header(name) else scrub(value, secrets)) for name, value in pairs]

