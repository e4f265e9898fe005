"""Time to the first typed call of a generated SDK, against the floor, and run()'s per-call overhead.

The first call, in a fresh interpreter: `import <package>`, a client on an in-memory transport, one
`client.models.<model>.run(...)` of a chat model the catalog holds (its valid input, answered with
a response its schema accepts). The floor: `import httpx, pydantic` and one SSL context. Beside
them, the same call by hand: the model's own pydantic classes (its types module), one httpx.Client,
the answer validated, which is what any pydantic client pays over the floor; the SDK's first call
less that is its client layer. All timed inside the interpreter (its own start excluded), median of
RUNS; with bytecode caching (the package's __pycache__ written by a first run) and without (a fresh
copy, PYTHONDONTWRITEBYTECODE=1).
"""

from __future__ import annotations

import importlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from generator.backend.answers import answer
from generator.backend.served import ServedModel
from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog
from generator.render.names import class_name
from tests.backend.calls import ACCOUNT, auth_headers, model_path, stream_flag, valid_input, wrap

RUNS = 9  # medians: a first call is ~30 ms, and a busy moment of the machine adds as much
PACKAGE = "modelsdk"
FLOOR = "import httpx, pydantic, ssl; ssl.create_default_context()"
_SENT = "\0sent\0"  # stands for the validated request in the hand-written call's source
TIMED = "import time; t = time.perf_counter()\n{code}\nprint('seconds', time.perf_counter() - t)\n"


@dataclass(frozen=True)
class FirstCall:
    """A chat model's first call: what to send and what the transport answers."""

    entry: CatalogEntry
    data: dict[str, Any]
    body: bytes
    media_type: str

    @classmethod
    def of(cls, catalog: Catalog) -> FirstCall:
        """The first chat model (not streaming if the catalog has one) whose valid input is keyword arguments."""
        chats = [
            e
            for e in catalog
            if e.task == "text-generation" and e.response.content_type == "application/json"
        ]
        chats.sort(key=lambda e: (e.streaming.supported, e.key))
        for entry in chats:
            data = valid_input(entry)
            if isinstance(data, dict) and all(str(k).isidentifier() for k in data):
                data.pop(stream_flag(entry), None)
                reply = answer(ServedModel.of(entry), data, seed=0, use_example=True)
                return cls(entry, data, reply.content, reply.media_type)
        raise LookupError("no chat model with keyword-argument input in the catalog")

    def client_code(self) -> str:
        """Source that builds the client on an in-memory transport, as `client`."""
        params = "".join(f"{name}={ACCOUNT!r}, " for name in self.entry.endpoint.path_params)
        provider = class_name(self.entry.provider, "Provider")
        return (
            f"import httpx\nfrom {PACKAGE} import {provider}\n"
            f"body = {self.body!r}\n"
            f"def answer(request): return httpx.Response(200, content=body, headers={{'content-type': {self.media_type!r}}})\n"
            f"client = {provider}(api_key='k', {params}transport=httpx.MockTransport(answer))\n"
        )

    def code(self) -> str:
        return self.client_code() + f"client.models.{self.entry.slug}.run(**{self.data!r})"

    def handwritten_code(self) -> str:
        """The same call by hand: the request validated and dumped as run() does, one httpx.Client, the
        answer validated; the model's Request and Response classes, no SDK client."""
        entry = self.entry
        envelope = entry.response.envelope
        result = f"[{envelope.result_key!r}]" if envelope is not None and envelope.result_key else ""
        base_url = str(entry.endpoint.base_url)
        enveloped = repr(wrap(entry, _SENT)).replace(repr(_SENT), "sent")  # the request body, in its envelope
        return (
            f"import httpx\nfrom {PACKAGE}.types.{entry.provider}.{entry.slug} import Request, Response\n"
            f"body = {self.body!r}\n"
            f"def answer(request): return httpx.Response(200, content=body, headers={{'content-type': {self.media_type!r}}})\n"
            f"client = httpx.Client(transport=httpx.MockTransport(answer), base_url={base_url!r})\n"
            f"sent = Request.model_validate({self.data!r}).model_dump(mode='json', exclude_unset=True)\n"
            f"answered = client.post({model_path(entry)!r}, json={enveloped}, headers={auth_headers(entry)!r})\n"
            f"validated = Response.model_validate(answered.json(){result})"
        )


def seconds_in(root: Path, code: str, env: dict[str, str] | None = None) -> float:
    """The time `code` takes in a fresh interpreter started in `root`."""
    done = subprocess.run(
        [sys.executable, "-c", TIMED.format(code=code)],
        check=False,
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the first call failed:\n{done.stderr[-3000:]}")
    return float(done.stdout.split("seconds ")[-1])


def first_call(generated: Path, catalog: Catalog, scratch: Path) -> dict[str, Any]:
    """Floor and first call in ms, with and without bytecode caching; the model called."""
    call = FirstCall.of(catalog)
    fresh = scratch / "no-bytecode"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(generated / PACKAGE, fresh / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
    no_bytecode = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    # The caller's environment may forbid bytecode (this machine's does): the cached runs allow it.
    cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    seconds_in(scratch, FLOOR)
    seconds_in(generated, call.code(), cached)  # writes the package's bytecode
    runs: dict[str, list[float]] = {
        "floor_ms": [],
        "cached_ms": [],
        "uncached_ms": [],
        "handwritten_cached_ms": [],
        "handwritten_uncached_ms": [],
    }
    for _ in range(RUNS):  # taking turns, so a busy moment of the machine weighs on all alike
        runs["floor_ms"].append(seconds_in(scratch, FLOOR))
        runs["cached_ms"].append(seconds_in(generated, call.code(), cached))
        runs["uncached_ms"].append(seconds_in(fresh, call.code(), no_bytecode))
        runs["handwritten_cached_ms"].append(seconds_in(generated, call.handwritten_code(), cached))
        runs["handwritten_uncached_ms"].append(seconds_in(fresh, call.handwritten_code(), no_bytecode))
    medians = {key: statistics.median(values) * 1000 for key, values in runs.items()}
    return {"model": f"{call.entry.provider}/{call.entry.slug}", **medians}


def call_overhead(generated: Path, catalog: Catalog, calls: int = 2000) -> dict[str, Any]:
    """Microseconds per run() against a raw httpx call of the same request, in this process."""
    call = FirstCall.of(catalog)
    entry = call.entry
    namespace: dict[str, Any] = {}
    sys.path.insert(0, str(generated))
    try:
        exec(call.client_code(), namespace)  # the source the first call runs, in this process
        model = getattr(namespace["client"].models, entry.slug)
        raw = httpx.Client(
            transport=httpx.MockTransport(lambda _: httpx.Response(200, content=call.body)),
            base_url=str(entry.endpoint.base_url),
        )

        def raw_calls() -> None:
            for _ in range(calls):
                raw.request(
                    entry.endpoint.method,
                    model_path(entry),
                    json=wrap(entry, call.data),
                    headers=auth_headers(entry),
                ).json()

        def sdk_calls() -> None:
            for _ in range(calls):
                model.run(**call.data)

        raw_calls()  # warm up both paths
        sdk_calls()
        raw_time, sdk_time = timed(raw_calls), timed(sdk_calls)
    finally:
        sys.path.remove(str(generated))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]
        importlib.invalidate_caches()
    return {
        "model": f"{entry.provider}/{entry.slug}",
        "raw_us": raw_time / calls * 1e6,
        "run_us": sdk_time / calls * 1e6,
    }


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started
