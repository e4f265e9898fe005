"""What an ingest's outcome depends on besides its inputs: cardgen's version and code, and the defaults."""

from __future__ import annotations

import sys
from pathlib import Path

from generator import __version__
from generator.digests import files_digest
from generator.versions import version

GENERATOR = Path(__file__).resolve().parent.parent
# What extraction, entry building and entry dumping run: any change here voids the cache. Besides
# ingest/ and catalog/, every module they import (tests/test_toolchain.py checks the closure).
SHARED = (
    "cli_support.py",
    "datatext.py",
    "diagnostics.py",
    "digests.py",
    "machine.py",
    "memo.py",
    "proofs.py",
    "tree.py",
    "versions.py",
    "wording.py",
)
CODE = (
    ("ingest", "**/*.py"),
    ("ingest/provider_defaults", "*.yaml"),
    ("catalog", "*"),
    ("render", "__init__.py"),
    ("render", "pytext.py"),  # datatext's escapes
    *((".", name) for name in SHARED),
)


def ingest_toolchain(providers: Path | None) -> dict[str, str]:
    """What a kept extraction depends on besides its document; a change anywhere voids every one."""
    code = [
        (f"{folder}/{path.relative_to(GENERATOR / folder).as_posix()}", path)
        for folder, pattern in CODE
        for path in (GENERATOR / folder).glob(pattern)
        if path.is_file() and "__pycache__" not in path.parts
    ]
    overrides = (
        [(path.name, path) for path in providers.glob("*.yaml") if path.is_file()]
        if providers is not None and providers.is_dir()
        else []
    )
    return {
        "cardgen": __version__,
        "code": files_digest(code),
        "jsonschema": version("jsonschema"),  # the metaschema and entry checks it keeps
        "overrides": files_digest(overrides),
        "pyyaml": version("PyYAML"),  # from its metadata: importing yaml costs a no-op ingest ~15 ms
        "python": ".".join(map(str, sys.version_info[:2])),
    }
