"""Draw JSON instances from a JSON Schema, deterministically for a given seed.

`generate` builds an instance by construction (type, properties/required, additionalProperties,
items/prefixItems, enum/const, oneOf/anyOf/allOf, numeric and length bounds, multipleOf, `pattern`
(backend/pattern_draw.py), `format: binary` as bytes, `default`, local `$ref`). `draw` then checks it with the schema's
validator and retries with derived seeds, so callers only ever see valid instances.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import reduce
from typing import Any

from jsonschema.protocols import Validator

from generator.backend.merge import Schema, merge, types_of
from generator.backend.pattern_draw import NoMatch, draw_matching
from generator.ingest.ecma_regex import as_documented
from generator.ingest.hygiene import MAX_SCHEMA_DEPTH
from generator.ingest.refs import resolve_ref

_TEXT = (
    "the model answers with a short and plain sentence about data tokens prompt context "
    "stream value result cat dog pizza math code graph light river stone cloud"
)
WORDS = tuple(_TEXT.split())
# Every schema ingest takes nests at most this deep: each has an instance, however deep it asks for.
MAX_DEPTH = MAX_SCHEMA_DEPTH
# From this depth on a value holds the least its schema asks (required properties, fewest items):
# random optional parts at every level would grow an answer exponentially with its depth.
SHALLOW = 6
_SPAN = 1000
_KINDS = ("null", "boolean", "integer", "number", "string", "array", "object")


class Unsatisfiable(Exception):
    """The generator could not build an instance of this schema."""


def derive_seed(*parts: object) -> int:
    """Mix parts into a 64-bit seed that does not depend on PYTHONHASHSEED."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=repr)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def is_binary(schema: Schema) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "string" and schema.get("format") == "binary"


