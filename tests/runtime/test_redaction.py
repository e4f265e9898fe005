"""The credential never shows in reprs, exception messages or logs."""

from __future__ import annotations

import base64
import importlib
import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from .support import API_KEY, Recorder, json_response, make_async, make_sync, sse

MODELS = Path(__file__).resolve().parents[2] / "generator" / "templates" / "package" / "_models.py"
ECHO = {
    "error": f"invalid key {API_KEY}",
    "errors": [{"code": 10000, "message": f"Bearer {API_KEY} rejected"}],
}


def assert_clean(*texts: str) -> None:
    for text in texts:
        assert API_KEY not in text
        assert API_KEY[:-1] not in text


def exception_texts(error: BaseException) -> list[str]:
    return [str(error), repr(error), getattr(error, "message", "")]


def test_redact_headers(rt: Any) -> None:
    headers = {
        "Authorization": "Bearer x",
        "X-API-Key": "k",
        "api-key": "k",
        "Cookie": "c",
        "Content-Type": "application/json",
    }
    assert rt.redact_headers(headers) == {
        "Authorization": "<redacted>",
        "X-API-Key": "<redacted>",
        "api-key": "<redacted>",
        "Cookie": "<redacted>",
        "Content-Type": "application/json",
    }
    assert rt.redact_headers(httpx.Headers({"x-api-key": "k"})) == {"x-api-key": "<redacted>"}
    named = {"x-other-key": "k", "Set-Cookie": "s", "X-Amz-Security-Token": "t", "X-Client-Secret": "c"}
    kept = {
        "X-Request-Id": "r",
        "keep-alive": "timeout=5",
        "Content-Length": "3",
        "x-should-retry": "true",
        "x-ratelimit-remaining-tokens": "99",  # a count, not a token
        "x-monkey": "m",
    }
    assert rt.redact_headers({**named, **kept}) == {**dict.fromkeys(named, "<redacted>"), **kept}


@pytest.mark.parametrize(
    ("header", "value"), [("Authorization", f"Bearer {API_KEY}"), ("x-api-key", API_KEY)]
)
def test_the_client_repr_shows_the_base_url_only(rt: Any, header: str, value: str) -> None:
    client = make_sync(rt, Recorder(), auth_header=header, auth_value=value)
    assert repr(client) == "SyncAPIClient(base_url='https://api.example.test/v1')"
    assert_clean(repr(client), str(client))


@pytest.mark.parametrize(
    ("header", "value"), [("Authorization", f"Bearer {API_KEY}"), ("x-api-key", API_KEY)]
)
def test_status_errors_do_not_repeat_an_echoed_key(rt: Any, header: str, value: str) -> None:
    client = make_sync(rt, Recorder(json_response(401, ECHO)), auth_header=header, auth_value=value)
    with pytest.raises(rt.AuthenticationError) as caught:
        client.post_json("m", body={}, model_id="m")
    assert "<redacted>" in caught.value.message
    assert_clean(*exception_texts(caught.value))


def test_provider_and_stream_errors_do_not_repeat_an_echoed_key(rt: Any) -> None:
    failed = json_response(200, {"success": False, **ECHO})
    client = make_sync(rt, Recorder(failed), response_envelope=rt.ResponseEnvelope())
    with pytest.raises(rt.ProviderError) as provider:
        client.post_json("m", body={}, model_id="m")
    echo = f'data: {{"error": "bad {API_KEY}"}}\n\n'.encode()
    events = make_sync(rt, Recorder(sse(echo))).stream_events(
        "m", body={}, model_id="m", settings=rt.StreamSettings(terminator="[DONE]")
    )
    with pytest.raises(rt.StreamError) as stream:
        list(events)
    assert_clean(*exception_texts(provider.value), *exception_texts(stream.value))


def test_connection_errors_do_not_carry_the_key(rt: Any) -> None:
    client = make_sync(rt, Recorder(httpx.ConnectError(f"proxy said: Bearer {API_KEY}")), max_retries=0)
    with pytest.raises(rt.APIConnectionError) as caught:
        client.post_json("m", body={}, model_id="m")
    assert "POST https://api.example.test/v1/m" in caught.value.message
    assert_clean(*exception_texts(caught.value))


def test_a_key_given_in_default_headers_is_scrubbed_too(rt: Any) -> None:
    client = make_sync(
        rt, Recorder(json_response(403, ECHO)), auth_value=None, default_headers={"x-api-key": API_KEY}
    )
    with pytest.raises(rt.PermissionDeniedError) as caught:
        client.post_json("m", body={}, model_id="m")
    assert_clean(*exception_texts(caught.value), repr(client))


def test_debug_logs_show_each_attempt_without_the_key(rt: Any, caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder(json_response(503, ECHO), httpx.ConnectError("x"), json_response(200, {}))
    with caplog.at_level(logging.DEBUG):
        make_sync(rt, recorder).post_json("m", body={}, model_id="m")
        with pytest.raises(rt.AuthenticationError):
            make_sync(rt, Recorder(json_response(401, ECHO)), max_retries=0).post_json(
                "m", body={}, model_id="m"
            )
    lines = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("rtpkg") and record.levelno == logging.INFO  # DEBUG adds headers, body
    ]
    assert [line for line in lines if not line.startswith("retrying in ")] == [
        "POST https://api.example.test/v1/m -> 503 (attempt 1 of 3)",
        "POST https://api.example.test/v1/m -> ConnectError (attempt 2 of 3)",
        "POST https://api.example.test/v1/m -> 200 (attempt 3 of 3)",
        "POST https://api.example.test/v1/m -> 401 (attempt 1 of 1)",
    ]
    assert [line.startswith("retrying in ") for line in lines] == [False, True, False, True, False, False]
    assert_clean(caplog.text)


