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
import resource
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from generator.catalog.store import load_catalog
from generator.ingest.hygiene import clean_schema
from generator.render.schema_plan import plan_types
from tests.conftest import REPO
from tests.render.pipeline import conformance_rows, generate, ingest_and_record, ok, run_python, strict_errors

pytestmark = pytest.mark.long_file  # started first: see tests/conftest.py

FIXTURES = REPO / "tests" / "fixtures" / "constructs"
SLUGS = {"keywords", "titles", "maps", "deep", "deepest", "scalars", "leftovers", "large", "pure_map"}
SLUGS |= {"numbers", "binary_json", "overlap", "defaults", "patterns"}
# CPU seconds of the generate command and the processes it waits for: the whole catalog, the 300 KB schema
# included, takes about 3. CPU time, not wall time: a busy CI runner stretches the wall clock, not the work.
GENERATE_BUDGET_CPU_S = 20.0


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
n = m.numbers.run(prompt="Hi", scale=2**80, ceiling=2**64 - 1, count=3, top_p=None, penalty=-1.5, weights=[1, 0.5])
score: float | None = n.score
budget: float | None = n.budget
m.binary_json.run(prompt="Hi", image="aGk=", mask=b"\\x89PNG", audio="UklGRg==")
m.binary_json.run(prompt="Hi", image=[0, 255.0], audio=b"RIFF")
image: str | None = m.binary_json.run(prompt="Hi").image
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
m.binary_json.run(prompt="Hi", voice=b"RIFF")
m.numbers.run(prompt="Hi", scale="1")
"""


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The constructs catalog (with the large schema) ingested, recorded, and generated."""
    root = tmp_path_factory.mktemp("constructs")
    shutil.copytree(FIXTURES / "sources", root / "sources")
    shutil.copytree(FIXTURES / "providers", root / "providers")
    assert _build().write_large(root / "sources" / "cloudflare") > 290_000
    ingest_and_record(root / "sources", root)
    before = _children_cpu_seconds()
    generate(root)
    (root / "generate_cpu_seconds").write_text(f"{_children_cpu_seconds() - before:.2f}", "utf-8")
    return root


def test_the_fixtures_are_what_build_py_writes() -> None:
    build = _build()
    for name, text in build.PAGES.items():
        assert (FIXTURES / "sources" / "cloudflare" / f"{name}.md").read_text("utf-8") == text
    assert (FIXTURES / "broken.md").read_text("utf-8") == build.BROKEN


def test_every_construct_is_ingested(work: Path) -> None:
    assert {entry.slug for entry in load_catalog(work / "models")} == SLUGS


def _children_cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def test_generation_stays_bounded(work: Path) -> None:
    assert 0 < float((work / "generate_cpu_seconds").read_text("utf-8")) < GENERATE_BUDGET_CPU_S


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


def test_the_deepest_construct_is_as_deep_as_ingest_takes() -> None:
    """The `deepest` page, ingested, recorded, generated and conformance-tested by this module, sits
    at the limit: one level more is refused. A deeper one ingest took, the backend could not answer
    (it stopped at 12 levels), record found no minimal request (32), and conform no value (~60)."""
    build = _build()
    for leaf in ({"type": "string"}, {"type": "integer"}):
        assert clean_schema(build.obj({"context": build.chain(build.DEEPEST_LINKS, leaf)})).findings == []
        (too_deep,) = clean_schema(
            build.obj({"context": build.chain(build.DEEPEST_LINKS + 1, leaf)})
        ).findings
        assert too_deep.error and too_deep.message.startswith("nested deeper than")


def test_the_package_and_its_use_type_check_strictly(work: Path) -> None:
    assert strict_errors(work, GOOD_USE, BAD_USE) == set(range(4, 12))


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


