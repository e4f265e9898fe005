"""stream_events: payloads up to the terminator, and every way a stream can fail."""

from __future__ import annotations

import contextlib
from typing import Any

import httpx
import pytest

from .support import Recorder, json_response, make_async, make_sync, sse

BODY = {"prompt": "hi", "stream": True}


def done(rt: Any) -> Any:
    """The stream settings most models have: server-sent events ended by `[DONE]`."""
    return rt.StreamSettings(terminator="[DONE]")


def stream(rt: Any, recorder: Recorder, terminator: str | None = "[DONE]", **options: Any) -> list[Any]:
    settings = rt.StreamSettings(terminator=terminator)
    client = make_sync(rt, recorder, **options)
    return list(client.stream_events("run/m", body=BODY, model_id="m", settings=settings))


def test_payloads_are_yielded_until_the_terminator(rt: Any) -> None:
    recorder = Recorder(
        sse(
            b'data: {"response": "Hel"}\n\n: ping\n\ndata: {"resp',
            b'onse": "lo"}\r\n\r\ndata:\n\ndata: [DONE]\n\n',
        )
    )
    assert stream(rt, recorder) == [{"response": "Hel"}, {"response": "lo"}]
    (request,) = recorder.requests
    assert request.headers["accept"] == "text/event-stream"
    assert recorder.json_bodies() == [BODY]


def test_each_stream_ends_at_its_own_models_terminator(rt: Any) -> None:
    """One client serves models whose streams end differently; the client itself holds no terminator."""
    ends_done = sse(b'data: {"a": 1}\n\ndata: [DONE]\n\n')
    recorder = Recorder(ends_done, sse(b'data: {"b": 2}\n\ndata: [END]\n\n'), ends_done)
    client = make_sync(rt, recorder)
    assert list(client.stream_events("m", body={}, model_id="m", settings=done(rt))) == [{"a": 1}]
    ended = rt.StreamSettings(terminator="[END]")
    assert list(client.stream_events("n", body={}, model_id="n", settings=ended)) == [{"b": 2}]
    with pytest.raises(rt.StreamError, match="undecodable event data: '\\[DONE\\]'"):
        list(client.stream_events("n", body={}, model_id="n", settings=ended))


