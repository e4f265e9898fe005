"""The rule table: every kind of change `cardgen diff` reports, with a stable id and a severity.

Ids are part of the interface (scripts filter on them, changelogs cite them): never rename one.
For the request (`input_schema`) narrowing breaks callers and widening is compatible; for the
response (`output_schema`, `streaming.chunk_schema`) it is mostly the reverse, since readers are
the ones who must cope with what may now arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["breaking", "breaking-wire", "compatible", "informational"]
Side = Literal["request", "response"]

SEVERITIES: tuple[Severity, ...] = ("breaking", "breaking-wire", "compatible", "informational")
SEVERITY_MEANING: dict[Severity, str] = {
    "breaking": "callers' code stops compiling or type-checking",
    "breaking-wire": "code still compiles, but requests or responses that worked now fail",
    "compatible": "existing code keeps working; something new is available",
    "informational": "documentation or metadata only",
}


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    meaning: str


RULES: tuple[Rule, ...] = (
    # The model as a whole.
    Rule("model-removed", "breaking", "A model left the catalog; its client and types are gone."),
    Rule("model-renamed", "breaking", "A model's slug changed, so its Python names changed."),
    Rule("model-added", "compatible", "A model joined the catalog."),
    Rule("streaming-withdrawn", "breaking", "A model no longer streams; its `stream()` method is gone."),
    Rule("streaming-added", "compatible", "A model now streams."),
    Rule("streaming-protocol-changed", "breaking-wire", "The stream's format, flag or terminator changed."),
    Rule("endpoint-changed", "breaking-wire", "The URL, method or path parameters of a model changed."),
    Rule("auth-changed", "breaking-wire", "The auth scheme, header or environment variable changed."),
    Rule("envelope-changed", "breaking-wire", "The request or response content type or envelope changed."),
    Rule(
        "raw-body-added", "compatible", "A model also takes raw bytes: `run(content)` or an upload argument."
    ),
    Rule("raw-body-required", "breaking", "A model takes only raw bytes now; JSON calls are gone."),
    Rule(
        "raw-body-withdrawn",
        "breaking",
        "A model no longer takes raw bytes; `run(content)` or the upload is gone.",
    ),
    Rule("raw-body-changed", "breaking", "The upload argument was renamed, or raw bytes became required."),
    Rule("raw-body-relaxed", "compatible", "Raw bytes, once required, are now optional."),
    # The request: what callers send.
    Rule("request-property-removed", "breaking", "A request property is gone, and its typed argument."),
    Rule("request-property-added-required", "breaking", "A new request property must be passed."),
    Rule("request-property-became-required", "breaking", "An optional request property must now be passed."),
    Rule("request-type-changed", "breaking", "A request value's type or format changed or narrowed."),
    Rule("request-no-longer-nullable", "breaking", "A request value no longer accepts null."),
    Rule("request-enum-value-removed", "breaking", "A request value no longer accepts some constants."),
    Rule("request-oneof-branch-removed", "breaking", "A oneOf/anyOf alternative of the request is gone."),
    Rule("request-range-narrowed", "breaking-wire", "A request number's minimum rose or maximum fell."),
    Rule("request-length-narrowed", "breaking-wire", "A request string, array or object length narrowed."),
    Rule(
        "request-additional-properties-forbidden",
        "breaking-wire",
        "A request object no longer accepts keys beyond its properties.",
    ),
    Rule(
        "request-constraint-changed",
        "breaking-wire",
        "A request keyword the walker does not classify changed (pattern, allOf, $ref, ...).",
    ),
    Rule("request-property-added-optional", "compatible", "A new optional request property."),
    Rule("request-property-became-optional", "compatible", "A required request property may be left out."),
    Rule("request-type-widened", "compatible", "A request value accepts more types."),
    Rule("request-became-nullable", "compatible", "A request value now also accepts null."),
    Rule("request-enum-value-added", "compatible", "A request value accepts more constants."),
    Rule("request-oneof-branch-added", "compatible", "A new oneOf/anyOf alternative of the request."),
    Rule("request-range-widened", "compatible", "A request number's minimum fell or maximum rose."),
    Rule("request-length-widened", "compatible", "A request string, array or object length widened."),
    Rule(
        "request-additional-properties-allowed",
        "compatible",
        "A request object now accepts keys beyond its properties.",
    ),
    # The response and stream chunks: what callers read.
    Rule("response-property-removed", "breaking", "A response property is gone from its typed class."),
    Rule(
        "response-property-no-longer-required",
        "breaking",
        "A response property may now be missing; readers get None.",
    ),
    Rule("response-type-changed", "breaking", "A response value's type or format changed or widened."),
    Rule("response-became-nullable", "breaking", "A response value may now be null."),
    Rule("response-enum-value-added", "breaking", "A response value may hold constants readers never saw."),
    Rule("response-oneof-branch-added", "breaking", "A new oneOf/anyOf alternative readers must handle."),
    Rule("response-range-widened", "breaking-wire", "A response number may fall outside its old range."),
    Rule("response-length-widened", "breaking-wire", "A response length may fall outside its old bounds."),
    Rule("response-property-added", "compatible", "A new response property."),
    Rule("response-property-became-required", "compatible", "A response property is now always present."),
    Rule("response-type-narrowed", "compatible", "A response value has fewer possible types."),
    Rule("response-no-longer-nullable", "compatible", "A response value is never null any more."),
    Rule("response-enum-value-removed", "compatible", "A response value holds fewer constants."),
    Rule("response-oneof-branch-removed", "compatible", "A response oneOf/anyOf alternative is gone."),
    Rule("response-range-narrowed", "compatible", "A response number's range narrowed."),
    Rule("response-length-narrowed", "compatible", "A response length's bounds narrowed."),
    Rule(
        "response-additional-properties-changed",
        "informational",
        "Whether a response object may carry extra keys changed; the SDK keeps them either way.",
    ),
    Rule(
        "response-constraint-changed",
        "informational",
        "A response keyword the walker does not classify changed (pattern, allOf, $ref, ...).",
    ),
    # Either schema, and the rest of the entry.
    Rule("default-changed", "informational", "A schema default changed."),
    Rule("description-changed", "informational", "A description or title changed."),
    Rule("annotation-changed", "informational", "A non-validating schema keyword changed (examples, ...)."),
    Rule("metadata-changed", "informational", "Display name, task, tags, flags, attributes or headers."),
    Rule("pricing-changed", "informational", "A model's prices changed."),
    Rule("limits-changed", "informational", "A model's documented limits changed."),
    Rule("errors-changed", "informational", "A model's declared errors changed."),
    Rule("examples-changed", "informational", "A model's documented examples changed."),
    Rule("provenance-changed", "informational", "Where the entry's facts come from changed."),
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}

Event = Literal[
    "property-removed",
    "property-added-required",
    "property-added-optional",
    "became-required",
    "became-optional",
    "type-narrowed",
    "type-widened",
    "type-changed",
    "became-nullable",
    "no-longer-nullable",
    "enum-removed",
    "enum-added",
    "branch-removed",
    "branch-added",
    "range-narrowed",
    "range-widened",
    "length-narrowed",
    "length-widened",
    "additional-forbidden",
    "additional-allowed",
    "constraint-changed",
    "default-changed",
    "description-changed",
    "annotation-changed",
]

# What a schema event means on each side.
_SIDED: dict[Event, tuple[str, str]] = {
    "property-removed": ("request-property-removed", "response-property-removed"),
    "property-added-required": ("request-property-added-required", "response-property-added"),
    "property-added-optional": ("request-property-added-optional", "response-property-added"),
    "became-required": ("request-property-became-required", "response-property-became-required"),
    "became-optional": ("request-property-became-optional", "response-property-no-longer-required"),
    "type-narrowed": ("request-type-changed", "response-type-narrowed"),
    "type-widened": ("request-type-widened", "response-type-changed"),
    "type-changed": ("request-type-changed", "response-type-changed"),
    "became-nullable": ("request-became-nullable", "response-became-nullable"),
    "no-longer-nullable": ("request-no-longer-nullable", "response-no-longer-nullable"),
    "enum-removed": ("request-enum-value-removed", "response-enum-value-removed"),
    "enum-added": ("request-enum-value-added", "response-enum-value-added"),
    "branch-removed": ("request-oneof-branch-removed", "response-oneof-branch-removed"),
    "branch-added": ("request-oneof-branch-added", "response-oneof-branch-added"),
    "range-narrowed": ("request-range-narrowed", "response-range-narrowed"),
    "range-widened": ("request-range-widened", "response-range-widened"),
    "length-narrowed": ("request-length-narrowed", "response-length-narrowed"),
    "length-widened": ("request-length-widened", "response-length-widened"),
    "additional-forbidden": (
        "request-additional-properties-forbidden",
        "response-additional-properties-changed",
    ),
    "additional-allowed": (
        "request-additional-properties-allowed",
        "response-additional-properties-changed",
    ),
    "constraint-changed": ("request-constraint-changed", "response-constraint-changed"),
    "default-changed": ("default-changed", "default-changed"),
    "description-changed": ("description-changed", "description-changed"),
    "annotation-changed": ("annotation-changed", "annotation-changed"),
}


def rule_for(side: Side, event: Event) -> Rule:
    """The rule a schema event falls under on one side."""
    request_id, response_id = _SIDED[event]
    return RULES_BY_ID[request_id if side == "request" else response_id]


def rules_markdown() -> str:
    """Render the rule table as Markdown (id, severity, meaning), most severe first."""
    lines = ["| Rule | Severity | Meaning |", "| --- | --- | --- |"]
    for severity in SEVERITIES:
        for rule in RULES:
            if rule.severity == severity:
                meaning = rule.meaning.replace("|", "\\|")
                lines.append(f"| `{rule.id}` | {severity} | {meaning} |")
    return "\n".join(lines) + "\n"
