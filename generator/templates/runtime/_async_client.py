"""The asynchronous client: `_base_client`'s decisions, awaited; loaded when an async client is built."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Self

import httpx

from ._base_client import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT,
    BaseAPIClient,
    check_kind,
    shared_ssl_context,
)
from ._request import NO_OPTIONS, RequestOptions, Timeout

if TYPE_CHECKING:
    from ._envelope import ResponseEnvelope
    from ._streaming import StreamSettings
    from ._uploads import Upload

__all__ = ["AsyncAPIClient"]


class AsyncAPIClient(BaseAPIClient[httpx.AsyncClient]):
    """Asynchronous HTTP client for one provider; use it as an async context manager or call `aclose()`.

    `sleep` replaces `asyncio.sleep` between retries (pass `trio.sleep` under trio, a recorder in tests).
    """

    def __init__(
        self,
        *,
        base_url: str,
        auth_header: str,
        auth_value: str | None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        request_envelope: tuple[str, str] | None = None,
        response_envelope: ResponseEnvelope | None = None,
        default_headers: Mapping[str, str] | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        sleep: Callable[[float], Awaitable[None]] | None = None,
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
        check_kind("http_client", http_client, httpx.AsyncClient, "a sync client takes an httpx.Client")
        check_kind("transport", transport, httpx.AsyncBaseTransport, "a sync client takes an httpx.BaseTransport")
        self._owns_client = http_client is None
        # Never follow redirects: see SyncAPIClient.
        if http_client is not None:
            self._client = http_client
        elif transport is not None:
            self._client = httpx.AsyncClient(
                transport=transport, timeout=self.timeout, follow_redirects=False
            )
        else:
            self._client = httpx.AsyncClient(
                verify=shared_ssl_context(), timeout=self.timeout, follow_redirects=False
            )
        if sleep is None:
            import asyncio  # here, not at the top: a program that never awaits does not load asyncio

            sleep = asyncio.sleep
        self._sleep = sleep

    async def post_json(
        self, path: str, *, body: object, model_id: str, options: RequestOptions = NO_OPTIONS
    ) -> object:
        """POST `body` as JSON to `path`; return the decoded result (bytes for a non-JSON answer)."""
        request = self._build_request(path, body, model_id, options=options)
        return self._parse_response(
            await self._send(request, stream=False, options=options)
        )

    async def send_json(
        self, path: str, *, body: object, model_id: str, options: RequestOptions = NO_OPTIONS
    ) -> httpx.Response:
        """POST `body` as JSON to `path`; return the 2xx answer, read, for `decode()` later."""
        request = self._build_request(path, body, model_id, options=options)
        return await self._send(request, stream=False, options=options)

    async def post_upload(
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
        return self._parse_response(
            await self._send(request, stream=False, options=options)
        )

    async def send_upload(
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
        return await self._send(request, stream=False, options=options)

    def stream_events(
        self,
        path: str,
        *,
        body: object,
        model_id: str,
        settings: StreamSettings,
        options: RequestOptions = NO_OPTIONS,
    ) -> AsyncGenerator[object, None]:
        """POST `body` (which asks for a stream) to `path`; yield each event's decoded JSON data.

        `settings` say how this model streams: the media type it answers with and its terminator.

        The request is sent when iteration starts; to stop early, `aclose()` the iterator
        (e.g. with `contextlib.aclosing`) so that the connection is released at once.
        """
        request = self._build_request(path, body, model_id, settings=settings, options=options)
        return self._iter_events(request, settings, options)

    async def open_stream(
        self,
        path: str,
        *,
        body: object,
        model_id: str,
        settings: StreamSettings,
        options: RequestOptions = NO_OPTIONS,
    ) -> httpx.Response:
        """POST `body` (which asks for a stream) to `path`; return the open 2xx event-stream answer.

        Read it with `iter_stream()`, which closes it at the end, or `aclose()` it yourself.
        """
        from ._streaming import decoder_for, is_stream, refusal  # only a stream loads the stream code

        decoder_for(settings, self._secrets)  # an unknown stream format is refused before anything is sent
        request = self._build_request(path, body, model_id, settings=settings, options=options)
        response = await self._send(request, stream=True, options=options)
        if not is_stream(response, settings):
            try:
                await response.aread()
                raise refusal(response, settings, self._response_envelope, self._secrets)
            finally:
                await response.aclose()
        return response

    def iter_stream(self, response: httpx.Response, settings: StreamSettings) -> AsyncGenerator[object, None]:
        """Yield the payloads of an answer `open_stream()` returned, until the terminator; then close it."""
        from ._streaming import aevents, decoder_for

        return aevents(
            response, settings, decoder_for(settings, self._secrets), self._response_envelope, self._secrets
        )

    async def _iter_events(
        self, request: httpx.Request, settings: StreamSettings, options: RequestOptions
    ) -> AsyncGenerator[object, None]:
        """Send `request` and yield its stream's payloads until the terminator."""
        from ._streaming import aevents, decoder_for

        decoder = decoder_for(settings, self._secrets)
        response = await self._send(request, stream=True, options=options)
        payloads = aevents(response, settings, decoder, self._response_envelope, self._secrets)
        try:
            async for payload in payloads:
                yield payload
        finally:  # closed early (`aclose()`): the answer is closed now, not when collected
            await payloads.aclose()

    async def _send(self, request: httpx.Request, *, stream: bool, options: RequestOptions) -> httpx.Response:
        """Send `request`, retrying as the policy allows; return a 2xx answer or raise."""
        attempt, retries = 0, self._retries_of(options)
        while True:
            try:
                # The status line first, the body after: a failure once an answer has arrived is told apart.
                response = await self._client.send(request, stream=True, follow_redirects=False)
            except httpx.RequestError as exc:
                delay = self._delay_after_error(request, exc, attempt, retries)
            except RuntimeError:  # httpx's, for a client closed (`async with` left, aclose() awaited)
                if not self._client.is_closed:
                    raise
                from ._failures import closed_client_error

                raise closed_client_error(request, self._owns_client) from None
            else:
                waited = await self._read_or_delay(request, response, stream, attempt, retries, options)
                if waited is None:
                    return response
                delay = waited
            await self._sleep(delay)
            attempt += 1

    async def _read_or_delay(
        self,
        request: httpx.Request,
        response: httpx.Response,
        stream: bool,
        attempt: int,
        retries: int,
        options: RequestOptions,
    ) -> float | None:
        """`SyncAPIClient._read_or_delay`, read asynchronously."""
        try:
            if not stream or not response.is_success:
                await response.aread()  # and closed
        except httpx.RequestError as exc:
            await response.aclose()
            return self._delay_after_cut(request, response, exc, attempt, retries)
        except BaseException:  # cancelled, say: the connection goes back to the pool all the same
            await response.aclose()
            raise
        return self._delay_after_response(request, response, attempt, retries, options.status_errors)

    async def aclose(self) -> None:
        """Close the underlying HTTP client unless the caller supplied it."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        """Return the client itself."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the client."""
        await self.aclose()