@pytest.mark.parametrize("backend", ["local", "recorded"])
def test_the_conformance_suite_passes(work: Path, backend: str) -> None:
    lines = conformance_rows(work, "cloudflare", backend)
    rows = [line for line in lines if not line.split()[0].endswith(":")]  # the rest are notes
    assert sorted(row.split()[0] for row in rows) == sorted(f"cloudflare/{slug}" for slug in SLUGS)
    # The overlapping output oneOf is the document's defect, reported as such, not a failure.
    defects = [row.split()[0] for row in rows if "defect" in row]
    assert defects == ["cloudflare/overlap"], lines
    assert any(line.startswith("cloudflare/overlap: response: defect: ") for line in lines), lines


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
        for requirement in tomllib.loads((package.parent / "pyproject.toml").read_text("utf-8"))["project"][
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


# Run in the generated package: every drawn valid request, with any JSON number as `scale`, goes out
# as the caller wrote it (int stays int, float stays float, any size): compared with types, not ==.
WIRE_PROPERTY = """\
import json, sys
import httpx
from hypothesis import given, settings, strategies as st
from hypothesis_jsonschema import from_schema
from modelsdk import Cloudflare
from modelsdk.types.cloudflare.numbers import Request

SCHEMA = json.loads(open("tests/schemas/cloudflare/numbers.json").read())["input"]
sent = []

def answer(request):
    sent.append(request.content)
    return httpx.Response(200, json={"result": {"response": "ok"}, "success": True, "errors": []})

def exact(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(exact(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(exact, a, b))
    return type(a) is type(b) and a == b

models = Cloudflare(api_key="k", account_id="a", transport=httpx.MockTransport(answer)).models
numbers = st.integers() | st.integers(min_value=2**53) | st.floats(allow_nan=False, allow_infinity=False)

@settings(max_examples=int(sys.argv[1]), deadline=None, database=None)
@given(from_schema(SCHEMA), numbers)
def sent_as_given(payload, number):
    payload = {**payload, "scale": number}
    known = {k: v for k, v in payload.items() if k in Request.model_fields}
    models.numbers.run(**known, extra_body={k: v for k, v in payload.items() if k not in known})
    assert exact(json.loads(sent[-1]), json.loads(json.dumps(payload))), (payload, sent[-1])

sent_as_given()
for value in (0, 0.0, 1.0, 10**400, 2**53 + 1, -(2**70), 1e300):
    models.numbers.run(prompt="p", scale=value, count=1.0 if value == 0.0 else 7, weights=[value])
    sent_body = json.loads(sent[-1])
    assert exact(sent_body["scale"], value) and exact(sent_body["weights"], [value]), sent[-1]
    assert exact(sent_body["count"], 1.0 if value == 0.0 else 7), sent[-1]
print("ok")
"""


def test_numbers_go_on_the_wire_exactly_as_the_caller_wrote_them(work: Path) -> None:
    assert ok(run_python("-c", WIRE_PROPERTY, "300", cwd=work / "gen")).strip() == "ok"


def test_numbers_are_any_json_number_within_exact_bounds(work: Path) -> None:
    code = (
        "from pydantic import ValidationError\n"
        "from modelsdk.types.cloudflare.numbers import Request, Response\n"
        "for good in (10**400, -(2**80), 0, 0.5, 2**64 - 1):\n"
        "    Request.model_validate({'prompt': 'p', 'scale': good, 'ceiling': good if 0 <= good < 2**64 else 0})\n"
        "for field, bad in (('ceiling', 2**64), ('scale', True), ('scale', '1'), ('top_p', 2.5), ('penalty', 'x')):\n"
        "    try:\n"
        "        Request.model_validate({'prompt': 'p', field: bad})\n"
        "    except ValidationError:\n"
        "        continue\n"
        "    raise SystemExit(f'accepted {field}={bad!r}')\n"
        "assert Request.model_validate({'prompt': 'p', 'top_p': None, 'penalty': None}).top_p is None\n"
        "assert Request(prompt='p').top_p == 1 and Request(prompt='p').penalty is None\n"
        "read = Response.model_validate({'response': 'r', 'score': 2**70, 'budget': None})\n"
        "assert read.score == 2**70 and type(read.score) is int and read.budget is None\n"
        "assert Response.model_validate({'response': 'r'}).budget == 0.5\n"
    )
    ok(run_python("-c", code, cwd=work / "gen"))


def test_binary_strings_in_a_json_body_are_text_and_bytes_only_where_base64_is_documented(work: Path) -> None:
    code = (
        "import base64, json\n"
        "from modelsdk import RequestValidationError\n"
        "from modelsdk.resources.cloudflare.binary_json import BinaryJson\n"
        "from modelsdk.types.cloudflare.binary_json import Response\n"
        "png = b'\\x89PNG\\r\\n\\x1a\\n'\n"
        "body = BinaryJson._body({'prompt': 'p', 'image': 'not base64 at all', 'mask': png, 'audio': 'UklGRg=='})\n"
        "assert body == {'prompt': 'p', 'image': 'not base64 at all',"
        " 'mask': base64.b64encode(png).decode(), 'audio': 'UklGRg=='}, body\n"
        "for field in ('image', 'voice'):\n"
        "    try:\n"
        "        BinaryJson._body({'prompt': 'p', field: png})\n"
        "    except RequestValidationError:\n"
        "        continue\n"
        "    raise SystemExit(f'bytes accepted for {field}, where base64 is not documented')\n"
        "assert Response.model_validate({'response': 'r', 'image': 'aGk='}).image == 'aGk='\n"
    )
    ok(run_python("-c", code, cwd=work / "gen"))


def test_overlapping_one_of_is_read_as_any_of_and_sent_as_one_of(work: Path) -> None:
    code = (
        "from pydantic import ValidationError\n"
        "from modelsdk.types.cloudflare.overlap import Request, Response\n"
        "for answer in ({'response': 'hi', 'usage': {'total_tokens': 3}}, {}, {'id': 'x', 'choices': []}):\n"
        "    assert Response.model_validate(answer).model_dump(mode='json', exclude_unset=True) == answer\n"
        "for both in ({'prompt': 'p', 'options': {}}, {'prompt': 'p', 'options': {'seed': 1}}):\n"
        "    try:\n"
        "        Request.model_validate(both)\n"
        "    except ValidationError:\n"
        "        continue\n"
        "    raise SystemExit(f'a request fitting both branches was accepted: {both}')\n"
        "Request.model_validate({'prompt': 'p', 'options': {'seed': 1, 'temperature': 'warm'}})\n"
    )
    ok(run_python("-c", code, cwd=work / "gen"))


def _ingest_alone(tmp_path: Path, page: str) -> subprocess.CompletedProcess[str]:
    """`cardgen ingest` of one construct page on its own, into tmp_path/models; it must succeed."""
    (tmp_path / "sources" / "cloudflare").mkdir(parents=True)
    shutil.copytree(FIXTURES / "providers", tmp_path / "providers")
    shutil.copy(FIXTURES / "sources" / "cloudflare" / page, tmp_path / "sources" / "cloudflare")
    done = run_python(
        "-m", "generator", "ingest", "--sources", tmp_path / "sources", "--catalog", "models", cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_overlapping_one_of_branches_are_a_warning_at_ingest(tmp_path: Path) -> None:
    done = _ingest_alone(tmp_path, "overlap.md")
    found = [line for line in (done.stdout + done.stderr).splitlines() if "overlap (" in line]
    assert found == [
        "sources/cloudflare/overlap.md:18: warning: input_schema at /properties/options/oneOf: branches 0 and 1"
        " overlap (both accept {}); a request must still fit exactly one",
        "sources/cloudflare/overlap.md:19: warning: output_schema at /oneOf: branches 0 and 1 overlap"
        " (both accept {}); answers are read as anyOf: the first branch that fits",
    ], done.stdout + done.stderr


def test_defaults_that_do_not_fit_are_dropped_at_ingest_with_a_warning(tmp_path: Path) -> None:
    done = _ingest_alone(tmp_path, "defaults.md")
    dropped = sorted(
        line.split(" at ", 1)[1].split(":", 1)[0]
        for line in done.stderr.splitlines()
        if "a default that does not fit its schema" in line and line.endswith("dropped")
    )
    assert dropped == [f"/properties/{name}/default" for name in ("count", "floor", "scale", "style")]
    entry = (tmp_path / "models" / "cloudflare" / "defaults.yaml").read_text("utf-8")
    assert "default: '3'" not in entry and "default: c\n" not in entry
    assert "default: 0.6" in entry and "default: en" in entry  # what fits stays in the catalog


def test_a_class_declares_only_defaults_its_type_holds(work: Path) -> None:
    code = (
        "import json\n"
        "from modelsdk.types.cloudflare.defaults import Request, Response\n"
        "fields = {**Request.model_fields, **{f'out.{k}': v for k, v in Response.model_fields.items()}}\n"
        "print(json.dumps({k: repr(f.default) for k, f in fields.items()}))\n"
    )
    defaults = json.loads(ok(run_python("-c", code, cwd=work / "gen")))
    assert {k: defaults[k] for k in ("temperature", "top_k", "mode", "stream", "out.tokens")} == {
        "temperature": "0.6",
        "top_k": "40",
        "mode": "'fast'",
        "stream": "False",
        "out.tokens": "0",
    }
    for name in ("count", "scale", "style", "floor", "options", "stop", "lang", "out.extra"):
        assert defaults[name] == "None", (name, defaults[name])  # optional, with no default of its own


def test_patterns_mean_in_the_sdk_what_they_mean_in_json_schema(work: Path) -> None:
    """ECMA-262: `$` is the end of the input, `\\d` and `\\w` are ASCII, `.` no line terminator."""
    code = (
        "import json, pydantic\n"
        "from modelsdk.types.cloudflare.patterns import Request\n"
        "def fits(**given):\n"
        "    try:\n"
        "        Request.model_validate({'prompt': 'p', **given}, by_name=False)\n"
        "    except pydantic.ValidationError:\n"
        "        return False\n"
        "    return True\n"
        "print(json.dumps([fits(code='a1'), fits(code='a1\\n'), fits(code='a\\u0661'), fits(word='ab_9'),\n"
        "    fits(word='\\u00e9'), fits(one='a'), fits(one='\\r'), fits(slots={'5': 1}), fits(slots={'5\\n': 1}),\n"
        "    fits(slots={'\\u0665': 1})]))\n"
    )
    assert json.loads(ok(run_python("-c", code, cwd=work / "gen"))) == [
        True, False, False, True, False, True, False, True, False, False,
    ]  # fmt: skip
