"""The version bump for each mix of severities, and both renderings of a diff."""

from __future__ import annotations

import json
import re

import pytest

from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog
from generator.evolve import CatalogDiff, bump_for, diff_catalogs
from generator.evolve.changes import Bump, bump_below_1_0
from generator.evolve.report import render_json, render_markdown, render_text
from generator.markdown import markdown_code, markdown_message, markdown_text
from generator.render.changelog import bumped, changelog_text
from tests.evolve.cases import CASES, Case, base_entry, obj

BY_ID = {case.id: case for case in CASES}


def merged(*case_ids: str) -> tuple[Catalog, Catalog]:
    """The named cases side by side in one catalog pair, each under its own model id."""
    old: list[CatalogEntry] = []
    new: list[CatalogEntry] = []
    for number, case_id in enumerate(case_ids):
        pair = BY_ID[case_id].catalogs()
        for side, catalog in zip((old, new), pair, strict=True):
            side.extend(
                e.model_copy(update={"model_id": f"model-{number}", "slug": f"{e.slug}_{number}"})
                for e in catalog
            )
    return Catalog(tuple(old)), Catalog(tuple(new))


@pytest.mark.parametrize(
    ("case_ids", "bump"),
    [
        ((), "none"),
        (("description-changed", "provenance-changed"), "patch"),
        (("description-changed", "request-property-added-optional"), "minor"),
        (("model-added", "response-no-longer-nullable"), "minor"),
        (("request-range-narrowed", "description-changed"), "major"),  # breaking-wire alone is major
        (("request-property-added-optional", "response-property-removed"), "major"),
        (("model-removed",), "major"),
    ],
)
def test_bump_follows_the_most_severe_change(case_ids: tuple[str, ...], bump: str) -> None:
    diff = diff_catalogs(*merged(*case_ids))
    assert diff.bump == bump
    assert diff.breaking is (bump == "major")


def test_bump_for_each_severity_set() -> None:
    assert bump_for(set()) == "none"
    assert bump_for({"informational"}) == "patch"
    assert bump_for({"informational", "compatible"}) == "minor"
    assert bump_for({"compatible", "breaking-wire"}) == "major"
    assert bump_for({"breaking"}) == "major"


def _mixed() -> CatalogDiff:
    return diff_catalogs(
        *merged("description-changed", "model-added", "request-range-narrowed", "model-removed")
    )


def test_json_document_shape() -> None:
    document = json.loads(render_json(_mixed()))
    assert list(document) == ["bump", "bump_below_1_0", "breaking", "counts", "models"]
    assert (document["bump"], document["bump_below_1_0"]) == ("major", "minor")
    assert document["breaking"] is True
    assert document["counts"] == {"breaking": 1, "breaking-wire": 1, "compatible": 1, "informational": 1}
    for model in document["models"]:
        assert list(model) == ["provider", "model_id", "status", "changes"]
        assert model["status"] in {"added", "removed", "changed"}
        for change in model["changes"]:
            assert list(change) == ["rule", "severity", "path", "old", "new", "message"]
    statuses = {m["model_id"]: m["status"] for m in document["models"]}
    assert statuses == {"model-0": "changed", "model-1": "added", "model-2": "changed", "model-3": "removed"}
    narrowed = document["models"][2]["changes"][0]
    assert narrowed == {
        "rule": "request-range-narrowed",
        "severity": "breaking-wire",
        "path": "$.input_schema.properties.a.maximum",
        "old": 5,
        "new": 2,
        "message": "upper bound <= 5 -> <= 2",
    }


def test_order_does_not_depend_on_the_order_of_entries() -> None:
    old, new = merged("model-removed", "request-oneof-branch-added", "default-changed", "model-added")
    flipped = diff_catalogs(Catalog(old.entries[::-1]), Catalog(new.entries[::-1]))
    assert render_json(flipped) == render_json(diff_catalogs(old, new))
    assert [(m.provider, m.model_id) for m in flipped.models] == sorted(
        (m.provider, m.model_id) for m in flipped.models
    )


