"""Faults on demand, per request and per server, and the attempt counts that retries leave."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from generator.backend.faults import Fault, FaultSpecError, parse_faults
from generator.backend.server import BackendHandle, running_backend
from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog
from tests.backend.calls import call, error_of, result_of, sse_payloads, stream_flag, valid_input
from tests.backend.conftest import ENTRIES, entry_id

each_model = pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
STREAMING = [e for e in ENTRIES if e.streaming.supported]


def fault(spec: str, key: str | None = None) -> dict[str, str]:
    return {"x-cardgen-fault": spec, "x-cardgen-fault-key": key or uuid.uuid4().hex}


@each_model
@pytest.mark.parametrize("status", [429, 500, 503, 406])
def test_a_status_fault_answers_in_the_providers_error_format(
    client: httpx.Client, entry: CatalogEntry, status: int
) -> None:
    response = call(client, entry, valid_input(entry), headers=fault(str(status)))
    assert response.status_code == status
    message = error_of(entry, response)[0][1]
    declared = {e.status: e.description for e in entry.errors}
    assert message.startswith(declared.get(status, "")), "a declared error's description is reused"
    assert "retry-after" not in response.headers


@each_model
def test_429_carries_retry_after(client: httpx.Client, entry: CatalogEntry) -> None:
    response = call(client, entry, valid_input(entry), headers=fault("429;retry-after=1"))
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"


def test_segmind_406_says_credits_ran_out(client: httpx.Client) -> None:
    entry = next(e for e in ENTRIES if any(err.status == 406 for err in e.errors))
    response = call(client, entry, valid_input(entry), headers=fault("406"))
    assert response.status_code == 406
    assert "credits" in error_of(entry, response)[0][1]


@each_model
def test_slow_delays_then_answers(client: httpx.Client, entry: CatalogEntry) -> None:
    started = time.monotonic()
    response = call(client, entry, valid_input(entry), headers=fault("slow;ms=100"))
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.1
    result_of(entry, response.json())


@each_model
def test_malformed_is_200_with_a_body_that_is_not_json(client: httpx.Client, entry: CatalogEntry) -> None:
    response = call(client, entry, valid_input(entry), headers=fault("malformed"))
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


@each_model
def test_cut_drops_the_connection_midway(client: httpx.Client, entry: CatalogEntry) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        call(client, entry, valid_input(entry), headers=fault("cut"))


@pytest.mark.parametrize("entry", STREAMING, ids=entry_id)
def test_a_cut_stream_stops_without_its_terminator(client: httpx.Client, entry: CatalogEntry) -> None:
    data = {**valid_input(entry), stream_flag(entry): True}
    whole = sse_payloads(call(client, entry, data).text)
    cut = sse_payloads(call(client, entry, data, headers=fault("cut")).text)
    assert 0 < len(cut) < len(whole) - 1
    assert cut == whole[: len(cut)]
    assert entry.streaming.terminator not in cut


@pytest.mark.parametrize("entry", STREAMING, ids=entry_id)
def test_a_malformed_stream_has_an_event_that_is_not_json(client: httpx.Client, entry: CatalogEntry) -> None:
    data = {**valid_input(entry), stream_flag(entry): True}
    payloads = sse_payloads(call(client, entry, data, headers=fault("malformed")).text)
    assert payloads[-1] == entry.streaming.terminator
    broken = []
    for payload in payloads[:-1]:
        try:
            json.loads(payload)
        except json.JSONDecodeError:
            broken.append(payload)
    assert len(broken) == 1


@each_model
def test_times_limits_a_fault_to_the_first_attempts_of_a_key(
    backend: BackendHandle, client: httpx.Client, entry: CatalogEntry
) -> None:
    headers = fault("429;retry-after=0;times=2")
    statuses = [call(client, entry, valid_input(entry), headers=headers).status_code for _ in range(4)]
    assert statuses == [429, 429, 200, 200]
    key = headers["x-cardgen-fault-key"]
    assert backend.requests(key) == 4
    assert client.get("/__cardgen/requests").json()["by_key"][key] == 4


def test_steps_of_a_script_follow_each_other(client: httpx.Client) -> None:
    entry = ENTRIES[0]
    headers = fault("500;times=1,503;retry-after=2;times=2,slow;ms=1;times=1")
    responses = [call(client, entry, valid_input(entry), headers=headers) for _ in range(5)]
    assert [r.status_code for r in responses] == [500, 503, 503, 200, 200]
    assert responses[1].headers["retry-after"] == "2"


def test_a_fault_for_the_whole_server_keys_attempts_by_body(catalog: Catalog) -> None:
    entry = ENTRIES[-1]
    with running_backend(catalog, faults="503;times=1") as handle, httpx.Client(base_url=handle.url) as http:
        first, again = (call(http, entry, valid_input(entry)).status_code for _ in range(2))
        other = {**valid_input(entry), "extra_field_for_a_new_key": 1}
        fresh = call(http, entry, other).status_code
        header_wins = call(http, entry, valid_input(entry), headers=fault("500")).status_code
        assert handle.total_requests == 4
        assert sorted(handle.request_counts().values()) == [1, 1, 2]
    assert (first, again, fresh, header_wins) == (503, 200, 503, 500)


def test_counts_can_be_reset(catalog: Catalog) -> None:
    with running_backend(catalog) as handle, httpx.Client(base_url=handle.url) as http:
        call(http, ENTRIES[0], valid_input(ENTRIES[0]), headers=fault("500", "k"))
        assert http.get("/__cardgen/requests").json() == {
            "total": 1,
            "by_key": {"k": 1},
            "token_enforced": False,
        }
        assert http.delete("/__cardgen/requests").status_code == 204
        assert handle.total_requests == 0


def test_a_bad_fault_header_is_400(client: httpx.Client) -> None:
    entry = ENTRIES[0]
    response = call(client, entry, valid_input(entry), headers=fault("teapot"))
    assert response.status_code == 400
    assert "x-cardgen-fault" in error_of(entry, response)[0][1]


def test_a_slow_fault_over_its_maximum_is_400_at_once(client: httpx.Client) -> None:
    entry = ENTRIES[0]
    started = time.monotonic()
    response = call(client, entry, valid_input(entry), headers=fault("slow;ms=999999999999"))
    assert response.status_code == 400
    assert "at most 60000" in error_of(entry, response)[0][1]
    assert time.monotonic() - started < 5


def test_a_status_fault_can_ask_for_retry_after_ms_and_say_whether_to_retry(client: httpx.Client) -> None:
    entry = ENTRIES[0]
    spec = "503;retry-after-ms=1500;should-retry=0"
    response = call(client, entry, valid_input(entry), headers=fault(spec))
    assert response.status_code == 503
    assert response.headers["retry-after-ms"] == "1500"
    assert response.headers["x-should-retry"] == "false"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("429;retry-after=1", (Fault("status", status=429, retry_after=1),)),
        ("slow;ms=200", (Fault("slow", ms=200),)),
        ("slow", (Fault("slow", ms=200),)),
        (" cut ;times=3 , malformed", (Fault("cut", times=3), Fault("malformed"))),
        ("406", (Fault("status", status=406),)),
        (
            "503;retry-after-ms=1500;should-retry=0",
            (Fault("status", status=503, retry_after_ms=1500, should_retry=0),),
        ),
        ("slow;ms=60000", (Fault("slow", ms=60000),)),
    ],
)
def test_specs_parse(spec: str, expected: tuple[Fault, ...]) -> None:
    assert parse_faults(spec).steps == expected


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("200", "between 400 and 599"),
        ("boom", "expected an HTTP status"),
        ("429;retry-after=soon", "whole number"),
        ("429;wait=1", "expected one of"),
        ("slow;retry-after=1", "takes no retry-after"),
        ("cut;ms=5", "takes no ms"),
        ("500;ms=5", "takes no ms"),
        ("", "expected an HTTP status"),
        ("429;times=\u00b2", "whole number"),
        ("\u00b2", "expected an HTTP status"),
        ("slow;ms=60001", "ms is at most 60000"),
        ("slow;ms=999999999999", "ms is at most 60000"),
        ("slow;ms=99999999999999999999999", "whole number"),
        ("429;retry-after=86401", "at most 86400"),
        ("429;should-retry=2", "at most 1"),
        ("cut;should-retry=1", "takes no should-retry"),
        ("500;times=1," * 100 + "500", "at most 100 steps"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec: str, problem: str) -> None:
    with pytest.raises(FaultSpecError, match=problem):
        parse_faults(spec)


def test_a_script_picks_the_step_for_each_attempt() -> None:
    script = parse_faults("500;times=2,429;times=1")
    assert [script.for_attempt(n) for n in range(1, 5)] == [
        Fault("status", status=500, times=2),
        Fault("status", status=500, times=2),
        Fault("status", status=429, times=1),
        None,
    ]
    assert parse_faults("503").for_attempt(1000) == Fault("status", status=503)


def test_none_asks_for_no_fault() -> None:
    assert parse_faults("none").steps == ()
    assert parse_faults("none").for_attempt(1) is None
