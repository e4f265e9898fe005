"""Through the generated clients: one exception class per status, retries, redaction."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from generator.cassettes.minimal import minimal_instance
from tests.sdk.conftest import CREDENTIALS, ENTRIES, Recorder, client_for, wire_answer

SEGMIND = next(e for e in ENTRIES if e.provider == "segmind")
CLOUDFLARE = next(e for e in ENTRIES if e.provider == "cloudflare")
MESSAGES = [{"role": "user", "content": "hi"}]

STATUS_CLASSES = [
    (400, "BadRequestError"), (401, "AuthenticationError"), (403, "PermissionDeniedError"),
    (404, "NotFoundError"), (405, "MethodNotAllowedError"), (406, "InsufficientCreditsError"),
    (408, "RequestTimeoutError"), (409, "ConflictError"), (422, "UnprocessableEntityError"),
    (429, "RateLimitError"), (500, "InternalServerError"), (503, "InternalServerError"),
]  # fmt: skip


def _call(client: Any, entry: Any) -> Any:
    return getattr(client.models, entry.slug).run(messages=MESSAGES)


@pytest.mark.parametrize(("status", "name"), STATUS_CLASSES)
def test_each_status_raises_its_class(sdk: Any, status: int, name: str) -> None:
    body = {"error": {"message": f"status {status}"}}
    client = client_for(sdk, SEGMIND, Recorder(lambda r: httpx.Response(status, json=body)), max_retries=0)
    with pytest.raises(getattr(sdk, name)) as caught:
        _call(client, SEGMIND)
    assert isinstance(caught.value, sdk.APIStatusError)
    assert caught.value.status_code == status


def test_a_406_is_insufficient_credits_only_for_a_model_whose_document_says_so(sdk: Any) -> None:
    """Segmind's page declares its 406 as "Not enough credits"; a Cloudflare model's 406 is HTTP's
    Not Acceptable. Per-call options keep the model's meaning."""
    assert any(e.status == 406 and "credits" in e.description for e in SEGMIND.errors)
    assert not any(e.status == 406 for e in CLOUDFLARE.errors)
    answer = Recorder(lambda r: httpx.Response(406, json={"error": "no"}))
    with pytest.raises(sdk.InsufficientCreditsError):
        getattr(client_for(sdk, SEGMIND, answer, max_retries=0).models, SEGMIND.slug).run(
            messages=MESSAGES, timeout=5, extra_headers={"X-Trace": "t"}
        )
    with pytest.raises(sdk.InsufficientCreditsError):  # untyped, a catalog model keeps its meaning
        client_for(sdk, SEGMIND, answer, max_retries=0).run(SEGMIND.model_id, {"messages": MESSAGES})
    with pytest.raises(sdk.APIStatusError) as caught:
        _call(client_for(sdk, CLOUDFLARE, answer, max_retries=0), CLOUDFLARE)
    assert type(caught.value) is sdk.APIStatusError and caught.value.status_code == 406


def _sleeps(client: Any) -> list[float]:
    slept: list[float] = []
    client._client._sleep = slept.append  # the runtime's injectable sleep; no real waiting
    return slept


def test_429_is_retried_after_retry_after_then_succeeds(sdk: Any) -> None:
    ok = httpx.Response(200, json=wire_answer(CLOUDFLARE, {"response": "fine"}))
    recorder = Recorder(lambda r: ok)
    recorder.queue = [httpx.Response(429, headers={"retry-after": "3"}, json={"errors": []})] * 2
    client = client_for(sdk, CLOUDFLARE, recorder, max_retries=2)
    slept = _sleeps(client)
    assert _call(client, CLOUDFLARE).response == "fine"
    assert len(recorder.requests) == 3
    assert slept == [3.0, 3.0]


def test_5xx_is_retried_up_to_max_retries_then_raised(sdk: Any) -> None:
    recorder = Recorder(lambda r: httpx.Response(502, text="bad gateway"))
    client = client_for(sdk, SEGMIND, recorder, max_retries=3)
    slept = _sleeps(client)
    with pytest.raises(sdk.InternalServerError):
        _call(client, SEGMIND)
    assert len(recorder.requests) == 4
    assert len(slept) == 3 and all(0 <= s <= 8 for s in slept)


def test_401_is_not_retried(sdk: Any) -> None:
    recorder = Recorder(lambda r: httpx.Response(401, json={"error": "no"}))
    client = client_for(sdk, SEGMIND, recorder, max_retries=5)
    with pytest.raises(sdk.AuthenticationError):
        _call(client, SEGMIND)
    assert len(recorder.requests) == 1


def test_connection_errors_are_retried_then_raised(sdk: Any) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    recorder = Recorder(refuse)
    client = client_for(sdk, SEGMIND, recorder, max_retries=2)
    _sleeps(client)
    with pytest.raises(sdk.APIConnectionError):
        _call(client, SEGMIND)
    assert len(recorder.requests) == 3


