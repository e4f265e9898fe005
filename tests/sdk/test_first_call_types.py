"""Issue #16 item 3, the streaming chat model: what its types cost on the first call.

Its input is a `oneOf` (a prompt or messages): a root class over the alternatives, each of which
`ONE_OF` validates on its own too. Importing the types module builds no validator (pydantic's own
`RootModel[A | B]` would build one there and then); the first validation generates each
alternative's schema once, not once inside the union and again for the alternative on its own.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.sdk.conftest import python_output


def _one_of_roots(generated: Path) -> list[str]:
    """The types modules whose Request is a root class over `oneOf` alternatives."""
    found = []
    for path in sorted((generated / "modelsdk" / "types").glob("*/*.py")):
        text = path.read_text("utf-8")
        if "class Request(RootModel[" in text and "ONE_OF]" in text:
            found.append(".".join(path.relative_to(generated).with_suffix("").parts))
    return found


def test_the_seed_catalog_has_a_one_of_request(generated: Path) -> None:
    assert _one_of_roots(generated)  # else the tests below test nothing


def test_importing_a_types_module_builds_no_validator(generated: Path) -> None:
    out = python_output(
        f"""
        import importlib, json
        from pydantic import BaseModel
        built = {{}}
        for name in {_one_of_roots(generated)!r}:
            module = importlib.import_module(name)
            classes = {{c for v in vars(module).values() if isinstance(v, type) and issubclass(v, BaseModel)
                        for c in v.__mro__ if c.__module__.startswith("modelsdk")}}
            # A generic origin (the runtime's RootModel itself) pydantic builds when it is first
            # parametrized, for its type variable: no class of the model's schemas.
            built[name] = sorted(
                c.__qualname__ for c in classes
                if c.__pydantic_complete__ and not c.__pydantic_generic_metadata__["parameters"]
            )
            assert module.Request.model_validate({{"prompt": "hi"}}).root.prompt == "hi"
        print(json.dumps(built))
        """,
        generated,
    )
    assert json.loads(out) == {name: [] for name in _one_of_roots(generated)}


def test_the_first_validation_generates_each_alternative_once(generated: Path) -> None:
    out = python_output(
        f"""
        import collections, importlib, json
        import pydantic._internal._generate_schema as generate
        from pydantic._internal._mock_val_ser import MockCoreSchema

        fresh = collections.Counter()  # schemas generated anew (not reused from a built class)
        original = generate.GenerateSchema._model_schema

        def counted(self, cls):
            schema = cls.__dict__.get("__pydantic_core_schema__")
            if schema is None or isinstance(schema, MockCoreSchema):
                fresh[f"{{cls.__module__}}.{{cls.__qualname__}}"] += 1
            return original(self, cls)

        generate.GenerateSchema._model_schema = counted
        for name in {_one_of_roots(generated)!r}:
            module = importlib.import_module(name)
            module.Request.model_validate({{"prompt": "hi"}})
            module.Request.model_validate({{"messages": [{{"role": "user", "content": "hi"}}]}})
        print(json.dumps(fresh))
        """,
        generated,
    )
    fresh = json.loads(out)
    for name in _one_of_roots(generated):
        for alternative in ("PromptRequest", "MessagesRequest"):
            assert fresh[f"{name}.{alternative}"] == 1, (name, alternative, fresh)
