"""Build the Starlette app that serves every catalog model in its provider's protocol.

Each request goes: route (404) -> method (405) -> auth (401) -> JSON body, or for a model that
takes raw bytes a non-JSON body and its query parameters (400) -> model named
in the body, for enveloped requests (404) -> fault, if any -> input schema (400) -> stream flag
(400 if the model cannot stream) -> answer. Besides the models' own paths the app serves
`GET /__cardgen/requests` (attempt counts per fault key, whether a token is enforced; `DELETE` resets
the counts) and
`GET /__cardgen/models` (what is served where).

Whatever a client sends, the answer is an HTTP status in the provider's envelope, never a crash: a
body over `max_body_bytes` is a 413 (read no further), a body slower than `body_timeout` a 408, a
body that does not parse (nested past the interpreter's depth included) a 400; a client that hangs
up is logged in one line.
"""

from __future__ import annotations

import asyncio
import http
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from generator.backend.answers import answer, stream_chunks
from generator.backend.catalog_api import CatalogApi
from generator.backend.faults import (
    FAULT_HEADER,
    FAULT_KEY_HEADER,
    Fault,
    FaultScript,
    FaultSpecError,
    RequestLedger,
    parse_faults,
    request_key,
)
from generator.backend.protocols import PLAIN, Problem, Protocol
from generator.backend.raw import raw_input, refuse_constant
from generator.backend.replies import answer_response, error_response, stream_response
from generator.backend.routes import RouteTable
from generator.backend.served import ServedModel
from generator.catalog.store import Catalog
from generator.ingest.uploads import is_json_media, media_of
from generator.wording import counted

LOG = logging.getLogger("cardgen.backend")
ADMIN_PREFIX = "/__cardgen"
EXAMPLE_HEADER = "x-cardgen-example"
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
DEFAULT_BODY_TIMEOUT = 30.0
DEFAULT_HEADER_TIMEOUT = 10.0
# 499 (nginx's "client closed request") only names the outcome in the log; nobody receives it.
CLIENT_CLOSED = 499


@dataclass(frozen=True)
class BackendOptions:
    """How the server behaves: seed for drawn responses, accepted token, faults, examples."""

    seed: int = 0
    token: str | None = None
    faults: FaultScript | None = None
    examples: bool = False
    documents: Path | None = None  # the catalog root (holding sources/), for the page routes
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES  # a larger body is refused with 413
    body_timeout: float = DEFAULT_BODY_TIMEOUT  # seconds for the whole body to arrive, else 408
    header_timeout: float = DEFAULT_HEADER_TIMEOUT  # seconds for a request's head to arrive, else closed


@dataclass
class _Exchange:
    """What is known about a request so far, to render its errors and log it."""

    protocol: Protocol = PLAIN
    model_id: str = "-"
    notes: list[str] = field(default_factory=list)