def test_missing_credentials_name_the_environment_variable(sdk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGMIND_API_KEY", raising=False)
    with pytest.raises(sdk.MissingCredentialsError, match="SEGMIND_API_KEY"):
        sdk.Segmind()
    monkeypatch.setenv("SEGMIND_API_KEY", "from-env")
    recorder = Recorder(lambda r: httpx.Response(200, json=minimal_instance(SEGMIND.output_schema)))
    sdk.Segmind(transport=httpx.MockTransport(recorder)).models.deepseek_reasoner.run(messages=MESSAGES)
    assert recorder.requests[-1].headers["x-api-key"] == "from-env"


def test_base_url_can_come_from_the_environment(sdk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGMIND_BASE_URL", "http://127.0.0.1:9/")
    recorder = Recorder(lambda r: httpx.Response(200, json=minimal_instance(SEGMIND.output_schema)))
    client = sdk.Segmind(api_key="k", transport=httpx.MockTransport(recorder))
    client.models.deepseek_reasoner.run(messages=MESSAGES)
    assert str(recorder.requests[-1].url) == "http://127.0.0.1:9/v1/deepseek-reasoner"


def test_keys_never_appear_in_reprs_errors_or_logs(sdk: Any, caplog: pytest.LogCaptureFixture) -> None:
    secret = CREDENTIALS["cloudflare"]["api_key"]
    body = {"errors": [{"message": f"token {secret} rejected"}], "success": False}
    client = client_for(sdk, CLOUDFLARE, Recorder(lambda r: httpx.Response(401, json=body)), max_retries=0)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(sdk.AuthenticationError) as caught:
        _call(client, CLOUDFLARE)
    for text in (repr(client), str(caught.value), repr(caught.value), caplog.text):
        assert secret not in text


def _told(error: BaseException) -> str:
    """What an uncaught error prints: its traceback, chained causes and contexts included."""
    import traceback

    return "".join(traceback.format_exception(error))


def test_an_echoed_key_is_scrubbed_from_error_attributes_and_never_printed_with_a_cause(sdk: Any) -> None:
    secret = CREDENTIALS["segmind"]["api_key"]
    echo = {"error": f"bad request for {secret}", "errors": [{"message": f"key {secret}"}]}
    client = client_for(sdk, SEGMIND, Recorder(lambda r: httpx.Response(400, json=echo)), max_retries=0)
    with pytest.raises(sdk.BadRequestError) as status:
        _call(client, SEGMIND)
    assert secret not in repr(status.value.body) + repr(status.value.provider_errors) + _told(status.value)
    assert status.value.body["error"] == "bad request for <redacted>"  # the rest of the body stays

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"proxy said: bad header x-api-key: {secret}", request=request)

    client = client_for(sdk, SEGMIND, Recorder(refuse), max_retries=0)
    with pytest.raises(sdk.APIConnectionError) as connection:
        _call(client, SEGMIND)
    assert secret not in _told(connection.value)

    client = client_for(
        sdk, SEGMIND, Recorder(lambda r: httpx.Response(200, json={"choices": secret})), max_retries=0
    )
    with pytest.raises(sdk.ResponseValidationError) as invalid:
        _call(client, SEGMIND)
    assert secret not in repr(invalid.value.body) + _told(invalid.value)


def test_a_cause_without_a_key_is_still_chained(sdk: Any) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = client_for(sdk, SEGMIND, Recorder(refuse), max_retries=0)
    with pytest.raises(sdk.APIConnectionError) as caught:
        _call(client, SEGMIND)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_a_status_error_carries_the_providers_request_id(sdk: Any) -> None:
    answer = httpx.Response(500, headers={"cf-ray": "8f1e2d3c4b5a6978-SJC"}, json={"error": "overloaded"})
    client = client_for(sdk, CLOUDFLARE, Recorder(lambda r: answer), max_retries=0)
    with pytest.raises(sdk.InternalServerError) as caught:
        _call(client, CLOUDFLARE)
    assert caught.value.request_id == "8f1e2d3c4b5a6978-SJC"
    client = client_for(sdk, CLOUDFLARE, Recorder(lambda r: httpx.Response(500)), max_retries=0)
    with pytest.raises(sdk.InternalServerError) as unnamed:
        _call(client, CLOUDFLARE)
    assert unnamed.value.request_id is None


def test_a_credential_given_in_with_options_or_for_one_call_is_scrubbed_like_the_key(sdk: Any) -> None:
    for index, configure in enumerate(("with_options", "extra_headers")):
        secret = f"per-call-secret-{index}-0123456789"

        def echo(request: httpx.Request) -> httpx.Response:
            return httpx.Response(400, json={"error": f"bad key {request.headers['x-api-key']}"})

        client = client_for(sdk, SEGMIND, Recorder(echo), max_retries=0)
        headers = {"X-Api-Key": secret}
        with pytest.raises(sdk.BadRequestError) as caught:
            if configure == "with_options":
                client.with_options(default_headers=headers).models.deepseek_reasoner.run(messages=MESSAGES)
            else:
                client.models.deepseek_reasoner.run(messages=MESSAGES, extra_headers=headers)
        assert secret not in str(caught.value) + repr(caught.value.body) + _told(caught.value), configure
