"""A Segmind docs folder as published, end to end: ingest, record, generate, mypy --strict, conform.

tests/fixtures/catalogs/segmind/ holds a chat page (the seed's shape, with its overlay), an image
page and a speech page whose RESPONSE line names a media type, and a listing page naming several
models. The media pages state no task and no response schema: both come from the content type. Every key of
a page's request example is taken as required, since the page says nothing more.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalog.store import load_catalog
from tests.conftest import FIXTURES
from tests.render.pipeline import conformance_rows, generate, ingest_and_record, strict_errors

CATALOG = FIXTURES / "catalogs" / "segmind"
TASKS = {
    "deepseek_reasoner": "text-generation",
    "sdxl1_0_txt2img": "text-to-image",
    "voices_tts": "text-to-speech",
}

GOOD_USE = """\
from modelsdk import Segmind

m = Segmind(api_key="k").models
jpeg: bytes = m.sdxl1_0_txt2img.run(
    prompt="a cat", negative_prompt="", samples=1, scheduler="UniPC", num_inference_steps=20,
    guidance_scale=7.5, seed=1, img_width=512, img_height=512, base64=False,
)
wav: bytes = m.voices_tts.run(text="Bonjour", voice="amélie", speed=1.0)
"""

BAD_USE = """\
from modelsdk import Segmind

m = Segmind(api_key="k").models
m.voices_tts.run(text=1, voice="a", speed=1.0)
m.voices_tts.run(text="a", voice="a", speed=1.0).decode().missing
m.voices_tts.run(text="a", voice="a", speed="fast")
m.sdxl1_0_txt2img.run(prompt="a cat")
"""


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("segmind")
    ingest_and_record(CATALOG / "sources", root)
    generate(root)
    return root


def test_every_model_page_is_an_entry_and_the_listing_is_not(work: Path) -> None:
    catalog = load_catalog(work / "models")
    assert {entry.slug: entry.task for entry in catalog} == TASKS
    media = {
        entry.slug: entry.response.content_type for entry in catalog if entry.slug != "deepseek_reasoner"
    }
    assert media == {"sdxl1_0_txt2img": "image/jpeg", "voices_tts": "audio/wav"}


def test_the_package_and_its_use_type_check_strictly(work: Path) -> None:
    assert strict_errors(work, GOOD_USE, BAD_USE) == {4, 5, 6, 7}


@pytest.mark.parametrize("backend", ["local", "recorded"])
def test_the_conformance_suite_passes(work: Path, backend: str) -> None:
    rows = conformance_rows(work, "segmind", backend)
    assert sorted(row.split()[0] for row in rows) == sorted(f"segmind/{slug}" for slug in TASKS)
