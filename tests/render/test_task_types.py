"""Task types beyond text generation, end to end: ingest, record, generate, mypy --strict, conform.

The documents under tests/fixtures/tasks/ are Cloudflare front-matter pages, one per task type,
with schemas shaped like Workers AI's public catalog: binary outputs (images, audio), top-level
array responses, `oneOf` of primitive types, arrays of arrays, enums and 34-bit integers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.catalog.store import load_catalog
from tests.conftest import REPO
from tests.render.pipeline import conformance_rows, generate, ingest_and_record, run_python, strict_errors

FIXTURES = REPO / "tests" / "fixtures" / "tasks"
TASKS = {
    "text-to-image": "stable_diffusion_xl_base_1_0",
    "text-embeddings": "bge_base_en_v1_5",
    "text-classification": "distilbert_sst_2_int8",
    "translation": "m2m100_1_2b",
    "summarization": "bart_large_cnn",
    "object-detection": "detr_resnet_50",
    "image-classification": "resnet_50",
    "image-to-text": "uform_gen2_qwen_500m",
    "automatic-speech-recognition": "whisper",
    "text-to-speech": "melotts",
}

# What a caller writes: every line must type-check under --strict, with the types the README promises.
GOOD_USE = """\
from modelsdk import Cloudflare

cf = Cloudflare(api_key="k", account_id="a")
m = cf.models
png: bytes = m.stable_diffusion_xl_base_1_0.run(prompt="a cat", num_steps=20, seed=9_999_999_999)
mp3: bytes = m.melotts.run(prompt="Hello", lang="fr")
vectors: list[list[float]] | None = m.bge_base_en_v1_5.run(text=["a", "b"], pooling="cls").data
shape: list[int] | None = m.bge_base_en_v1_5.run(text="a").shape
labels: list[str | None] = [item.label for item in m.distilbert_sst_2_int8.run(text="great").root]
french: str | None = m.m2m100_1_2b.run(text="Hello", target_lang="fr").translated_text
summary: str | None = m.bart_large_cnn.run(input_text="A long text.", max_length=64).summary
boxes = [item.box for item in m.detr_resnet_50.run(image=[0, 128, 255]).root]
xmin: float | None = boxes[0].xmin if boxes and boxes[0] else None
scores: list[float | None] = [item.score for item in m.resnet_50.run(image=[1, 2, 3]).root]
caption: str | None = m.uform_gen2_qwen_500m.run(image=[0, 255], prompt="What is it?").description
caption = m.uform_gen2_qwen_500m.run(image="iVBORw0KGgo=").description
heard = m.whisper.run(audio=[0, 1, 2])
text: str = heard.text
starts: list[float | None] = [word.start for word in heard.words or []]
heard = m.whisper.run(audio=bytearray(b"RIFF"))  # bytes are a Sequence[int]: sent as their values
scores = [item.score for item in m.resnet_50.run(image=b"\\x89PNG").root]
"""

# Each line is a mistake the types must catch.
BAD_USE = """\
from modelsdk import Cloudflare

m = Cloudflare(api_key="k", account_id="a").models
m.bge_base_en_v1_5.run(text=3)
m.bge_base_en_v1_5.run(text="a", pooling="max")
m.stable_diffusion_xl_base_1_0.run(prompt="a cat").startswith("x")
m.resnet_50.run(image=["0"])
m.m2m100_1_2b.run(text="Hello")
m.distilbert_sst_2_int8.run(text="x").label
"""


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixtures catalog ingested, recorded from the local backend, and generated."""
    root = tmp_path_factory.mktemp("tasks")
    ingest_and_record(FIXTURES / "sources", root)
    generate(root)
    return root


def test_one_fixture_per_task_type(work: Path) -> None:
    assert {entry.task: entry.slug for entry in load_catalog(work / "models")} == TASKS


def test_the_package_and_its_use_type_check_strictly(work: Path) -> None:
    assert strict_errors(work, GOOD_USE, BAD_USE) == set(range(4, 10))


def test_the_conformance_suite_passes_against_the_local_backend(work: Path) -> None:
    rows = conformance_rows(work, "cloudflare")
    assert sorted(row.split()[0] for row in rows) == sorted(f"cloudflare/{slug}" for slug in TASKS.values())


def test_json_where_a_binary_answer_was_expected_is_a_response_validation_error(work: Path) -> None:
    """An SDKError carrying the body, as any answer that does not fit: `except SDKError` catches it."""
    code = """
import httpx
from modelsdk import Cloudflare, ResponseValidationError
answer = httpx.Response(200, json={"result": {"audio": "not bytes"}, "success": True, "errors": [], "messages": []})
cf = Cloudflare(api_key="k", account_id="a", transport=httpx.MockTransport(lambda request: answer))
try:
    cf.models.melotts.run(prompt="Hello")
except ResponseValidationError as error:
    print(error.expected, "|", error.body)
"""
    done = run_python("-c", code, cwd=work / "gen")
    assert done.stdout.strip() == "audio/mpeg bytes | {'audio': 'not bytes'}", done.stdout + done.stderr


def test_bytes_go_as_the_array_of_integers_the_schema_asks_for(work: Path) -> None:
    """`bytes` type-checks as `Sequence[int]` (GOOD_USE), so it runs too: each byte's value, 0..255,
    in the JSON array; an image given as text still goes as text. An item out of range is named by
    its place and the member's type, as before."""
    code = """
import json, httpx
from modelsdk import Cloudflare, RequestValidationError
sent = []
def answer(request):
    sent.append(json.loads(request.content))
    return httpx.Response(200, json={"result": {"description": "x", "text": "t"}, "success": True, "errors": [], "messages": []})
m = Cloudflare(api_key="k", account_id="a", transport=httpx.MockTransport(answer)).models
m.whisper.run(audio=b"\\x00\\x7f\\xff")
m.uform_gen2_qwen_500m.run(image=memoryview(b"\\x01\\x02"), prompt="What?")
m.uform_gen2_qwen_500m.run(image="iVBORw0KGgo=")
print(json.dumps(sent))
try:
    m.uform_gen2_qwen_500m.run(image=[256])
except RequestValidationError as error:
    print(error)
"""
    done = run_python("-c", code, cwd=work / "gen")
    assert done.returncode == 0, done.stderr
    sent, error = done.stdout.strip().split("\n")
    assert json.loads(sent) == [
        {"audio": [0, 127, 255]},
        {"image": [1, 2], "prompt": "What?"},
        {"image": "iVBORw0KGgo="},
    ]
    assert "image.list[ImageItem]: got int: Input should be less than or equal to 255" in error, error
