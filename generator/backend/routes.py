"""Map a request path to the model it addresses, from the entries' endpoint path templates.

Entries that share a path template form one group. When the template holds `{model_id}` the
model is read from the path (ids with `/` and `@` are matched literally); otherwise the entry
has a request envelope and the model is read from the body once it has been parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.backend.protocols import Protocol
from generator.backend.served import ServedModel

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class RouteGroup:
    """All models served under one path template."""

    template: str
    pattern: re.Pattern[str]
    protocol: Protocol
    models: dict[str, ServedModel] = field(default_factory=dict)

    @property
    def by_path(self) -> bool:
        return "model_id" in self.pattern.groupindex

    @property
    def methods(self) -> list[str]:
        return sorted({m.entry.endpoint.method for m in self.models.values()})


@dataclass(frozen=True)
class RouteMatch:
    """A path that fits a template; `model` is None when unknown or still to be read from the body."""

    group: RouteGroup
    model_id: str | None
    model: ServedModel | None


def compile_template(template: str) -> re.Pattern[str]:
    """Turn `/a/{account_id}/run/{model_id}` into a pattern; `model_id` may span slashes."""
    parts: list[str] = []
    position = 0
    for param in _PARAM.finditer(template):
        parts.append(re.escape(template[position : param.start()]))
        name = param.group(1)
        parts.append(f"(?P<{name}>.+?)" if name == "model_id" else f"(?P<{name}>[^/]+)")
        position = param.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts))


class RouteTable:
    """Every served path template, with the models under it."""

    def __init__(self, models: Iterable[ServedModel]) -> None:
        groups: dict[str, RouteGroup] = {}
        for model in models:
            endpoint = model.entry.endpoint
            group = groups.get(endpoint.path)
            if group is None:
                group = RouteGroup(endpoint.path, compile_template(endpoint.path), model.protocol)
                groups[endpoint.path] = group
            if not group.by_path and model.entry.request.envelope is None:
                raise ValueError(
                    f"{model.entry.provider}/{model.entry.slug}: path {endpoint.path!r} has no "
                    "{model_id} and the request has no envelope naming the model"
                )
            other = group.models.get(model.entry.model_id)
            if other is not None:
                raise ValueError(
                    f"{model.entry.provider}/{model.entry.slug} and {other.entry.provider}/"
                    f"{other.entry.slug} both serve {model.entry.model_id!r} at {endpoint.path!r}"
                )
            group.models[model.entry.model_id] = model
        self.groups = list(groups.values())

    def match(self, path: str) -> RouteMatch | None:
        """Prefer a known model in the path, then a body-addressed group, then an unknown model."""
        unknown: RouteMatch | None = None
        addressed_by_body: RouteMatch | None = None
        for group in self.groups:
            found = group.pattern.fullmatch(path)
            if found is None:
                continue
            if not group.by_path:
                addressed_by_body = addressed_by_body or RouteMatch(group, None, None)
                continue
            model_id = found.group("model_id")
            model = group.models.get(model_id)
            if model is not None:
                return RouteMatch(group, model_id, model)
            unknown = unknown or RouteMatch(group, model_id, None)
        return addressed_by_body or unknown

    def models(self) -> list[ServedModel]:
        return [m for g in self.groups for m in g.models.values()]
