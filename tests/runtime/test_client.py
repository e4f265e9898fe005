"""Requests as sent and answers as returned by post_json: URLs, headers, envelopes, ownership."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .support import API_KEY, BASE_URL, Recorder, json_response, make_async, make_sync

CLOUDFLARE = {
    "result_key": "result",
    "success_key": "success",
    "errors_key": "errors",
    "messages_key": "messages",
}


def test_the_body_is_sent_as_json_to_the_joined_url_with_auth(rt: Any) -> None:
    recorder = Recorder(json_response(200, {"response": "hi"}))
    client = make_sync(rt, recorder, user_agent="acme-ai/1.0", default_headers={"X-Trace": "t1"})
    assert client.post_json("/models/%40cf%2Fmeta", body={"prompt": "é"}, model_id="m") == {"response": "hi"}
    (request,) = recorder.requests
    assert request.method == "POST"
    assert str(request.url) == f"{BASE_URL}/models/%40cf%2Fmeta"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"] == "acme-ai/1.0"
    assert request.headers["x-trace"] == "t1"
    assert recorder.json_bodies() == [{"prompt": "é"}]


def test_x_api_key_auth_and_no_auth(rt: Any) -> None:
    recorder = Recorder(json_response(200, {}))
    make_sync(rt, recorder, auth_header="x-api-key", auth_value=API_KEY).post_json("m", body={}, model_id="m")
    make_sync(rt, recorder, auth_value=None).post_json("m", body={}, model_id="m")
    assert recorder.requests[0].headers["x-api-key"] == API_KEY
    assert "authorization" not in recorder.requests[0].headers
    assert "authorization" not in recorder.requests[1].headers


def test_the_request_envelope_wraps_the_body(rt: Any) -> None:
    recorder = Recorder(json_response(200, {"success": True, "result": {"response": "4"}}))
    client = make_sync(
        rt, recorder, request_envelope=("model", "data"), response_envelope=rt.ResponseEnvelope(**CLOUDFLARE)
    )
    assert client.post_json("", body={"prompt": "2+2"}, model_id="deepseek-math") == {"response": "4"}
    assert recorder.json_bodies() == [{"model": "deepseek-math", "data": {"prompt": "2+2"}}]
    assert str(recorder.requests[0].url) == f"{BASE_URL}/"


def test_the_response_envelope_is_removed(rt: Any) -> None:
    body = {"success": True, "errors": [], "messages": [], "result": {"response": "hello"}}
    client = make_sync(
        rt, Recorder(json_response(200, body)), response_envelope=rt.ResponseEnvelope(**CLOUDFLARE)
    )
    assert client.post_json("run/m", body={}, model_id="m") == {"response": "hello"}


def test_success_false_raises_provider_error_with_the_providers_errors(rt: Any) -> None:
    body = {
        "success": False,
        "errors": [{"code": 5006, "message": "Input too long"}],
        "messages": ["see docs"],
        "result": None,
    }
    client = make_sync(
        rt, Recorder(json_response(200, body)), response_envelope=rt.ResponseEnvelope(**CLOUDFLARE)
    )
    with pytest.raises(rt.ProviderError) as caught:
        client.post_json("run/m", body={}, model_id="m")
    assert caught.value.provider_errors == [{"code": 5006, "message": "Input too long"}]
    assert caught.value.messages == ["see docs"]
    assert caught.value.body == body
    assert "5006: Input too long" in str(caught.value)


def test_an_envelope_without_its_result_key_is_a_validation_error(rt: Any) -> None:
    client = make_sync(
        rt, Recorder(json_response(200, {"success": True})), response_envelope=rt.ResponseEnvelope()
    )
    with pytest.raises(rt.ResponseValidationError, match="'result'"):
        client.post_json("m", body={}, model_id="m")


def test_without_an_envelope_the_body_is_returned_whole(rt: Any) -> None:
    body = {"success": False, "result": 1}
    assert make_sync(rt, Recorder(json_response(200, body))).post_json("m", body={}, model_id="m") == body


def test_a_non_json_answer_is_returned_as_bytes(rt: Any) -> None:
    image = b"\x89PNG\r\n\x1a\n..."
    recorder = Recorder(httpx.Response(200, headers={"content-type": "image/png"}, content=image))
    client = make_sync(rt, recorder, response_envelope=rt.ResponseEnvelope())
    assert client.post_json("m", body={}, model_id="m") == image


def test_invalid_json_declared_as_json_is_a_validation_error(rt: Any) -> None:
    recorder = Recorder(httpx.Response(200, headers={"content-type": "application/json"}, content=b"{nope"))
    with pytest.raises(rt.ResponseValidationError, match="not valid JSON"):
        make_sync(rt, recorder).post_json("m", body={}, model_id="m")


def test_a_body_that_is_not_json_serialisable_is_refused_before_sending(rt: Any) -> None:
    recorder = Recorder(json_response(200, {}))
    with pytest.raises(
        rt.RequestValidationError, match=r"^m: x\.0 is not a finite number, which JSON cannot carry"
    ):
        make_sync(rt, recorder).post_json("m", body={"x": [float("nan")]}, model_id="m")
    with pytest.raises(ValueError, match="Circular reference"):  # not a number: as the encoder says
        circular: list[object] = []
        circular.append(circular)
        make_sync(rt, recorder).post_json("m", body={"x": circular}, model_id="m")
    assert recorder.attempts == 0


@pytest.mark.parametrize(
    "path",
    [
        "../admin",
        "a/../../b",
        "a/%2e%2E/b",
        "./a",
        "//evil.example/x",
        "https://evil.example/x",
        "http:foo",
        "javascript:alert(1)",
        "a?b=1",
        "a#frag",
        "a\\b",
        "a b",
        "a\nb",
    ],
)
def test_unsafe_paths_are_refused(rt: Any, path: str) -> None:
    recorder = Recorder(json_response(200, {}))
    client = make_sync(rt, recorder)
    with pytest.raises(ValueError, match="path"):
        client.post_json(path, body={}, model_id="m")
    with pytest.raises(ValueError, match="path"):
        client.stream_events(path, body={}, model_id="m", settings=rt.StreamSettings())
    assert recorder.attempts == 0


@pytest.mark.parametrize(
    "path", ["a/b", "/a/b", "v1/%40cf%2Fmeta%2Fllama", "/a:b/c", "a/b:c", "a/..b/c.d", "a/b/"]
)
def test_ordinary_paths_stay_under_the_base_url(rt: Any, path: str) -> None:
    recorder = Recorder(json_response(200, {}))
    make_sync(rt, recorder).post_json(path, body={}, model_id="m")
    url = recorder.requests[0].url
    assert (url.scheme, url.host) == ("https", "api.example.test")
    assert url.raw_path.decode().startswith("/v1/")


@pytest.mark.parametrize(
    "base_url", ["ftp://x.test", "api.example.test", "https://user:pw@x.test", "https://x.test/?a=1", ""]
)
def test_bad_base_urls_are_refused(rt: Any, base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        make_sync(rt, Recorder(), base_url=base_url)


def test_redirects_are_not_followed(rt: Any) -> None:
    recorder = Recorder(httpx.Response(307, headers={"location": "https://evil.example/steal"}))
    # Even a caller's client configured to follow redirects must not carry the key elsewhere.
    own = httpx.Client(transport=httpx.MockTransport(recorder), follow_redirects=True)
    client = make_sync(rt, recorder, transport=None, http_client=own)
    with pytest.raises(rt.APIStatusError) as caught:
        client.post_json("m", body={}, model_id="m")
    assert caught.value.status_code == 307
    assert [request.url.host for request in recorder.requests] == ["api.example.test"]
    own.close()


def test_a_callers_http_client_is_used_and_left_open(rt: Any) -> None:
    recorder = Recorder(json_response(200, {"a": 1}))
    own = httpx.Client(transport=httpx.MockTransport(recorder))
    with make_sync(rt, recorder, transport=None, http_client=own) as client:
        assert client.post_json("m", body={}, model_id="m") == {"a": 1}
    assert not own.is_closed
    own.close()


def test_http_client_and_transport_are_exclusive(rt: Any) -> None:
    with httpx.Client() as own, pytest.raises(ValueError, match="not both"):
        make_sync(rt, Recorder(), http_client=own)


def test_the_timeout_reaches_the_request(rt: Any) -> None:
    recorder = Recorder(json_response(200, {}))
    make_sync(rt, recorder, timeout=12.5).post_json("m", body={}, model_id="m")
    assert recorder.requests[0].extensions["timeout"] == httpx.Timeout(12.5).as_dict()


@pytest.mark.anyio
async def test_async_envelopes_and_provider_error(rt: Any) -> None:
    ok = json_response(200, {"success": True, "result": {"response": "x"}})
    failed = json_response(200, {"success": False, "errors": [{"code": 1, "message": "m"}]})
    recorder = Recorder(ok, failed)
    options = {"request_envelope": ("model", "data"), "response_envelope": rt.ResponseEnvelope(**CLOUDFLARE)}
    async with make_async(rt, recorder, **options) as client:
        assert await client.post_json("", body={"prompt": "p"}, model_id="mm") == {"response": "x"}
        with pytest.raises(rt.ProviderError) as caught:
            await client.post_json("", body={"prompt": "p"}, model_id="mm")
    assert caught.value.provider_errors == [{"code": 1, "message": "m"}]
    assert recorder.json_bodies() == [{"model": "mm", "data": {"prompt": "p"}}] * 2


@pytest.mark.anyio
async def test_async_unsafe_path_and_bytes(rt: Any) -> None:
    recorder = Recorder(httpx.Response(200, headers={"content-type": "audio/mpeg"}, content=b"ID3"))
    async with make_async(rt, recorder) as client:
        with pytest.raises(ValueError, match="path"):
            await client.post_json("//evil.example/x", body={}, model_id="m")
        assert await client.post_json("tts", body={}, model_id="m") == b"ID3"


@pytest.mark.anyio
async def test_async_callers_client_is_left_open(rt: Any) -> None:
    recorder = Recorder(json_response(200, {}))
    own = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    async with make_async(rt, recorder, transport=None, http_client=own) as client:
        await client.post_json("m", body={}, model_id="m")
    assert not own.is_closed
    await own.aclose()


def test_an_owned_client_is_closed_and_says_so_as_an_sdk_error(rt: Any) -> None:
    """httpx's own is a RuntimeError, which `except SDKError` would not catch."""
    recorder = Recorder(json_response(200, {"response": "hi"}))
    with make_sync(rt, recorder) as client:
        pass
    with pytest.raises(rt.APIConnectionError, match=r"^Client closed: POST .*/m was not sent") as raised:
        client.post_json("/m", body={}, model_id="m")
    assert isinstance(raised.value, rt.SDKError) and recorder.requests == []
    assert "before its `with` block ends" in str(raised.value)
    with httpx.Client(transport=httpx.MockTransport(recorder)) as own:
        theirs = rt.SyncAPIClient(
            base_url=BASE_URL, auth_header="Authorization", auth_value="k", http_client=own
        )
        theirs.close()  # leaves the caller's own open: still usable
        assert theirs.post_json("/m", body={}, model_id="m") == {"response": "hi"}
    with pytest.raises(rt.APIConnectionError, match="the http_client passed to this client is closed"):
        theirs.post_json("/m", body={}, model_id="m")


@pytest.mark.anyio
async def test_a_closed_async_client_says_so_as_an_sdk_error(rt: Any) -> None:
    recorder = Recorder(json_response(200, {"response": "hi"}))
    async with make_async(rt, recorder) as client:
        pass
    with pytest.raises(rt.APIConnectionError, match=r"^Client closed: POST .*/m was not sent"):
        await client.post_json("/m", body={}, model_id="m")