@pytest.mark.anyio
async def test_async_repr_errors_and_logs_are_clean(rt: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        async with make_async(rt, Recorder(json_response(401, ECHO))) as client:
            assert_clean(repr(client))
            with pytest.raises(rt.AuthenticationError) as caught:
                await client.post_json("m", body={}, model_id="m")
    assert_clean(*exception_texts(caught.value), caplog.text)


def echoed_forms() -> list[str]:
    """The key as an answer may echo it: raw, in another case, JSON-escaped, percent-encoded, as HTML
    character references, hex, base64, cut short."""
    return [
        API_KEY,
        API_KEY.upper(),
        "".join(f"&#{ord(c)};" for c in API_KEY),
        "".join(f"&#x{ord(c):X};" if i % 2 else c for i, c in enumerate(API_KEY)),
        API_KEY.encode().hex(),
        API_KEY.encode().hex().upper(),
        API_KEY[3:21],  # 18 characters of it: a log line that cut it short
        API_KEY.replace("-", "\\u002d"),
        "".join(f"\\u{ord(c):04x}" for c in API_KEY),
        quote(API_KEY, safe="").replace("-", "%2D"),
        quote(quote(API_KEY.replace("-", "%2d"), safe=""), safe=""),
        base64.b64encode(f"user:{API_KEY}".encode()).decode(),
        base64.urlsafe_b64encode(f"{API_KEY}!".encode()).decode(),
    ]


def assert_no_form(*texts: str) -> None:
    for text in texts:
        assert_clean(text)
        for form in echoed_forms():
            assert form not in text
        assert "0123456789" not in text


@pytest.mark.parametrize("form", echoed_forms())
def test_every_form_of_the_key_is_scrubbed_in_text_and_bytes(rt: Any, form: str) -> None:
    assert_no_form(rt.scrub(f"said: {form}.", [API_KEY]))
    cleaned = rt.scrub_bytes(b"\xff\x00" + form.encode() + b"\xfe", [API_KEY])
    assert cleaned == b"\xff\x00<redacted>\xfe" or API_KEY.encode() not in cleaned
    assert_no_form(cleaned.decode("latin-1"))


@pytest.mark.parametrize("form", echoed_forms())
def test_status_and_stream_errors_scrub_every_form(rt: Any, form: str) -> None:
    text = httpx.Response(401, text=f"bad key {form}", headers={"content-type": "text/plain"})
    client = make_sync(rt, Recorder(text), max_retries=0)
    with pytest.raises(rt.AuthenticationError) as status:
        client.post_json("m", body={}, model_id="m")
    echo = f'event: error\ndata: {{"error": "bad {form}"}}\n\n'.encode()
    events = make_sync(rt, Recorder(sse(echo))).stream_events(
        "m", body={}, model_id="m", settings=rt.StreamSettings(terminator="[DONE]")
    )
    with pytest.raises(rt.StreamError) as stream:
        list(events)
    assert_no_form(*exception_texts(status.value), *exception_texts(stream.value))


def test_a_response_validation_error_never_repeats_an_echoed_key(rt: Any) -> None:
    package = Path(rt._redact.__file__).parent
    (package / "_models.py").write_text(MODELS.read_text("utf-8"), "utf-8")
    models = importlib.import_module(f"{package.name}._models")

    class Answer(models.StrictModel):  # type: ignore[name-defined,misc]
        count: int

    make_sync(rt, Recorder())  # a client with this key exists in the process
    with pytest.raises(rt.ResponseValidationError) as caught:
        models.parse_as(Answer, {"count": f"Bearer {API_KEY}"}, "m")
    assert "count" in caught.value.message
    assert_no_form(*exception_texts(caught.value))
    with pytest.raises(rt.ResponseValidationError) as direct:
        raise rt.ResponseValidationError(f"odd answer {echoed_forms()[2]}", expected="x", body=None)
    assert_no_form(*exception_texts(direct.value))


def test_a_secret_holding_a_lone_surrogate_is_scrubbed(rt: Any) -> None:
    """What os.environ gives for bytes that are not UTF-8."""
    secret = "abc\udcff-longsecretvalue"
    assert rt.scrub(f"said {secret} and {secret.upper()}", [secret]) == "said <redacted> and <redacted>"


def test_a_bare_key_keeps_the_text_around_it_when_its_bearer_form_is_a_secret_too(rt: Any) -> None:
    """A piece of `Bearer k` is ` k...`: pieces go after whole forms, so the space before `k` stays."""
    secrets = rt.secrets_of(f"Bearer {API_KEY}")
    assert len(secrets) == 2
    assert rt.scrub(f"my key is {API_KEY}, and Bearer {API_KEY}.", secrets) == (
        "my key is <redacted>, and <redacted>."
    )
