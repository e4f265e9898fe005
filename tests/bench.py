"""`make bench`: figures and ratios for generation, import and call overhead (printed, never asserted)."""

from __future__ import annotations

import importlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import httpx

from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog, dump_entry, entry_path, load_catalog
from generator.generate import Previous, generate
from generator.lockfile import LOCK_NAME, read_lock
from generator.render.format import format_tree
from generator.render.model_types import types_code
from generator.render.render import RenderOptions, render
from generator.tree import write_tree
from tests.conftest import REPO

# The bench measures the product as committed (catalog/models, generated/), unlike the tests.
MODELS = REPO / "catalog" / "models"

SYNTHETIC = 500


def synthetic_catalog(seed: Catalog, size: int, unique_schemas: bool) -> Catalog:
    """The seed entries cloned under new ids; optionally each with a schema of its own."""
    entries: list[CatalogEntry] = []
    for index in range(size):
        base = seed.entries[index % len(seed.entries)]
        changes: dict[str, Any] = {"slug": f"{base.slug}_{index}", "model_id": f"{base.model_id}-{index}"}
        if unique_schemas:
            changes["input_schema"] = {**base.input_schema, "description": f"clone {index}"}
        entries.append(base.model_copy(update=changes))
    return Catalog(tuple(sorted(entries, key=lambda e: e.key)))


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _generate(catalog: Catalog, out: Path) -> float:
    started = time.perf_counter()
    write_tree(out, format_tree(render(catalog, RenderOptions())))
    return time.perf_counter() - started


def bench_generation(seed: Catalog) -> None:
    print("== generation (render + ruff), wall time")
    for label, catalog in (
        ("seed catalog", seed),
        (f"{SYNTHETIC} clones, shared schemas", synthetic_catalog(seed, SYNTHETIC, unique_schemas=False)),
        (f"{SYNTHETIC} clones, every schema unique", synthetic_catalog(seed, SYNTHETIC, unique_schemas=True)),
    ):
        types_code.cache_clear()
        with tempfile.TemporaryDirectory() as out:
            first = _generate(catalog, Path(out))
            again = _generate(catalog, Path(out))
        per_model = first / len(catalog) * 1000
        print(f"  {label:38} {first:6.2f} s  {per_model:6.1f} ms/model  unchanged re-run {again:5.2f} s")
    print("  target: <= 25 ms/model at 500 models")


def bench_incremental(seed: Catalog) -> None:
    print(f"== incremental regeneration: one model of {SYNTHETIC} changed, against a full generation")
    catalog = synthetic_catalog(seed, SYNTHETIC, unique_schemas=True)
    changed = Catalog(
        tuple(
            e.model_copy(update={"description": "changed"}) if index == 0 else e
            for index, e in enumerate(catalog.entries)
        )
    )
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        types_code.cache_clear()
        full = timed(lambda: _generate_locked(catalog, out))
        types_code.cache_clear()
        one = timed(lambda: _generate_locked(changed, out))
    print(
        f"  full {full:6.2f} s   one changed {one:5.2f} s   ratio {one / full * 100:4.1f} %   target <= 5 %"
    )


def _cardgen_generate(catalog_dir: Path, out: Path) -> float:
    """`cardgen generate` from the command line, as a user runs it: wall seconds, interpreter start included."""
    command = [
        sys.executable,
        "-m",
        "generator",
        "generate",
        "--catalog",
        str(catalog_dir),
        "--out",
        str(out),
    ]
    started = time.perf_counter()
    subprocess.run(command, cwd=catalog_dir.parent, capture_output=True, text=True, check=True)
    return time.perf_counter() - started


def write_catalog(catalog: Catalog, directory: Path) -> None:
    """The catalog as `cardgen ingest` stores it: one YAML file per entry."""
    for entry in catalog:
        path = directory / entry_path(entry)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_entry(entry), "utf-8")


