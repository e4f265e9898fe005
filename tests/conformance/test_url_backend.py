"""`--backend URL` uses the provider's own credentials, as it must against a live provider."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from generator.backend.server import running_backend
from tests.sdk.conftest import CATALOG


def test_clients_read_the_providers_variables_when_no_dummy_key_is_asked_for(seed_project: Path) -> None:
    module = seed_project / "generated" / "tests" / "test_cloudflare__tinyllama_1_1b_chat_v1_0.py"
    environment = {k: v for k, v in os.environ.items() if k != "CARDGEN_CONFORMANCE_KEY"}
    environment |= {"CLOUDFLARE_AUTH_TOKEN": "the-users-own-key", "CLOUDFLARE_ACCOUNT_ID": "acct-7"}
    with running_backend(CATALOG, token="the-users-own-key") as handle:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", str(module), "-q", "-p", "no:cacheprovider", "-k", "client_against_backend",
             f"--backend={handle.url}", "--examples=3"],
            cwd=module.parent, env=environment, capture_output=True, text=True, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    assert "1 passed" in done.stdout
