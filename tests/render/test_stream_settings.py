"""Stream settings are each model's own: rendered into its resource module, never taken from another model."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

import httpx
import pytest

from generator.catalog.entry import SHARED_FIELDS, CatalogEntry
from generator.catalog.store import Catalog
from generator.render.context import ModelView, ProviderView, RenderError, provider_view
from generator.render.render import RenderOptions, render
from generator.tree import write_tree
from tests.sdk.conftest import CATALOG

TINY = next(e for e in CATALOG if e.slug == "tinyllama_1_1b_chat_v1_0")
RESOURCES = PurePosixPath("streamsdk/resources/cloudflare")


def _variant(slug: str, **streaming: Any) -> CatalogEntry:
    return TINY.model_copy(
        update={
            "slug": slug,
            "model_id": f"@cf/x/{slug}",
            "streaming": TINY.streaming.model_copy(update=streaming),
        }
    )


# The first model by slug does not stream; the other two end their streams differently.
QUIET = _variant("aaa_quiet", supported=False, terminator=None, request_flag=None, chunk_schema=None)
DONE = _variant("bbb_done")
ENDED = _variant("ccc_ended", terminator="[END]", content_type="application/x-events")
CATALOG_OF_THREE = Catalog((QUIET, DONE, ENDED))


@pytest.fixture(scope="module")
def files() -> dict[PurePosixPath, str]:
    return render(CATALOG_OF_THREE, RenderOptions(package="streamsdk"))


def _text(files: dict[PurePosixPath, str], path: PurePosixPath) -> str:
    """A rendered module with double quotes, as ruff will write it."""
    return files[path].replace("'", '"')


def test_each_resource_module_holds_its_own_models_stream_settings(files: dict[PurePosixPath, str]) -> None:
    done, ended = _text(files, RESOURCES / "bbb_done.py"), _text(files, RESOURCES / "ccc_ended.py")
    shape = 'StreamSettings(terminator="{}", content_type="{}", format="sse", request_flag="stream")'
    assert shape.format("[DONE]", "text/event-stream") in done
    assert shape.format("[END]", "application/x-events") in ended
    assert "StreamSettings" not in files[RESOURCES / "aaa_quiet.py"]


def test_the_provider_client_holds_no_stream_settings_of_one_model(
    files: dict[PurePosixPath, str], sdk: Any
) -> None:
    provider = _text(files, PurePosixPath("streamsdk/providers/cloudflare.py"))
    assert "stream_terminator" not in provider
    assert importlib.import_module("streamsdk.providers.cloudflare").streams() == {
        "@cf/x/bbb_done": sdk.StreamSettings(
            terminator="[DONE]", content_type="text/event-stream", request_flag="stream"
        ),
        "@cf/x/ccc_ended": sdk.StreamSettings(
            terminator="[END]", content_type="application/x-events", request_flag="stream"
        ),
    }


@pytest.fixture(scope="module")
def sdk(files: dict[PurePosixPath, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("streamsdk")
    write_tree(root, files)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("streamsdk")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == "streamsdk" or m.startswith("streamsdk.")]:
            del sys.modules[name]


def _server(seen: list[httpx.Request]) -> httpx.MockTransport:
    """Answer each model the way it streams: its own media type and its own terminator."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("ccc_ended"):
            return httpx.Response(
                200,
                headers={"content-type": "application/x-events"},
                content=b'data: {"response": "b"}\n\ndata: [END]\n\n',
            )
        return httpx.Response(
            200,
            headers={"content-type": "text/event-stream"},
            content=b'data: {"response": "a"}\n\ndata: [DONE]\n\n',
        )

    return httpx.MockTransport(handler)


def test_every_streaming_model_streams_through_one_client(sdk: Any) -> None:
    seen: list[httpx.Request] = []
    client = sdk.Cloudflare(api_key="k", account_id="a", transport=_server(seen))
    assert [c.response for c in client.models.bbb_done.stream(prompt="Hi")] == ["a"]
    assert [c.response for c in client.models.ccc_ended.stream(prompt="Hi")] == ["b"]
    assert [request.headers["accept"] for request in seen] == ["text/event-stream", "application/x-events"]
    assert list(client.stream("@cf/x/bbb_done", {"prompt": "Hi", "stream": True})) == [{"response": "a"}]
    assert list(client.stream("@cf/x/ccc_ended", {"prompt": "Hi", "stream": True})) == [{"response": "b"}]


def test_the_untyped_stream_needs_settings_for_a_model_that_does_not_stream(sdk: Any) -> None:
    seen: list[httpx.Request] = []
    client = sdk.Cloudflare(api_key="k", account_id="a", transport=_server(seen))
    with pytest.raises(ValueError, match="does not stream"):
        list(client.stream("@cf/x/aaa_quiet", {"prompt": "Hi"}))
    with pytest.raises(ValueError, match="does not stream"):
        list(client.stream("@cf/x/newer", {"prompt": "Hi"}))
    assert not seen
    settings = sdk.StreamSettings(terminator="[DONE]")
    assert list(client.stream("@cf/x/newer", {"prompt": "Hi"}, settings=settings)) == [{"response": "a"}]


@pytest.mark.anyio
async def test_async_streams_use_each_models_own_settings(sdk: Any) -> None:
    seen: list[httpx.Request] = []
    async with sdk.AsyncCloudflare(api_key="k", account_id="a", transport=_server(seen)) as client:
        assert [c.response async for c in client.models.ccc_ended.stream(prompt="Hi")] == ["b"]
        assert [d async for d in client.stream("@cf/x/bbb_done", {"prompt": "Hi", "stream": True})] == [
            {"response": "a"}
        ]


def _views(*entries: CatalogEntry) -> list[ModelView]:
    return [ModelView(entry, None, f"catalog/models/cloudflare/{entry.slug}.yaml") for entry in entries]


def test_a_provider_level_value_must_be_shared_and_checked() -> None:
    view: ProviderView = provider_view("cloudflare", _views(QUIET, DONE))
    assert view.generic_path == TINY.endpoint.path
    with pytest.raises(RenderError, match="each model's own"):
        view._shared("streaming")
    assert not any(field.startswith("streaming") for field in SHARED_FIELDS)


def test_models_of_one_provider_on_different_paths_are_refused() -> None:
    elsewhere = DONE.model_copy(
        update={"endpoint": DONE.endpoint.model_copy(update={"path": "/other/{model_id}"})}
    )
    with pytest.raises(RenderError, match=r"endpoint\.path differs"):
        provider_view("cloudflare", _views(QUIET, elsewhere))
