"""RecordingTransport keeps what passes through, scrubbed; what it keeps replays the same answers."""

from __future__ import annotations

import base64
import gzip
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.backend.server import BackendHandle, running_backend
from tests.cassettes.conftest import CATALOG, CREDENTIALS, entry_named, sdk_model
from tests.conftest import umask

CLOUDFLARE = entry_named("cloudflare", "tinyllama_1_1b_chat_v1_0")
SECRETS = {
    CREDENTIALS["cloudflare"]["api_key"]: "API_KEY",
    CREDENTIALS["cloudflare"]["account_id"]: "ACCOUNT_ID",
}


@pytest.fixture(scope="module")
def backend() -> Iterator[BackendHandle]:
    with running_backend(CATALOG, seed=5, token=CREDENTIALS["cloudflare"]["api_key"]) as handle:
        yield handle


def recorder(cassettes: Any, inner: Any, sink: Path) -> Any:
    return cassettes.RecordingTransport(inner, sink, SECRETS, base_url=CLOUDFLARE.endpoint.base_url)


def test_sse_record_then_replay_round_trip(
    sdk: Any, cassettes: Any, backend: BackendHandle, tmp_path: Path
) -> None:
    sink = tmp_path / "cloudflare" / CLOUDFLARE.slug / "stream.yaml"
    live = sdk_model(sdk, CLOUDFLARE, recorder(cassettes, httpx.HTTPTransport(), sink), base_url=backend.url)
    recorded = [chunk.response for chunk in live.stream(prompt="Tell me a story")]
    assert recorded
    text = sink.read_text("utf-8")
    for secret in SECRETS:
        assert secret not in text
    [interaction] = cassettes.load_cassettes([sink])
    assert interaction.uri == (
        "https://api.cloudflare.com/client/v4/accounts/ACCOUNT_ID/ai/run/@cf/tinyllama/tinyllama-1.1b-chat-v1.0"
    )
    assert dict(interaction.request_headers) == {
        "accept": "text/event-stream",
        "content-type": "application/json",
    }
    assert dict(interaction.response_headers)["content-type"].startswith("text/event-stream")
    assert interaction.response_body.endswith("data: [DONE]\n\n")
    replayed = sdk_model(sdk, CLOUDFLARE, cassettes.ReplayTransport([interaction]))
    assert [chunk.response for chunk in replayed.stream(prompt="Tell me a story")] == recorded


@pytest.mark.anyio
async def test_async_record_then_replay(
    sdk: Any, cassettes: Any, backend: BackendHandle, tmp_path: Path
) -> None:
    sink = tmp_path / "run.yaml"
    live = sdk_model(
        sdk,
        CLOUDFLARE,
        recorder(cassettes, httpx.AsyncHTTPTransport(), sink),
        asynchronous=True,
        base_url=backend.url,
    )
    first = await live.run(prompt="one")
    streamed = [chunk async for chunk in live.stream(prompt="two")]
    interactions = cassettes.load_cassettes([sink])
    assert [i.request_body for i in interactions] == ['{"prompt":"one"}', '{"prompt":"two","stream":true}']
    replayed = sdk_model(sdk, CLOUDFLARE, cassettes.ReplayTransport(interactions), asynchronous=True)
    assert await replayed.run(prompt="one") == first
    assert [chunk async for chunk in replayed.stream(prompt="two")] == streamed


def test_secrets_in_bodies_and_headers_are_replaced_and_gzip_is_stored_as_text(
    cassettes: Any, tmp_path: Path
) -> None:
    def provider(request: httpx.Request) -> httpx.Response:
        assert request.headers["accept-encoding"] == "identity"
        echoed = request.content.replace(b"}", b',"account":"acct-replay-42"}')
        return httpx.Response(
            200,
            headers={"content-encoding": "gzip", "x-echo": "Bearer cf-replay-token", "date": "Mon"},
            content=gzip.compress(echoed),
        )

    sink = tmp_path / "c.yaml"
    transport = cassettes.RecordingTransport(httpx.MockTransport(provider), sink, SECRETS)
    with httpx.Client(transport=transport) as client:
        response = client.post(
            "https://h.example/v1/acct-replay-42/run",
            content=b'{"key":"cf-replay-token"}',
            headers={"Authorization": "Bearer cf-replay-token", "x-api-key": "cf-replay-token"},
        )
    assert response.json() == {"key": "cf-replay-token", "account": "acct-replay-42"}
    text = sink.read_text("utf-8")
    assert "cf-replay-token" not in text
    assert "acct-replay-42" not in text
    [interaction] = cassettes.load_cassettes([sink])
    assert interaction.uri == "https://h.example/v1/ACCOUNT_ID/run"
    assert interaction.request_body == '{"key":"API_KEY"}'
    assert interaction.response_body == '{"key":"API_KEY","account":"ACCOUNT_ID"}'
    assert dict(interaction.response_headers) == {"x-echo": "Bearer API_KEY"}
    assert {name for name, _ in interaction.request_headers} <= {"accept", "content-type"}


