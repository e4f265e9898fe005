"""Maintainers' patches: a JSON merge patch (RFC 7386) per entry, with the reason for it."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, error
from generator.ingest.hygiene import lone_surrogates, surrogate_message
from generator.ingest.places import OVERLAYS_PREFIX
from generator.ingest.yamlspans import YamlProblem, load_located

PROTECTED = frozenset({"format", "provider", "slug", "model_id", "provenance"})


@dataclass(frozen=True)
class Overlay:
    provider: str
    slug: str
    file: str
    sha256: str
    reason: str
    patch: dict[str, Any]
    spans: dict[str, tuple[int, int]]

    def touched(self) -> list[str]:
        """Dotted entry fields the patch sets: top-level keys, or section.key for mappings."""
        fields: list[str] = []
        for key, value in self.patch.items():
            if isinstance(value, dict) and key not in {"input_schema", "output_schema"}:
                fields.extend(f"{key}.{sub}" for sub in value)
            else:
                fields.append(key)
        return fields


def load_overlays(directory: Path) -> tuple[list[Overlay], list[Diagnostic]]:
    overlays: list[Overlay] = []
    diagnostics: list[Diagnostic] = []
    if not directory.is_dir():
        return overlays, diagnostics
    for path in sorted(directory.glob("*/*.yaml")):
        name = f"{OVERLAYS_PREFIX}/{path.relative_to(directory).as_posix()}"
        raw = path.read_bytes()
        try:
            parsed = load_located(raw.decode("utf-8"))
        except (YamlProblem, UnicodeDecodeError) as exc:
            diagnostics.append(error(name, getattr(exc, "line", None), str(exc)))
            continue
        data = parsed.data
        surrogates = lone_surrogates(data)
        if surrogates:
            where, char = surrogates[0]
            parts = where.split("/")[1:]
            found = [parsed.lines(".".join(parts[:n])) for n in range(len(parts), 0, -1)]
            first = next((span[0] for span in found if span), None)
            diagnostics.append(error(name, first, surrogate_message("the overlay", where, char)))
            continue
        if not isinstance(data, dict) or not isinstance(data.get("patch"), dict):
            diagnostics.append(error(name, 1, "an overlay is a mapping with `reason` and `patch`"))
            continue
        reason = data.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            diagnostics.append(error(name, 1, "an overlay must say why, in `reason`"))
            continue
        protected = sorted(PROTECTED & set(data["patch"]))
        if protected:
            line = parsed.lines(f"patch.{protected[0]}")
            diagnostics.append(
                error(
                    name,
                    line[0] if line else None,
                    f"an overlay may not change {', '.join(protected)}",
                )
            )
            continue
        spans = {k.removeprefix("patch."): v for k, v in parsed.spans.items() if k.startswith("patch.")}
        overlays.append(
            Overlay(
                path.parent.name,
                path.stem,
                name,
                hashlib.sha256(raw).hexdigest(),
                " ".join(reason.split()),
                data["patch"],
                spans,
            )
        )
    return overlays, diagnostics


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: mappings merge key by key, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