def test_changes_come_most_severe_first() -> None:
    case = Case(
        "mixed",
        {"input_schema": {"type": "object", "properties": {"a": {"type": "integer", "maximum": 5}}}},
        {
            "input_schema": {
                "type": "object",
                "description": "now documented",
                "properties": {"a": {"type": "integer", "maximum": 2}, "b": {}},
                "required": ["a"],
            }
        },
        (),
    )
    severities = [c.severity for c in diff_catalogs(*case.catalogs()).changes]
    assert severities == ["breaking", "breaking-wire", "compatible", "informational"]


def test_text_report() -> None:
    old, new = BY_ID["request-property-removed"].catalogs()
    entry = new.entries[0]
    assert render_text(diff_catalogs(old, new)) == (
        f"{entry.provider} {entry.model_id}: changed\n"
        "  breaking       request-property-removed  $.input_schema.properties.b\n"
        '                 {"type": "string"} -> (absent)\n'
        "                 property `b` removed\n"
        "\n"
        "1 model(s): 0 added, 0 removed, 1 changed; 1 breaking, 0 breaking-wire, 0 compatible, 0 informational\n"
        "suggested version bump: major (minor below 1.0)\n"
    )


def test_text_report_without_changes() -> None:
    old, _ = BY_ID["model-added"].catalogs()
    assert render_text(diff_catalogs(old, old)) == "no changes\nsuggested version bump: none\n"


@pytest.mark.parametrize(
    ("bump", "below", "after"),
    [
        ("major", "minor", "0.4.0"),
        ("minor", "patch", "0.3.2"),
        ("patch", "patch", "0.3.2"),
        ("none", "none", "0.3.1"),
    ],
)
def test_diff_names_the_bump_generate_applies_below_1_0(bump: Bump, below: str, after: str) -> None:
    assert bump_below_1_0(bump) == below
    assert bumped("0.3.1", bump) == after
    assert (
        bumped("1.3.1", bump) == {"major": "2.0.0", "minor": "1.4.0", "patch": "1.3.2", "none": "1.3.1"}[bump]
    )


def test_a_long_value_that_changed_is_shown_where_it_changed() -> None:
    """Two provenances that differ in their lines only: each cut where they part, not at one start."""
    old = base_entry()
    field = next(iter(old.provenance.fields))
    fact = old.provenance.fields[field]
    long_file = "cardgen:providers/" + "x" * 60 + ".yaml"
    before = old.model_copy(
        update={"provenance": old.provenance.model_copy(
            update={"fields": {**old.provenance.fields, field: fact.model_copy(update={"file": long_file, "lines": (30, 40)})}}
        )}
    )  # fmt: skip
    after = before.model_copy(
        update={"provenance": before.provenance.model_copy(
            update={"fields": {**before.provenance.fields, field: fact.model_copy(update={"file": long_file, "lines": (31, 41)})}}
        )}
    )  # fmt: skip
    [change] = [c for m in diff_catalogs(Catalog((before,)), Catalog((after,))).models for c in m.changes]
    was, now = change.message.split(": ", 1)[1].split(" -> ")
    assert was != now, change.message
    assert "30, 40" in was and "31, 41" in now


@pytest.mark.parametrize("character", ["\u2028", "\u2029", "\x85", "\u202e", "\x7f", "\x9b"])
def test_document_text_that_changed_is_shown_on_lines_of_its_own_escaped(character: str) -> None:
    """A description or enum value with a line separator, a bidi override or an escape code reaches the
    report (and generated/CHANGELOG.md, from the same messages) escaped: splitlines() readers see
    the lines written, and no terminal or Markdown view shows text the document reordered."""
    old = base_entry()
    text = f"before{character}after"
    schema = obj(
        {
            "prompt": {"type": "string", "enum": ["a", text], "description": f"old {text}"},
            text: {"type": "string"},
        },
        ["prompt"],
    )  # a property named by the document: its name reaches the message too
    before = old.model_copy(
        update={
            "description": "plain",
            "input_schema": obj({"prompt": {"type": "string", "enum": ["a", "b"]}}, ["prompt"]),
        }
    )
    after = old.model_copy(update={"description": text, "input_schema": schema})
    diff = diff_catalogs(Catalog((before,)), Catalog((after,)))
    messages = [change.message for change in diff.changes]
    report = render_text(diff)
    assert len(messages) >= 2, messages  # the description and the enum at least
    for shown in [*messages, report]:
        assert all(ch.isprintable() for ch in shown.replace("\n", "")), ascii(shown)
    assert report.splitlines() == report.split("\n")[:-1]
    assert any("before\\" in message and "after" in message for message in messages), (
        messages
    )  # shown, escaped


