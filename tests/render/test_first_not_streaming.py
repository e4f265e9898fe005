"""Stream settings are each model's own, end to end, when a provider's first model does not stream.

The documents under tests/fixtures/first-not-streaming/ are Cloudflare front-matter pages: an
embeddings model whose slug sorts first and that does not stream, a chat model that streams as the
provider's defaults say (`[DONE]`, `{response}` chunks), and one whose overlay gives it its own
terminator (`[END]`) and chunk schema (`{index, text}`). A client that took one model's stream
settings for every model could not stream either chat model.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalog.store import load_catalog
from generator.conform.results import PROPERTIES
from tests.conftest import REPO
from tests.render.pipeline import conformance_rows, generate, ingest_and_record, strict_errors

FIXTURES = REPO / "tests" / "fixtures" / "first-not-streaming"
STREAMING = ["bbb_chat", "ccc_chat"]
COLUMNS = ["model", *PROPERTIES.values()]

GOOD_USE = """\
from modelsdk import Cloudflare

m = Cloudflare(api_key="k", account_id="a").models
vectors: list[list[float]] | None = m.aaa_embed.run(text="a").data
pieces: list[str | None] = [chunk.response for chunk in m.bbb_chat.stream(prompt="Hi", max_tokens=8)]
indexes: list[int] = [chunk.index for chunk in m.ccc_chat.stream(prompt="Hi")]
texts: list[str | None] = [chunk.text for chunk in m.ccc_chat.stream(prompt="Hi")]
"""

BAD_USE = """\
from modelsdk import Cloudflare

m = Cloudflare(api_key="k", account_id="a").models
m.aaa_embed.stream(text="a")
m.bbb_chat.stream(prompt=3)
index: int = next(iter(m.bbb_chat.stream(prompt="Hi"))).index
text: int = next(iter(m.ccc_chat.stream(prompt="Hi"))).text
"""


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("first-not-streaming")
    ingest_and_record(FIXTURES / "sources", root)
    generate(root)
    return root


def test_the_first_model_does_not_stream_and_the_others_stream_differently(work: Path) -> None:
    streaming = {entry.slug: entry.streaming for entry in load_catalog(work / "models")}
    assert sorted(streaming) == ["aaa_embed", *STREAMING]
    assert not streaming["aaa_embed"].supported
    assert {slug: streaming[slug].terminator for slug in STREAMING} == {
        "bbb_chat": "[DONE]",
        "ccc_chat": "[END]",
    }


def test_each_stream_is_recorded_up_to_its_own_terminator(work: Path) -> None:
    for slug, terminator in [("bbb_chat", "[DONE]"), ("ccc_chat", "[END]")]:
        cassette = (work / "recordings" / "cloudflare" / slug / "stream.yaml").read_text("utf-8")
        assert f"data: {terminator}" in cassette, cassette


def test_the_package_and_its_use_type_check_strictly(work: Path) -> None:
    assert strict_errors(work, GOOD_USE, BAD_USE) == set(range(4, 8))


@pytest.mark.parametrize("backend", ["local", "recorded"])
def test_every_streaming_model_streams_and_its_cut_stream_raises(work: Path, backend: str) -> None:
    rows = {
        row.split()[0]: dict(zip(COLUMNS, row.split(), strict=False))
        for row in conformance_rows(work, "cloudflare", backend)
    }
    assert sorted(rows) == [f"cloudflare/{slug}" for slug in ["aaa_embed", *STREAMING]]
    expected = "ok" if backend == "local" else "n/a"
    for slug in STREAMING:
        row = rows[f"cloudflare/{slug}"]
        assert (row["chunk"], row["stream"], row["faults"], row["replay"]) == (
            "ok",
            expected,
            expected,
            "ok",
        ), row
    assert rows["cloudflare/aaa_embed"]["stream"] == "-"
