"""Lint-fix and format rendered Python with the pinned ruff, once, as the last stage; what ruff
still finds after its fixes (an undefined name) is an error, not a file written."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path, PurePosixPath

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

RUFF_CONFIG = PurePosixPath("ruff.toml")  # rendered into the output root; ruff finds it there
FORMATTED = frozenset({".py", ".md"})  # ruff formats the Python blocks of Markdown too
# Memory-backed, where the system has it: ruff writes each file of the scratch tree twice, and on a
# disk those thousands of small writes and deletes cost five times the formatting (500 models).
MEMORY_FOLDER = Path("/dev/shm")  # noqa: S108 - only a parent: tempfile makes a private folder in it
ROOM = 2  # times the tree's bytes a memory folder must have free (ruff's rewrites; other users)


class FormatError(Exception):
    """ruff could not format the generated code (a bug in a template or in the post-processing)."""


def format_tree(files: dict[PurePosixPath, str], config: str | None = None) -> dict[PurePosixPath, str]:
    """Return files with Python (and Markdown code blocks) formatted; other files unchanged.

    The tree's own ruff.toml says how (the same file a user or CI lints with): config, else the
    one among files.
    """
    python = {path: text for path, text in files.items() if path.suffix in FORMATTED}
    tree = {**python, RUFF_CONFIG: config if config is not None else files[RUFF_CONFIG]}
    parent = scratch_parent(sum(len(text) * 4 for text in tree.values()))  # UTF-8: <= 4 bytes a character
    try:
        formatted = _formatted(tree, parent)
    except (OSError, FormatError):
        if parent is None:
            raise
        formatted = _formatted(tree, None)  # the memory folder filled up meanwhile: on disk then
    return {path: formatted.get(path, text) for path, text in files.items()}


def scratch_parent(size: int) -> str | None:
    """Where the scratch tree goes: the memory folder if it is writable with room for size bytes,
    else None (the usual temporary folder). A TMPDIR the user set is theirs to choose: None."""
    if os.environ.get("TMPDIR"):
        return None
    try:
        stats = os.statvfs(MEMORY_FOLDER)
    except OSError:
        return None
    roomy = stats.f_bavail * stats.f_frsize >= ROOM * size
    return str(MEMORY_FOLDER) if roomy and os.access(MEMORY_FOLDER, os.W_OK | os.X_OK) else None


def _formatted(tree: dict[PurePosixPath, str], parent: str | None) -> dict[PurePosixPath, str]:
    """tree written below parent, fixed and formatted by ruff, read back (ruff.toml left out)."""
    with tempfile.TemporaryDirectory(prefix="cardgen-format-", dir=parent) as scratch:
        root = Path(scratch)
        for path, text in tree.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, "utf-8")
        ruff = find_ruff_bin()
        # --no-cache: the scratch tree is gone once read back; ruff's cache of it would only be
        # written (~0.1 s at 500 models) and deleted.
        for command in (
            [
                ruff,
                "check",
                "--fix",
                "--no-cache",
                "--quiet",
                "--output-format",
                "concise",
                "--config",
                str(RUFF_CONFIG),
                ".",
            ],
            [ruff, "format", "--quiet", "--no-cache", "--config", str(RUFF_CONFIG), "."],
        ):
            done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)  # noqa: S603
            if done.returncode != 0:
                # `check --fix` fixes what it can and reports the rest: code that would not import
                # (an undefined name) or fail `make lint` is refused here, not written.
                raise FormatError(
                    f"ruff {command[1]} refused the generated code (a bug in cardgen; please report it "
                    f"with the catalog entry):\n{done.stdout}{done.stderr}"
                )
        return {path: (root / path).read_text("utf-8") for path in tree if path != RUFF_CONFIG}
