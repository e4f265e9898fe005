"""Document examples become cassettes exactly as they travel on the wire."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from vcr import serialize  # type: ignore[import-untyped]
from vcr.serializers import yamlserializer  # type: ignore[import-untyped]

from generator.cassettes import scrub
from generator.catalog.entry import CatalogEntry, Example
from generator.render.cassettes import (
    Interaction,
    cassette_yaml,
    endpoint_path,
    endpoint_uri,
    example_interactions,
)
from tests.cassettes.conftest import ENTRIES, entry_named

DATAOORTS = entry_named("dataoorts", "deepseek_math_7b_instruct")
CLOUDFLARE = entry_named("cloudflare", "deepseek_math_7b_base")


def with_examples(entry: CatalogEntry, *examples: Example) -> CatalogEntry:
    return entry.model_copy(update={"examples": list(examples)})


def test_only_examples_that_show_a_response_become_interactions() -> None:
    shown = {e.provider + "/" + e.slug: len(example_interactions(e)) for e in ENTRIES}
    assert shown == {
        "cloudflare/deepseek_coder_6_7b_base_awq": 0,
        "cloudflare/deepseek_math_7b_base": 0,
        "cloudflare/tinyllama_1_1b_chat_v1_0": 0,
        "dataoorts/deepseek_math_7b_instruct": 1,
        "segmind/deepseek_reasoner": 0,
    }


def test_dataoorts_example_is_wrapped_in_both_envelopes() -> None:
    [interaction] = example_interactions(DATAOORTS)
    example = DATAOORTS.examples[0]
    assert interaction.method == "POST"
    assert interaction.uri == "https://cloud.dataoorts.com/api/v1"
    assert json.loads(interaction.request_body) == {
        "model": "deepseek-ai/deepseek-math-7b-instruct",
        "data": example.request,
    }
    assert json.loads(interaction.response_body) == {
        "result": example.response,
        "success": True,
        "errors": [],
        "messages": [],
    }
    assert interaction.status == 200
    assert dict(interaction.response_headers) == {"content-type": "application/json"}


def test_no_auth_header_is_stored() -> None:
    for entry in ENTRIES:
        for interaction in example_interactions(
            with_examples(entry, Example(name="x", request={}, response={}))
        ):
            names = {name for name, _ in interaction.request_headers}
            assert names <= scrub.KEPT_REQUEST_HEADERS
            assert entry.auth.header.lower() not in names


def test_path_fills_model_id_per_segment_and_params_with_placeholders() -> None:
    assert (
        endpoint_path(CLOUDFLARE)
        == "/client/v4/accounts/ACCOUNT_ID/ai/run/@cf/deepseek-ai/deepseek-math-7b-base"
    )
    odd = CLOUDFLARE.model_copy(update={"model_id": "@cf/a b/c:d?e"})
    assert endpoint_path(odd, {"account_id": "x/y"}) == "/client/v4/accounts/x%2Fy/ai/run/@cf/a%20b/c:d%3Fe"
    assert endpoint_uri(CLOUDFLARE).startswith("https://api.cloudflare.com/client/v4/accounts/ACCOUNT_ID/")


def test_unenveloped_request_and_response_are_sent_as_is() -> None:
    segmind = entry_named("segmind", "deepseek_reasoner")
    example = Example(name="x", request={"messages": []}, response={"choices": []})
    [interaction] = example_interactions(with_examples(segmind, example))
    assert interaction.uri == "https://api.segmind.com/v1/deepseek-reasoner"
    assert json.loads(interaction.request_body) == {"messages": []}
    assert json.loads(interaction.response_body) == {"choices": []}


def test_streamed_example_becomes_an_event_stream() -> None:
    example = Example(
        name="s", request={"prompt": "hi"}, response=[{"response": "a"}, {"response": "b"}], stream=True
    )
    [interaction] = example_interactions(with_examples(CLOUDFLARE, example))
    assert json.loads(interaction.request_body) == {"prompt": "hi", "stream": True}
    assert dict(interaction.request_headers)["accept"] == "text/event-stream"
    assert dict(interaction.response_headers) == {"content-type": "text/event-stream"}
    assert interaction.response_body == 'data: {"response":"a"}\n\ndata: {"response":"b"}\n\ndata: [DONE]\n\n'


def test_cassette_yaml_is_vcrpy_format_and_deterministic() -> None:
    interactions = example_interactions(DATAOORTS)
    text = cassette_yaml(interactions)
    assert text == cassette_yaml(list(interactions))
    data: dict[str, Any] = yaml.safe_load(text)
    assert data["version"] == 1
    [raw] = data["interactions"]
    assert raw["request"]["headers"] == {"accept": ["application/json"], "content-type": ["application/json"]}
    assert raw["response"]["status"] == {"code": 200, "message": "OK"}
    requests, responses = serialize.deserialize(text, yamlserializer)
    assert requests[0].uri == "https://cloud.dataoorts.com/api/v1"
    assert json.loads(requests[0].body) == json.loads(interactions[0].request_body)
    body = interactions[0].response_body
    assert responses[0]["body"]["string"] == (body.encode() if isinstance(body, str) else body)


def test_multi_line_bodies_survive_the_round_trip(cassettes: Any, tmp_path: Path) -> None:
    bodies = ["data: 1\n\ndata: [DONE]\n\n", "  leading\nand trailing  \n", "tab\there\n", "é ü 😀\n", ""]
    # NEL, LS, PS: YAML 1.1 line breaks, which PyYAML writes raw in a block and reads NEL back as \n.
    bodies += ["data: a\n\ndata: b\x85 two\n", "a\x85b", "x\n y\u2028 z\n", "p\u2029 q"]
    # Bidi and zero-width characters PyYAML writes raw: escaped, the body read back the same.
    bodies += ["é \u202e ü\n", "zero\u200bwidth", "a\n\u2066b\n"]
    interactions = [
        Interaction("POST", "https://h/p", body, (), 200, (("content-type", "text/plain"),), body)
        for body in bodies
    ]
    text = cassette_yaml(interactions)
    loaded = yaml.safe_load(text)["interactions"]
    assert [i["response"]["body"]["string"] for i in loaded] == bodies
    assert all(char.isprintable() or char == "\n" for char in text)
    (tmp_path / "c.yaml").write_text(text, "utf-8")
    assert [i.response_body for i in cassettes.load_cassettes([tmp_path])] == bodies


def test_template_writes_the_same_bytes_and_keeps_the_same_headers(cassettes: Any) -> None:
    interactions = [
        *example_interactions(DATAOORTS),
        Interaction(
            "POST", "https://h/p", "{}", (("accept", "x"),), 429, (("retry-after", "1"),), "data: 1\n\n"
        ),
        Interaction("POST", "https://h/p", "{}", (), 200, (), "data: a\n\ndata: b\x85 two\n"),
        Interaction("POST", "https://h/p", "{}", (), 200, (), "é \u202e ü\n\u200b\n"),
    ]
    mirrored = [cassettes.Interaction(**vars(i)) for i in interactions]
    assert cassettes.dump_cassette(mirrored) == cassette_yaml(interactions)
    assert cassettes.KEPT_REQUEST_HEADERS == scrub.KEPT_REQUEST_HEADERS
    assert cassettes.DROPPED_RESPONSE_HEADERS == scrub.DROPPED_RESPONSE_HEADERS
