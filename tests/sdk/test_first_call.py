"""Issue #16 item 3: what the first typed call loads and builds, whatever the size of the catalog.

The time itself is printed by `make bench`; these tests hold the causes: a provider module that
grows by a name per model, types modules without the HTTP client, one TLS context per process,
and `client.models` resolving a model's module only when its name is used.
"""

from __future__ import annotations

import copy
import importlib
import sys
from pathlib import Path, PurePosixPath
from typing import Any

import httpx
import pytest

from generator.catalog.store import Catalog
from generator.render.render import RenderOptions, render
from tests.bench_first_call import FirstCall
from tests.sdk.conftest import CATALOG, CREDENTIALS, python_output

# A name line (`"slug",`) and, for a model that streams, its stream settings line; an accessor
# per model (a property, its import and docstring, sync and async) took ~1 000 bytes.
MAX_PROVIDER_BYTES_PER_MODEL = 256
# The runtime a plain sync run() never needs: without bytecode each of these is compiled on import.
NOT_FOR_A_PLAIN_CALL = (
    "_async_client",  # the async client
    "_streaming",  # streams: settings, decoder
    "_sse",
    "_responses",  # with_raw_response / with_streaming_response
    "_uploads",  # raw-body inputs
    "_retry",  # a failure's retry policy
    "_failures",  # a failure's error and wait, a log line
    "_exceptions",  # every error class but SDKError
    "_redact",  # the scrubbing rule, for an error's message or a log line
    "_request_errors",  # what a refused call says
    "_validation",
)


def _clones(catalog: Catalog, copies: int) -> Catalog:
    """The catalog and `copies` more of each entry, under new slugs and ids (same schemas)."""
    extra = [
        entry.model_copy(update={"slug": f"{entry.slug}_{n}", "model_id": f"{entry.model_id}-{n}"})
        for n in range(copies)
        for entry in catalog
    ]
    return Catalog(tuple(sorted((*catalog, *extra), key=lambda e: e.key)))


def test_a_provider_module_grows_by_a_table_line_per_model() -> None:
    small, large = render(CATALOG, RenderOptions()), render(_clones(CATALOG, 3), RenderOptions())
    for provider in sorted({e.provider for e in CATALOG}):
        module = PurePosixPath("modelsdk", "providers", f"{provider}.py")
        added = 3 * sum(1 for e in CATALOG if e.provider == provider)
        growth = (len(large[module]) - len(small[module])) / added
        assert 0 < growth <= MAX_PROVIDER_BYTES_PER_MODEL, (provider, growth)
        # What type checkers read instead declares every model, in the sync and the async namespace.
        typed = large[PurePosixPath("modelsdk", "resources", provider, "_typed.py")]
        assert all(typed.count(f"\n    {e.slug}_2: ") == 2 for e in CATALOG if e.provider == provider)


def test_a_types_module_imports_no_http_client_and_still_validates(generated: Path) -> None:
    modules = sorted(
        ".".join(path.relative_to(generated).with_suffix("").parts)
        for path in (generated / "modelsdk" / "types").glob("*/*.py")
        if path.name != "__init__.py"
    )
    assert len(modules) == len(CATALOG)
    out = python_output(
        f"""
        import importlib, sys
        import pydantic
        for name in {modules!r}:
            importlib.import_module(name)
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("httpx", "httpcore")))
        from modelsdk.types.segmind.deepseek_reasoner import Request
        try:
            Request.model_validate({{"messages": [{{"role": "user", "content": 1}}]}})
        except pydantic.ValidationError as exc:
            print(exc.error_count())
        """,
        generated,
    )
    loaded, errors = out.splitlines()
    assert loaded == "[]"
    assert errors == "1"  # a class built on first use validates as strictly as ever


def test_clients_without_a_transport_share_one_ssl_context(generated: Path) -> None:
    out = python_output(
        """
        import ssl

        made = []
        original = ssl.SSLContext.__new__

        def counted(cls, *args, **kwargs):
            context = original(cls, *args, **kwargs)
            made.append(context)
            return context

        ssl.SSLContext.__new__ = staticmethod(counted)
        import modelsdk

        clients = [
            modelsdk.Segmind(api_key="k"),
            modelsdk.AsyncSegmind(api_key="k"),
            modelsdk.Cloudflare(api_key="k", account_id="a"),
            modelsdk.Dataoorts(api_key="k"),
        ]
        clients.append(clients[0].with_options(max_retries=0))
        print(len(made))
        """,
        generated,
    )
    assert out.split() == ["1"]


