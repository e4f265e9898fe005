"""The one jinja2 environment, and the filters that make untrusted text safe in Python source."""

from __future__ import annotations

import re
from contextlib import suppress
from functools import cache
from typing import cast

import jinja2
from jinja2.bccache import Bucket

from generator.render.imports import used_imports
from generator.render.pytext import escape_unprintable
from generator.shipped import TEMPLATES


def python_literal(value: object) -> str:
    """A Python literal for str/int/bool/None data, and dicts of them: it can only ever be read back
    as data."""
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, str):
        return repr(value)  # repr escapes every unprintable character, U+2028 and NUL included
    if isinstance(value, dict):
        pairs = cast("dict[object, object]", value).items()
        return "{" + ", ".join(f"{python_literal(k)}: {python_literal(v)}" for k, v in pairs) + "}"
    raise TypeError(f"no literal for {type(value).__name__}")


def _one_line(value: object) -> str:
    """Whitespace runs (U+2028, U+0085, form feed and the like too) as one space."""
    return " ".join(str(value).split())


def docstring_text(value: object) -> str:
    """Text safe inside a triple-quoted docstring: backslashes and quotes escaped, controls escaped."""
    text = _one_line(value).replace("\\", "\\\\").replace('"', '\\"')
    return escape_unprintable(text)  # NUL, ESC, DEL and the like read back as themselves


def markdown_text(value: object) -> str:
    """Text safe in a Markdown table cell: one line, markup characters and controls escaped."""
    text = re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", _one_line(value))
    return escape_unprintable(text)


def markdown_code(value: object) -> str:
    """Text safe inside single backticks in a table: one line, no backticks, pipes and controls escaped."""
    return escape_unprintable(_one_line(value).replace("`", "'").replace("|", "\\|"))


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """jinja2's cache of compiled templates, in its per-user private folder; never in the way.

    Compiling the templates costs ~60 ms a run, most of a one-model regeneration's rendering.
    jinja2 keys each compiled template by its name and checks it against the template's source and
    jinja2's own version before use. A folder that cannot be written only means compiling again.
    """

    def load_bytecode(self, bucket: Bucket) -> None:
        with suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        with suppress(OSError):
            super().dump_bytecode(bucket)


def compiled_templates(directory: str | None = None) -> jinja2.BytecodeCache | None:
    """The cache in directory; by default <tmp>/_jinja2-cache-<uid> (mode 0700, refused if not ours)."""
    try:
        return _CompiledTemplates(directory)
    except (OSError, RuntimeError):  # no private folder to be had: compile every run
        return None


@cache
def environment() -> jinja2.Environment:
    return new_environment(compiled_templates())


def new_environment(bytecode_cache: jinja2.BytecodeCache | None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        bytecode_cache=bytecode_cache,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - we write Python and Markdown; literals go through the filters
    )
    env.filters["py"] = python_literal
    env.filters["doc"] = docstring_text
    env.filters["md"] = markdown_text
    env.filters["md_code"] = markdown_code
    env.filters["used_by"] = used_imports  # {{ imports | used_by(code) }}: see imports.py
    return env


def render_template(name: str, **context: object) -> str:
    return environment().get_template(name).render(**context)
