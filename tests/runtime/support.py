"""In-memory servers and client factories for the runtime tests."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx

API_KEY = "sk-live-0123456789abcdef"
BASE_URL = "https://api.example.test/v1"

Handler = Callable[[httpx.Request], httpx.Response]


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body delivered in the given chunks, optionally failing after the last one."""

    def __init__(self, chunks: list[bytes], error: Exception | None = None) -> None:
        self.chunks = chunks
        self.error = error

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        if self.error is not None:
            raise self.error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        if self.error is not None:
            raise self.error


def sse(*chunks: bytes, error: Exception | None = None, status: int = 200) -> Handler:
    """Return a handler answering with an event stream made of `chunks`."""

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "text/event-stream; charset=utf-8"}
        return httpx.Response(status, headers=headers, stream=Chunks(list(chunks), error))

    return handler


class Recorder:
    """Serve scripted answers in order, each a fresh response, and remember every request.

    An answer is a response (copied for each use), an exception to raise, or a handler; the last one repeats.
    """

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)
        return answer(request)

    @property
    def attempts(self) -> int:
        """Return how many requests reached the transport."""
        return len(self.requests)

    def json_bodies(self) -> list[Any]:
        """Return the decoded JSON body of every request."""
        return [json.loads(request.content) for request in self.requests]


def json_response(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    """Return a JSON answer."""
    return httpx.Response(status, json=body, headers=headers)


def make_sync(rt: Any, handler: Handler, sleeps: list[float] | None = None, **options: Any) -> Any:
    """Return a SyncAPIClient on an in-memory transport, recording its sleeps instead of sleeping."""
    recorded = sleeps if sleeps is not None else []
    settings: dict[str, Any] = {
        "base_url": BASE_URL,
        "auth_header": "Authorization",
        "auth_value": f"Bearer {API_KEY}",
        "max_retries": 2,
        "transport": httpx.MockTransport(handler),
        "sleep": recorded.append,
    }
    settings.update(options)
    return rt.SyncAPIClient(**settings)


def make_async(rt: Any, handler: Handler, sleeps: list[float] | None = None, **options: Any) -> Any:
    """Return an AsyncAPIClient on an in-memory transport, recording its sleeps instead of sleeping."""
    recorded = sleeps if sleeps is not None else []

    async def sleep(seconds: float) -> None:
        recorded.append(seconds)

    settings: dict[str, Any] = {
        "base_url": BASE_URL,
        "auth_header": "Authorization",
        "auth_value": f"Bearer {API_KEY}",
        "max_retries": 2,
        "transport": httpx.MockTransport(handler),
        "sleep": sleep,
    }
    settings.update(options)
    return rt.AsyncAPIClient(**settings)
