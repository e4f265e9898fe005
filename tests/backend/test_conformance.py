"""Property-based: the server accepts exactly what the input schema accepts, for every model."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from generator.backend.server import BackendHandle
from generator.catalog.entry import CatalogEntry
from tests.backend.calls import call, error_of, result_of, sse_payloads, stream_flag
from tests.backend.conftest import ENTRIES, entry_id

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def check_answer(entry: CatalogEntry, data: Any, response: httpx.Response) -> None:
    """Valid input: an answer (or a stream); anything else: 400 with at least one problem."""
    if not jsonschema.Draft202012Validator(entry.input_schema).is_valid(data):
        assert response.status_code == 400, response.text
        assert error_of(entry, response)
    elif isinstance(data, dict) and data.get(stream_flag(entry)) is True:
        if entry.streaming.supported:
            assert sse_payloads(response.text)[-1] == entry.streaming.terminator
        else:
            assert response.status_code == 400
    else:
        assert response.status_code == 200, response.text
        jsonschema.validate(result_of(entry, response.json()), entry.output_schema)


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_inputs_drawn_from_the_input_schema_are_answered(backend: BackendHandle, entry: CatalogEntry) -> None:
    with httpx.Client(base_url=backend.url, timeout=10) as http:

        @SETTINGS
        @given(data=from_schema(entry.input_schema))
        def check(data: Any) -> None:
            check_answer(entry, data, call(http, entry, data))

        check()


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_arbitrary_json_is_judged_like_the_schema_judges_it(
    backend: BackendHandle, entry: CatalogEntry
) -> None:
    with httpx.Client(base_url=backend.url, timeout=10) as http:

        @SETTINGS
        @given(data=JSON)
        def check(data: Any) -> None:
            check_answer(entry, data, call(http, entry, data))

        check()
