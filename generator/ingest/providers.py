"""Provider defaults: what holds for every model of a provider unless its document says otherwise.

The defaults for the providers cardgen knows ship inside cardgen (`provider_defaults/`), so ingest
works from any folder and from an installed cardgen. A project's `providers/<name>.yaml` (a mapping
with `provider: <name>`) replaces them field by field (`streaming.terminator` alone, say), or
defines a provider cardgen does not know. Either way they are defaults: a fact a document states
wins over them, and a project's file that says otherwise than a document is warned about there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from generator.diagnostics import Diagnostic, error, warning
from generator.ingest.facts import Fact
from generator.ingest.places import PROVIDERS_PREFIX
from generator.ingest.yamlspans import YamlProblem, load_located

SECTIONS = ("endpoint", "auth", "request", "response", "streaming")
OTHER_SECTIONS = ("pull",)  # read by `cardgen pull` (generator/pull/config.py), not by ingest
BUILTIN_PREFIX = "cardgen:providers"  # how provenance names a default that ships with cardgen


@dataclass(frozen=True)
class ProviderDefaults:
    provider: str
    file: str
    facts: dict[str, Fact]


def load_providers(directory: Path | None) -> tuple[dict[str, ProviderDefaults], list[Diagnostic]]:
    """The built-in defaults, each field overridden by the project's file for that provider, if any."""
    providers, diagnostics = _load_builtin()
    if directory is None or not directory.is_dir():
        return providers, diagnostics
    for path in sorted(directory.glob("*.yaml")):
        name = f"{PROVIDERS_PREFIX}/{path.name}"
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            diagnostics.append(error(name, None, f"cannot be read: {exc}"))
            continue
        override, problems = parse_provider(text, path.stem, name)
        diagnostics.extend(problems)
        if override is None:
            continue
        base = providers.get(path.stem)
        facts = {**base.facts, **override.facts} if base else override.facts
        providers[path.stem] = ProviderDefaults(path.stem, name, facts)
    return providers, diagnostics


@cache
def shipped_providers() -> frozenset[str]:
    """The providers whose defaults ship inside cardgen."""
    folder = resources.files("generator.ingest").joinpath("provider_defaults")
    return frozenset(r.name.removesuffix(".yaml") for r in folder.iterdir() if r.name.endswith(".yaml"))


def _load_builtin() -> tuple[dict[str, ProviderDefaults], list[Diagnostic]]:
    providers: dict[str, ProviderDefaults] = {}
    diagnostics: list[Diagnostic] = []
    folder = resources.files("generator.ingest").joinpath("provider_defaults")
    for resource in sorted(folder.iterdir(), key=lambda r: r.name):
        if not resource.name.endswith(".yaml"):
            continue
        stem = resource.name.removesuffix(".yaml")
        parsed, problems = parse_provider(
            resource.read_text("utf-8"), stem, f"{BUILTIN_PREFIX}/{resource.name}"
        )
        diagnostics.extend(problems)
        if parsed is not None:
            providers[stem] = parsed
    return providers, diagnostics


def parse_provider(text: str, stem: str, name: str) -> tuple[ProviderDefaults | None, list[Diagnostic]]:
    """One provider file's facts, keyed `section.key`; a broken file is diagnostics and None."""
    try:
        parsed = load_located(text)
    except YamlProblem as exc:
        return None, [error(name, exc.line, str(exc))]
    data = parsed.data
    if not isinstance(data, dict) or data.get("provider") != stem:
        return None, [error(name, 1, f"must be a mapping with `provider: {stem}`")]
    diagnostics: list[Diagnostic] = []
    facts: dict[str, Fact] = {}
    for section in SECTIONS:
        values = data.get(section) or {}
        if not isinstance(values, dict):
            diagnostics.append(error(name, _line(parsed.lines(section)), f"`{section}` must be a mapping"))
            continue
        for key, value in values.items():
            dotted = f"{section}.{key}"
            facts[dotted] = Fact(value, parsed.lines(dotted), "default", None, name)
    unknown = sorted(set(data) - {"provider", *SECTIONS, *OTHER_SECTIONS})
    if unknown:
        diagnostics.append(
            error(name, _line(parsed.lines(unknown[0])), f"unknown keys: {', '.join(unknown)}")
        )
    return ProviderDefaults(stem, name, facts), diagnostics


def _line(span: tuple[int, int] | None) -> int | None:
    return span[0] if span else None


def unheeded_defaults(
    defaults: ProviderDefaults, facts: Mapping[str, Fact], document: str
) -> list[Diagnostic]:
    """A warning at each fact of a document that the project's provider file sets otherwise.

    The document's value is the one used (what a page states of its model beats a default), so the
    file's value goes unused for this model; said, rather than ignored silently.
    """
    found = []
    for key, fact in sorted(facts.items()):
        default = defaults.facts.get(key)
        if default is None or not _from_project_file(default) or default.value == fact.value:
            continue
        where = default.file if default.lines is None else f"{default.file}:{default.lines[0]}"
        found.append(
            warning(
                document,
                _line(fact.lines),
                f"{key} is {fact.value!r:.120} here, and {where} sets {default.value!r:.120}: a value a document"
                " states wins over the provider file, which only fills in what documents leave out; remove"
                " it there, or patch this model with an overlay",
                key,
            )
        )
    return found


def _from_project_file(fact: Fact) -> bool:
    """Set by the project's `providers/<name>.yaml`, not by a default that ships with cardgen."""
    return (fact.file or "").startswith(f"{PROVIDERS_PREFIX}/")
