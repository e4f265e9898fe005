"""Any text is data: hostile text in documents, end to end through ingest, record, generate, mypy, conform.

tests/fixtures/hostile-text/ (written by its `build.py`) holds Cloudflare front-matter pages whose
property names and enum values are not ASCII (`température`, `名前`, combining accents), whose
descriptions hold line separators, form feeds, NUL, ESC, quotes, backslashes and template markup,
whose properties are named like what the generated modules bind (`Annotated`, `Field`,
`JsonInt`, `Literal`, `given`, `self`), and whose names collide once Python reads them (NFKC
folds, a renamed property's name that is another's, BaseModel's own names, definitions named like
the role classes or the code generator's base classes).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from generator.catalog.store import load_catalog
from generator.render.datamodel import CodegenError
from generator.render.model_types import types_code
from tests.conftest import REPO
from tests.render.pipeline import conformance_rows, generate, ingest_and_record, ok, run_python, strict_errors

FIXTURES = REPO / "tests" / "fixtures" / "hostile-text"
SLUGS = {"unicode_names", "hostile_descriptions", "shadowing_names", "colliding_names"}


def _build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hostile_text_build", FIXTURES / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GOOD_USE = """\
from modelsdk import Cloudflare
from modelsdk.types.cloudflare.shadowing_names import Options

m = Cloudflare(api_key="k", account_id="a").models
out = m.unicode_names.run(prompt="p", température=0.5, 名前="n", langue="français", naïve_="x")
resume: str | None = out.résumé
m.unicode_names.run(prompt="p", température=1, langue="e\u0301")
shadow = m.shadowing_names.run(
    prompt="p", Field_="f", Annotated_="a", JsonInt_="j", BaseModel="b", Literal_="l", RootModel_="r",
    annotations_="an", field__class__="c", StrictModel_="s", NOT_NULL_="n", ONE_OF_="o",
    ConfigDict="cd", Request_="rq", Response_="rs", Any_=1, Mapping_=2, NotGiven_=3, NOT_GIVEN_=4,
    MODEL_ID_=5, parse_as_=6, given_=7, self_=8, params_=9, Options_={"Field": 1, "Annotated": True},
)
number: int = shadow.JsonInt_
options: Options = Options(Field_=1)
text: str = m.hostile_descriptions.run(style='say "hi"', options={"depth": 1}).response
collided = m.colliding_names.run(prompt="p", fi=1, fi_="s", a="x", class_="c", a_b_="h", a_b="u", l="l")
renamed: int | None = collided.a_b_
"""

BAD_USE = """\
from modelsdk import Cloudflare

m = Cloudflare(api_key="k", account_id="a").models
m.unicode_names.run(prompt="p", température=0.5, langue="francais")
m.unicode_names.run(prompt="p", température="0.5")
m.shadowing_names.run(prompt="p", Field="f")
m.shadowing_names.run(prompt="p", Field_="f", given=1)
"""


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile-text catalog ingested, recorded, and generated."""
    root = tmp_path_factory.mktemp("hostile-text")
    shutil.copytree(FIXTURES / "sources", root / "sources")
    shutil.copytree(FIXTURES / "providers", root / "providers")
    ingest_and_record(root / "sources", root)
    generate(root)
    return root


def test_the_fixtures_are_what_build_py_writes() -> None:
    for name, text in _build().PAGES.items():
        assert (FIXTURES / "sources" / "cloudflare" / f"{name}.md").read_text("utf-8") == text


def test_every_document_is_ingested(work: Path) -> None:
    assert {entry.slug for entry in load_catalog(work / "models")} == SLUGS


def test_no_file_cardgen_writes_holds_a_raw_unprintable_character(work: Path) -> None:
    """The SDK and its tests, the catalog entries, the cassettes, the lock, the entry store and the
    schemas the tests read: what str.isprintable() rejects is escaped (tabs stay in YAML's block
    scalars). Its caches, hidden folders, are left out."""
    checked = 0
    for folder in ("gen", "models", "recordings"):
        for path in sorted((work / folder).rglob("*")):
            hidden = any(part.startswith(".") for part in path.relative_to(work).parts)
            if (
                path.is_file()
                and not hidden
                and path.suffix in {".py", ".md", ".toml", ".yaml", ".ini", ".json", ".lock"}
            ):
                text = path.read_text("utf-8")
                layout = "\n\t" if path.suffix == ".yaml" else "\n"
                raw = sorted({f"U+{ord(c):04X}" for c in text if not c.isprintable() and c not in layout})
                assert not raw, f"{path.relative_to(work)} holds {raw}"
                checked += 1
    assert checked > len(SLUGS) * 10


def test_the_package_and_its_use_type_check_strictly(work: Path) -> None:
    assert strict_errors(work, GOOD_USE, BAD_USE) == {4, 5, 6, 7}


def test_hostile_text_reads_back_as_the_document_wrote_it(work: Path) -> None:
    build = _build()
    code = (
        "import json, inspect\n"
        "from modelsdk.types.cloudflare import hostile_descriptions as t\n"
        "from modelsdk.resources.cloudflare import hostile_descriptions as r\n"
        "schema = t.Request.model_json_schema()\n"
        "print(json.dumps({'doc': t.Request.__doc__, 'default': t.Request.model_fields['prompt'].default,\n"
        "    'enum': schema['properties']['style']['anyOf'][0]['enum'], 'module_doc': r.__doc__}))\n"
    )
    found = json.loads(ok(run_python("-c", code, cwd=work / "gen")))
    assert found["doc"].strip() == build.HOSTILE
    assert found["default"] == build.HOSTILE
    assert found["enum"] == [*build.ENUM_QUOTES, build.HOSTILE]
    one_line = " ".join(build.HOSTILE.split())
    assert found["module_doc"].startswith(one_line)  # docstrings from templates: one line, NUL and all


