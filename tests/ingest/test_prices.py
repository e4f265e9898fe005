"""Prices in words: an amount with a currency, per a unit, read into the entry's pricing items."""

from __future__ import annotations

import pytest

from generator.ingest.prices import read_prices


@pytest.mark.parametrize(
    ("label", "value", "expected"),
    [
        ("model cost(input)", "$0.10 Per Million Tokens", [("input_tokens", "0.10", "USD", 1_000_000)]),
        ("model cost(output)", "$0.11 Per Million Tokens", [("output_tokens", "0.11", "USD", 1_000_000)]),
        ("model cost", "$0.0005 Per Request", [("request", "0.0005", "USD", 1)]),
        ("model cost", "$0.0025 Per Image", [("image", "0.0025", "USD", 1)]),
        ("model cost", "$0.002 / image", [("image", "0.002", "USD", 1)]),
        ("model cost", "$0.002/image", [("image", "0.002", "USD", 1)]),
        ("model cost", "0.0004 USD per second", [("second", "0.0004", "USD", 1)]),
        ("model cost", "0.0004 USD per second of audio", [("second", "0.0004", "USD", 1)]),
        ("model cost", "USD 0.006 per minute", [("second", "0.006", "USD", 60)]),
        ("model cost", "$0.20 per 1M tokens", [("tokens", "0.20", "USD", 1_000_000)]),
        ("model cost", "$0.50 per 1K input tokens", [("input_tokens", "0.50", "USD", 1_000)]),
        ("model cost", "$0.000002 per token", [("tokens", "0.000002", "USD", 1)]),
        ("model cost", "$15 per 1,000,000 characters", [("character", "15", "USD", 1_000_000)]),
        ("model cost", "€0.01 per 100 requests", [("request", "0.01", "EUR", 100)]),
        ("model cost", "$0.10 USD per call", [("request", "0.10", "USD", 1)]),
        ("model cost (per image)", "$0.0025", [("image", "0.0025", "USD", 1)]),
        ("model cost", "₹0.20 (per image)", [("image", "0.20", "INR", 1)]),
        (
            "model cost",
            "$0.10 per 1M input tokens, $0.40 per 1M output tokens",
            [("input_tokens", "0.10", "USD", 1_000_000), ("output_tokens", "0.40", "USD", 1_000_000)],
        ),
    ],
)
def test_a_price_in_words_is_read(label: str, value: str, expected: list[tuple[str, str, str, int]]) -> None:
    reading = read_prices(label, value)
    assert reading.problem is None
    assert [(p["item"], p["amount"], p["currency"], p["per"]) for p in reading.prices] == expected


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("Free", "no amount with a currency ('$0.10', '0.0004 USD')"),
        ("$0.01", "'$0.01' is not followed by what it buys ('per image', '/ 1M tokens')"),
        (
            "$0.01 per megapixel",
            "unit 'megapixel' is none of tokens, requests, images, seconds, characters, credits",
        ),
        ("$0.01 per 1.5 images", "'per 1.5 images' is not a whole number of images"),
        (
            "$0.10 per 1M tokens, $0.02 per step",
            "unit 'step' is none of tokens, requests, images, seconds, characters, credits",
        ),
    ],
)
def test_a_price_that_cannot_be_read_says_why(value: str, problem: str) -> None:
    reading = read_prices("model cost", value)
    assert (reading.prices, reading.problem) == ([], problem)
