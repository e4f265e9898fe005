"""Inputs that are raw bytes, end to end: ingest, record, generate, mypy --strict, conform (local and recorded).

The documents under tests/fixtures/uploads/ write bytes the ways Workers AI does: `oneOf` of a
`string`/`binary` body or a JSON object (whisper, resnet-50), an upload property `{body, contentType}`
whose bytes are the body while the other inputs go in the query string (nova-3), a multipart form
(flux-2-dev), and an input that is raw bytes only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalog.store import load_catalog
from tests.conftest import REPO
from tests.render.pipeline import conformance_rows, generate, ingest_and_record, strict_errors

pytestmark = pytest.mark.long_file  # started first: see tests/conftest.py

FIXTURES = REPO / "tests" / "fixtures" / "uploads"
SLUGS = ["flux_2_dev", "image_bytes_only", "nova_3", "resnet_50", "whisper"]

GOOD_USE = """\
from modelsdk import Cloudflare, Upload

m = Cloudflare(api_key="k", account_id="a").models
said: str = m.whisper.run(b"RIFF....").text
said = m.whisper.run(Upload(b"ID3...", "audio/mpeg")).text
said = m.whisper.run(audio=[0, 1.5], source_lang="en").text
labels = [item.label for item in m.resnet_50.run(Upload.from_path("cat.jpg")).root]
heard = m.nova_3.run(audio=Upload(b"ID3", "audio/mpeg"), detect_language=True, channels=2, language="fr")
png = m.flux_2_dev.run(multipart=Upload.form({"prompt": "a cat", "steps": 25}, {"image": ("in.png", b"...")})).image
label: str = m.image_bytes_only.run(b"...").label
"""

BAD_USE = """\
from modelsdk import Cloudflare, Upload

m = Cloudflare(api_key="k", account_id="a").models
m.whisper.run("not bytes")
m.nova_3.run(detect_language=True)
m.nova_3.run(audio=b"ID3", language="xx")
m.image_bytes_only.run(image=b"...")
m.resnet_50.run(b"...", image=[1])
Upload(b"...", content_type=3)
"""


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("uploads")
    ingest_and_record(FIXTURES / "sources", root)
    generate(root)
    return root


def test_each_raw_shape_is_in_the_catalog(work: Path) -> None:
    raw = {entry.slug: entry.request.raw_body for entry in load_catalog(work / "models")}
    assert sorted(raw) == SLUGS
    assert {slug: (r.property, r.required) for slug, r in raw.items() if r} == {
        "flux_2_dev": ("multipart", True),
        "image_bytes_only": (None, True),
        "nova_3": ("audio", True),
        "resnet_50": (None, False),
        "whisper": (None, False),
    }


def test_recordings_keep_raw_bodies_as_bytes(work: Path) -> None:
    cassette = (work / "recordings" / "cloudflare" / "nova_3" / "upload.yaml").read_text("utf-8")
    assert "body: !!binary" in cassette
    assert "application/octet-stream" in cassette


def test_the_package_and_its_use_type_check_strictly(work: Path) -> None:
    assert strict_errors(work, GOOD_USE, BAD_USE) == set(range(4, 10))


@pytest.mark.parametrize("backend", ["local", "recorded"])
def test_the_conformance_suite_passes(work: Path, backend: str) -> None:
    rows = conformance_rows(work, "cloudflare", backend)
    assert sorted(row.split()[0] for row in rows) == [f"cloudflare/{slug}" for slug in SLUGS]
