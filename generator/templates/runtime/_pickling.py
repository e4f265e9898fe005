"""An SDK error as pickle and copy carry it: rebuilt as it was, without the credentials of its
HTTP exchange. Loaded only when an error is pickled or copied."""

from __future__ import annotations

import httpx

from ._redact import REDACTED, is_sensitive_header, redact_url, scrub, scrub_bytes
from ._sdk_error import SDKError, known_secrets


def rebuilt(cls: type[SDKError], args: tuple[object, ...]) -> SDKError:
    error = cls.__new__(cls)
    error.args = args
    return error


def without_credentials(state: dict[str, object]) -> dict[str, object]:
    """The attributes to pickle, the HTTP exchange without its credentials: a pickled error travels
    (to a result store, to another host), and a credential must not. Credential headers are
    redacted by name, and the answer's headers and body scrubbed of this process's credentials
    (a server may echo the key it was sent)."""
    kept = dict(state)
    for name, value in state.items():
        if isinstance(value, httpx.Response):
            kept[name] = _answer_copy(value)
        elif isinstance(value, httpx.Request):
            kept[name] = _request_copy(value)
    return kept


def _request_copy(request: httpx.Request) -> httpx.Request:
    try:
        content = request.content
    except httpx.RequestNotRead:  # a streamed upload: its bytes are gone
        content = b""
    url = redact_url(request.url)
    return httpx.Request(request.method, url, headers=_headers_copy(request.headers), content=content)


def _answer_copy(response: httpx.Response) -> httpx.Response:
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
    pairs = headers.multi_items() if not isinstance(headers, list) else headers
    secrets = known_secrets()
    return [(name, REDACTED if is_sensitive_header(name) else scrub(value, secrets)) for name, value in pairs]
