"""Replay recorded provider exchanges (vcrpy-compatible YAML cassettes) without a server; record new ones.

Cassettes live as `<root>/<provider>/<slug>/<name>.yaml`. A request matches a recording when the
method, the URL path (scheme, host and port are ignored; a recorded `ACCOUNT_ID` segment stands for
any one segment), the query parameters and the body, compared as parsed JSON (else as text or bytes),
are the same. Nothing else falls through:
a request without a recording raises `UnmatchedRequestError`.

Why this cannot hang on event streams the way vcrpy's httpx patching can: vcrpy (9.4.2,
`vcr/stubs/httpx_stubs.py`) records by joining the whole response stream (`b"".join(stream)`)
before it hands the response to the client, so a stream that stays open until the client acts
never returns (kevin1024/vcrpy#989: SSE and streamable HTTP hang under vcrpy; #597: streaming
httpx calls broke outright before the 8.0 rewrite). Here a replayed answer is a finite in-memory
byte stream that no socket backs, so reading it always ends; and `RecordingTransport` passes each
chunk on as it arrives and writes the cassette when the client closes the response, never
reading ahead of the client.
"""

import json
import os
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx
import yaml
from _cassette_headers import DROPPED_RESPONSE_HEADERS, KEPT_REQUEST_HEADERS
from _redact import REDACTED, is_sensitive_header
from _redact import scrub as _scrub
from _redact import scrub_bytes as _scrub_bytes

__all__ = [
    "WILDCARDS",
    "CassetteError",
    "Interaction",
    "RecordingTransport",
    "ReplayTransport",
    "UnmatchedRequestError",
    "dump_cassette",
    "load_cassettes",
]

# Recorded path segments that stand for any one segment: credentials scrubbed at record time.
WILDCARDS = frozenset({"ACCOUNT_ID"})
CASSETTE_FORMAT_VERSION = 1
_EVENT_END = re.compile(rb"(?<=\n\n)|(?<=\r\n\r\n)")
_SHOWN_BODY = 200

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Interaction:
    """One request and its answer, as stored in a cassette; header names are lower case."""

    method: str
    uri: str
    request_body: str | bytes  # bytes: a raw body (an upload) that is not UTF-8, stored as `!!binary`
    request_headers: Headers
    status: int
    response_headers: Headers
    response_body: str | bytes  # bytes: a binary answer (an image), stored as `!!binary` as vcrpy does


class CassetteError(ValueError):
    """A cassette file is not a cassette, or an exchange cannot be stored in one."""


class UnmatchedRequestError(LookupError):
    """No recording answers a request."""


def load_cassettes(paths: Iterable[str | os.PathLike[str]]) -> list[Interaction]:
    """Read cassette files, and every `*.yaml` below the directories given, in path order."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        files.extend(sorted(path.rglob("*.yaml")) if path.is_dir() else [path])
    return [interaction for path in files for interaction in _read(path)]


def _read(path: Path) -> list[Interaction]:
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
        raw = data["interactions"]
        if not isinstance(raw, list):
            raise TypeError("`interactions` is not a list")
        return [_interaction(item) for item in raw]
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise CassetteError(f"{path}: not a cassette: {type(exc).__name__}: {exc}") from exc


def _interaction(item: Mapping[str, Any]) -> Interaction:
    request, response = item["request"], item["response"]
    return Interaction(
        method=str(request["method"]).upper(),
        uri=str(request["uri"]),
        request_body=_text_or_bytes(request.get("body")),
        request_headers=_pairs(request.get("headers")),
        status=int(response["status"]["code"]),
        response_headers=_pairs(response.get("headers")),
        response_body=_text_or_bytes(response["body"]["string"]),
    )


def _text(body: object) -> str:
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode("utf-8")
    if isinstance(body, str):
        return body
    raise TypeError(f"a body must be text, got {type(body).__name__}")


def _text_or_bytes(body: object) -> str | bytes:
    if isinstance(body, bytes):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return body
    return _text(body)


def _pairs(headers: object) -> Headers:
    if headers is None:
        return ()
    if not isinstance(headers, Mapping):
        raise TypeError("headers must map names to lists of values")
    pairs: list[tuple[str, str]] = []
    for name, values in headers.items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((str(name).lower(), str(value)))
    return tuple(pairs)


def dump_cassette(interactions: Sequence[Interaction]) -> str:
    """Render interactions as vcrpy's YAML cassette format; same input, same bytes."""
    data = {
        "interactions": [
            {
                "request": {
                    "body": i.request_body,
                    "headers": _grouped(i.request_headers),
                    "method": i.method,
                    "uri": i.uri,
                },
                "response": {
                    "body": {"string": i.response_body},
                    "headers": _grouped(i.response_headers),
                    "status": {"code": i.status, "message": _phrase(i.status)},
                },
            }
            for i in interactions
        ],
        "version": CASSETTE_FORMAT_VERSION,
    }
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=True, allow_unicode=True, width=100, default_flow_style=False)
    for char in _unprintable(text):  # as cardgen's writer (its datatext.printable_yaml): only in double quotes
        text = text.replace(char, repr(char)[1:-1])  # Python's `\u200b` is YAML's too
    return text


