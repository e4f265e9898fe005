"""Generating as the catalog evolves: incremental reuse, version bumps, changelog, the lock's 'why'."""

from __future__ import annotations

import json
import shutil
from pathlib import Path, PurePosixPath

import pytest
import yaml
from click.testing import CliRunner, Result

from generator.cli import cli
from generator.render.types_store import FOLDER as TYPES_FOLDER
from generator.tree import is_dropping
from generator.unchanged import cache_path

TINY = "cloudflare/tinyllama_1_1b_chat_v1_0.yaml"


@pytest.fixture
def project(tmp_path: Path, seed_project: Path) -> Path:
    """A copy of the seed project's catalog, generated once into tmp/generated.

    The seed project's store of typed code is copied in first (the same schemas typed by the same
    toolchain), so that generate takes every model's types from it instead of running the code
    generator again: these tests are about the runs after it (~1 s a test saved)."""
    shutil.copytree(seed_project / "catalog", tmp_path / "catalog")
    shutil.copytree(_types_store(seed_project), _types_store(tmp_path))
    outcome = _generate(tmp_path)
    assert outcome.exit_code == 0, outcome.output
    assert "5 models rendered, 0 reused, 5 typed from kept code" in outcome.output  # the store served
    return tmp_path


def _types_store(project: Path) -> Path:
    """Where generate keeps the typed code of the project's output."""
    return cache_path(project / "generated", TYPES_FOLDER)


def _generate(root: Path, *extra: str) -> Result:
    args = [
        "generate",
        "--catalog",
        str(root / "catalog" / "models"),
        "--out",
        str(root / "generated"),
        *extra,
    ]
    return CliRunner().invoke(cli, args)


def _edit_entry(root: Path, path: str, change: object) -> None:
    target = root / "catalog" / "models" / path
    data = yaml.safe_load(target.read_text("utf-8"))
    change(data)  # type: ignore[operator]
    target.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def _mtimes(directory: Path) -> dict[str, int]:
    """Of the files cardgen writes as content: hidden files (its own records among them) left out."""
    files = (p for p in directory.rglob("*") if p.is_file() and not is_dropping(p.relative_to(directory)))
    return {p.relative_to(directory).as_posix(): p.stat().st_mtime_ns for p in files}


