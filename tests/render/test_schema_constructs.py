"""JSON Schema as providers write it, end to end: ingest, record, generate, mypy --strict, conform.

tests/fixtures/constructs/ holds Cloudflare front-matter pages of text-generation-like models whose
schemas use property names Python cannot take as they are, titles repeated across `oneOf` branches
and nested objects, typed maps, deep nesting, constants, nullable type lists, 64-bit integers and
keys JSON Schema does not define; `build.py` writes them, and a ~300 KB schema at test time.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shutil
import sys
import time
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from generator.catalog.store import load_catalog
from generator.render.schema_plan import plan_types
from tests.conftest import REPO
from tests.render.pipeline import conformance_rows, generate, ingest_and_record, ok, run_python, strict_errors

FIXTURES = REPO / "tests" / "fixtures" / "constructs"
SLUGS = {"keywords", "titles", "maps", "deep", "scalars", "leftovers", "large", "pure_map"}
GENERATE_BUDGET_S = 20.0  # the whole catalog, the 300 KB schema included; it takes about 2 s


def _build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("constructs_build", FIXTURES / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GOOD_USE = """\
from modelsdk import Cloudflare
from modelsdk.types.cloudflare.keywords import Response as KeywordsResponse
from modelsdk.types.cloudflare.maps import Request as MapsRequest

m = Cloudflare(api_key="k", account_id="a").models
kw: KeywordsResponse = m.keywords.run(
    prompt="p", class_="c", with_="w", from_="f", type="t", id="i", format="x", schema_="s",
    model="m", json_="j", model_config_="mc", dict_="d", a_b="ab", field_1abc="n",
    self_="s", params_="p", extra_body_="e", root="r", extra_body={"x-trace": "1"},
)
klass: str | None = kw.class_
dashed: str | None = kw.a_b
m.titles.run(prompt="Hi", options={"temperature": 0.5})
m.titles.run(messages=[{"role": "user", "content": "Hi"}], options={"top_k": 3})
m.maps.run(prompt="Hi", metadata={"k": "v"}, logit_bias={"42": -1.5}, extra_body={"n_best": 2})
extras: dict[str, int] | None = MapsRequest(prompt="x").model_extra
logprobs: dict[str, float] = m.pure_map.run(prompt="Hi", top_n=5).root
m.deep.run(prompt="Hi", context={"level1": {"level2": {"level3": {"level4": {}}}}})
out = m.scalars.run(prompt="Hi", version="v1", mode="chat", seed=2**64 - 1, offset=-(2**63), stop=None)
big: int | None = out.tokens
finish: str | None = out.finish
m.leftovers.run(prompt="Hi", max_tokens=8)
m.large.run(prompt="Hi", option_429={"style": "s429c", "level": 439})
"""

BAD_USE = """\
from modelsdk import Cloudflare

m = Cloudflare(api_key="k", account_id="a").models
m.keywords.run(prompt="p")
m.keywords.run(prompt="p", class_="c", **{"a-b": "x"}, with_=1)
m.scalars.run(prompt="Hi", version="v2")
m.scalars.run(prompt="Hi", mode="completion")
m.maps.run(prompt="Hi", metadata={"k": 1})
m.titles.run(prompt="Hi", messages=[])
"""


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The constructs catalog (with the large schema) ingested, recorded, and generated."""
    root = tmp_path_factory.mktemp("constructs")
    shutil.copytree(FIXTURES / "sources", root / "sources")
    shutil.copytree(FIXTURES / "providers", root / "providers")
    assert _build().write_large(root / "sources" / "cloudflare") > 290_000
    ingest_and_record(root / "sources", root)
    started = time.monotonic()
    generate(root)
    (root / "generate_seconds").write_text(f"{time.monotonic() - started:.2f}", "utf-8")
    return root


def test_the_fixtures_are_what_build_py_writes() -> None:
    build = _build()
    for name, text in build.PAGES.items():
        assert (FIXTURES / "sources" / "cloudflare" / f"{name}.md").read_text("utf-8") == text
    assert (FIXTURES / "broken.md").read_text("utf-8") == build.BROKEN


def test_every_construct_is_ingested(work: Path) -> None:
    assert {entry.slug for entry in load_catalog(work / "models")} == SLUGS


def test_generation_stays_bounded(work: Path) -> None:
    assert float((work / "generate_seconds").read_text("utf-8")) < GENERATE_BUDGET_S


def _classes(work: Path, slug: str) -> list[str]:
    tree = ast.parse((work / "gen" / "modelsdk" / "types" / "cloudflare" / f"{slug}.py").read_text("utf-8"))
    return [node.name for node in tree.body if isinstance(node, ast.ClassDef)]


def test_class_names_come_from_the_schema_and_never_collide(work: Path) -> None:
    for slug in SLUGS:
        names = _classes(work, slug)
        assert len(names) == len(set(names)), slug
        assert not [n for n in names if re.fullmatch(r"Model\d*", n)], names
        # A counter appended to an existing name means the namer gave up on a meaningful one.
        assert not [n for n in names if re.fullmatch(r"(.+?)\d+", n) and n.rstrip("0123456789") in names]
    titles = _classes(work, "titles")
    assert {"PromptRequest", "MessagesRequest", "Options", "MessagesRequestOptions", "Message"} <= set(titles)
    deep = _classes(work, "deep")
    assert max(map(len, deep)) <= len("Level10Level11"), deep  # qualified once, not once per level


