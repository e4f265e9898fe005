"""Send requests for the per-model clients: URLs, auth, retries, status errors, envelopes and streams.

The blocking client is here; the asynchronous one is in `_async_client`, loaded when one is built.
Streams, uploads and retries load their modules when a call first needs them: a program that only
makes plain calls never compiles or runs that code.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Generic, Self, TypeVar, cast

import httpx

from ._content import JSON, is_json, media_type
from ._envelope import ResponseEnvelope, unwrap_response, wrap_request
from ._logs import setup_logging
from ._request import NO_OPTIONS, RequestOptions, Timeout, Unset, check_max_retries, check_timeout
from ._sdk_error import remember, secrets_of
from ._urls import join_path, normalize_base_url

if TYPE_CHECKING:
    import ssl

    from ._streaming import StreamSettings
    from ._uploads import Upload

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "ResponseEnvelope",
    "SyncAPIClient",
]

logger = logging.getLogger(__name__)
setup_logging()

# Generation is slow: a long read timeout (openai-python's), a short connect one.
DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
DEFAULT_USER_AGENT = "python-sdk"

_ClientT = TypeVar("_ClientT", httpx.Client, httpx.AsyncClient)


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """The TLS context of every client built without a transport or http_client of its own.

    Loading the CA certificates is most of what a new client costs; they are loaded once per process.
    Sharing is safe: httpcore writes only the ALPN protocols into it, http/1.1 for every client here.
    """
    return httpx.create_ssl_context()


class BaseAPIClient(Generic[_ClientT]):
    """Configuration and every decision shared by the sync and async clients; no I/O here."""

    base_url: str
    max_retries: int
    timeout: httpx.Timeout
    _client: _ClientT
    _owns_client: bool

    def __init__(
        self,
        *,
        base_url: str,
        auth_header: str,
        auth_value: str | None,
        timeout: Timeout,
        max_retries: int,
        request_envelope: tuple[str, str] | None,
        response_envelope: ResponseEnvelope | None,
        default_headers: Mapping[str, str] | None,
        user_agent: str,
    ) -> None:
        check_max_retries(max_retries)
        check_timeout(timeout)
        self.base_url = normalize_base_url(base_url)
        self.max_retries = max_retries
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._request_envelope = request_envelope
        self._response_envelope = response_envelope
        self._errors_key = (response_envelope.errors_key if response_envelope else None) or "errors"
        # Headers are built once here so that a call only merges them into its request.
        headers = httpx.Headers({"Accept": JSON, "Content-Type": JSON, "User-Agent": user_agent})
        headers.update(default_headers or {})
        if auth_value is not None:
            headers[auth_header] = auth_value
        self._json_headers = headers
        self._secrets = secrets_of(auth_value) + _secrets_in(default_headers)
        remember(self._secrets)

    def __repr__(self) -> str:
        """Show the base URL, never the credential."""
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def copy_with(
        self,
        *,
        timeout: Timeout | Unset,
        max_retries: int | Unset,
        default_headers: Mapping[str, str] | None,
    ) -> Self:
        """Return a copy with other defaults that shares this one's connection pool (and never closes it)."""
        clone = copy.copy(self)
        # request_options() checked both (with_options, the only caller)
        if not isinstance(timeout, Unset):
            clone.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        if not isinstance(max_retries, Unset):
            clone.max_retries = max_retries
        if default_headers:
            clone._json_headers = self._json_headers.copy()
            clone._json_headers.update(default_headers)
            clone._secrets = self._secrets + _secrets_in(default_headers)
            remember(clone._secrets)  # what errors keep beside their message is scrubbed against these too
        clone._owns_client = False
        return clone

    def _timeout_of(self, options: RequestOptions) -> httpx.Timeout:
        timeout = options.timeout
        if isinstance(timeout, Unset):
            return self.timeout
        return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)

    @staticmethod
    def _headers_of(headers: httpx.Headers, options: RequestOptions) -> httpx.Headers:
        if options.headers:
            remember(_secrets_in(options.headers))  # a credential given for one call is scrubbed like the key
            headers = headers.copy()
            headers.update(options.headers)
        return headers

    def _build_request(
        self,
        path: str,
        body: object,
        model_id: str,
        *,
        settings: StreamSettings | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> httpx.Request:
        """Return the POST request for `path` carrying `body` as JSON, in the request envelope if any.

        A streaming request accepts the media type of the model's own stream.
        """
        url = join_path(self.base_url, path)
        payload = wrap_request(self._request_envelope, model_id, body)
        try:
            content = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
        except ValueError as exc:  # NaN or an infinity: no JSON form
            from ._request_errors import non_finite_error

            raise (non_finite_error(body, model_id) or exc) from None
        headers = self._json_headers
        if settings is not None:
            headers = headers.copy()
            headers["Accept"] = settings.content_type
        if options.headers is None and options.query is None and isinstance(options.timeout, Unset):
            # No call option changes the request (a model's status_errors do not): the fast path,
            # which spares httpx merging query parameters into the URL (~20 us a call).
            return self._client.build_request(
                "POST", url, content=content, headers=headers, timeout=self.timeout
            )
        return self._client.build_request(
            "POST",
            url,
            params=_query(options) or None,
            content=content,
            headers=self._headers_of(headers, options),
            timeout=self._timeout_of(options),
        )

    def _build_upload_request(
        self,
        path: str,
        upload: Upload,
        query: list[tuple[str, str]],
        model_id: str,
        options: RequestOptions = NO_OPTIONS,
    ) -> httpx.Request:
        """Return the POST request for `path` carrying `upload` as its body and `query` in the URL."""
        if self._request_envelope is not None:
            raise TypeError(f"{model_id}: this provider wraps every input in JSON; it takes no raw body")
        headers = self._headers_of(self._json_headers.copy(), options)
        headers["Content-Type"] = upload.content_type
        url = join_path(self.base_url, path)
        return self._client.build_request(
            "POST",
            url,
            params=(*query, *_query(options)),
            content=upload.content,
            headers=headers,
            timeout=self._timeout_of(options),
        )

    def _retries_of(self, options: RequestOptions) -> int:
        return self.max_retries if isinstance(options.max_retries, Unset) else options.max_retries

    def _delay_after_response(
        self,
        request: httpx.Request,
        response: httpx.Response,
        attempt: int,
        retries: int,
        status_errors: Mapping[int, str] | None = None,
    ) -> float | None:
        """Return None to accept a 2xx answer, the wait before retrying, or raise its status error
        (status_errors: the model's own meaning of a status, as its document declares it)."""
        self._log(request, response.status_code, attempt, retries, response)
        if response.is_success:
            return None
        from ._failures import wait_after_status  # only a failure loads it

        waited = wait_after_status(response, attempt, retries, self._errors_key, self._secrets, status_errors)
        return self._waiting(waited)

    def _delay_after_error(
        self, request: httpx.Request, exc: httpx.RequestError, attempt: int, retries: int
    ) -> float:
        """Return the wait before retrying after a network failure, or raise it as an SDK error.

        A read timeout is never retried (see `_failures.wait_after_error`).
        """
        self._log(request, type(exc).__name__, attempt, retries)
        from ._failures import wait_after_error  # only a failure loads it

        return self._waiting(wait_after_error(request, exc, attempt, retries, self._secrets))

    def _delay_after_cut(
        self, request: httpx.Request, response: httpx.Response, exc: httpx.RequestError, attempt: int, retries: int
    ) -> float:
        """Return the wait before retrying after an answer's body broke off, or raise it as an SDK error.

        A 2xx answer cut short is never retried: the server has done the work (and billed it).
        """
        self._log(request, f"{response.status_code}, then {type(exc).__name__}", attempt, retries)
        from ._failures import wait_after_cut  # only a failure loads it

        return self._waiting(wait_after_cut(request, response, exc, attempt, retries, self._secrets))

    @staticmethod
    def _waiting(delay: float) -> float:
        """The wait before the next attempt, logged at INFO."""
        logger.info("retrying in %.2f s", delay)
        return delay

    def _log(
        self,
        request: httpx.Request,
        outcome: object,
        attempt: int,
        retries: int,
        response: httpx.Response | None = None,
    ) -> None:
        """Log one attempt at INFO; at DEBUG its headers and request body too, credentials redacted."""
        if logger.isEnabledFor(logging.INFO):
            from ._failures import log_attempt  # only logging, or a failure, loads it

            log_attempt(logger, self._secrets, request, outcome, attempt, retries, response)

    def decode(self, response: httpx.Response) -> object:
        """Return a 2xx answer's JSON without its envelope, or its raw bytes when it is not JSON."""
        return self._parse_response(response)

    def _parse_response(self, response: httpx.Response) -> object:
        """Return a 2xx answer's JSON without its envelope, or its raw bytes when it is not JSON."""
        if not is_json(media_type(response)):
            return response.content
        try:
            body = json.loads(response.content)
        except ValueError as exc:
            from ._exceptions import ResponseValidationError

            raise ResponseValidationError(
                "response declares JSON but is not valid JSON", expected="JSON", body=response.text
            ) from exc
        return unwrap_response(self._response_envelope, body, secrets=self._secrets)


def _secrets_in(headers: Mapping[str, str] | None) -> tuple[str, ...]:
    """Return the credentials among `headers` (Authorization, X-API-Key, ...), to scrub like the key."""
    if not headers:
        return ()
    from ._redact import is_sensitive_header

    return tuple(
        secret for name, value in headers.items() if is_sensitive_header(name) for secret in secrets_of(value)
    )


def check_kind(name: str, given: object, kind: type, other: str) -> None:
    """Refuse, when the client is built, what would fail at the first call (an async httpx client
    given to a sync SDK client, say), with what it takes instead; None is not given."""
    if given is not None and not isinstance(given, kind):
        raise TypeError(f"{name} must be an httpx.{kind.__name__}, not {type(given).__name__} ({other})")


def _query(options: RequestOptions) -> tuple[tuple[str, str], ...]:
    """Return a call's extra query parameters as pairs; a list value repeats its key, None leaves it out."""
    pairs: list[tuple[str, str]] = []
    for key, value in (options.query or {}).items():
        items = cast("list[object] | tuple[object, ...]", value) if isinstance(value, list | tuple) else (value,)
        for item in items:
            if item is not None:  # not the text `None`
                pairs.append((key, _query_text(item)))
    return tuple(pairs)


def _query_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class SyncAPIClient(BaseAPIClient[httpx.Client]):
    """Blocking HTTP client for one provider; use it as a context manager or call `close()`.

    `sleep` replaces `time.sleep` between retries (tests pass a recorder so that they do not wait).
    """

    def __init__(
        self,
        *,
        base_url: str,
        auth_header: str,
        auth_value: str | None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        request_envelope: tuple[str, str] | None = None,
        response_envelope: ResponseEnvelope | None = None,
        default_headers: Mapping[str, str] | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__(
            base_url=base_url,
            auth_header=auth_header,
            auth_value=auth_value,
            timeout=timeout,
            max_retries=max_retries,
            request_envelope=request_envelope,
            response_envelope=response_envelope,
            default_headers=default_headers,
            user_agent=user_agent,
        )
        if http_client is not None and transport is not None:
            raise ValueError("pass http_client or transport, not both")
        check_kind("http_client", http_client, httpx.Client, "an async client takes an httpx.AsyncClient")
        check_kind("transport", transport, httpx.BaseTransport, "an async client takes an httpx.AsyncBaseTransport")
        self._owns_client = http_client is None
        # Redirects are never followed: httpx would replay the credential header to whatever host a
        # redirect names, and a POST body would not survive a 301/302 anyway. `send` repeats this per
        # request so that a caller's own http_client cannot turn it back on.
        if http_client is not None:
            self._client = http_client
        elif transport is not None:  # brings its own TLS, if any
            self._client = httpx.Client(transport=transport, timeout=self.timeout, follow_redirects=False)
        else:
            self._client = httpx.Client(
                verify=shared_ssl_context(), timeout=self.timeout, follow_redirects=False
            )
        self._sleep = sleep if sleep is not None else time.sleep

    def post_json(
        self, path: str, *, body: object, model_id: str, options: RequestOptions = NO_OPTIONS
    ) -> object:
        """POST `body` as JSON to `path`; return the decoded result (bytes for a non-JSON answer)."""
        request = self._build_request(path, body, model_id, options=options)
        return self._parse_response(self._send(request, stream=False, options=options))

    def send_json(
        self, path: str, *, body: object, model_id: str, options: RequestOptions = NO_OPTIONS
    ) -> httpx.Response:
        """POST `body` as JSON to `path`; return the 2xx answer, read, for `decode()` later."""
        request = self._build_request(path, body, model_id, options=options)
        return self._send(request, stream=False, options=options)

    def post_upload(
        self,
        path: str,
        *,
        upload: Upload,
        query: list[tuple[str, str]],
        model_id: str,
        options: RequestOptions = NO_OPTIONS,
    ) -> object:
        """POST `upload` as the raw body to `path`, `query` in the URL; return the decoded result."""
        request = self._build_upload_request(path, upload, query, model_id, options)
        return self._parse_response(self._send(request, stream=False, options=options))

    def send_upload(
        self,
        path: str,
        *,
        upload: Upload,
        query: list[tuple[str, str]],
        model_id: str,
        options: RequestOptions = NO_OPTIONS,
    ) -> httpx.Response:
        """POST `upload` as the raw body to `path`; return the 2xx answer, read, for `decode()` later."""
        request = self._build_upload_request(path, upload, query, model_id, options)
        return self._send(request, stream=False, options=options)

    def stream_events(
        self,
        path: str,
        *,
        body: object,
        model_id: str,
        settings: StreamSettings,
        options: RequestOptions = NO_OPTIONS,
    ) -> Generator[object, None, None]:
        """POST `body` (which asks for a stream) to `path`; yield each event's decoded JSON data.

        `settings` say how this model streams: the media type it answers with and its terminator.

        The request is sent when iteration starts; close the iterator to stop early.
        """
        request = self._build_request(path, body, model_id, settings=settings, options=options)
        return self._iter_events(request, settings, options)

    def open_stream(
        self,
        path: str,
        *,
        body: object,
        model_id: str,
        settings: StreamSettings,
        options: RequestOptions = NO_OPTIONS,
    ) -> httpx.Response:
        """POST `body` (which asks for a stream) to `path`; return the open 2xx event-stream answer.

        Read it with `iter_stream()`, which closes it at the end, or close it yourself.
        """
        from ._streaming import decoder_for, is_stream, refusal  # only a stream loads the stream code

        decoder_for(settings, self._secrets)  # an unknown stream format is refused before anything is sent
        request = self._build_request(path, body, model_id, settings=settings, options=options)
        response = self._send(request, stream=True, options=options)
        if not is_stream(response, settings):
            try:
                response.read()
                raise refusal(response, settings, self._response_envelope, self._secrets)
            finally:
                response.close()
        return response

    def iter_stream(self, response: httpx.Response, settings: StreamSettings) -> Generator[object, None, None]:
        """Yield the payloads of an answer `open_stream()` returned, until the terminator; then close it."""
        from ._streaming import decoder_for, events

        return events(
            response, settings, decoder_for(settings, self._secrets), self._response_envelope, self._secrets
        )

    def _iter_events(
        self, request: httpx.Request, settings: StreamSettings, options: RequestOptions
    ) -> Generator[object, None, None]:
        """Send `request` and yield its stream's payloads until the terminator."""
        from ._streaming import decoder_for, events

        decoder = decoder_for(settings, self._secrets)
        response = self._send(request, stream=True, options=options)
        yield from events(response, settings, decoder, self._response_envelope, self._secrets)

    def _send(self, request: httpx.Request, *, stream: bool, options: RequestOptions) -> httpx.Response:
        """Send `request`, retrying as the policy allows; return a 2xx answer or raise."""
        attempt, retries = 0, self._retries_of(options)
        while True:
            try:
                # The status line first, the body after: a failure once an answer has arrived is told apart.
                response = self._client.send(request, stream=True, follow_redirects=False)
            except httpx.RequestError as exc:
                delay = self._delay_after_error(request, exc, attempt, retries)
            except RuntimeError:  # httpx's, for a client closed (`with` left, close() called)
                if not self._client.is_closed:
                    raise
                from ._failures import closed_client_error

                raise closed_client_error(request, self._owns_client) from None
            else:
                waited = self._read_or_delay(request, response, stream, attempt, retries, options)
                if waited is None:
                    return response
                delay = waited
            self._sleep(delay)
            attempt += 1

    def _read_or_delay(
        self,
        request: httpx.Request,
        response: httpx.Response,
        stream: bool,
        attempt: int,
        retries: int,
        options: RequestOptions,
    ) -> float | None:
        """Read an answer (not a started stream); None to accept it, else the wait before retrying."""
        try:
            if not stream or not response.is_success:
                response.read()  # and closed
        except httpx.RequestError as exc:
            response.close()
            return self._delay_after_cut(request, response, exc, attempt, retries)
        except BaseException:  # Ctrl-C, say: the connection goes back to the pool all the same
            response.close()
            raise
        return self._delay_after_response(request, response, attempt, retries, options.status_errors)

    def close(self) -> None:
        """Close the underlying HTTP client unless the caller supplied it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        """Return the client itself."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the client."""
        self.close()
