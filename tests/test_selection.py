"""`--model` names models the same way for record, conform and pull, and may be given again."""

from __future__ import annotations

import pytest

from generator.selection import (
    model_matches,
    model_selected,
    name_selected,
    unmatched_models,
    unmatched_names,
)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("*", True),
        ("cloudflare/*", True),
        ("cloudflare/llama_3_2_1b_instruct", True),
        ("llama*", True),  # the slug alone
        ("segmind/*", False),
        ("Cloudflare/*", False),  # case counts, on every platform
        ("*/llama", False),
        ("instruct", False),
    ],
)
def test_a_model_glob_names_provider_and_slug_or_the_slug(pattern: str, expected: bool) -> None:
    assert model_matches("cloudflare", "llama_3_2_1b_instruct", pattern) is expected


MODELS = [("cloudflare", "llama_3_2_1b_instruct"), ("segmind", "sdxl"), ("dataoorts", "bart")]


def test_several_globs_choose_what_any_of_them_names() -> None:
    chosen = [m for m in MODELS if model_selected(*m, ("segmind/*", "bart"))]
    assert chosen == [("segmind", "sdxl"), ("dataoorts", "bart")]
    assert [m for m in MODELS if model_selected(*m, ())] == []  # no glob names nothing


def test_each_glob_that_names_nothing_is_told_in_the_order_given() -> None:
    assert unmatched_models(MODELS, ("llama*", "segmnd/*", "*", "nobody")) == ["segmnd/*", "nobody"]
    assert unmatched_models([], ("*",)) == ["*"]  # an empty catalog: even the default names nothing


def test_a_glob_given_twice_is_told_once() -> None:
    assert unmatched_models(MODELS, ("nobody", "sdxl", "nobody")) == ["nobody"]
    assert unmatched_names([("sdxl.md",)], ("typo", "typo")) == ["typo"]


def test_names_are_matched_whole_against_any_of_a_things_names() -> None:
    page = ("bart.md", "https://docs.example/models/bart")
    assert name_selected(page, ("*.md",)) and name_selected(page, ("https://docs.example/*",))
    assert not name_selected(page, ("bart",))
    assert unmatched_names([page, ("sdxl.md",)], ("sdxl*", "*/bart", "typo")) == ["typo"]
