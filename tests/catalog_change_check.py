"""Prove cardgen's tests do not depend on the committed catalog: change the catalog, then run everything.

Clones the repository at HEAD into a temporary directory and there, as a contributor would, adds a
document (a model whose input has no `messages`), changes another (description and a range) and
removes a third (with its recordings). Then follows the README's "Adding, changing or removing a
document" steps (`cardgen ingest`, `cardgen record --model <new>`, `cardgen generate`), checks the
catalog and SDK show all three changes, and runs mypy, cardgen's own pytest suite, and
`cardgen conform --backend local` and `--backend recorded` in the clone. Exits 1 if anything is red.

    python -m tests.catalog_change_check [--keep] [--worktree] [-- PYTEST_ARGS...]

`--worktree` copies the working tree (tracked and untracked, not ignored files) instead of HEAD.
The clone runs on this interpreter with PYTHONPATH set to the clone, so the clone's own generator is
the one imported.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADDED = "catalog/sources/cloudflare/acme-reasoner-8b.md"
ADDED_MODEL = "cloudflare/reasoner_8b"
CHANGED = "catalog/sources/cloudflare/deepseek-math-7b-base.md"
REMOVED = "catalog/sources/cloudflare/deepseek-coder-6.7b-base-awq.txt"
REMOVED_RECORDINGS = "catalog/recordings/cloudflare/deepseek_coder_6_7b_base_awq"

ACME_INPUT = r"""{\n  \"type\": \"object\",\n  \"properties\": {\n    \"prompt\": {\n      \"type\": \"string\",\n      \"minLength\": 1,\n      \"maxLength\": 8192\n    },\n    \"reasoning_effort\": {\n      \"type\": \"string\",\n      \"enum\": [\"low\", \"medium\", \"high\"],\n      \"default\": \"medium\"\n    },\n    \"stream\": {\n      \"type\": \"boolean\",\n      \"default\": false\n    },\n    \"max_tokens\": {\n      \"type\": \"integer\",\n      \"minimum\": 1,\n      \"maximum\": 4096\n    }\n  },\n  \"required\": [\n    \"prompt\"\n  ]\n}"""
ACME_OUTPUT = r"""{\n  \"oneOf\": [\n    {\n      \"type\": \"object\",\n      \"contentType\": \"application/json\",\n      \"properties\": {\n        \"response\": {\n          \"type\": \"string\"\n        },\n        \"reasoning\": {\n          \"type\": \"string\"\n        }\n      },\n      \"required\": [\n        \"response\"\n      ]\n    },\n    {\n      \"type\": \"string\",\n      \"contentType\": \"text/event-stream\",\n      \"format\": \"binary\"\n    }\n  ]\n}"""
ACME_DOCUMENT = f"""---
model:
  id: "5a1f0c3e-8d2b-4e7a-9c61-acme00000008"
  source: 1
  name: "@cf/acme/reasoner-8b"
  description: "A small reasoning model that takes a prompt only; it answers with its reasoning and a response."
  task:
    id: "c329a1f9-323d-4e91-b2aa-582dd4188d34"
    name: "Text Generation"
    description: "Family of generative text models, such as large language models (LLM), that can be adapted for a variety of natural language tasks."
  tags: []
  properties:
    - property_id: "beta"
      value: "true"
task_type: "text-generation"
model_display_name: "reasoner-8b"
layout: "model"
weight: 0
title: "reasoner-8b"
json_schema:
  input: "{ACME_INPUT}"
  output: "{ACME_OUTPUT}"

---
"""


def change_catalog(root: Path) -> None:
    """Add one document, change another, remove a third (and its recordings)."""
    (root / ADDED).write_text(ACME_DOCUMENT, "utf-8")
    changed = root / CHANGED
    text = changed.read_text("utf-8")
    edited = text.replace("DeepSeekMath is initialized", "DeepSeekMath (revised page) is initialized", 1)
    edited = edited.replace('\\"maxLength\\": 4096', '\\"maxLength\\": 8192')
    assert edited != text and edited.count("8192") == 2, "the changed document no longer has what we edit"
    changed.write_text(edited, "utf-8")
    (root / REMOVED).unlink()
    shutil.rmtree(root / REMOVED_RECORDINGS)


def catalog_shows_the_change(root: Path) -> list[str]:
    """What is wrong with the regenerated catalog and SDK, if they do not show all three changes."""
    models, types = (
        root / "catalog" / "models" / "cloudflare",
        root / "generated" / "modelsdk" / "types" / "cloudflare",
    )
    problems = []
    if not (models / "reasoner_8b.yaml").is_file() or not (types / "reasoner_8b.py").is_file():
        problems.append("the added document gave no entry or no types")
    if (models / "deepseek_coder_6_7b_base_awq.yaml").exists() or (
        types / "deepseek_coder_6_7b_base_awq.py"
    ).exists():
        problems.append("the removed document's entry or types are still there")
    if "(revised page)" not in (models / "deepseek_math_7b_base.yaml").read_text("utf-8"):
        problems.append("the changed document's entry did not change")
    return problems


def copy_repository(target: Path, *, worktree: bool) -> None:
    if not worktree:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, check=True, capture_output=True, text=True
        ).stdout.strip()
        subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(REPO), str(target)], check=True)
        subprocess.run(["git", "checkout", "--quiet", "--detach", head], cwd=target, check=True)
        return
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def steps(pytest_args: Sequence[str]) -> list[tuple[str, list[str]]]:
    cardgen = [sys.executable, "-m", "generator"]
    return [
        ("ingest", [*cardgen, "ingest"]),
        ("record the new model", [*cardgen, "record", "--model", ADDED_MODEL]),
        ("generate", [*cardgen, "generate"]),
        ("drift check", [*cardgen, "ingest", "--check"]),
        ("mypy", [sys.executable, "-m", "mypy"]),
        ("pytest", [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args]),
        ("conform local", [*cardgen, "conform", "--backend", "local"]),
        ("conform recorded", [*cardgen, "conform", "--backend", "recorded"]),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary clone and print its path")
    parser.add_argument("--worktree", action="store_true", help="copy the working tree instead of HEAD")
    parser.add_argument("pytest_args", nargs="*", help="extra arguments for pytest (after --)")
    options = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="cardgen-catalog-change-"))
    root = scratch / "repo"
    root.mkdir()
    env = {**os.environ, "PYTHONPATH": str(root), "CI": "true"}
    env.pop("PYTHONHASHSEED", None)
    failed: list[str] = []
    try:
        copy_repository(root, worktree=options.worktree)
        change_catalog(root)
        print(f"catalog changed in {root}: added {ADDED}, changed {CHANGED}, removed {REMOVED}", flush=True)
        for name, command in steps(options.pytest_args):
            started = time.monotonic()
            print(f"--- {name}: {' '.join(command[1:])}", flush=True)
            outcome = subprocess.run(command, cwd=root, env=env, check=False)
            seconds = time.monotonic() - started
            print(
                f"--- {name}: {'ok' if outcome.returncode == 0 else 'FAILED'} in {seconds:.0f} s", flush=True
            )
            if outcome.returncode != 0:
                failed.append(name)
                if name in {"ingest", "record the new model", "generate"}:
                    break
            if name == "generate":
                problems = catalog_shows_the_change(root)
                for problem in problems:
                    print(f"--- {problem}", flush=True)
                if problems:
                    failed.append("the catalog does not show the change")
                    break
    finally:
        if options.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print("catalog change check:", f"FAILED ({', '.join(failed)})" if failed else "all green")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
