"""Turn Server-Sent Events into decoded JSON payloads, spotting errors and the terminator."""

import contextlib
import enum
import json
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, TypeVar, cast

import httpx

from ._content import EVENT_STREAM, decode_lenient, is_json, media_of, media_type
from ._envelope import ResponseEnvelope, unwrap_response
from ._exceptions import ResponseValidationError, StreamError, describe, provider_errors_of
from ._redact import scrub
from ._exceptions import told
from ._sse import ServerSentEvent, aiter_sse_lines, iter_sse_lines

_T = TypeVar("_T")
_ERROR_KEYS = frozenset({"error", "errors"})
# Where providers put the status of an error, in the payload, its `error` object or its first error.
_STATUS_KEYS = ("status", "status_code", "statusCode", "code")
# A JSON answer made of these keys alone, with a reason in them, explains a failure.
_REASON_KEYS = frozenset({"message", "detail", "msg", "code", "status", "status_code", "type"})


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
    request_flag: str | None = None  # the input property that asks for the stream (`stream`), if any


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
        return error_in_stream("error event in stream", payload, None, self._secrets)

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
    """Return whether a JSON event carries an error: a chunk with content beside its `error` is no content."""
    return isinstance(payload, dict) and any(cast("dict[str, object]", payload).get(key) for key in _ERROR_KEYS)


def error_in_stream(
    what: str, payload: object, http_status: int | None, secrets: Iterable[str]
) -> StreamError:
    """Return the StreamError for a provider's error payload: its own message and status."""
    errors = provider_errors_of(payload)
    reason = describe(payload, errors) or "no reason given"
    status = status_of(payload) or http_status
    head = f"{what} ({status})" if status is not None else what
    return StreamError(
        scrub(f"{head}: {reason}", secrets), data=payload, status_code=status, provider_errors=errors
    )


def not_a_stream(
    response: httpx.Response, expected: str, body: object, secrets: Iterable[str]
) -> StreamError:
    """Return the exception for a 2xx answer that is not the stream asked for: the provider's error if it is one."""
    media = media_type(response)
    if is_json(media) and _explains_a_failure(body):
        return error_in_stream("error answer instead of a stream", body, response.status_code, secrets)
    return StreamError(
        f"expected {expected}, got {media or 'no content type'}", data=body, status_code=response.status_code
    )


def _explains_a_failure(body: object) -> bool:
    if not isinstance(body, dict):
        return False
    fields = cast("dict[str, object]", body)
    if _is_error_payload(fields) or fields.get("success") is False:
        return True
    return bool(fields) and set(fields) <= _REASON_KEYS and bool(describe(fields, []))


def status_of(payload: object) -> int | None:
    """Return the HTTP status a provider's error payload reports, if any."""
    places = [payload]
    if isinstance(payload, dict):
        fields = cast("dict[str, object]", payload)
        places.append(fields.get("error"))
        errors = fields.get("errors")
        if isinstance(errors, list) and errors:
            places.append(cast("list[object]", errors)[0])
    for place in places:
        if not isinstance(place, dict):
            continue
        for key in _STATUS_KEYS:
            value = cast("dict[str, object]", place).get(key)
            if isinstance(value, str) and value.isascii() and value.isdigit():
                value = int(value)
            if isinstance(value, int) and not isinstance(value, bool) and 400 <= value <= 599:
                return value
    return None


# What the clients' stream calls share, here rather than in `_base_client`: a program that never
# streams never loads it.


def decoder_for(settings: StreamSettings, secrets: Iterable[str]) -> StreamDecoder:
    """Return a decoder for one event stream of a model that streams as `settings` say."""
    if settings.format != "sse":
        raise StreamError(f"stream format {settings.format!r} is not one this SDK decodes")
    return StreamDecoder(settings.terminator, secrets)


def is_stream(response: httpx.Response, settings: StreamSettings) -> bool:
    """Return whether a 2xx answer is the model's event stream."""
    return media_type(response) == media_of(settings.content_type)


def refusal(
    response: httpx.Response,
    settings: StreamSettings,
    envelope: ResponseEnvelope | None,
    secrets: Iterable[str],
) -> StreamError:
    """Return the exception for a read 2xx answer that is not an event stream; raise ProviderError first."""
    media = media_type(response)
    body = decode_lenient(response)
    if is_json(media):
        # A provider that refuses to stream may still explain why in its envelope.
        with contextlib.suppress(ResponseValidationError):
            unwrap_response(envelope, body, secrets=secrets)
    return not_a_stream(response, media_of(settings.content_type), body, secrets)


def interrupted(exc: httpx.RequestError, secrets: Iterable[str]) -> StreamError:
    """Return the exception for a stream whose connection failed after it started."""
    return StreamError(scrub(f"stream interrupted: {type(exc).__name__}: {exc}", secrets))


def parsed(events: Generator[object, None, None], parse: Callable[[object], _T]) -> Generator[_T, None, None]:
    """Each payload of events, parsed; closing it closes events, and so the answer, at once."""
    try:
        for payload in events:
            yield parse(payload)
    finally:
        events.close()


async def aparsed(events: AsyncGenerator[object, None], parse: Callable[[object], _T]) -> AsyncGenerator[_T, None]:
    """`parsed()`, read asynchronously: `await aclose()` closes the answer at once."""
    try:
        async for payload in events:
            yield parse(payload)
    finally:
        await events.aclose()


def unreadable(exc: httpx.StreamError) -> StreamError:
    """Return the exception for a stream read after its answer was closed or read to its end."""
    return StreamError(
        f"the stream cannot be read: {exc} (read a streaming response inside its `with` block, once)"
    )


def events(
    response: httpx.Response,
    settings: StreamSettings,
    decoder: StreamDecoder,
    envelope: ResponseEnvelope | None,
    secrets: Iterable[str],
) -> Generator[object, None, None]:
    """Yield the payloads of a started answer until the terminator; then close it."""
    try:
        if not is_stream(response, settings):
            response.read()
            raise refusal(response, settings, envelope, secrets)
        for event in iter_sse_lines(response.iter_bytes()):
            payload = decoder.decode(event)
            if payload is Signal.DONE:
                return
            if payload is not Signal.SKIP:
                yield payload
        decoder.finish()
    except httpx.RequestError as exc:
        raise interrupted(exc, secrets) from told(exc)
    except httpx.StreamError as exc:  # closed (its `with` block has ended) or read already
        raise unreadable(exc) from None
    finally:
        response.close()


async def aevents(
    response: httpx.Response,
    settings: StreamSettings,
    decoder: StreamDecoder,
    envelope: ResponseEnvelope | None,
    secrets: Iterable[str],
) -> AsyncGenerator[object, None]:
    """`events()`, read asynchronously."""
    try:
        if not is_stream(response, settings):
            await response.aread()
            raise refusal(response, settings, envelope, secrets)
        async for event in aiter_sse_lines(response.aiter_bytes()):
            payload = decoder.decode(event)
            if payload is Signal.DONE:
                return
            if payload is not Signal.SKIP:
                yield payload
        decoder.finish()
    except httpx.RequestError as exc:
        raise interrupted(exc, secrets) from told(exc)
    except httpx.StreamError as exc:  # closed (its `with` block has ended) or read already
        raise unreadable(exc) from None
    finally:
        await response.aclose()
