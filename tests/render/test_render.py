"""Rendering whole catalogs: refusals, binary outputs, providers that disagree."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog
from generator.render.context import RenderError
from generator.render.render import RenderOptions, render
from generator.tree import write_tree
from tests.sdk.conftest import CATALOG

TINY = next(e for e in CATALOG if e.slug == "tinyllama_1_1b_chat_v1_0")


def _variant(entry: CatalogEntry, **changes: Any) -> CatalogEntry:
    return entry.model_copy(update=changes)


@pytest.mark.parametrize(
    "model_id", ["../../admin", "@cf/x/../../y", "https://elsewhere.example/x", "a?b", "a#b", "//x"]
)
def test_unsafe_model_ids_are_refused(model_id: str) -> None:
    catalog = Catalog((_variant(TINY, model_id=model_id),))
    with pytest.raises(RenderError, match="not a safe path"):
        render(catalog, RenderOptions())


def test_a_model_id_too_long_for_file_names_is_refused_by_name() -> None:
    """An entry written by hand, no ingest having checked it: refused before any file is written."""
    catalog = Catalog((_variant(TINY, model_id="@cf/x/" + "a" * 300),))
    with pytest.raises(RenderError, match="is 306 characters long; at most 160 are taken"):
        render(catalog, RenderOptions())


def test_an_empty_catalog_is_refused() -> None:
    with pytest.raises(RenderError, match="empty"):
        render(Catalog(()), RenderOptions())


def test_entries_of_one_provider_must_agree_on_its_client() -> None:
    other = _variant(
        TINY, slug="other", model_id="@cf/x/other", auth=TINY.auth.model_copy(update={"env_var": "X"})
    )
    with pytest.raises(RenderError, match="auth differs"):
        render(Catalog((TINY, other)), RenderOptions())


def test_binary_outputs_are_bytes_not_a_union_member(tmp_path: Path) -> None:
    image = {"type": "string", "format": "binary", "contentType": "image/png"}
    entry = _variant(
        TINY,
        slug="painter",
        model_id="@cf/x/painter",
        input_schema={"type": "object", "properties": {"prompt": {"type": "string"}}, "required": ["prompt"]},
        output_schema=image,
        streaming=TINY.streaming.model_copy(update={"supported": False}),
    )
    write_tree(tmp_path, render(Catalog((entry,)), RenderOptions(package="binsdk")))
    sys.path.insert(0, str(tmp_path))
    try:
        sdk = importlib.import_module("binsdk")
        png = b"\x89PNG\r\n\x1a\n"
        transport = httpx.MockTransport(
            lambda r: httpx.Response(200, headers={"content-type": "image/png"}, content=png)
        )
        client = sdk.Cloudflare(api_key="k", account_id="a", transport=transport)
        assert client.models.painter.run(prompt="a cat") == png
        types = importlib.import_module("binsdk.types.cloudflare.painter")
        assert not hasattr(types, "Response")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("binsdk")]:
            del sys.modules[name]


def test_a_non_object_input_is_one_positional_argument(tmp_path: Path) -> None:
    entry = _variant(
        TINY,
        slug="batch",
        model_id="@cf/x/batch",
        input_schema={"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        output_schema={"type": "array", "items": {"type": "number"}},
        streaming=TINY.streaming.model_copy(update={"supported": False}),
    )
    write_tree(tmp_path, render(Catalog((entry,)), RenderOptions(package="rootsdk")))
    sys.path.insert(0, str(tmp_path))
    try:
        sdk = importlib.import_module("rootsdk")
        sent: list[bytes] = []

        def answer(request: httpx.Request) -> httpx.Response:
            sent.append(request.content)
            return httpx.Response(200, json={"result": [0.5, 1], "success": True, "errors": []})

        client = sdk.Cloudflare(api_key="k", account_id="a", transport=httpx.MockTransport(answer))
        assert client.models.batch.run(["a", "b"]).root == [0.5, 1]
        assert sent == [b'["a","b"]']
        with pytest.raises(ValueError, match="at least 1 item"):
            client.models.batch.run([])
        assert client.run("@cf/x/batch", ["c"]) == [0.5, 1]
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("rootsdk")]:
            del sys.modules[name]


def test_the_sdk_runtime_checks_model_ids_with_the_generators_pattern() -> None:
    # The runtime cannot import cardgen, so the pattern is written twice; this keeps them one.
    from generator.render.context import MODEL_ID_PATTERN
    from tests.conftest import REPO

    runtime = (REPO / "generator" / "templates" / "package" / "_config.py").read_text("utf-8")
    assert f'_MODEL_ID = r"{MODEL_ID_PATTERN}"' in runtime
