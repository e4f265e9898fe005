"""What a call answers besides its typed result: a `RawResponse`, a started `StreamResponse`.

Loaded by the first call that asks for one (`with_raw_response`, `with_streaming_response`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine, Generator, Iterator
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

import httpx

if TYPE_CHECKING:
    from datetime import timedelta
    from types import TracebackType

_T = TypeVar("_T")
# Where providers put the id of a request, most specific first (Cloudflare answers with cf-ray).
REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "cf-ray")


class _ResponseInfo:
    """What any answer tells besides its body: status, headers, request id."""

    http_response: httpx.Response

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The answer's headers, e.g. Segmind's `x-remaining-credits`."""
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The provider's id for this request, from the first of REQUEST_ID_HEADERS it sent."""
        return request_id_of(self.http_response.headers)

    def __repr__(self) -> str:
        """`<RawResponse [200] req-7>`: the class, the status and the request id, if any."""
        return f"<{type(self).__name__} [{self.status_code}] {self.request_id or ''}>".replace(" >", ">")


def request_id_of(headers: httpx.Headers) -> str | None:
    """The provider's id for a request, from the first of REQUEST_ID_HEADERS its answer holds."""
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return str(value)
    return None


class RawResponse(_ResponseInfo, Generic[_T]):
    """A 2xx answer as it came: status, headers, request id, elapsed time; `parse()` gives the typed answer."""

    def __init__(self, response: httpx.Response, parse: Callable[[httpx.Response], _T]) -> None:
        self.http_response = response
        self._parse = parse
        self._parsed: list[_T] = []  # the typed answer, once parsed (a list: None may be an answer)

    @property
    def elapsed(self) -> timedelta | None:
        """Time from sending the request to reading the answer; None when the transport did not say."""
        try:
            return self.http_response.elapsed
        except RuntimeError:  # an in-memory transport's answer that was never streamed
            return None

    @property
    def url(self) -> httpx.URL:
        return self.http_response.url

    @property
    def content(self) -> bytes:
        return self.http_response.content

    def parse(self) -> _T:
        """Return the typed answer, as `run()` would have (validated against the model's output schema);
        parsed once, then the same object again, as openai-python's."""
        if not self._parsed:
            self._parsed.append(self._parse(self.http_response))
        return self._parsed[0]


class StreamResponse(_ResponseInfo, Generic[_T]):
    """A started event stream: status, headers and request id at once; iterate it for the typed chunks.

    Use it in a `with` block (or call `close()`) so that the connection is released.
    """

    def __init__(self, response: httpx.Response, chunks: Iterator[_T]) -> None:
        self.http_response = response
        self._chunks = chunks

    def __iter__(self) -> Iterator[_T]:
        return self._chunks

    def close(self) -> None:
        """Stop reading and release the connection."""
        self.http_response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


class AsyncStreamResponse(_ResponseInfo, Generic[_T]):
    """A started event stream, read with `async for`; use `async with` (or `aclose()`) to release it."""

    def __init__(self, response: httpx.Response, chunks: AsyncIterator[_T]) -> None:
        self.http_response = response
        self._chunks = chunks

    def __aiter__(self) -> AsyncIterator[_T]:
        return self._chunks

    async def aclose(self) -> None:
        """Stop reading and release the connection."""
        await self.http_response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()


class AsyncStreamStart(Coroutine[Any, Any, AsyncStreamResponse[_T]]):
    """An async stream about to start: `async with` it for its `AsyncStreamResponse` (sent on entering,
    released on leaving), as openai-python's `with_streaming_response` has it; or `await` it, or hand
    it to `asyncio.create_task`, as the coroutine it also is.

    Nothing is sent until then; the arguments were checked when `stream()` was called.
    """

    def __init__(self, start: Callable[[], Coroutine[Any, Any, AsyncStreamResponse[_T]]]) -> None:
        self._start = start
        self._coroutine: Coroutine[Any, Any, AsyncStreamResponse[_T]] | None = None
        self._started: AsyncStreamResponse[_T] | None = None

    def _running(self) -> Coroutine[Any, Any, AsyncStreamResponse[_T]]:
        """The request's coroutine, made on first use: one that is never used is never left unawaited."""
        if self._coroutine is None:
            self._coroutine = self._start()
        return self._coroutine

    def __await__(self) -> Generator[Any, None, AsyncStreamResponse[_T]]:
        return self._running().__await__()

    def send(self, value: Any) -> Any:
        return self._running().send(value)

    def throw(
        self, typ: type[BaseException] | BaseException, val: object = None, tb: TracebackType | None = None, /
    ) -> Any:
        # The one-argument form (an exception), or the old three: a class, and a value or its argument.
        if isinstance(typ, BaseException):
            error = typ
        else:
            error = val if isinstance(val, BaseException) else typ() if val is None else typ(val)
        return self._running().throw(error.with_traceback(tb) if tb is not None else error)

    def close(self) -> None:
        if self._coroutine is not None:
            self._coroutine.close()

    async def __aenter__(self) -> AsyncStreamResponse[_T]:
        self._started = await self._running()
        return self._started

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._started is not None:
            await self._started.aclose()
