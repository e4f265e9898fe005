"""The resolved view templates see: names sanitised, literals escaped, collections sorted."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from urllib.parse import quote

from generator.catalog.entry import (
    SHARED_FIELDS,
    Auth,
    CatalogEntry,
    RequestEnvelope,
    ResponseEnvelope,
    shared_value,
)
from generator.catalog.model_ids import MODEL_ID, model_id_problem
from generator.render.cassettes import stream_media
from generator.render.model_types import ModelTypes
from generator.render.names import class_name, snake_name

MODEL_ID_PATTERN = f"^{MODEL_ID.pattern}$"  # the SDK's own check of an untyped call's id (_config.py)


class RenderError(Exception):
    """The catalog cannot be rendered as it is; the message says which entry and why."""


def safe_model_id(model_id: str, where: str) -> str:
    problem = model_id_problem(model_id)
    if problem:
        raise RenderError(f"{where}: {problem}")
    return model_id


def encoded_path(template: str, model_id: str) -> str:
    """Fill `{model_id}` with each segment percent-encoded; keep named parameters as `{name}`."""
    encoded = "/".join(quote(segment, safe="@:") for segment in model_id.split("/"))
    return template.replace("{model_id}", encoded)


@dataclass(frozen=True)
class StreamView:
    """How one model streams, as the SDK's `StreamSettings` hold it."""

    terminator: str | None
    content_type: str
    format: str
    request_flag: str | None  # the input property that asks for the stream


_CREDITS = re.compile(r"\bcredits?\b", re.IGNORECASE)  # a declared error about the account's credits


@dataclass(frozen=True)
class ModelView:
    entry: CatalogEntry
    types_or_none: ModelTypes | None  # None: the model's files are reused from a previous run
    source: str  # the catalog file it was rendered from, for headers

    @property
    def types(self) -> ModelTypes:
        if self.types_or_none is None:
            raise RenderError(f"{self.source}: rendering a model whose files were to be reused")
        return self.types_or_none

    @property
    def rendered(self) -> bool:
        return self.types_or_none is not None

    @property
    def slug(self) -> str:
        return self.entry.slug

    @property
    def class_name(self) -> str:
        return class_name(self.entry.slug, "Model")

    @property
    def path(self) -> str:
        return encoded_path(self.entry.endpoint.path, self.entry.model_id)

    @property
    def request_root(self) -> str | None:
        """What `run()` takes positionally when the input is one JSON value, not an object."""
        variants = self.types.variants
        if len(variants) == 1 and variants[0].root and len(variants[0].params) == 1:
            return variants[0].params[0].annotation
        return None

    @property
    def all_params(self) -> list[tuple[str, str]]:
        """Every keyword argument of any input alternative, with what any of them accepts for it."""
        annotations: dict[str, list[str]] = {}
        for variant in self.types.variants:
            for param in variant.params:
                seen = annotations.setdefault(param.name, [])
                if param.annotation not in seen:
                    seen.append(param.annotation)
        return [(name, " | ".join(types)) for name, types in annotations.items()]

    @property
    def all_param_docs(self) -> list[tuple[str, str]]:
        """Each keyword argument of any input alternative with its help line (the first one's)."""
        docs: dict[str, str] = {}
        for variant in self.types.variants:
            for param in variant.params:
                docs.setdefault(param.name, param.help_in(variant.class_name))
        return list(docs.items())

    @property
    def streams(self) -> bool:
        # The stream flag is a property of the request object; a non-object input cannot carry it.
        flagged = self.entry.streaming.supported and bool(self.entry.streaming.request_flag)
        raw = self.entry.request.raw_body
        return (
            flagged
            and not (raw and raw.required)
            and (self.types_or_none is None or self.request_root is None)
        )

    @property
    def stream_settings(self) -> StreamView | None:
        """This model's own stream settings; None when it does not stream."""
        streaming = self.entry.streaming
        if not streaming.supported:
            return None
        return StreamView(
            streaming.terminator, stream_media(self.entry), streaming.format or "sse", streaming.request_flag
        )

    @property
    def raw_only(self) -> bool:
        """The input is raw bytes and nothing else: `run(content, /)`."""
        raw = self.entry.request.raw_body
        return raw is not None and raw.property is None and raw.required

    @property
    def raw_alternative(self) -> bool:
        """The whole input may be raw bytes instead of the JSON keyword arguments."""
        raw = self.entry.request.raw_body
        return raw is not None and raw.property is None and not raw.required

    @property
    def upload_param(self) -> str | None:
        """The `run()` argument whose bytes are the body, when one input property is an upload."""
        raw = self.entry.request.raw_body
        if raw is None or raw.property is None:
            return None
        taken = {p.name for variant in self.types.variants for p in variant.params} | {"self", "extra_body"}
        name = snake_name(raw.property, "upload")
        while name in taken:
            name += "_"
        return name

    @property
    def response_type(self) -> str:
        return "bytes" if self.types.binary_response else "Response"

    @property
    def type_names(self) -> list[str]:
        names = {"Request", *(v.class_name for v in self.types.variants)}
        if not self.types.binary_response:
            names.add("Response")
        if self.streams:
            names.add("StreamChunk")
        mentioned = {
            word
            for variant in self.types.variants
            for param in variant.params
            for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", param.annotation)
        }
        names.update(name for name in self.types.class_names if name in mentioned)
        return sorted(names)

    @property
    def built_type_names(self) -> list[str]:
        """The type names a resource module imports to run: all but the TypedDicts in a module of
        their own, which only its annotations name (imported for type checkers alone)."""
        return [name for name in self.type_names if name not in self._moved_dicts]

    @property
    def checked_type_names(self) -> list[str]:
        """The TypedDicts a resource module's annotations name, from their own module."""
        return [name for name in self.type_names if name in self._moved_dicts]

    @property
    def _moved_dicts(self) -> frozenset[str]:
        typed_dicts = self.types.typed_dicts
        return frozenset(typed_dicts.names if typed_dicts else ())

    @property
    def status_errors(self) -> dict[int, str]:
        """What the model's document declares a status to mean beyond what it means in HTTP, by the
        names the runtime's `_exceptions._DECLARED_CLASSES` knows: `{406: "credits"}` for a page
        that declares its 406 as "Not enough credits". The model's own, never its provider's."""
        return {
            error.status: "credits"
            for error in self.entry.errors
            if _CREDITS.search(f"{error.name} {error.description}")
        }

    @property
    def example_call(self) -> str:
        """A one-line call for the README, from the document's first example when there is one."""
        if self.entry.examples and isinstance(self.entry.examples[0].request, dict):
            request = self.entry.examples[0].request
            arguments = ", ".join(
                f"{key}={value!r}" for key, value in request.items() if str(key).isidentifier()
            )
            return f"run({arguments})"
        return "run(...)"


