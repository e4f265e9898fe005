"""Known disagreements between documents, acknowledged with a reason so they stop repeating.

`acknowledged.yaml` beside the sources lists them::

    acknowledged:
      - field: top_p
        documents: [sources/cloudflare/a.md, sources/dataoorts/b.md]
        reason: Cloudflare documents [0.001, 1], Dataoorts [0, 2]; each model keeps its own.

A range warning (the only kind this file answers) about `field` in a document is acknowledged when
that document and every document it disagrees with are listed; it becomes an info line. A listed
name may be a glob (`sources/dataoorts/*`): a provider's hundred pages are one line. An
acknowledgement that matches nothing is a warning (stale), as is a document it lists by name that
is not among the sources (a removed page); one without a `reason` is an error.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import yaml

from generator.diagnostics import Diagnostic, error, info, warning
from generator.ingest.places import ACKNOWLEDGED

# What a stale acknowledgement's warning says of the one kind of warning this file can answer.
ACKNOWLEDGEABLE = (
    f"{ACKNOWLEDGED} acknowledges only documents giving one parameter different ranges "
    "(`... ranges over ... here but ...`); answer another warning with an overlay or in providers/"
)


@dataclass(frozen=True)
class Acknowledgement:
    file: str
    line: int | None
    field: str
    documents: frozenset[str]
    reason: str

    def covers(self, document: str, field: str, others: Sequence[str]) -> bool:
        return field == self.field and all(self.lists(name) for name in (document, *others))

    def lists(self, document: str) -> bool:
        """Whether a listed name or glob names the document."""
        return document in self.documents or any(fnmatchcase(document, listed) for listed in self.documents)


def load_acknowledged(path: Path, label: str) -> tuple[list[Acknowledgement], list[Diagnostic]]:
    """The acknowledgements in path (none when it does not exist); label names the file in diagnostics."""
    if not path.is_file():
        return [], []
    try:
        root = yaml.compose(path.read_text("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        return [], [error(label, None if line is None else line + 1, f"not valid YAML: {exc}")]
    items = _items(root)
    if items is None:
        return [], [error(label, 1, "expected `acknowledged:` with a list of {field, documents, reason}")]
    found: list[Acknowledgement] = []
    problems: list[Diagnostic] = []
    for node in items:
        line = node.start_mark.line + 1
        value = yaml.safe_load(yaml.serialize(node)) if isinstance(node, yaml.MappingNode) else None
        if not isinstance(value, dict):
            problems.append(error(label, line, "an acknowledgement is a mapping: field, documents, reason"))
            continue
        field, reason = value.get("field"), value.get("reason")
        raw = value.get("documents")
        documents = [str(item) for item in raw] if isinstance(raw, list) and _strings(raw) else []
        if not isinstance(reason, str) or not reason.strip():
            problems.append(error(label, line, "an acknowledgement needs a `reason:` saying why it is right"))
        elif not isinstance(field, str) or (len(documents) < 2 and not any(map(_is_glob, documents))):
            problems.append(
                error(
                    label, line, "an acknowledgement names a `field` and at least two `documents` (or a glob)"
                )
            )
        else:
            unknown = set(value) - {"field", "documents", "reason"}
            if unknown:
                problems.append(error(label, line, f"unknown key(s) {', '.join(sorted(unknown))}"))
                continue
            found.append(Acknowledgement(label, line, field, frozenset(documents), reason.strip()))
    return found, problems


def _items(root: yaml.Node | None) -> list[yaml.Node] | None:
    if not isinstance(root, yaml.MappingNode):
        return None
    for key, value in root.value:
        if key.value == "acknowledged" and isinstance(value, yaml.SequenceNode):
            return list(value.value)
    return None


def _is_glob(name: str) -> bool:
    """A listed name that may stand for many documents (`sources/cloudflare/*`)."""
    return any(char in name for char in "*?[")


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def acknowledge(
    found: Diagnostic,
    others: Sequence[str],
    acknowledged: Sequence[Acknowledgement],
    used: set[Acknowledgement],
) -> Diagnostic:
    """The warning as an info line when an acknowledgement covers it; the warning otherwise."""
    for known in acknowledged:
        if found.field is not None and known.covers(found.file, found.field, others):
            used.add(known)
            return info(
                found.file, found.line, f"{found.message} (acknowledged: {known.reason})", found.field
            )
    return found


def stale(
    acknowledged: Sequence[Acknowledgement],
    used: set[Acknowledgement],
    open_disagreements: Mapping[str, set[str]] | None = None,
    documents: Collection[str] | None = None,
) -> list[Diagnostic]:
    """A warning for each acknowledgement that covered no warning this run. open_disagreements: by
    field, the documents of the disagreements left unacknowledged; one that shares a document with
    the acknowledgement is the same disagreement grown, which wants the new documents listed.
    documents: the sources' names, when known: a document listed by name that is none of them (its
    page removed or renamed) is a warning too, even where the rest still covers a disagreement."""
    found = [] if documents is None else _gone(acknowledged, documents)
    for known in acknowledged:
        if known in used:
            continue
        involved = (open_disagreements or {}).get(known.field, set())
        if any(known.lists(document) for document in involved):
            new = sorted(document for document in involved if not known.lists(document))
            advice = (
                f"no longer covers the disagreement on `{known.field}`: it now also involves "
                f"{', '.join(new)}; add them to `documents` if the reason holds for them too"
            )
        else:
            advice = f"matches no disagreement; remove it. {ACKNOWLEDGEABLE}"
        listed = ", ".join(sorted(known.documents))
        found.append(
            warning(
                known.file,
                known.line,
                f"acknowledgement of `{known.field}` in {listed} {advice}",
                known.field,
            )
        )
    return found


def _gone(acknowledged: Sequence[Acknowledgement], documents: Collection[str]) -> list[Diagnostic]:
    present = set(documents)
    return [
        warning(
            known.file,
            known.line,
            f"acknowledgement of `{known.field}` lists {name}, which is not among the sources "
            "(removed or renamed); take it out of `documents`",
            known.field,
        )
        for known in acknowledged
        for name in sorted(known.documents)
        if name not in present and not _is_glob(name)  # a glob may match nothing yet
    ]
