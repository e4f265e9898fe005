"""Parse a Server-Sent Events byte stream as the WHATWG HTML standard describes."""

import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass

# CR, LF and CRLF are the only line ends; str.splitlines would also split on U+2028 and others.
_LINE_END = re.compile(rb"\r\n|\r|\n")
_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event: its type (default "message"), its data lines joined by "\\n", id and retry."""

    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Turn byte chunks, split anywhere, into events; feed chunks, then call `close()` once."""

    def __init__(self) -> None:
        self._pending = bytearray()
        self._skip_lf = False
        self._first_line = True
        self._event = ""
        self._data: list[str] = []
        self._last_id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Consume a chunk and return the events it completes."""
        if not chunk:
            return []
        if self._skip_lf:
            # The previous chunk ended with CR: an LF opening this one is the rest of that CRLF.
            self._skip_lf = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]
        events: list[ServerSentEvent] = []
        start = 0
        for match in _LINE_END.finditer(chunk):
            self._pending += chunk[start : match.start()]
            event = self._line(self._pending)
            self._pending.clear()
            if event is not None:
                events.append(event)
            start = match.end()
        self._pending += chunk[start:]
        self._skip_lf = chunk.endswith(b"\r")
        return events

    def close(self) -> list[ServerSentEvent]:
        """End the stream; an event without its final blank line is incomplete and is discarded.

        The standard says so ("the incomplete event is not dispatched"): a stream cut midway must not
        pass off half an event as a whole one. The caller learns of the cut from the missing terminator.
        """
        self._pending.clear()
        self._event, self._data, self._retry = "", [], None
        return []

    def _line(self, raw: bytes | bytearray) -> ServerSentEvent | None:
        """Process one line without its line end; return the event a blank line dispatches."""
        line = raw.decode("utf-8", errors="replace")
        if self._first_line:
            self._first_line = False
            line = line.removeprefix(_BOM)
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        """Return the buffered event and reset the buffers; None when no data line was seen."""
        event_type, data, retry = self._event, self._data, self._retry
        self._event, self._data, self._retry = "", [], None
        if not data:
            return None
        return ServerSentEvent(
            event=event_type or "message", data="\n".join(data), id=self._last_id, retry=retry
        )


def iter_sse_lines(chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
    """Yield the events of a byte stream given as chunks split at arbitrary points."""
    decoder = SSEDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.close()


async def aiter_sse_lines(chunks: AsyncIterable[bytes]) -> AsyncIterator[ServerSentEvent]:
    """Yield the events of an asynchronous byte stream given as chunks split at arbitrary points."""
    decoder = SSEDecoder()
    async for chunk in chunks:
        for event in decoder.feed(chunk):
            yield event
    for event in decoder.close():
        yield event