def bench_noop(seed: Catalog) -> None:
    print("== no-op regeneration from the command line (nothing changed; median of 3), against a full run")
    for size in (len(seed), SYNTHETIC):
        with tempfile.TemporaryDirectory() as scratch:
            models, out = Path(scratch) / "catalog" / "models", Path(scratch) / "generated"
            write_catalog(seed if size == len(seed) else synthetic_catalog(seed, size, True), models)
            full = _cardgen_generate(models, out)
            noop = statistics.median(_cardgen_generate(models, out) for _ in range(3))
        print(
            f"  {size:4} models: full {full:6.2f} s   no-op {noop:5.2f} s   ratio {noop / full * 100:4.1f} %"
            "   target <= 1 s at 500"
        )


def _generate_locked(catalog: Catalog, out: Path) -> None:
    previous = Previous(read_lock(out / LOCK_NAME), None, lambda paths: _read(out, paths))
    generation = generate(catalog, RenderOptions(), {}, previous)
    write_tree(out, generation.files, generation.verified)


def _read(root: Path, paths: list[PurePosixPath]) -> dict[PurePosixPath, str] | None:
    texts = {p: (root / p).read_text("utf-8") for p in paths if (root / p).is_file()}
    return texts if len(texts) == len(paths) else None


def _import_seconds(root: Path, statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    return statistics.median(runs)


def bench_import(seed: Catalog) -> None:
    print("== import cost (median of 5 fresh interpreters)")
    with tempfile.TemporaryDirectory() as scratch:
        floor = _import_seconds(Path(scratch), "import httpx, pydantic")
        print(f"  floor: import httpx, pydantic            {floor * 1000:7.1f} ms")
        for size in (len(seed), SYNTHETIC):
            root = Path(scratch) / str(size)
            catalog = seed if size == len(seed) else synthetic_catalog(seed, size, unique_schemas=False)
            write_tree(root, format_tree(render(catalog, RenderOptions())))
            bare = _import_seconds(root, "import modelsdk")
            client = _import_seconds(root, "import modelsdk; modelsdk.Segmind(api_key='k')")
            model = next(e.slug for e in catalog if e.provider == "segmind")  # whatever the catalog holds
            first_use = _import_seconds(
                root, f"import modelsdk; modelsdk.Segmind(api_key='k').models.{model}"
            )
            print(
                f"  {size:4} models: import {bare * 1000:6.1f} ms, + client {client * 1000:6.1f} ms,"
                f" + first model {first_use * 1000:6.1f} ms ({first_use / floor:4.2f}x the floor)"
            )


def bench_call_overhead() -> None:
    print("== per-call overhead of run() over a raw httpx call, in-memory transport")
    sys.path.insert(0, str(REPO / "generated"))
    modelsdk = importlib.import_module("modelsdk")

    answer = {"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": []}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=answer))
    payload = {"messages": [{"role": "user", "content": "hello"}]}
    raw = httpx.Client(transport=transport, base_url="https://api.segmind.com")
    client = modelsdk.Segmind(api_key="k", transport=transport)
    model = client.models.deepseek_reasoner
    calls = 2000

    def raw_calls() -> None:
        for _ in range(calls):
            raw.post("/v1/deepseek-reasoner", json=payload, headers={"x-api-key": "k"}).json()

    def sdk_calls() -> None:
        for _ in range(calls):
            model.run(messages=payload["messages"])

    raw_calls()  # warm up both paths
    sdk_calls()
    raw_time, sdk_time = timed(raw_calls), timed(sdk_calls)
    print(
        f"  raw httpx {raw_time / calls * 1e6:6.0f} us/call   run() {sdk_time / calls * 1e6:6.0f} us/call"
        f"   overhead {(sdk_time - raw_time) / calls * 1e6:5.0f} us ({sdk_time / raw_time:4.2f}x)"
    )


def main() -> None:
    seed = load_catalog(MODELS)
    bench_generation(seed)
    bench_incremental(seed)
    bench_noop(seed)
    bench_import(seed)
    bench_call_overhead()
    backend = Path(__file__).with_name("bench_backend.py")
    if backend.exists():
        from tests import bench_backend

        bench_backend.main()
    print(json.dumps({"done": True}))


if __name__ == "__main__":
    main()
