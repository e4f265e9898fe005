"""Format and lint-fix rendered Python with the pinned ruff, once, as the last stage."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path, PurePosixPath

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

RUFF_CONFIG = PurePosixPath("ruff.toml")  # rendered into the output root; ruff finds it there
FORMATTED = frozenset({".py", ".md"})  # ruff formats the Python blocks of Markdown too


class FormatError(Exception):
    """ruff could not format the generated code (a bug in a template or in the post-processing)."""


def format_tree(files: dict[PurePosixPath, str], config: str | None = None) -> dict[PurePosixPath, str]:
    """Return files with Python (and Markdown code blocks) formatted; other files unchanged.

    The tree's own ruff.toml says how (the same file a user or CI lints with): config, else the
    one among files.
    """
    python = {path: text for path, text in files.items() if path.suffix in FORMATTED}
    with tempfile.TemporaryDirectory(prefix="cardgen-format-") as scratch:
        root = Path(scratch)
        for path, text in {
            **python,
            RUFF_CONFIG: config if config is not None else files[RUFF_CONFIG],
        }.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, "utf-8")
        ruff = find_ruff_bin()
        for command in (
            [ruff, "check", "--fix-only", "--quiet", "--config", str(RUFF_CONFIG), "."],
            [ruff, "format", "--quiet", "--config", str(RUFF_CONFIG), "."],
        ):
            done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)  # noqa: S603
            if done.returncode != 0:
                raise FormatError(f"{' '.join(command[1:3])} failed:\n{done.stdout}{done.stderr}")
        formatted = {path: (root / path).read_text("utf-8") for path in python}
    return {path: formatted.get(path, text) for path, text in files.items()}