def _lock(root: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((root / "generated" / "cardgen.lock").read_text("utf-8"))
    return data


def _narrow_top_p(data: dict[str, object]) -> None:
    for branch in data["input_schema"]["oneOf"]:  # type: ignore[index]
        branch["properties"]["top_p"]["maximum"] = 1


def test_unchanged_models_are_reused_untouched_and_equal_a_full_render(project: Path, tmp_path: Path) -> None:
    before = _mtimes(project / "generated")
    _edit_entry(project, TINY, lambda d: d.update(description="A smaller description."))
    outcome = _generate(project)
    assert outcome.exit_code == 0, outcome.output
    assert "1 model rendered, 4 reused" in outcome.output
    after = _mtimes(project / "generated")
    versioned = {"cardgen.lock", "CHANGELOG.md", "pyproject.toml"}  # each holds the version, which moved
    stored_before = {p for p in before if p.startswith("cardgen.store/")}
    stored_after = {p for p in after if p.startswith("cardgen.store/")}
    # The edited entry is stored under a new name; its schemas, unchanged, and every other entry stay.
    assert (len(stored_before - stored_after), len(stored_after - stored_before)) == (1, 1)
    untouched = [p for p in before if "tinyllama" not in p and p not in versioned and p in after]
    changed_elsewhere = [p for p in untouched if before[p] != after[p] and not p.startswith("modelsdk/")]
    assert not changed_elsewhere, changed_elsewhere
    assert (
        after["modelsdk/types/cloudflare/deepseek_math_7b_base.py"]
        == before["modelsdk/types/cloudflare/deepseek_math_7b_base.py"]
    )
    assert (
        after["modelsdk/resources/cloudflare/tinyllama_1_1b_chat_v1_0.py"]
        != before["modelsdk/resources/cloudflare/tinyllama_1_1b_chat_v1_0.py"]
    )

    # The incremental result equals a render from scratch (whose version cannot know the history).
    fresh = CliRunner().invoke(
        cli, ["generate", "--catalog", str(project / "catalog" / "models"), "--out", str(tmp_path / "fresh")]
    )
    assert fresh.exit_code == 0, fresh.output
    for path in (project / "generated" / "modelsdk" / "types").rglob("*.py"):
        relative = path.relative_to(project / "generated")
        assert path.read_text("utf-8") == (tmp_path / "fresh" / relative).read_text("utf-8"), relative


def _breaking_and_provenance(data: dict[str, object]) -> None:
    _narrow_top_p(data)
    data["provenance"]["source"]["sha256"] = "0" * 64  # type: ignore[index]  # the page's text moved


def test_the_changelog_counts_provenance_changes_without_printing_them(project: Path) -> None:
    """Line spans and hashes of the documents mean nothing to the SDK's readers: a count, not the lines."""
    _edit_entry(project, TINY, _breaking_and_provenance)
    assert _generate(project).exit_code == 0
    changelog = (project / "generated" / "CHANGELOG.md").read_text("utf-8")
    newest = changelog.split("## ")[1]
    assert "request-range-narrowed" in newest
    assert "provenance" not in newest
    assert "  - and 1 change(s) of where its facts were read (`cardgen diff` lists them)\n" in newest


def test_a_breaking_change_bumps_the_version_and_is_logged_once(project: Path) -> None:
    _edit_entry(project, TINY, _narrow_top_p)
    assert _generate(project).exit_code == 0
    lock = _lock(project)
    assert lock["version"] == "0.2.0"
    changelog = (project / "generated" / "CHANGELOG.md").read_text("utf-8")
    assert "## 0.2.0" in changelog and "request-range-narrowed" in changelog
    assert changelog.index("## 0.2.0") < changelog.index("## 0.1.0")
    init = (project / "generated" / "modelsdk" / "__init__.py").read_text("utf-8")
    assert '__version__ = "0.2.0"' in init

    again = _generate(project)
    assert "0 models rendered, 5 reused" in again.output
    assert _lock(project)["version"] == "0.2.0"
    assert (project / "generated" / "CHANGELOG.md").read_text("utf-8") == changelog


def test_a_description_change_is_a_patch(project: Path) -> None:
    _edit_entry(project, TINY, lambda d: d.update(description="Reworded."))
    assert _generate(project).exit_code == 0
    assert _lock(project)["version"] == "0.1.1"


def _why(root: Path) -> list[str]:
    outcome = _generate(root, "--check")
    assert outcome.exit_code == 1
    return [line for line in outcome.output.splitlines() if line.startswith("why: ")]


def test_check_says_the_catalog_changed(project: Path) -> None:
    _edit_entry(project, TINY, _narrow_top_p)
    assert _why(project) == ["why: catalog entries changed: cloudflare/tinyllama_1_1b_chat_v1_0"]


def test_check_says_the_documents_changed(project: Path) -> None:
    source = project / "catalog" / "sources" / "segmind" / "deepseek-r1.txt"
    source.write_text(source.read_text("utf-8") + "\nNew paragraph.\n", "utf-8")
    _edit_entry(
        project, "segmind/deepseek_reasoner.yaml", lambda d: d.update(display_name="DeepSeek R1 (new)")
    )
    reasons = _why(project)
    assert any(
        r.startswith("why: documents changed since generation: sources/segmind/deepseek-r1.txt")
        for r in reasons
    )


def test_check_says_which_command_a_changed_document_still_needs(project: Path) -> None:
    """Before ingest, both commands; once ingest has the document in the catalog, generate alone."""
    source = project / "catalog" / "sources" / "segmind" / "deepseek-r1.txt"
    source.write_text(source.read_text("utf-8").replace("DeepSeek", "DeepSeek (edited)", 1), "utf-8")
    catalog = project / "catalog"
    ingest = ["ingest", "--sources", str(catalog / "sources"), "--catalog", str(catalog / "models")]
    assert CliRunner().invoke(cli, ingest).exit_code == 0
    [reason] = [r for r in _why(project) if "documents changed" in r]
    assert reason == (
        "why: documents changed since generation: sources/segmind/deepseek-r1.txt; the catalog has them "
        "(run `cardgen generate`)"
    )
    source.write_text(source.read_text("utf-8") + "\nAnother paragraph.\n", "utf-8")
    [reason] = [r for r in _why(project) if "documents changed" in r]
    assert reason.endswith("deepseek-r1.txt (run `cardgen ingest`, then `cardgen generate`)")


def test_check_says_the_toolchain_changed(project: Path) -> None:
    lock_path = project / "generated" / "cardgen.lock"
    text = lock_path.read_text("utf-8")
    ruff = json.loads(text.split('\n "models"')[0].rstrip(",") + "}")["toolchain"]["ruff"]
    text = text.replace(f'"ruff": "{ruff}"', '"ruff": "0.0.1"')
    text = text.replace('"version": "0.1.0"', '"version": "0.0.9"')  # so --check has a difference to explain
    lock_path.write_text(text, "utf-8")
    assert any("toolchain changed: ruff 0.0.1 -> " in r for r in _why(project))


def test_check_says_a_models_recordings_changed(project: Path) -> None:
    """A cassette recorded, changed or renamed changes the model's tests: said as that, not as a hand edit."""
    folder = project / "catalog" / "recordings" / "cloudflare" / "tinyllama_1_1b_chat_v1_0"
    (folder / "minimal.yaml").rename(folder / "renamed.yaml")
    assert _why(project) == [
        "why: recordings changed for: cloudflare/tinyllama_1_1b_chat_v1_0 (run `cardgen generate`)"
    ]


def test_check_says_the_models_were_rendered_from_another_catalog_path(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # headers name the catalog relative to here
    shutil.copytree(project / "catalog", tmp_path / "elsewhere")
    args = ["generate", "--catalog", "elsewhere/models", "--out", str(project / "generated"), "--check"]
    outcome = CliRunner().invoke(cli, args)
    reasons = [line for line in outcome.output.splitlines() if line.startswith("why: ")]
    assert len(reasons) == 1 and reasons[0].startswith("why: rendered from another catalog path"), (
        outcome.output
    )
    assert "recordings" not in outcome.output


def test_check_says_files_were_edited_by_hand(project: Path) -> None:
    target = project / "generated" / "modelsdk" / "providers" / "segmind.py"
    target.write_text(target.read_text("utf-8") + "# hand edit\n", "utf-8")
    assert _why(project) == ["why: generated files were edited by hand (the lock matches a fresh render)"]


def test_check_says_which_files_cardgen_did_not_write(project: Path) -> None:
    """Not 'edited by hand, run cardgen generate': that command refuses to write beside them."""
    (project / "generated" / "modelsdk" / "extra_mod.py").write_text("x = 1\n", "utf-8")
    said = _generate(project, "--check").output
    assert "(move the files cardgen did not write away):" in said and "run `cardgen generate`" not in said
    assert _why(project) == [
        "why: files cardgen did not write: modelsdk/extra_mod.py (move them away: `cardgen generate` "
        "leaves them, and refuses to write beside them)"
    ]


def test_check_names_a_hand_edit_beside_a_changed_document(project: Path) -> None:
    source = project / "catalog" / "sources" / "segmind" / "deepseek-r1.txt"
    source.write_text(source.read_text("utf-8") + "\nNew paragraph.\n", "utf-8")
    target = project / "generated" / "modelsdk" / "types" / "cloudflare" / "tinyllama_1_1b_chat_v1_0.py"
    target.write_text(target.read_text("utf-8") + "# hand edit\n", "utf-8")
    reasons = _why(project)
    assert any(
        r.startswith("why: documents changed since generation: sources/segmind/deepseek-r1.txt")
        for r in reasons
    )
    assert (
        "why: generated files edited by hand since generation: modelsdk/types/cloudflare/tinyllama_1_1b_chat_v1_0.py"
        in reasons
    ), reasons


def test_a_hand_edited_model_file_is_rendered_again_not_reused(project: Path) -> None:
    target = project / "generated" / "modelsdk" / "types" / "segmind" / "deepseek_reasoner.py"
    original = target.read_text("utf-8")
    target.write_text(original + "# hand edit\n", "utf-8")
    outcome = _generate(project)
    assert "1 model rendered, 4 reused" in outcome.output
    assert target.read_text("utf-8") == original


def test_a_change_to_the_rendering_code_invalidates_every_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.render import toolchain as render_toolchain

    renderer = tmp_path / "render"
    shutil.copytree(render_toolchain.RENDERER, renderer, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(render_toolchain, "RENDERER", renderer)
    before = render_toolchain.toolchain()
    (renderer / "postprocess.py").write_text(
        (renderer / "postprocess.py").read_text("utf-8") + "# changed\n", "utf-8"
    )
    after = render_toolchain.toolchain()
    assert before["renderer"] != after["renderer"]
    assert {k for k in before if before[k] != after[k]} == {"renderer"}


def test_a_changed_toolchain_alone_is_a_patch_release(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SDK's own code may differ: two packages must not carry one version."""
    from generator.render import toolchain as render_toolchain

    assert _generate(project).exit_code == 0
    before = json.loads(
        (project / "generated" / "cardgen.lock").read_text("utf-8").split('\n "models"')[0].rstrip(",") + "}"
    )["version"]
    renderer = tmp_path / "render"
    shutil.copytree(render_toolchain.RENDERER, renderer, ignore=shutil.ignore_patterns("__pycache__"))
    (renderer / "postprocess.py").write_text(
        (renderer / "postprocess.py").read_text("utf-8") + "# changed\n", "utf-8"
    )
    monkeypatch.setattr(render_toolchain, "RENDERER", renderer)
    outcome = _generate(project)
    major, minor, patch = before.split(".")
    assert f"(version {major}.{minor}.{int(patch) + 1})" in outcome.output, outcome.output
    changelog = (project / "generated" / "CHANGELOG.md").read_text("utf-8")
    assert "- Regenerated by a changed toolchain (renderer); no model's entry changed." in changelog
    assert f"(version {major}.{minor}.{int(patch) + 1})" in _generate(project).output  # once only


def test_a_changed_toolchain_beside_a_changed_model_is_said_too(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other models' code may differ as well: the changelog does not name only the one model."""
    from generator.render import toolchain as render_toolchain

    renderer = tmp_path / "render"
    shutil.copytree(render_toolchain.RENDERER, renderer, ignore=shutil.ignore_patterns("__pycache__"))
    (renderer / "postprocess.py").write_text(
        (renderer / "postprocess.py").read_text("utf-8") + "# changed\n", "utf-8"
    )
    monkeypatch.setattr(render_toolchain, "RENDERER", renderer)
    _edit_entry(project, TINY, lambda d: d.update(description="A smaller description."))
    assert _generate(project).exit_code == 0
    changelog = (project / "generated" / "CHANGELOG.md").read_text("utf-8")
    newest = changelog.split("\n## ")[1]
    assert "- `cloudflare` `@cf/tinyllama/tinyllama-1.1b-chat-v1.0`: changed" in newest
    assert "- Every model regenerated by a changed toolchain (renderer) too." in newest


def test_a_renamed_cassette_renders_its_model_again(project: Path) -> None:
    folder = project / "catalog" / "recordings" / "cloudflare" / "tinyllama_1_1b_chat_v1_0"
    (folder / "minimal.yaml").rename(folder / "renamed.yaml")
    outcome = _generate(project)
    assert "1 model rendered, 4 reused" in outcome.output, outcome.output
    cassettes = project / "generated" / "tests" / "cassettes" / "cloudflare" / "tinyllama_1_1b_chat_v1_0"
    assert sorted(p.name for p in cassettes.iterdir()) == ["renamed.yaml", "stream.yaml"]


def test_another_catalog_path_renders_every_model_again(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # headers name the catalog relative to here
    assert _generate(project).exit_code == 0
    shutil.copytree(project / "catalog", tmp_path / "elsewhere")
    args = ["generate", "--catalog", "elsewhere/models", "--out", str(project / "generated")]
    outcome = CliRunner().invoke(cli, args)
    assert "5 models rendered, 0 reused" in outcome.output, outcome.output
    types = project / "generated" / "modelsdk" / "types" / "cloudflare" / "tinyllama_1_1b_chat_v1_0.py"
    assert "from elsewhere/models/cloudflare/" in types.read_text("utf-8").splitlines()[0]


def test_the_lock_survives_line_separators_inside_an_entry(project: Path) -> None:
    _edit_entry(project, TINY, lambda d: d.update(description="one\u2028two\u2029three\x85four"))
    assert _generate(project).exit_code == 0
    assert _lock(project)["version"] == "0.1.1"
    again = _generate(project)
    assert "0 models rendered, 5 reused" in again.output, again.output
    assert _lock(project)["version"] == "0.1.1"


def _formatting(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The files each format_tree call of this test is given to format, by path."""
    from generator.render.format import format_tree

    calls: list[set[str]] = []

    def watched(files: dict[PurePosixPath, str], config: str | None = None) -> dict[PurePosixPath, str]:
        calls.append({str(path) for path in files})
        return format_tree(files, config)

    monkeypatch.setattr("generator.generate.format_tree", watched)
    return calls


def test_files_rendered_as_last_time_are_neither_formatted_nor_written_again(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _formatting(monkeypatch)
    _edit_entry(project, TINY, lambda d: d.update(description="A smaller description."))
    outcome = _generate(project)
    assert outcome.exit_code == 0, outcome.output
    [formatted] = calls
    assert "modelsdk/_base_client.py" not in formatted  # the runtime: the same text as last time
    assert "modelsdk/resources/cloudflare/tinyllama_1_1b_chat_v1_0.py" in formatted
    assert "ruff.toml" not in formatted  # kept like any file; format_tree is given its text all the same
    fresh = CliRunner().invoke(
        cli, ["generate", "--catalog", str(project / "catalog" / "models"), "--out", str(tmp_path / "fresh")]
    )
    assert fresh.exit_code == 0, fresh.output
    versioned = {
        "cardgen.lock",
        "CHANGELOG.md",
        "pyproject.toml",
        "modelsdk/__init__.py",
        "modelsdk/README.md",
    }
    ours, theirs = _tree(project / "generated"), _tree(tmp_path / "fresh")
    assert ours.keys() == theirs.keys()
    assert [p for p in ours if ours[p] != theirs[p] and p not in versioned] == []


def test_a_runtime_file_edited_by_hand_is_formatted_and_written_again(project: Path) -> None:
    target = project / "generated" / "modelsdk" / "_base_client.py"
    original = target.read_text("utf-8")
    target.write_text(original + "# edited\n", "utf-8")
    _edit_entry(project, TINY, lambda d: d.update(description="A smaller description."))
    outcome = _generate(project)
    assert outcome.exit_code == 0, outcome.output
    assert target.read_text("utf-8") == original


def _tree(directory: Path) -> dict[str, bytes]:
    files = (p for p in directory.rglob("*") if p.is_file() and not is_dropping(p.relative_to(directory)))
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in files}


def test_a_stored_entry_edited_by_hand_is_stored_again(project: Path) -> None:
    """Entries whose model is unchanged are not stored again, only named: unless their file changed."""
    other = _lock(project)["models"]["cloudflare/deepseek_math_7b_base"]  # type: ignore[index]
    blob = project / "generated" / "cardgen.store" / f"{other['entry']}.json"
    original = blob.read_text("utf-8")
    blob.write_text(original.replace("{", "{ ", 1), "utf-8")
    _edit_entry(project, TINY, lambda d: d.update(description="A smaller description."))
    outcome = _generate(project)
    assert outcome.exit_code == 0, outcome.output
    assert blob.read_text("utf-8") == original


def _no_code_generator(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any model typed without the store fails the run (a helper forked later inherits this too)."""
    from generator.render import model_types

    def refuse(*_: object) -> object:
        raise AssertionError("the code generator ran")

    monkeypatch.setattr(model_types, "types_code", refuse)


def test_a_model_changed_outside_its_schemas_is_typed_from_the_store(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its types were kept by the run that made them: the code generator is neither run nor loaded."""
    store = _types_store(project)
    assert len(list(store.glob("*.json"))) >= 5  # each model's types, kept (the seed project's run made them)
    _edit_entry(project, TINY, lambda d: d.update(description="Reworded.", display_name="Tiny"))
    _edit_entry(project, "cloudflare/deepseek_math_7b_base.yaml", lambda d: d.update(tags=["changed"]))
    _no_code_generator(monkeypatch)
    outcome = _generate(project)
    assert outcome.exit_code == 0, outcome.output
    assert "2 models rendered, 3 reused, 2 typed from kept code" in outcome.output
    monkeypatch.undo()
    fresh = CliRunner().invoke(
        cli, ["generate", "--catalog", str(project / "catalog" / "models"), "--out", str(tmp_path / "fresh")]
    )
    assert fresh.exit_code == 0, fresh.output
    # Every model's modules as a render from scratch writes them (only the version can differ elsewhere).
    for folder in ("types", "resources"):
        for path in (project / "generated" / "modelsdk" / folder).rglob("*.py"):
            relative = path.relative_to(project / "generated")
            assert path.read_text("utf-8") == (tmp_path / "fresh" / relative).read_text("utf-8"), relative


def test_a_changed_schema_is_typed_again_not_taken_from_the_store(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _edit_entry(project, TINY, _narrow_top_p)
    _no_code_generator(monkeypatch)
    outcome = _generate(project)
    assert outcome.exit_code != 0
    assert "the code generator ran" in repr(outcome.exception) + outcome.output


def test_check_and_a_failed_run_write_nothing_to_the_store(project: Path) -> None:
    store = _types_store(project)
    shutil.rmtree(store)
    _edit_entry(project, TINY, _narrow_top_p)
    assert _generate(project, "--check").exit_code == 1
    assert not store.exists()
    # Another model fails: TINY's new schema is still typed (so there is code to keep) before the run stops.
    other = "cloudflare/deepseek_math_7b_base.yaml"
    original = (project / "catalog" / "models" / other).read_text("utf-8")
    _edit_entry(project, other, lambda d: d.update(model_id="@cf/../../escape"))
    failed = _generate(project)
    assert failed.exit_code == 1 and "nothing written" in failed.output, failed.output
    assert not store.exists()
    (project / "catalog" / "models" / other).write_text(original, "utf-8")
    assert _generate(project).exit_code == 0
    assert list(store.glob("*.json"))  # what the failed run would have kept, the next run that writes keeps


def test_a_cache_folder_that_cannot_be_changed_stops_generate_before_it_writes(project: Path) -> None:
    """The last run's record would vouch for a tree this run changes: it must go first, or nothing is written."""
    cache = project / "generated" / ".cardgen-cache"
    shutil.rmtree(cache)
    cache.write_text("a file where the cache folder goes", "utf-8")
    before = _tree(project / "generated")
    _edit_entry(project, TINY, lambda d: d.update(description="Reworded."))
    outcome = _generate(project)
    assert outcome.exit_code == 1
    assert "nothing written" in outcome.output and "cannot remove the last run's record" in outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)  # said, not a traceback
    assert _tree(project / "generated") == before
    as_json = _generate(project, "--format", "json")
    report = json.loads(as_json.stdout)
    assert (report["ok"], report["typed_from_kept"]) == (False, 0)
    assert "cannot remove the last run's record" in report["error"]


def test_a_types_store_that_cannot_be_kept_is_a_warning_once_the_output_is_written(project: Path) -> None:
    store = _types_store(project)
    shutil.rmtree(store)
    store.write_text("a file where the typed code folder goes", "utf-8")
    _edit_entry(project, TINY, _narrow_top_p)  # a schema edit: new typed code to keep
    outcome = _generate(project)
    assert outcome.exit_code == 0, outcome.output
    assert f"warning: could not keep the typed code in {store}: " in outcome.output
    assert _generate(project, "--check").exit_code == 0  # the output is whole all the same
    store.unlink()
    _edit_entry(project, TINY, lambda d: d.update(description="Reworded."))
    kept = _generate(project)
    assert kept.exit_code == 0 and "warning" not in kept.output, kept.output
    assert list(store.glob("*.json"))


def test_parsed_entries_that_cannot_be_kept_are_a_warning_once_the_output_is_written(project: Path) -> None:
    entries = project / "catalog" / "models" / ".cardgen-cache" / "entries"
    shutil.rmtree(entries, ignore_errors=True)
    entries.parent.mkdir(parents=True, exist_ok=True)
    entries.write_text("a file where the parsed entries go", "utf-8")
    _edit_entry(project, TINY, lambda d: d.update(description="Reworded."))
    outcome = _generate(project)
    assert outcome.exit_code == 0, outcome.output
    assert f"warning: could not keep the parsed entries in {entries}" in outcome.output
    assert "every run parses them again" in outcome.output
    assert _generate(project, "--check").exit_code == 0
    entries.unlink()
    _edit_entry(project, TINY, lambda d: d.update(description="Reworded again."))
    kept = _generate(project)
    assert kept.exit_code == 0 and "warning" not in kept.output, kept.output


def test_a_record_that_cannot_be_kept_is_a_warning_once_the_output_is_written(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import unchanged

    def full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(unchanged, "write_cache", full)
    _edit_entry(project, TINY, lambda d: d.update(description="Reworded."))
    outcome = _generate(project)
    assert outcome.exit_code == 0, outcome.output
    assert "warning: could not record this run" in outcome.output
    assert not (project / "generated" / ".cardgen-cache" / "generate.json").exists()
    monkeypatch.undo()
    assert _generate(project, "--check").exit_code == 0  # the output is whole all the same


def test_the_changelog_shows_document_text_escaped_line_by_line(project: Path) -> None:
    """A description edited to hold a line separator and a bidi override: the changelog's lines are
    the lines it wrote (splitlines() agrees) and the text shows escaped, not acted on."""

    def describe(data: dict[str, object]) -> None:
        data["description"] = "first\u2028second \u202ereversed\x85 end"

    _edit_entry(project, TINY, describe)
    assert _generate(project).exit_code == 0
    changelog = (project / "generated" / "CHANGELOG.md").read_text("utf-8")
    assert changelog.splitlines() == changelog.split("\n")[:-1]
    assert all(line.isprintable() for line in changelog.splitlines())
    assert "first\\u2028second \\u202ereversed\\x85 end" in changelog.split("## ")[1]


def test_the_first_generation_counts_its_models_in_words() -> None:
    from generator.catalog.store import Catalog
    from generator.render.changelog import next_version
    from tests.sdk.conftest import CATALOG

    entries = tuple(CATALOG)
    assert next_version(None, Catalog(entries[:1]), {}, "0.1.0") == (
        "0.1.0",
        ["- First generation: 1 model."],
    )
    assert next_version(None, Catalog(entries[:2]), {}, "0.1.0")[1] == ["- First generation: 2 models."]