@pytest.fixture
def clients(sdk: Any) -> tuple[Any, Any]:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    sync = sdk.Cloudflare(transport=transport, **CREDENTIALS["cloudflare"])
    asynchronous = sdk.AsyncCloudflare(**CREDENTIALS["cloudflare"])
    return sync, asynchronous


def test_models_resolve_to_their_resource_on_first_use(sdk: Any, clients: tuple[Any, Any]) -> None:
    sync, asynchronous = clients
    resources = importlib.import_module(f"{sdk.__name__}.resources.cloudflare.tinyllama_1_1b_chat_v1_0")
    async_resources = importlib.import_module(
        f"{sdk.__name__}.resources.cloudflare._async.tinyllama_1_1b_chat_v1_0"
    )
    assert async_resources.ASYNC_CLIENT.__name__ == f"Async{resources.CLIENT.__name__}"
    assert not hasattr(resources, "ASYNC_CLIENT")  # the sync module holds no async class
    model = sync.models.tinyllama_1_1b_chat_v1_0
    assert type(model) is resources.CLIENT
    assert sync.models.tinyllama_1_1b_chat_v1_0 is model  # built once
    assert model._client is sync._client
    assert "acct-123" in model._path  # the account id filled into the model's path
    assert type(asynchronous.models.tinyllama_1_1b_chat_v1_0) is async_resources.ASYNC_CLIENT
    assert "acct-123" in asynchronous.models.tinyllama_1_1b_chat_v1_0._path
    clone = sync.with_options(max_retries=0)
    assert clone.models.tinyllama_1_1b_chat_v1_0._client is clone._client
    assert clone.models.tinyllama_1_1b_chat_v1_0 is not model
    assert "tinyllama_1_1b_chat_v1_0" in dir(sync.models)
    assert "deepseek_math_7b_base" in dir(asynchronous.models)


def test_a_providers_models_say_how_many_they_are(sdk: Any, clients: tuple[Any, Any]) -> None:
    sync, _ = clients
    count = len([e for e in CATALOG if e.provider == "cloudflare"])
    assert count > 1 and repr(sync.models) == f"<{count} models of cloudflare>"
    one = sdk.Dataoorts(**CREDENTIALS["dataoorts"])  # the seeds' Dataoorts has one model: "1 models"
    assert (
        len([e for e in CATALOG if e.provider == "dataoorts"]) == 1
        and repr(one.models) == "<1 model of dataoorts>"
    )


def test_an_unknown_model_is_an_attribute_error_naming_close_matches(clients: tuple[Any, Any]) -> None:
    sync, _ = clients
    with pytest.raises(
        AttributeError, match=r"'tinyllama_1_1b_chat' .*did you mean 'tinyllama_1_1b_chat_v1_0'"
    ):
        _ = sync.models.tinyllama_1_1b_chat
    with pytest.raises(AttributeError, match=r"no model 'gpt_4' in cloudflare's catalog$"):
        _ = sync.models.gpt_4
    with pytest.raises(AttributeError, match=r"'tinyllama' .*did you mean 'tinyllama_1_1b_chat_v1_0'"):
        _ = sync.models.tinyllama  # too short for a close spelling: the models whose name holds it
    with pytest.raises(AttributeError, match=r"'tinylama' .*did you mean 'tinyllama_1_1b_chat_v1_0'"):
        _ = sync.models.tinylama  # misspelt, and short: the models whose name begins like it
    assert not hasattr(sync.models, "_private")
    assert not hasattr(sync.models, "deepseek_reasoner")  # a Segmind model, not Cloudflare's
    assert not [name for name in dir(sync.models) if name.startswith("_") and not name.startswith("__")]
    copied = copy.copy(sync.models)  # copy asks for dunder names before __init__ has run
    assert copied.tinyllama_1_1b_chat_v1_0._client is sync._client


def _loaded_by(code: str, generated: Path) -> set[str]:
    """The package's own modules (`_base_client`, ...) and asyncio, loaded once `code` has run."""
    out = python_output(
        code + "\nimport sys\n"
        "print(' '.join(m.removeprefix('modelsdk.') for m in sys.modules if m.startswith('modelsdk.')))\n"
        "print('asyncio' in sys.modules)",
        generated,
    )
    modules, asyncio = out.splitlines()[-2:]
    return {*modules.split(), *(["asyncio"] if asyncio == "True" else [])}


