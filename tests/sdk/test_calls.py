"""Per model: the typed call sends exactly what the provider expects and parses what it answers."""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema
import pytest

from generator.cassettes.minimal import minimal_instance
from generator.catalog.entry import CatalogEntry
from tests.sdk.conftest import (
    CREDENTIALS,
    ENTRIES,
    Recorder,
    client_for,
    entry_id,
    sse,
    wire_answer,
)

STREAMING = [e for e in ENTRIES if e.streaming.supported]


def _expected_url(entry: CatalogEntry) -> str:
    # Written out per provider from the documents, not computed the way the SDK computes it.
    if entry.provider == "cloudflare":
        return f"https://api.cloudflare.com/client/v4/accounts/acct-123/ai/run/{entry.model_id}"
    if entry.provider == "dataoorts":
        return "https://cloud.dataoorts.com/api/v1"
    return f"https://api.segmind.com/v1/{entry.model_id}"


def _expected_auth(entry: CatalogEntry, request: httpx.Request) -> None:
    key = CREDENTIALS[entry.provider]["api_key"]
    if entry.provider == "segmind":
        assert request.headers["x-api-key"] == key
        assert "authorization" not in request.headers
    else:
        assert request.headers["authorization"] == f"Bearer {key}"


def _request(entry: CatalogEntry) -> dict[str, Any]:
    """The document's own example request, else a plain chat request."""
    if entry.examples:
        return dict(entry.examples[0].request)
    return {"messages": [{"role": "user", "content": "Hello"}], "max_tokens": 16}


def _result(entry: CatalogEntry) -> Any:
    for example in entry.examples:
        if example.response is not None:
            return example.response
    return minimal_instance(entry.output_schema)


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_typed_run_sends_the_documented_request(sdk: Any, entry: CatalogEntry) -> None:
    result = _result(entry)
    jsonschema.validate(result, entry.output_schema)
    recorder = Recorder(lambda request: httpx.Response(200, json=wire_answer(entry, result)))
    client = client_for(sdk, entry, recorder)
    request = _request(entry)
    answer = getattr(client.models, entry.slug).run(**request)

    sent = recorder.requests[-1]
    assert sent.method == "POST"
    assert str(sent.url) == _expected_url(entry)
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["user-agent"] == f"{sdk.__name__}/{sdk.__version__}"  # the package, as named
    _expected_auth(entry, sent)
    if entry.request.envelope is not None:
        assert recorder.last_json == {"model": entry.model_id, "data": request}
    else:
        assert recorder.last_json == request
    assert type(answer).__name__ == "Response"
    assert answer.model_dump(mode="json", exclude_unset=True) == result


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_only_set_fields_are_sent(sdk: Any, entry: CatalogEntry) -> None:
    recorder = Recorder(
        lambda request: httpx.Response(200, json=wire_answer(entry, minimal_instance(entry.output_schema)))
    )
    client = client_for(sdk, entry, recorder)
    messages = [{"role": "user", "content": "hi"}]
    getattr(client.models, entry.slug).run(messages=messages)
    body = recorder.last_json
    data = body["data"] if entry.request.envelope else body
    assert data == {"messages": messages}, "defaults and unset fields must not be sent"


@pytest.mark.parametrize("entry", STREAMING, ids=entry_id)
def test_run_drops_a_stream_flag_slipped_in_through_extra_body(sdk: Any, entry: CatalogEntry) -> None:
    answer = wire_answer(entry, minimal_instance(entry.output_schema))
    recorder = Recorder(lambda request: httpx.Response(200, json=answer))
    model = getattr(client_for(sdk, entry, recorder).models, entry.slug)
    model.run(messages=[{"role": "user", "content": "hi"}], extra_body={"stream": True})
    assert "stream" not in recorder.last_json


@pytest.mark.parametrize("entry", STREAMING, ids=entry_id)
def test_stream_yields_typed_chunks_until_done(sdk: Any, entry: CatalogEntry) -> None:
    events = sse('{"response": "Hel"}', '{"response": "lo"}', "[DONE]")
    recorder = Recorder(
        lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=events)
    )
    client = client_for(sdk, entry, recorder)
    chunks = list(getattr(client.models, entry.slug).stream(messages=[{"role": "user", "content": "hi"}]))
    assert [type(c).__name__ for c in chunks] == ["StreamChunk", "StreamChunk"]
    assert "".join(c.response for c in chunks) == "Hello"
    assert recorder.last_json["stream"] is True


