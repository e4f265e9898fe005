"""Properties every generated model must satisfy: its types, its schemas and a backend agree.

Each check takes the classes and clients it exercises as arguments, so a test can hand it a
deliberately broken one and watch it fail.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, get_args
from urllib.parse import parse_qsl, urlsplit

import httpx
import jsonschema
import pytest
from _answer_schemas import as_read
from _raw_bodies import assert_raw_sent, decode_query, expected_query, uploads_for
from _strategy_cache import install as _memoise_strategies
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from hypothesis_jsonschema import from_schema
from pydantic import BaseModel, RootModel, ValidationError

from _backends import tls
from _cassettes import ReplayTransport, load_cassettes

_memoise_strategies()
JsonSchema = dict[str, Any]
NASTY: tuple[Any, ...] = (
    None,
    "3",
    "true",
    "1.5",
    "",
    3,
    3.5,
    -1,
    0,
    10**12,
    2**53 + 1,  # the first integer a float cannot hold
    10**400,  # beyond any float
    -0.0,
    1e-7,
    True,
    False,
    [],
    {},
    "x" * 10_000,
    "é",
    "e\u0301",  # the same letter, combining
    "日本語",
    "\u2028",
)


@dataclass(frozen=True)
class ModelSpec:
    """What the conformance suite needs to know about one generated model."""

    provider: str
    slug: str
    model_id: str
    client_class: str
    input_schema: JsonSchema
    output_schema: JsonSchema
    chunk_schema: JsonSchema | None = None
    stream_flag: str | None = None
    request_envelope: tuple[str, str] | None = None
    binary_output: bool = False
    request_root: bool = False  # the input is one JSON value (an array, a string), passed positionally
    raw_content: str = ""  # "alternative": run(content) may replace the JSON input; "only": it is the input
    upload_param: str | None = (
        None  # the run() argument sent as the raw body; the other inputs go in the query
    )
    upload_required: bool = False
    upload_form: bool = False  # the raw body must be a multipart form
    upload_class: Any = None  # the SDK's Upload, for models that take raw bytes
    credentials: Mapping[str, str] = field(default_factory=dict)
    # Overlapping output `oneOf` branches the catalog found: the document's defect, reported, not failed.
    output_defects: tuple[str, ...] = ()


def same_json(left: Any, right: Any) -> bool:
    """Equal as JSON texts are: 1 and 1.0 differ (Python's == says they do not), true is not 1."""
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_json(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(same_json, left, right))
    return type(left) is type(right) and left == right


def settings_for(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )


@cache
def _valid_cached(schema_json: str) -> st.SearchStrategy[Any]:
    return from_schema(json.loads(schema_json))


def valid_payloads(schema: JsonSchema) -> st.SearchStrategy[Any]:
    """Values the schema accepts (hypothesis-jsonschema), cached per schema."""
    try:
        strategy = _valid_cached(json.dumps(schema, sort_keys=True))
        strategy.validate()
    except (HypothesisException, jsonschema.exceptions.SchemaError, RecursionError) as exc:
        pytest.skip(
            f"hypothesis-jsonschema cannot generate values for this schema: {type(exc).__name__}: {exc}"
        )
    return strategy


def _properties(schema: Any) -> dict[str, JsonSchema]:
    """Every property the schema or its branches define, by name."""
    found: dict[str, JsonSchema] = {}
    if not isinstance(schema, dict):
        return found
    for name, sub in (schema.get("properties") or {}).items():
        if isinstance(sub, dict):
            found.setdefault(name, sub)
            for nested, nested_sub in _properties(sub).items():
                found.setdefault(nested, nested_sub)
    for keyword in ("oneOf", "anyOf", "allOf"):
        for branch in schema.get(keyword) or []:
            for name, sub in _properties(branch).items():
                found.setdefault(name, sub)
    items = schema.get("items")
    if isinstance(items, dict):
        for name, sub in _properties(items).items():
            found.setdefault(name, sub)
    return found


def _boundaries(sub: JsonSchema) -> list[Any]:
    """Values just inside and just outside a property's limits."""
    values: list[Any] = []
    for key, step in (("minimum", -1), ("maximum", 1), ("exclusiveMinimum", 0), ("exclusiveMaximum", 0)):
        bound = sub.get(key)
        if isinstance(bound, int | float) and not isinstance(bound, bool):
            values += [bound, bound + step, bound + step / 1000 if step else bound, bound - 1e-7, bound + 1e-7]
    for key, step in (("minLength", -1), ("maxLength", 1)):
        length = sub.get(key)
        if isinstance(length, int):
            values += ["a" * max(length, 0), "a" * max(length + step, 0)]
    if "const" in sub:
        values += [_lookalike(sub["const"])]
    for member in sub.get("enum") or []:
        values += [_lookalike(member)]
    return values


def _lookalike(value: Any) -> Any:
    """A value JSON tells apart from value and a careless comparison does not: 1 for true, 1.0 for 1."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return True if value == 1 else float(value)
    if isinstance(value, str):
        return value.upper() if value != value.upper() else value + " "
    if isinstance(value, list):
        return [*value, value[-1]] if value else [None]
    if isinstance(value, dict):
        return {**value, "extra": None}
    return value


def _rejecting(sub: JsonSchema) -> st.SearchStrategy[Any] | None:
    """Values the schema turns down through `not`, `if`/`then` or `uniqueItems`, where it can say."""
    if "$ref" in json.dumps(sub):
        return None  # a reference needs the whole document; the other edits cover this property
    if isinstance(sub.get("not"), dict):
        return _drawable(sub["not"])
    if isinstance(sub.get("if"), dict) and isinstance(sub.get("then"), dict):
        return _drawable({"allOf": [sub["if"], {"not": sub["then"]}]})
    if sub.get("uniqueItems") is True:
        loose = _drawable({k: v for k, v in sub.items() if k != "uniqueItems"})
        return None if loose is None else loose.map(lambda value: [*value, value[0]] if value else value)
    return None


def _drawable(schema: JsonSchema) -> st.SearchStrategy[Any] | None:
    """Values of schema, or None where hypothesis-jsonschema cannot draw them: an edit is optional."""
    try:
        strategy = _valid_cached(json.dumps(schema, sort_keys=True))
        strategy.validate()
    except (HypothesisException, jsonschema.exceptions.SchemaError, RecursionError):
        return None
    return strategy


@st.composite
def _mutation(draw: st.DrawFn, value: Any, schema: JsonSchema) -> Any:
    """One edit a careless caller would make: wrong type, null, bound, missing key, mixed branches."""
    if not isinstance(value, dict) or not value:
        return draw(st.sampled_from(NASTY))
    properties = _properties(schema)
    key = draw(st.sampled_from(sorted(value)))
    operation = draw(st.sampled_from(["replace", "bound", "delete", "add", "mix", "deep", "rejected"]))
    changed = dict(value)
    if operation == "delete":
        del changed[key]
    elif operation == "bound" and _boundaries(properties.get(key, {})):
        changed[key] = draw(st.sampled_from(_boundaries(properties[key])))
    elif operation == "rejected" and (rejecting := _rejecting(properties.get(key, {}))) is not None:
        changed[key] = draw(rejecting)
    elif operation == "add" and properties:
        changed[draw(st.sampled_from(sorted(properties)))] = draw(st.sampled_from(NASTY))
    elif operation == "mix" and len(schema.get("oneOf") or []) > 1:
        branch = draw(st.sampled_from(schema["oneOf"]))
        other = draw(valid_payloads({**{k: v for k, v in schema.items() if k != "oneOf"}, **branch}))
        if isinstance(other, dict):
            changed = {**other, **changed}
    elif operation == "deep" and isinstance(value[key], dict | list):
        nested = value[key]
        changed[key] = (
            draw(_mutation(nested, properties.get(key, {})))
            if isinstance(nested, dict)
            else [draw(_mutation(item, properties.get(key, {}).get("items", {}))) for item in nested]
        )
    else:
        changed[key] = draw(st.sampled_from(NASTY))
    return changed


@st.composite
def valid_and_invalid(draw: st.DrawFn, schema: JsonSchema) -> Any:
    """Half valid values, half one careless edit away from valid."""
    value = draw(valid_payloads(schema))
    return draw(_mutation(value, schema)) if draw(st.booleans()) else value


def _field_names(model: Any) -> dict[str, str]:
    """Schema property name -> Python argument name, over a class or a union of classes."""
    names: dict[str, str] = {}
    members = [model]
    while members:
        current = members.pop()
        if isinstance(current, type) and issubclass(current, BaseModel):
            if issubclass(current, RootModel):  # not a model that merely has a `root` property
                members.append(current.model_fields["root"].annotation)
                continue
            for name, info in current.model_fields.items():
                names[info.alias or name] = name
        else:
            members.extend(get_args(current))
    return names


def as_arguments(payload: dict[str, Any], request_class: Any, skip: str | None) -> dict[str, Any]:
    """Typed keyword arguments for the known fields; everything else goes in `extra_body`."""
    known = _field_names(request_class)
    arguments = {known[k]: v for k, v in payload.items() if k in known and k != skip}
    extra = {k: v for k, v in payload.items() if k not in known and k != skip}
    return {**arguments, "extra_body": extra} if extra else arguments


def run_typed(model: Any, payload: Any, request_class: Any, spec: ModelSpec) -> Any:
    """Call a model's typed `run()` with a payload: positionally for a non-object input."""
    if spec.request_root:
        return model.run(payload)
    return model.run(**as_arguments(payload, request_class, spec.stream_flag))


def _meant(payload: Any, spec: ModelSpec) -> Any:
    if spec.request_root:
        return payload
    return {k: v for k, v in payload.items() if k != spec.stream_flag}


def accepts(model: type[BaseModel], value: Any) -> bool:
    try:
        model.model_validate(value, by_name=False)  # JSON on the wire: properties, not Python names
    except ValidationError:
        return False
    return True


def _verdict(accepted: bool) -> str:
    return "accepts" if accepted else "rejects"


def check_schema_agreement(schema: JsonSchema, model: type[BaseModel], examples: int) -> None:
    """The class accepts exactly what the JSON Schema accepts."""
    validator = jsonschema.Draft202012Validator(schema)

    @settings_for(examples)
    @given(valid_and_invalid(schema))
    def agree(value: Any) -> None:
        by_schema, by_class = validator.is_valid(value), accepts(model, value)
        assert by_class == by_schema, (
            f"{model.__name__} {_verdict(by_class)} but the JSON Schema {_verdict(by_schema)}: "
            f"{json.dumps(value)[:500]}"
        )

    agree()


def check_round_trip(schema: JsonSchema, model: type[BaseModel], examples: int) -> None:
    """A parsed valid value dumps (set fields only) to JSON that validates and equals the original."""
    validator = jsonschema.Draft202012Validator(schema)

    @settings_for(examples)
    @given(valid_payloads(schema))
    def round_trip(value: Any) -> None:
        dumped = model.model_validate(value, by_name=False).model_dump(mode="json", exclude_unset=True)
        assert validator.is_valid(dumped), f"{model.__name__} dumped {dumped!r}, which the schema rejects"
        assert same_json(json.loads(json.dumps(dumped)), value), (
            f"{model.__name__} changed {value!r} into {dumped!r}"
        )

    round_trip()


class CapturingTransport(httpx.BaseTransport):
    """Passes requests on and keeps them, to compare what was sent with what was meant."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.sent: list[httpx.Request] = []

    @property
    def last_json(self) -> Any:
        return json.loads(self.sent[-1].content or b"null")

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.sent.append(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def _on_the_wire(spec: ModelSpec, body: Any) -> Any:
    if spec.request_envelope is None:
        return body
    model_key, data_key = spec.request_envelope
    assert body.get(model_key) == spec.model_id, (
        f"envelope names {body.get(model_key)!r}, not {spec.model_id!r}"
    )
    return body[data_key]


ClientFactory = Callable[..., Any]


def check_client_against_backend(
    spec: ModelSpec, make_client: ClientFactory, request_class: Any, response_type: type[Any], examples: int
) -> None:
    """Every valid request goes out unchanged, is accepted, and its answer parses."""
    capture = CapturingTransport(httpx.HTTPTransport(verify=tls()))
    with make_client(transport=capture) as client:
        model = getattr(client.models, spec.slug)

        @settings_for(examples)
        @given(valid_payloads(spec.input_schema))
        def call(payload: Any) -> None:
            answer = run_typed(model, payload, request_class, spec)
            assert isinstance(answer, response_type), f"run() returned {type(answer).__name__}"
            sent = _on_the_wire(spec, capture.last_json)
            meant = _meant(payload, spec)
            assert same_json(sent, meant), f"the client sent {sent!r} for {meant!r}"

        @settings_for(examples)
        @given(st.binary(min_size=1, max_size=64), st.booleans())
        def call_raw(content: bytes, as_upload: bool) -> None:
            upload = spec.upload_class(content, "application/octet-stream")
            answer = model.run(upload if as_upload else content)
            assert isinstance(answer, response_type), f"run(content) returned {type(answer).__name__}"
            assert_raw_sent(capture.sent[-1], upload, [])

        @settings_for(examples)
        @given(valid_payloads(spec.input_schema), uploads_for(spec))
        def call_with_upload(payload: Any, upload: Any) -> None:
            arguments = as_arguments(payload, request_class, spec.stream_flag)
            if upload is not None:
                arguments[spec.upload_param or ""] = upload
            answer = model.run(**arguments)
            assert isinstance(answer, response_type), f"run() returned {type(answer).__name__}"
            if upload is None:
                assert same_json(_on_the_wire(spec, capture.last_json), _meant(payload, spec))
            else:
                assert_raw_sent(capture.sent[-1], upload, expected_query(_meant(payload, spec)))

        if spec.upload_param:
            call_with_upload()
        elif spec.raw_content != "only":
            call()
        if spec.raw_content:
            call_raw()


def check_stream_against_backend(
    spec: ModelSpec, make_client: ClientFactory, request_class: Any, chunk_type: type[Any], examples: int
) -> None:
    """Streaming calls yield typed chunks and end cleanly at the terminator."""
    with make_client() as client:
        model = getattr(client.models, spec.slug)

        @settings_for(examples)
        @given(valid_payloads(spec.input_schema))
        def stream(payload: dict[str, Any]) -> None:
            chunks = list(model.stream(**as_arguments(payload, request_class, spec.stream_flag)))
            assert chunks, "the stream ended without a single chunk"
            assert all(isinstance(chunk, chunk_type) for chunk in chunks)

        stream()


def invalid_payload(schema: JsonSchema) -> Any:
    """A payload the schema rejects, chosen without randomness: nothing, a property of a wrong type
    (an object where it takes text, text where it takes an object...), else no object at all."""
    validator = jsonschema.Draft202012Validator(schema)
    candidates: list[Any] = [{}]
    wrong: list[Any] = [{"not": "valid"}, "not valid", 1.5, None]
    candidates += [{name: value} for value in wrong for name in sorted(_properties(schema))]
    candidates += ["not an object", 1.5]
    for candidate in candidates:
        if not validator.is_valid(candidate):
            return candidate
    raise AssertionError("every candidate fits the schema; it accepts anything")


@dataclass(frozen=True)
class Faults:
    """How to ask the local backend for a fault and count the attempts it saw."""

    attempts: Callable[[str], int]


# A backend counts attempts by key for as long as it runs: keys of this run's own, so that a second
# run against the same `cardgen serve` starts from nothing.
_RUN = uuid.uuid4().hex[:12]


def _fault_key(spec: ModelSpec, what: str) -> str:
    return f"{spec.provider}/{spec.slug}/{what}/{_RUN}"


def _fault_headers(spec: str, key: str) -> dict[str, str]:
    return {"x-cardgen-fault": spec, "x-cardgen-fault-key": key}


def _waits(client: Any) -> list[float]:
    """The waits the client's retries ask for, kept instead of slept: the count is checked, not the clock."""
    waits: list[float] = []
    client._client._sleep = waits.append
    return waits


def _generic_run(client: Any, spec: ModelSpec, data: Any) -> Any:
    """Call the model through the untyped `run(model_id, ...)`, raw-bodied where the model must be."""
    if spec.raw_content == "only" or spec.upload_required:
        upload = (
            spec.upload_class.form({"prompt": "cardgen"})
            if spec.upload_form
            else spec.upload_class(b"\x00\xff")
        )
        return client.run(spec.model_id, upload, query=data if spec.upload_param else None)
    return client.run(spec.model_id, data)


def check_unauthorized(spec: ModelSpec, sdk: Any, make_client: ClientFactory, faults: Faults) -> None:
    """A wrong key is a 401, raised as AuthenticationError and not retried."""
    raw_only = spec.raw_content == "only" or spec.upload_required
    payload = {} if raw_only else invalid_payload(spec.input_schema)
    key = _fault_key(spec, "401")
    headers = _fault_headers("none", key)
    with (
        make_client(api_key="wrong-key", max_retries=3, default_headers=headers) as client,
        pytest.raises(sdk.AuthenticationError),
    ):
        client.run(spec.model_id, payload)
    assert faults.attempts(key) == 1, "a 401 must not be retried"


def check_errors_and_faults(spec: ModelSpec, sdk: Any, make_client: ClientFactory, faults: Faults) -> None:
    """400 for an invalid payload sent raw, 429 and 5xx retried, cut streams raise."""
    # A model that takes only raw bytes refuses any JSON body.
    raw_only = spec.raw_content == "only" or spec.upload_required
    payload = {} if raw_only else invalid_payload(spec.input_schema)
    with make_client(max_retries=0) as client, pytest.raises(sdk.BadRequestError):
        client.run(spec.model_id, payload)

    valid = _a_valid_request(spec.input_schema, spec.request_root)
    key = _fault_key(spec, "429")
    with make_client(
        max_retries=2, default_headers=_fault_headers("429;retry-after=0;times=2", key)
    ) as client:
        waits = _waits(client)
        _generic_run(client, spec, valid)
    assert faults.attempts(key) == 3, "two 429 answers, then success"
    assert len(waits) == 2 and all(wait > 0 for wait in waits), f"a 429 is retried after a wait: {waits}"

    key = _fault_key(spec, "503")
    with make_client(max_retries=2, default_headers=_fault_headers("503", key)) as client:
        waits = _waits(client)
        with pytest.raises(sdk.InternalServerError):
            _generic_run(client, spec, valid)
    assert faults.attempts(key) == 3, "a 5xx is retried max_retries times, then raised"
    assert len(waits) == 2, f"each retry of a 5xx waits first: {waits}"

    if spec.stream_flag:
        key = _fault_key(spec, "cut")
        with (
            make_client(max_retries=0, default_headers=_fault_headers("cut", key)) as client,
            pytest.raises(sdk.StreamError),
        ):
            list(client.stream(spec.model_id, {**valid, spec.stream_flag: True}))


def _a_valid_request(schema: JsonSchema, root: bool = False) -> Any:
    """A valid request, the same on every run (no shrinking: any valid one will do)."""
    value: Any = find(
        valid_payloads(schema),
        lambda v: root or isinstance(v, dict),
        settings=settings(database=None, derandomize=True, phases=[Phase.generate]),
    )
    return value


def check_recordings(
    spec: ModelSpec,
    make_client: ClientFactory,
    cassettes: Sequence[Path],
    request_class: Any,
    response_type: type[Any],
    chunk_type: type[Any] | None,
) -> None:
    """Every recorded exchange replays through the typed client and parses; a failure names its
    cassette (a schema changed since it was recorded, most likely) and how to record it again."""
    model_name = f"{spec.provider}/{spec.slug}"
    assert cassettes, (
        f"no recordings for {model_name} in tests/cassettes: run `cardgen record --model {model_name}`, "
        "then `cardgen generate` (which copies them here)"
    )
    for cassette in cassettes:
        interactions = load_cassettes([cassette])
        assert interactions, f"cassettes/{model_name}/{cassette.name} holds no recording: replays nothing"
        try:
            for interaction in interactions:
                _replay(spec, make_client, interaction, request_class, response_type, chunk_type)
        except Exception as exc:  # pytest's skip and fail outcomes are BaseExceptions: not caught
            raise AssertionError(
                f"cassettes/{model_name}/{cassette.name} does not replay (if the model's schema changed "
                f"since, `cardgen record --model {model_name}` records it again): {type(exc).__name__}: {exc}"
            ) from exc


def _replay(
    spec: ModelSpec,
    make_client: ClientFactory,
    interaction: Any,
    request_class: Any,
    response_type: type[Any],
    chunk_type: type[Any] | None,
) -> None:
    with make_client(transport=ReplayTransport([interaction])) as client:
        model = getattr(client.models, spec.slug)
        content_type = dict(interaction.request_headers).get("content-type", "application/json")
        if (spec.raw_content or spec.upload_param) and "json" not in content_type:
            _replay_raw(model, spec, interaction, content_type, request_class, response_type)
            return
        body = _on_the_wire(spec, json.loads(interaction.request_body))
        if spec.stream_flag and isinstance(body, dict) and body.get(spec.stream_flag) is True:
            assert chunk_type is not None, "a streamed recording of a model that does not stream"
            chunks = list(model.stream(**as_arguments(body, request_class, spec.stream_flag)))
            assert chunks and all(isinstance(c, chunk_type) for c in chunks)
        else:
            assert isinstance(run_typed(model, body, request_class, spec), response_type)


def _replay_raw(
    model: Any,
    spec: ModelSpec,
    interaction: Any,
    content_type: str,
    request_class: Any,
    response_type: type[Any],
) -> None:
    body = interaction.request_body
    upload = spec.upload_class(body if isinstance(body, bytes) else body.encode("utf-8"), content_type)
    if spec.upload_param is None:
        answer = model.run(upload)
    else:
        query = decode_query(
            spec.input_schema, parse_qsl(urlsplit(interaction.uri).query, keep_blank_values=True)
        )
        answer = model.run(**as_arguments(query, request_class, None), **{spec.upload_param: upload})
    assert isinstance(answer, response_type), f"replayed run() returned {type(answer).__name__}"
