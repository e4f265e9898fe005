"""Schema hygiene: outside refs refused, generator directives dropped, risky patterns refused."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.catalog.model_ids import model_id_problem
from generator.catalog.store import dump_entry
from generator.diagnostics import Level
from generator.ingest import yamlspans
from generator.ingest.facts import Fact
from generator.ingest.hygiene import clean_schema, clean_schema_facts
from generator.ingest.patterns import pattern_problem
from generator.ingest.pipeline import IngestInputs, ingest
from tests.conftest import FIXTURES, PROVIDERS


@pytest.mark.parametrize(
    "ref", ["../x.json", "/etc/passwd", "file:///etc/passwd", "https://example.com/s.json", "s.json#/a"]
)
def test_refs_outside_the_document_are_errors_and_removed(ref: str) -> None:
    cleaned = clean_schema({"properties": {"a": {"$ref": ref}}})
    assert cleaned.schema == {"properties": {"a": {}}}
    assert [(f.error, f.path) for f in cleaned.findings] == [(True, "/properties/a/$ref")]


def test_local_refs_stay() -> None:
    schema = {"properties": {"a": {"$ref": "#/$defs/t"}}, "$defs": {"t": {"type": "string"}}}
    assert clean_schema(schema) == type(clean_schema(schema))(schema, [])


def test_directives_are_dropped_but_properties_of_that_name_are_not() -> None:
    schema = {
        "customTypePath": "os.system",
        "properties": {"x-python-type": {"type": "string", "x-python-import": "os"}},
        "enum": [{"x-python-type": "data, not a directive"}],
    }
    cleaned = clean_schema(schema)
    assert cleaned.schema == {
        "properties": {"x-python-type": {"type": "string"}},
        "enum": [{"x-python-type": "data, not a directive"}],
    }
    assert [(f.error, f.path) for f in cleaned.findings] == [
        (False, "/customTypePath"),
        (False, "/properties/x-python-type/x-python-import"),
    ]


def test_self_reference_only_is_an_error() -> None:
    assert clean_schema({"$ref": "#"}).findings[0].message == "`$ref` '#' only leads back to itself (# -> #)"


def test_recursion_is_refused_because_generation_cannot_type_it() -> None:
    tree = {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}}
    [finding] = clean_schema(tree).findings
    assert (finding.error, finding.path) == (True, "/properties/children/items/$ref")
    assert "recursive" in finding.message


def test_refs_to_shared_definitions_are_not_recursion() -> None:
    schema = {
        "properties": {"a": {"$ref": "#/$defs/t"}, "b": {"$ref": "#/$defs/u"}},
        "$defs": {"t": {"type": "string"}, "u": {"type": "array", "items": {"$ref": "#/$defs/t"}}},
    }
    assert clean_schema(schema).findings == []


def test_depth_is_bounded() -> None:
    schema: dict[str, object] = {}
    node = schema
    for _ in range(5000):
        node["items"] = {}
        node = node["items"]  # type: ignore[assignment]
    assert any("nested deeper" in f.message for f in clean_schema(schema).findings)


def test_too_deep_is_told_once_however_many_keywords_sit_below_the_limit() -> None:
    """An object past the limit has a type, properties and required: one error, not one per keyword."""
    schema: dict[str, object] = {"type": "object"}
    node = schema
    for level in range(80):  # a level a property (the `properties` map is not one)
        child: dict[str, object] = {"type": "object", "required": ["x"]}
        node["properties"] = {f"l{level}": child}
        node = child
    (finding,) = clean_schema(schema).findings
    assert finding.error and finding.message == "nested deeper than 32 levels"


@pytest.mark.parametrize(
    "pattern", ["(a+)+", "(a*)*", "(a|a)*", "(a|ab)*$", r"(\w+\s?)*$", "(?=a)", "(?<!a)b", r"(a)\1", "["]
)
def test_risky_patterns_are_refused(pattern: str) -> None:
    assert pattern_problem(pattern) is not None


@pytest.mark.parametrize("pattern", ["^[a-z0-9_-]{1,64}$", "^(foo|bar)*$", r"^\d{4}-\d{2}-\d{2}$", "(ab){3}"])
def test_ordinary_patterns_pass(pattern: str) -> None:
    assert pattern_problem(pattern) is None


@pytest.mark.parametrize("model_id", ["../etc", "/abs", "a/../b", "a//b", "a b", "a\nb", "", "a/./b"])
def test_unsafe_model_ids(model_id: str) -> None:
    assert model_id_problem(model_id) is not None


@pytest.mark.parametrize("model_id", ["@cf/meta/llama-3.1-8b", "deepseek-r1", "a:b+c", "@cf/x/" + "a" * 154])
def test_safe_model_ids(model_id: str) -> None:
    assert model_id_problem(model_id) is None


def test_a_model_id_too_long_to_name_files_after_is_refused() -> None:
    """Its entry, modules and tests are named after it: 236 characters failed on the file system
    (`File name too long`, naming a temporary file), long after ingest had taken it."""
    model_id = "@cf/x/" + "a" * 155
    assert model_id_problem(model_id) == (
        "model id '@cf/x/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'... is 161 characters long; at most 160 are "
        "taken, as the SDK's files are named after it"
    )


def test_mutual_recursion_through_definitions_is_found() -> None:
    schema = {
        "properties": {"a": {"$ref": "#/$defs/a"}},
        "$defs": {
            "a": {"type": "object", "properties": {"b": {"$ref": "#/$defs/b"}}},
            "b": {"type": "array", "items": {"$ref": "#/$defs/a"}},
        },
    }
    (finding,) = clean_schema(schema).findings  # one cycle: said once, at its first ref, naming the rest
    assert finding.error and finding.path == "/$defs/a/properties/b/$ref"
    assert "`$ref` '#/$defs/b' makes the schema recursive (with '#/$defs/a')" in finding.message


def test_a_cycle_of_a_thousand_definitions_is_one_error() -> None:
    """Each ref of the cycle was an error of its own: 1,001 lines for one mistake."""
    count = 1000
    defs = {f"D{i}": {"properties": {"next": {"$ref": f"#/$defs/D{(i + 1) % count}"}}} for i in range(count)}
    other = {"Node": {"items": {"$ref": "#/$defs/Node"}}}  # a second cycle: said too
    schema = {
        "properties": {"s": {"$ref": "#/$defs/D5"}, "n": {"$ref": "#/$defs/Node"}},
        "$defs": {**defs, **other},
    }
    first, second = clean_schema(schema).findings
    assert first.path == "/$defs/D0/properties/next/$ref"
    assert (
        "(with the 999 other refs of its cycle: '#/$defs/D0', '#/$defs/D10', '#/$defs/D100' and 996 more)"
        in first.message
    )
    assert (
        second.path == "/$defs/Node/items/$ref"
        and "'#/$defs/Node' makes the schema recursive," in second.message
    )


def test_a_long_chain_of_references_is_checked_in_linear_time() -> None:
    count = 20_000
    defs: dict[str, object] = {f"d{n}": {"allOf": [{"$ref": f"#/$defs/d{n + 1}"}]} for n in range(count)}
    defs[f"d{count}"] = {"type": "string"}
    schema = {"properties": {f"p{n}": {"$ref": f"#/$defs/d{n}"} for n in range(0, count, 7)}, "$defs": defs}
    started = time.process_time()  # CPU time: a busy CI runner stretches the wall clock, not the work
    (too_deep,) = clean_schema(schema).findings  # no cycle, no dangling ref: its depth alone is refused
    assert too_deep.message.startswith("`$ref` '#/$defs/d0' nests the schema 40002 levels deep")
    assert time.process_time() - started < 5


def test_the_catalog_entry_keeps_no_directive() -> None:
    fixture = FIXTURES / "bad" / "schema-generator-directive"
    result = ingest(IngestInputs(fixture / "sources", PROVIDERS, fixture / "overlays"))
    [entry] = result.catalog
    dumped = dump_entry(entry)
    for key in ("x-python-import", "customTypePath", "customBasePath", "x-enum-varnames", "x-is-base-class"):
        assert key not in dumped
    assert entry.input_schema["properties"]["prompt"] == {"type": "string"}
    assert "x-python-type" in entry.input_schema["properties"]  # a property's name, not a directive


def test_paths_in_messages_spell_out_control_characters() -> None:
    schema = {"properties": {"a\nsources/x.md:1: error: forged": {"$ref": "../x"}}, "x-python-\x1b[2J": 1}
    findings = clean_schema(schema).findings
    assert len(findings) == 2  # the outside `$ref` and the directive
    for finding in findings:
        assert finding.path.isprintable()
        assert finding.message.isprintable()


def test_lone_surrogates_in_any_fact_are_errors_naming_line_and_place() -> None:
    facts = {
        "description": Fact("half \ud800 of a pair", (3, 3)),
        "input_schema": Fact({"properties": {"a\udc00": {"enum": ["ok", "\udfff"]}}}, (9, 9)),
        "display_name": Fact("a whole 🦙 pair", (4, 4)),
    }
    shown = [d.render() for d in clean_schema_facts(facts, "sources/x.md")]
    tail = "is not text (a \\u escape without the other half of its pair)"
    assert shown == [
        f"sources/x.md:3: error: description at /: a lone surrogate U+D800 {tail}",
        f"sources/x.md:9: error: input_schema at /properties/a\\udc00: a lone surrogate U+DC00 {tail}",
        f"sources/x.md:9: error: input_schema at /properties/a\\udc00/enum/1: a lone surrogate U+DFFF {tail}",
    ]


def test_lone_surrogates_are_refused_with_the_pure_python_yaml_loader_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """libyaml refuses a YAML `\\ud800` escape itself; PyYAML's own loader reads it as text."""
    monkeypatch.setattr(yamlspans, "_Loader", yaml.SafeLoader)
    (tmp_path / "sources" / "cloudflare").mkdir(parents=True)
    (tmp_path / "overlays" / "cloudflare").mkdir(parents=True)
    page = (FIXTURES / "bad" / "lone-surrogate" / "sources" / "cloudflare" / "yaml-escape.md").read_text(
        "utf-8"
    )
    (tmp_path / "sources" / "cloudflare" / "yaml-escape.md").write_text(page, "utf-8")
    overlay = 'reason: "a patch"\npatch:\n  description: "half \\udc00"\n'
    (tmp_path / "overlays" / "cloudflare" / "yaml_escape.yaml").write_text(overlay, "utf-8")
    result = ingest(IngestInputs(tmp_path / "sources", PROVIDERS, tmp_path / "overlays"))
    errors = [d.render() for d in result.diagnostics if d.level is Level.ERROR]
    assert errors == [
        "overlays/cloudflare/yaml_escape.yaml:3: error: the overlay at /patch/description: a lone surrogate "
        "U+DC00 is not text (a \\u escape without the other half of its pair)",
        "sources/cloudflare/yaml-escape.md:4: error: description at /: a lone surrogate U+D800 "
        "is not text (a \\u escape without the other half of its pair)",
    ]


