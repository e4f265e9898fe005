"""Issue #16: generate reads a cassette only when its model is rendered anew.

A model's cache key names its cassettes by sha256, which a proof gives by stat alone; the text of a
cassette is needed only to copy it into a model's conformance tests, which a reused model has.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from generator.proofs import Proofs
from generator.recordings import PROOF_LABEL, Recordings, as_recordings, misplaced, orphans
from tests.conftest import REPO, cardgen

# `cardgen generate` in a fresh interpreter, proofs made at once (no racy window): which cassettes it opened.
CHILD = """
import json, os, sys
from generator import proofs
from generator.cli import cli

proofs.RACY_NS = 0
recordings = os.path.realpath("catalog/recordings") + os.sep
opened = set()


def hook(event, args):
    if event == "open" and isinstance(args[0], str) and os.path.realpath(args[0]).startswith(recordings):
        opened.add(os.path.relpath(os.path.realpath(args[0]), recordings))


sys.addaudithook(hook)
cli.main(["generate"], standalone_mode=False)
print(json.dumps(sorted(opened)))
"""


def _generate(root: Path) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    opened: list[str] = json.loads(done.stdout.splitlines()[-1])
    return opened


def _models_files(out: Path) -> dict[str, bytes]:
    """The models' modules and conformance tests (cassettes among them); not what names the version."""
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for folder in ("modelsdk/types", "modelsdk/resources", "tests")
        for path in sorted((out / folder).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_a_one_model_change_reads_that_models_cassettes_alone(tmp_path: Path, seed_project: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(seed_project / "catalog", root / "catalog")
    recordings = root / "catalog" / "recordings"
    every = sorted(p.relative_to(recordings).as_posix() for p in recordings.glob("*/*/*.yaml"))
    assert len({name.rsplit("/", 1)[0] for name in every}) > 1  # cassettes of several models
    assert _generate(root) == every  # from nothing: every model is rendered, every cassette copied
    assert _generate(root) == []  # nothing changed: proven by stat
    entry = root / "catalog" / "models" / "cloudflare" / "tinyllama_1_1b_chat_v1_0.yaml"
    entry.write_text(entry.read_text("utf-8").replace("TinyLlama project", "TinyLlama effort", 1), "utf-8")
    own = [name for name in every if name.startswith("cloudflare/tinyllama_1_1b_chat_v1_0/")]
    assert own
    assert _generate(root) == own
    # What it wrote is what a run from nothing writes, cassettes included.
    shutil.copytree(root / "catalog", tmp_path / "fresh" / "catalog")
    _generate(tmp_path / "fresh")
    assert _models_files(root / "generated") == _models_files(tmp_path / "fresh" / "generated")


def test_a_changed_cassette_renders_its_model_again(tmp_path: Path, seed_project: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(seed_project / "catalog", root / "catalog")
    shutil.copytree(seed_project / "generated", root / "generated")
    cassette = next((root / "catalog" / "recordings" / "segmind").glob("*/*.yaml"))
    name = cassette.relative_to(root / "catalog" / "recordings").as_posix()
    text = cassette.read_text("utf-8") + "# edited\n"
    cassette.write_text(text, "utf-8")
    assert name in _generate(root)
    assert (root / "generated" / "tests" / "cassettes" / name).read_text("utf-8") == text


def test_cassettes_of_a_model_that_left_the_catalog_stop_generate(tmp_path: Path, seed_project: Path) -> None:
    """Its page deleted, the model's cassettes would stay behind unread: generate names the folder,
    writes nothing and exits 1 (in --check too) until it is deleted, as an overlay of no model."""
    root = tmp_path / "project"
    shutil.copytree(seed_project / "catalog", root / "catalog")
    shutil.copytree(seed_project / "generated", root / "generated")
    folder = next((root / "catalog" / "recordings" / "segmind").iterdir())
    model = f"segmind/{folder.name}"
    (root / "catalog" / "models" / f"{model}.yaml").unlink()
    before = {p: p.read_bytes() for p in (root / "generated").rglob("*") if p.is_file()}
    for check in ((), ("--check",)):
        done = cardgen(root, "generate", *check, expect=1)
        assert (
            f"catalog/recordings/{model}/: error: cassettes of `{model}`, which is not in catalog/models; "
            "its page was removed, or now gives another model id: delete the folder (a renamed model's "
            "own are recorded with `cardgen record --model`), or restore the page"
        ) in done.stderr
    assert {p: p.read_bytes() for p in (root / "generated").rglob("*") if p.is_file()} == before
    shutil.rmtree(folder)
    cardgen(root, "generate")


def test_orphans_are_the_model_folders_of_no_model() -> None:
    names = ["a/one/x.yaml", "a/one/y.yaml", "b/two/x.yaml", "b/three/z.yaml"]
    assert orphans(names, ["a/one", "b/two", "c/four"]) == ["b/three"]
    assert orphans(names, ["a/one", "b/two", "b/three"]) == []


def _cassettes(root: Path) -> list[str]:
    names = ["a/one/x.yaml", "a/one/y.yaml", "b/two/x.yaml"]
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"interactions: [{name}]\n", "utf-8")
    return names


def test_cassettes_on_disk_are_read_only_when_asked_for(tmp_path: Path) -> None:
    names = _cassettes(tmp_path)
    first = Proofs(racy_ns=0)
    found = Recordings.below(tmp_path, names, first)
    assert sorted(map(str, found)) == names
    assert found.by_model() == {
        "a/one": [PurePosixPath("a/one/x.yaml"), PurePosixPath("a/one/y.yaml")],
        "b/two": [PurePosixPath("b/two/x.yaml")],
    }
    for name in names:
        assert found.sha256(PurePosixPath(name)) == hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
    assert first.read == len(names)
    assert set(first.record()) == {f"{PROOF_LABEL}/{name}" for name in names}
    again = Proofs(first.record(), racy_ns=0)
    proven = Recordings.below(tmp_path, names, again)
    assert [proven.sha256(PurePosixPath(name)) for name in names] == [
        found.sha256(PurePosixPath(name)) for name in names
    ]
    assert again.read == 0  # proven by stat, not read
    assert proven[PurePosixPath("b/two/x.yaml")] == "interactions: [b/two/x.yaml]\n"
    with pytest.raises(KeyError):
        proven[PurePosixPath("b/two/z.yaml")]
    with pytest.raises(KeyError):
        proven.sha256(PurePosixPath("b/two/z.yaml"))


def test_cassettes_in_memory_are_named_by_the_digest_of_their_text() -> None:
    texts = {PurePosixPath("a/one/x.yaml"): "é\n"}
    given = as_recordings(texts)
    assert given[PurePosixPath("a/one/x.yaml")] == "é\n"
    assert given.sha256(PurePosixPath("a/one/x.yaml")) == hashlib.sha256("é\n".encode()).hexdigest()
    assert as_recordings(given) is given
    assert len(as_recordings(None)) == 0


def test_misplaced_are_the_files_no_cassette_is_read_from(tmp_path: Path) -> None:
    _cassettes(tmp_path)
    # Not misplaced: files at the top (a README), hidden ones; a hidden `.x.yaml` in a model's folder
    # is read as a cassette (as glob finds it), so it is where cassettes go.
    for name in ("README.md", ".gitkeep", "a/.DS_Store", "a/one/.x.yaml"):
        (tmp_path / name).write_text("x", "utf-8")
    assert misplaced(tmp_path) == []
    strays = [
        "a/one/deeper/x.yaml",
        "a/one/x.yml",
        "a/one/x.json",
        "a/two",
        "b/x.yaml",
        "top.yaml",
        "top.yml",
    ]
    for name in strays:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", "utf-8")
    assert misplaced(tmp_path) == sorted(strays)
    assert misplaced(tmp_path / "none") == []


def test_a_misplaced_cassette_stops_generate_even_when_nothing_else_changed(
    tmp_path: Path, seed_project: Path
) -> None:
    """A cassette one folder off would never be read, and its model tested without it: generate
    names it, writes nothing and exits 1, in --check too, and when the last run's record says the
    inputs are unchanged (the unchanged path is where CI's checks usually end)."""
    root = tmp_path / "project"
    shutil.copytree(seed_project / "catalog", root / "catalog")
    cardgen(root, "generate")
    cassette = next((root / "catalog" / "recordings" / "segmind").glob("*/*.yaml"))
    stray = cassette.parent.parent / cassette.name  # one folder too high
    shutil.move(cassette, stray)
    shutil.move(stray, cassette)  # back: the record still vouches for the inputs
    assert "0 written" in cardgen(root, "generate").stdout
    shutil.copy(cassette, stray)
    before = {p: p.read_bytes() for p in (root / "generated").rglob("*") if p.is_file()}
    name = stray.relative_to(root).as_posix()
    for check in ((), ("--check",)):
        done = cardgen(root, "generate", *check, expect=1)
        assert (
            f"{name}: error: not read as a cassette: cassettes are <provider>/<slug>/<name>.yaml"
            in done.stderr
        )
    assert {p: p.read_bytes() for p in (root / "generated").rglob("*") if p.is_file()} == before
    stray.unlink()
    assert "0 written" in cardgen(root, "generate").stdout
