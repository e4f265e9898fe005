"""Provider defaults: what holds for every model of a provider unless its document says otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.diagnostics import Diagnostic, error
from generator.ingest.facts import Fact
from generator.ingest.yamlspans import YamlProblem, load_located

SECTIONS = ("endpoint", "auth", "request", "response", "streaming")
PROVIDERS_PREFIX = "providers"


@dataclass(frozen=True)
class ProviderDefaults:
    provider: str
    file: str
    facts: dict[str, Fact]


def load_providers(directory: Path) -> tuple[dict[str, ProviderDefaults], list[Diagnostic]]:
    providers: dict[str, ProviderDefaults] = {}
    diagnostics: list[Diagnostic] = []
    if not directory.is_dir():
        return providers, diagnostics
    for path in sorted(directory.glob("*.yaml")):
        name = f"{PROVIDERS_PREFIX}/{path.name}"
        try:
            parsed = load_located(path.read_text("utf-8"))
        except (YamlProblem, UnicodeDecodeError) as exc:
            diagnostics.append(error(name, getattr(exc, "line", None), str(exc)))
            continue
        data = parsed.data
        if not isinstance(data, dict) or data.get("provider") != path.stem:
            diagnostics.append(error(name, 1, f"must be a mapping with `provider: {path.stem}`"))
            continue
        facts: dict[str, Fact] = {}
        for section in SECTIONS:
            values = data.get(section) or {}
            if not isinstance(values, dict):
                diagnostics.append(error(name, None, f"`{section}` must be a mapping"))
                continue
            for key, value in values.items():
                dotted = f"{section}.{key}"
                facts[dotted] = Fact(value, parsed.lines(dotted), "default", None, name)
        unknown = sorted(set(data) - {"provider", *SECTIONS})
        if unknown:
            diagnostics.append(error(name, None, f"unknown keys: {', '.join(unknown)}"))
        providers[path.stem] = ProviderDefaults(path.stem, name, facts)
    return providers, diagnostics