def test_the_package_and_its_use_type_check_strictly(work: Path) -> None:
    assert strict_errors(work, GOOD_USE, BAD_USE) == set(range(4, 10))


def test_odd_property_names_go_on_the_wire_as_the_schema_spells_them(work: Path) -> None:
    code = (
        "import json\n"
        "from modelsdk.resources.cloudflare.keywords import Keywords\n"
        "from modelsdk.types.cloudflare.keywords import Response\n"
        "body = Keywords._body({'prompt': 'p', 'class_': 'c', 'a_b': 'x', 'field_1abc': 'y',"
        " 'model_config_': 'm', 'json_': 'j', 'type': 't', 'self_': 's', 'params_': 'q',"
        " 'extra_body_': 'e', 'root': 'r'})\n"
        "back = Response.model_validate({'response': 'r', 'class': 'c', 'a-b': 'd', 'json': 'j'})\n"
        "print(json.dumps([body, back.model_dump(mode='json', exclude_unset=True)], sort_keys=True))\n"
    )
    out = ok(run_python("-c", code, cwd=work / "gen"))
    wire = {
        "1abc": "y",
        "a-b": "x",
        "class": "c",
        "json": "j",
        "model_config": "m",
        "prompt": "p",
        "type": "t",
    }
    wire |= {"self": "s", "params": "q", "extra_body": "e", "root": "r"}
    parsed = {"a-b": "d", "class": "c", "json": "j", "response": "r"}
    assert out.strip() == json.dumps([wire, parsed], sort_keys=True)


def test_typed_extras_are_validated(work: Path) -> None:
    code = (
        "from pydantic import ValidationError\n"
        "from modelsdk.types.cloudflare.maps import Request\n"
        "assert Request.model_validate({'prompt': 'x', 'n': 3}).model_extra == {'n': 3}\n"
        "for bad in ({'prompt': 'x', 'n': 'three'}, {'prompt': 'x', 'n': 1.5}):\n"
        "    try:\n"
        "        Request.model_validate(bad)\n"
        "    except ValidationError:\n"
        "        continue\n"
        "    raise SystemExit(f'accepted {bad}')\n"
    )
    ok(run_python("-c", code, cwd=work / "gen"))


def test_required_inside_properties_is_a_precise_diagnostic(tmp_path: Path) -> None:
    (tmp_path / "sources" / "cloudflare").mkdir(parents=True)
    shutil.copytree(FIXTURES / "providers", tmp_path / "providers")
    shutil.copy(FIXTURES / "broken.md", tmp_path / "sources" / "cloudflare" / "broken.md")
    done = run_python(
        "-m", "generator", "ingest", "--sources", tmp_path / "sources", "--catalog", "models", cwd=tmp_path
    )
    assert done.returncode == 1
    errors = [line for line in (done.stdout + done.stderr).splitlines() if ": error:" in line]
    assert errors == [
        "sources/cloudflare/broken.md:18: error: input_schema is not a valid JSON Schema: "
        "at /properties/required: ['prompt'] is not of type 'object', 'boolean'"
    ], done.stdout + done.stderr
    assert not (tmp_path / "models").exists()


def test_the_conformance_suite_passes_against_the_local_backend(work: Path) -> None:
    rows = conformance_rows(work, "cloudflare")
    assert sorted(row.split()[0] for row in rows) == sorted(f"cloudflare/{slug}" for slug in SLUGS)


def test_branches_sharing_a_title_are_named_by_what_sets_them_apart() -> None:
    def branch(prop: str) -> dict[str, object]:
        return {
            "title": "Input",
            "type": "object",
            "properties": {prop: {"type": "string"}},
            "required": [prop],
        }

    plan = plan_types({"Request": {"type": "object", "oneOf": [branch("prompt"), branch("messages")]}})
    assert plan.one_of_groups == [("PromptRequest", "MessagesRequest")]


def test_names_of_colliding_nested_classes_do_not_grow_with_depth() -> None:
    build = _build()
    plan = plan_types({"Request": build.nested(14, {"type": "string"}), "Response": build.nested(14, {})})
    assert len(plan.classes) == 2 * 14  # each root and the 13 objects inside it
    assert max(map(len, plan.classes)) == len("Level12Level13")


def test_the_package_imports_only_what_its_pyproject_declares(work: Path) -> None:
    package = work / "gen" / "modelsdk"
    declared = {
        re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0].replace("-", "_").lower()
        for requirement in tomllib.loads((package / "pyproject.toml").read_text("utf-8"))["project"][
            "dependencies"
        ]
    }
    imported: set[str] = set()
    for module in package.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    # pydantic pins its own pydantic_core exactly; declaring it apart could only conflict.
    third_party = imported - set(sys.stdlib_module_names) - {"__future__", "pydantic_core"}
    assert "typing_extensions" in third_party  # the pure-map output needs it on Python 3.11
    assert third_party <= declared, f"imported but not declared: {sorted(third_party - declared)}"
