"""Raw request bodies: what an Upload sends, the query-string rule beside it, retries and envelopes."""

from __future__ import annotations

import email.parser
import email.policy
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from .support import API_KEY, BASE_URL, Recorder, json_response, make_sync


def test_the_upload_is_the_body_with_its_type_and_the_inputs_are_the_query(rt: Any) -> None:
    recorder = Recorder(json_response(200, {"text": "hi"}))
    client = make_sync(rt, recorder)
    upload = rt.Upload(b"ID3\x00\xff", "audio/mpeg")
    query = rt.query_params(
        {"detect_language": True, "language": "fr", "utt_split": 0.5, "keyterm": ["a", "b"]}
    )
    assert client.post_upload("run/nova", upload=upload, query=query, model_id="m") == {"text": "hi"}
    (request,) = recorder.requests
    assert request.content == b"ID3\x00\xff"
    assert request.headers["content-type"] == "audio/mpeg"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert str(request.url).startswith(f"{BASE_URL}/run/nova?")
    assert parse_qsl(request.url.query.decode()) == [
        ("detect_language", "true"),
        ("language", "fr"),
        ("utt_split", "0.5"),
        ("keyterm", "a"),
        ("keyterm", "b"),
    ]


def test_query_values_are_text_as_is_and_json_otherwise(rt: Any) -> None:
    assert rt.query_params({"s": "3", "n": 3, "f": False, "z": None, "e": [], "o": {"k": "é"}}) == [
        ("s", "3"),
        ("n", "3"),
        ("f", "false"),
        ("z", "null"),
        ("e", "[]"),
        ("o", '{"k":"é"}'),
    ]


def test_an_upload_is_retried_with_the_same_bytes(rt: Any) -> None:
    recorder = Recorder(json_response(503, {}), json_response(200, {"ok": True}))
    client = make_sync(rt, recorder, max_retries=1, sleeps=[])
    client.post_upload("m", upload=rt.Upload(b"\x89PNG"), query=[], model_id="m")
    assert [r.content for r in recorder.requests] == [b"\x89PNG", b"\x89PNG"]
    assert {r.headers["content-type"] for r in recorder.requests} == {"application/octet-stream"}


def test_a_provider_that_wraps_inputs_in_json_refuses_raw_bodies(rt: Any) -> None:
    client = make_sync(rt, Recorder(json_response(200, {})), request_envelope=("model", "data"))
    with pytest.raises(TypeError, match="takes no raw body"):
        client.post_upload("m", upload=rt.Upload(b"x"), query=[], model_id="m")


def test_a_form_is_multipart_with_text_fields_and_files(rt: Any) -> None:
    upload = rt.Upload.form(
        {"prompt": "a cat", "steps": 25, "hd": True}, {"image": ("in.png", b"\x89PNG", "image/png")}
    )
    assert upload.content_type.startswith("multipart/form-data; boundary=")
    head = f"Content-Type: {upload.content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + upload.content)
    parts = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
    assert parts["prompt"].get_content() == "a cat"
    assert parts["steps"].get_content() == "25"
    assert parts["hd"].get_content() == "true"
    assert parts["image"].get_filename() == "in.png"
    assert parts["image"].get_content_type() == "image/png"
    assert parts["image"].get_payload(decode=True) == b"\x89PNG"


def test_an_empty_form_is_refused(rt: Any) -> None:
    with pytest.raises(ValueError, match="at least one"):
        rt.Upload.form()


def test_from_path_reads_the_file_and_guesses_its_type(rt: Any, tmp_path: Path) -> None:
    (tmp_path / "a.mp3").write_bytes(b"ID3")
    (tmp_path / "blob").write_bytes(b"?")
    assert rt.Upload.from_path(tmp_path / "a.mp3") == rt.Upload(b"ID3", "audio/mpeg")
    assert rt.Upload.from_path(tmp_path / "blob").content_type == "application/octet-stream"
    assert rt.Upload.from_path(tmp_path / "blob", "image/png").content_type == "image/png"


def test_the_repr_shows_the_size_not_the_bytes(rt: Any) -> None:
    assert repr(rt.Upload(b"secret" * 100, "image/png")) == "Upload(<600 bytes>, content_type='image/png')"
