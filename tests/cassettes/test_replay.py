"""ReplayTransport answers from recordings by method, path and JSON body, and never falls through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import vcr  # type: ignore[import-untyped]

from generator.render.cassettes import Interaction, cassette_yaml, example_interactions
from tests.cassettes.conftest import entry_named

URI = "https://api.cloudflare.com/client/v4/accounts/ACCOUNT_ID/ai/run/@cf/meta/m"
SSE = 'data: {"response":"a"}\n\ndata: {"response":"b"}\n\ndata: [DONE]\n\n'


def recording(
    body: str = '{"prompt":"hi","max_tokens":3}', answer: str = '{"ok":1}', uri: str = URI
) -> Interaction:
    return Interaction("POST", uri, body, (), 200, (("content-type", "application/json"),), answer)


def replay(cassettes: Any, *interactions: Interaction) -> Any:
    return cassettes.ReplayTransport([cassettes.Interaction(**vars(i)) for i in interactions])


def test_matches_any_host_any_account_and_any_key_order(cassettes: Any) -> None:
    with httpx.Client(transport=replay(cassettes, recording())) as client:
        response = client.post(
            "http://127.0.0.1:9/client/v4/accounts/acct-9/ai/run/@cf/meta/m",
            content=b'{ "max_tokens": 3, "prompt": "hi" }',
        )
    assert response.status_code == 200
    assert response.json() == {"ok": 1}
    assert response.headers["content-type"] == "application/json"


def test_numbers_match_by_value_so_a_client_may_write_3_as_3_0(cassettes: Any) -> None:
    with httpx.Client(transport=replay(cassettes, recording())) as client:
        response = client.post(
            "https://api.cloudflare.com/client/v4/accounts/acct/ai/run/@cf/meta/m",
            content=b'{"prompt":"hi","max_tokens":3.0}',
        )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/client/v4/accounts/acct/ai/run/@cf/meta/m", b'{"prompt":"hi","max_tokens":4}'),
        ("POST", "/client/v4/accounts/acct/ai/run/@cf/meta/other", b'{"prompt":"hi","max_tokens":3}'),
        ("POST", "/client/v4/accounts/a/b/ai/run/@cf/meta/m", b'{"prompt":"hi","max_tokens":3}'),
        ("PUT", "/client/v4/accounts/acct/ai/run/@cf/meta/m", b'{"prompt":"hi","max_tokens":3}'),
        ("POST", "/client/v4/accounts/acct/ai/run/@cf/meta/m", b'{"prompt":"hi","max_tokens":3.5}'),
        ("POST", "/client/v4/accounts/acct/ai/run/@cf/meta/m?stream=true", b'{"prompt":"hi","max_tokens":3}'),
    ],
    ids=["body", "path", "extra-segment", "method", "other-number", "query"],
)
def test_unmatched_request_raises_naming_it_and_listing_recordings(
    cassettes: Any, method: str, path: str, body: bytes
) -> None:
    with (
        httpx.Client(transport=replay(cassettes, recording())) as client,
        pytest.raises(cassettes.UnmatchedRequestError) as raised,
    ):
        client.request(method, "https://api.cloudflare.com" + path, content=body)
    message = str(raised.value)
    assert f"no recording matches {method} {path} with body {body.decode()}" in message
    assert "recorded (1):" in message
    assert "POST /client/v4/accounts/ACCOUNT_ID/ai/run/@cf/meta/m" in message


def test_only_account_id_is_a_wildcard(cassettes: Any) -> None:
    literal = recording(uri="https://h/v1/MODEL/run")
    with httpx.Client(transport=replay(cassettes, literal)) as client:
        assert client.post("https://h/v1/MODEL/run", content=literal.request_body).status_code == 200
        with pytest.raises(cassettes.UnmatchedRequestError):
            client.post("https://h/v1/other/run", content=literal.request_body)


def test_same_request_plays_recordings_in_order_then_repeats_the_last(cassettes: Any) -> None:
    first, second = recording(answer='{"n":1}'), recording(answer='{"n":2}')
    with httpx.Client(transport=replay(cassettes, first, second)) as client:
        answers = [client.post(URI, content=first.request_body).json()["n"] for _ in range(3)]
    assert answers == [1, 2, 2]


def test_empty_replay_names_nothing_recorded(cassettes: Any) -> None:
    with (
        httpx.Client(transport=replay(cassettes)) as client,
        pytest.raises(cassettes.UnmatchedRequestError) as raised,
    ):
        client.post(URI, content=b"{}")
    assert "recorded (0):\n  (nothing)" in str(raised.value)


def test_event_stream_replays_event_by_event_with_its_content_type(cassettes: Any) -> None:
    sse = Interaction("POST", URI, "{}", (), 200, (("content-type", "text/event-stream"),), SSE)
    with (
        httpx.Client(transport=replay(cassettes, sse)) as client,
        client.stream("POST", URI, content=b"{}") as response,
    ):
        chunks = list(response.iter_raw())
    assert response.headers["content-type"] == "text/event-stream"
    assert b"".join(chunks) == SSE.encode()
    assert len(chunks) == 3


@pytest.mark.anyio
async def test_async_client_replays_too(cassettes: Any) -> None:
    sse = Interaction("POST", URI, "{}", (), 200, (("content-type", "text/event-stream"),), SSE)
    async with (
        httpx.AsyncClient(transport=replay(cassettes, sse)) as client,
        client.stream("POST", URI, content=b"{}") as response,
    ):
        body = b"".join([chunk async for chunk in response.aiter_bytes()])
    assert body == SSE.encode()
    async with httpx.AsyncClient(transport=replay(cassettes, sse)) as client:
        with pytest.raises(cassettes.UnmatchedRequestError):
            await client.post(URI, content=b'{"x":1}')


def test_loader_rejects_what_is_not_a_cassette(cassettes: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("interactions: {}\n", "utf-8")
    with pytest.raises(cassettes.CassetteError, match=r"bad\.yaml: not a cassette"):
        cassettes.load_cassettes([bad])


def test_rendered_example_replays_through_vcrpy_itself(tmp_path: Path) -> None:
    """The format is vcrpy's: vcrpy's own httpx patching answers from our cassette."""
    [interaction] = example_interactions(entry_named("dataoorts", "deepseek_math_7b_instruct"))
    path = tmp_path / "example-1.yaml"
    path.write_text(cassette_yaml([interaction]), "utf-8")
    recorder = vcr.VCR(record_mode="none", match_on=["method", "scheme", "host", "port", "path", "body"])
    with recorder.use_cassette(str(path)) as cassette, httpx.Client() as client:
        body = interaction.request_body
        response = client.post(interaction.uri, content=body.encode() if isinstance(body, str) else body)
        assert cassette.play_count == 1
    assert response.status_code == 200
    assert response.json()["result"]["usage"] == {
        "completion_tokens": 321,
        "prompt_tokens": 12,
        "total_tokens": 333,
    }


def test_vcrpy_refuses_a_request_our_cassette_does_not_hold(tmp_path: Path) -> None:
    [interaction] = example_interactions(entry_named("dataoorts", "deepseek_math_7b_instruct"))
    path = tmp_path / "example-1.yaml"
    path.write_text(cassette_yaml([interaction]), "utf-8")
    recorder = vcr.VCR(record_mode="none", match_on=["method", "path", "body"])
    with (
        recorder.use_cassette(str(path)),
        httpx.Client() as client,
        pytest.raises(vcr.errors.CannotOverwriteExistingCassetteException),
    ):
        client.post(interaction.uri, content=b'{"model":"other","data":{}}')


NOVA = "https://api.cloudflare.com/client/v4/accounts/ACCOUNT_ID/ai/run/@cf/deepgram/nova-3"


@pytest.mark.parametrize(
    "query",
    ["channels=2&utt_split=1&keyterm=a&keyterm=b", "utt_split=1.0&keyterm=a&channels=2&keyterm=b"],
    ids=["as-recorded", "other-order-and-1.0"],
)
def test_raw_bodies_match_with_their_query_in_any_order_numbers_by_value(cassettes: Any, query: str) -> None:
    recorded = Interaction(
        "POST", NOVA + "?channels=2&utt_split=1&keyterm=a&keyterm=b", b"\x00\xff", (), 200, (), '{"ok":1}'
    )
    with httpx.Client(transport=replay(cassettes, recorded)) as client:
        response = client.post(NOVA.replace("ACCOUNT_ID", "acct") + "?" + query, content=b"\x00\xff")
    assert response.json() == {"ok": 1}


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("channels=2&utt_split=1&keyterm=b&keyterm=a", b"\x00\xff"),
        ("channels=2&utt_split=1.5&keyterm=a&keyterm=b", b"\x00\xff"),
        ("channels=2&keyterm=a&keyterm=b", b"\x00\xff"),
        ("channels=2&utt_split=1&keyterm=a&keyterm=b", b"\x00\xfe"),
    ],
    ids=["repeated-values-reordered", "other-number", "missing-parameter", "other-bytes"],
)
def test_raw_bodies_do_not_match_another_query_or_other_bytes(
    cassettes: Any, query: str, body: bytes
) -> None:
    recorded = Interaction(
        "POST", NOVA + "?channels=2&utt_split=1&keyterm=a&keyterm=b", b"\x00\xff", (), 200, (), '{"ok":1}'
    )
    with (
        httpx.Client(transport=replay(cassettes, recorded)) as client,
        pytest.raises(cassettes.UnmatchedRequestError) as raised,
    ):
        client.post(NOVA + "?" + query, content=body)
    assert "/ai/run/@cf/deepgram/nova-3?channels=2&utt_split=1&keyterm=a&keyterm=b" in str(raised.value)
