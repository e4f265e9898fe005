"""The local backend's raw-body protocol: the bytes are the body, the other inputs the query string."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from generator.backend.raw import encode_query
from generator.backend.server import BackendHandle, running_backend
from generator.ingest.pipeline import IngestInputs, ingest
from tests.conftest import REPO

UPLOADS = REPO / "tests" / "fixtures" / "uploads"
RUN = "/client/v4/accounts/a/ai/run/"
AUTH = {"authorization": "Bearer k"}


@pytest.fixture(scope="module")
def server() -> Iterator[BackendHandle]:
    with running_backend(ingest(IngestInputs.beside(UPLOADS / "sources")).catalog) as handle:
        yield handle


def post(
    server: BackendHandle, model: str, content: bytes, content_type: str | None, **query: Any
) -> httpx.Response:
    headers = {**AUTH, **({"content-type": content_type} if content_type else {})}
    params = tuple(encode_query(query))
    return httpx.post(f"{server.url}{RUN}{model}", content=content, headers=headers, params=params)


def messages(response: httpx.Response) -> str:
    return " ".join(error["message"] for error in response.json()["errors"])


def test_query_parameters_are_decoded_by_their_schema(server: BackendHandle) -> None:
    ok = post(
        server,
        "@cf/deepgram/nova-3",
        b"ID3",
        "audio/mpeg",
        detect_language=True,
        channels=2,
        utt_split=0.5,
        keyterm="42",
    )
    assert ok.status_code == 200, ok.text
    # `keyterm` is a string, so "42" stays text; `channels` is an integer, so "9" is 9 and too large.
    bad = post(server, "@cf/deepgram/nova-3", b"ID3", "audio/mpeg", channels=9, detect_language="maybe")
    assert bad.status_code == 400
    assert "$.channels: 9 is greater than the maximum of 8" in messages(bad)
    assert "$.detect_language: 'maybe' is not of type 'boolean'" in messages(bad)


def test_a_required_upload_refuses_json(server: BackendHandle) -> None:
    response = post(server, "@cf/deepgram/nova-3", b'{"detect_language": true}', "application/json")
    assert response.status_code == 400
    assert "takes its input as the raw request body" in messages(response)


def test_an_empty_or_untyped_raw_body_is_refused(server: BackendHandle) -> None:
    assert "is empty" in messages(post(server, "@cf/openai/whisper", b"", "audio/wav"))
    assert "needs a Content-Type" in messages(post(server, "@cf/openai/whisper", b"RIFF", None))


def test_a_whole_raw_input_takes_no_query(server: BackendHandle) -> None:
    assert post(server, "@cf/openai/whisper", b"RIFF", "audio/wav").status_code == 200
    response = post(server, "@cf/openai/whisper", b"RIFF", "audio/wav", source_lang="en")
    assert response.status_code == 400
    assert "takes nothing beside its raw body" in messages(response)


def test_the_json_alternative_is_still_checked(server: BackendHandle) -> None:
    assert post(server, "@cf/openai/whisper", b'{"audio": [1, 2]}', "application/json").status_code == 200
    response = post(server, "@cf/openai/whisper", b'{"audio": "x"}', "application/json")
    assert response.status_code == 400


def test_a_multipart_upload_must_be_a_form(server: BackendHandle) -> None:
    refused = post(server, "@cf/black-forest-labs/flux-2-dev", b"a cat", "text/plain")
    assert refused.status_code == 400
    assert "multipart/form-data" in messages(refused)
    form = httpx.Request("POST", "http://x/", files={"prompt": (None, "a cat")})
    accepted = post(server, "@cf/black-forest-labs/flux-2-dev", form.read(), form.headers["content-type"])
    assert accepted.status_code == 200, accepted.text


def test_a_list_repeats_its_key_and_round_trips() -> None:
    assert encode_query({"k": ["a", 1, True], "e": [], "s": "x y"}) == [
        ("k", "a"),
        ("k", "1"),
        ("k", "true"),
        ("e", "[]"),
        ("s", "x y"),
    ]


def test_the_sdk_and_the_backend_share_one_wire_rule() -> None:
    spec = importlib.util.spec_from_file_location(
        "sdk_uploads", REPO / "generator" / "templates" / "runtime" / "_uploads.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    values = {"s": "3", "n": 3, "f": 1.5, "b": False, "z": None, "l": ["a", 2], "e": [], "o": {"é": [1]}}
    assert module.query_params(values) == encode_query(values)


def test_a_json_null_is_still_checked_against_the_json_alternative(server: BackendHandle) -> None:
    response = post(server, "@cf/openai/whisper", b"null", "application/json")
    assert response.status_code == 400
    assert "None is not of type 'object'" in messages(response)


def test_nan_in_the_query_is_no_number(server: BackendHandle) -> None:
    for text in ("NaN", "Infinity", "-Infinity"):
        response = post(server, "@cf/deepgram/nova-3", b"ID3", "audio/mpeg", utt_split=text)
        assert response.status_code == 400, text
        assert f"$.utt_split: '{text}' is not of type 'number'" in messages(response)


def test_the_upload_cannot_also_be_a_query_parameter(server: BackendHandle) -> None:
    response = post(server, "@cf/deepgram/nova-3", b"ID3", "audio/mpeg", audio="2")
    assert response.status_code == 400
    assert "is the raw body" in messages(response)
