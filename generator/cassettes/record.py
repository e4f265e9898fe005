"""Send each model's planned requests to a backend in its provider's protocol, and keep the exchanges."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath
from urllib.parse import urlencode

import httpx

from generator.backend.raw import encode_query
from generator.cassettes import scrub
from generator.cassettes.plan import PlannedRequest, UnplannableRequest, plan_requests
from generator.catalog.entry import CatalogEntry
from generator.diagnostics import Diagnostic, error
from generator.ingest.uploads import media_of
from generator.pull.fetch import FetchError, retried
from generator.render.cassettes import (
    EVENT_STREAM,
    JSON,
    Interaction,
    cassette_yaml,
    endpoint_path,
    endpoint_uri,
    json_text,
    placeholder,
    stream_media,
    wrap_request,
)

DUMMY_KEY = "cardgen-record-key"
KEY_PLACEHOLDER = "API_KEY"
TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class RecordFailed(Exception):
    """A request could not be recorded."""


@dataclass(frozen=True)
class Credentials:
    """What one provider needs to be called: the key and the path parameters' values."""

    api_key: str
    params: Mapping[str, str]

    @classmethod
    def of(cls, entry: CatalogEntry, environ: Mapping[str, str]) -> Credentials:
        """Values from environ (the entry's env vars), else dummies that a local backend accepts."""
        params = {
            name: environ.get(env_var) or f"cardgen-record-{name.replace('_', '-')}"
            for name, env_var in entry.endpoint.path_params.items()
        }
        return cls(environ.get(entry.auth.env_var) or DUMMY_KEY, params)

    def auth_value(self, entry: CatalogEntry) -> str:
        return f"Bearer {self.api_key}" if entry.auth.scheme == "bearer" else self.api_key

    def secrets(self) -> dict[str, str]:
        """Each credential value -> the placeholder stored in its place."""
        return {self.api_key: KEY_PLACEHOLDER} | {
            value: placeholder(name) for name, value in self.params.items()
        }


@dataclass
class Recording:
    """The cassettes recorded, by path below the output directory, and what went wrong."""

    files: dict[PurePosixPath, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def model_folder(entry: CatalogEntry) -> PurePosixPath:
    return PurePosixPath(entry.provider) / entry.slug


def record_models(
    entries: Iterable[CatalogEntry],
    base_url: str,
    *,
    client: httpx.Client,
    environ: Mapping[str, str] | None = None,
    origin: str = "catalog/models",
) -> Recording:
    """Record every planned request of every entry against base_url; one cassette per request."""
    environment = os.environ if environ is None else environ
    recording = Recording()
    for entry in entries:
        where = f"{origin}/{entry.provider}/{entry.slug}.yaml"
        try:
            planned = plan_requests(entry)
        except UnplannableRequest as exc:
            recording.diagnostics.append(error(where, None, str(exc)))
            continue
        credentials = Credentials.of(entry, environment)
        for request in planned:
            try:
                interaction = exchange(client, entry, base_url, request, credentials)
            except RecordFailed as exc:
                recording.diagnostics.append(error(where, None, f"{request.name}: {exc}"))
                continue
            path = model_folder(entry) / f"{request.name}.yaml"
            recording.files[path] = cassette_yaml([interaction])
    return recording


def exchange(
    client: httpx.Client,
    entry: CatalogEntry,
    base_url: str,
    planned: PlannedRequest,
    credentials: Credentials,
) -> Interaction:
    """Send one planned request (streams read to their end) and return it scrubbed."""
    body: str | bytes
    query = ""
    if planned.upload is not None:
        body, content_type = planned.upload
        query = urlencode(encode_query(planned.data or {}))
    else:
        body, content_type = json_text(wrap_request(entry, planned.data)), entry.request.content_type
    headers = [
        ("accept", stream_media(entry) if planned.stream else JSON),
        ("content-type", content_type),
        # Identity bodies are what a cassette stores as text; httpx would decode others anyway.
        ("accept-encoding", "identity"),
        (entry.auth.header, credentials.auth_value(entry)),
    ]
    suffix = f"?{query}" if query else ""
    url = base_url.rstrip("/") + endpoint_path(entry, credentials.params) + suffix
    payload = body.encode() if isinstance(body, str) else body
    request = client.build_request(entry.endpoint.method, url, content=payload, headers=headers)
    secrets = credentials.secrets()
    try:
        # A 429, a 5xx or a broken connection is tried again, as `pull` does: one rate limit must
        # not fail a whole all-or-nothing recording. The exchange kept is the one that succeeded.
        response = retried(partial(_send, client, request), f"{request.method} {request.url}")
    except FetchError as exc:
        raise RecordFailed(scrub.scrub_text(str(exc), secrets)) from exc
    content = response.content
    media = media_of(response.headers.get("content-type", ""))
    if planned.stream and media != media_of(stream_media(entry)):
        raise RecordFailed(f"asked for a stream ({stream_media(entry)}), got {media or 'no content type'}")
    try:
        answer_body: str | bytes = scrub.scrub_text(content.decode("utf-8"), secrets)
    except UnicodeDecodeError:
        if media in {JSON, EVENT_STREAM, media_of(stream_media(entry))}:
            raise RecordFailed(f"the {media} answer is not UTF-8 text") from None
        answer_body = scrub.scrub_bytes(content, secrets)  # a binary answer (an image, audio) stays bytes
    terminator = entry.streaming.terminator
    if planned.stream and terminator is not None and not _ends_with(answer_body, terminator):
        raise RecordFailed(f"the stream ended without this model's terminator {terminator!r}")
    return Interaction(
        method=entry.endpoint.method,
        uri=endpoint_uri(entry) + scrub.scrub_text(suffix, secrets),
        request_body=scrub.scrub_body(body, secrets),
        request_headers=scrub.request_headers(request.headers.multi_items(), secrets),
        status=response.status_code,
        response_headers=scrub.response_headers(response.headers.multi_items(), secrets),
        response_body=answer_body,
    )


def _send(client: httpx.Client, request: httpx.Request) -> httpx.Response:
    """The answer to request, its body read to the end (a stream's every event).

    What the request may have started is not sent again (FetchError, which `retried` passes on):
    after a read timeout the server may still be generating, and a 2xx answer cut short has been
    generated (and billed), as the generated SDK's own retry rule says.
    """
    what = f"{request.method} {request.url}"
    try:
        response = client.send(request, stream=True, follow_redirects=False)
    except httpx.ReadTimeout as exc:
        raise FetchError(
            f"{what}: ReadTimeout: {exc} (not sent again: the server may be generating)"
        ) from exc
    try:
        response.read()
    except httpx.HTTPError as exc:
        if not response.is_success:
            raise  # a refusal cut short: tried again as any refusal
        status = f"{response.status_code} {response.reason_phrase}"
        raise FetchError(f"{what}: {status}, then {type(exc).__name__}: {exc} (not sent again)") from exc
    finally:
        response.close()
    return response


def _ends_with(stream: str | bytes, terminator: str) -> bool:
    """Whether an event stream's last `data:` payload is the terminator, as the SDK decodes it."""
    text = stream.decode("utf-8", errors="replace") if isinstance(stream, bytes) else stream
    data = [line.removeprefix("data:") for line in text.splitlines() if line.startswith("data:")]
    return bool(data) and data[-1].strip() == terminator
