"""Turn Server-Sent Events into decoded JSON payloads, spotting errors and the terminator."""

import enum
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ._content import EVENT_STREAM
from ._exceptions import StreamError, describe, provider_errors_of
from ._redact import scrub
from ._sse import ServerSentEvent

_ERROR_KEYS = frozenset({"error", "errors"})
# Keys a provider adds to every JSON answer; they are not content of their own.
_BOOKKEEPING_KEYS = frozenset({"success", "messages"})


class Signal(enum.Enum):
    """What to do with an event that has no payload for the caller."""

    SKIP = "skip"
    DONE = "done"


@dataclass(frozen=True)
class StreamSettings:
    """How one model streams: its wire format, the media type it answers with, the payload that ends it.

    Every model has its own; a provider's models need not agree.
    """

    terminator: str | None = None
    content_type: str = EVENT_STREAM
    format: Literal["sse"] = "sse"


class StreamDecoder:
    """Decode one stream's events in order; call `finish()` when the events run out."""

    def __init__(self, terminator: str | None, secrets: Iterable[str] = ()) -> None:
        self._terminator = terminator
        self._secrets = tuple(secrets)
        self._done = False

    def decode(self, event: ServerSentEvent) -> object:
        """Return the event's JSON data, `Signal.SKIP` for an empty one, `Signal.DONE` at the terminator."""
        data = event.data
        if self._terminator is not None and data.strip() == self._terminator:
            self._done = True
            return Signal.DONE
        if event.event == "error":
            raise self._error(_loads_or_text(data))
        if not data.strip():
            return Signal.SKIP
        try:
            payload = json.loads(data)
        except ValueError as exc:
            raise StreamError(self._scrub(f"undecodable event data: {data[:200]!r}"), data=data) from exc
        if _is_error_payload(payload):
            raise self._error(payload)
        return payload

    def finish(self) -> None:
        """Raise StreamError if the stream ended before its terminator."""
        if self._terminator is not None and not self._done:
            raise StreamError(f"stream ended before its terminator {self._terminator!r}")

    def _error(self, payload: object) -> StreamError:
        """Return the exception for an error reported inside the stream."""
        reason = describe(payload, provider_errors_of(payload)) or "no reason given"
        return StreamError(self._scrub(f"error event in stream: {reason}"), data=payload)

    def _scrub(self, text: str) -> str:
        """Return `text` without the credential."""
        return scrub(text, self._secrets)


def _loads_or_text(data: str) -> object:
    """Return `data` decoded as JSON, or the text itself when it is not JSON."""
    try:
        return json.loads(data)
    except ValueError:
        return data


def _is_error_payload(payload: object) -> bool:
    """Return whether a JSON event carries an error and nothing else."""
    if not isinstance(payload, dict) or not any(payload.get(key) for key in _ERROR_KEYS):
        return False
    return all(key in _ERROR_KEYS or key in _BOOKKEEPING_KEYS or not value for key, value in payload.items())
