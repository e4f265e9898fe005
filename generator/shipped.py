"""Load a module cardgen ships into the generated package, so cardgen obeys the same rule: one copy of it.

The shipped modules cannot import cardgen (the generated package never depends on it), so cardgen
loads their files instead of keeping a copy of what they say.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def shipped(directory: str, name: str) -> ModuleType:
    """`templates/<directory>/<name>.py`, loaded once as a module of its own."""
    path = TEMPLATES / directory / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"generator.shipped.{directory}.{name}", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