def test_models_that_do_not_stream_have_no_stream_method(sdk: Any) -> None:
    entry = next(e for e in ENTRIES if not e.streaming.supported)
    client = client_for(sdk, entry, Recorder(lambda r: httpx.Response(500)))
    assert not hasattr(getattr(client.models, entry.slug), "stream")


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.response.envelope], ids=entry_id)
def test_success_false_raises_with_the_providers_errors(sdk: Any, entry: CatalogEntry) -> None:
    errors = [{"code": 5006, "message": "bad input"}]
    body = {"result": None, "success": False, "errors": errors, "messages": []}
    client = client_for(sdk, entry, Recorder(lambda r: httpx.Response(200, json=body)))
    with pytest.raises(sdk.ProviderError) as caught:
        getattr(client.models, entry.slug).run(messages=[{"role": "user", "content": "hi"}])
    assert caught.value.provider_errors == errors


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_an_answer_outside_the_output_schema_is_refused(sdk: Any, entry: CatalogEntry) -> None:
    client = client_for(
        sdk, entry, Recorder(lambda r: httpx.Response(200, json=wire_answer(entry, ["not", "an", "object"])))
    )
    with pytest.raises(sdk.ResponseValidationError):
        getattr(client.models, entry.slug).run(messages=[{"role": "user", "content": "hi"}])


@pytest.mark.anyio
@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
async def test_async_client_makes_the_same_call(sdk: Any, entry: CatalogEntry) -> None:
    result = _result(entry)
    recorder = Recorder(lambda request: httpx.Response(200, json=wire_answer(entry, result)))
    cls = getattr(sdk, f"Async{entry.provider.capitalize()}")
    async with cls(transport=httpx.MockTransport(recorder), **CREDENTIALS[entry.provider]) as client:
        answer = await getattr(client.models, entry.slug).run(**_request(entry))
    assert str(recorder.requests[-1].url) == _expected_url(entry)
    assert answer.model_dump(mode="json", exclude_unset=True) == result


@pytest.mark.anyio
async def test_async_stream(sdk: Any) -> None:
    entry = STREAMING[0]
    events = sse('{"response": "a"}', '{"response": "b"}', "[DONE]")
    recorder = Recorder(
        lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=events)
    )
    client = sdk.AsyncCloudflare(transport=httpx.MockTransport(recorder), **CREDENTIALS["cloudflare"])
    chunks = [c.response async for c in getattr(client.models, entry.slug).stream(prompt="x")]
    assert chunks == ["a", "b"]
    await client.close()


def test_generic_run_is_the_escape_hatch(sdk: Any) -> None:
    recorder = Recorder(
        lambda r: httpx.Response(200, json={"result": {"anything": 1}, "success": True, "errors": []})
    )
    client = sdk.Cloudflare(transport=httpx.MockTransport(recorder), **CREDENTIALS["cloudflare"])
    assert client.run("@cf/meta/llama-new", {"prompt": "x"}) == {"anything": 1}
    assert str(recorder.requests[-1].url).endswith("/ai/run/@cf/meta/llama-new")
    assert json.loads(recorder.requests[-1].content) == {"prompt": "x"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


HOSTILE_IDS = [
    "../admin",
    "@cf/x/../../y",
    "https://elsewhere.example/x",
    "a?b=1",
    "a#frag",
    "//elsewhere.example",
    "/abs",
]


@pytest.mark.parametrize("model_id", HOSTILE_IDS)
@pytest.mark.parametrize(
    "entry", [ENTRIES[0], *(e for e in ENTRIES if e.provider != "cloudflare")], ids=entry_id
)
def test_generic_run_refuses_ids_that_could_leave_the_api_path(
    sdk: Any, entry: CatalogEntry, model_id: str
) -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json={}))
    client = client_for(sdk, entry, recorder)
    with pytest.raises(ValueError, match="not a model id"):
        client.run(model_id, {"prompt": "x"})
    with pytest.raises(ValueError, match="not a model id"):
        list(client.stream(model_id, {"prompt": "x"}))
    assert recorder.requests == [], "nothing may be sent, and no credentials with it"