def test_a_stream_abandoned_early_is_kept_as_far_as_it_went(cassettes: Any, tmp_path: Path) -> None:
    def provider(request: httpx.Request) -> httpx.Response:
        events = (f"data: {n}\n\n".encode() for n in range(1000))
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=events)

    sink = tmp_path / "c.yaml"
    with (
        httpx.Client(
            transport=cassettes.RecordingTransport(httpx.MockTransport(provider), sink, {})
        ) as client,
        client.stream("GET", "https://h.example/events") as response,
    ):
        first = next(response.iter_raw())
    assert first == b"data: 0\n\n"
    [interaction] = cassettes.load_cassettes([sink])
    assert interaction.response_body == "data: 0\n\n"


@pytest.mark.parametrize("mask", [0o022, 0o027], ids=["umask-022", "umask-027"])
def test_a_cassette_gets_the_mode_a_plain_write_gives_under_the_umask(
    cassettes: Any, tmp_path: Path, mask: int
) -> None:
    sink = tmp_path / "cloudflare" / "model" / "c.yaml"
    transport = cassettes.RecordingTransport(
        httpx.MockTransport(lambda _: httpx.Response(200, json={})), sink, {}
    )
    with umask(mask), httpx.Client(transport=transport) as client:
        client.post("https://h.example/run", json={"a": 1})
        client.post("https://h.example/run", json={"a": 2})  # the cassette written again, two interactions
    assert len(cassettes.load_cassettes([sink])) == 2
    assert stat.S_IMODE(sink.stat().st_mode) == 0o666 & ~mask  # not mkstemp's owner-only 0o600
    assert [path.name for path in sink.parent.iterdir()] == ["c.yaml"]  # nothing staged left behind


def test_a_binary_upload_is_stored_as_bytes_with_secrets_scrubbed(cassettes: Any, tmp_path: Path) -> None:
    sink = tmp_path / "upload.yaml"
    transport = cassettes.RecordingTransport(
        httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True})), sink, SECRETS
    )
    secret = next(iter(SECRETS))
    content = b"\xff\x00" + secret.encode() + b"\xfe"
    with httpx.Client(transport=transport) as client:
        client.post("https://h.example/run?x=1", content=content, headers={"content-type": "audio/mpeg"})
    [interaction] = cassettes.load_cassettes([sink])
    assert interaction.request_body == b"\xff\x00" + SECRETS[secret].encode() + b"\xfe"
    assert interaction.uri.endswith("/run?x=1")


def test_a_binary_answer_is_scrubbed_of_every_form_of_a_secret(cassettes: Any, tmp_path: Path) -> None:
    key, account = CREDENTIALS["cloudflare"]["api_key"], CREDENTIALS["cloudflare"]["account_id"]
    echoed = [
        key,
        key.replace("-", "\\u002d"),
        key.replace("-", "%2D"),
        base64.b64encode(account.encode()).decode(),
    ]
    body = b"\x89PNG\r\n\x1a\n\xff" + " ".join(echoed).encode() + b"\x00"
    inner = httpx.MockTransport(
        lambda request: httpx.Response(200, headers={"content-type": "image/png"}, content=body)
    )
    sink = tmp_path / "image.yaml"
    with httpx.Client(transport=recorder(cassettes, inner, sink)) as client:
        client.post(f"https://api.example.test/accounts/{account}/run", content=b"\xff" + key.encode())
    [interaction] = cassettes.load_cassettes([sink])
    for stored in (interaction.response_body, interaction.request_body, interaction.uri.encode()):
        raw = stored if isinstance(stored, bytes) else stored.encode()
        for form in [*echoed, account]:
            assert form.encode() not in raw
    assert interaction.response_body.startswith(b"\x89PNG") and b"API_KEY" in interaction.response_body