def _grouped(pairs: Headers) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _unprintable(text: str) -> set[str]:
    """What the cassette must escape: as cardgen's writer (its datatext.unprintable_in)."""
    return {ch for ch in set(text) if not ch.isprintable() and ch not in "\n\t"}


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line strings, so event streams read one event per line; as cardgen's
    writer (its datatext.PrintableDumper), a key holding text to escape is written `? "key"`."""

    def check_simple_key(self) -> bool:
        event = self.event
        if isinstance(event, yaml.ScalarEvent) and _unprintable(event.value):
            return False  # escaped, a simple key can outgrow the 1024 characters readers allow
        return bool(super().check_simple_key())


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # NEL, LS and PS are line breaks to YAML 1.1: in a block or a plain scalar PyYAML writes them raw,
    # and reads NEL back as a newline; only double quotes escape them (`\N`, `\L`, `\P`), and bidi or
    # zero-width characters. Otherwise PyYAML falls back to a quoted scalar by itself when a block
    # cannot hold the text exactly.
    if _unprintable(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _represent_str)


def _segments(path: str) -> list[str]:
    return [unquote(segment) for segment in path.split("/")]


def _body_key(body: str | bytes) -> str:
    """Bodies compare as parsed JSON (key order and spacing aside), else as text, else as bytes."""
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return "bytes:" + body.hex()
    else:
        text = body
    try:
        parsed = json.loads(text, parse_float=_number)
    except ValueError:
        return "text:" + text
    return "json:" + json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _number(text: str) -> float | int:
    """A JSON number by value: `0.0` and `0` are one number (a client may write either)."""
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _shown(body: str | bytes) -> str:
    text = body if isinstance(body, str) else repr(body)
    return text if len(text) <= _SHOWN_BODY else text[:_SHOWN_BODY] + "..."


def _request_path(request: httpx.Request) -> str:
    return request.url.raw_path.decode("ascii").split("?", 1)[0]


def _path_and_query(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _query(query: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Query parameters (the inputs beside a raw body) by name, numbers by value; a repeated one keeps its order."""
    grouped: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        grouped.setdefault(name, []).append(_query_value(value))
    return tuple(sorted((name, tuple(values)) for name, values in grouped.items()))


def _query_value(text: str) -> str:
    try:
        value = json.loads(text, parse_float=_number)
    except ValueError:
        return text
    return json.dumps(value) if isinstance(value, int | float) and not isinstance(value, bool) else text


