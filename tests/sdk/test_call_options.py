"""Issue #13: exact keyword arguments, request validation inside the SDK's errors, per-call options."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from generator.cassettes.minimal import minimal_instance
from generator.catalog.entry import CatalogEntry
from tests.sdk.conftest import CREDENTIALS, ENTRIES, Recorder, client_for, entry_id, sse, wire_answer

STREAMING = [e for e in ENTRIES if e.streaming.supported]
UNION = [e for e in ENTRIES if "oneOf" in e.input_schema]
MESSAGES = [{"role": "user", "content": "hi"}]


def _recorder(entry: CatalogEntry) -> Recorder:
    answer = wire_answer(entry, minimal_instance(entry.output_schema))
    return Recorder(lambda request: httpx.Response(200, json=answer, headers={"x-request-id": "req-1"}))


def _model(sdk: Any, entry: CatalogEntry, recorder: Recorder, **options: Any) -> Any:
    return getattr(client_for(sdk, entry, recorder, **options).models, entry.slug)


def _data(entry: CatalogEntry, recorder: Recorder) -> Any:
    body = recorder.last_json
    return body["data"] if entry.request.envelope else body


def test_the_seed_catalog_has_a_one_of_input() -> None:
    assert UNION, "the oneOf tests below would test nothing"


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_an_unknown_keyword_is_a_type_error_naming_the_close_matches(sdk: Any, entry: CatalogEntry) -> None:
    recorder = _recorder(entry)
    model = _model(sdk, entry, recorder)
    with pytest.raises(TypeError, match=r"'mesages' \(did you mean 'messages'\?\)"):
        model.run(mesages=MESSAGES)
    with pytest.raises(TypeError, match=r"'tempratur'.*extra_body"):
        model.run(messages=MESSAGES, tempratur=0.5)
    assert recorder.requests == []


@pytest.mark.parametrize("entry", STREAMING, ids=entry_id)
def test_stream_refuses_an_unknown_keyword_too(sdk: Any, entry: CatalogEntry) -> None:
    recorder = _recorder(entry)
    with pytest.raises(TypeError, match="'mesages'"):
        _model(sdk, entry, recorder).stream(mesages=MESSAGES)
    assert recorder.requests == []


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_the_async_client_refuses_an_unknown_keyword(sdk: Any, entry: CatalogEntry) -> None:
    recorder = _recorder(entry)
    cls = getattr(sdk, f"Async{entry.provider.capitalize()}")
    client = cls(transport=httpx.MockTransport(recorder), **CREDENTIALS[entry.provider])
    model = getattr(client.models, entry.slug)
    with pytest.raises(TypeError, match="'mesages'"):
        asyncio.run(model.run(mesages=MESSAGES))
    assert recorder.requests == []


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_per_call_options_are_never_sent_in_the_body(sdk: Any, entry: CatalogEntry) -> None:
    recorder = _recorder(entry)
    _model(sdk, entry, recorder).run(
        messages=MESSAGES,
        timeout=7,
        max_retries=0,
        extra_headers={"X-Trace": "t-1"},
        extra_query={"trace": "on", "tag": ["a", "b"]},
        extra_body={"x_extra": 1},
    )
    request = recorder.requests[-1]
    assert _data(entry, recorder) == {"messages": MESSAGES, "x_extra": 1}
    assert request.headers["x-trace"] == "t-1"
    assert request.url.params.get_list("tag") == ["a", "b"] and request.url.params["trace"] == "on"
    assert request.extensions["timeout"]["read"] == 7


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_extra_values_json_cannot_carry_are_refused_and_a_none_query_left_out(
    sdk: Any, entry: CatalogEntry
) -> None:
    """NaN and infinities (in extra_body, in an object's own extra key, at any depth) would be sent
    as `null`; a None query value as `None`."""
    recorder = _recorder(entry)
    model = _model(sdk, entry, recorder)
    words = "is not a finite number, which JSON cannot carry"
    with pytest.raises(sdk.RequestValidationError, match=rf": x_extra\.1 {words}") as caught:
        model.run(messages=MESSAGES, extra_body={"x_extra": [1.0, float("nan")]})
    assert caught.value.errors == [{"type": "finite_number", "loc": ("x_extra", 1), "msg": str(caught.value)}]
    with pytest.raises(sdk.RequestValidationError, match=rf": limit {words}"):
        model.run(messages=MESSAGES, extra_body={"limit": -float("inf")})
    nested = [{"role": "user", "content": "hi", "weight": float("inf")}]  # a message's own extra key
    with pytest.raises(sdk.RequestValidationError, match=rf": messages\.0\.weight {words}"):
        model.run(messages=nested)
    untyped = client_for(sdk, entry, recorder)
    with pytest.raises(sdk.RequestValidationError, match=rf": messages\.0\.weight {words}"):
        untyped.run(entry.model_id, {"messages": nested})
    assert recorder.requests == []  # nothing sent
    model.run(messages=MESSAGES, extra_query={"n": None, "m": [None, "x"]})
    params = recorder.requests[-1].url.params
    assert "n" not in params and params.get_list("m") == ["x"]


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_per_call_max_retries_overrides_the_clients(sdk: Any, entry: CatalogEntry) -> None:
    recorder = Recorder(lambda request: httpx.Response(503, json={"error": "busy"}))
    model = _model(sdk, entry, recorder, max_retries=0)
    model._client._sleep = lambda seconds: None
    with pytest.raises(sdk.InternalServerError):
        model.run(messages=MESSAGES, max_retries=2)
    assert len(recorder.requests) == 3
    with pytest.raises(sdk.InternalServerError):
        model.run(messages=MESSAGES)
    assert len(recorder.requests) == 4


@pytest.mark.parametrize("entry", STREAMING, ids=entry_id)
def test_stream_takes_the_per_call_options(sdk: Any, entry: CatalogEntry) -> None:
    events = sse('{"response": "Hel"}', "[DONE]")
    recorder = Recorder(
        lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=events)
    )
    model = _model(sdk, entry, recorder)
    list(model.stream(messages=MESSAGES, timeout=3, extra_headers={"X-Trace": "s"}, extra_query={"q": 1}))
    request = recorder.requests[-1]
    assert request.headers["x-trace"] == "s" and request.url.params["q"] == "1"
    assert request.extensions["timeout"]["read"] == 3
    assert set(_data(entry, recorder)) == {"messages", entry.streaming.request_flag}


@pytest.mark.parametrize("entry", ENTRIES[:1], ids=entry_id)
def test_with_options_returns_a_configured_copy_sharing_the_pool(sdk: Any, entry: CatalogEntry) -> None:
    recorder = _recorder(entry)
    client = client_for(sdk, entry, recorder)
    copy = client.with_options(timeout=9, max_retries=0, default_headers={"X-Team": "a"})
    assert copy is not client and copy._client._client is client._client._client
    assert copy._client.max_retries == 0 and client._client.max_retries == 2
    getattr(copy.models, entry.slug).run(messages=MESSAGES)
    assert recorder.requests[-1].headers["x-team"] == "a"
    assert recorder.requests[-1].extensions["timeout"]["read"] == 9
    getattr(client.models, entry.slug).run(messages=MESSAGES)
    assert "x-team" not in recorder.requests[-1].headers
    copy.close()
    getattr(client.models, entry.slug).run(messages=MESSAGES)  # the pool is still open


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_a_bad_argument_raises_request_validation_error_inside_the_sdk_tree(
    sdk: Any, entry: CatalogEntry
) -> None:
    recorder = _recorder(entry)
    model = _model(sdk, entry, recorder)
    with pytest.raises(sdk.SDKError) as caught:
        model.run(messages=[{"role": "user", "content": 1}])
    error: Any = caught.value
    assert isinstance(error, sdk.RequestValidationError)
    assert isinstance(caught.value, ValueError)
    assert [e["loc"] for e in error.errors] == [("messages", 0, "content")], error.errors
    assert "messages.0.content: got int" in str(error) and "valid string" in str(error)
    assert recorder.requests == []


@pytest.mark.parametrize("entry", UNION, ids=entry_id)
def test_a_one_of_input_reports_the_branch_the_caller_chose(sdk: Any, entry: CatalogEntry) -> None:
    model = _model(sdk, entry, _recorder(entry))
    with pytest.raises(sdk.RequestValidationError) as caught:
        model.run(prompt="Hi", max_tokens="many")
    error: Any = caught.value
    assert [e["loc"][0] for e in error.errors] == ["max_tokens"], error.errors
    assert "messages" not in str(error)


@pytest.mark.parametrize(
    "entry", [e for e in UNION if '"temperature"' in str(e.input_schema).replace("'", '"')], ids=entry_id
)
def test_a_value_that_fits_no_member_of_a_union_is_one_invalid_argument(
    sdk: Any, entry: CatalogEntry
) -> None:
    """`temperature` is a JSON number, an int or a float to pydantic: a string fits neither, once."""
    model = _model(sdk, entry, _recorder(entry))
    with pytest.raises(sdk.RequestValidationError) as caught:
        model.run(prompt="Hi", temperature="warm", max_tokens="many")
    message = str(caught.value)
    assert ": 2 invalid arguments: " in message, message
    assert "temperature: got str: fits none of its types (" in message, message
    assert "temperature.int" not in message and "temperature.float" not in message
    assert "max_tokens: got str: Input should be a valid integer" in message


def test_the_default_timeout_fits_generation(sdk: Any) -> None:
    client = sdk.Cloudflare(api_key="k", account_id="a")
    assert client._client.timeout == httpx.Timeout(600.0, connect=5.0)
