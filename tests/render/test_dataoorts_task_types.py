"""Task types in the Dataoorts page format, end to end: ingest, record, generate, mypy --strict, conform.

The documents under tests/fixtures/dataoorts-tasks/ are Dataoorts markdown pages (model-info
table, Python request, JSON response, hyper-parameter table), one per task type whose request and
response are JSON; their schemas are derived from the examples and the table. Text-to-image and
text-to-speech answer with binary bodies, which the page format cannot show, so they have none.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalog.store import load_catalog
from tests.conftest import REPO
from tests.render.pipeline import conformance_rows, generate, ingest_and_record, strict_errors

FIXTURES = REPO / "tests" / "fixtures" / "dataoorts-tasks"
TASKS = {
    "text-embeddings": "bge_base_en_v1_5",
    "text-classification": "distilbert_sst_2_int8",
    "translation": "m2m100_1_2b",
    "summarization": "bart_large_cnn",
    "object-detection": "detr_resnet_50",
    "image-classification": "resnet_50",
    "image-to-text": "uform_gen2_qwen_500m",
    "automatic-speech-recognition": "whisper",
}

# What a caller writes: every line must type-check under --strict, with the types the pages imply.
GOOD_USE = """\
from modelsdk import Dataoorts

m = Dataoorts(api_key="k").models
vectors: list[list[float]] | None = m.bge_base_en_v1_5.run(text=["a", "b"], pooling="cls").data
shape: list[int] | None = m.bge_base_en_v1_5.run(text=["a"]).shape
labels: list[str] = [item.label for item in m.distilbert_sst_2_int8.run(text="great").root]
french: str | None = m.m2m100_1_2b.run(text="Hello", target_lang="fr").translated_text
french = m.m2m100_1_2b.run(text="Hallo", target_lang="fr", source_lang="de").translated_text
summary: str | None = m.bart_large_cnn.run(input_text="A long text.", max_length=64).summary
xmins: list[float | None] = [item.box.xmin for item in m.detr_resnet_50.run(image=[0, 128, 255]).root]
scores: list[float] = [item.score for item in m.resnet_50.run(image=[1, 2, 3]).root]
caption: str | None = m.uform_gen2_qwen_500m.run(image=[0, 255], prompt="What is it?").description
caption = m.uform_gen2_qwen_500m.run(image=[0], prompt="Hi", max_tokens=64, temperature=0.5).description
heard = m.whisper.run(audio=[0, 1, 2])
text: str | None = heard.text
starts: list[float] = [word.start for word in heard.words or []]
"""

# Each line is a mistake the types must catch.
BAD_USE = """\
from modelsdk import Dataoorts

m = Dataoorts(api_key="k").models
m.bge_base_en_v1_5.run(text=3)
m.bge_base_en_v1_5.run(text=["a"], pooling="max")
m.distilbert_sst_2_int8.run(text="x").label
m.m2m100_1_2b.run(text="Hello")
m.bart_large_cnn.run(input_text="x", max_length="64")
m.resnet_50.run(image=["0"])
m.uform_gen2_qwen_500m.run(image=[0])
m.whisper.run(audio="UklGRg==")
"""


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixtures catalog ingested, recorded from the local backend, and generated."""
    root = tmp_path_factory.mktemp("dataoorts-tasks")
    ingest_and_record(FIXTURES / "sources", root)
    generate(root)
    return root


def test_one_fixture_per_task_type(work: Path) -> None:
    entries = load_catalog(work / "models")
    assert {entry.task: entry.slug for entry in entries} == TASKS
    assert {entry.provider for entry in entries} == {"dataoorts"}


def test_the_package_and_its_use_type_check_strictly(work: Path) -> None:
    assert strict_errors(work, GOOD_USE, BAD_USE) == set(range(4, 12))


def test_the_conformance_suite_passes_against_the_local_backend(work: Path) -> None:
    rows = conformance_rows(work, "dataoorts")
    assert sorted(row.split()[0] for row in rows) == sorted(f"dataoorts/{slug}" for slug in TASKS.values())
