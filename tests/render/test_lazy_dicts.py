"""A model's TypedDicts move to their own module, loaded when first used; where they cannot, they stay."""

from __future__ import annotations

import ast
import os
import textwrap
from pathlib import Path, PurePosixPath

from generator.catalog.store import Catalog
from generator.render.lazy_dicts import split_typed_dicts
from generator.render.render import RenderOptions, render
from tests.conftest import seed_catalog
from tests.render.pipeline import ok, run_python

# As the types pipeline leaves a module: imports, the model classes, then their TypedDicts.
TYPES = textwrap.dedent(
    '''\
    from collections.abc import Sequence
    from typing import Annotated, Any, NotRequired, Required, TypedDict

    from pydantic import StrictStr

    from ..._models import StrictModel


    class Message(StrictModel):
        content: StrictStr
        """Wörter\u2028über zwei Zeilen, 日本語"""


    class Request(StrictModel):
        messages: list[Message]


    class MessageDict(TypedDict):
        """`Message` as a plain dict."""

        content: Required[str]


    RequestDict = TypedDict(
        "RequestDict",
        {
            "messages": Required[Sequence[Message | MessageDict]],
            "not-an-identifier": NotRequired[Any],
        },
    )
    '''
)


def test_the_typed_dicts_leave_the_types_module_for_their_own() -> None:
    kept, moved = split_typed_dicts(TYPES)
    assert moved is not None
    assert moved.names == ("MessageDict", "RequestDict")
    assert moved.classes == ("Message",)  # what their annotations name from the types module
    tree = ast.parse(kept)
    assert [n.name for n in tree.body if isinstance(n, ast.ClassDef)] == ["Message", "Request"]
    assert "TypedDict(" not in kept and "MessageDict" not in kept
    assert 'Wörter\u2028über zwei Zeilen, 日本語"""' in kept  # the classes above them, cut nowhere
    own = moved.module("chat")
    assert "from ..chat import Message\n" in own
    assert [n.targets[0].id for n in ast.parse(own).body if isinstance(n, ast.Assign)] == ["RequestDict"]  # type: ignore[attr-defined]
    # The types module re-exports them for type checkers; a caller who asks loads them.
    whole = ast.parse(kept + moved.reexport("chat"))
    branch = next(n for n in whole.body if isinstance(n, ast.If))
    assert ast.unparse(branch.test) == "TYPE_CHECKING"
    assert [a.name for a in branch.body[0].names] == ["MessageDict", "RequestDict"]  # type: ignore[attr-defined]
    assert isinstance(branch.orelse[0], ast.FunctionDef) and branch.orelse[0].name == "__getattr__"
    imports = [n for n in whole.body if isinstance(n, ast.ImportFrom) and n.module == "typing"]
    assert any(a.name == "TYPE_CHECKING" for n in imports for a in n.names)


def test_the_typed_dicts_stay_where_moving_them_could_change_a_name() -> None:
    foreign = TYPES.replace("content: Required[str]", "content: Required[StrictStr]")  # imported, not ours
    taken = TYPES.replace("class Request(StrictModel):", "class TYPE_CHECKING(StrictModel):")
    named = TYPES + "\nALIASES = {'m': MessageDict}\n"  # a statement that is no TypedDict names one
    for code in (foreign, taken, named, TYPES.split("class MessageDict")[0]):
        assert split_typed_dicts(code) == (code, None)


def test_every_typed_dict_of_the_seed_catalog_is_in_its_models_own_module() -> None:
    files = render(seed_catalog(), RenderOptions())
    moved = [p for p in files if p.parts[2:4] == ("cloudflare", "_dicts") and p.name != "__init__.py"]
    assert moved  # the chat models' inputs
    for path in moved:
        types = files[PurePosixPath(*path.parts[:3], path.name)]
        assert "(TypedDict)" not in types and f"from ._dicts.{path.stem} import" in types
        assert "(TypedDict)" in files[path]


def test_a_functional_typed_dicts_string_types_are_read_for_the_names_they_need() -> None:
    # What with_typed_dicts writes for keys that are no identifiers: each type a string.
    quoted = TYPES.replace(
        '"messages": Required[Sequence[Message | MessageDict]]',
        '"messages": "Required[Sequence[Message | MessageDict]]", "k": "NotRequired[Literal[\'a b\']]"',
    )
    _, moved = split_typed_dicts(quoted)
    assert moved is not None and moved.classes == ("Message",)  # imported by the TypedDicts' module
    foreign = quoted.replace('"Required[Sequence[Message | MessageDict]]"', '"Required[StrictStr]"')
    assert split_typed_dicts(foreign) == (foreign, None)


def test_typed_dicts_under_the_future_import_keep_it_in_their_module() -> None:
    # eager_annotations leaves a module holding anything but classes as it is (here a TypeAliasType):
    # its TypedDicts, written in name order, may name one written after them.
    code = textwrap.dedent(
        """\
        from __future__ import annotations

        from typing import Annotated, NotRequired, TypedDict

        from pydantic import Field
        from typing_extensions import TypeAliasType

        Score = TypeAliasType("Score", Annotated[float, Field(le=0)])


        class AlphaDict(TypedDict):
            zeta: NotRequired[ZetaDict]


        class ZetaDict(TypedDict):
            v: NotRequired[str]
        """
    )
    _, moved = split_typed_dicts(code)
    assert moved is not None and moved.future
    namespace: dict[str, object] = {}
    exec(compile(moved.module("slug"), "<dicts>", "exec"), namespace)  # no NameError for ZetaDict
    assert set(namespace) >= {"AlphaDict", "ZetaDict"}


def test_a_functional_typed_dict_is_imported_where_run_names_it(tmp_path: Path) -> None:
    # A property named `a-b` holding an object: its owner's TypedDict can only be written
    # `OptDict = TypedDict("OptDict", {"a-b": ...})`, which run()'s `opt:` annotation names.
    entry = next(e for e in seed_catalog() if e.slug == "tinyllama_1_1b_chat_v1_0")
    inner = {"type": "object", "title": "Inner", "properties": {"x": {"type": "string"}}}
    opt = {"type": "object", "title": "Opt", "properties": {"a-b": inner}}
    schema = {
        "type": "object",
        "properties": {"prompt": {"type": "string"}, "opt": opt},
        "required": ["prompt"],
    }
    catalog = Catalog((entry.model_copy(update={"input_schema": schema, "examples": []}),))
    for path, text in render(catalog, RenderOptions()).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, "utf-8")
    resource = (tmp_path / "modelsdk" / "resources" / "cloudflare" / f"{entry.slug}.py").read_text("utf-8")
    assert "opt: Opt | OptDict" in resource and "OptDict" in resource.split("MODEL_ID")[0]  # imported
    ok(
        run_python(
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            os.devnull,
            "modelsdk",
            cwd=tmp_path,
        )
    )
