"""`python -m tests.bench_backend`: the local backend's throughput, latency and memory on loopback.

A bounded load (CLIENTS keep-alive connections for SECONDS_PER_RUN each), plain and streaming calls;
the figures are printed, and the bench itself fails unless every request was answered 200.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
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
def server_process() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
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
        yield url, process
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


def peak_rss_mib(pid: int) -> float | None:
    """The process's peak resident memory so far (Linux), in MiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text("ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


async def run(url: str, request: bytes, clients: int) -> tuple[int, float, list[float], int]:
    """Send requests from `clients` connections for a while; return count, seconds, latencies, errors."""
    latencies: list[float] = []
    errors = 0
    host, port = url.removeprefix("http://").split(":")

    async def loop(until: float) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while time.perf_counter() < until:
                started = time.perf_counter()
                writer.write(request)
                if await read_response(reader) != 200:
                    nonlocal errors
                    errors += 1
                latencies.append(time.perf_counter() - started)
        finally:
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(loop(time.perf_counter() + 0.1) for _ in range(clients)))  # warm up
    latencies.clear()
    started = time.perf_counter()
    await asyncio.gather(*(loop(started + SECONDS_PER_RUN) for _ in range(clients)))
    return len(latencies), time.perf_counter() - started, latencies, errors


def main() -> dict[str, Any]:
    """Print the table; return its figures (for `make bench`'s JSON line). Exit 1 unless every
    request got a 200."""
    entry = next(e for e in load_catalog(MODELS) if e.streaming.supported)
    calls = {
        "plain": {**valid_input(entry), stream_flag(entry): False},
        "stream": {**valid_input(entry), stream_flag(entry): True},
    }
    print(
        f"== local backend on loopback: {entry.provider}/{entry.slug}, server in its own process,"
        " clients on raw keep-alive HTTP/1.1 connections"
    )
    print(f"  {'call':8} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    failed = 0
    rows: list[dict[str, Any]] = []
    with server_process() as (url, process):
        for label, data in calls.items():
            for clients in CLIENTS:
                count, seconds, latencies, errors = asyncio.run(
                    run(url, encode_request(url, entry, data), clients)
                )
                failed += errors
                cuts = statistics.quantiles(latencies, n=100)
                rows.append(
                    {"call": label, "clients": clients, "requests_per_s": count / seconds,
                     "p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000, "errors": errors}
                )  # fmt: skip
                print(
                    f"  {label:8} {clients:7} {count / seconds:8.0f} {cuts[49] * 1000:8.2f}"
                    f" {cuts[98] * 1000:8.2f} {errors:6}"
                )
        peak = peak_rss_mib(process.pid)
    print(f"  server peak RSS: {f'{peak:.0f} MiB' if peak is not None else 'not measured (no /proc)'}")
    if failed:
        raise SystemExit(f"bench_backend: {failed} requests were not answered 200")
    return {"model": f"{entry.provider}/{entry.slug}", "calls": rows, "server_peak_rss_mib": peak}


if __name__ == "__main__":
    main()