def test_a_stream_is_accepted_in_its_models_own_media_type(rt: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = b'data: {"a": 1}\n\ndata: [DONE]\n\n'
        return httpx.Response(200, headers={"content-type": "Application/X-Events; v=2"}, content=body)

    recorder = Recorder(handler)
    own = rt.StreamSettings(terminator="[DONE]", content_type="application/x-events")
    assert list(make_sync(rt, recorder).stream_events("m", body={}, model_id="m", settings=own)) == [{"a": 1}]
    assert recorder.requests[0].headers["accept"] == "application/x-events"
    with pytest.raises(rt.StreamError, match="expected text/event-stream, got application/x-events"):
        stream(rt, recorder)


def test_a_stream_format_the_runtime_cannot_decode_sends_nothing(rt: Any) -> None:
    recorder = Recorder(sse(b"data: [DONE]\n\n"))
    unknown = rt.StreamSettings(terminator="[DONE]", format="ndjson")
    with pytest.raises(rt.StreamError, match="'ndjson'"):
        list(make_sync(rt, recorder).stream_events("m", body={}, model_id="m", settings=unknown))
    assert recorder.attempts == 0


def test_nothing_after_the_terminator_is_read(rt: Any) -> None:
    recorder = Recorder(sse(b"data: [DONE]\n\n", b"data: {not json\n\n", error=httpx.ReadError("late")))
    assert stream(rt, recorder) == []


def test_a_stream_cut_before_its_terminator_is_an_error(rt: Any) -> None:
    recorder = Recorder(sse(b'data: {"response": "a"}\n\n'))
    received: list[Any] = []
    with pytest.raises(rt.StreamError, match="terminator"):
        for payload in make_sync(rt, recorder).stream_events("m", body={}, model_id="m", settings=done(rt)):
            received.append(payload)
    assert received == [{"response": "a"}]


def test_without_a_terminator_the_end_of_the_body_ends_the_stream(rt: Any) -> None:
    recorder = Recorder(sse(b'data: {"a": 1}\n\ndata: {"a": 2}\n\n'))
    assert stream(rt, recorder, terminator=None) == [{"a": 1}, {"a": 2}]


def test_an_unterminated_last_event_is_discarded(rt: Any) -> None:
    recorder = Recorder(sse(b'data: {"a": 1}\n\ndata: {"a": 2}'))
    assert stream(rt, recorder, terminator=None) == [{"a": 1}]


def test_a_terminator_without_its_blank_line_is_a_cut_stream(rt: Any) -> None:
    recorder = Recorder(sse(b'data: {"a": 1}\n\ndata: [DONE]'))
    received: list[Any] = []
    with pytest.raises(rt.StreamError, match="terminator"):
        for payload in make_sync(rt, recorder).stream_events("m", body={}, model_id="m", settings=done(rt)):
            received.append(payload)
    assert received == [{"a": 1}]


def test_an_error_event_mid_stream_is_an_error(rt: Any) -> None:
    recorder = Recorder(sse(b'data: {"response": "a"}\n\nevent: error\ndata: {"message": "overloaded"}\n\n'))
    with pytest.raises(rt.StreamError, match="overloaded") as caught:
        stream(rt, recorder)
    assert caught.value.data == {"message": "overloaded"}


@pytest.mark.parametrize(
    "data",
    [
        b'{"error": "model crashed"}',
        b'{"error": {"message": "model crashed", "type": "server"}}',
        b'{"errors": [{"code": 3040, "message": "model crashed"}], "success": false, "result": null}',
    ],
)
def test_a_json_error_object_mid_stream_is_an_error(rt: Any, data: bytes) -> None:
    recorder = Recorder(sse(b'data: {"response": "a"}\n\ndata: ' + data + b"\n\n"))
    with pytest.raises(rt.StreamError, match="model crashed"):
        stream(rt, recorder)


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b'{"error": {"message": "model crashed", "status": 503}}', 503),
        (b'{"error": {"message": "model crashed", "code": "429"}}', 429),
        (b'{"errors": [{"code": 3040, "message": "model crashed"}]}', None),
        (b'{"message": "model crashed", "status_code": 500}', 500),
    ],
)
def test_an_error_event_carries_the_providers_message_and_status(
    rt: Any, data: bytes, status: int | None
) -> None:
    recorder = Recorder(sse(b'data: {"response": "a"}\n\nevent: error\ndata: ' + data + b"\n\n"))
    with pytest.raises(rt.StreamError, match="model crashed") as caught:
        stream(rt, recorder)
    assert caught.value.status_code == status
    if status is not None:
        assert f"({status})" in caught.value.message


def test_a_chunk_with_content_and_an_error_is_an_error(rt: Any) -> None:
    chunk = b'data: {"response": "partial", "error": {"message": "ran out of memory", "status": 500}}\n\n'
    recorder = Recorder(sse(b'data: {"response": "a"}\n\n' + chunk + b"data: [DONE]\n\n"))
    received: list[Any] = []
    with pytest.raises(rt.StreamError, match="ran out of memory") as caught:
        for payload in make_sync(rt, recorder).stream_events("m", body={}, model_id="m", settings=done(rt)):
            received.append(payload)
    assert received == [{"response": "a"}]
    assert caught.value.status_code == 500


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"error": {"message": "streaming is not available", "status": 429}}, 429),
        ({"error": "streaming is not available"}, 200),
        ({"errors": [{"code": 7003, "message": "streaming is not available"}], "success": False}, 200),
        ({"message": "streaming is not available", "code": 503}, 503),
        ({"detail": "streaming is not available"}, 200),
    ],
)
def test_a_json_error_answer_to_a_stream_request_raises_the_providers_reason(
    rt: Any, body: dict[str, Any], status: int
) -> None:
    with pytest.raises(rt.StreamError, match="error answer instead of a stream") as caught:
        stream(rt, Recorder(json_response(200, body)))
    assert "streaming is not available" in caught.value.message
    assert caught.value.status_code == status
    assert caught.value.data == body


def test_a_chunk_that_merely_has_an_empty_errors_key_is_content(rt: Any) -> None:
    recorder = Recorder(
        sse(b'data: {"response": "a", "errors": []}\n\ndata: {"error": null}\n\ndata: [DONE]\n\n')
    )
    assert stream(rt, recorder) == [{"response": "a", "errors": []}, {"error": None}]


def test_undecodable_data_is_an_error(rt: Any) -> None:
    with pytest.raises(rt.StreamError, match="undecodable"):
        stream(rt, Recorder(sse(b"data: Hello there\n\n")))


