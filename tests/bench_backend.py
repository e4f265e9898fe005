"""`python -m tests.bench_backend`: the local backend's throughput and latency on loopback (printed only)."""

from __future__ import annotations

import asyncio
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from generator.catalog.entry import CatalogEntry
from generator.catalog.store import load_catalog
from tests.backend.calls import auth_headers, model_path, stream_flag, valid_input, wrap
from tests.conftest import REPO

# The bench measures the product as committed, unlike the tests.
MODELS = REPO / "catalog" / "models"

SECONDS_PER_RUN = 0.6
CLIENTS = (1, 16)
LAUNCH = "from generator.backend.cli import serve_command; serve_command(prog_name='cardgen serve')"


@contextmanager
def server_process() -> Iterator[str]:
    """Run `cardgen serve` in its own process, so clients and server do not share a GIL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-c", LAUNCH, "--catalog", str(MODELS), "--port", str(port)]
    process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                httpx.get(f"{url}/__cardgen/models")
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the backend did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def encode_request(url: str, entry: CatalogEntry, data: Any) -> bytes:
    """The bytes of one keep-alive HTTP/1.1 request, built once and sent many times."""
    request = httpx.Request(entry.endpoint.method, url + model_path(entry), json=wrap(entry, data))
    headers = {"host": request.url.netloc.decode(), **auth_headers(entry), "content-type": "application/json"}
    head = f"{request.method} {request.url.raw_path.decode()} HTTP/1.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    head += f"content-length: {len(request.content)}\r\n\r\n"
    return head.encode() + request.content


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one response, sized or chunked; return its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    fields = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:] if b": " in line)
    fields = {name.lower(): value for name, value in fields.items()}
    if b"content-length" in fields:
        await reader.readexactly(int(fields[b"content-length"]))
        return status
    while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
        await reader.readexactly(size + 2)
    await reader.readuntil(b"\r\n")
    return status


async def run(url: str, request: bytes, clients: int) -> tuple[int, float, list[float]]:
    """Send requests from `clients` concurrent connections for a while; return count, seconds, latencies."""
    latencies: list[float] = []
    host, port = url.removeprefix("http://").split(":")

    async def loop(until: float) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while time.perf_counter() < until:
                started = time.perf_counter()
                writer.write(request)
                status = await read_response(reader)
                assert status == 200, status
                latencies.append(time.perf_counter() - started)
        finally:
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(loop(time.perf_counter() + 0.1) for _ in range(clients)))  # warm up
    latencies.clear()
    started = time.perf_counter()
    await asyncio.gather(*(loop(started + SECONDS_PER_RUN) for _ in range(clients)))
    return len(latencies), time.perf_counter() - started, latencies


def main() -> None:
    entry = next(e for e in load_catalog(MODELS) if e.streaming.supported)
    calls = {
        "plain": {**valid_input(entry), stream_flag(entry): False},
        "stream": {**valid_input(entry), stream_flag(entry): True},
    }
    print(
        f"== local backend on loopback: {entry.provider}/{entry.slug}, server in its own process,"
        " clients on raw keep-alive HTTP/1.1 connections"
    )
    print(f"  {'call':8} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    with server_process() as url:
        for label, data in calls.items():
            for clients in CLIENTS:
                count, seconds, latencies = asyncio.run(run(url, encode_request(url, entry, data), clients))
                cuts = statistics.quantiles(latencies, n=100)
                print(
                    f"  {label:8} {clients:7} {count / seconds:8.0f} {cuts[49] * 1000:8.2f} {cuts[98] * 1000:8.2f}"
                )


if __name__ == "__main__":
    main()
