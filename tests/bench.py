"""`make bench`: issue #16's figures at catalog scale, each beside its target (printed, never asserted).

At each size of BENCH_SIZES (default "50 200 500"), a project folder holds a synthetic catalog built
from the fixture catalogs (tests/bench_scale.py) and is driven from the command line as a user drives
it (tests/bench_project.py): ingest, record, generate (from nothing three times, the median kept);
generate again in-process and datamodel-code-generator alone on the same schemas (the comparator),
three times each, taking turns, the medians kept;
no-op and one-change regeneration; the first typed call (tests/bench_first_call.py); conformance
(on sizes <= 500, larger ones with BENCH_CONFORM_ALL=1); lock bytes; peak RSS. Then run()'s per-call overhead and the local backend's throughput
(tests/bench_backend.py). The last line is one JSON object with every figure.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from generator.catalog.store import Catalog, load_catalog
from tests import bench_backend
from tests.bench_first_call import call_overhead, first_call
from tests.bench_project import Project

SIZES = tuple(int(size) for size in os.environ.get("BENCH_SIZES", "50 200 500").split())
CONFORM_ALL = os.environ.get("BENCH_CONFORM_ALL") == "1"
CONFORM_UP_TO = 500  # ~3 min at 500 models; larger catalogs only with BENCH_CONFORM_ALL=1
FULL_RUNS = 3  # fresh ingest + generate runs per size: their median is the full run

TARGETS = {  # issue #16, "Deliver"
    "ingest": "none stated",
    "generate": "<= 25 ms/model at 500, and no slower than the comparator (ratio <= 1.00)",
    "noop": "<= 1 s at 500 models",
    "one_change": "<= 5 % of a full ingest + generate",
    "first_call": "<= floor + 30 ms, with and without bytecode caching",
    "conform": "<= 1.2 s/model (500 models in 10 min with -n 2 at --examples 10)",
    "lock": "grows with the number of models, not with schema size",
    "peak_rss": "none stated",
}


def per_model(seconds: float, size: int) -> float:
    return seconds / size * 1000


def bench_size(size: int, scratch: Path, overhead: bool) -> dict[str, Any]:
    """Every figure for one catalog size, printed as it is measured."""
    load = os.getloadavg()[0]
    print(
        f"== {size} models: {size} fixture documents cloned, each with a schema of its own"
        f" (load average {load:.1f} on {os.cpu_count()} cores)"
    )
    project = Project(scratch / "project", size)
    figures: dict[str, Any] = {"models": size, "load_average": load}
    figures.update(bench_full_run(project))
    figures.update(bench_comparison(project, scratch, figures["generate_s"]))
    figures["lock_bytes"] = lock = project.lock_bytes()
    total = sum(lock.values())
    parts = " + ".join(f"{name} {count:,} B" for name, count in lock.items())
    print(f"  lock          {parts} = {total:,} B ({total / size:,.0f} B/model)   target: {TARGETS['lock']}")
    figures.update(bench_regeneration(project, figures["ingest_s"] + figures["generate_s"]))
    catalog = load_catalog(project.root / "catalog" / "models")
    figures["first_call"] = bench_first_call(project, catalog, scratch)
    if size <= CONFORM_UP_TO or CONFORM_ALL:
        figures.update(bench_conform(project))
    if overhead:
        figures["call_overhead"] = bench_call_overhead(project, catalog)
    return figures


def bench_full_run(project: Project) -> dict[str, Any]:
    """Ingest and generate from nothing, FULL_RUNS times (the run of median total): what the
    one-change figure is a share of, so one slow run of a busy machine does not move it."""
    size = project.size
    runs = [(project.ingest(), project.record(), project.generate())]
    for _ in range(FULL_RUNS - 1):
        project.forget_output()  # the catalog, the SDK and their caches; the cassettes stay
        runs.append((project.ingest(), runs[0][1], project.generate()))
    totals = sorted(runs, key=lambda run: run[0].seconds + run[2].seconds)
    ingest, record, generate = totals[len(totals) // 2]
    seen = ", ".join(f"{i.seconds + g.seconds:.2f}" for i, _, g in runs)
    for label, run, target in (
        ("ingest", ingest, TARGETS["ingest"]),
        ("generate", generate, TARGETS["generate"]),
    ):
        print(
            f"  {label:13} {run.seconds:7.2f} s  {per_model(run.seconds, size):7.1f} ms/model"
            f"   peak RSS {run.peak_rss_mib:5.0f} MiB   (cardgen {label}, fresh)   target: {target}"
        )
    print(
        f"  (full runs    {seen} s: the median is taken; record {record.seconds:.2f} s, once, between the first two)"
    )
    return {
        "ingest_s": ingest.seconds,
        "ingest_ms_per_model": per_model(ingest.seconds, size),
        "ingest_peak_rss_mib": ingest.peak_rss_mib,
        "record_s": record.seconds,
        "generate_s": generate.seconds,
        "generate_ms_per_model": per_model(generate.seconds, size),
        "generate_peak_rss_mib": generate.peak_rss_mib,
        "full_runs_s": [i.seconds + g.seconds for i, _, g in runs],
    }


def bench_comparison(project: Project, scratch: Path, cli_seconds: float) -> dict[str, Any]:
    """Generation in-process, and the comparator on the same schemas, in the same run: FULL_RUNS
    of each, taking turns, their medians (as the command line's figure is)."""
    size = project.size
    runs = [
        (project.generate_in_process(scratch / f"in-process-{run}"), project.comparator())
        for run in range(FULL_RUNS)
    ]
    in_process = statistics.median(seconds for seconds, _ in runs)
    comparator = runs[0][1]
    bases = [figures["seconds"] for _, figures in runs]
    base = statistics.median(bases)
    print(
        f"  generate in-process {in_process:6.2f} s  {per_model(in_process, size):7.1f} ms/model"
        f"   (the generate command called in a fresh interpreter, its start excluded; median of {FULL_RUNS})"
    )
    print(
        f"  comparator    {base:7.2f} s  {per_model(base, size):7.1f} ms/model"
        f"   datamodel-code-generator generate() + black + isort, {comparator['schemas']:.0f} schemas"
        f" ({comparator['failures']:.0f} refused); runs {', '.join(f'{b:.2f}' for b in bases)} s"
    )
    print(
        f"  ratio to the comparator: command line {cli_seconds / base:5.2f}x, in-process {in_process / base:5.2f}x"
        f"   target: <= 1.00x"
    )
    return {
        "generate_in_process_s": in_process,
        "generate_in_process_ms_per_model": per_model(in_process, size),
        "comparator_s": base,
        "comparator_ms_per_model": per_model(base, size),
        "comparator_schemas": comparator["schemas"],
        "comparator_failures": comparator["failures"],
        "generate_ratio_cli": cli_seconds / base,
        "generate_ratio_in_process": in_process / base,
    }


def bench_regeneration(project: Project, full: float) -> dict[str, Any]:
    ingest, generate = project.noop()
    noop = ingest + generate
    print(
        f"  no-op         {noop:7.2f} s   ingest + generate = {ingest:.2f} + {generate:.2f} s, nothing changed, median of 3"
        f" ({noop / full * 100:4.1f} % of the full {full:.2f} s)   target: {TARGETS['noop']}"
    )
    edited, (one_ingest, one_generate), built = project.one_change()
    one = one_ingest + one_generate
    print(
        f"  one change    {one:7.2f} s   ingest + generate = {one_ingest:.2f} + {one_generate:.2f} s after editing"
        f" {edited.name}, median of 3 ({one / full * 100:4.1f} % of the full run)   target: {TARGETS['one_change']}"
    )
    print(
        f"  one change    {built:7.2f} s   cardgen build (the two in one process), median of 3"
        f" ({built / full * 100:4.1f} % of the full run)   target: {TARGETS['one_change']}"
    )
    outside_ingest, outside_generate = project.one_change_outside_schemas()
    outside = outside_ingest + outside_generate
    print(
        f"  one change    {outside:7.2f} s   ingest + generate = {outside_ingest:.2f} + {outside_generate:.2f} s after"
        f" editing a model's description outside its schemas (its typed code kept), median of 3"
        f" ({outside / full * 100:4.1f} % of the full run)   target: {TARGETS['one_change']}"
    )
    return {
        "noop_s": noop,
        "noop_ingest_s": ingest,
        "noop_generate_s": generate,
        "noop_ratio": noop / full,
        "one_change_s": one,
        "one_change_ingest_s": one_ingest,
        "one_change_generate_s": one_generate,
        "one_change_ratio": one / full,
        "one_change_build_s": built,
        "one_change_build_ratio": built / full,
        "one_change_outside_schemas_s": outside,
        "one_change_outside_schemas_ingest_s": outside_ingest,
        "one_change_outside_schemas_generate_s": outside_generate,
        "one_change_outside_schemas_ratio": outside / full,
    }


def bench_first_call(project: Project, catalog: Any, scratch: Path) -> dict[str, Any]:
    """The first call to a chat model that does not stream, and to one that does (a module twice the size)."""
    streaming = Catalog(tuple(e for e in catalog if e.streaming.supported))
    figures = _first_call(project, catalog, scratch / "first-call")
    try:
        figures["streaming"] = _first_call(project, streaming, scratch / "first-call-streaming")
    except LookupError:
        print("  first call    (no streaming chat model in this catalog)")
    return figures


def _first_call(project: Project, catalog: Any, scratch: Path) -> dict[str, Any]:
    figures = first_call(project.root / "generated", catalog, scratch)
    floor = figures["floor_ms"]
    print(
        f"  first call    {figures['model']}: floor {floor:6.1f} ms (import httpx, pydantic + one SSL context)"
    )
    for label, key in (("bytecode cached", "cached_ms"), ("no bytecode", "uncached_ms")):
        value, by_hand = figures[key], figures[f"handwritten_{key}"]
        print(
            f"    {label:15} {value:7.1f} ms  floor + {value - floor:6.1f} ms ({value / floor:4.2f}x)"
            f"   target: <= floor + 30 ms\n"
            f"      by hand     {by_hand:7.1f} ms  floor + {by_hand - floor:6.1f} ms (its pydantic classes and"
            f" httpx alone); the SDK's client layer {value - by_hand:+5.1f} ms"
        )
    return figures


def bench_conform(project: Project) -> dict[str, Any]:
    run = project.conform()
    summary = next((line for line in reversed(run.output.splitlines()) if " passed" in line), "")
    print(
        f"  conform       {run.seconds:7.1f} s  {run.seconds / project.size:5.2f} s/model"
        f"   (cardgen conform -n 2 --examples 10 --backend local: exit {run.code}; {summary.strip()})"
        f"   target: {TARGETS['conform']}"
    )
    return {
        "conform_s": run.seconds,
        "conform_s_per_model": run.seconds / project.size,
        "conform_exit": run.code,
    }


def bench_call_overhead(project: Project, catalog: Any) -> dict[str, Any]:
    figures = call_overhead(project.root / "generated", catalog)
    raw, run = figures["raw_us"], figures["run_us"]
    print(
        f"  per call      {figures['model']}, in-memory transport: raw httpx {raw:5.0f} us, run() {run:5.0f} us,"
        f" overhead {run - raw:4.0f} us ({run / raw:4.2f}x; openai-python 5.9x, cloudflare-python 3.5x in issue #16)"
    )
    return figures


def summary(results: dict[int, dict[str, Any]]) -> None:
    print(
        "== summary (ms/model; seconds; one change: % of the full run, two commands / cardgen build;"
        " first call: ms over the floor, cached / no bytecode, plain / streaming model)"
    )
    print(
        f"  {'models':>6} {'ingest':>7} {'generate':>8} {'vs dcg':>6} {'no-op s':>7} {'1 change':>11}"
        f" {'1st call +ms':>21} {'conform':>7} {'lock B/model':>12} {'RSS MiB':>8}"
    )
    for size, f in results.items():
        calls = [f["first_call"], *([f["first_call"]["streaming"]] if "streaming" in f["first_call"] else [])]
        extra = " ".join(
            f"{c['cached_ms'] - c['floor_ms']:.0f}/{c['uncached_ms'] - c['floor_ms']:.0f}" for c in calls
        )
        conform = f"{f['conform_s_per_model']:.2f}" if "conform_s_per_model" in f else "-"
        change = f"{f['one_change_ratio'] * 100:.1f}/{f['one_change_build_ratio'] * 100:.1f}%"
        print(
            f"  {size:6} {f['ingest_ms_per_model']:7.1f} {f['generate_ms_per_model']:8.1f}"
            f" {f['generate_ratio_cli']:5.2f}x {f['noop_s']:7.2f} {change:>11}"
            f" {extra:>21} {conform:>7} {sum(f['lock_bytes'].values()) / size:12,.0f}"
            f" {max(f['ingest_peak_rss_mib'], f['generate_peak_rss_mib']):8.0f}"
        )


def main() -> None:
    results: dict[int, dict[str, Any]] = {}
    # One scratch folder for every size, removed once all are measured: deleting a size's ~10,000
    # files would slow the next size's first writes (see Project.forget_output).
    with tempfile.TemporaryDirectory(prefix="cardgen-bench-") as scratch:
        for size in SIZES:
            folder = Path(scratch) / str(size)
            folder.mkdir()
            results[size] = bench_size(size, folder, overhead=size == min(SIZES))
    summary(results)
    backend: dict[str, Any] = {}
    try:
        backend = bench_backend.main()
    except SystemExit as failed:  # the backend bench's own verdict; the figures above still stand
        backend = {"error": str(failed)}
    print(json.dumps({"sizes": results, "targets": TARGETS, "backend": backend}))
    if "error" in backend:
        raise SystemExit(backend["error"])


if __name__ == "__main__":
    main()
