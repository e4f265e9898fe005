"""Mutated seed documents never crash the ingester: each one ingests or yields diagnostics."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.ingest.pipeline import IngestInputs, ingest
from tests.conftest import OVERLAYS, PROVIDERS, SOURCES

SEEDS = sorted(p for p in SOURCES.rglob("*") if p.is_file())
FRONT_MATTER = SOURCES / "cloudflare" / "tinyllama-1.1b-chat-v1.0.md"
INSERTS = [
    b'"', b"'", b'"""', b"'''", b"{", b"}", b"[", b"]", b"---\n", b"\n", b"\\", b": ", b"\n- ", b"&a ", b"*a ",
    b"!!python/object/apply:os.system ['true']", b"1e999999", b"-" + b"9" * 5000, b"9" * 5000, b"\x00", b"\xff",
    b"\t", b"{{ x }}", b"\r\n",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Path, bytes]:
    seed = draw(st.sampled_from(SEEDS))
    data = seed.read_bytes()
    for _ in range(draw(st.integers(1, 4))):
        lines = data.splitlines(keepends=True) or [b""]
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        line = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["flip", "delete", "duplicate", "cut-line", "truncate", "insert"]))
        if kind == "flip" and data:
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif kind == "delete":
            data = b"".join(lines[:line] + lines[line + 1 :])
        elif kind == "duplicate":
            data = b"".join(lines[: line + 1] + lines[line:])
        elif kind == "cut-line":
            cut = lines[line][: draw(st.integers(0, len(lines[line])))]
            data = b"".join([*lines[:line], cut, *lines[line + 1 :]])
        elif kind == "truncate":
            data = data[:at]
        else:
            data = data[:at] + draw(st.sampled_from(INSERTS)) + data[at:]
    return seed, data


@settings(
    max_examples=int(os.environ.get("CARDGEN_FUZZ_EXAMPLES", "100")),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutated())
@example((FRONT_MATTER, FRONT_MATTER.read_bytes().replace(b"6144", b"9" * 5000, 1)))
@example((FRONT_MATTER, FRONT_MATTER.read_bytes().replace(b"weight: 0", b"weight: " + b"9" * 5000)))
def test_mutated_documents_ingest_or_report(case: tuple[Path, bytes]) -> None:
    seed, data = case
    with tempfile.TemporaryDirectory() as directory:
        sources = Path(directory) / "sources"
        target = sources / seed.relative_to(SOURCES)
        target.parent.mkdir(parents=True)
        target.write_bytes(data)
        result = ingest(IngestInputs(sources, PROVIDERS, OVERLAYS))
    name = f"sources/{seed.relative_to(SOURCES).as_posix()}"
    assert len(result.catalog) == 1 or any(d.file == name for d in result.diagnostics)
    for diagnostic in result.diagnostics:
        assert diagnostic.render()