def test_document_text_in_markdown_is_shown_not_obeyed() -> None:
    """A description holding HTML (a comment would hide the rest of a job summary), a property name
    holding a backtick and a pipe: each row keeps its cells, each code span closes where it should."""
    old = base_entry()
    name = "we`ird|x"
    before = old.model_copy(
        update={"description": "plain", "input_schema": obj({"prompt": {"type": "string"}}, ["prompt"])}
    )
    after = old.model_copy(
        update={
            "description": "<!-- hidden <details><summary>x",
            "input_schema": obj({"prompt": {"type": "string"}, name: {"type": "string"}}, ["prompt"]),
        }
    )
    report = render_markdown(diff_catalogs(Catalog((before,)), Catalog((after,))))
    assert not re.search(r"(?<!\\)<", report), report  # every `<` escaped: no HTML, no comment
    assert "\\<!-- hidden \\<details>\\<summary>x" in report
    rows = [line for line in report.splitlines() if line.startswith("| `")]
    assert rows and all(len(re.split(r"(?<!\\)\|", row)) == 8 for row in rows), rows  # 6 cells each
    assert '`$.input_schema.properties["we\'ird\\|x"]`' in report  # its backtick cannot end the span


def test_markdown_code_spans_and_text() -> None:
    assert markdown_code("a`b|c\nd") == "a'b\\|c d"
    assert markdown_text("[docs](https://x) **b** <i> & c|d -> \\u2028") == (
        "\\[docs\\](https://x) \\*\\*b\\*\\* \\<i> \\& c\\|d -> \\u2028"
    )
    assert markdown_text("a\\*b") == "a\\\\\\*b"  # a backslash before markup shows as written
    assert markdown_message("property `a<b|c` is [x](y)") == "property `a<b\\|c` is \\[x\\](y)"


def test_a_changelog_kept_under_another_title_keeps_its_entries() -> None:
    """The SDK generated again under a new package name, or its title edited by hand: its history stays."""
    history = "# Changelog of modelsdk\n\nGenerated by cardgen; newest first.\n\n## 0.1.0\n\n- first\n"
    renamed = changelog_text(history, "acme_models", "0.2.0", ["- second"])
    assert renamed == (
        "# Changelog of acme_models\n\nGenerated by cardgen; newest first.\n\n## 0.2.0\n\n- second\n\n## 0.1.0\n\n- first\n"
    )
    untitled = changelog_text("## 0.1.1\n\n- first\n", "modelsdk", "0.2.0", ["- second"])
    assert untitled.endswith("## 0.2.0\n\n- second\n\n## 0.1.1\n\n- first\n")  # its newest entry kept
    title_only = changelog_text(history.split("\n## ", maxsplit=1)[0], "acme", "0.2.0", ["- second"])
    assert title_only.count("# Changelog of") == 1
    edited = changelog_text("Our SDK's history\n\nnotes\n", "modelsdk", "0.2.0", ["- second"])
    assert edited.endswith("## 0.2.0\n\n- second\n\nOur SDK's history\n\nnotes\n")
    # Renamed with no entry changed: no new entry, and the title names the package it now holds.
    assert changelog_text(history, "modelsdk", "0.2.0", []) == history
    assert changelog_text(history, "acme_models", "0.2.0", []) == history.replace("modelsdk", "acme_models")
    assert (
        changelog_text(None, "acme", "0.1.0", [])
        == "# Changelog of acme\n\nGenerated by cardgen; newest first.\n"
    )
