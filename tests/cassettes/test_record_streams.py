"""`cardgen record` keeps a stream only in its model's own media type and up to its own terminator."""

from __future__ import annotations

import httpx
import pytest

from generator.cassettes.plan import PlannedRequest
from generator.cassettes.record import Credentials, RecordFailed, exchange
from tests.cassettes.conftest import ENTRIES


def _stream_from(body: bytes, content_type: str) -> httpx.Client:
    return httpx.Client(
        transport=httpx.MockTransport(
            lambda request: httpx.Response(200, headers={"content-type": content_type}, content=body)
        )
    )


def test_a_stream_is_recorded_in_its_models_own_media_type_up_to_its_own_terminator() -> None:
    tiny = next(entry for entry in ENTRIES if entry.slug == "tinyllama_1_1b_chat_v1_0")
    own = tiny.model_copy(
        update={
            "streaming": tiny.streaming.model_copy(
                update={"terminator": "[END]", "content_type": "application/x-events"}
            )
        }
    )
    planned = PlannedRequest("stream", {"prompt": "Hi", "stream": True}, True)
    credentials = Credentials.of(own, {})
    ended = b'data: {"response": "a"}\n\ndata: [END]\n\n'
    kept = exchange(_stream_from(ended, "application/x-events"), own, "http://x", planned, credentials)
    assert ("accept", "application/x-events") in kept.request_headers
    with pytest.raises(RecordFailed, match=r"terminator '\[END\]'"):
        exchange(
            _stream_from(ended.replace(b"[END]", b"[DONE]"), "application/x-events"),
            own,
            "http://x",
            planned,
            credentials,
        )
    with pytest.raises(
        RecordFailed, match=r"asked for a stream \(application/x-events\), got text/event-stream"
    ):
        exchange(_stream_from(ended, "text/event-stream"), own, "http://x", planned, credentials)
