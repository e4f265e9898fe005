"""Compiled templates are kept between runs by jinja2's bytecode cache, and never stand in the way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import pytest

from generator.render.templates import compiled_templates, environment, new_environment

TEMPLATE = "resource.py.jinja"


def compiles(env: jinja2.Environment, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many times loading TEMPLATE in env compiles it."""
    calls: list[str] = []
    original = env.compile

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(TEMPLATE)
        return original(*args, **kwargs)

    monkeypatch.setattr(env, "compile", counted)
    env.get_template(TEMPLATE)
    return len(calls)


def test_the_environment_keeps_compiled_templates() -> None:
    assert isinstance(environment().bytecode_cache, jinja2.FileSystemBytecodeCache)


def test_a_second_run_loads_what_the_first_compiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = new_environment(compiled_templates(str(tmp_path)))
    assert compiles(first, monkeypatch) == 1
    assert list(tmp_path.iterdir())  # written for the next run
    second = new_environment(compiled_templates(str(tmp_path)))
    assert compiles(second, monkeypatch) == 0
    assert second.get_template(TEMPLATE).render is not None


def test_a_changed_cache_file_is_compiled_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert compiles(new_environment(compiled_templates(str(tmp_path))), monkeypatch) == 1
    for path in tmp_path.iterdir():
        path.write_bytes(b"not a compiled template")
    assert compiles(new_environment(compiled_templates(str(tmp_path))), monkeypatch) == 1


def test_a_folder_that_cannot_be_written_means_compiling_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("", "utf-8")  # a folder under a file cannot be made, by root either
    env = new_environment(compiled_templates(str(blocked / "cache")))
    assert compiles(env, monkeypatch) == 1
    assert compiles(new_environment(compiled_templates(str(blocked / "cache"))), monkeypatch) == 1