def test_default_factory_is_a_directive_dropped_with_its_path() -> None:
    cleaned = clean_schema({"properties": {"stop": {"type": "array", "default_factory": "os.system"}}})
    assert cleaned.schema == {"properties": {"stop": {"type": "array"}}}
    assert [(f.error, f.path) for f in cleaned.findings] == [(False, "/properties/stop/default_factory")]


def _chain(links: int) -> dict[str, Any]:
    """D0 -> D1 -> ... through a property `next` of each: a level a link."""
    defs = {
        f"D{i}": {
            "type": "object",
            "properties": {"v": {"type": "string"}, "next": {"$ref": f"#/$defs/D{i + 1}"}},
        }
        for i in range(links)
    }
    defs[f"D{links}"] = {"type": "string"}
    return {"type": "object", "properties": {"start": {"$ref": "#/$defs/D0"}}, "$defs": defs}


def test_nesting_through_refs_is_bounded() -> None:
    """Each ref's target is nested where the ref stands: a chain of 58 defs (no cycle) built, and the
    SDK's validator then recursed past Python's limit on the simplest call. Counted as if written out
    (a property one level below its object): past MAX_SCHEMA_DEPTH it is refused."""
    assert clean_schema(_chain(30)).findings == []  # 2 + 30 levels
    (finding,) = clean_schema(_chain(31)).findings
    assert finding.error
    assert (finding.path, finding.message) == (
        "/properties/start/$ref",
        "`$ref` '#/$defs/D0' nests the schema 33 levels deep through the refs it leads to; at most 32 are taken",
    )
    (finding,) = clean_schema(_chain(5000)).findings  # followed by a loop, not by recursion
    assert "nests the schema 5002 levels deep" in finding.message


