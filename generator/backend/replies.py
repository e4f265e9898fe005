"""Turn answers, streams, problems and faults into Starlette responses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from generator.backend.answers import Answer, encode
from generator.backend.faults import Fault
from generator.backend.protocols import Problem, Protocol

SOURCE_HEADER = "x-cardgen-source"
# Appended to half a body: never valid JSON, whatever the half ends with.
BROKEN_TAIL = "…".encode()


class CutResponse(Response):
    """Declare the full length, send half of it, and return: the server then drops the connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        half = self.body[: len(self.body) // 2]
        await send({"type": "http.response.body", "body": half, "more_body": True})


def error_response(protocol: Protocol, problem: Problem) -> Response:
    return Response(
        encode(protocol.error_body(problem)),
        status_code=problem.status,
        headers=problem.headers,
        media_type="application/json",
    )


def answer_response(answer: Answer, fault: Fault | None) -> Response:
    headers = {SOURCE_HEADER: answer.source}
    if fault is not None and fault.kind == "malformed":
        return Response(_broken(answer.content), headers=headers, media_type=answer.media_type)
    if fault is not None and fault.kind == "cut":
        return CutResponse(answer.content, headers=headers, media_type=answer.media_type)
    return Response(answer.content, headers=headers, media_type=answer.media_type)


def stream_response(
    chunks: list[bytes], terminator: str | None, media_type: str, fault: Fault | None
) -> StreamingResponse:
    payloads = list(chunks)
    if fault is not None and fault.kind == "cut":
        payloads = payloads[: max(1, len(payloads) // 2)]
    else:
        if fault is not None and fault.kind == "malformed":
            payloads[len(payloads) // 2] = _broken(payloads[len(payloads) // 2])
        if terminator is not None:
            payloads.append(terminator.encode())
    return StreamingResponse(
        _events(payloads),
        media_type=media_type,
        headers={"cache-control": "no-cache", SOURCE_HEADER: "synth"},
    )


async def _events(payloads: list[bytes]) -> AsyncIterator[bytes]:
    for payload in payloads:
        yield b"data: " + payload + b"\n\n"
        # Let each event go out on its own, as a real stream would send it.
        await asyncio.sleep(0)


def _broken(content: bytes) -> bytes:
    return content[: len(content) // 2] + BROKEN_TAIL
