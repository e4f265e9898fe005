"""Which answers are retried, how often, and how long the client waits in between."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from .support import Recorder, json_response, make_async, make_sync, sse

OK = json_response(200, {"ok": True})


def test_429_is_retried_after_the_wait_the_server_asks_for(rt: Any) -> None:
    recorder = Recorder(json_response(429, {"error": "slow down"}, {"retry-after": "3"}), OK)
    sleeps: list[float] = []
    assert make_sync(rt, recorder, sleeps).post_json("m", body={}, model_id="m") == {"ok": True}
    assert recorder.attempts == 2
    assert sleeps == [3.0]


def test_retry_after_ms_wins_and_waits_over_the_cap_fall_back_to_the_backoff(rt: Any) -> None:
    recorder = Recorder(
        json_response(429, {}, {"retry-after-ms": "1200", "retry-after": "5"}),
        json_response(503, {}, {"retry-after": "3600"}),
        OK,
    )
    sleeps: list[float] = []
    make_sync(rt, recorder, sleeps).post_json("m", body={}, model_id="m")
    assert sleeps[0] == 1.2
    assert 0.75 <= sleeps[1] <= 1.0  # the second backoff step, 1 s, with jitter; not 60 s, not 3600 s


@pytest.mark.parametrize("header", [{"retry-after": "0"}, {"retry-after-ms": "0"}, {"retry-after": "61"}])
def test_a_zero_or_too_long_wait_takes_the_backoff(rt: Any, header: dict[str, str]) -> None:
    sleeps: list[float] = []
    make_sync(rt, Recorder(json_response(429, {}, header), OK), sleeps).post_json("m", body={}, model_id="m")
    assert len(sleeps) == 1 and 0.375 <= sleeps[0] <= 0.5


def test_the_backoff_doubles_up_to_its_cap_with_bounded_jitter(rt: Any) -> None:
    for attempt in range(12):
        step = min(rt.BACKOFF_CAP, rt.BACKOFF_BASE * 2**attempt)
        waits = [rt.retry_delay(attempt, None) for _ in range(200)]
        assert all(step * (1 - rt.JITTER) <= wait <= step for wait in waits)
    first = [rt.retry_delay(0, None) for _ in range(2000)]
    assert min(first) >= rt.BACKOFF_BASE / 2
    assert max(first) - min(first) > 0.01  # jittered, not fixed


def test_x_should_retry_true_retries_what_the_status_would_not(rt: Any) -> None:
    recorder = Recorder(json_response(400, {}, {"x-should-retry": "true"}), OK)
    assert make_sync(rt, recorder).post_json("m", body={}, model_id="m") == {"ok": True}
    assert recorder.attempts == 2


def test_x_should_retry_false_stops_what_the_status_would_retry(rt: Any) -> None:
    recorder = Recorder(json_response(503, {}, {"x-should-retry": "false", "retry-after": "1"}), OK)
    with pytest.raises(rt.InternalServerError):
        make_sync(rt, recorder).post_json("m", body={}, model_id="m")
    assert recorder.attempts == 1


def test_x_should_retry_true_still_stops_at_max_retries(rt: Any) -> None:
    recorder = Recorder(json_response(400, {}, {"x-should-retry": "true"}))
    with pytest.raises(rt.BadRequestError):
        make_sync(rt, recorder, max_retries=3).post_json("m", body={}, model_id="m")
    assert recorder.attempts == 4


def test_a_stream_is_never_retried_after_its_first_byte(rt: Any) -> None:
    cut = sse(b'data: {"response": "Hel"}\n\n', error=httpx.ReadError("reset"))
    recorder = Recorder(cut, OK)
    events = make_sync(rt, recorder).stream_events(
        "m", body={}, model_id="m", settings=rt.StreamSettings(terminator="[DONE]")
    )
    seen = []
    with pytest.raises(rt.StreamError):
        for event in events:
            seen.append(event)
    assert seen == [{"response": "Hel"}]
    assert recorder.attempts == 1


def test_5xx_is_retried_up_to_max_retries_then_raised(rt: Any) -> None:
    recorder = Recorder(json_response(500, {"error": "boom"}))
    sleeps: list[float] = []
    with pytest.raises(rt.InternalServerError):
        make_sync(rt, recorder, sleeps, max_retries=3).post_json("m", body={}, model_id="m")
    assert recorder.attempts == 4
    assert len(sleeps) == 3
    # Full jitter: each wait lies between 0 and base * 2**attempt.
    for attempt, seconds in enumerate(sleeps):
        assert 0.0 <= seconds <= 0.5 * 2**attempt


def test_backoff_never_exceeds_its_cap(rt: Any) -> None:
    assert all(0.0 <= rt.retry_delay(attempt, None) <= 8.0 for attempt in range(30))


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retryable_statuses(rt: Any, status: int) -> None:
    recorder = Recorder(json_response(status, {}), OK)
    assert make_sync(rt, recorder).post_json("m", body={}, model_id="m") == {"ok": True}
    assert recorder.attempts == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 406, 422])
def test_client_errors_are_never_retried(rt: Any, status: int) -> None:
    recorder = Recorder(json_response(status, {"error": "no"}), OK)
    sleeps: list[float] = []
    with pytest.raises(rt.APIStatusError):
        make_sync(rt, recorder, sleeps, max_retries=5).post_json("m", body={}, model_id="m")
    assert recorder.attempts == 1
    assert sleeps == []


def test_max_retries_zero_makes_one_attempt(rt: Any) -> None:
    recorder = Recorder(json_response(503, {}))
    with pytest.raises(rt.InternalServerError):
        make_sync(rt, recorder, max_retries=0).post_json("m", body={}, model_id="m")
    assert recorder.attempts == 1


def test_a_connection_error_is_retried(rt: Any) -> None:
    recorder = Recorder(httpx.ConnectError("refused"), OK)
    sleeps: list[float] = []
    assert make_sync(rt, recorder, sleeps).post_json("m", body={}, model_id="m") == {"ok": True}
    assert recorder.attempts == 2
    assert len(sleeps) == 1


def test_persistent_connection_errors_raise_api_connection_error(rt: Any) -> None:
    recorder = Recorder(httpx.ConnectError("refused"))
    with pytest.raises(rt.APIConnectionError) as caught:
        make_sync(rt, recorder).post_json("m", body={}, model_id="m")
    assert recorder.attempts == 3
    assert not isinstance(caught.value, rt.APITimeoutError)
    assert caught.value.request is recorder.requests[-1]
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_timeouts_raise_api_timeout_error(rt: Any) -> None:
    recorder = Recorder(httpx.ConnectTimeout("slow"))
    with pytest.raises(rt.APITimeoutError):
        make_sync(rt, recorder, max_retries=1).post_json("m", body={}, model_id="m")
    assert recorder.attempts == 2


def test_a_read_timeout_is_not_retried_so_a_slow_generation_is_not_sent_again(rt: Any) -> None:
    recorder = Recorder(httpx.ReadTimeout("slow"), OK)
    with pytest.raises(rt.APITimeoutError):
        make_sync(rt, recorder, max_retries=2).post_json("m", body={}, model_id="m")
    assert recorder.attempts == 1


def test_an_unsupported_protocol_is_not_retried(rt: Any) -> None:
    recorder = Recorder(httpx.UnsupportedProtocol("gopher"))
    with pytest.raises(rt.APIConnectionError):
        make_sync(rt, recorder).post_json("m", body={}, model_id="m")
    assert recorder.attempts == 1


def test_a_stream_is_retried_before_it_starts(rt: Any) -> None:
    stream = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=b"data: [DONE]\n\n")
    recorder = Recorder(json_response(429, {}, {"retry-after": "1"}), httpx.ConnectError("x"), stream)
    sleeps: list[float] = []
    client = make_sync(rt, recorder, sleeps)
    settings = rt.StreamSettings(terminator="[DONE]")
    assert list(client.stream_events("m", body={"stream": True}, model_id="m", settings=settings)) == []
    assert recorder.attempts == 3
    assert sleeps[0] == 1.0


def test_the_default_sleep_really_waits(rt: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    waited: list[float] = []
    monkeypatch.setattr("time.sleep", waited.append)
    recorder = Recorder(json_response(429, {}, {"retry-after": "0.01"}), OK)
    settings = {"base_url": "https://x.test", "auth_header": "x-api-key", "auth_value": None}
    with rt.SyncAPIClient(**settings, transport=httpx.MockTransport(recorder)) as client:
        client.post_json("m", body={}, model_id="m")
    assert waited == [0.01]


@pytest.mark.anyio
async def test_async_429_then_success(rt: Any) -> None:
    recorder = Recorder(json_response(429, {}, {"retry-after": "2"}), OK)
    sleeps: list[float] = []
    async with make_async(rt, recorder, sleeps) as client:
        assert await client.post_json("m", body={}, model_id="m") == {"ok": True}
    assert recorder.attempts == 2
    assert sleeps == [2.0]


@pytest.mark.anyio
async def test_async_5xx_exhausts_retries(rt: Any) -> None:
    recorder = Recorder(json_response(502, {}))
    async with make_async(rt, recorder) as client:
        with pytest.raises(rt.InternalServerError):
            await client.post_json("m", body={}, model_id="m")
    assert recorder.attempts == 3


@pytest.mark.anyio
async def test_async_401_is_not_retried(rt: Any) -> None:
    recorder = Recorder(json_response(401, {"error": "bad key"}))
    async with make_async(rt, recorder) as client:
        with pytest.raises(rt.AuthenticationError):
            await client.post_json("m", body={}, model_id="m")
    assert recorder.attempts == 1


@pytest.mark.anyio
async def test_async_connection_error_is_retried(rt: Any) -> None:
    recorder = Recorder(httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), OK)
    sleeps: list[float] = []
    async with make_async(rt, recorder, sleeps) as client:
        assert await client.post_json("m", body={}, model_id="m") == {"ok": True}
    assert recorder.attempts == 3
    assert len(sleeps) == 2


def test_the_generated_readme_states_the_policy_the_runtime_applies(rt: Any) -> None:
    readme = (Path(__file__).resolve().parents[2] / "generator/templates/README.md.jinja").read_text("utf-8")
    section = readme[readme.index("## Retries") :]
    assert f"at most {rt.RETRY_AFTER_CAP:g} s" in section
    assert f"between {1 - rt.JITTER:g} and 1" in section
    assert f"at least {rt.BACKOFF_BASE * (1 - rt.JITTER):g} s" in section
    steps = ", ".join(f"{rt.BACKOFF_BASE * 2**n:g} s" for n in range(4))
    assert f"backoff: {steps}, then {rt.BACKOFF_CAP:g} s" in section
    assert "x-should-retry" in section and "retry-after-ms" in section and "max_retries" in section


class _BreaksOff(httpx.SyncByteStream):
    """A body that sends its first bytes, then loses the connection."""

    def __iter__(self) -> Any:
        yield b'{"err'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def test_a_failed_answer_whose_body_breaks_off_is_a_network_failure_and_retried(rt: Any) -> None:
    """Its status says the request was refused: no generation ran, so it is sent again as after a
    dropped connection (a 2xx answer cut off is not: tests/runtime/test_retry_policy_backend.py)."""
    recorder = Recorder(lambda _: httpx.Response(503, stream=_BreaksOff()), OK)
    sleeps: list[float] = []
    assert make_sync(rt, recorder, sleeps).post_json("m", body={}, model_id="m") == {"ok": True}
    assert recorder.attempts == 2 and len(sleeps) == 1


class _Interrupted(httpx.SyncByteStream):
    """A body the reader is interrupted in (Ctrl-C); says whether it was closed."""

    def __init__(self) -> None:
        self.closed = False

    def __iter__(self) -> Any:
        yield b'{"ok'
        raise KeyboardInterrupt

    def close(self) -> None:
        self.closed = True


def test_an_answer_interrupted_while_read_is_closed_and_the_interrupt_goes_on(rt: Any) -> None:
    body = _Interrupted()
    with pytest.raises(KeyboardInterrupt):
        make_sync(rt, Recorder(lambda _: httpx.Response(200, stream=body))).post_json(
            "m", body={}, model_id="m"
        )
    assert body.closed
