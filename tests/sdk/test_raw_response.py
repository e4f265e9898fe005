"""Issue #13: `.with_raw_response.run(...)` (status, headers, request id, `.parse()`) and
`.with_streaming_response.stream(...)` (the same at once, then the typed chunks)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from generator.cassettes.minimal import minimal_instance
from generator.catalog.entry import CatalogEntry
from tests.sdk.conftest import CREDENTIALS, ENTRIES, Recorder, client_for, entry_id, wire_answer

MESSAGES = [{"role": "user", "content": "hi"}]
HEADERS = {"x-request-id": "req-42", "x-remaining-credits": "17.5"}


def _recorder(entry: CatalogEntry) -> Recorder:
    answer = wire_answer(entry, minimal_instance(entry.output_schema))
    return Recorder(lambda request: httpx.Response(200, json=answer, headers=HEADERS))


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_with_raw_response_gives_status_headers_request_id_and_the_parsed_answer(
    sdk: Any, entry: CatalogEntry
) -> None:
    recorder = _recorder(entry)
    model = getattr(client_for(sdk, entry, recorder).models, entry.slug)
    raw = model.with_raw_response.run(messages=MESSAGES, extra_headers={"X-Trace": "r"})
    assert isinstance(raw, sdk.RawResponse)
    assert raw.status_code == 200 and raw.request_id == "req-42"
    assert raw.headers["x-remaining-credits"] == "17.5"
    assert raw.elapsed is None or raw.elapsed.total_seconds() >= 0
    assert recorder.requests[-1].headers["x-trace"] == "r"
    assert raw.parse() == model.run(messages=MESSAGES)
    assert raw.parse() is raw.parse()  # parsed once, as openai-python's


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_the_async_raw_response_too(sdk: Any, entry: CatalogEntry) -> None:
    recorder = _recorder(entry)
    cls = getattr(sdk, f"Async{entry.provider.capitalize()}")
    client = cls(transport=httpx.MockTransport(recorder), **CREDENTIALS[entry.provider])
    model = getattr(client.models, entry.slug)
    raw = asyncio.run(model.with_raw_response.run(messages=MESSAGES))
    assert raw.status_code == 200 and raw.request_id == "req-42"
    assert type(raw.parse()).__name__ == "Response"


@pytest.mark.parametrize("entry", ENTRIES[:1], ids=entry_id)
def test_the_raw_call_checks_its_keywords_and_raises_status_errors(sdk: Any, entry: CatalogEntry) -> None:
    recorder = Recorder(lambda request: httpx.Response(404, json={"error": "no such model"}))
    raw_calls = getattr(client_for(sdk, entry, recorder).models, entry.slug).with_raw_response
    with pytest.raises(TypeError, match="mesages"):
        raw_calls.run(mesages=MESSAGES)
    with pytest.raises(sdk.NotFoundError):
        raw_calls.run(messages=MESSAGES)


STREAMING = [e for e in ENTRIES if e.streaming.supported]
EVENTS = b'data: {"response": "Hel"}\n\ndata: {"response": "lo"}\n\ndata: [DONE]\n\n'


def _stream_recorder() -> Recorder:
    headers = {"content-type": "text/event-stream", "x-request-id": "req-7", "x-remaining-credits": "3"}
    return Recorder(lambda request: httpx.Response(200, headers=headers, content=EVENTS))


@pytest.mark.parametrize("entry", STREAMING, ids=entry_id)
def test_with_streaming_response_starts_the_stream_and_shows_its_headers(
    sdk: Any, entry: CatalogEntry
) -> None:
    recorder = _stream_recorder()
    model = getattr(client_for(sdk, entry, recorder).models, entry.slug)
    with model.with_streaming_response.stream(messages=MESSAGES, extra_headers={"X-Trace": "s"}) as stream:
        assert isinstance(stream, sdk.StreamResponse)
        assert repr(stream) == "<StreamResponse [200] req-7>"
        assert len(recorder.requests) == 1, "sent before the first chunk is asked for"
        assert stream.status_code == 200 and stream.request_id == "req-7"
        assert stream.headers["x-remaining-credits"] == "3"
        assert [chunk.response for chunk in stream] == ["Hel", "lo"]
    assert recorder.requests[-1].headers["x-trace"] == "s"
    with pytest.raises(TypeError, match="mesages"):
        model.with_streaming_response.stream(mesages=MESSAGES)


class _Arriving(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body read as it arrives, as from a socket (bytes given whole are read at once by httpx)."""

    def __iter__(self) -> Iterator[bytes]:
        yield from (EVENTS[:20], EVENTS[20:])

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in (EVENTS[:20], EVENTS[20:]):
            yield piece


@pytest.mark.parametrize("entry", STREAMING, ids=entry_id)
def test_a_streaming_response_read_after_its_block_is_an_sdk_error(sdk: Any, entry: CatalogEntry) -> None:
    """Not httpx's own StreamClosed, which code catching SDKError would miss; sync and async."""
    headers = {"content-type": "text/event-stream"}
    recorder = Recorder(lambda request: httpx.Response(200, headers=headers, stream=_Arriving()))
    model = getattr(client_for(sdk, entry, recorder).models, entry.slug)
    with model.with_streaming_response.stream(messages=MESSAGES) as stream:
        assert stream.status_code == 200
    with pytest.raises(sdk.StreamError, match=r"cannot be read: .*inside its `with` block"):
        list(stream)
    cls = getattr(sdk, f"Async{entry.provider.capitalize()}")
    client = cls(transport=httpx.MockTransport(recorder), **CREDENTIALS[entry.provider])

    async def read_late() -> None:
        async with getattr(client.models, entry.slug).with_streaming_response.stream(
            messages=MESSAGES
        ) as late:
            assert late.status_code == 200
        [chunk async for chunk in late]

    with pytest.raises(sdk.StreamError, match=r"cannot be read: "):
        asyncio.run(read_late())


