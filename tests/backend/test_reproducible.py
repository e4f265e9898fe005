"""Same seed and body, same bytes; the documents' examples on request."""

from __future__ import annotations

import httpx
import pytest

from generator.backend.server import running_backend
from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog
from tests.backend.calls import call, result_of, stream_flag, valid_input
from tests.backend.conftest import ENTRIES, entry_id

each_model = pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
WITH_EXAMPLE_RESPONSE = [e for e in ENTRIES if any(x.response is not None for x in e.examples)]


def bodies(catalog: Catalog, seed: int, stream: bool = False) -> list[bytes]:
    """Answer every model's valid input on a fresh server with this seed."""
    with running_backend(catalog, seed=seed) as handle, httpx.Client(base_url=handle.url) as http:
        out = []
        for entry in ENTRIES:
            if stream and not entry.streaming.supported:
                continue
            data = {**valid_input(entry), stream_flag(entry): True} if stream else valid_input(entry)
            response = call(http, entry, data)
            assert response.status_code == 200
            out.append(response.content)
        return out


@each_model
def test_the_same_body_gets_the_same_bytes(client: httpx.Client, entry: CatalogEntry) -> None:
    first, second = (call(client, entry, valid_input(entry)).content for _ in range(2))
    assert first == second


def test_servers_with_the_same_seed_answer_the_same_bytes(catalog: Catalog) -> None:
    assert bodies(catalog, seed=5) == bodies(catalog, seed=5)
    assert bodies(catalog, seed=5, stream=True) == bodies(catalog, seed=5, stream=True)


def test_another_seed_gives_other_answers(catalog: Catalog) -> None:
    one, other = bodies(catalog, seed=1), bodies(catalog, seed=2)
    assert len(one) == len(other) == len(ENTRIES)
    assert one != other


def test_another_body_gives_another_answer(client: httpx.Client) -> None:
    entry = next(e for e in ENTRIES if e.streaming.supported)
    plain = call(client, entry, valid_input(entry)).content
    flagged = call(client, entry, {**valid_input(entry), stream_flag(entry): False}).content
    assert plain != flagged


@pytest.mark.parametrize("entry", WITH_EXAMPLE_RESPONSE, ids=entry_id)
def test_the_example_header_answers_the_documents_example(client: httpx.Client, entry: CatalogEntry) -> None:
    response = call(client, entry, valid_input(entry), headers={"x-cardgen-example": "1"})
    assert response.status_code == 200
    assert response.headers["x-cardgen-source"] == "example"
    assert result_of(entry, response.json()) == entry.examples[0].response


def test_the_examples_flag_answers_examples_for_every_request(catalog: Catalog) -> None:
    entry = WITH_EXAMPLE_RESPONSE[0]
    other = next(e for e in ENTRIES if not any(x.response is not None for x in e.examples))
    with running_backend(catalog, examples=True) as handle, httpx.Client(base_url=handle.url) as http:
        shown = call(http, entry, valid_input(entry))
        drawn = call(http, other, valid_input(other))
    assert shown.headers["x-cardgen-source"] == "example"
    assert result_of(entry, shown.json()) == entry.examples[0].response
    assert drawn.headers["x-cardgen-source"] == "synth", "no example response: drawn instead"


def test_without_the_header_answers_are_drawn(client: httpx.Client) -> None:
    entry = WITH_EXAMPLE_RESPONSE[0]
    response = call(client, entry, valid_input(entry))
    assert response.headers["x-cardgen-source"] == "synth"
    assert result_of(entry, response.json()) != entry.examples[0].response