def test_a_def_used_in_many_places_is_measured_once_and_at_its_deepest_use() -> None:
    leaf: dict[str, Any] = {"type": "object", "properties": {"x": {"type": "integer"}}}
    # Each level refers to the next twice: 2**40 paths, measured one level at a time.
    defs: dict[str, Any] = {
        f"L{i}": {"anyOf": [{"$ref": f"#/$defs/L{i + 1}"}, {"$ref": f"#/$defs/L{i + 1}"}]} for i in range(40)
    }
    defs["L40"] = leaf
    schema = {"type": "object", "properties": {"a": {"$ref": "#/$defs/L0"}}, "$defs": defs}
    (finding,) = clean_schema(schema).findings
    assert "nests the schema 83 levels deep" in finding.message  # 1 + 2 * 40 + 2


def test_a_def_used_thousands_of_times_inside_another_is_measured_in_linear_time() -> None:
    count = 20_000
    leafs = {f"q{i}": {"$ref": "#/$defs/Leaf"} for i in range(count)}
    schema = {
        "type": "object",
        "properties": {f"p{i}": {"$ref": "#/$defs/Mid"} for i in range(count)},
        "$defs": {"Mid": {"type": "object", "properties": leafs}, "Leaf": {"type": "string"}},
    }
    started = time.process_time()  # CPU time: a busy CI runner stretches the wall clock, not the work
    assert clean_schema(schema).findings == []
    assert time.process_time() - started < 5


@pytest.mark.parametrize("name", ["default", "enum", "example", "examples", "const"])
def test_a_property_named_like_a_data_keyword_is_a_schema_whose_refs_are_checked(name: str) -> None:
    """Its refs were skipped as data: a dangling one, a cycle and a deep chain passed ingest, and
    the SDK failed on import or on the first call."""
    dangling = {"type": "object", "properties": {name: {"$ref": "#/$defs/nope"}}}
    assert [f.message for f in clean_schema(dangling).findings] == [
        "`$ref` '#/$defs/nope' points to nothing in this schema"
    ]
    cycle = {
        "type": "object",
        "properties": {name: {"$ref": "#/$defs/A"}},
        "$defs": {"A": {"type": "object", "properties": {name: {"$ref": "#/$defs/A"}}}},
    }
    assert all("makes the schema recursive" in f.message for f in clean_schema(cycle).findings)
    assert clean_schema(cycle).findings
    chain = _chain(31)
    for definition in chain["$defs"].values():
        if "properties" in definition:
            definition["properties"][name] = definition["properties"].pop("next")
    assert "nests the schema 33 levels deep" in clean_schema(chain).findings[0].message
