"""A Cloudflare docs folder as published, end to end: ingest, record, generate, mypy --strict, conform.

tests/fixtures/catalogs/cloudflare/sources/cloudflare/ holds, written for these tests:
- `*.json`: Cloudflare's current JSON format, one per task type (two text-to-image: binary PNG and
  base64 inside JSON); one model, chat-tiny, is also there as a front-matter page, and the JSON
  document makes its entry;
- `docs-*.txt` and `fm-*.md` (written by ../build.py): each JSON model again, under its own id, as a
  scraped developer-docs page and as a front-matter page, so every task type is read in every format;
- index, get-started, overview and listing pages, each skipped with a note.
The first model by slug (caption_small) does not stream; the chat models after it do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.catalog.store import load_catalog
from tests.conftest import FIXTURES
from tests.render.pipeline import conformance_rows, generate, ingest_and_record, run_python, strict_errors

pytestmark = pytest.mark.long_file  # started first: see tests/conftest.py

CATALOG = FIXTURES / "catalogs" / "cloudflare"
JSON_MODELS = {
    "caption_small": "image-to-text",
    "chat_1b_instruct": "text-generation",
    "chat_tiny": "text-generation",
    "classify_50": "image-classification",
    "detect_50": "object-detection",
    "embed_base_m3": "text-embeddings",
    "hear_base": "automatic-speech-recognition",
    "paint_fast": "text-to-image",
    "paint_xl": "text-to-image",
    "rerank_base": "text-classification",
    "sentiment_int8": "text-classification",
    "speak_1": "text-to-speech",
    "summarize_base": "summarization",
    "translate_m": "translation",
}
FORMATS = {"": "cloudflare-json", "_docs": "cloudflare-docs-page", "_fm": "cloudflare-frontmatter"}
MODELS = {
    f"{slug}{suffix}": task
    for slug, task in JSON_MODELS.items()
    for suffix in FORMATS
    if slug != "chat_tiny" or not suffix
}

# What a caller writes: every line must type-check under --strict.
GOOD_USE = """\
from modelsdk import Cloudflare

m = Cloudflare(api_key="k", account_id="a").models
# A literal where the argument is: a dict assigned to a variable first is no longer a TypedDict.
answer = m.chat_1b_instruct.run(
    messages=[{"role": "user", "content": "Hi"}],
    tools=[{"name": "f", "description": "d", "parameters": {"type": "object", "properties": {}}}],
)
said: str = answer.response
calls: list[str | None] = [call.name for call in answer.tool_calls or []]
pieces: list[str | None] = [chunk.response for chunk in m.chat_1b_instruct.stream(prompt="Hi", max_tokens=8)]
short: str | None = m.chat_tiny.run(prompt="Hi").response
png: bytes = m.paint_xl.run(prompt="a cat", num_steps=20, seed=9_999_999_999)
encoded: str | None = m.paint_fast.run(prompt="a cat", steps=4).image
mp3: bytes = m.speak_1.run(text="Bonjour", speaker="tenor")
vectors: list[list[float]] | None = m.embed_base_m3.run(text=["a", "日本語"], pooling="cls").data
ranked = m.rerank_base.run(query="q", contexts=[{"text": "a"}, {"text": "b"}], top_k=1).response or []
order: list[int | None] = [item.id for item in ranked]
heard: str = m.hear_base.run(audio=[0, 1, 2]).text
caption: str | None = m.caption_small.run(image="iVBORw0KGgo=", prompt="What is it?").description
french: str | None = m.translate_m.run(text="Hello", target_lang="fr").translated_text
labels: list[str | None] = [item.label for item in m.sentiment_int8.run(text="great").root]
older: list[str | None] = [chunk.response for chunk in m.chat_1b_instruct_docs.stream(prompt="Hi")]
wav: bytes = m.speak_1_fm.run(text="Hallo", speaker="tenor")
boxes = [item.box for item in m.detect_50_fm.run(image=[0, 255]).root]
"""

# Each line from the fourth on is a mistake the types must catch.
BAD_USE = """\
from modelsdk import Cloudflare

m = Cloudflare(api_key="k", account_id="a").models
m.rerank_base.run(query="q")
m.rerank_base.run(query="q", contexts=["a"])
m.speak_1.run(text="x", speaker="soprano")
m.paint_xl.run(prompt="a cat").startswith("x")
m.chat_1b_instruct.run(prompt="Hi", tools=[])
m.hear_base.run(audio="abc")
m.embed_base_m3.run(text=3)
m.chat_tiny.run(prompt="Hi").response.upper()
"""


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture catalog ingested, recorded from the local backend, and generated."""
    root = tmp_path_factory.mktemp("cloudflare-json")
    ingest_and_record(CATALOG / "sources", root)
    generate(root)
    return root


def test_every_model_page_makes_an_entry_in_its_format(work: Path) -> None:
    entries = {entry.slug: entry for entry in load_catalog(work / "models")}
    assert {slug: entry.task for slug, entry in entries.items()} == MODELS
    for slug, entry in entries.items():
        suffix = next((s for s in FORMATS if s and slug.endswith(s)), "")
        assert entry.provenance.source.extractor == FORMATS[suffix], slug
    assert entries["chat_tiny"].provenance.source.path == "sources/cloudflare/chat-tiny.json"


def test_one_model_reads_the_same_in_every_format(work: Path) -> None:
    """The facts that make the SDK do not depend on which of Cloudflare's formats a page uses."""
    entries = {entry.slug: entry for entry in load_catalog(work / "models")}
    for slug in JSON_MODELS.keys() - {"chat_tiny"}:
        for suffix in ("_docs", "_fm"):
            ours, theirs = entries[slug], entries[slug + suffix]
            for field in ("input_schema", "output_schema", "streaming", "request", "response", "task"):
                assert getattr(theirs, field) == getattr(ours, field), (slug + suffix, field)


def test_the_package_and_its_use_type_check_strictly(work: Path) -> None:
    assert strict_errors(work, GOOD_USE, BAD_USE) == set(range(4, 12))


@pytest.mark.parametrize("backend", ["local", "recorded"])
def test_the_conformance_suite_passes(work: Path, backend: str) -> None:
    rows = conformance_rows(work, "cloudflare", backend)
    assert sorted(row.split()[0] for row in rows) == sorted(f"cloudflare/{slug}" for slug in MODELS)


def test_a_repeated_object_shape_rejects_null_like_the_schema(work: Path) -> None:
    parameters: dict[str, Any] = {"type": "object", "properties": {}, "required": None}
    body = {
        "messages": [{"role": "user", "content": "Hi"}],
        "tools": [
            {"type": "function", "function": {"name": "f", "description": "d", "parameters": parameters}}
        ],
    }
    probe = (
        "import json, sys\n"
        "from modelsdk.types.cloudflare.chat_1b_instruct import Request\n"
        "Request.model_validate(json.loads(sys.argv[1]))\n"
    )
    done = run_python("-c", probe, json.dumps(body), cwd=work / "gen")
    assert done.returncode != 0, "pydantic accepted `required: null`, which the input schema rejects"
