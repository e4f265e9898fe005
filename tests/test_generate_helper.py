"""`cardgen generate` forks its helper before it reads anything, and the helper types the models.

The helper loads the code generator (~0.2 s) on the other core; forked before the command proves
what is unchanged and reads the catalog, it is ready by the time the first model is typed. Each
run is a fresh interpreter (a test process may run threads, and then nothing is forked).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest

from generator.render.pool import usable_cores
from generator.unchanged import CACHE_DIR, STATE_NAME, Record, record_identity, unproven_output
from tests.conftest import CATALOG_ROOT, REPO, cardgen

# Runs `cardgen ARGS`, noting how many helpers were running when the inputs were first hashed.
CHILD = """
import json, sys
from generator import unchanged
from generator.cli import cli
from generator.render import pool

seen = []
digest = unchanged.inputs_digest


def noted(*args, **kwargs):
    seen.append(len(pool._HELPERS))
    return digest(*args, **kwargs)


unchanged.inputs_digest = noted
cli.main(sys.argv[1:], standalone_mode=False)
print(json.dumps({"helpers_at_first_read": seen[:1], "batches": pool.helper_batches(),
                  "helpers_after": len(pool._HELPERS)}))
"""


# Runs `cardgen ARGS`, noting what was sent to the helper ahead and what typing then ran.
TYPED_AHEAD = """
import json, sys
from generator.cli import cli
from generator.render import ahead as sending, render

sent, runs = [], []
type_ahead, typed_views = sending.type_ahead, render.typed_views


def ahead(entries, folder):
    sent.append(["/".join(entry.key) for entry in entries] if type_ahead(entries, folder) else None)
    return sent[-1] is not None


def typed(*args, **kwargs):
    views = typed_views(*args, **kwargs)
    runs.append(views.codegen_runs)
    return views


sending.type_ahead, render.typed_views = ahead, typed
cli.main(sys.argv[1:], standalone_mode=False)
print(json.dumps({"sent_ahead": sent, "codegen_runs": runs}))
"""


# Runs `cardgen ARGS` with proofs made of files however recent (the racy window shrunk to 0, here
# and in the helper it forks), noting the output files this process (not the helper) looked at.
# ALONE=1: with no helper.
OUTPUT_LOOKED = """
import json, os, sys
from generator import proofs
from generator.cli import cli
from generator.render import pool

proofs.RACY_NS = 0
if os.environ.get("ALONE"):
    pool.usable_cores = lambda: 1
looked, stat, here, out = [], proofs.stat_of, os.getpid(), os.path.abspath("generated") + os.sep


def counted(path):
    if os.getpid() == here and os.path.abspath(path).startswith(out):
        looked.append(os.path.abspath(path)[len(out):])
    return stat(path)


proofs.stat_of = counted
answer = pool.first_answer


def patient():  # a loaded test machine may keep the helper from answering as soon as it would
    if pool._HELPERS:
        pool._HELPERS[-1][1].poll(10)
    return answer()


