"""The normalized catalog entry: one per model, the contract between ingest and everything after."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ENTRY_FORMAT_VERSION = 1

JsonSchema = dict[str, Any]
SLUG_PATTERN = r"^[a-z_][a-z0-9_]*$"
PROVIDER_PATTERN = r"^[a-z][a-z0-9_]*$"


class Strict(BaseModel):
    # Validators are built on first use, not on import: a process that only unpickles entries
    # already made (generate's helper) skips ~70 ms of pydantic building them. (A no-op run never
    # imports this module: tests/test_cli_lazy.py.)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Limits(Strict):
    context_window: int | None = Field(default=None, description="Tokens the model attends to.")
    max_prompt_length: int | None = Field(default=None, description="Characters allowed in `prompt`.")
    max_message_length: int | None = Field(default=None, description="Characters per message.")
    max_input_tokens: int | None = Field(default=None, description="Tokens allowed in one request's input.")
    max_total_tokens: int | None = Field(default=None, description="Tokens of input and output together.")


class Price(Strict):
    item: Literal[
        "input_tokens",
        "output_tokens",
        "tokens",
        "request",
        "image",
        "second",
        "character",
        "credits",
        "step",
        "tile",
        "other",
    ] = Field(
        description="What is bought: `tokens` counts input and output alike; `second` is of audio; "
        "`other`: only `unit` says."
    )
    amount: str = Field(description="Decimal amount as written, to keep it exact.")
    currency: str
    per: int = Field(description="How many items the amount is for.")
    unit: str | None = Field(default=None, description="The unit as the document writes it ('per step').")


class Endpoint(Strict):
    base_url: str
    path: str = Field(description="Path template; `{model_id}` and named parameters are filled in.")
    method: Literal["POST", "GET"]
    path_params: dict[str, str] = Field(
        default_factory=dict,
        description="Path parameter name -> environment variable that holds it.",
    )


class Auth(Strict):
    scheme: Literal["bearer", "api_key"]
    header: str
    env_var: str


class RequestEnvelope(Strict):
    model_key: str = Field(description="Key that carries the model id.")
    data_key: str = Field(description="Key that carries the model input.")


class RawBody(Strict):
    """Bytes a request may carry as its body instead of JSON: an image, an audio file, a form."""

    property: str | None = Field(
        default=None,
        description="Input property written `{body, contentType}`: its bytes are the body and the other "
        "inputs go in the query string. None: the whole input may be raw bytes instead of JSON.",
    )
    required: bool = Field(default=False, description="Every request must be raw bytes.")
    description: str = ""


class RequestShape(Strict):
    content_type: str = "application/json"
    envelope: RequestEnvelope | None = None
    raw_body: RawBody | None = None


class ResponseEnvelope(Strict):
    result_key: str
    success_key: str
    errors_key: str
    messages_key: str | None = None


class HeaderInfo(Strict):
    name: str
    description: str


class ResponseShape(Strict):
    content_type: str = "application/json"
    envelope: ResponseEnvelope | None = None
    headers: list[HeaderInfo] = Field(default_factory=list)


class Streaming(Strict):
    supported: bool
    format: Literal["sse"] | None = None
    content_type: str | None = None
    request_flag: str | None = Field(default=None, description="Input property that asks for a stream.")
    terminator: str | None = Field(default=None, description="`data:` payload that ends the stream.")
    chunk_schema: JsonSchema | None = None


class DeclaredError(Strict):
    status: int = Field(ge=100, le=599)
    name: str
    description: str


class Example(Strict):
    name: str
    request: Any = Field(description="The model input as the document shows it, envelope removed.")
    response: Any = Field(None, description="The model output, envelope removed; null if not shown.")
    stream: bool = False


class FieldSource(Strict):
    file: str = Field(description="Path under the catalog root.")
    lines: tuple[int, int] | None = None
    how: Literal["stated", "derived", "default", "overlay"]
    note: str | None = None


class SourceRef(Strict):
    path: str
    sha256: str
    extractor: str


class OverlayRef(Strict):
    path: str
    sha256: str
    reason: str


class Provenance(Strict):
    source: SourceRef
    overlays: list[OverlayRef] = Field(default_factory=list)
    fields: dict[str, FieldSource]


class CatalogEntry(Strict):
    """Everything the documents say about one model, normalized."""

    format: Literal[1] = 1
    provider: str = Field(pattern=PROVIDER_PATTERN)
    model_id: str = Field(min_length=1, description="The provider's own model name.")
    slug: str = Field(pattern=SLUG_PATTERN, description="Python-safe name, unique per provider.")
    display_name: str
    description: str
    task: str
    tags: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    attributes: dict[str, str] = Field(default_factory=dict)
    limits: Limits = Field(default_factory=Limits)
    pricing: list[Price] = Field(default_factory=list)
    endpoint: Endpoint
    auth: Auth
    request: RequestShape = Field(default_factory=RequestShape)
    response: ResponseShape = Field(default_factory=ResponseShape)
    streaming: Streaming
    input_schema: JsonSchema
    output_schema: JsonSchema
    errors: list[DeclaredError] = Field(default_factory=list)
    examples: list[Example] = Field(default_factory=list)
    provenance: Provenance

    @property
    def key(self) -> tuple[str, str]:
        return (self.provider, self.slug)


# What one provider client holds for all its models; ingest and `provider_view` check that every model agrees.
# Anything else (streaming above all) is each model's own and goes in its resource module.
SHARED_FIELDS = (
    "endpoint.base_url",
    "endpoint.path",  # the untyped `run(model_id, ...)` fills it with any model id
    "endpoint.path_params",
    "auth",
    "request.envelope",
    "response.envelope",
)


def shared_value(entry: CatalogEntry, field: str) -> object:
    value: object = entry
    for part in field.split("."):
        value = getattr(value, part)
    return value
