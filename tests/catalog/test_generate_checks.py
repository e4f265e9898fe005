"""generate refuses an entry ingest would refuse, when it reads one no ingest wrote or checked.

An entry edited by hand, or one in a catalog from elsewhere, is checked as ingest checks entries:
a schema the metaschema rejects or a keyword the SDK would not enforce stops generate with the
entry file and the reason, and nothing is written. Entries an ingest wrote are not checked again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import cardgen

ENTRY = Path("catalog") / "models" / "cloudflare" / "tinyllama_1_1b_chat_v1_0.yaml"
EDITS = {
    "an invalid schema": ("      prompt:\n        type: string\n", "      prompt:\n        type: strng\n"),
    "a keyword not enforced": ("input_schema:\n  type: object\n", "input_schema:\n  type: object\n  unevaluatedProperties: false\n"),
}  # fmt: skip
REASONS = {
    "an invalid schema": "is not a valid JSON Schema",
    "a keyword not enforced": "unevaluatedProperties",
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_generate_refuses_an_entry_edited_into_what_ingest_refuses(
    edit: str, tmp_path: Path, seed_project: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(seed_project, root, ignore=shutil.ignore_patterns("__pycache__"))
    before = {p: p.read_bytes() for p in (root / "generated").rglob("*") if p.is_file()}
    old, new = EDITS[edit]
    text = (root / ENTRY).read_text("utf-8")
    assert old in text
    (root / ENTRY).write_text(text.replace(old, new, 1), "utf-8")
    for args in (("generate",), ("generate", "--check")):
        refused = cardgen(root, *args, expect=1)
        assert f"{ENTRY}: not an entry ingest would write" in refused.stderr, refused.stderr
        assert REASONS[edit] in refused.stderr
    assert {p: p.read_bytes() for p in (root / "generated").rglob("*") if p.is_file()} == before
    shutil.rmtree(root / "catalog" / "models" / ".cardgen-cache")  # a catalog as git holds it
    shutil.rmtree(root / "generated" / ".cardgen-cache")
    assert REASONS[edit] in cardgen(root, "generate", expect=1).stderr


def test_an_entry_that_is_not_yaml_is_named_with_its_line(tmp_path: Path, seed_project: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(seed_project, root, ignore=shutil.ignore_patterns("__pycache__"))
    text = (root / ENTRY).read_text("utf-8").splitlines(keepends=True)
    text[4] = "model_id: [unclosed\n"
    (root / ENTRY).write_text("".join(text), "utf-8")
    refused = cardgen(root, "generate", expect=1)
    assert f"{ENTRY}:6: not valid YAML: " in refused.stderr, refused.stderr  # where PyYAML stopped
    assert "<unicode string>" not in refused.stderr
