"""Small pieces of ingest, on tiny inline inputs."""

from __future__ import annotations

import pytest

from generator.ingest.overlays import merge_patch
from generator.ingest.schemas import infer_schema, split_stream_branch
from generator.ingest.slugs import assign_slugs, candidate_slugs
from generator.ingest.sources import text_lines
from generator.ingest.text import parse_token_count, table_rows
from generator.ingest.yamlspans import YamlProblem, load_located


@pytest.mark.parametrize(
    ("model_id", "slug"),
    [
        ("@cf/tinyllama/tinyllama-1.1b-chat-v1.0", "tinyllama_1_1b_chat_v1_0"),
        ("deepseek-reasoner", "deepseek_reasoner"),
        ("@cf/x/1b-model", "m_1b_model"),
        ("@cf/x/class", "class_"),
        ("@cf/x/!!!", "x"),
    ],
)
def test_slug_is_a_python_identifier(model_id: str, slug: str) -> None:
    assert candidate_slugs(model_id)[0] == slug
    assert slug.isidentifier()


def test_colliding_ids_both_get_longer_slugs_independent_of_each_other() -> None:
    slugs = assign_slugs(["@cf/meta/llama-3", "@hf/other/llama-3", "@cf/x/mistral"])
    assert slugs == {
        "@cf/meta/llama-3": "meta_llama_3",
        "@hf/other/llama-3": "other_llama_3",
        "@cf/x/mistral": "mistral",
    }


def test_identical_slug_candidates_get_a_numeric_suffix() -> None:
    assert sorted(assign_slugs(["a-b", "a_b", "a.b"]).values()) == ["a_b", "a_b_2", "a_b_3"]


def test_a_model_keeps_its_slug_when_another_comes_to_share_its_name() -> None:
    kept = {"@cf/meta/llama-3": "llama_3"}
    slugs = assign_slugs(["@cf/meta/llama-3", "@hf/other/llama-3"], kept)
    assert slugs == {"@cf/meta/llama-3": "llama_3", "@hf/other/llama-3": "other_llama_3"}
    # Without the catalog's slug, the same two would both take longer names.
    assert assign_slugs(["@cf/meta/llama-3", "@hf/other/llama-3"])["@cf/meta/llama-3"] == "meta_llama_3"


def test_a_kept_slug_must_be_one_of_the_models_own() -> None:
    # An id whose slug was another's (the document now names another model) is named afresh.
    assert assign_slugs(["@cf/x/mistral"], {"@cf/x/mistral": "llama_3"}) == {"@cf/x/mistral": "mistral"}
    assert assign_slugs(["a-b"], {"a-b": "a_b_3"}) == {"a-b": "a_b_3"}  # a suffixed one is its own
    # Two ids kept under one slug (a catalog edited by hand): none is kept.
    both = assign_slugs(["a-b", "a_b"], {"a-b": "a_b", "a_b": "a_b"})
    assert sorted(both.values()) == ["a_b", "a_b_2"]


# RFC 7386 appendix A test vectors.
@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"a": "foo"}, None, None),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_follows_rfc_7386(target: object, patch: object, result: object) -> None:
    assert merge_patch(target, patch) == result


def test_yaml_spans_point_at_keys() -> None:
    located = load_located("a:\n  b: 1\n  c:\n    - x\n    - y\nd: 2\n", first_line=10)
    assert located.lines("a.b") == (11, 11)
    assert located.lines("a.c") == (12, 14)
    assert located.lines("d") == (15, 15)


def test_yaml_problem_carries_the_line() -> None:
    with pytest.raises(YamlProblem) as caught:
        load_located("a: 1\nb: [2\nc: 3\n", first_line=2)
    assert caught.value.line is not None and caught.value.line >= 3


def test_example_lists_of_objects_require_their_shared_keys() -> None:
    schema = infer_schema({"m": [{"role": "a", "content": "b"}, {"role": "c", "content": "d", "x": 1}]})
    assert schema["properties"]["m"]["items"]["required"] == ["role", "content"]
    assert infer_schema(3) == {"type": "integer"} and infer_schema(True) == {"type": "boolean"}


def test_sse_branch_is_split_only_when_it_is_one_of_the_alternatives() -> None:
    json_branch = {"type": "object", "properties": {"response": {"type": "string"}}}
    sse = {"type": "string", "format": "binary", "contentType": "text/event-stream"}
    assert split_stream_branch({"oneOf": [json_branch, sse]}, streams_by_flag=False) == (json_branch, sse)
    image = {"type": "string", "format": "binary", "contentType": "image/png"}
    assert split_stream_branch(image, streams_by_flag=True) == (image, None)
    bare = {"type": "string", "format": "binary"}
    assert split_stream_branch({"oneOf": [json_branch, bare]}, streams_by_flag=False)[1] is None
    assert split_stream_branch({"oneOf": [json_branch, bare]}, streams_by_flag=True)[1] == bare


@pytest.mark.parametrize(("raw", "count"), [("4,096 tokens", 4096), ("128K", 131072), ("none", None)])
def test_token_counts(raw: str, count: int | None) -> None:
    assert parse_token_count(raw) == count


def test_table_rows_skip_separators() -> None:
    rows = list(table_rows("| a | b |\n|---|---|\n| c | d |\n"))
    assert [(r.cells, r.line) for r in rows] == [(("a", "b"), 1), (("c", "d"), 3)]


def test_lines_end_where_an_editor_ends_them_not_at_u2028_or_form_feed() -> None:
    text = "| a\u2028b | c\x0cd |\r\n|---|---|\r| e\x85 | f |\n"
    assert [row.line for row in table_rows(text)] == [1, 3]
    assert text_lines(text) == ["| a\u2028b | c\x0cd |", "|---|---|", "| e\x85 | f |"]
    assert "".join(text_lines(text, keepends=True)) == text
