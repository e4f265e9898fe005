"""Issue #13: a user's file of deliberate mistakes; mypy --strict and pyright strict catch every one.

Nested request objects are typed as TypedDicts (`MessageDict`, required keys as the schema says)
beside the pydantic classes, so `{"role": "user", "content": 1}` is an error before it runs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

USER_CODE = textwrap.dedent(
    """\
    from modelsdk import NOT_GIVEN, Cloudflare, NotGiven, RequestValidationError
    from modelsdk.types.cloudflare.tinyllama_1_1b_chat_v1_0 import MessageDict
    from modelsdk.types.cloudflare.tinyllama_1_1b_chat_v1_0 import MesageDict  # MISTAKE: no such TypedDict

    cf = Cloudflare(api_key="k", account_id="a")
    forever = Cloudflare(api_key="k", account_id="a", timeout=None)  # no timeout: typed as it runs
    m = cf.models.tinyllama_1_1b_chat_v1_0


    def ask(prompt: str, temperature: float | NotGiven = NOT_GIVEN) -> str | None:  # an argument passed on
        m.with_raw_response.run(prompt=prompt, max_tokens=NOT_GIVEN)  # a oneOf input's overloads take it too
        m.stream(messages=[{"role": "user", "content": prompt}], temperature=temperature).close()
        return m.run(prompt=prompt, temperature=temperature, max_tokens=NOT_GIVEN).response


    good: MessageDict = {"role": "user", "content": "hi"}
    m.run(messages=[good, {"role": "user", "content": "hi"}], max_tokens=16, timeout=30.0, max_retries=0)
    m.run(messages=[{"role": "user", "content": 1}])  # MISTAKE: nested content not a str
    m.run(messages=[{"role": "user"}])  # MISTAKE: nested content missing
    bad: MessageDict = {"role": "user", "content": 1}  # MISTAKE: TypedDict value
    m.run(prompt="Hi", tempratur=0.5)  # MISTAKE: typo
    m.run(prompt=1)  # MISTAKE: prompt not a str
    m.run(prompt="Hi", timeout="5")  # MISTAKE: timeout not a number
    m.run(prompt="Hi", max_retries=None)  # MISTAKE: max_retries not an int
    m.run(prompt="Hi", extra_headers={"X-A": 1})  # MISTAKE: header value not a str
    cf.with_options(max_retries="2")  # MISTAKE: with_options type
    count: int = m.with_raw_response.run(prompt="Hi").parse()  # MISTAKE: parse() is a Response
    text: str = m.run(prompt="Hi").response  # MISTAKE: Response.response is str | None
    cf.models.tinyllama_1_1b_chat_v1_O.run(prompt="Hi")  # MISTAKE: no such model
    cf.with_options(max_retries=0).models.tinyllama_1_1b_chat_v1_0.run(prompt=1)  # MISTAKE: typed after with_options
    chunks = m.stream(prompt="Hi")
    for _chunk in chunks:
        break
    chunks.close()  # a stream left early is closed: typed as the generator it is


    async def left_early() -> None:
        from modelsdk import AsyncCloudflare

        pieces = AsyncCloudflare(api_key="k", account_id="a").models.tinyllama_1_1b_chat_v1_0.stream(prompt="Hi")
        async for _piece in pieces:
            break
        await pieces.aclose()


    try:
        m.run(prompt="Hi", temperature=99)
    except RequestValidationError as error:
        print(error.errors[0]["loc"], error.errors[0]["msg"], error.errors[0].get("ctx"))
        print(error.errors[0]["input"])  # MISTAKE: the errors keep no value passed
    """
)
MISTAKES = {n for n, line in enumerate(USER_CODE.splitlines(), 1) if "# MISTAKE" in line}


def _lines_flagged(output: str) -> set[int]:
    return {int(n) for n in re.findall(r"mistakes\.py:(\d+):(?:\d+ -)? error", output)}


@pytest.fixture(scope="module")
def user_project(seed_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("user")
    (root / "mistakes.py").write_text(USER_CODE, "utf-8")
    config = {
        "extraPaths": [str(seed_project / "generated")],
        "typeCheckingMode": "strict",
        "include": ["mistakes.py"],
        "venvPath": str(Path(sys.prefix).parent),
        "venv": Path(sys.prefix).name,
    }
    (root / "pyrightconfig.json").write_text(json.dumps(config), "utf-8")
    return root


def test_mypy_strict_catches_every_mistake_and_nothing_else(user_project: Path, seed_project: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            os.devnull,
            "mistakes.py",
        ],
        cwd=user_project,
        env={**os.environ, "MYPYPATH": str(seed_project / "generated")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert _lines_flagged(done.stdout) == MISTAKES, done.stdout


def test_pyright_strict_catches_every_mistake_and_nothing_else(user_project: Path) -> None:
    pyright = (
        Path(sys.executable).parent / "pyright"
    )  # the dev extra's pinned wrapper, not whatever is on PATH
    assert pyright.exists(), "pyright is part of the dev extra: `make setup`"
    done = subprocess.run(
        [str(pyright)], cwd=user_project, capture_output=True, text=True, check=False, timeout=300
    )
    assert _lines_flagged(done.stdout) == MISTAKES, done.stdout


def test_a_typed_dict_is_accepted_at_run_time_too(sdk: Any) -> None:
    from tests.sdk.conftest import ENTRIES, Recorder, client_for, wire_answer

    entry = next(e for e in ENTRIES if e.slug == "tinyllama_1_1b_chat_v1_0")
    types = __import__(f"{sdk.__name__}.types.cloudflare.tinyllama_1_1b_chat_v1_0", fromlist=["MessageDict"])
    recorder = Recorder(lambda request: __import__("httpx").Response(200, json=wire_answer(entry, {})))
    message: Any = types.MessageDict(role="user", content="hi")
    assert {"MessageDict", "Message"} <= set(dir(types))  # in their own module, listed with the rest
    getattr(client_for(sdk, entry, recorder).models, entry.slug).run(messages=[message])
    assert recorder.last_json == {"messages": [{"role": "user", "content": "hi"}]}


def test_a_tuple_where_the_signature_says_sequence_is_sent_as_an_array(sdk: Any) -> None:
    """`messages: Sequence[...]` takes a tuple for type checkers; the strict class takes lists only."""
    from tests.sdk.conftest import ENTRIES, Recorder, client_for, wire_answer

    entry = next(e for e in ENTRIES if e.slug == "tinyllama_1_1b_chat_v1_0")
    recorder = Recorder(lambda request: __import__("httpx").Response(200, json=wire_answer(entry, {})))
    model = getattr(client_for(sdk, entry, recorder).models, entry.slug)
    history = ({"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"})
    model.run(messages=history)
    assert recorder.last_json == {"messages": [dict(m) for m in history]}
    with pytest.raises(sdk.RequestValidationError, match=r"messages\.1\.content"):  # still checked, as a list
        model.run(messages=({"role": "user", "content": "hi"}, {"role": "user", "content": 1}))


def test_a_refused_call_quotes_no_value_passed_in_its_traceback(sdk: Any) -> None:
    """pydantic's own error (whose text quotes every value) is not chained: a logged traceback
    keeps neither the prompt nor a credential sent in extra_body."""
    import traceback

    from tests.sdk.conftest import ENTRIES, Recorder, client_for, wire_answer

    entry = next(e for e in ENTRIES if e.slug == "tinyllama_1_1b_chat_v1_0")
    recorder = Recorder(lambda request: __import__("httpx").Response(200, json=wire_answer(entry, {})))
    model = getattr(client_for(sdk, entry, recorder).models, entry.slug)
    private, credential = "my private prompt", "sekrit-value-123"  # not literals in the call: the
    with pytest.raises(sdk.RequestValidationError) as caught:  # traceback quotes its source line
        model.run(prompt=private, temperature="hot", extra_body={"token": credential})
    printed = "".join(traceback.format_exception(caught.value))
    assert "temperature" in printed
    assert "my private prompt" not in printed and "sekrit-value-123" not in printed
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert all("input" not in error for error in caught.value.errors)
