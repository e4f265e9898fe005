"""Issue #13: what the README's "The generated SDK in use" says about types and errors is true of the SDK."""

from __future__ import annotations

import importlib
import inspect
import types
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import httpx
import pytest

from tests.sdk.conftest import ENTRIES, Recorder, client_for, wire_answer

README = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
SECTION = README[README.index("## The generated SDK in use") : README.index("## Commands")]
ENTRY = next(e for e in ENTRIES if e.slug == "tinyllama_1_1b_chat_v1_0")


def _model(sdk: Any, recorder: Recorder) -> Any:
    return client_for(sdk, ENTRY, recorder).models.tinyllama_1_1b_chat_v1_0


def test_response_response_is_str_or_none_as_the_readme_says(sdk: Any) -> None:
    assert "Response.response is str | None" in SECTION
    module = importlib.import_module(f"{sdk.__name__}.types.cloudflare.tinyllama_1_1b_chat_v1_0")
    field = module.Response.model_fields["response"]
    assert not field.is_required()
    members = [get_args(m)[0] if get_origin(m) is Annotated else m for m in get_args(field.annotation)]
    assert set(members) == {str, type(None)}, field.annotation


def test_the_readme_errors_are_the_ones_raised(sdk: Any) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json=wire_answer(ENTRY, {"response": "hi"})))
    model = _model(sdk, recorder)
    assert "temperature=None)  # RequestValidationError" in SECTION
    with pytest.raises(sdk.RequestValidationError):
        model.run(prompt="Hi", temperature=None)
    assert "did you mean 'temperature'?" in SECTION
    with pytest.raises(TypeError, match="did you mean 'temperature'"):
        model.run(prompt="Hi", tempratur=0.5)
    assert recorder.requests == []


def test_help_shows_the_real_arguments_with_their_documentation(sdk: Any) -> None:
    model = _model(sdk, Recorder(lambda request: httpx.Response(500)))
    for method in (model.run, model.stream):
        parameters = inspect.signature(method).parameters
        assert {"prompt", "messages", "max_tokens", "temperature", "timeout", "extra_body"} <= set(parameters)
        assert not any(p.kind is p.VAR_KEYWORD for p in parameters.values())
        doc = inspect.getdoc(method) or ""
        assert "temperature: " in doc and "Range: value >= 0, value <= 5." in doc
        assert "max_tokens: " in doc and "Default: 256." in doc
        assert "prompt: " in doc and "Required (PromptRequest)." in doc
    assert isinstance(model.run, types.MethodType)


def test_an_answer_written_back_with_exclude_unset_reads_again_as_the_generated_readme_says(sdk: Any) -> None:
    readme = Path(sdk.__file__).with_name("README.md").read_text("utf-8")
    assert "model_dump(exclude_unset=True)" in readme and "writes `null` for every field left out" in readme
    recorder = Recorder(lambda request: httpx.Response(200, json=wire_answer(ENTRY, {})))
    answer = _model(sdk, recorder).run(prompt="hi")  # an answer that leaves `response` out
    response = type(answer)
    assert response.model_validate(answer.model_dump(exclude_unset=True)) == answer
    assert response.model_validate_json(answer.model_dump_json(exclude_unset=True)) == answer
    with pytest.raises(Exception, match="null is not allowed here"):
        response.model_validate(answer.model_dump())