def test_a_redirect_is_not_followed_with_credentials(sdk: Any) -> None:
    entry = next(e for e in ENTRIES if e.provider == "segmind")
    moved = httpx.Response(307, headers={"location": "https://elsewhere.example/steal"})
    recorder = Recorder(lambda r: moved)
    client = client_for(sdk, entry, recorder, max_retries=0)
    with pytest.raises(sdk.APIStatusError):
        client.models.deepseek_reasoner.run(messages=[{"role": "user", "content": "hi"}])
    assert [str(r.url.host) for r in recorder.requests] == ["api.segmind.com"]


def test_the_generic_run_does_not_follow_a_redirect_either(sdk: Any) -> None:
    moved = httpx.Response(302, headers={"location": "https://elsewhere.example/steal"})
    recorder = Recorder(lambda r: moved)
    client = sdk.Cloudflare(
        transport=httpx.MockTransport(recorder), max_retries=0, **CREDENTIALS["cloudflare"]
    )
    with pytest.raises(sdk.APIStatusError):
        client.run("@cf/meta/llama-new", {"prompt": "x"})
    assert [str(r.url.host) for r in recorder.requests] == ["api.cloudflare.com"]


@pytest.mark.parametrize(
    "account", ["../../admin", "a/b", "a?x=1", "a#f", "https://elsewhere.example/x", "%2e%2e"]
)
def test_a_path_value_is_one_encoded_segment_of_the_api_path(sdk: Any, account: str) -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json={"result": {}, "success": True, "errors": []}))
    client = sdk.Cloudflare(transport=httpx.MockTransport(recorder), api_key="k", account_id=account)
    client.run("@cf/meta/llama-new", {"prompt": "x"})
    [sent] = recorder.requests
    assert sent.url.host == "api.cloudflare.com"
    assert sent.url.query == b"" and sent.url.fragment == ""
    segments = sent.url.raw_path.decode("ascii").split("/")
    assert segments[:4] == ["", "client", "v4", "accounts"]
    assert segments[5:] == ["ai", "run", "@cf", "meta", "llama-new"]
    assert httpx.URL("https://x/" + segments[4]).path == "/" + account  # decodes back to the value itself


def test_the_generic_run_percent_encodes_what_an_id_may_carry(sdk: Any) -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json={"result": {}, "success": True, "errors": []}))
    client = sdk.Cloudflare(transport=httpx.MockTransport(recorder), **CREDENTIALS["cloudflare"])
    client.run("@cf/acme/model+v1:2", {"prompt": "x"})
    assert recorder.requests[-1].url.raw_path.decode("ascii").endswith("/ai/run/@cf/acme/model%2Bv1:2")


def test_the_untyped_stream_asks_a_catalog_model_for_its_stream(sdk: Any) -> None:
    """The catalog says which input property asks for the stream: stream() sets it unless the payload does."""
    entry = STREAMING[0]
    events = sse('{"response": "a"}', "[DONE]")
    recorder = Recorder(
        lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=events)
    )
    client = sdk.Cloudflare(transport=httpx.MockTransport(recorder), **CREDENTIALS["cloudflare"])
    assert list(client.stream(entry.model_id, {"prompt": "x"})) == [{"response": "a"}]
    assert json.loads(recorder.requests[-1].content) == {"prompt": "x", entry.streaming.request_flag: True}
    list(client.stream(entry.model_id, {"prompt": "x", entry.streaming.request_flag: "yes"}))
    assert (
        json.loads(recorder.requests[-1].content)[entry.streaming.request_flag] == "yes"
    )  # the caller's own


def test_the_untyped_stream_checks_its_id_when_called(sdk: Any) -> None:
    recorder = Recorder(lambda r: httpx.Response(200))
    client = sdk.Cloudflare(transport=httpx.MockTransport(recorder), **CREDENTIALS["cloudflare"])
    with pytest.raises(ValueError, match="does not stream in this SDK's catalog"):
        client.stream("@cf/nope/unknown", {"prompt": "x"})  # no iteration needed to hear it
    with pytest.raises(ValueError, match="not a model id"):
        client.stream("../admin", {"prompt": "x"})
    async_client = sdk.AsyncCloudflare(transport=httpx.MockTransport(recorder), **CREDENTIALS["cloudflare"])
    with pytest.raises(ValueError, match="does not stream in this SDK's catalog"):
        async_client.stream("@cf/nope/unknown", {"prompt": "x"})
    assert recorder.requests == []
