"""validate_as: typed results, and errors that name the expected type without echoing the data."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest


class Chunk(pydantic.BaseModel):
    response: str
    tokens: int = 0


def test_a_model_is_validated(rt: Any) -> None:
    assert rt.validate_as(Chunk, {"response": "hi"}) == Chunk(response="hi")


def test_other_types_are_validated_through_a_cached_adapter(rt: Any) -> None:
    assert rt.validate_as(list[Chunk], [{"response": "a"}]) == [Chunk(response="a")]
    assert rt.validate_as(list[Chunk], []) == []
    assert rt.validate_as(int, "3") == 3


def test_a_mismatch_names_the_type_and_the_place(rt: Any) -> None:
    with pytest.raises(rt.ResponseValidationError) as caught:
        rt.validate_as(Chunk, {"response": 1, "tokens": "many", "secret": "hunter2"})
    error = caught.value
    assert error.expected == "Chunk"
    assert error.message.startswith("response does not match Chunk: 2 validation errors: response:")
    assert "tokens:" in error.message
    assert "hunter2" not in error.message
    assert isinstance(error.__cause__, pydantic.ValidationError)
    assert error.body == {"response": 1, "tokens": "many", "secret": "hunter2"}


def test_a_generic_type_is_named_in_full(rt: Any) -> None:
    with pytest.raises(rt.ResponseValidationError, match=r"list\[.*Chunk\]: 1 validation error: 0"):
        rt.validate_as(list[Chunk], [{}])