pool.first_answer = patient
cli.main(sys.argv[1:], standalone_mode=False)
print(json.dumps({"looked": looked}))
"""


def _generate(root: Path, *args: str, child: str = CHILD) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", child, *(args or ("generate",))],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_generate_forks_its_helper_first_and_types_models_there(tmp_path: Path) -> None:
    for part in ("sources", "overlays", "recordings"):
        shutil.copytree(CATALOG_ROOT / part, tmp_path / "catalog" / part)
    cardgen(tmp_path, "ingest")
    helped = usable_cores() > 1
    first = _generate(tmp_path)
    assert first == {"helpers_at_first_read": [int(helped)], "batches": int(helped), "helpers_after": 0}
    # Nothing changed: the helper was forked all the same, and stopped unused.
    again = _generate(tmp_path)
    assert again == {"helpers_at_first_read": [int(helped)], "batches": 0, "helpers_after": 0}


def test_build_has_the_helper_type_what_its_ingest_built_before_generate_asks(tmp_path: Path) -> None:
    for part in ("sources", "overlays", "recordings"):
        shutil.copytree(CATALOG_ROOT / part, tmp_path / "catalog" / part)
    cardgen(tmp_path, "build")
    edited = tmp_path / "catalog" / "sources" / "cloudflare" / "tinyllama-1.1b-chat-v1.0.md"
    default = '\\"default\\": 256'  # max_tokens's, in the input schema (a JSON string in YAML)
    text = edited.read_text("utf-8")
    assert default in text
    edited.write_text(text.replace(default, default.replace("256", "300"), 1), "utf-8")
    built = _generate(tmp_path, "build", child=TYPED_AHEAD)
    if usable_cores() < 2:  # no helper: nothing is sent ahead, the model is typed here
        assert built == {"sent_ahead": [None], "codegen_runs": [1]}
        return
    # The edited model alone was sent; when generate typed it, the code generator had run already.
    assert built == {"sent_ahead": [["cloudflare/tinyllama_1_1b_chat_v1_0"]], "codegen_runs": [0]}
    edited.write_text(
        edited.read_text("utf-8").replace(default.replace("256", "300"), default.replace("256", "301")),
        "utf-8",
    )
    cardgen(tmp_path, "ingest")  # the two commands: nothing built ahead, generate's typing runs it
    assert _generate(tmp_path, "generate", child=TYPED_AHEAD) == {"sent_ahead": [], "codegen_runs": [1]}


def test_build_has_the_helper_prove_the_output_first_and_an_edited_file_is_still_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The helper proves the output's files by stat before it loads the renderer; generate takes
    its answer where it asks about them: this process looks only at those the helper could not prove."""
    for part in ("sources", "overlays", "recordings"):
        shutil.copytree(CATALOG_ROOT / part, tmp_path / "catalog" / part)
    cardgen(tmp_path, "build")
    files = len((tmp_path / "generated" / ".cardgen-files").read_text("utf-8").splitlines())
    _generate(tmp_path, "build", child=OUTPUT_LOOKED)  # nothing changed: it proves them, for next time
    edited = tmp_path / "catalog" / "sources" / "cloudflare" / "tinyllama-1.1b-chat-v1.0.md"
    by_hand = tmp_path / "generated" / "modelsdk" / "types" / "cloudflare" / "deepseek_math_7b_base.py"
    original = by_hand.read_text("utf-8")
    for alone in ("1", ""):
        edited.write_text(edited.read_text("utf-8").replace("256", "257" if alone else "258", 1), "utf-8")
        by_hand.write_text(original + "# edited by hand\n", "utf-8")
        monkeypatch.setenv("ALONE", alone)
        looked = cast("list[str]", _generate(tmp_path, "build", child=OUTPUT_LOOKED)["looked"])
        assert by_hand.read_text("utf-8") == original  # found changed, and written again
        assert "modelsdk/types/cloudflare/deepseek_math_7b_base.py" in looked
        if alone or usable_cores() < 2:  # every file looked at here
            assert len(set(looked)) >= files - 5, (len(set(looked)), files)
        else:  # only what the helper could not prove (and what this run writes)
            assert len(set(looked)) < 15, looked


def test_the_helpers_answer_is_for_the_record_it_read(tmp_path: Path) -> None:
    """The helper's answer names the record it proved the output from; a record written again
    since (the same bytes, another file) is another one, and the answer is not taken."""
    for part in ("sources", "overlays", "recordings"):
        shutil.copytree(CATALOG_ROOT / part, tmp_path / "catalog" / part)
    cardgen(tmp_path, "build")
    out = tmp_path / "generated"
    answer = unproven_output(out)
    assert answer is not None and answer[0] == record_identity(Record.read(out))
    path = out / CACHE_DIR / STATE_NAME
    text = path.read_bytes()
    path.unlink()
    path.write_bytes(text)
    assert record_identity(Record.read(out)) != answer[0]
    assert unproven_output(out) == (record_identity(Record.read(out)), answer[1])
