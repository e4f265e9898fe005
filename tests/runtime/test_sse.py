"""The Server-Sent Events parser against the WHATWG rules, with chunks split anywhere."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st


def events(rt: Any, *chunks: bytes) -> list[Any]:
    return list(rt.iter_sse_lines(chunks))


def test_data_lines_join_with_newline_and_event_defaults_to_message(rt: Any) -> None:
    assert events(rt, b"data: one\ndata: two\n\n") == [rt.ServerSentEvent(event="message", data="one\ntwo")]


def test_event_type_id_and_retry_are_read(rt: Any) -> None:
    (event,) = events(rt, b"event: delta\nid: 7\nretry: 1500\ndata: x\n\n")
    assert (event.event, event.data, event.id, event.retry) == ("delta", "x", "7", 1500)


def test_the_last_event_id_carries_over_and_retry_does_not(rt: Any) -> None:
    first, second = events(rt, b"id: 1\nretry: 10\ndata: a\n\ndata: b\n\n")
    assert (first.id, first.retry) == ("1", 10)
    assert (second.id, second.retry) == ("1", None)


def test_invalid_retry_and_id_with_nul_are_ignored(rt: Any) -> None:
    (event,) = events(rt, b"retry: 1.5\nid: a\x00b\ndata: x\n\n")
    assert (event.id, event.retry) == (None, None)


def test_comments_are_ignored(rt: Any) -> None:
    assert events(rt, b": keep-alive\n\n:another\ndata: x\n: mid\n\n") == [rt.ServerSentEvent(data="x")]


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"], ids=["lf", "crlf", "cr"])
def test_every_line_ending_is_understood(rt: Any, ending: bytes) -> None:
    stream = ending.join([b"event: e", b"data: 1", b"data: 2", b"", b"data: 3", b"", b""])
    assert events(rt, stream) == [
        rt.ServerSentEvent(event="e", data="1\n2"),
        rt.ServerSentEvent(data="3"),
    ]


def test_mixed_line_endings_in_one_stream(rt: Any) -> None:
    assert events(rt, b"data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r") == [
        rt.ServerSentEvent(data="a\nb\nc"),
        rt.ServerSentEvent(data="d"),
    ]


def test_a_crlf_split_between_chunks_is_one_line_end(rt: Any) -> None:
    # Were the LF read as a second line end, it would dispatch "a" alone, before "b" arrives.
    assert events(rt, b"data: a\r", b"\ndata: b\r\n\r\n") == [rt.ServerSentEvent(data="a\nb")]


def test_a_utf8_sequence_split_between_chunks_decodes(rt: Any) -> None:
    encoded = "data: héllo €\n\n".encode()
    cut = encoded.index("€".encode()) + 1
    assert events(rt, encoded[:cut], encoded[cut:]) == [rt.ServerSentEvent(data="héllo €")]


def test_an_event_without_its_final_blank_line_is_discarded(rt: Any) -> None:
    # WHATWG: "If the file ends in the middle of an event, before the final empty line, the incomplete
    # event is not dispatched."
    assert events(rt, b"data: a\n\ndata: b") == [rt.ServerSentEvent(data="a")]
    assert events(rt, b"data: c\n") == []
    assert events(rt, b"data: d\r\nevent: x\r\n") == []
    assert events(rt, b"data: e\r", b"\r") == [rt.ServerSentEvent(data="e")]


def test_a_field_without_colon_has_an_empty_value(rt: Any) -> None:
    assert events(rt, b"data\ndata\n\n") == [rt.ServerSentEvent(data="\n")]
    assert events(rt, b"event\ndata: x\n\n") == [rt.ServerSentEvent(event="message", data="x")]


def test_only_one_leading_space_is_stripped(rt: Any) -> None:
    assert events(rt, b"data:  two spaces\ndata:none\n\n") == [rt.ServerSentEvent(data=" two spaces\nnone")]


def test_an_empty_data_field_dispatches_an_event_with_empty_data(rt: Any) -> None:
    assert events(rt, b"data:\n\n") == [rt.ServerSentEvent(data="")]


def test_blocks_without_data_dispatch_nothing(rt: Any) -> None:
    assert events(rt, b"event: ping\n\nid: 3\n\n\n\n") == []
    assert events(rt, b"") == []


def test_unknown_fields_and_a_leading_bom_are_ignored(rt: Any) -> None:
    assert events(rt, b"\xef\xbb", b"\xbfdata: x\nfoo: bar\n\n") == [rt.ServerSentEvent(data="x")]


def test_a_colon_in_the_value_is_kept(rt: Any) -> None:
    assert events(rt, b'data: {"a": "b:c"}\n\n') == [rt.ServerSentEvent(data='{"a": "b:c"}')]


@pytest.mark.anyio
async def test_the_async_parser_matches_the_sync_one(rt: Any) -> None:
    chunks = [b"event: e\r", b"\ndata: 1\r", b"\n\r\ndata: \xe2", b"\x82\xac"]

    async def source() -> Any:
        for chunk in chunks:
            yield chunk

    assert [event async for event in rt.aiter_sse_lines(source())] == events(rt, *chunks)


_TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=12)
_EVENT = st.fixed_dictionaries(
    {
        "event": st.one_of(st.none(), _TEXT.filter(bool)),
        "data": st.lists(_TEXT, min_size=1, max_size=3),
        "comment": st.one_of(st.none(), _TEXT),
    }
)


@given(
    specs=st.lists(_EVENT, max_size=5),
    ending=st.sampled_from(["\n", "\r", "\r\n"]),
    final_blank=st.booleans(),
    cuts=st.lists(st.integers(min_value=0), max_size=8),
)
def test_splitting_the_byte_stream_anywhere_yields_the_same_events(
    rt: Any, specs: list[dict[str, Any]], ending: str, final_blank: bool, cuts: list[int]
) -> None:
    lines: list[str] = []
    expected = []
    for spec in specs:
        if spec["comment"] is not None:
            lines.append(":" + spec["comment"])
        if spec["event"] is not None:
            lines.append("event: " + spec["event"])
        lines.extend("data: " + part for part in spec["data"])
        lines.append("")
        expected.append(rt.ServerSentEvent(event=spec["event"] or "message", data="\n".join(spec["data"])))
    if lines and not final_blank:
        lines.pop()
        expected.pop()  # incomplete: never dispatched
    stream = "".join(line + ending for line in lines).encode()
    positions = sorted({cut % (len(stream) + 1) for cut in cuts})
    chunks = [
        stream[start:end] for start, end in zip([0, *positions], [*positions, len(stream)], strict=True)
    ]
    assert events(rt, stream) == expected
    assert events(rt, *chunks) == expected
