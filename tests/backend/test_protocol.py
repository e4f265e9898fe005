"""Every catalog model over real HTTP: valid calls, each kind of bad call, auth, routing."""

from __future__ import annotations

import logging
from urllib.parse import quote

import httpx
import jsonschema
import pytest

from generator.backend.server import BackendHandle
from generator.backend.synth import draw
from generator.catalog.entry import CatalogEntry
from tests.backend.calls import (
    auth_headers,
    call,
    data_path,
    error_of,
    model_path,
    properties_for,
    ranged_property,
    required_for,
    result_of,
    valid_input,
    wrap,
    wrong_value,
)
from tests.backend.conftest import ENTRIES, TOKEN, entry_id

each_model = pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
RANGED = [e for e in ENTRIES if ranged_property(e, valid_input(e)) is not None]


@each_model
def test_a_valid_request_gets_a_response_that_fits_the_output_schema(
    client: httpx.Client, entry: CatalogEntry
) -> None:
    response = call(client, entry, valid_input(entry))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(entry.response.content_type)
    jsonschema.Draft202012Validator(entry.output_schema).validate(result_of(entry, response.json()))


@pytest.mark.parametrize("entry", [e for e in ENTRIES if "{model_id}" in e.endpoint.path], ids=entry_id)
def test_a_percent_encoded_model_id_reaches_the_same_model(client: httpx.Client, entry: CatalogEntry) -> None:
    encoded = model_path(entry, quote(entry.model_id, safe=""))
    response = client.post(encoded, json=valid_input(entry), headers=auth_headers(entry))
    assert response.status_code == 200, response.text
    assert response.content == call(client, entry, valid_input(entry)).content


@each_model
def test_a_missing_required_field_is_named_with_its_path(client: httpx.Client, entry: CatalogEntry) -> None:
    data = valid_input(entry)
    required = [name for name in required_for(entry, data) if name in data]
    assert required, "every catalog model requires something"
    del data[required[0]]
    response = call(client, entry, data)
    assert response.status_code == 400
    errors = error_of(entry, response)
    assert any(path == data_path(entry) and repr(required[0]) in message for path, message in errors), errors


@each_model
def test_a_field_of_the_wrong_type_is_named_with_its_path(client: httpx.Client, entry: CatalogEntry) -> None:
    data = valid_input(entry)
    props = properties_for(entry, data)
    name = next(n for n in data if "type" in props.get(n, {}))
    data[name] = wrong_value(props[name])
    response = call(client, entry, data)
    assert response.status_code == 400
    errors = error_of(entry, response)
    assert any(path == f"{data_path(entry)}.{name}" and "is not of type" in m for path, m in errors), errors


@pytest.mark.parametrize("entry", RANGED, ids=entry_id)
def test_a_number_out_of_its_range_is_named_with_its_path(client: httpx.Client, entry: CatalogEntry) -> None:
    data = valid_input(entry)
    found = ranged_property(entry, data)
    assert found is not None
    name, value = found
    data[name] = value
    response = call(client, entry, data)
    assert response.status_code == 400
    errors = error_of(entry, response)
    assert any(path == f"{data_path(entry)}.{name}" and "than the m" in m for path, m in errors), errors


def test_every_problem_is_listed_not_only_the_first(client: httpx.Client) -> None:
    entry = next(e for e in ENTRIES if e.request.envelope is not None)
    data = valid_input(entry)
    ranged = [n for n, s in properties_for(entry, data).items() if "maximum" in s]
    assert len(ranged) >= 2
    for name in ranged[:2]:
        data[name] = properties_for(entry, data)[name]["maximum"] + 1
    paths = {path for path, _ in error_of(entry, call(client, entry, data))}
    assert {f"{data_path(entry)}.{n}" for n in ranged[:2]} <= paths


@each_model
def test_a_body_that_is_not_json_is_refused(client: httpx.Client, entry: CatalogEntry) -> None:
    response = client.post(model_path(entry), content=b"{not json", headers=auth_headers(entry))
    assert response.status_code == 400
    assert "not JSON" in error_of(entry, response)[0][1]


@each_model
def test_the_wrong_method_is_refused_with_allow(client: httpx.Client, entry: CatalogEntry) -> None:
    method = "GET" if entry.endpoint.method != "GET" else "POST"
    response = client.request(method, model_path(entry), headers=auth_headers(entry))
    assert response.status_code == 405
    assert response.headers["allow"] == entry.endpoint.method
    error_of(entry, response)


@each_model
def test_an_unknown_model_is_404_in_the_providers_format(client: httpx.Client, entry: CatalogEntry) -> None:
    response = call(client, entry, valid_input(entry), model_id=entry.model_id + "-nope")
    assert response.status_code == 404
    assert "-nope" in error_of(entry, response)[0][1]


def test_a_path_that_fits_no_template_is_404(client: httpx.Client) -> None:
    response = client.post("/nowhere/at/all", json={})
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


@each_model
def test_missing_credentials_are_401(client: httpx.Client, entry: CatalogEntry) -> None:
    response = client.post(model_path(entry), json=wrap(entry, valid_input(entry)))
    assert response.status_code == 401
    assert entry.auth.header in error_of(entry, response)[0][1]


@each_model
def test_only_the_servers_token_passes_when_it_has_one(
    guarded_backend: BackendHandle, entry: CatalogEntry
) -> None:
    body = wrap(entry, valid_input(entry))
    with httpx.Client(base_url=guarded_backend.url) as http:
        wrong = http.post(model_path(entry), json=body, headers=auth_headers(entry, "not-it"))
        right = http.post(model_path(entry), json=body, headers=auth_headers(entry, TOKEN))
    assert wrong.status_code == 401
    message = error_of(entry, wrong)[0][1]
    assert "invalid credentials" in message
    assert "$CARDGEN_CONFORMANCE_KEY" in message  # what a user running the generated tests must set
    assert right.status_code == 200, right.text


def test_a_bearer_header_without_the_scheme_is_refused(client: httpx.Client) -> None:
    entry = next(e for e in ENTRIES if e.auth.scheme == "bearer")
    response = client.post(
        model_path(entry), json=wrap(entry, valid_input(entry)), headers={entry.auth.header: "tok"}
    )
    assert response.status_code == 401


def test_the_models_endpoint_lists_every_model(client: httpx.Client) -> None:
    listed = client.get("/__cardgen/models").json()
    assert sorted((m["provider"], m["model_id"]) for m in listed) == sorted(
        (e.provider, e.model_id) for e in ENTRIES
    )


def test_each_request_is_logged_on_one_line(client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    entry = ENTRIES[0]
    with caplog.at_level(logging.INFO, logger="cardgen.backend"):
        call(client, entry, valid_input(entry))
        client.post("/nowhere", json={})
    lines = [r.getMessage() for r in caplog.records if r.name == "cardgen.backend"]
    assert len(lines) == 2
    assert lines[0].startswith(f"POST {model_path(entry)} model={entry.model_id} status=200 ")
    assert lines[0].endswith("ms")
    assert lines[1].startswith("POST /nowhere model=- status=404 ")


def test_an_input_that_matches_two_oneof_branches_says_so(client: httpx.Client) -> None:
    entry = next(e for e in ENTRIES if "oneOf" in e.input_schema)
    first, second = (
        draw(branch, jsonschema.Draft202012Validator(branch), seed=1, optional=0)
        for branch in entry.input_schema["oneOf"][:2]
    )
    response = call(client, entry, {**first, **second})
    assert response.status_code == 400
    messages = [m for _, m in error_of(entry, response)]
    assert any("matches oneOf branches 0 and 1; it must match exactly one" in m for m in messages), messages
