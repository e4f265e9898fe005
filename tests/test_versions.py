"""Installed versions read from the metadata files are importlib.metadata's, without importing it."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from generator import versions
from generator.versions import version


def test_every_installed_distribution_has_importlib_metadatas_version() -> None:
    names = sorted({d.metadata["Name"] for d in importlib.metadata.distributions()})
    assert len(names) > 10
    for name in names:
        assert version(name) == importlib.metadata.version(name), name
    # as asked for: other case, other separators
    assert version("PYYAML") == version("pyyaml") == importlib.metadata.version("PyYAML")
    assert version("datamodel.code_generator") == importlib.metadata.version("datamodel-code-generator")


def test_a_distribution_not_installed_is_importlib_metadatas_error() -> None:
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        version("no-such-distribution-cardgen-test")
    assert issubclass(importlib.metadata.PackageNotFoundError, ModuleNotFoundError)  # what callers catch


def _site(tmp_path: Path, folder: str, metadata: str) -> Path:
    site = tmp_path / "site"
    (site / folder).mkdir(parents=True)
    (site / folder / ("PKG-INFO" if folder.endswith(".egg-info") else "METADATA")).write_text(metadata)
    return site


@pytest.mark.parametrize(
    ("folder", "metadata", "expected"),
    [
        (
            "Demo_Pkg-1.0.dist-info",
            "Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\n\nVersion: 9\n",
            "1.0",
        ),
        # a folded header that mentions a version is not the Version header
        ("demo.pkg-2.0.egg-info", "Name: demo.pkg\nSummary: x\n  Version: 7\nVersion: 2.0\n", "2.0"),
    ],
)
def test_the_version_header_of_the_first_matching_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str, metadata: str, expected: str
) -> None:
    site = _site(tmp_path, folder, metadata)
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    assert version("demo-pkg") == expected == importlib.metadata.version("demo-pkg")


def test_metadata_it_cannot_read_is_left_to_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path, "demo_pkg-3.0.dist-info", "Name: demo-pkg\n\nno headers after the blank line\n")
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    asked = _asking_importlib(monkeypatch)
    assert version("demo-pkg") == "from importlib"
    assert asked == ["demo-pkg"]


def test_the_toolchains_versions_do_not_import_importlib_metadata() -> None:
    code = (
        "import sys\n"
        "from generator.render.toolchain import toolchain\n"
        "from generator.ingest.toolchain import ingest_toolchain\n"
        "toolchain(); ingest_toolchain(None)\n"
        "print('importlib.metadata' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False", done.stderr


def test_a_zip_on_the_path_is_left_to_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "packages.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip
    monkeypatch.setattr(sys, "path", [str(archive), *sys.path])
    asked = _asking_importlib(monkeypatch)
    assert version("pydantic") == "from importlib" and asked == ["pydantic"]


def _asking_importlib(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names left to importlib.metadata from now on (each answered "from importlib")."""
    asked: list[str] = []

    def by_importlib(name: str) -> str:
        asked.append(name)
        return "from importlib"

    monkeypatch.setattr(versions, "_by_importlib", by_importlib)
    return asked
