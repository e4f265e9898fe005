"""Files proven by stat are not read again, and no change to a file passes for a proof.

Proofs are only made of files whose ctime is older than the racy window (2 s); the unit cases
shrink the window to 0 so that files written by the test can be proven at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import proofs as proofs_module
from generator.cli import cli
from generator.proofs import Proofs
from generator.tree import yaml_files

TEXT = b"the file's bytes\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _proven(path: Path) -> Proofs:
    """Proofs as the next run reads them, after one run hashed path."""
    first = Proofs(racy_ns=0)
    assert first.sha256("f", path) == _sha(path.read_bytes())
    return Proofs(first.record(), racy_ns=0)


def test_a_proven_file_is_not_read_again(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(TEXT)
    proofs = _proven(path)
    assert proofs.sha256("f", path) == _sha(TEXT)
    assert proofs.read == 0
    assert proofs.record()["f"][-1] == _sha(TEXT)  # kept for the run after


def test_a_run_looks_at_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run asks for a file's digest before it writes the file, never after: what a Proofs gave
    for a name stands for its run (its inputs' digest, then again where a file is used)."""
    proven, lately = tmp_path / "proven", tmp_path / "lately"
    proven.write_bytes(TEXT)
    first = Proofs(racy_ns=0)
    first.sha256("proven", proven)
    lately.write_bytes(TEXT)  # this file the next run must read: no proof, and too recent for one
    proofs = Proofs(first.record())  # the next run, with the usual racy window
    looked: list[str] = []
    stat = proofs_module.stat_of

    def counted(path: str | Path) -> proofs_module.Stat:
        looked.append(str(path))
        return stat(path)

    monkeypatch.setattr(proofs_module, "stat_of", counted)
    for _ in range(3):
        assert proofs.sha256("proven", proven) == proofs.proven("proven", proven) == _sha(TEXT)
        assert proofs.sha256("lately", lately) == _sha(TEXT)
    assert looked == [str(proven), str(lately)]
    assert proofs.read == 1
    assert "lately" not in proofs.record()  # still no proof for the next run


def test_unproven_names_what_stat_does_not_prove_and_proves_the_rest(tmp_path: Path) -> None:
    for name in ("a", "b", "c", "d"):
        (tmp_path / name).write_bytes(name.encode())
    first = Proofs(racy_ns=0)
    first.digests("out", tmp_path, ["a", "b", "c"])  # d: never proven
    proofs = Proofs(first.record(), racy_ns=0)
    (tmp_path / "b").write_bytes(b"bb")  # changed
    (tmp_path / "c").unlink()  # gone
    assert proofs.unproven("out", tmp_path, ["a", "b", "c", "d"], most=3) == frozenset({"b", "c", "d"})
    assert proofs.given("out/a") == _sha(b"a") and proofs.given("out/b") is None
    assert proofs.read == 0  # stat alone
    assert Proofs(first.record(), racy_ns=0).unproven("out", tmp_path, ["a", "b", "c", "d"], most=2) is None


def test_what_a_run_wrote_is_looked_at_again_and_what_it_looked_at_is_not_taken_from_elsewhere(
    tmp_path: Path,
) -> None:
    path = tmp_path / "f"
    path.write_bytes(TEXT)
    proofs = _proven(path)
    assert proofs.sha256("f", path) == _sha(TEXT)
    path.write_bytes(b"written by the run\n")
    proofs.forget(["f"])  # the run says it wrote it
    assert proofs.sha256("f", path) == _sha(b"written by the run\n")
    again = _proven(path)
    path.write_bytes(b"edited\n")
    assert again.sha256("f", path) == _sha(b"edited\n")  # looked at here, read
    again.take(["f"])  # another process proved the old bytes earlier: this run's own look stands
    assert again.given("f") == _sha(b"edited\n")


def test_an_edit_that_keeps_size_and_mtime_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(TEXT)
    proofs = _proven(path)
    before = path.stat()
    edited = TEXT.replace(b"file", b"FILE")
    path.write_bytes(edited)  # the same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the mtime put back
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert proofs.sha256("f", path) == _sha(edited)  # ctime moved: read again
    assert proofs.read == 1


def test_a_file_replaced_by_another_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(TEXT)
    proofs = _proven(path)
    other = tmp_path / "g"
    other.write_bytes(TEXT.upper())
    other.replace(path)
    assert proofs.sha256("f", path) == _sha(TEXT.upper())