class Backend:
    """The served models, the request counters and the ASGI app."""

    def __init__(self, catalog: Catalog, options: BackendOptions | None = None) -> None:
        self.options = options or BackendOptions()
        self.routes = RouteTable(ServedModel.of(entry) for entry in catalog)
        self.ledger = RequestLedger()
        self.app = Starlette(
            routes=[
                Route(f"{ADMIN_PREFIX}/requests", self._requests, methods=["GET", "DELETE"]),
                Route(f"{ADMIN_PREFIX}/models", self._models, methods=["GET"]),
                *CatalogApi(catalog, self.options.documents, self.options.token).routes(),
                Route("/{path:path}", self._handle, methods=ALL_METHODS),
            ]
        )

    async def _handle(self, request: Request) -> Response:
        started = time.perf_counter()
        path: str = request.scope["path"]  # already percent-decoded by the server
        exchange = _Exchange()
        if (match := self.routes.match(path)) is not None:
            # Known before the body is read, so that even a 413 or a 408 comes in the provider's envelope.
            exchange.protocol = match.model.protocol if match.model else match.group.protocol
        try:
            body = await self._read_body(request)
            key = request.headers.get(FAULT_KEY_HEADER) or request_key(request.method, path, body)
            response = await self._respond(request, path, body, self.ledger.record(key), exchange)
        except Problem as problem:
            response = error_response(exchange.protocol, problem)
        except RecursionError:
            deep = Problem(400, "the body is nested too deeply to read")
            response = error_response(exchange.protocol, deep)
        except ClientDisconnect:
            elapsed = (time.perf_counter() - started) * 1000
            LOG.info(
                "%s %s client disconnected before its request was read, %.1fms", request.method, path, elapsed
            )
            return Response(status_code=CLIENT_CLOSED)
        elapsed = (time.perf_counter() - started) * 1000
        notes = "".join(f" {note}" for note in exchange.notes)
        LOG.info(
            "%s %s model=%s status=%d %.1fms%s",
            request.method,
            path,
            exchange.model_id,
            response.status_code,
            elapsed,
            notes,
        )
        return response

    async def _read_body(self, request: Request) -> bytes:
        """Return the request body; 413 past `max_body_bytes`, 408 when it is slower than `body_timeout`."""
        limit = self.options.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        try:
            return await asyncio.wait_for(_read_up_to(request, limit), self.options.body_timeout)
        except TimeoutError:
            raise Problem(
                408,
                f"the request body did not arrive within {self.options.body_timeout:g} s",
                headers={"Connection": "close"},
            ) from None

    async def _respond(
        self, request: Request, path: str, body: bytes, attempt: int, exchange: _Exchange
    ) -> Response:
        match = self.routes.match(path)
        if match is None:
            raise Problem(404, f"no model is served at {path}")
        exchange.protocol = match.model.protocol if match.model else match.group.protocol
        exchange.model_id = match.model_id or "-"
        if match.group.by_path and match.model is None:
            raise Problem(404, f"unknown model {match.model_id!r}")
        _check_method(
            request.method, [match.model.entry.endpoint.method] if match.model else match.group.methods
        )
        if (why := exchange.protocol.auth_problem(request.headers, self.options.token)) is not None:
            raise Problem(401, why)
        raw = match.model.entry.request.raw_body if match.model else None
        content_type = request.headers.get("content-type", "")
        whole_body_is_the_input = False
        if raw is not None and match.model and not is_json_media(media_of(content_type)):
            named, at = None, "$"
            data = raw_input(match.model, raw, body, content_type, request.query_params.multi_items())
            whole_body_is_the_input = data is None
        elif raw is not None and raw.required:
            raise Problem(400, f"{exchange.model_id!r} takes its input as the raw request body, not JSON")
        else:
            named, data, at = exchange.protocol.unwrap(_parse_json(body, request.method))
        model = match.model or match.group.models.get(named or "")
        if model is None:
            exchange.model_id = named or "-"
            raise Problem(404, f"unknown model {named!r}")
        _check_method(request.method, [model.entry.endpoint.method])
        exchange.protocol, exchange.model_id = model.protocol, model.entry.model_id
        fault = self._fault(request, attempt)
        if fault is not None:
            exchange.notes.append(f"fault={fault.kind if fault.kind != 'status' else fault.status}")
            await _apply(fault, model)
        problems = () if whole_body_is_the_input else model.input_problems(data, at)
        if problems:
            count = counted(len(problems), "problem")
            raise Problem(
                400,
                f"the request does not fit the input schema of {model.entry.model_id!r} ({count})",
                problems,
            )
        if model.wants_stream(data):
            streaming = model.entry.streaming
            if not streaming.supported:
                raise Problem(400, f"{model.entry.model_id!r} does not stream: drop `{model.stream_flag}`")
            chunks = stream_chunks(model, data, seed=self.options.seed)
            media_type = streaming.content_type or "text/event-stream"
            return stream_response(chunks, streaming.terminator, media_type, fault)
        use_example = self.options.examples or _truthy(request.headers.get(EXAMPLE_HEADER, ""))
        return answer_response(answer(model, data, seed=self.options.seed, use_example=use_example), fault)

    def _fault(self, request: Request, attempt: int) -> Fault | None:
        spec = request.headers.get(FAULT_HEADER, "").strip()
        try:
            script = parse_faults(spec) if spec else self.options.faults
        except FaultSpecError as exc:
            raise Problem(400, f"bad {FAULT_HEADER} header: {exc}") from exc
        return script.for_attempt(attempt) if script is not None else None

    async def _requests(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.ledger.reset()
            return Response(status_code=204)
        counts = {"total": self.ledger.total(), "by_key": self.ledger.snapshot()}
        # A server that accepts any token can never answer 401 to a wrong one: clients check this first.
        return JSONResponse({**counts, "token_enforced": self.options.token is not None})

    async def _models(self, request: Request) -> Response:
        return JSONResponse(
            [
                {
                    "provider": m.entry.provider,
                    "model_id": m.entry.model_id,
                    "slug": m.entry.slug,
                    "method": m.entry.endpoint.method,
                    "path": m.entry.endpoint.path,
                    "streaming": m.entry.streaming.supported,
                }
                for m in self.routes.models()
            ]
        )


def build_app(catalog: Catalog, options: BackendOptions | None = None) -> Starlette:
    """Return the ASGI app alone, for embedding or for an in-process test client."""
    return Backend(catalog, options).app


async def _read_up_to(request: Request, limit: int) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)


def _too_large(limit: int) -> Problem:
    # The rest of the body is never read: the connection closes after the answer.
    return Problem(413, f"the request body is over {limit} bytes", headers={"Connection": "close"})


def _check_method(method: str, allowed: list[str]) -> None:
    if method not in allowed:
        raise Problem(
            405,
            f"{method} is not allowed here; use {' or '.join(allowed)}",
            headers={"Allow": ", ".join(allowed)},
        )


def _parse_json(body: bytes, method: str) -> Any:
    if not body and method == "GET":
        return {}
    try:
        return json.loads(body, parse_constant=refuse_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem(400, f"the body is not JSON: {exc}") from exc


async def _apply(fault: Fault, model: ServedModel) -> None:
    if fault.kind == "slow":
        await asyncio.sleep(fault.ms / 1000)
    elif fault.kind == "status":
        declared = {e.status: e.description for e in model.entry.errors}
        reason = declared.get(fault.status) or _phrase(fault.status)
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        if fault.retry_after_ms is not None:
            headers["retry-after-ms"] = str(fault.retry_after_ms)
        if fault.should_retry is not None:
            headers["x-should-retry"] = "true" if fault.should_retry else "false"
        raise Problem(fault.status, f"{reason} (fault injected by cardgen)", headers=headers)


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"