def jsonable(value: Any) -> Any:
    """Replace bytes (from `format: binary`) by base64 text, recursively."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def draw(schema: Schema, validator: Validator, seed: int, *, optional: float = 0.5, attempts: int = 5) -> Any:
    """Return a generated instance that `validator` accepts; raise Unsatisfiable after `attempts`."""
    problem = "no attempt made"
    for attempt in range(attempts):
        rng = random.Random(derive_seed(seed, attempt))  # noqa: S311 - reproducible, not secret
        try:
            value = generate(schema, rng, validator=validator, optional=optional)
        except Unsatisfiable as exc:
            problem = str(exc)
            continue
        error = next(iter(validator.iter_errors(jsonable(value))), None)
        if error is None:
            return value
        problem = f"{error.json_path}: {as_documented(error)}"
    raise Unsatisfiable(f"no valid instance in {attempts} attempts (last problem: {problem})")


def generate(schema: Schema, rng: random.Random, *, validator: Validator, optional: float = 0.5) -> Any:
    """Build one instance of schema; `validator` (for the root schema) resolves refs and checks branches."""
    return _Generator(rng, validator, optional).value(schema, 0)


@dataclass
class _Generator:
    rng: random.Random
    validator: Validator
    optional: float

    def value(self, schema: Schema, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise Unsatisfiable(f"schema nests deeper than {MAX_DEPTH} levels")
        if schema is True:
            return self.anything(depth)
        if schema is False:
            raise Unsatisfiable("schema `false` has no instance")
        schema = self.flatten(schema)
        if "oneOf" in schema:
            return self.one_of(schema, depth)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return self.enum(schema)
        if "default" in schema and self.rng.random() < 0.25 and self.accepts(schema, schema["default"]):
            return schema["default"]
        kind = self.pick_type(schema)
        if kind not in _KINDS:
            raise Unsatisfiable(f"unknown type {kind!r}")
        return getattr(self, f"make_{kind}")(schema, depth)

    def flatten(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        """Resolve $ref, merge allOf and pick an anyOf branch until none is left."""
        for _ in range(4 * MAX_DEPTH):
            if "$ref" in schema:
                rest = {k: v for k, v in schema.items() if k != "$ref"}
                schema = self.as_object(merge(rest, self.resolve(schema["$ref"])))
            elif "allOf" in schema:
                start: Schema = {k: v for k, v in schema.items() if k != "allOf"}
                schema = self.as_object(reduce(merge, schema["allOf"], start))
            elif "anyOf" in schema:
                rest = {k: v for k, v in schema.items() if k != "anyOf"}
                schema = self.as_object(merge(rest, self.rng.choice(schema["anyOf"])))
            else:
                return schema
        raise Unsatisfiable("allOf/anyOf/$ref do not settle")

    @staticmethod
    def as_object(schema: Schema) -> Mapping[str, Any]:
        if schema is False:
            raise Unsatisfiable("branches contradict each other")
        return {} if schema is True else schema

    def resolve(self, ref: str) -> Schema:
        if not ref.startswith("#"):
            raise Unsatisfiable(f"only local $ref is supported, not {ref!r}")
        found, node = resolve_ref(self.validator.schema, ref)
        if not found:
            raise Unsatisfiable(f"$ref {ref!r} points nowhere")
        if not isinstance(node, Mapping | bool):
            raise Unsatisfiable(f"$ref {ref!r} is not a schema")
        return node

    def accepts(self, schema: Schema, instance: Any) -> bool:
        return bool(self.validator.evolve(schema=schema).is_valid(jsonable(instance)))

    def one_of(self, schema: Mapping[str, Any], depth: int) -> Any:
        branches = list(schema["oneOf"])
        base = {k: v for k, v in schema.items() if k != "oneOf"}
        for index in self.rng.sample(range(len(branches)), len(branches)):
            try:
                candidate = self.value(merge(base, branches[index]), depth + 1)
            except Unsatisfiable:
                continue
            others = (b for i, b in enumerate(branches) if i != index)
            if not any(self.accepts(other, candidate) for other in others):
                return candidate
        raise Unsatisfiable("no oneOf branch gave an instance that matches it alone")

    def enum(self, schema: Mapping[str, Any]) -> Any:
        rest = {k: v for k, v in schema.items() if k not in {"enum", "default"}}
        choices = [v for v in schema["enum"] if self.accepts(rest, v)]
        if not choices:
            raise Unsatisfiable("no enum value fits the other keywords")
        return self.rng.choice(choices)

    def pick_type(self, schema: Mapping[str, Any]) -> str:
        if "type" in schema:
            kinds = types_of(schema["type"])
            if not kinds:
                raise Unsatisfiable("no type is allowed")
            return str(self.rng.choice(kinds))
        if {"properties", "required", "additionalProperties", "minProperties"} & schema.keys():
            return "object"
        if {"items", "prefixItems", "minItems", "maxItems"} & schema.keys():
            return "array"
        if {"minLength", "maxLength", "pattern", "format"} & schema.keys():
            return "string"
        if {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"} & schema.keys():
            return "number"
        return str(self.rng.choice(["string", "integer", "boolean", "null"]))

    def anything(self, depth: int) -> Any:
        return self.value({"type": ["string", "integer", "boolean", "null"]}, depth + 1)

    def make_null(self, schema: Mapping[str, Any], depth: int) -> None:
        return None

    def make_boolean(self, schema: Mapping[str, Any], depth: int) -> bool:
        return self.rng.random() < 0.5

    def make_integer(self, schema: Mapping[str, Any], depth: int) -> int:
        low, high = self.bounds(schema, integer=True)
        step = schema.get("multipleOf")
        if isinstance(step, int) and step > 0:
            first, last = math.ceil(low / step), math.floor(high / step)
            if first > last:
                raise Unsatisfiable("no multiple of multipleOf between the bounds")
            return self.rng.randint(first, last) * step
        return self.rng.randint(int(low), int(high))

    def make_number(self, schema: Mapping[str, Any], depth: int) -> float | int:
        low, high = self.bounds(schema, integer=False)
        step = schema.get("multipleOf")
        if step:
            first, last = math.ceil(low / step), math.floor(high / step)
            for _ in range(16):
                if first > last:
                    break
                k = self.rng.randint(first, last)
                # jsonschema checks float multiples by division; keep only exact quotients.
                value = round(k * step, 12)
                if (value / step).is_integer() and low <= value <= high:
                    return float(value)
            raise Unsatisfiable("no multiple of multipleOf between the bounds")
        value = round(self.rng.uniform(low, high), 3)
        return min(max(value, low), high)

    def bounds(self, schema: Mapping[str, Any], *, integer: bool) -> tuple[float, float]:
        low: float | None = schema.get("minimum")
        high: float | None = schema.get("maximum")
        nudge = 1.0 if integer else 1e-3
        if (ex := schema.get("exclusiveMinimum")) is not None and (low is None or ex >= low):
            low = (math.floor(ex) + 1) if integer else ex + min(nudge, _gap(ex, high))
        if (ex := schema.get("exclusiveMaximum")) is not None and (high is None or ex <= high):
            high = (math.ceil(ex) - 1) if integer else ex - min(nudge, _gap(low, ex))
        if low is None:
            low = 0 if high is None or high >= 0 else high - _SPAN
        if high is None:
            high = low + _SPAN
        if integer:
            low, high = math.ceil(low), math.floor(high)
        if low > high:
            raise Unsatisfiable(f"empty range [{low}, {high}]")
        return low, high

    def make_string(self, schema: Mapping[str, Any], depth: int) -> str | bytes:
        fmt = schema.get("format")
        if fmt == "binary":
            return self.rng.randbytes(self.rng.randint(8, 32))
        if isinstance(fmt, str) and (made := self.formatted(fmt)) is not None:
            return made
        low = int(schema.get("minLength", 0))
        high = int(schema.get("maxLength", low + 48))
        if low > high:
            raise Unsatisfiable(f"minLength {low} > maxLength {high}")
        pattern = schema.get("pattern")
        if isinstance(pattern, str):  # the validators' copy: written for Python's re (ecma_regex)
            try:
                return draw_matching(pattern, self.rng)  # draw() checks it, lengths and all
            except NoMatch as exc:
                raise Unsatisfiable(f"no string drawn for the pattern: {exc}") from exc
        length = self.rng.randint(low, min(high, low + 48))
        text = ""
        while len(text) < length:
            text = f"{text} {self.rng.choice(WORDS)}" if text else self.rng.choice(WORDS)
        return text[:length]

    def formatted(self, fmt: str) -> str | None:
        moment = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=self.rng.randrange(10**8))
        word = self.rng.choice(WORDS)
        return {
            "date-time": moment.isoformat().replace("+00:00", "Z"),
            "date": moment.date().isoformat(),
            "time": moment.time().isoformat() + "Z",
            "uuid": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "email": f"{word}@example.com",
            "uri": f"https://example.com/{word}",
            "url": f"https://example.com/{word}",
            "hostname": f"{word}.example.com",
            "ipv4": ".".join(str(self.rng.randint(1, 254)) for _ in range(4)),
        }.get(fmt)

    def make_array(self, schema: Mapping[str, Any], depth: int) -> list[Any]:
        prefix = list(schema.get("prefixItems", []))
        items = schema.get("items", True)
        low = int(schema.get("minItems", 0))
        cap = len(prefix) if items is False else low + 3
        high = min(int(schema.get("maxItems", cap)), cap)
        if low > high:
            raise Unsatisfiable(f"cannot hold {low} items (at most {high})")
        count = low if depth >= SHALLOW else self.rng.randint(low, high)
        result: list[Any] = []
        for index in range(count):
            sub = prefix[index] if index < len(prefix) else items
            value = self.value(sub, depth + 1)
            if schema.get("uniqueItems") and any(_same(value, seen) for seen in result):
                value = self.value(sub, depth + 1)
            result.append(value)
        return result

    def make_object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        properties: Mapping[str, Schema] = schema.get("properties", {})
        extra: Schema = schema.get("additionalProperties", True)
        required = list(dict.fromkeys(schema.get("required", [])))
        shallow = depth < SHALLOW
        chosen = [n for n in properties if n in required or (shallow and self.rng.random() < self.optional)]
        chosen += [n for n in required if n not in properties]
        if isinstance(extra, Mapping) and shallow and self.rng.random() < self.optional:
            chosen += [f"{self.rng.choice(WORDS)}_{i}" for i in range(self.rng.randint(1, 2))]
        spare = [n for n in properties if n not in chosen]
        while len(chosen) < int(schema.get("minProperties", 0)):
            chosen.append(spare.pop(0) if spare else f"key_{len(chosen)}")
        result: dict[str, Any] = {}
        for name in dict.fromkeys(chosen):
            result[name] = self.value(properties.get(name, extra), depth + 1)
        return result


def _gap(low: float | None, high: float | None) -> float:
    return (high - low) / 2 if low is not None and high is not None and high > low else 1.0


def _same(a: Any, b: Any) -> bool:
    return json.dumps(jsonable(a), sort_keys=True) == json.dumps(jsonable(b), sort_keys=True)
