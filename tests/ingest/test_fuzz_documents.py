"""Mutated documents never crash the ingester: each one ingests or yields diagnostics, never a traceback.

The corpus is every seed document and every document of the test fixtures. `make test` runs a
derandomized (seeded) campaign of CARDGEN_FUZZ_EXAMPLES cases (200, a few seconds); `make fuzz`
runs a long one with a fresh random seed, which hypothesis prints when a case fails.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.ingest.pipeline import IngestInputs, ingest
from tests.conftest import FIXTURES, OVERLAYS, PROVIDERS, SOURCES

NO_OVERLAYS = FIXTURES / "no-such-overlays"
LONG = os.environ.get("CARDGEN_FUZZ_LONG") == "1"


def _documents() -> list[tuple[Path, Path]]:
    """Every (document, its path below `sources/`) of the seed catalog and the fixtures."""
    found = []
    for path in sorted(FIXTURES.rglob("*")):
        parts = path.parts
        if path.is_file() and "sources" in parts:
            below = Path(*parts[len(parts) - parts[::-1].index("sources") :])
            if len(below.parts) == 2:  # sources/<provider>/<file>
                found.append((path, below))
    return found


CORPUS = _documents()
SEEDS = [(path, below) for path, below in CORPUS if path.is_relative_to(SOURCES)]
FRONT_MATTER = SOURCES / "cloudflare" / "tinyllama-1.1b-chat-v1.0.md"
DATAOORTS = SOURCES / "dataoorts" / "deepseek-math-7b-instruct.md"
INSERTS = [
    b'"', b"'", b'"""', b"'''", b"{", b"}", b"[", b"]", b"---\n", b"\n", b"\\", b": ", b"\n- ", b"&a ", b"*a ",
    b"!!python/object/apply:os.system ['true']", b"1e999999", b"-" + b"9" * 5000, b"9" * 5000, b"\x00", b"\xff",
    b"\t", b"{{ x }}", b"\r\n", b"|", b"```", b"# ", b"://", b"%", b"\x1b[31m",
]  # fmt: skip
# Characters that are not ASCII, some of them line or word breaks to Python but not to YAML or JSON.
NON_ASCII = [
    "é", "€", "ß", "İ", "\u00a0", "\u0301", "\u200b", "\u2028", "\u2029", "\u0085", "\ufeff", "\U0001d54f",
    "\u202e", "\uff1a", "\u201c", "\u3000", "\ufffd",
]  # fmt: skip
KINDS = ["flip", "delete", "duplicate", "cut-line", "truncate", "insert", "non-ascii"]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Path, Path, bytes]:
    path, below = draw(st.sampled_from(CORPUS))
    data = path.read_bytes()
    for _ in range(draw(st.integers(1, 4))):
        lines = data.splitlines(keepends=True) or [b""]
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        line = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(KINDS))
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
        elif kind == "non-ascii":
            data = data[:at] + draw(st.sampled_from(NON_ASCII)).encode() + data[at + 1 :]
        else:
            data = data[:at] + draw(st.sampled_from(INSERTS)) + data[at:]
    return path, below, data


def ingest_one(path: Path, below: Path, data: bytes) -> None:
    """Ingest `data` as the only document, where `path` lives; assert an entry or a diagnostic."""
    overlays = OVERLAYS if path.is_relative_to(SOURCES) else NO_OVERLAYS
    with tempfile.TemporaryDirectory() as directory:
        sources = Path(directory) / "sources"
        target = sources / below
        target.parent.mkdir(parents=True)
        target.write_bytes(data)
        result = ingest(IngestInputs(sources, PROVIDERS, overlays))
    assert len(result.catalog) >= 1 or result.diagnostics, f"{path}: neither an entry nor a diagnostic"
    for diagnostic in result.diagnostics:
        assert diagnostic.render()


def test_the_corpus_holds_the_seeds_and_the_fixtures() -> None:
    assert len(SEEDS) >= 5 and len(CORPUS) >= 5 * len(SEEDS)
    assert {below.parts[0] for _, below in CORPUS} >= {"cloudflare", "dataoorts", "segmind"}


@settings(
    max_examples=int(os.environ.get("CARDGEN_FUZZ_EXAMPLES", "200")),
    derandomize=not LONG,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutated())
@example(
    (
        FRONT_MATTER,
        Path("cloudflare", FRONT_MATTER.name),
        FRONT_MATTER.read_bytes().replace(b"6144", b"9" * 5000, 1),
    )
)
@example(
    (
        FRONT_MATTER,
        Path("cloudflare", FRONT_MATTER.name),
        FRONT_MATTER.read_bytes().replace(b"weight: 0", b"weight: " + b"9" * 5000),
    )
)
@example(
    (
        DATAOORTS,
        Path("dataoorts", DATAOORTS.name),
        DATAOORTS.read_bytes().replace(b"https://cloud", b"https://[cloud"),
    )
)
def test_mutated_documents_ingest_or_report(case: tuple[Path, Path, bytes]) -> None:
    ingest_one(*case)


def test_a_bracket_in_a_dataoorts_url_is_a_diagnostic_not_a_crash() -> None:
    data = DATAOORTS.read_bytes().replace(b"https://cloud", b"https://[cloud")
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / "sources" / "dataoorts" / DATAOORTS.name
        target.parent.mkdir(parents=True)
        target.write_bytes(data)
        result = ingest(IngestInputs(target.parent.parent, PROVIDERS, OVERLAYS))
    messages = [d.render() for d in result.diagnostics]
    assert any("endpoint URL 'https://[cloud.dataoorts.com/api/v1' not read" in m for m in messages), messages