class _Watched(_Arriving):
    """An arriving body that says when it is closed (the connection back to the pool)."""

    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1

    async def aclose(self) -> None:
        self.closed += 1


@pytest.mark.parametrize("entry", STREAMING, ids=entry_id)
def test_a_stream_left_early_is_closed_at_once_by_close_or_aclose(sdk: Any, entry: CatalogEntry) -> None:
    """Not when the garbage collector gets to it: a program holding many streams it left would
    run out of connections."""
    bodies: list[_Watched] = []

    def answer(request: httpx.Request) -> httpx.Response:
        bodies.append(_Watched())
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=bodies[-1])

    recorder = Recorder(answer)
    chunks = getattr(client_for(sdk, entry, recorder).models, entry.slug).stream(messages=MESSAGES)
    assert next(chunks).response == "Hel"
    chunks.close()
    assert bodies[-1].closed == 1
    cls = getattr(sdk, f"Async{entry.provider.capitalize()}")
    client = cls(transport=httpx.MockTransport(recorder), **CREDENTIALS[entry.provider])

    async def leave_early() -> int:
        pieces = getattr(client.models, entry.slug).stream(messages=MESSAGES)
        async for _ in pieces:
            break
        await pieces.aclose()
        return bodies[-1].closed  # before the loop ends, and so before any collection of its own

    assert asyncio.run(leave_early()) == 1


@pytest.mark.parametrize("entry", STREAMING, ids=entry_id)
def test_the_async_streaming_response_too(sdk: Any, entry: CatalogEntry) -> None:
    recorder = _stream_recorder()
    cls = getattr(sdk, f"Async{entry.provider.capitalize()}")
    client = cls(transport=httpx.MockTransport(recorder), **CREDENTIALS[entry.provider])
    model = getattr(client.models, entry.slug)

    async def read() -> list[str | None]:
        starting = model.with_streaming_response.stream(messages=MESSAGES)
        assert not recorder.requests, "sent when entered, as openai-python's"
        async with starting as stream:  # `async with`, as openai-python has it
            assert isinstance(stream, sdk.AsyncStreamResponse)
            assert stream.status_code == 200 and stream.request_id == "req-7"
            chunks = [chunk.response async for chunk in stream]
        assert stream.http_response.is_closed
        async with await model.with_streaming_response.stream(
            messages=MESSAGES
        ) as awaited:  # or awaited first
            assert [chunk.response async for chunk in awaited] == chunks
        return chunks

    assert asyncio.run(read()) == ["Hel", "lo"]
    with pytest.raises(TypeError, match="mesages"):  # at the call, not when the stream starts
        model.with_streaming_response.stream(mesages=MESSAGES)

    async def in_a_task() -> list[str | None]:  # a coroutine too, as it was: asyncio takes it as one
        stream = await asyncio.create_task(model.with_streaming_response.stream(messages=MESSAGES))
        async with stream:
            return [chunk.response async for chunk in stream]

    assert asyncio.run(in_a_task()) == ["Hel", "lo"]
    never_used = model.with_streaming_response.stream(messages=MESSAGES)
    never_used.close()  # made and dropped: no coroutine was ever made, so none is left unawaited


@pytest.mark.parametrize("entry", STREAMING, ids=entry_id)
def test_stream_checks_its_arguments_when_called_not_at_the_first_chunk(
    sdk: Any, entry: CatalogEntry
) -> None:
    recorder = _stream_recorder()
    model = getattr(client_for(sdk, entry, recorder).models, entry.slug)
    with pytest.raises(sdk.RequestValidationError):
        model.stream(messages=[{"role": "user", "content": 5}])
    cls = getattr(sdk, f"Async{entry.provider.capitalize()}")
    async_model = getattr(
        cls(transport=httpx.MockTransport(recorder), **CREDENTIALS[entry.provider]).models, entry.slug
    )
    with pytest.raises(sdk.RequestValidationError):
        async_model.stream(messages=[{"role": "user", "content": 5}])
    assert not recorder.requests

    async def read() -> list[str | None]:
        return [chunk.response async for chunk in async_model.stream(messages=MESSAGES)]

    assert (
        [chunk.response for chunk in model.stream(messages=MESSAGES)] == asyncio.run(read()) == ["Hel", "lo"]
    )


@pytest.mark.parametrize("entry", STREAMING[:1], ids=entry_id)
def test_a_status_error_is_raised_when_the_stream_is_opened(sdk: Any, entry: CatalogEntry) -> None:
    recorder = Recorder(lambda request: httpx.Response(401, json={"error": "bad key"}))
    model = getattr(client_for(sdk, entry, recorder).models, entry.slug)
    with pytest.raises(sdk.AuthenticationError):
        model.with_streaming_response.stream(messages=MESSAGES)
