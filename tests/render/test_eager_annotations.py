"""Types modules ship without `from __future__ import annotations`, their classes in dependency order.

String annotations are compiled and evaluated one by one when pydantic (or TypedDict) makes the
class; plain ones cost a third less to import. A class named before it is made (a cycle, the class
itself) keeps a string annotation, and so does one naming what the class body has bound by then.
"""

from __future__ import annotations

import ast
import sys
import textwrap
import types
from typing import Any

import pydantic
import pytest

from generator.render.postprocess import eager_annotations

HEADER = '''\
"""Types."""

from __future__ import annotations

from typing import Annotated, Literal, Required, TypedDict

from pydantic import BaseModel, Field, RootModel, StrictStr
'''


def _module(body: str) -> str:
    return HEADER + "\n\n" + textwrap.dedent(body).strip() + "\n"


_MODULES: list[types.ModuleType] = []


def _run(code: str) -> dict[str, Any]:
    """Run the module as a module (pydantic resolves a string annotation in its module's namespace)."""
    module = types.ModuleType(f"eager_types_{len(_MODULES)}")
    _MODULES.append(module)
    sys.modules[module.__name__] = module  # kept: a class may be built on first use, after this returns
    exec(compile(code, module.__name__, "exec", dont_inherit=True), module.__dict__)
    return module.__dict__


def _classes(code: str) -> list[str]:
    return [n.name for n in ast.parse(code).body if isinstance(n, ast.ClassDef)]


def _annotation(code: str, cls: str, field: str) -> ast.expr:
    node = next(n for n in ast.parse(code).body if isinstance(n, ast.ClassDef) and n.name == cls)
    return next(
        s.annotation for s in node.body if isinstance(s, ast.AnnAssign) and ast.unparse(s.target) == field
    )


def test_classes_follow_what_they_name_and_annotations_are_plain() -> None:
    code = eager_annotations(
        _module(
            """
            class Request(RootModel[PromptRequest | MessagesRequest]):
                root: PromptRequest | MessagesRequest


            class Message(BaseModel):
                role: Literal["user", "assistant"]
                content: Annotated[StrictStr, Field(max_length=10)]


            class MessagesRequest(BaseModel):
                messages: list[Message]


            class PromptRequest(BaseModel):
                prompt: StrictStr


            class MessageDict(TypedDict):
                role: Required[str]
            """
        )
    )
    assert "from __future__" not in code
    assert _classes(code) == ["Message", "MessagesRequest", "PromptRequest", "Request", "MessageDict"]
    assert not any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) and "Request" in n.value
        for n in ast.walk(ast.parse(code))
    )
    names = _run(code)
    assert names["Request"].model_validate({"messages": [{"role": "user", "content": "hi"}]}).root.messages
    with pytest.raises(pydantic.ValidationError):
        names["MessagesRequest"].model_validate({"messages": [{"role": "user", "content": "x" * 11}]})


def test_a_cycle_and_a_class_naming_itself_keep_string_annotations() -> None:
    code = eager_annotations(
        _module(
            """
            class Node(BaseModel):
                children: list[Node] = []
                leaf: Leaf | None = None


            class Leaf(BaseModel):
                parent: Node | None = None
                value: int
            """
        )
    )
    assert isinstance(_annotation(code, "Node", "children"), ast.Constant)  # itself
    leaf_first = _classes(code).index("Leaf") < _classes(code).index("Node")
    # Whichever comes first of the two names the other before it is made: that one is quoted.
    quoted = ("Leaf", "parent") if leaf_first else ("Node", "leaf")
    assert isinstance(_annotation(code, *quoted), ast.Constant)
    names = _run(code)
    tree = names["Node"].model_validate({"children": [{"leaf": {"value": 1, "parent": {}}}]})
    assert tree.children[0].leaf.value == 1


def test_a_name_the_class_body_bound_is_left_to_pydantic_as_before() -> None:
    code = eager_annotations(
        _module(
            """
            class Options(BaseModel):
                list: int | None = None
                items: list[int] = []
            """
        )
    )
    assert isinstance(_annotation(code, "Options", "items"), ast.Constant)
    assert not isinstance(_annotation(code, "Options", "list"), ast.Constant)


def test_bases_and_defaults_come_first_even_in_a_cycle() -> None:
    code = eager_annotations(
        _module(
            """
            class A(BaseModel):
                b: B | None = None


            class B(Base):
                a: A | None = None


            class Base(BaseModel):
                pass
            """
        )
    )
    order = _classes(code)
    assert order.index("Base") < order.index("B")
    _run(code)


@pytest.mark.parametrize(
    "body",
    [
        "ALIAS = int\n\n\nclass A(BaseModel):\n    x: ALIAS\n",  # a statement among the classes
        "class A(BaseModel):\n    x: int\n\n\n# a comment\nclass B(BaseModel):\n    y: int\n",
        "@decorated\nclass A(BaseModel):\n    x: int\n",
    ],
)
def test_a_module_it_cannot_reorder_safely_is_left_as_it_is(body: str) -> None:
    code = _module(body)
    assert eager_annotations(code) == code
