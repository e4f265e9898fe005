"""A whole Dataoorts catalog, end to end: ingest, record, generate, mypy --strict, conform local and recorded.

tests/fixtures/catalogs/dataoorts/ holds every Dataoorts page shape cardgen reads: the task-type
pages of tests/fixtures/dataoorts-tasks/, a text-to-image page that answers with a base64 image in
JSON and shows its optional parameters commented out, a text-to-speech page priced per second, and
the catalog's index pages, which are not model pages and are skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalog.store import load_catalog
from tests.conftest import REPO
from tests.render.pipeline import conformance_rows, generate, ingest_and_record, strict_errors

pytestmark = pytest.mark.long_file  # started first: see tests/conftest.py

FIXTURES = REPO / "tests" / "fixtures" / "catalogs" / "dataoorts"
SLUGS = {
    "bart_large_cnn",
    "bge_base_en_v1_5",
    "detr_resnet_50",
    "distilbert_sst_2_int8",
    "m2m100_1_2b",
    "melotts",
    "resnet_50",
    "sdxl_turbo",
    "uform_gen2_qwen_500m",
    "whisper",
}

# What a caller writes: every line must type-check under --strict, with the types the pages imply.
GOOD_USE = """\
from modelsdk import Dataoorts

m = Dataoorts(api_key="k").models
png: str | None = m.sdxl_turbo.run(prompt="a cat", steps=4, guidance=7.5, negative_prompt="blurry").image
png = m.sdxl_turbo.run(prompt="a cat", seed=42, width=512, height=512, enhance_prompt=True).image
png = m.sdxl_turbo.run(prompt="a cat").image
speech: str | None = m.melotts.run(prompt="Hello", lang="fr", speed=1.5).audio
speech = m.melotts.run(prompt="Hello").audio
summary: str | None = m.bart_large_cnn.run(input_text="A long text.", max_length=64).summary
heard: str | None = m.whisper.run(audio=[0, 1, 2]).text
"""

# Each line is a mistake the types must catch.
BAD_USE = """\
from modelsdk import Dataoorts

m = Dataoorts(api_key="k").models
m.sdxl_turbo.run(steps=4)
m.sdxl_turbo.run(prompt="a cat", steps="4")
m.sdxl_turbo.run(prompt="a cat", enhance_prompt="yes")
m.sdxl_turbo.run(prompt="a cat").audio
m.melotts.run(prompt="Hello", lang="de")
m.melotts.run(prompt="Hello", speed="fast")
"""


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture catalog ingested, recorded from the local backend, and generated."""
    root = tmp_path_factory.mktemp("dataoorts-catalog")
    ingest_and_record(FIXTURES / "sources", root)
    generate(root)
    return root


def test_every_model_page_is_an_entry(work: Path) -> None:
    entries = {entry.slug: entry for entry in load_catalog(work / "models")}
    assert set(entries) == SLUGS
    assert (entries["sdxl_turbo"].task, entries["melotts"].task) == ("text-to-image", "text-to-speech")
    assert [(p.item, p.amount, p.per) for p in entries["sdxl_turbo"].pricing] == [("image", "0.0025", 1)]
    assert [(p.item, p.amount, p.per) for p in entries["melotts"].pricing] == [("second", "0.0004", 1)]


def test_the_package_and_its_use_type_check_strictly(work: Path) -> None:
    assert strict_errors(work, GOOD_USE, BAD_USE) == set(range(4, 10))


def test_the_conformance_suite_passes_against_the_local_backend(work: Path) -> None:
    rows = conformance_rows(work, "dataoorts")
    assert sorted(row.split()[0] for row in rows) == sorted(f"dataoorts/{slug}" for slug in SLUGS)


def test_the_conformance_suite_passes_against_the_recordings(work: Path) -> None:
    rows = conformance_rows(work, "dataoorts", backend="recorded")
    assert sorted(row.split()[0] for row in rows) == sorted(f"dataoorts/{slug}" for slug in SLUGS)
