"""The conformance properties fail on deliberately broken classes, clients and servers."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ConfigDict, StrictInt

from generator.backend.server import running_backend
from generator.catalog.store import Catalog
from tests.sdk.conftest import CATALOG

TINY = next(e for e in CATALOG if e.slug == "tinyllama_1_1b_chat_v1_0")
TOP_K = {"type": "object", "properties": {"top_k": {"type": "integer", "minimum": 1}}}


@pytest.fixture(scope="module")
def conformance(seed_sdk: ModuleType) -> ModuleType:
    """The harness as it ships with the SDK generated from the seed catalog (its tests/_conformance.py)."""
    return importlib.import_module("_conformance")


@pytest.fixture(scope="module")
def spec(conformance: ModuleType) -> Any:
    return conformance.ModelSpec(
        provider="cloudflare",
        slug=TINY.slug,
        model_id=TINY.model_id,
        client_class="Cloudflare",
        input_schema=TINY.input_schema,
        output_schema=TINY.output_schema,
        stream_flag="stream",
    )


@pytest.fixture(scope="module")
def types(seed_sdk: ModuleType) -> ModuleType:
    """tinyllama's generated Request and Response."""
    return importlib.import_module(f"{seed_sdk.__name__}.types.cloudflare.{TINY.slug}")


class Coercing(BaseModel):
    """Pydantic's lax default: '3' becomes 3."""

    top_k: int | None = None


class AcceptsNull(BaseModel):
    """Strict, but an optional field typed `X | None` takes an explicit null."""

    model_config = ConfigDict(strict=True)
    top_k: StrictInt | None = None


@pytest.mark.parametrize("broken", [Coercing, AcceptsNull])
def test_a_class_that_accepts_more_than_its_schema_is_caught(
    conformance: ModuleType, broken: type[BaseModel]
) -> None:
    with pytest.raises(AssertionError, match="accepts but the JSON Schema rejects"):
        conformance.check_schema_agreement(TOP_K, broken, 200)


def test_the_generated_request_class_passes_where_the_broken_ones_fail(
    conformance: ModuleType, types: ModuleType
) -> None:
    conformance.check_schema_agreement(TINY.input_schema, types.Request, 100)


@pytest.fixture(scope="module")
def backend_url() -> Iterator[str]:
    with running_backend(CATALOG, token="k") as handle:
        yield handle.url


class DroppingTransport(httpx.BaseTransport):
    """A client bug: an optional field (the last of several) is lost on the way out."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def close(self) -> None:
        self.inner.close()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.read())
        if len(body) > 1:
            body.pop(list(body)[-1])
        content = json.dumps(body).encode()
        headers = {**request.headers, "content-length": str(len(content))}
        return self.inner.handle_request(
            httpx.Request(request.method, request.url, headers=headers, content=content)
        )


def failure_of(check: Callable[[], None]) -> str:
    """Run a check that must fail; the text of every error it raised (hypothesis may group them)."""
    try:
        check()
    except BaseException as exc:  # any failure is the point; its text is checked
        found = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
        return "\n".join(f"{type(e).__name__}: {e}" for e in found)
    raise AssertionError("the check passed; it should have caught the breakage")


def _client(sdk: ModuleType, url: str, **options: Any) -> Any:
    return sdk.Cloudflare(api_key="k", account_id="a", base_url=url, **options)


def test_a_client_that_drops_a_field_is_caught(
    seed_sdk: ModuleType, conformance: ModuleType, spec: Any, types: ModuleType, backend_url: str
) -> None:
    def broken(transport: httpx.BaseTransport, **options: Any) -> Any:
        return _client(seed_sdk, backend_url, transport=DroppingTransport(transport), **options)

    text = failure_of(
        lambda: conformance.check_client_against_backend(spec, broken, types.Request, types.Response, 20)
    )
    assert "AssertionError: the client sent" in text


def test_a_server_that_answers_outside_the_output_schema_is_caught(
    seed_sdk: ModuleType, conformance: ModuleType, spec: Any, types: ModuleType
) -> None:
    wrong = {"type": "object", "properties": {"response": {"type": "integer"}}, "required": ["response"]}
    lying = Catalog((TINY.model_copy(update={"output_schema": wrong}),))
    with running_backend(lying, token="k") as handle:
        text = failure_of(
            lambda: conformance.check_client_against_backend(
                spec, lambda **o: _client(seed_sdk, handle.url, **o), types.Request, types.Response, 5
            )
        )
    assert "ResponseValidationError" in text and "does not fit its schema" in text


def test_the_honest_client_and_server_pass(
    seed_sdk: ModuleType, conformance: ModuleType, spec: Any, types: ModuleType, backend_url: str
) -> None:
    conformance.check_client_against_backend(
        spec, lambda **o: _client(seed_sdk, backend_url, **o), types.Request, types.Response, 10
    )


def test_a_cassette_that_no_longer_fits_is_named_with_how_to_record_it(
    seed_sdk: ModuleType, conformance: ModuleType, spec: Any, types: ModuleType, tmp_path: Path
) -> None:
    """A schema change since the recording: the replay fails naming the cassette and `cardgen record`."""
    cassettes = importlib.import_module("_cassettes")
    request = {"prompt": "hello", "top_k": 0}  # below the schema's minimum: run() refuses it before sending
    answer = {"result": {"response": "hi"}, "success": True, "errors": [], "messages": []}
    stale = cassettes.Interaction(
        "POST", f"https://api.cloudflare.com/client/v4/accounts/a/ai/run/{TINY.model_id}",
        json.dumps(request), (("content-type", "application/json"),),
        200, (("content-type", "application/json"),), json.dumps(answer),
    )  # fmt: skip
    path = tmp_path / "minimal.yaml"
    path.write_text(cassettes.dump_cassette([stale]), "utf-8")

    def factory(**options: Any) -> Any:
        return _client(seed_sdk, "https://api.cloudflare.com/client/v4", **options)

    text = failure_of(
        lambda: conformance.check_recordings(spec, factory, [path], types.Request, types.Response, None)
    )
    assert text.startswith(
        f"AssertionError: cassettes/cloudflare/{TINY.slug}/minimal.yaml does not replay (if the model's "
        f"schema changed since, `cardgen record --model cloudflare/{TINY.slug}` records it again): "
        "RequestValidationError: "
    ), text
    assert "top_k" in text


def test_a_cassette_with_no_recording_in_it_fails_rather_than_passing_empty(
    seed_sdk: ModuleType, conformance: ModuleType, spec: Any, types: ModuleType, tmp_path: Path
) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("interactions: []\n", "utf-8")
    text = failure_of(
        lambda: conformance.check_recordings(
            spec, lambda **o: None, [path], types.Request, types.Response, None
        )
    )
    assert (
        text
        == f"AssertionError: cassettes/cloudflare/{TINY.slug}/empty.yaml holds no recording: replays nothing"
    )