def test_non_ascii_and_shadowing_names_go_on_the_wire_as_the_schema_spells_them(work: Path) -> None:
    code = (
        "import json\n"
        "from modelsdk.resources.cloudflare.unicode_names import UnicodeNames\n"
        "from modelsdk.resources.cloudflare.shadowing_names import ShadowingNames\n"
        "from modelsdk.types.cloudflare.shadowing_names import Response\n"
        "a = UnicodeNames._body({'prompt': 'p', 'température': 0.5, '名前': 'n', 'langue': 'français'})\n"
        "b = ShadowingNames._body({'prompt': 'p', 'Field_': 'f', 'Annotated_': 'a', 'given_': 1, 'self_': 2,\n"
        "    'Options_': {'Field': 3}, 'field__class__': 'c'})\n"
        "c = Response.model_validate({'response': 'r', 'JsonInt': 1.0, 'Field': 2, '__class__': 3})\n"
        "print(json.dumps([a, b, c.model_dump(mode='json', exclude_unset=True)], sort_keys=True))\n"
    )
    out = json.loads(ok(run_python("-c", code, cwd=work / "gen")))
    assert out == [
        {"prompt": "p", "température": 0.5, "名前": "n", "langue": "français"},
        {
            "prompt": "p",
            "Field": "f",
            "Annotated": "a",
            "given": 1,
            "self": 2,
            "Options": {"Field": 3},
            "__class__": "c",
        },
        {"response": "r", "JsonInt": 1, "Field": 2, "__class__": 3},
    ]


@pytest.mark.parametrize("backend", ["local", "recorded"])
def test_the_conformance_suite_passes(work: Path, backend: str) -> None:
    rows = conformance_rows(work, "cloudflare", backend)
    assert sorted(row.split()[0] for row in rows) == sorted(f"cloudflare/{slug}" for slug in SLUGS)


def test_code_generator_refusals_name_the_schema_path() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/a.b"}, "b": {"type": "string", "default_factory": "os.system"}},
        "$defs": {"a.b": {"type": "string"}},
    }
    with pytest.raises(CodegenError) as refused:
        types_code(json.dumps({"Request": schema}), "..._models")
    assert str(refused.value).splitlines()[1:] == [
        "  input_schema at /$defs/a.b: a definition name with a dot",
        "  input_schema at /properties/b/default_factory: default_factory",
    ]


def test_names_that_collide_once_python_reads_them_stay_apart_on_the_wire(work: Path) -> None:
    code = (
        "import json, pydantic\n"
        "from modelsdk._models import parse_as\n"
        "from modelsdk.resources.cloudflare.colliding_names import CollidingNames\n"
        "from modelsdk.types.cloudflare.colliding_names import Request, Response, Response2\n"
        "sent = CollidingNames._body({'prompt': 'p', 'fi': 1, 'fi_': 's', 'a': 'x', 'Dž': 'y', 'class_': 'c',\n"
        "    'a_b_': 'h', 'a_b': 'u', 'l': 'l', 'O_': {'I': 1}, 'model_dump_': 'm', 'answer': {'y': 'z'}})\n"
        "read = parse_as(Response, {'response': 'r', 'a-b': 2, 'a_b': 's', '\ufb01': 'q'}, 'm')\n"
        "try:\n"
        "    parse_as(Request, {'prompt': 'p', 'fi': 1, 'class_': 'c'}, 'm')\n"
        "    by_name = 'accepted'\n"
        "except Exception as refused:\n"
        "    by_name = type(refused).__name__\n"
        "print(json.dumps([sent, read.model_dump(mode='json', exclude_unset=True, by_alias=True),\n"
        "    [read.a_b, read.a_b_, read.fi_], by_name, Request.model_fields['answer'].annotation.__args__[0].__name__]))\n"
    )
    sent, read, fields, by_name, answer = json.loads(ok(run_python("-c", code, cwd=work / "gen")))
    assert sent == {
        "prompt": "p",
        "fi": 1,
        "\ufb01": "s",
        "\uff41": "x",
        "\u01c5": "y",
        "class": "c",
        "a-b": "h",
        "a_b": "u",
        "l": "l",
        "O": {"I": 1},
        "model_dump": "m",
        "answer": {"y": "z"},
    }
    assert read == {"response": "r", "a-b": 2, "a_b": "s", "\ufb01": "q"}
    assert fields == ["s", 2, "q"]
    assert by_name == "ResponseValidationError"  # `class_` is a Python name, no property of the schema
    assert answer == "Response2"  # the input's definition `Response` is not the answer's class


def test_the_package_lints_clean_and_imports_without_warnings(work: Path) -> None:
    gen = work / "gen"
    ruff = Path(sys.executable).with_name("ruff")
    for check in (("check",), ("format", "--check")):
        ok(subprocess.run([ruff, *check, "--no-cache", "--config", "ruff.toml", "modelsdk", "tests"], cwd=gen,
                          capture_output=True, text=True, check=False))  # fmt: skip
    modules = sorted(
        ".".join(path.relative_to(gen).with_suffix("").parts)
        for folder in ("types", "resources")
        for path in (gen / "modelsdk" / folder / "cloudflare").glob("*.py")
    )
    ok(
        run_python(
            "-W",
            "error",
            "-c",
            f"import importlib\nfor m in {modules!r}: importlib.import_module(m)",
            cwd=gen,
        )
    )
