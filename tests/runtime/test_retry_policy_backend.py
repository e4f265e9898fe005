"""The written retry policy, checked against the local backend's injected faults (`x-cardgen-fault`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from generator.backend.server import BackendHandle, running_backend
from generator.catalog.entry import CatalogEntry
from tests.backend.calls import auth_headers, model_path, valid_input
from tests.conftest import seed_catalog


@pytest.fixture(scope="module")
def backend() -> Iterator[tuple[BackendHandle, CatalogEntry]]:
    catalog = seed_catalog()
    entry = next(e for e in catalog if e.request.envelope is None and e.streaming.terminator is not None)
    with running_backend(catalog, seed=0) as handle:
        yield handle, entry


def call(rt: Any, backend: tuple[BackendHandle, CatalogEntry], spec: str, **options: Any) -> Any:
    """Run the entry through the runtime client with a fault script; return (outcome, sleeps, attempts)."""
    handle, entry = backend
    key = uuid.uuid4().hex
    sleeps: list[float] = []
    [(header, value)] = auth_headers(entry).items()
    client = rt.SyncAPIClient(
        base_url=handle.url,
        auth_header=header,
        auth_value=value,
        default_headers={"x-cardgen-fault": spec, "x-cardgen-fault-key": key},
        sleep=sleeps.append,
        **options,
    )
    with client:
        try:
            outcome: Any = client.post_json(
                model_path(entry), body=valid_input(entry), model_id=entry.model_id
            )
        except rt.SDKError as exc:
            outcome = exc
    return outcome, sleeps, handle.requests(key)


def test_retry_after_within_the_cap_is_honoured(rt: Any, backend: Any) -> None:
    outcome, sleeps, attempts = call(rt, backend, "429;retry-after=2;times=1")
    assert not isinstance(outcome, Exception) and attempts == 2 and sleeps == [2.0]


def test_retry_after_ms_is_honoured_and_wins(rt: Any, backend: Any) -> None:
    _, sleeps, attempts = call(rt, backend, "503;retry-after-ms=1250;retry-after=9;times=1")
    assert attempts == 2 and sleeps == [1.25]


def test_retry_after_zero_and_over_the_cap_take_the_backoff(rt: Any, backend: Any) -> None:
    _, sleeps, attempts = call(rt, backend, "429;retry-after=0;times=1,503;retry-after=3600;times=1")
    assert attempts == 3
    assert 0.375 <= sleeps[0] <= 0.5 and 0.75 <= sleeps[1] <= 1.0


def test_x_should_retry_is_honoured_both_ways(rt: Any, backend: Any) -> None:
    refused, _, attempts = call(rt, backend, "503;should-retry=0")
    assert isinstance(refused, rt.InternalServerError) and attempts == 1
    answered, _, attempts = call(rt, backend, "400;should-retry=1;times=1")
    assert not isinstance(answered, Exception) and attempts == 2


def test_at_most_max_retries_attempts_then_the_error(rt: Any, backend: Any) -> None:
    outcome, sleeps, attempts = call(rt, backend, "500", max_retries=3)
    assert isinstance(outcome, rt.InternalServerError) and outcome.status_code == 500
    assert attempts == 4 and len(sleeps) == 3


def test_a_cut_stream_is_not_retried(rt: Any, backend: Any) -> None:
    handle, entry = backend
    key = uuid.uuid4().hex
    [(header, value)] = auth_headers(entry).items()
    headers = {"x-cardgen-fault": "cut;times=1", "x-cardgen-fault-key": key}
    settings = rt.StreamSettings(terminator=entry.streaming.terminator)
    flag = entry.streaming.request_flag or "stream"
    with rt.SyncAPIClient(
        base_url=handle.url,
        auth_header=header,
        auth_value=value,
        default_headers=headers,
        sleep=lambda _: None,
    ) as client:
        events = client.stream_events(
            model_path(entry),
            body={**valid_input(entry), flag: True},
            model_id=entry.model_id,
            settings=settings,
        )
        with pytest.raises(rt.StreamError):
            list(events)
    assert handle.requests(key) == 1


def test_an_answer_cut_off_after_its_status_is_not_sent_for_again(rt: Any, backend: Any) -> None:
    """The 200 arrived, then the body broke off: the server has run (and billed) the generation."""
    outcome, sleeps, attempts = call(rt, backend, "cut;times=1")
    assert isinstance(outcome, rt.APIConnectionError)
    assert str(outcome).startswith("Answer cut off: POST ") and ": 200 OK, then RemoteProtocolError" in str(
        outcome
    )
    assert attempts == 1 and sleeps == []


@pytest.mark.anyio
async def test_an_async_answer_cut_off_after_its_status_is_not_sent_for_again(rt: Any, backend: Any) -> None:
    handle, entry = backend
    key = uuid.uuid4().hex
    [(header, value)] = auth_headers(entry).items()
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client = rt.AsyncAPIClient(
        base_url=handle.url,
        auth_header=header,
        auth_value=value,
        default_headers={"x-cardgen-fault": "cut;times=1", "x-cardgen-fault-key": key},
        sleep=sleep,
    )
    async with client:
        with pytest.raises(rt.APIConnectionError, match=r"^Answer cut off: POST .*: 200 OK, then "):
            await client.post_json(model_path(entry), body=valid_input(entry), model_id=entry.model_id)
    assert handle.requests(key) == 1 and sleeps == []
