"""`--model` names models the same way for record and conform."""

from __future__ import annotations

import pytest

from generator.selection import model_matches


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