def test_a_file_changed_lately_gets_no_proof(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(TEXT)
    proofs = Proofs()  # the real window: this file's ctime is within it
    assert proofs.sha256("f", path) == _sha(TEXT)
    assert proofs.record() == {}


@pytest.mark.parametrize(
    "junk", [{"f": "text"}, {"f": [1, 2, 3]}, {"f": [1, 2, 3, 4, 5, 6]}, {"f": [*"abcde", "x"]}]
)
def test_a_damaged_record_proves_nothing(tmp_path: Path, junk: dict[str, object]) -> None:
    path = tmp_path / "f"
    path.write_bytes(TEXT)
    proofs = Proofs(junk, racy_ns=0)
    assert proofs.sha256("f", path) == _sha(TEXT)
    assert proofs.read == 1


def test_a_record_with_true_for_a_size_of_one_proves_nothing(tmp_path: Path) -> None:
    """JSON's true is no number: a record saying `true` where the file's size is 1 is damaged."""
    path = tmp_path / "f"
    path.write_bytes(b"x")
    seen = path.stat()
    assert seen.st_size == 1
    recorded = [True, seen.st_mtime_ns, seen.st_ctime_ns, seen.st_ino, seen.st_dev, "not the digest"]
    proofs = Proofs({"f": recorded}, racy_ns=0)
    assert proofs.sha256("f", path) == _sha(b"x")
    assert proofs.read == 1


def test_a_file_that_cannot_be_read_raises_or_gives_what_the_caller_names(tmp_path: Path) -> None:
    proofs, gone = Proofs(racy_ns=0), tmp_path / "gone"
    with pytest.raises(FileNotFoundError):
        proofs.sha256("gone", gone)
    assert proofs.sha256("gone", gone, unreadable="unreadable") == "unreadable"
    (tmp_path / "f").write_bytes(TEXT)
    listed = proofs.digests("label", tmp_path, ["f", "gone"], unreadable="unreadable")
    assert listed == [("f", _sha(TEXT)), ("gone", "unreadable")]


def test_generate_rewrites_a_generated_file_edited_behind_its_back(
    tmp_path: Path, seed_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole loop: after two runs every file of the tree is proven; an edit keeping size and mtime
    is still found, by the no-op check and by the reuse of the model's files."""
    monkeypatch.setattr(proofs_module, "RACY_NS", 0)
    shutil.copytree(seed_project / "catalog", tmp_path / "catalog")
    args = [
        "generate",
        "--catalog",
        str(tmp_path / "catalog" / "models"),
        "--out",
        str(tmp_path / "generated"),
    ]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert CliRunner().invoke(cli, args).exit_code == 0  # nothing to do: it proves every file
    state = json.loads((tmp_path / "generated" / ".cardgen-cache" / "generate.json").read_text("utf-8"))
    proven = {name.split("/", 1)[0] for name in state["proofs"]}
    assert proven == {"catalog", "recordings", "out"}
    assert len([name for name in state["proofs"] if name.startswith("out/")]) == len(state["files"])
    target = next((tmp_path / "generated" / "modelsdk" / "types" / "cloudflare").glob("tiny*.py"))
    original = target.read_bytes()
    before = target.stat()
    edited = original.replace(b"class ", b"klass ", 1)
    target.write_bytes(edited)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    outcome = CliRunner().invoke(cli, args)
    assert outcome.exit_code == 0, outcome.output
    assert "1 written" in outcome.output, outcome.output
    assert target.read_bytes() == original


def _edit_in_place(path: Path, old: bytes, new: bytes) -> None:
    """Change path's bytes, keeping its size and mtime: only its ctime tells."""
    assert len(old) == len(new)
    before = path.stat()
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_ingest_finds_sources_and_entries_edited_behind_its_back(
    tmp_path: Path, seed_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(proofs_module, "RACY_NS", 0)
    shutil.copytree(seed_project / "catalog" / "sources", tmp_path / "catalog" / "sources")
    models = tmp_path / "catalog" / "models"
    args = ["ingest", "--sources", str(tmp_path / "catalog" / "sources"), "--catalog", str(models)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert CliRunner().invoke(cli, args).exit_code == 0  # nothing to do: it proves every file
    proven = json.loads((models / ".cardgen-cache" / "ingest-proofs.json").read_text("utf-8"))
    assert {name.split("/", 1)[0] for name in proven} == {"sources", "catalog"}
    entry = models / "cloudflare" / "tinyllama_1_1b_chat_v1_0.yaml"
    original = entry.read_bytes()
    _edit_in_place(entry, b"model_id:", b"model_ID:")
    outcome = CliRunner().invoke(cli, args)
    assert outcome.exit_code == 0, outcome.output
    assert "1 written" in outcome.output, outcome.output
    assert entry.read_bytes() == original
    source = tmp_path / "catalog" / "sources" / "cloudflare" / "tinyllama-1.1b-chat-v1.0.md"
    _edit_in_place(source, b"TinyLlama", b"TinyLLAMA")
    outcome = CliRunner().invoke(cli, args)
    assert outcome.exit_code == 0, outcome.output
    assert "1 written" in outcome.output, outcome.output
    assert b"TinyLLAMA" in entry.read_bytes()


@pytest.mark.parametrize(("pattern", "depth"), [("*/*.yaml", 1), ("*/*/*.yaml", 2)])
def test_the_inputs_listing_finds_what_glob_finds(tmp_path: Path, pattern: str, depth: int) -> None:
    for name in (
        "a/x.yaml",
        "a/y.yml",
        "a/b/z.yaml",
        "a/b/c/w.yaml",
        ".h/x.yaml",
        "a/.x.yaml",
        "top.yaml",
        "d/b/e.yaml",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", "utf-8")
    (tmp_path / "a" / "dir.yaml").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "a", target_is_directory=True)
    expected = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.glob(pattern) if p.is_file())
    assert sorted(yaml_files(tmp_path, depth)) == expected
    assert yaml_files(tmp_path / "missing", depth) == []
