"""One small catalog pair per rule: a real entry, copied, with one thing changed.

Every case lists *all* the changes its pair must produce, as (rule, severity, path), so a change
reported twice or under another rule fails as surely as one not reported at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from generator.catalog.entry import (
    Auth,
    CatalogEntry,
    DeclaredError,
    Example,
    Limits,
    Price,
    RawBody,
    RequestShape,
    ResponseEnvelope,
    ResponseShape,
    Streaming,
)
from generator.catalog.store import Catalog
from generator.evolve.rules import Severity
from tests.conftest import seed_catalog

Expected = tuple[str, Severity, str]

REQUEST = "$.input_schema"
RESPONSE = "$.output_schema"
CHUNK = "$.streaming.chunk_schema"

STREAMING = Streaming(
    supported=True,
    format="sse",
    content_type="text/event-stream",
    request_flag="stream",
    terminator="[DONE]",
    chunk_schema={"type": "object", "properties": {"response": {"type": "string"}}},
)


@cache
def base_entry() -> CatalogEntry:
    """A real entry with tiny schemas and no stream, so each case states everything it changes."""
    real = seed_catalog().entries[0]
    return real.model_copy(
        update={
            "input_schema": obj({"prompt": {"type": "string"}}, ["prompt"]),
            "output_schema": obj({"text": {"type": "string"}}, ["text"]),
            "streaming": Streaming(supported=False),
        }
    )


def obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = required
    return schema


def prop(schema: dict[str, Any], name: str = "a") -> dict[str, Any]:
    """An object with one optional property holding schema."""
    return obj({name: schema})


@dataclass(frozen=True)
class Case:
    id: str
    old: dict[str, Any] | None  # model_copy updates of the base entry; None: the model is absent
    new: dict[str, Any] | None
    expected: tuple[Expected, ...]

    def catalogs(self) -> tuple[Catalog, Catalog]:
        return _catalog(self.old), _catalog(self.new)


def _catalog(update: dict[str, Any] | None) -> Catalog:
    return Catalog(() if update is None else (base_entry().model_copy(update=update),))


def _schema_case(field_name: str, root: str, case_id: str, old: Any, new: Any, *expected: Expected) -> Case:
    found = tuple((rule, severity, root + path) for rule, severity, path in expected)
    return Case(case_id, {field_name: old}, {field_name: new}, found)


def request(case_id: str, old: Any, new: Any, *expected: Expected) -> Case:
    """A case on input_schema; expected paths are relative to it."""
    return _schema_case("input_schema", REQUEST, case_id, old, new, *expected)


def response(case_id: str, old: Any, new: Any, *expected: Expected) -> Case:
    """A case on output_schema; expected paths are relative to it."""
    return _schema_case("output_schema", RESPONSE, case_id, old, new, *expected)


def entry(case_id: str, old: dict[str, Any], new: dict[str, Any], *expected: Expected) -> Case:
    return Case(case_id, old, new, expected)


STRING = {"type": "string"}
PROMPT_BRANCH = obj({"prompt": STRING}, ["prompt"])
MESSAGES_BRANCH = obj({"messages": {"type": "array"}}, ["messages"])
TWO_BRANCHES = {"type": "object", "oneOf": [PROMPT_BRANCH, MESSAGES_BRANCH]}
ONE_BRANCH = {"type": "object", "oneOf": [PROMPT_BRANCH]}
MESSAGES = obj(
    {"messages": {"type": "array", "items": obj({"role": {"type": "string", "enum": ["user", "system"]}})}}
)
MESSAGES_NO_SYSTEM = obj(
    {"messages": {"type": "array", "items": obj({"role": {"type": "string", "enum": ["user"]}})}}
)

A_AND_B = obj({"a": STRING, "b": STRING})
NULLABLE = {"type": ["string", "null"]}

REQUEST_CASES = [
    request(
        "request-property-removed",
        A_AND_B,
        obj({"a": STRING}),
        ("request-property-removed", "breaking", ".properties.b"),
    ),
    request(
        "request-property-added-required",
        obj({"a": STRING}),
        obj({"a": STRING, "b": STRING}, ["b"]),
        ("request-property-added-required", "breaking", ".properties.b"),
    ),
    request(
        "request-property-became-required",
        A_AND_B,
        obj({"a": STRING, "b": STRING}, ["a"]),
        ("request-property-became-required", "breaking", ".properties.a"),
    ),
    request(
        "request-type-changed",
        prop(STRING),
        prop({"type": "integer"}),
        ("request-type-changed", "breaking", ".properties.a.type"),
    ),
    request(
        "request-type-narrowed-is-changed",
        prop({"type": ["string", "integer"]}),
        prop(STRING),
        ("request-type-changed", "breaking", ".properties.a.type"),
    ),
    request(
        "request-format-changed",
        prop(STRING),
        prop({"type": "string", "format": "date-time"}),
        ("request-type-changed", "breaking", ".properties.a.format"),
    ),
    request(
        "request-no-longer-nullable",
        prop(NULLABLE),
        prop(STRING),
        ("request-no-longer-nullable", "breaking", ".properties.a"),
    ),
    request(
        "request-enum-value-removed",
        MESSAGES,
        MESSAGES_NO_SYSTEM,
        ("request-enum-value-removed", "breaking", ".properties.messages.items.properties.role.enum"),
    ),
    request(
        "request-enum-introduced",
        prop(STRING),
        prop({"type": "string", "enum": ["x"]}),
        ("request-enum-value-removed", "breaking", ".properties.a.enum"),
    ),
    request(
        "request-const-changed",
        prop({"const": "x"}),
        prop({"const": "y"}),
        ("request-enum-value-removed", "breaking", ".properties.a.const"),
        ("request-enum-value-added", "compatible", ".properties.a.const"),
    ),
    request(
        "request-oneof-branch-removed",
        TWO_BRANCHES,
        ONE_BRANCH,
        ("request-oneof-branch-removed", "breaking", ".oneOf[1]"),
    ),
    request(
        "request-range-narrowed",
        prop({"type": "number", "minimum": 0, "maximum": 5}),
        prop({"type": "number", "minimum": 0, "maximum": 2}),
        ("request-range-narrowed", "breaking-wire", ".properties.a.maximum"),
    ),
    request(
        "request-range-made-exclusive",
        prop({"type": "number", "minimum": 0}),
        prop({"type": "number", "exclusiveMinimum": 0}),
        ("request-range-narrowed", "breaking-wire", ".properties.a.exclusiveMinimum"),
    ),
    request(
        "request-length-narrowed",
        prop({"type": "string", "maxLength": 10}),
        prop({"type": "string", "maxLength": 5}),
        ("request-length-narrowed", "breaking-wire", ".properties.a.maxLength"),
    ),
    request(
        "request-min-items-raised",
        prop({"type": "array", "items": STRING}),
        prop({"type": "array", "items": STRING, "minItems": 1}),
        ("request-length-narrowed", "breaking-wire", ".properties.a.minItems"),
    ),
    request(
        "request-additional-properties-forbidden",
        obj({"a": STRING}),
        obj({"a": STRING}, additionalProperties=False),
        ("request-additional-properties-forbidden", "breaking-wire", ".additionalProperties"),
    ),
    request(
        "request-constraint-changed",
        prop(STRING),
        prop({"type": "string", "pattern": "^[a-z]+$"}),
        ("request-constraint-changed", "breaking-wire", ".properties.a.pattern"),
    ),
    request(
        "request-property-added-optional",
        obj({"a": STRING}),
        A_AND_B,
        ("request-property-added-optional", "compatible", ".properties.b"),
    ),
    request(
        "request-property-became-optional",
        obj({"a": STRING}, ["a"]),
        obj({"a": STRING}),
        ("request-property-became-optional", "compatible", ".properties.a"),
    ),
    request(
        "request-type-widened",
        prop({"type": "integer"}),
        prop({"type": "number"}),
        ("request-type-widened", "compatible", ".properties.a.type"),
    ),
    request(
        "request-became-nullable",
        prop(STRING),
        prop(NULLABLE),
        ("request-became-nullable", "compatible", ".properties.a"),
    ),
    request(
        "request-null-branch-added",
        prop({"anyOf": [STRING]}),
        prop({"anyOf": [STRING, {"type": "null"}]}),
        ("request-became-nullable", "compatible", ".properties.a"),
    ),
    request(
        "request-enum-value-added",
        MESSAGES_NO_SYSTEM,
        MESSAGES,
        ("request-enum-value-added", "compatible", ".properties.messages.items.properties.role.enum"),
    ),
    request(
        "request-oneof-branch-added",
        ONE_BRANCH,
        TWO_BRANCHES,
        ("request-oneof-branch-added", "compatible", ".oneOf[1]"),
    ),
    request(
        "request-branches-matched-by-title",
        {"anyOf": [{"title": "A", "type": "string"}, {"title": "B", "type": "integer"}]},
        {"anyOf": [{"title": "B", "type": "integer", "maximum": 3}, {"title": "A", "type": "string"}]},
        ("request-range-narrowed", "breaking-wire", ".anyOf[0].maximum"),
    ),
    request(
        "request-branches-matched-by-required",
        TWO_BRANCHES,
        {  # swapped, and the prompt branch changed: still paired by what they require
            "type": "object",
            "oneOf": [
                MESSAGES_BRANCH,
                obj({"prompt": {"type": "string", "maxLength": 9}}, ["prompt"]),
            ],
        },
        ("request-length-narrowed", "breaking-wire", ".oneOf[1].properties.prompt.maxLength"),
    ),
    request(
        "request-range-widened",
        prop({"type": "integer", "minimum": 1}),
        prop({"type": "integer", "minimum": 0}),
        ("request-range-widened", "compatible", ".properties.a.minimum"),
    ),
    request(
        "request-length-widened",
        prop({"type": "array", "maxItems": 3}),
        prop({"type": "array"}),
        ("request-length-widened", "compatible", ".properties.a.maxItems"),
    ),
    request(
        "request-additional-properties-allowed",
        obj({"a": STRING}, additionalProperties=False),
        obj({"a": STRING}, additionalProperties=True),
        ("request-additional-properties-allowed", "compatible", ".additionalProperties"),
    ),
    request(
        "request-additional-properties-schema",
        prop({"type": "object", "additionalProperties": STRING}),
        prop({"type": "object", "additionalProperties": {"type": "integer"}}),
        ("request-type-changed", "breaking", ".properties.a.additionalProperties.type"),
    ),
    request(
        "default-changed",
        prop({"type": "boolean", "default": False}),
        prop({"type": "boolean", "default": True}),
        ("default-changed", "informational", ".properties.a.default"),
    ),
    request(
        "description-changed",
        prop({"type": "string", "description": "old"}),
        prop({"type": "string", "description": "new"}),
        ("description-changed", "informational", ".properties.a.description"),
    ),
    request(
        "annotation-changed",
        prop(STRING),
        prop({"type": "string", "examples": ["hi"]}),
        ("annotation-changed", "informational", ".properties.a.examples"),
    ),
]

RESPONSE_CASES = [
    response(
        "response-property-removed",
        A_AND_B,
        obj({"a": STRING}),
        ("response-property-removed", "breaking", ".properties.b"),
    ),
    response(
        "response-property-no-longer-required",
        obj({"a": STRING}, ["a"]),
        obj({"a": STRING}),
        ("response-property-no-longer-required", "breaking", ".properties.a"),
    ),
    response(
        "response-type-changed",
        prop(STRING),
        prop({"type": "integer"}),
        ("response-type-changed", "breaking", ".properties.a.type"),
    ),
    response(
        "response-type-widened-is-changed",
        prop(STRING),
        prop({"type": ["string", "integer"]}),
        ("response-type-changed", "breaking", ".properties.a.type"),
    ),
    response(
        "response-became-nullable",
        prop(STRING),
        prop(NULLABLE),
        ("response-became-nullable", "breaking", ".properties.a"),
    ),
    response(
        "response-enum-value-added",
        prop({"type": ["string", "null"], "enum": ["stop", None]}),
        prop({"type": ["string", "null"], "enum": ["stop", "length", None]}),
        ("response-enum-value-added", "breaking", ".properties.a.enum"),
    ),
    response(
        "response-oneof-branch-added",
        ONE_BRANCH,
        TWO_BRANCHES,
        ("response-oneof-branch-added", "breaking", ".oneOf[1]"),
    ),
    response(
        "response-range-widened",
        prop({"type": "integer", "maximum": 10}),
        prop({"type": "integer", "maximum": 100}),
        ("response-range-widened", "breaking-wire", ".properties.a.maximum"),
    ),
    response(
        "response-length-widened",
        prop({"type": "string", "minLength": 1}),
        prop({"type": "string"}),
        ("response-length-widened", "breaking-wire", ".properties.a.minLength"),
    ),
    response(
        "response-property-added",
        obj({"a": STRING}),
        obj({"a": STRING, "b": STRING}, ["b"]),
        ("response-property-added", "compatible", ".properties.b"),
    ),
    response(
        "response-property-became-required",
        obj({"a": STRING}),
        obj({"a": STRING}, ["a"]),
        ("response-property-became-required", "compatible", ".properties.a"),
    ),
    response(
        "response-type-narrowed",
        prop({"type": "number"}),
        prop({"type": "integer"}),
        ("response-type-narrowed", "compatible", ".properties.a.type"),
    ),
    response(
        "response-no-longer-nullable",
        prop(NULLABLE),
        prop(STRING),
        ("response-no-longer-nullable", "compatible", ".properties.a"),
    ),
    response(
        "response-enum-value-removed",
        prop({"enum": ["stop", "length"]}),
        prop({"enum": ["stop"]}),
        ("response-enum-value-removed", "compatible", ".properties.a.enum"),
    ),
    response(
        "response-oneof-branch-removed",
        TWO_BRANCHES,
        ONE_BRANCH,
        ("response-oneof-branch-removed", "compatible", ".oneOf[1]"),
    ),
    response(
        "response-range-narrowed",
        prop({"type": "integer"}),
        prop({"type": "integer", "minimum": 0}),
        ("response-range-narrowed", "compatible", ".properties.a.minimum"),
    ),
    response(
        "response-length-narrowed",
        prop({"type": "array", "items": STRING}),
        prop({"type": "array", "items": STRING, "maxItems": 4}),
        ("response-length-narrowed", "compatible", ".properties.a.maxItems"),
    ),
    response(
        "response-additional-properties-changed",
        obj({"a": STRING}, additionalProperties=False),
        obj({"a": STRING}),
        ("response-additional-properties-changed", "informational", ".additionalProperties"),
    ),
    response(
        "response-constraint-changed",
        prop({"type": "integer"}),
        prop({"type": "integer", "multipleOf": 2}),
        ("response-constraint-changed", "informational", ".properties.a.multipleOf"),
    ),
    response(
        "response-nested-items",
        obj({"choices": {"type": "array", "items": obj({"index": {"type": "integer"}}, ["index"])}}),
        obj({"choices": {"type": "array", "items": obj({"index": {"type": "integer"}})}}),
        ("response-property-no-longer-required", "breaking", ".properties.choices.items.properties.index"),
    ),
]

_SHORTER = STREAMING.model_copy(update={"chunk_schema": {"type": "object", "properties": {}}})
_PRICE = Price(item="input_tokens", amount="0.10", currency="USD", per=1_000_000)
_ENVELOPE = ResponseEnvelope(result_key="result", success_key="success", errors_key="errors")

ENTRY_CASES = [
    Case("model-removed", {}, None, (("model-removed", "breaking", "$"),)),
    Case("model-added", None, {}, (("model-added", "compatible", "$"),)),
    entry("model-renamed", {}, {"slug": "renamed"}, ("model-renamed", "breaking", "$.slug")),
    entry(
        "streaming-withdrawn",
        {"streaming": STREAMING},
        {},
        ("streaming-withdrawn", "breaking", "$.streaming.supported"),
    ),
    entry(
        "streaming-added",
        {},
        {"streaming": STREAMING},
        ("streaming-added", "compatible", "$.streaming.supported"),
    ),
    entry(
        "streaming-protocol-changed",
        {"streaming": STREAMING},
        {"streaming": STREAMING.model_copy(update={"terminator": "[END]"})},
        ("streaming-protocol-changed", "breaking-wire", "$.streaming.terminator"),
    ),
    entry(
        "chunk-property-removed",
        {"streaming": STREAMING},
        {"streaming": _SHORTER},
        ("response-property-removed", "breaking", CHUNK + ".properties.response"),
    ),
    entry(
        "endpoint-changed",
        {},
        {"endpoint": base_entry().endpoint.model_copy(update={"path": "/v2/{model_id}"})},
        ("endpoint-changed", "breaking-wire", "$.endpoint.path"),
    ),
    entry(
        "auth-changed",
        {"auth": Auth(scheme="bearer", header="Authorization", env_var="ACME_TOKEN")},
        {"auth": Auth(scheme="bearer", header="Authorization", env_var="ACME_API_TOKEN")},
        ("auth-changed", "breaking-wire", "$.auth.env_var"),
    ),
    entry(
        "envelope-changed",
        {"response": ResponseShape()},
        {"response": ResponseShape(envelope=_ENVELOPE)},
        ("envelope-changed", "breaking-wire", "$.response.envelope"),
    ),
    entry(
        "raw-body-added",
        {},
        {"request": RequestShape(raw_body=RawBody(required=False))},
        ("raw-body-added", "compatible", "$.request.raw_body"),
    ),
    entry(
        "raw-body-required",
        {},
        {"request": RequestShape(raw_body=RawBody(property="audio", required=True))},
        ("raw-body-required", "breaking", "$.request.raw_body"),
    ),
    entry(
        "raw-body-withdrawn",
        {"request": RequestShape(raw_body=RawBody(required=False))},
        {},
        ("raw-body-withdrawn", "breaking", "$.request.raw_body"),
    ),
    entry(
        "raw-body-changed",
        {"request": RequestShape(raw_body=RawBody(property="audio", required=True))},
        {"request": RequestShape(raw_body=RawBody(property="file", required=True))},
        ("raw-body-changed", "breaking", "$.request.raw_body"),
    ),
    entry(
        "raw-body-relaxed",
        {"request": RequestShape(raw_body=RawBody(property="audio", required=True))},
        {"request": RequestShape(raw_body=RawBody(property="audio", required=False))},
        ("raw-body-relaxed", "compatible", "$.request.raw_body"),
    ),
    entry(
        "raw-body-description-changed",
        {"request": RequestShape(raw_body=RawBody(description="The image"))},
        {"request": RequestShape(raw_body=RawBody(description="The picture"))},
        ("description-changed", "informational", "$.request.raw_body.description"),
    ),
    entry(
        "description-changed-on-the-model",
        {"description": "Old words."},
        {"description": "New words."},
        ("description-changed", "informational", "$.description"),
    ),
    entry(
        "metadata-changed",
        {"tags": []},
        {"tags": ["chat"]},
        ("metadata-changed", "informational", "$.tags"),
    ),
    entry(
        "pricing-changed",
        {"pricing": []},
        {"pricing": [_PRICE]},
        ("pricing-changed", "informational", "$.pricing"),
    ),
    entry(
        "limits-changed",
        {"limits": Limits(context_window=4096)},
        {"limits": Limits(context_window=8192)},
        ("limits-changed", "informational", "$.limits.context_window"),
    ),
    entry(
        "errors-changed",
        {"errors": []},
        {"errors": [DeclaredError(status=429, name="Too Many Requests", description="Slow down.")]},
        ("errors-changed", "informational", "$.errors"),
    ),
    entry(
        "examples-changed",
        {"examples": []},
        {"examples": [Example(name="hello", request={"prompt": "hi"}, response=None)]},
        ("examples-changed", "informational", "$.examples"),
    ),
    entry(
        "provenance-changed",
        {},
        {
            "provenance": base_entry().provenance.model_copy(
                update={"source": base_entry().provenance.source.model_copy(update={"sha256": "0" * 64})}
            )
        },
        ("provenance-changed", "informational", "$.provenance.source.sha256"),
    ),
]

CASES = REQUEST_CASES + RESPONSE_CASES + ENTRY_CASES
