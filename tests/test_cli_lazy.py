"""The command line imports a command's modules only when that command runs; `--help` stays complete."""

from __future__ import annotations

import copy
import importlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from generator.cli import LAZY_COMMANDS, cli
from generator.proofs import RACY_NS
from generator.unchanged import CACHE_DIR, STATE_NAME
from tests.conftest import REPO

HEAVY = ("jsonschema", "starlette", "uvicorn")
EVERY_COMMAND = ("build", "catalog", "conform", "diff", "generate", "ingest", "pull", "record", "serve")

# Runs the command line in a fresh interpreter, then prints every module it imported.
PROBE = """
import json, sys
from generator.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="cardgen", standalone_mode=False)
finally:
    print(json.dumps(sorted(sys.modules)))
"""


def _modules(root: Path, *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=root,
        env={"PYTHONPATH": str(REPO), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    found: list[str] = json.loads(done.stdout.splitlines()[-1])
    return found


def _packages(root: Path, *args: str) -> set[str]:
    """The top-level packages the run imported."""
    return {name.split(".")[0] for name in _modules(root, *args)}


def _imported(root: Path, *args: str) -> list[str]:
    """Which of HEAVY, and whether generator, the run imported."""
    return sorted(_packages(root, *args) & {*HEAVY, "generator"})


RENDERING = ("generator.generate", "generator.render.render", "datamodel_code_generator")


def _rendering_modules(root: Path, *args: str) -> list[str]:
    """The modules that render which a run imported (none: nothing was rendered)."""
    return [name for name in _modules(root, *args) if name in RENDERING]


def test_help_lists_every_command() -> None:
    outcome = CliRunner().invoke(cli, ["--help"])
    assert outcome.exit_code == 0
    listed = outcome.output.split("Commands:\n", 1)[1].splitlines()
    names = tuple(line.split()[0] for line in listed if line.strip() and not line.startswith("   "))
    assert names == EVERY_COMMAND
    assert "..." not in outcome.output.split("Commands:\n", 1)[1]  # each whole sentence, wrapped


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
@pytest.mark.parametrize("limit", [30, 45, 80, 200])
def test_the_table_gives_each_lazy_command_its_own_short_help(name: str, limit: int) -> None:
    module, attribute, short = LAZY_COMMANDS[name]
    command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Command)
    assert command.name == name
    assert click.Command(name, help=short).get_short_help_str(limit) == command.get_short_help_str(limit)


def test_help_is_the_same_with_every_command_imported() -> None:
    lazy, imported = copy.copy(cli), copy.copy(cli)
    lazy.commands = {name: c for name, c in cli.commands.items() if name not in LAZY_COMMANDS}
    imported.commands = {
        **lazy.commands,
        **{name: getattr(importlib.import_module(m), a) for name, (m, a, _) in LAZY_COMMANDS.items()},
    }
    outputs = [
        CliRunner().invoke(group, ["--help"], prog_name="cardgen", terminal_width=width).output
        for width in (60, 80, 120)
        for group in (lazy, imported)
    ]
    assert outputs[0::2] == outputs[1::2]
    assert "serve     Serve every catalog model over HTTP" in outputs[1]


def test_help_imports_no_command(tmp_path: Path) -> None:
    assert _imported(tmp_path, "--help") == ["generator"]


def test_a_noop_generate_imports_neither_jsonschema_nor_the_backend(
    tmp_path: Path, seed_project: Path
) -> None:
    shutil.copytree(seed_project / "catalog", tmp_path / "catalog")
    assert "starlette" not in _imported(tmp_path, "generate")  # the first run renders everything
    assert _imported(tmp_path, "generate") == ["generator"]
    assert _rendering_modules(tmp_path, "generate") == [], "a no-op renders nothing"


def test_a_noop_generate_loads_no_model_class_and_no_template(tmp_path: Path, seed_project: Path) -> None:
    """It proves the output current from digests alone: the toolchain's and the entry format's come
    from modules of their own, not from the lock or the store (pydantic, YAML, jinja2: ~0.2 s)."""
    shutil.copytree(seed_project / "catalog", tmp_path / "catalog")
    _modules(tmp_path, "generate")  # the first run renders everything
    # Past the racy window, the no-op proves the files the first run could not, and keeps the record.
    time.sleep(RACY_NS / 1e9 + 0.1)
    record = tmp_path / "generated" / CACHE_DIR / STATE_NAME
    before = record.stat().st_mtime_ns
    top = _packages(tmp_path, "generate")
    assert top & {"pydantic", "pydantic_core", "yaml", "jinja2"} == set()
    assert record.stat().st_mtime_ns != before, "the no-op kept its new proofs"


def test_a_noop_ingest_imports_no_parser_and_no_model_class(tmp_path: Path, seed_project: Path) -> None:
    """A no-op ingest replays the last run: its proofs and places need none of what extracts a
    document (the catalog's pydantic models, YAML, the schema checks: ~0.4 s at 500 models)."""
    shutil.copytree(seed_project / "catalog", tmp_path / "catalog")
    _modules(tmp_path, "ingest")  # the copy's files are new to its proofs
    top = _packages(tmp_path, "ingest")
    assert top & {"pydantic", "jsonschema", "yaml"} == set()
    edited = next((tmp_path / "catalog" / "sources").rglob("*.md"))
    edited.write_text(edited.read_text("utf-8") + "\nEdited.\n", "utf-8")
    assert {"pydantic", "jsonschema", "yaml"} <= _packages(tmp_path, "ingest")


def test_a_generate_that_renders_still_imports_no_backend(tmp_path: Path, seed_project: Path) -> None:
    shutil.copytree(seed_project / "catalog", tmp_path / "catalog")
    shutil.copytree(seed_project / "generated", tmp_path / "generated")
    entry = next((tmp_path / "catalog" / "models" / "cloudflare").glob("*.yaml"))
    entry.write_text(entry.read_text("utf-8").replace("description: ", "description: Edited. ", 1), "utf-8")
    imported = _imported(tmp_path, "generate")
    assert "starlette" not in imported and "uvicorn" not in imported