def test_a_network_failure_mid_stream_is_a_stream_error(rt: Any) -> None:
    recorder = Recorder(sse(b'data: {"a": 1}\n\n', error=httpx.ReadError("reset")))
    with pytest.raises(rt.StreamError, match="ReadError"):
        stream(rt, recorder)
    assert recorder.attempts == 1


def test_a_non_2xx_answer_raises_the_status_error(rt: Any) -> None:
    recorder = Recorder(json_response(401, {"error": "bad key"}))
    with pytest.raises(rt.AuthenticationError, match="bad key"):
        stream(rt, recorder)
    assert recorder.attempts == 1


def test_an_error_status_with_an_event_stream_body_is_read_for_its_message(rt: Any) -> None:
    with pytest.raises(rt.NotFoundError, match="404 Not Found"):
        stream(rt, Recorder(sse(b"data: no such model\n\n", status=404)), max_retries=0)


def test_a_json_answer_to_a_stream_request(rt: Any) -> None:
    failed = json_response(200, {"success": False, "errors": [{"code": 9, "message": "stream unsupported"}]})
    with pytest.raises(rt.ProviderError, match="stream unsupported"):
        stream(rt, Recorder(failed), response_envelope=rt.ResponseEnvelope())
    with pytest.raises(rt.StreamError, match="expected text/event-stream, got application/json"):
        stream(rt, Recorder(json_response(200, {"response": "whole"})))


def test_closing_the_iterator_early_closes_the_response(rt: Any) -> None:
    closed: list[bool] = []

    class Body(httpx.SyncByteStream):
        def __iter__(self) -> Any:
            yield b'data: {"a": 1}\n\ndata: {"a": 2}\n\n'

        def close(self) -> None:
            closed.append(True)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Body())

    events = make_sync(rt, handler).stream_events("m", body={}, model_id="m", settings=done(rt))
    assert next(events) == {"a": 1}
    events.close()
    assert closed == [True]


def test_no_request_is_sent_until_iteration(rt: Any) -> None:
    recorder = Recorder(sse(b"data: [DONE]\n\n"))
    events = make_sync(rt, recorder).stream_events("m", body={}, model_id="m", settings=done(rt))
    assert recorder.attempts == 0
    assert list(events) == []
    assert recorder.attempts == 1


async def collect(client: Any, settings: Any) -> list[Any]:
    opened = client.stream_events("run/m", body=BODY, model_id="m", settings=settings)
    async with contextlib.aclosing(opened) as events:
        return [payload async for payload in events]


@pytest.mark.anyio
async def test_async_payloads_until_the_terminator(rt: Any) -> None:
    recorder = Recorder(
        sse(b'data: {"response": "a"}\r', b'\n\r\ndata: {"response": "b"}\n\ndata: [DONE]\n\n')
    )
    async with make_async(rt, recorder) as client:
        assert await collect(client, done(rt)) == [{"response": "a"}, {"response": "b"}]


@pytest.mark.anyio
async def test_async_cut_stream_and_error_event(rt: Any) -> None:
    recorder = Recorder(sse(b'data: {"response": "a"}\n\n'), sse(b'event: error\ndata: "boom"\n\n'))
    async with make_async(rt, recorder) as client:
        with pytest.raises(rt.StreamError, match="terminator"):
            await collect(client, done(rt))
        with pytest.raises(rt.StreamError, match="boom"):
            await collect(client, done(rt))


@pytest.mark.anyio
async def test_async_stream_status_errors_and_retries(rt: Any) -> None:
    recorder = Recorder(json_response(503, {}), sse(b"data: [DONE]\n\n"), json_response(403, {"error": "no"}))
    sleeps: list[float] = []
    async with make_async(rt, recorder, sleeps) as client:
        assert await collect(client, done(rt)) == []
        with pytest.raises(rt.PermissionDeniedError):
            await collect(client, done(rt))
    assert recorder.attempts == 3
    assert len(sleeps) == 1


@pytest.mark.anyio
async def test_async_network_failure_mid_stream(rt: Any) -> None:
    recorder = Recorder(sse(b'data: {"a": 1}\n\n', error=httpx.RemoteProtocolError("cut")))
    async with make_async(rt, recorder) as client:
        with pytest.raises(rt.StreamError, match="interrupted"):
            await collect(client, done(rt))