@dataclass(frozen=True)
class ProviderView:
    name: str
    models: tuple[ModelView, ...]

    def _shared(self, field: str) -> Any:
        """A field every model of the provider has the same value for (checked by `provider_view`)."""
        if field not in SHARED_FIELDS:
            raise RenderError(f"{self.name}: {field} is each model's own, not the provider's")
        return shared_value(self.models[0].entry, field)

    @property
    def class_name(self) -> str:
        return class_name(self.name, "Provider")

    @property
    def env_prefix(self) -> str:
        return re.sub(r"[^A-Z0-9]+", "_", self.name.upper())

    @property
    def base_url(self) -> str:
        return str(self._shared("endpoint.base_url"))

    @property
    def auth(self) -> Auth:
        return cast(Auth, self._shared("auth"))

    @property
    def request_envelope(self) -> RequestEnvelope | None:
        return cast(RequestEnvelope | None, self._shared("request.envelope"))

    @property
    def response_envelope(self) -> ResponseEnvelope | None:
        return cast(ResponseEnvelope | None, self._shared("response.envelope"))

    @property
    def path_params(self) -> list[tuple[str, str]]:
        return sorted(cast(dict[str, str], self._shared("endpoint.path_params")).items())

    @property
    def generic_path(self) -> str:
        return str(self._shared("endpoint.path"))

    @property
    def stream_groups(self) -> list[tuple[StreamView, list[str]]]:
        """Each streaming model's own settings, for the untyped `stream()`: the ids of the models sharing them.

        Grouped so that a provider module holds each distinct setting once and a model id as a bare
        string: compiling one `StreamSettings(...)` call per model grew the module by ~5 us a model.
        """
        return _ids_by(self.models, lambda model: model.stream_settings)

    @property
    def status_groups(self) -> list[tuple[dict[int, str], list[str]]]:
        """What each model's document declares its statuses to mean (`ModelView.status_errors`), for
        the untyped `run()` and `stream()`: each distinct meaning once, with the ids of its models."""
        grouped = _ids_by(self.models, lambda model: tuple(sorted(model.status_errors.items())) or None)
        return [(dict(meanings), ids) for meanings, ids in grouped]


_K = TypeVar("_K", bound=Hashable)


def _ids_by(models: Sequence[ModelView], key: Callable[[ModelView], _K | None]) -> list[tuple[_K, list[str]]]:
    """The models' ids grouped by a value of theirs (None: left out), each value once: a provider module
    holds each distinct setting once and a model id as a bare string."""
    groups: dict[_K, list[str]] = {}
    for model in models:
        if (value := key(model)) is not None:
            groups.setdefault(value, []).append(model.entry.model_id)
    return sorted(groups.items(), key=lambda group: group[1][0])


def provider_view(name: str, models: Sequence[ModelView]) -> ProviderView:
    """Group a provider's models; they must agree on what the provider's client holds once."""
    ordered = tuple(sorted(models, key=lambda m: m.slug))
    first = ordered[0]
    for model in ordered[1:]:
        for field in SHARED_FIELDS:
            if shared_value(model.entry, field) != shared_value(first.entry, field):
                raise RenderError(
                    f"{model.source}: {field} differs from {first.source}; "
                    f"one {name} client cannot serve both"
                )
    return ProviderView(name, ordered)
