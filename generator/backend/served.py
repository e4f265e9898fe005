"""A catalog entry made ready to serve: its protocol and its validators, built once at startup."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema
from jsonschema.protocols import Validator

from generator.backend.protocols import DEFAULT_STREAM_FLAG, Detail, Protocol
from generator.catalog.entry import CatalogEntry
from generator.ingest.ecma_regex import as_documented
from generator.ingest.schemas import ecma_validator
from generator.shipped import shipped

MAX_MESSAGE = 300
as_read = shipped("tests", "_answer_schemas").as_read  # answers checked as the harness checks them


@dataclass(frozen=True)
class ServedModel:
    entry: CatalogEntry
    protocol: Protocol
    input_validator: Validator
    output_validator: Validator
    chunk_validator: Validator

    @classmethod
    def of(cls, entry: CatalogEntry) -> ServedModel:
        chunk_schema = entry.streaming.chunk_schema or entry.output_schema
        return cls(
            entry=entry,
            protocol=Protocol.of(entry),
            input_validator=ecma_validator(entry.input_schema),
            output_validator=ecma_validator(as_read(entry.output_schema)),
            chunk_validator=ecma_validator(as_read(chunk_schema)),
        )

    @property
    def stream_flag(self) -> str:
        return self.entry.streaming.request_flag or DEFAULT_STREAM_FLAG

    def wants_stream(self, data: Any) -> bool:
        return isinstance(data, dict) and data.get(self.stream_flag) is True

    def input_problems(self, data: Any, at: str = "$") -> tuple[Detail, ...]:
        """List every way data breaks the input schema, with JSON paths below `at`."""
        errors = sorted(self.input_validator.iter_errors(data), key=_order)
        return tuple(self._details(errors, at))

    def _details(self, errors: list[jsonschema.ValidationError], at: str) -> Iterator[Detail]:
        for error in errors:
            yield Detail(at + error.json_path[1:], self._message(error))
            # A oneOf/anyOf failure says little by itself: name what each branch missed.
            for sub in sorted(error.context or [], key=_order):
                branch = f"{error.validator} branch {sub.schema_path[0]}"
                yield Detail(at + sub.json_path[1:], f"({branch}) {_short(sub.message)}")

    def _message(self, error: jsonschema.ValidationError) -> str:
        # The library's own messages for these repeat the whole instance and every branch.
        if error.validator == "oneOf" and not error.context:
            branches: list[Any] = (
                list(error.schema.get("oneOf", [])) if isinstance(error.schema, dict) else []
            )
            matched = [str(i) for i, b in enumerate(branches) if self._accepts(b, error.instance)]
            return f"matches oneOf branches {' and '.join(matched)}; it must match exactly one"
        if error.validator in {"oneOf", "anyOf"}:
            return f"matches none of the {error.validator} branches"
        return _short(as_documented(error))

    def _accepts(self, schema: Any, instance: Any) -> bool:
        return bool(self.input_validator.evolve(schema=schema).is_valid(instance))


def _order(error: jsonschema.ValidationError) -> tuple[list[str], list[str], str]:
    return (list(map(str, error.path)), list(map(str, error.schema_path)), error.message)


def _short(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"
