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

from generator.render.pool import usable_cores
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


def _generate(root: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "generate"],
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