@pytest.mark.parametrize("provider", sorted({e.provider for e in CATALOG}))
def test_a_plain_sync_first_call_loads_no_async_stream_or_failure_code(
    provider: str, generated: Path
) -> None:
    # The bench's first call: a chat model (Cloudflare's streams and answers in an envelope).
    call = FirstCall.of(Catalog(tuple(e for e in CATALOG if e.provider == provider)))
    loaded = _loaded_by(call.code(), generated)
    assert f"resources.{provider}.{call.entry.slug}" in loaded  # the call did run
    skipped = loaded & {*NOT_FOR_A_PLAIN_CALL, "asyncio"}
    assert not skipped, sorted(skipped)
    assert not {m for m in loaded if m.endswith("._typed")}  # what type checkers read, never run


@pytest.mark.parametrize("provider", sorted({e.provider for e in CATALOG}))
def test_the_benchs_call_by_hand_validates_the_answer_with_the_models_classes_alone(
    provider: str, generated: Path
) -> None:
    # `make bench` prints the SDK's first call less this one as the SDK's client layer.
    call = FirstCall.of(Catalog(tuple(e for e in CATALOG if e.provider == provider)))
    loaded = _loaded_by(
        call.handwritten_code() + "\nassert type(validated).__name__ == 'Response', validated", generated
    )
    assert f"types.{provider}.{call.entry.slug}" in loaded
    client_layer = {"_base_client", "_request", "_namespace"} | {
        m for m in loaded if m.startswith(("resources.", "providers."))
    }
    assert not loaded & client_layer, sorted(loaded)


def _streaming_chats() -> Catalog:
    return Catalog(tuple(e for e in CATALOG if e.provider == "cloudflare" and e.streaming.supported))


def test_a_sync_first_call_to_a_streaming_model_loads_no_async_resource_module(generated: Path) -> None:
    call = FirstCall.of(_streaming_chats())
    assert call.entry.streaming.supported  # the bench's streaming case: its module has stream classes
    loaded = _loaded_by(call.code(), generated)
    assert f"resources.cloudflare.{call.entry.slug}" in loaded  # the call did run
    assert not {m for m in loaded if "._async" in m or m.startswith("providers._async")}, sorted(loaded)
    assert not {*NOT_FOR_A_PLAIN_CALL, "asyncio"} & loaded
    # What it compiled holds no async class: those are in the module only an async client loads.
    resources = generated / "modelsdk" / "resources" / "cloudflare"
    assert "class Async" not in (resources / f"{call.entry.slug}.py").read_text("utf-8")
    assert "class Async" in (resources / "_async" / f"{call.entry.slug}.py").read_text("utf-8")
    # Nor the raw-response classes (`with_raw_response` and `with_streaming_response` load them),
    # nor the TypedDicts of its inputs (for type checkers, and callers who pass dicts).
    assert not {m for m in loaded if "._raw" in m or "._dicts" in m}, sorted(loaded)
    assert (generated / "modelsdk" / "types" / "cloudflare" / "_dicts" / f"{call.entry.slug}.py").is_file()
    assert (resources / f"{call.entry.slug}.py").read_text("utf-8").count("\nclass ") == 1  # the model's own


def test_the_raw_response_calls_load_their_own_module_when_first_used(sdk: Any) -> None:
    call = FirstCall.of(_streaming_chats())
    slug = call.entry.slug
    chunks = b'data: {"response": "a"}\n\ndata: [DONE]\n\n'

    def answer(request: httpx.Request) -> httpx.Response:
        if b'"stream":true' in request.content:
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=chunks)
        return httpx.Response(200, headers={"content-type": "application/json"}, content=call.body)

    with sdk.Cloudflare(transport=httpx.MockTransport(answer), **CREDENTIALS["cloudflare"]) as client:
        model = getattr(client.models, slug)
        raw = model.with_raw_response.run(**call.data)
        assert type(model.with_raw_response).__module__ == f"{sdk.__name__}.resources.cloudflare._raw.{slug}"
        assert raw.status_code == 200
        assert raw.parse() == model.run(**call.data)
        with model.with_streaming_response.stream(**call.data) as response:
            assert [c.response for c in response] == ["a"]
        assert model.with_raw_response is model.with_raw_response  # built once per model client
        # Its constants and stream settings are its main module's, not a copy of them.
        raw_module = sys.modules[type(model.with_raw_response).__module__]
        main_module = sys.modules[type(model).__module__]
        assert raw_module.stream_settings is main_module.stream_settings
        assert raw_module.MODEL_ID is main_module.MODEL_ID


