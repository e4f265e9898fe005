"""`cardgen conform --shard K/N` splits the models so N jobs run each exactly once; `-n` keeps the table whole."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from generator.conform.run import ConformOptions, Shard, selected_modules
from tests.conftest import cardgen

pytestmark = pytest.mark.long_file  # started first: see tests/conftest.py


def _tests_dir(tmp_path: Path, models: list[str]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    for model in models:
        provider, slug = model.split("/")
        (tmp_path / f"test_{provider}__{slug}.py").write_text("", "utf-8")
    return tmp_path


@pytest.mark.parametrize("count", [1, 2, 3, 5, 7, 12])
def test_the_shards_partition_the_selected_models(tmp_path: Path, count: int) -> None:
    models = [f"cloudflare/model_{i}" for i in range(7)] + ["segmind/a", "dataoorts/b"]
    options = ConformOptions(_tests_dir(tmp_path, models), tmp_path, "recorded", ("*",), 1)
    everything = selected_modules(options)
    shards = [selected_modules(replace(options, shard=Shard(k, count))) for k in range(1, count + 1)]
    flat = [module for shard in shards for module in shard]
    assert sorted(flat) == sorted(everything)  # every model, and each once
    assert max(map(len, shards)) - min(map(len, shards)) <= 1


def test_a_shard_is_the_same_on_every_run_and_after_the_glob(tmp_path: Path) -> None:
    tests = _tests_dir(tmp_path, ["cloudflare/a", "cloudflare/b", "cloudflare/c", "segmind/d"])
    options = ConformOptions(tests, tmp_path, "recorded", ("cloudflare/*",), 1, shard=Shard(2, 2))
    assert [path.name for path in selected_modules(options)] == ["test_cloudflare__b.py"]


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0", "-1/2"])
def test_a_bad_shard_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="K/N"):
        Shard.parse(text)


def _conform_json(project: Path, *arguments: str) -> dict[str, Any]:
    options = ("--backend", "recorded", "--examples", "2", "--format", "json")
    document: dict[str, Any] = json.loads(cardgen(project, "conform", *options, *arguments).stdout)
    return document


def test_shards_run_in_parallel_report_every_model_once(tmp_path: Path, seed_project: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(seed_project, project, symlinks=True)
    modules = sorted((project / "generated" / "tests").glob("test_*__*.py"))
    serial = json.loads(
        cardgen(project, "conform", "--backend", "recorded", "--examples", "2", "--format", "json").stdout
    )
    parts = [_conform_json(project, "-n", "2", "--shard", f"{k}/2") for k in (1, 2)]
    assert all(part["ok"] for part in parts)
    models = [model["model"] for part in parts for model in part["models"]]
    assert sorted(models) == [model["model"] for model in serial["models"]]
    assert len(models) == len(modules)
    outcomes = {m["model"]: m["properties"] for part in parts for m in part["models"]}
    assert outcomes == {m["model"]: m["properties"] for m in serial["models"]}  # -n changes no verdict
    # each model's row has its time: the sum of its tests' durations, a number on either path
    assert all(isinstance(m["seconds"], float) and m["seconds"] > 0 for part in parts for m in part["models"])


def test_a_shard_beyond_the_models_has_nothing_to_do(seed_project: Path, tmp_path: Path) -> None:
    report = tmp_path / "reports" / "junit.xml"
    options = ("--shard", "40/40", "--format", "json", "--junitxml", str(report))
    done = cardgen(seed_project, "conform", "--backend", "recorded", *options)
    assert json.loads(done.stdout)["models"] == []
    assert "no models" in done.stderr
    suite = ElementTree.parse(report).getroot().find("testsuite")  # a report to upload, with no test
    assert suite is not None and suite.get("tests") == "0"


def test_a_model_glob_that_matches_nothing_is_a_usage_error(tmp_path: Path) -> None:
    tests = _tests_dir(tmp_path / "generated" / "tests", ["cloudflare/a"])
    assert tests.is_dir()
    done = cardgen(tmp_path, "conform", "--backend", "recorded", "--model", "cloudflare/nosuch", expect=2)
    assert "Invalid value for --model: no model in generated/tests matches 'cloudflare/nosuch'" in done.stderr
    assert "MODEL" not in done.stdout  # no empty table


def test_model_given_twice_runs_the_models_of_both(seed_project: Path) -> None:
    modules = sorted(p.stem for p in (seed_project / "generated" / "tests").glob("test_*__*.py"))
    first, second = (m.removeprefix("test_").replace("__", "/") for m in (modules[0], modules[-1]))
    document = _conform_json(seed_project, "--model", first, "--model", second)
    assert [model["model"] for model in document["models"]] == sorted([first, second])


def test_a_glob_that_names_nothing_beside_one_that_does_is_a_usage_error(tmp_path: Path) -> None:
    _tests_dir(tmp_path / "generated" / "tests", ["cloudflare/a", "segmind/b"])
    given = ("--model", "cloudflare/*", "--model", "segmnd/*", "--model", "nobody")
    done = cardgen(tmp_path, "conform", "--backend", "recorded", *given, expect=2)
    assert "no model in generated/tests matches any of 'segmnd/*', 'nobody' (models" in done.stderr
    assert "MODEL" not in done.stdout  # nothing ran


@pytest.mark.parametrize("backend", ["bogus", "localhost:8787", "ftp://example.com"])
def test_a_backend_that_is_no_backend_is_a_usage_error(tmp_path: Path, backend: str) -> None:
    done = cardgen(tmp_path, "conform", "--backend", backend, expect=2)
    assert (
        f"Invalid value for --backend: expected local, recorded or an http:// or https:// URL, not {backend!r}"
        in done.stderr
    )


@pytest.mark.parametrize(
    ("arguments", "environment", "words"),
    [
        (["--examples", "0"], {}, "Invalid value for '--examples': 0 is not in the range x>=1"),
        (["--examples", "-1"], {}, "Invalid value for '--examples': -1 is not in the range x>=1"),
        (
            [],
            {"CARDGEN_EXAMPLES": "abc"},
            "$CARDGEN_EXAMPLES is 'abc': expected a whole number of at least 1",
        ),
        ([], {"CARDGEN_EXAMPLES": "0"}, "$CARDGEN_EXAMPLES is '0': expected a whole number of at least 1"),
    ],
)
def test_fewer_than_one_example_is_a_usage_error_not_every_property_failing(
    tmp_path: Path, arguments: list[str], environment: dict[str, str], words: str
) -> None:
    _tests_dir(tmp_path / "generated" / "tests", ["cloudflare/a"])
    done = cardgen(
        tmp_path,
        "conform",
        "--backend",
        "recorded",
        *arguments,
        "--format",
        "json",
        env=environment,
        expect=2,
    )
    assert words in done.stderr
    assert words in json.loads(done.stdout)["error"]


def test_cardgen_examples_sets_the_examples_when_the_option_is_not_given(
    tmp_path: Path, seed_project: Path
) -> None:
    arguments = ("--backend", "recorded", "--model", "segmind/*", "--format", "json")
    document = json.loads(cardgen(seed_project, "conform", *arguments, env={"CARDGEN_EXAMPLES": "2"}).stdout)
    assert document["examples"] == 2


@pytest.mark.parametrize("given", ["abc", "0"])
def test_the_generated_tests_refuse_fewer_than_one_example_as_pytests_usage_error(
    seed_project: Path, given: str
) -> None:
    """Run directly with pytest (not through `cardgen conform`): a usage error, not a traceback."""
    import os
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", "--backend", "recorded"],
        cwd=seed_project / "generated",
        env={**os.environ, "CARDGEN_EXAMPLES": given},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert f"CARDGEN_EXAMPLES) must be a whole number >= 1, not {given!r}" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("workers", ["x", "-1", "2.5"])
def test_workers_that_are_no_count_are_a_usage_error(tmp_path: Path, workers: str) -> None:
    done = cardgen(tmp_path, "conform", "-n", workers, expect=2)
    assert f"expected auto or a whole number of workers (0: none), not {workers!r}" in done.stderr