class _ReplayStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A recorded body, event by event for event streams: finite, in memory, never waiting."""

    def __init__(self, body: bytes) -> None:
        self._chunks = [chunk for chunk in _EVENT_END.split(body) if chunk] or [b""]

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


class ReplayTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answer requests from recordings, for `httpx.Client` and `httpx.AsyncClient` alike.

    Recordings that match the same request are played in order; the last one then repeats.
    """

    def __init__(self, interactions: Iterable[Interaction], *, wildcards: Iterable[str] = WILDCARDS) -> None:
        self.interactions = list(interactions)
        self._wildcards = frozenset(wildcards)
        self._keys = [
            (
                i.method,
                _segments(urlsplit(i.uri).path),
                _query(urlsplit(i.uri).query),
                _body_key(i.request_body),
            )
            for i in self.interactions
        ]
        self._played = [0] * len(self.interactions)
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return self._answer(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self._answer(request)

    def _matches(
        self,
        index: int,
        method: str,
        segments: list[str],
        query: tuple[tuple[str, tuple[str, ...]], ...],
        body: str,
    ) -> bool:
        recorded_method, recorded_segments, recorded_query, recorded_body = self._keys[index]
        return (
            recorded_method == method
            and recorded_body == body
            and recorded_query == query
            and len(recorded_segments) == len(segments)
            and all(r == s or r in self._wildcards for r, s in zip(recorded_segments, segments, strict=True))
        )

    def _answer(self, request: httpx.Request) -> httpx.Response:
        path = _request_path(request)
        key = (
            request.method,
            _segments(path),
            _query(request.url.query.decode("ascii")),
            _body_key(request.content),
        )
        with self._lock:
            found = [index for index in range(len(self.interactions)) if self._matches(index, *key)]
            if not found:
                raise UnmatchedRequestError(
                    self._unmatched(request.method, request.url.raw_path.decode("ascii"), request.content)
                )
            index = next((i for i in found if self._played[i] == 0), found[-1])
            self._played[index] += 1
        recorded = self.interactions[index]
        return httpx.Response(
            recorded.status,
            headers=list(recorded.response_headers),
            stream=_ReplayStream(_as_bytes(recorded.response_body)),
        )

    def _unmatched(self, method: str, path: str, body: bytes) -> str:
        recorded = [
            f"  {i.method} {_path_and_query(i.uri)} {_shown(i.request_body)}" for i in self.interactions
        ] or ["  (nothing)"]
        try:
            shown = _shown(body.decode("utf-8"))
        except UnicodeDecodeError:
            shown = _shown(body)
        return (
            f"no recording matches {method} {path} with body {shown}\n"
            f"recorded ({len(self.interactions)}):\n" + "\n".join(recorded)
        )


class _TeeStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Pass the inner body on chunk by chunk, keeping a copy; report it once, when closed."""

    def __init__(
        self, inner: httpx.SyncByteStream | httpx.AsyncByteStream, finished: Callable[[bytes], None]
    ) -> None:
        self._inner = inner
        self._finished = finished
        self._seen = bytearray()
        self._reported = False

    def __iter__(self) -> Iterator[bytes]:
        if not isinstance(self._inner, httpx.SyncByteStream):
            raise TypeError("the inner transport answered with an async stream")
        for chunk in self._inner:
            self._seen += chunk
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if not isinstance(self._inner, httpx.AsyncByteStream):
            raise TypeError("the inner transport answered with a sync stream")
        async for chunk in self._inner:
            self._seen += chunk
            yield chunk

    def close(self) -> None:
        try:
            if isinstance(self._inner, httpx.SyncByteStream):
                self._inner.close()
        finally:
            self._report()

    async def aclose(self) -> None:
        try:
            if isinstance(self._inner, httpx.AsyncByteStream):
                await self._inner.aclose()
        finally:
            self._report()

    def _report(self) -> None:
        # What was read when the client closed is what passed through: a stream closed at its
        # terminator is whole, and one the client abandoned is kept as far as it went.
        if not self._reported:
            self._reported = True
            self._finished(bytes(self._seen))


class RecordingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Forward requests to `inner` and write each finished exchange to the cassette at `sink_path`.

    `placeholders` maps each secret value (API key, account id...) to what is stored instead, e.g.
    `{"acct-123": "ACCOUNT_ID"}`; it applies to the URI, bodies and header values. Request
    headers other than Accept and Content-Type are not stored, so neither is any auth header.
    `base_url` replaces the scheme and host in stored URIs (record from a local server, store the
    provider's URL). The cassette is rewritten whole, atomically, after each exchange.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport | httpx.AsyncBaseTransport,
        sink_path: str | os.PathLike[str],
        placeholders: Mapping[str, str],
        *,
        base_url: str | None = None,
    ) -> None:
        self.inner = inner
        self.sink_path = Path(sink_path)
        self.interactions: list[Interaction] = []
        self._placeholders = dict(placeholders)
        self._base_url = base_url.rstrip("/") if base_url else None
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(self.inner, httpx.BaseTransport):
            raise TypeError("the inner transport is async-only; use an httpx.AsyncClient")
        request.read()
        self._prepare(request)
        return self._tee(request, self.inner.handle_request(request))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(self.inner, httpx.AsyncBaseTransport):
            raise TypeError("the inner transport is sync-only; use an httpx.Client")
        await request.aread()
        self._prepare(request)
        return self._tee(request, await self.inner.handle_async_request(request))

    def close(self) -> None:
        if isinstance(self.inner, httpx.BaseTransport):
            self.inner.close()

    async def aclose(self) -> None:
        if isinstance(self.inner, httpx.AsyncBaseTransport):
            await self.inner.aclose()

    @staticmethod
    def _prepare(request: httpx.Request) -> None:
        # Cassettes hold text bodies: ask for them unencoded (compressed ones are decoded below).
        request.headers["accept-encoding"] = "identity"

    def _tee(self, request: httpx.Request, response: httpx.Response) -> httpx.Response:
        def finished(body: bytes) -> None:
            self._store(request, response, body)

        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_TeeStream(response.stream, finished),
            extensions=response.extensions,
        )

    def _store(self, request: httpx.Request, response: httpx.Response, raw: bytes) -> None:
        encoding = response.headers.get("content-encoding", "identity")
        body = (
            raw
            if encoding == "identity"
            else httpx.Response(200, headers=[("content-encoding", encoding)], content=raw).content
        )
        secrets = self._placeholders
        try:
            answer: str | bytes = _scrub(body.decode("utf-8"), secrets)
        except UnicodeDecodeError:
            answer = _scrub_bytes(body, secrets)  # a binary answer (an image, audio) stays bytes
        origin = self._base_url or f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
        interaction = Interaction(
            method=request.method,
            uri=origin + _scrub(request.url.raw_path.decode("ascii"), secrets),
            request_body=_request_body(request.content, secrets),
            request_headers=tuple(
                (name.lower(), _scrub(value, secrets))
                for name, value in request.headers.multi_items()
                if name.lower() in KEPT_REQUEST_HEADERS
            ),
            status=response.status_code,
            response_headers=tuple(
                (name.lower(), REDACTED if is_sensitive_header(name) else _scrub(value, secrets))
                for name, value in response.headers.multi_items()
                if name.lower() not in DROPPED_RESPONSE_HEADERS
            ),
            response_body=answer,
        )
        with self._lock:
            self.interactions.append(interaction)
            _write_atomically(self.sink_path, dump_cassette(self.interactions))


def _request_body(content: bytes, secrets: Mapping[str, str]) -> str | bytes:
    try:
        return _scrub(content.decode("utf-8"), secrets)
    except UnicodeDecodeError:
        return _scrub_bytes(content, secrets)  # a raw body (an upload) is stored as bytes, still scrubbed


def _as_bytes(body: str | bytes) -> bytes:
    return body if isinstance(body, bytes) else body.encode("utf-8")


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = _staging_file(path)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _staging_file(path: Path) -> tuple[int, Path]:
    """A new empty file beside path, mode 0o666 less the umask as open() makes it (tempfile.mkstemp's
    0o600 would leave the cassette readable by its owner alone, wherever it is copied)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)  # Windows: no \r\n for \n
    for _ in range(100):
        stem = path.name.encode("utf-8")[:100].decode("utf-8", "ignore")  # bytes: NAME_MAX counts them
        candidate = path.with_name(f".{stem}.{os.urandom(4).hex()}.part")
        try:
            return os.open(candidate, flags, 0o666), candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"no free name for a temporary file beside {path}")