def test_an_async_first_call_loads_no_sync_or_raw_response_module(generated: Path) -> None:
    call = FirstCall.of(_streaming_chats())
    code = (
        f"import asyncio, httpx\nfrom modelsdk import AsyncCloudflare\nbody = {call.body!r}\n"
        f"def answer(request): return httpx.Response(200, content=body, headers={{'content-type': {call.media_type!r}}})\n"
        "async def main():\n"
        f"    async with AsyncCloudflare(transport=httpx.MockTransport(answer), **{CREDENTIALS['cloudflare']!r}) as client:\n"
        f"        await client.models.{call.entry.slug}.run(**{call.data!r})\n"
        "asyncio.run(main())\n"
    )
    loaded = _loaded_by(code, generated)
    assert f"resources.cloudflare._async.{call.entry.slug}" in loaded  # the call did run
    assert not {m for m in loaded if "_raw." in m or "._dicts" in m}, sorted(loaded)
    assert f"resources.cloudflare.{call.entry.slug}" not in loaded  # the sync calls' module


@pytest.mark.anyio
async def test_an_async_client_resolves_a_streaming_model_to_its_async_module(sdk: Any) -> None:
    call = FirstCall.of(_streaming_chats())
    slug = call.entry.slug
    events = b'data: {"response": "a"}\n\ndata: {"response": "b"}\n\ndata: [DONE]\n\n'
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=events)

    async with sdk.AsyncCloudflare(
        transport=httpx.MockTransport(answer), **CREDENTIALS["cloudflare"]
    ) as client:
        model = getattr(client.models, slug)
        assert type(model).__module__ == f"{sdk.__name__}.resources.cloudflare._async.{slug}"
        assert [c.response async for c in model.stream(**call.data)] == ["a", "b"]
        async with await model.with_streaming_response.stream(**call.data) as response:
            assert [c.response async for c in response] == ["a", "b"]
        # Its raw-response calls are a module of their own too, loaded by their first use.
        assert (
            type(model.with_streaming_response).__module__
            == f"{sdk.__name__}.resources.cloudflare._async_raw.{slug}"
        )
    assert "acct-123" in str(sent[0].url)
    assert len(sent) == 2


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_the_code_a_plain_call_skips_loads_when_a_call_needs_it(generated: Path) -> None:
    call = FirstCall.of(Catalog(tuple(e for e in CATALOG if e.provider == "cloudflare")))
    assert call.entry.streaming.supported
    slug = call.entry.slug
    events = b"data: [DONE]\n\n"  # the model's terminator, at once
    routed = call.client_code().replace("client = ", "def route(request):\n"
        "    if request.headers['accept'] != 'text/event-stream': return answer(request)\n"
        f"    return httpx.Response(200, content={events!r}, headers={{'content-type': 'text/event-stream'}})\n"
        "client = ").replace("MockTransport(answer)", "MockTransport(route)")  # fmt: skip
    streamed = _loaded_by(
        routed + f"client.models.{slug}.run(**{call.data!r})\n"
        f"assert list(client.models.{slug}.stream(**{call.data!r})) == []\n",
        generated,
    )
    assert {"_streaming", "_sse"} <= streamed
    assert "_async_client" not in streamed
    raw = _loaded_by(
        call.client_code() + f"client.models.{slug}.with_raw_response.run(**{call.data!r})", generated
    )
    assert "_responses" in raw
    built = _loaded_by("import modelsdk\nmodelsdk.AsyncCloudflare(api_key='k', account_id='a')", generated)
    assert {"_async_client", "asyncio"} <= built
    refused = _loaded_by(
        call.client_code()
        + f"try: client.models.{slug}.run(**{call.data!r}, tempratur=1)\nexcept TypeError: pass",
        generated,
    )
    assert "_request_errors" in refused


def test_dir_of_the_package_lists_its_exports_unloaded_and_not_its_helpers(generated: Path) -> None:
    out = python_output(
        """
        import sys
        import modelsdk
        names = dir(modelsdk)
        print(sorted(set(modelsdk.__all__) - set(names)))
        print(sorted(n for n in names if not n.startswith("__") and n not in modelsdk.__all__))
        print("modelsdk.providers.cloudflare" in sys.modules)
        """,
        generated,
    )
    assert out.splitlines() == ["[]", "[]", "False"]  # every export, no `Any` or `importlib`; nothing loaded
