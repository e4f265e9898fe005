"""Status-to-exception mapping and what the exceptions carry."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from .support import Recorder, json_response, make_sync

STATUS_CLASSES = [
    (400, "BadRequestError"),
    (401, "AuthenticationError"),
    (403, "PermissionDeniedError"),
    (404, "NotFoundError"),
    (405, "MethodNotAllowedError"),
    (406, "APIStatusError"),  # Not Acceptable, in HTTP; "credits" only where a model declares it
    (408, "RequestTimeoutError"),
    (409, "ConflictError"),
    (410, "APIStatusError"),
    (418, "APIStatusError"),
    (422, "UnprocessableEntityError"),
    (429, "RateLimitError"),
    (500, "InternalServerError"),
    (503, "InternalServerError"),
    (599, "InternalServerError"),
]


@pytest.mark.parametrize(("status", "class_name"), STATUS_CLASSES)
def test_each_status_raises_its_class(rt: Any, status: int, class_name: str) -> None:
    client = make_sync(rt, Recorder(json_response(status, {"error": "nope"})), max_retries=0)
    with pytest.raises(rt.APIStatusError) as caught:
        client.post_json("m", body={}, model_id="m")
    assert type(caught.value) is getattr(rt, class_name)
    assert caught.value.status_code == status
    assert isinstance(caught.value, rt.SDKError)


def test_the_hierarchy(rt: Any) -> None:
    assert issubclass(rt.APITimeoutError, rt.APIConnectionError)
    for name in (
        "APIConnectionError",
        "APIStatusError",
        "ProviderError",
        "StreamError",
        "ResponseValidationError",
    ):
        assert issubclass(getattr(rt, name), rt.SDKError)
    assert issubclass(rt.InternalServerError, rt.APIStatusError)


def test_a_406_reads_as_insufficient_credits_only_where_the_model_declares_it(rt: Any) -> None:
    response = httpx.Response(406, json={"error": "Not enough credits"})
    error = rt.status_error(response, response.json(), [], status_errors={406: "credits"})
    assert isinstance(error, rt.InsufficientCreditsError)
    assert error.message == "406 Not Acceptable: Not enough credits"
    assert str(error) == error.message
    assert type(rt.status_error(response, response.json(), [])) is rt.APIStatusError
    assert (
        type(rt.status_error(response, response.json(), [], status_errors={402: "credits"}))
        is rt.APIStatusError
    )
    # A status with a class of its own keeps it, whatever the page says of it too.
    limited = httpx.Response(429, json={"error": "rate limit or out of credits"})
    assert (
        type(rt.status_error(limited, limited.json(), [], status_errors={429: "credits"}))
        is rt.RateLimitError
    )


def test_provider_errors_and_body_are_kept(rt: Any) -> None:
    body = {"success": False, "errors": [{"code": 7003, "message": "No route for that URI"}], "messages": []}
    client = make_sync(rt, Recorder(json_response(400, body)), response_envelope=rt.ResponseEnvelope())
    with pytest.raises(rt.BadRequestError) as caught:
        client.post_json("m", body={}, model_id="m")
    error = caught.value
    assert error.body == body
    assert error.provider_errors == [{"code": 7003, "message": "No route for that URI"}]
    assert error.message == "400 Bad Request: 7003: No route for that URI"
    assert error.response.status_code == 400


def test_the_errors_key_of_the_envelope_is_used(rt: Any) -> None:
    body = {"ok": False, "problems": ["quota"]}
    envelope = rt.ResponseEnvelope(
        result_key="out", success_key="ok", errors_key="problems", messages_key=None
    )
    client = make_sync(rt, Recorder(json_response(403, body)), response_envelope=envelope)
    with pytest.raises(rt.PermissionDeniedError) as caught:
        client.post_json("m", body={}, model_id="m")
    assert caught.value.provider_errors == ["quota"]


def test_a_text_body_is_kept_as_text_and_shortened_in_the_message(rt: Any) -> None:
    page = "<html>" + "x" * 1000 + "</html>"
    client = make_sync(rt, Recorder(httpx.Response(502, text=page)), max_retries=0)
    with pytest.raises(rt.InternalServerError) as caught:
        client.post_json("m", body={}, model_id="m")
    assert caught.value.body == page
    assert caught.value.provider_errors == []
    assert caught.value.message.startswith("502 Bad Gateway: <html>xxx")
    assert len(caught.value.message) < 400


def test_nested_error_objects_are_described(rt: Any) -> None:
    response = httpx.Response(401, json={"error": {"message": "Invalid token", "type": "auth"}})
    assert rt.status_error(response, response.json(), []).message == "401 Unauthorized: auth: Invalid token"


def test_an_empty_body_gives_the_status_line(rt: Any) -> None:
    response = httpx.Response(404)
    assert rt.status_error(response, "", []).message == "404 Not Found"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "-3"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_parsed_onto_the_error(
    rt: Any, headers: dict[str, str], expected: float | None
) -> None:
    response = httpx.Response(429, headers=headers)
    assert rt.status_error(response, "", []).retry_after == expected


def test_retry_after_as_a_future_http_date(rt: Any) -> None:
    import email.utils
    import time

    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    seconds = rt.parse_retry_after(httpx.Headers({"retry-after": date}))
    assert 28 <= seconds <= 30


def test_a_secret_echoed_by_the_server_is_scrubbed_from_the_message(rt: Any) -> None:
    response = httpx.Response(401, json={"error": "bad key sk-live-0123456789abcdef"})
    error = rt.status_error(response, response.json(), [], secrets=["sk-live-0123456789abcdef"])
    assert error.message == "401 Unauthorized: bad key <redacted>"


def test_a_request_id_that_echoes_the_key_is_scrubbed(rt: Any) -> None:
    from .support import API_KEY

    answer = json_response(500, {"error": "x"}, {"cf-ray": f"ray-{API_KEY}-999"})
    error = _raised(
        lambda: make_sync(rt, Recorder(answer), max_retries=0).post_json("m", body={}, model_id="m")
    )
    assert error.request_id == "ray-<redacted>-999"
    plain = _raised(
        lambda: make_sync(
            rt, Recorder(json_response(500, {}, {"cf-ray": "8f2c-LHR"})), max_retries=0
        ).post_json("m", body={}, model_id="m")
    )
    assert plain.request_id == "8f2c-LHR"


def test_errors_in_a_process_of_many_clients_build_each_secrets_rule_once(rt: Any) -> None:
    """A server with a client per tenant, each its own key: more keys than the SDK remembers (its
    last _MAX_KNOWN secrets). Each error is scrubbed against every one of them; their rules are
    built once, not again for every error (a regex compile per key, ~0.3 s per error)."""
    known = dict(rt._sdk_error._KNOWN)
    tenants = rt._sdk_error._MAX_KNOWN + 44
    try:
        for tenant in range(tenants):
            rt.remember([f"tenant-{tenant:04d}-key-0123456789abcdef"])
        assert len(rt.known_secrets()) < tenants
        echoed = f"tenant-{tenants - 1:04d}-key-0123456789abcdef"
        response = httpx.Response(500, json={"error": f"echoed {echoed}"})
        patterns = rt._redact._escaped_pattern.cache_info().misses
        first = rt.status_error(response, response.json(), [])
        built = rt._redact._rule.cache_info()
        for _ in range(3):
            again = rt.status_error(response, response.json(), [])
        assert rt._redact._rule.cache_info().misses == built.misses
        assert again.message == first.message == "500 Internal Server Error: echoed <redacted>"
        # No escapes in these texts: no secret's escaped pattern (~1.3 ms each) was compiled for them.
        assert rt._redact._escaped_pattern.cache_info().misses == patterns
        escaped = echoed.replace("-", "%2D")
        encoded = httpx.Response(500, json={"error": f"echoed {escaped}"})
        assert rt.status_error(encoded, encoded.json(), []).message == first.message
        compiled = rt._redact._escaped_pattern.cache_info().misses
        assert compiled > patterns
        rt.status_error(encoded, encoded.json(), [])
        assert rt._redact._escaped_pattern.cache_info().misses == compiled  # compiled once each
    finally:
        with rt._sdk_error._KNOWN_LOCK:
            rt._sdk_error._KNOWN.clear()
            rt._sdk_error._KNOWN.update(known)


def _raised(action: Any) -> Any:
    try:
        action()
    except Exception as exc:
        return exc
    raise AssertionError("nothing raised")


def test_every_error_survives_pickle_and_copy_as_it_was(rt: Any) -> None:
    """An error raised in a worker process (ProcessPoolExecutor, multiprocessing) reaches its
    parent: pickled, it comes back of its class, with its message and attributes."""
    import copy
    import pickle

    from .support import API_KEY

    answer = json_response(429, {"errors": [{"code": 7, "message": "slow down"}]}, {"retry-after": "3"})
    status = _raised(
        lambda: make_sync(rt, Recorder(answer), max_retries=0).post_json("m", body={}, model_id="m")
    )
    refused = _raised(
        lambda: make_sync(rt, Recorder(httpx.ConnectError("refused")), max_retries=0).post_json(
            "m", body={}, model_id="m"
        )
    )
    errors = [
        status,
        refused,
        rt.ResponseValidationError("response declares JSON but is not valid JSON", expected="JSON", body="{"),
        rt.StreamError("stream ended early", data={"x": 1}, status_code=500, provider_errors=[{"code": 1}]),
        rt.ProviderError("failed", provider_errors=[{"code": 2}], messages=["m"], body={"success": False}),
        rt.RequestValidationError(
            "temperature: too hot", [{"type": "less_than", "loc": ("t",), "msg": "no"}]
        ),
    ]
    assert [type(e).__name__ for e in errors[:2]] == ["RateLimitError", "APIConnectionError"]
    for error in errors:
        for again in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):
            assert type(again) is type(error)
            assert str(again) == str(error) and again.args == error.args
            kept = {k: v for k, v in vars(error).items() if k not in {"response", "request"}}
            assert {k: v for k, v in vars(again).items() if k in kept} == kept
    # The credential sent stays behind: a pickled error travels (a result store, another host).
    assert status.response.request.headers["authorization"] == f"Bearer {API_KEY}"
    for carried in (
        pickle.loads(pickle.dumps(status)).response.request,
        pickle.loads(pickle.dumps(refused)).request,
    ):
        assert carried.headers["authorization"] == "<redacted>"
    assert API_KEY not in repr(pickle.dumps(status)) and API_KEY not in repr(pickle.dumps(refused))
    assert (
        status.response.request.headers["authorization"] == f"Bearer {API_KEY}"
    )  # the error itself keeps it
    back = pickle.loads(pickle.dumps(status))
    assert (back.status_code, back.retry_after, back.request_id) == (429, 3.0, status.request_id)
    assert back.response.status_code == 429 and back.response.json() == status.response.json()


def test_a_pickled_error_keeps_no_credential_the_server_echoed_and_a_compressed_answer_pickles(
    rt: Any,
) -> None:
    """An auth error that quotes the key (body, a header, a cookie); an answer sent gzip-compressed,
    as real providers send their errors: the copy carries the decoded body, not its encoding."""
    import gzip
    import pickle

    from .support import API_KEY

    body = json.dumps({"error": f"bad token Bearer {API_KEY}"}).encode()
    echoed = httpx.Response(
        401,
        content=gzip.compress(body),
        headers={"content-encoding": "gzip", "x-echo-token": API_KEY, "set-cookie": "__session=s-123456789",
                 "cf-ray": "8abc-SJC", "content-type": "application/json"},
    )  # fmt: skip
    error = _raised(
        lambda: make_sync(rt, Recorder(lambda _: echoed), max_retries=0).post_json("m", body={}, model_id="m")
    )
    assert isinstance(error, rt.AuthenticationError)
    data = pickle.dumps(error)
    assert API_KEY.encode() not in data and b"s-123456789" not in data
    back = pickle.loads(data)
    assert type(back) is rt.AuthenticationError and back.status_code == 401 and back.request_id == "8abc-SJC"
    assert back.response.json() == {"error": "bad token <redacted>"}
    assert back.response.headers["x-echo-token"] == back.response.headers["set-cookie"] == "<redacted>"


def test_a_credential_in_the_query_is_redacted_in_messages_and_pickles(rt: Any) -> None:
    """`extra_query={"api_key": ...}`: by its name, as a header's; not a secret any client holds."""
    import pickle

    options = rt.RequestOptions(query={"api_key": "query-SECRET-555", "page": "2"})
    client = make_sync(rt, Recorder(httpx.ConnectError("refused")), max_retries=0)
    error = _raised(lambda: client.post_json("m", body={}, model_id="m", options=options))
    assert "query-SECRET-555" not in str(error) and "page=2" in str(error)
    assert b"query-SECRET-555" not in pickle.dumps(error)
    assert error.request.url.params["api_key"] == "query-SECRET-555"  # the request itself, as sent
